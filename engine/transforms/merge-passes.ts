/**
 * @file The merges that follow `interleavePasses`'s scheduling (interleave.ts, step 3), once a
 * term's backward work sits right after its forward work:
 * - `mergeConds`: `r1 = if c {A} else {B}` then `r2 = if c {C} else {D}`, with only projections
 *   of `r1` between them, become one `if c {A; C} else {B; D}` yielding both results (C and D
 *   read A's and B's results instead of `r1`);
 * - `mergeCallPairs`: `r = G(a)`, `v = r.k` read only by a later `u = H(.., v, ..)` of empty
 *   result, become one call of G and H joined and interleaved (`FusePair`), when H's other
 *   arguments exist before `r` and nothing between reads an accumulator H adds into.
 * Both keep the IR valid; the call merge moves H's additions into accumulators earlier.
 */
import {
  isEmpty,
  structTy,
  type Block,
  type Expr,
  type Instr,
  type StructTy,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';
import { forEachFreeVar, forEachInstr, mapOperands, renameBlock } from '../ir/visit.ts';
import { AccumulatorEffects } from './accumulator-effects.ts';
import { hasEffect } from './linearity.ts';

type CondExpr = Extract<Expr, { kind: 'cond' }>;
type CallExpr = Extract<Expr, { kind: 'call' }>;

/** Return `block` with each cond merged into an earlier one on the same condition (see the file comment). */
export function mergeConds(block: readonly Instr[], vars: Ty[]): Instr[] {
  const out: Instr[] = [];
  let last = -1; // position in `out` of the latest cond
  for (const instr of block) {
    const e = instr.expr;
    if (e.kind !== 'cond') {
      out.push(instr);
      continue;
    }
    const prev = last >= 0 ? out[last]! : undefined;
    if (prev !== undefined && (prev.expr as CondExpr).cond === e.cond && onlyProjections(out, last)) {
      const between = out.splice(last);
      const merged = mergeTwo(between, instr, vars);
      last = out.length;
      out.push(...merged);
    } else {
      last = out.length;
      out.push(instr);
    }
  }
  return out;
}

/** Return true when `out[at + 1..]` only project members out of `out[at]`'s result, transitively. */
function onlyProjections(out: readonly Instr[], at: number): boolean {
  const derived = new Set<Var>([out[at]!.var]);
  for (let k = at + 1; k < out.length; k++) {
    const e = out[k]!.expr;
    if (e.kind !== 'member' || !derived.has(e.struct)) return false;
    derived.add(out[k]!.var);
  }
  return true;
}

/**
 * Return the instructions replacing `first` (a cond), the projections after it and `second`:
 * the merged cond, then `first`'s and `second`'s vars as members of its result, the projections
 * in between.
 */
function mergeTwo(run: readonly Instr[], second: Instr, vars: Ty[]): Instr[] {
  const [first, ...between] = run as [Instr, ...Instr[]];
  const a = first.expr as CondExpr;
  const b = second.expr as CondExpr;
  const fresh = (t: Ty): Var => vars.push(t) - 1;
  const side = (blockA: Block, retA: Var, blockB: Block, retB: Var): [Instr[], Var] => {
    // `second`'s block reads `first`'s result and the projections: give them this side's values
    const sub = new Map<Var, Var>([[first.var, retA]]);
    const clones = between.map(({ var: v, expr }) => {
      const c = fresh(vars[v]!);
      sub.set(v, c);
      return { var: c, expr: mapOperands(expr, (w) => sub.get(w) ?? w) };
    });
    const rename = (w: Var) => sub.get(w) ?? w;
    const both = fresh(pairTy(vars[first.var]!, vars[second.var]!));
    const instrs = [...blockA, ...clones, ...renameBlock(blockB, rename)];
    instrs.push({ var: both, expr: { kind: 'struct', members: [retA, rename(retB)] } });
    return [instrs, both];
  };
  const [then, thenRet] = side(a.then, a.thenRet, b.then, b.thenRet);
  const [els, elsRet] = side(a.els, a.elsRet, b.els, b.elsRet);
  const merged = fresh(vars[thenRet]!);
  return [
    { var: merged, expr: { kind: 'cond', cond: a.cond, then, thenRet, els, elsRet } },
    { var: first.var, expr: { kind: 'member', struct: merged, member: 0 } },
    ...between,
    { var: second.var, expr: { kind: 'member', struct: merged, member: 1 } },
  ];
}

/** The struct types `{r0: a, r1: b}` made so far, one object per pair of type objects. */
const pairTypes = new WeakMap<Ty, WeakMap<Ty, StructTy>>();

/** Return the struct type `{r0: a, r1: b}` (the same object for the same `a` and `b`). */
function pairTy(a: Ty, b: Ty): StructTy {
  let byB = pairTypes.get(a);
  if (byB === undefined) pairTypes.set(a, (byB = new WeakMap()));
  let t = byB.get(b);
  if (t === undefined) byB.set(b, (t = structTy(['r0', 'r1'], [a, b])));
  return t;
}

/**
 * Return the member positions leading from `t` to its one part with a value (`[1]` for a dual
 * number `{du: unit, re: real}`), as far as structs have exactly one such member; empty when `t`
 * is not such a struct. A joined function returns that part only, so a scalar comes back in a
 * register rather than through memory.
 */
export function soleLeafPath(t: Ty): number[] {
  if (t.kind !== 'struct') return [];
  const full = t.members.flatMap((m, k) => (isEmpty(m) ? [] : [k]));
  return full.length === 1 ? [full[0]!, ...soleLeafPath(t.members[full[0]!]!)] : [];
}

/**
 * Return the function joining `G` (whose result is a two-member struct) and `H`, with `H`'s
 * param `p` bound to member `k` of `G`'s result: params `G`'s then `H`'s others, result the part
 * of `G`'s other member at `soleLeafPath` of it.
 */
export type FusePair = (G: TransparentFunc, H: TransparentFunc, p: number, k: number) => TransparentFunc;

/** Return `body` (and its nested blocks) with call pairs merged (see the file comment). */
export function mergeCallPairs(body: Instr[], vars: Ty[], ret: Var, fuse: FusePair): Instr[] {
  let candidates = false;
  forEachInstr(body, ({ var: v, expr: e }) => {
    candidates ||= e.kind === 'call' && e.func.kind === 'transparent' && isEmpty(vars[v]!);
  });
  if (!candidates) return body;
  return new CallMerger(vars, liveReads(body, vars.length, ret), fuse).block(body);
}

/**
 * Return how often each var is read by the live instructions of `body` (those that lead to
 * `ret` or add into an accumulator; a nested block counts whole), so that reads by dead code
 * (fwd's residual bundle, once bwd reads the residuals directly) do not block a merge. Calls
 * `onLive` on each live top-level instruction, last first.
 */
export function liveReads(body: readonly Instr[], size: number, ret: Var, onLive?: (instr: Instr) => void): Int32Array {
  const uses = new Int32Array(size);
  const live = new Uint8Array(size);
  live[ret] = 1;
  const read = (v: Var): void => {
    uses[v]! += 1;
    live[v] = 1;
  };
  for (let k = body.length - 1; k >= 0; k--) {
    const instr = body[k]!;
    if (live[instr.var] !== 1 && !hasEffect(instr.expr)) continue;
    onLive?.(instr);
    forEachFreeVar(instr, read);
  }
  uses[ret]! += 1;
  return uses;
}

/** Merges call pairs block by block; `uses` counts reads of each var before any merge. */
class CallMerger {
  /** For each var defined by a `member`: the struct it projects (else -1), and the member. */
  private readonly projected: Int32Array;
  private readonly projectedMember: Int32Array;
  /** For each var: the block that defines it (a number per block), and its position in it. */
  private readonly blockOf: Int32Array;
  private readonly position: Int32Array;
  private blocks = 0;
  /** The root accumulator of each `slice` and `field` seen so far, shared by the blocks' effects. */
  private readonly roots = new Map<Var, Var>();

  constructor(
    private readonly vars: Ty[],
    private readonly uses: Int32Array,
    private readonly fuse: FusePair,
  ) {
    const n = vars.length;
    this.projected = new Int32Array(n).fill(-1);
    this.projectedMember = new Int32Array(n);
    this.blockOf = new Int32Array(n).fill(-1);
    this.position = new Int32Array(n);
  }

  /** Return `block` with its call pairs merged, nested blocks first. */
  block(block: readonly Instr[]): Instr[] {
    const out: Instr[] = [];
    const id = this.blocks++;
    // what a merge defines right after a position (kept apart so positions stay put)
    const after = new Map<number, Instr[]>();
    const effects = new AccumulatorEffects(this.roots);
    const at = (v: Var): number => (this.blockOf[v] === id ? this.position[v]! : -1);
    for (const instr of block) {
      const e = mapOperands(instr.expr, identity, (b) => this.block(b));
      const here = e === instr.expr ? instr : { var: instr.var, expr: e };
      if (e.kind === 'member') [this.projected[instr.var], this.projectedMember[instr.var]] = [e.struct, e.member];
      const merged = e.kind === 'call' && isEmpty(this.vars[instr.var]!) && this.tryMerge(out, at, after, effects, here as Instr & { expr: CallExpr });
      const kept = merged ? { var: instr.var, expr: ZERO } : here; // a merged call's result is empty
      this.blockOf[instr.var] = id;
      this.position[instr.var] = out.length;
      effects.record(kept, out.length);
      out.push(kept);
    }
    if (after.size === 0) return out;
    const all: Instr[] = [];
    out.forEach((instr, q) => {
      all.push(instr);
      const more = after.get(q);
      if (more !== undefined) for (const m of more) all.push(m);
    });
    return all;
  }

  /** Merge `u = H(...)` into the call of G whose residuals it reads, in `out`; return false if it cannot. */
  private tryMerge(
    out: Instr[],
    at: (v: Var) => number,
    after: Map<number, Instr[]>,
    effects: AccumulatorEffects,
    u: Instr & { expr: CallExpr },
  ): boolean {
    const H = u.expr.func;
    if (H.kind !== 'transparent') return false;
    const args = u.expr.args;
    for (let p = 0; p < args.length; p++) {
      const v = args[p]!;
      const r = v < this.projected.length ? this.projected[v]! : -1;
      if (r < 0 || this.uses[v] !== 1 || at(v) < 0) continue;
      const k = this.projectedMember[v]!;
      const i = at(r);
      const call = i < 0 ? undefined : out[i]!.expr;
      if (call?.kind !== 'call' || call.func.kind !== 'transparent') continue;
      const G = call.func;
      const bundle = this.vars[r]!;
      if (bundle.kind !== 'struct' || bundle.members.length !== 2) continue;
      if (G.paramTypes.some((t) => t.kind === 'ref')) continue;
      // H's other arguments exist at G's call; nothing in between reads what H adds into
      if (!args.every((w, q) => q === p || at(w) < i)) continue;
      if (!this.onlyOtherMember(out, i, r, k) || effects.earliest(u) > i) continue;
      const fused = this.fuse(G, H, p, k);
      const leaf = this.vars.push(fused.retType) - 1;
      out[i] = { var: leaf, expr: { kind: 'call', func: fused, args: [...call.args, ...args.filter((_, q) => q !== p)] } };
      // r = {k: zero, other: the fused call's result, rebuilt around the leaf it returns}
      const rest: Instr[] = [];
      const other = this.rebuild(bundle.members[1 - k]!, soleLeafPath(bundle.members[1 - k]!), leaf, rest);
      const z = this.zeroOf(bundle.members[k]!, rest);
      rest.push({ var: r, expr: { kind: 'struct', members: k === 0 ? [z, other] : [other, z] } });
      after.set(i, rest);
      return true;
    }
    return false;
  }

  /** Return a var of type `t` holding `leaf` at `path` and zero elsewhere, defined by instructions pushed to `out`. */
  private rebuild(t: Ty, path: readonly number[], leaf: Var, out: Instr[]): Var {
    if (path.length === 0) return leaf;
    const s = t as StructTy;
    const members = s.members.map((m, i) => (i === path[0] ? this.rebuild(m, path.slice(1), leaf, out) : this.zeroOf(m, out)));
    const v = this.vars.push(t) - 1;
    out.push({ var: v, expr: { kind: 'struct', members } });
    return v;
  }

  /** Return a new var holding the zero of `t`, defined by an instruction pushed to `out`. */
  private zeroOf(t: Ty, out: Instr[]): Var {
    const z = this.vars.push(t) - 1;
    out.push({ var: z, expr: ZERO });
    return z;
  }

  /**
   * Return true when `r` is read only by members of it after `out[i]`: one of member `k`, others
   * not `k` (members nothing live reads do not count, as `uses` does not count their reads).
   */
  private onlyOtherMember(out: readonly Instr[], i: number, r: Var, k: number): boolean {
    let others = 0;
    for (let q = i + 1; q < out.length; q++) {
      const e = out[q]!.expr;
      if (e.kind === 'member' && e.struct === r && e.member !== k && this.uses[out[q]!.var]! > 0) others += 1;
    }
    return this.uses[r] === others + 1;
  }
}

const ZERO: Expr = Object.freeze({ kind: 'zero' });

/** Return `v` (operands that stay as they are). */
const identity = (v: Var): Var => v;
