/**
 * @file Loop fusion of a function's top-level loops: two `for` loops over the same index type
 * become one when the second reads nothing the first computes except the first's element at the
 * same index. Used on the combined forward-backward pass of a gradient (vjp.ts `fusedGrad`): a
 * sum over `fin(n)` then runs its forward and backward bodies in one loop, the residuals of an
 * iteration never leave it, and `simplify` then shares what both bodies compute (the backward
 * body recomputes cheap values, see unzip-recompute.ts).
 *
 * Loop `L2` (later) joins loop `L1` (earlier, same size) when:
 * - every value `L2` reads from outside itself is defined before `L1`, or is `L1`'s result read
 *   only as `L1[i]` at `L2`'s own index `i` (that read becomes `L1`'s element), or is defined
 *   between them by a pure instruction (literal, projection, arithmetic, `accum`, `slice`,
 *   `field`) whose operands satisfy the same rule: those move before `L1`;
 * - no accumulator is touched (added to, resolved, passed to a call) both by `L1` and `L2`; an
 *   instruction between them that touches one of `L2`'s must be an `add` that can move before
 *   `L1` (as above, into an accumulator `L1` leaves alone): the additions into every accumulator
 *   then happen in the same order as before, so results are bit-identical;
 * - at most one of the two results is still needed with a non-empty element type (the fused loop
 *   yields that one, or an empty element when neither is needed, so nothing is stored; the
 *   other, if read, has an empty type and becomes `zero`).
 * Invariant: the output is valid IR with the same results, bit for bit.
 */
import {
  isEmpty,
  varCount,
  varTy,
  type Block,
  type Expr,
  type Instr,
  type TransparentFunc,
  type Var,
} from '../ir/types.ts';
import { forEachBlockResult, forEachInstr, forEachOperand, renameBlock } from '../ir/visit.ts';

type ForExpr = Extract<Expr, { kind: 'for' }>;

/**
 * Top-level loops beyond this many are left alone: each pair may be tried, and an attempt walks
 * the instructions between its two loops.
 */
const MAX_LOOPS = 16;

/** Kinds that may move before an earlier loop: pure values and fresh accumulators. */
const HOISTABLE = new Set<Expr['kind']>(['lit', 'zero', 'vec', 'struct', 'index', 'member', 'prim', 'select', 'accum', 'slice', 'field']);

/** Return `f` with its fusable top-level loops fused (see the file comment), or undefined if none. */
export function fuseLoops(f: TransparentFunc): TransparentFunc | undefined {
  let body: Block = f.body;
  if (body.filter((i) => i.expr.kind === 'for').length > MAX_LOOPS) return undefined;
  let fused = 0;
  for (let next = fuseOnePair(f, body); next !== undefined; next = fuseOnePair(f, body)) (body = next), (fused += 1);
  return fused === 0 ? undefined : { ...f, body };
}

/** Return `body` with its first fusable pair of top-level loops fused, or undefined if none. */
function fuseOnePair(f: TransparentFunc, body: Block): Block | undefined {
  const at = body.flatMap((instr, p) => (instr.expr.kind === 'for' ? [p] : []));
  if (at.length < 2) return undefined;
  const facts = new BodyFacts(f, body);
  for (let b = 1; b < at.length; b++)
    for (let a = b - 1; a >= 0; a--) {
      const [k, j] = [at[a]!, at[b]!];
      if (!sameSize(f, body[k]!.var, body[j]!.var)) continue;
      const next = new Fusion(facts, k, j).run();
      if (next !== undefined) return next;
    }
  return undefined;
}

/** Return true when loops `a` and `b` (their result vars) run over the same index type. */
function sameSize(f: TransparentFunc, a: Var, b: Var): boolean {
  const ta = varTy(f, a);
  const tb = varTy(f, b);
  return ta.kind === 'vec' && tb.kind === 'vec' && ta.size === tb.size;
}

/** What every fusion attempt on one version of the body reads: definitions and use counts. */
class BodyFacts {
  readonly f: TransparentFunc;
  readonly body: Block;
  /** Position of each top-level definition (-1: params, nested or none). */
  readonly pos: Int32Array;
  /** Defining expression of every var, at any depth. */
  readonly def: (Expr | undefined)[];
  /** How often each var is read (operands, loop elements, the result). */
  readonly uses: Int32Array;

  constructor(f: TransparentFunc, body: Block) {
    this.f = f;
    this.body = body;
    const n = varCount(f);
    this.pos = new Int32Array(n).fill(-1);
    this.def = new Array<Expr | undefined>(n);
    this.uses = new Int32Array(n);
    body.forEach((instr, p) => (this.pos[instr.var] = p));
    const use = (v: Var) => (this.uses[v] = this.uses[v]! + 1);
    forEachInstr(body, ({ var: v, expr }) => {
      this.def[v] = expr;
      forEachOperand(expr, use);
      forEachBlockResult(expr, use);
    });
    use(f.ret);
  }
}

/** One attempt to fuse loop `j` of the body into loop `k` (see the file comment). */
class Fusion {
  readonly facts: BodyFacts;
  readonly k: number;
  readonly j: number;
  readonly first: Instr & { expr: ForExpr };
  readonly second: Instr & { expr: ForExpr };

  constructor(facts: BodyFacts, k: number, j: number) {
    this.facts = facts;
    this.k = k;
    this.j = j;
    this.first = facts.body[k] as Instr & { expr: ForExpr };
    this.second = facts.body[j] as Instr & { expr: ForExpr };
  }

  /** Return the new top-level block, or undefined when the loops may not fuse. */
  run(): Block | undefined {
    const { k, j, first, second } = this;
    const body = this.facts.body;
    const elementReads = new Set<Var>(); // vars defined in L2 as L1[i]
    const free = this.freeReads(second, elementReads);
    if (free === undefined) return undefined;
    const hoisted = new Set<number>(); // positions between k and j moving before L1
    for (const v of free) if (!this.hoist(v, hoisted)) return undefined;
    const touched1 = this.touchedRoots([first]);
    const touched2 = this.touchedRoots([second]);
    if (intersects(touched1, touched2)) return undefined;
    if (!this.hoistAdds(touched1, touched2, hoisted)) return undefined;
    const stay = body.slice(k + 1, j).filter((_, d) => !hoisted.has(k + 1 + d));
    const yielded = this.yieldedLoop(elementReads);
    if (yielded === undefined) return undefined;
    const other = yielded === first ? second : first;
    const index = first.expr.index;
    const rename = (v: Var): Var => (v === second.expr.index ? index : elementReads.has(v) ? first.expr.ret : v);
    const fusedBody = [...first.expr.body, ...renameBlock(second.expr.body, rename, elementReads)];
    const ret = yielded === first ? first.expr.ret : rename(second.expr.ret);
    const fused: Instr = { var: yielded.var, expr: { kind: 'for', index, body: fusedBody, ret } };
    const zeros: Instr[] = this.usesOf(other.var, elementReads) > 0 ? [{ var: other.var, expr: { kind: 'zero' } }] : [];
    const moved = [...hoisted].sort((a, b) => a - b).map((p) => body[p]!);
    return [...body.slice(0, k), ...moved, fused, ...zeros, ...stay, ...body.slice(j + 1)];
  }

  /**
   * Return the vars loop `l` reads from outside itself (L1's result excluded), recording in
   * `elementReads` the vars defined as `L1[i]` at `l`'s index; undefined when `l` reads L1's
   * result in any other way.
   */
  freeReads(l: Instr & { expr: ForExpr }, elementReads: Set<Var>): Set<Var> | undefined {
    const inside = new Set<Var>([l.expr.index]);
    forEachInstr(l.expr.body, ({ var: v, expr }) => {
      inside.add(v);
      if (expr.kind === 'for') inside.add(expr.index);
    });
    const l1 = this.first.var;
    const free = new Set<Var>();
    let ok = true;
    const read = (v: Var) => {
      if (v === l1) ok = false;
      else if (!inside.has(v)) free.add(v);
    };
    forEachInstr(l.expr.body, ({ var: v, expr }) => {
      if (expr.kind === 'index' && expr.vec === l1 && expr.index === l.expr.index) elementReads.add(v);
      else forEachOperand(expr, read);
      forEachBlockResult(expr, read);
    });
    read(l.expr.ret);
    return ok ? free : undefined;
  }

  /** Mark `v`'s definition (and its operands') to move before L1 if needed; false if it cannot. */
  hoist(v: Var, hoisted: Set<number>): boolean {
    const p = this.facts.pos[v]!;
    if (p < this.k || hoisted.has(p)) return true; // a param, or defined before L1
    if (p >= this.j || p === this.k) return false; // L1's result itself, or not top-level
    const e = this.facts.def[v]!;
    if (!HOISTABLE.has(e.kind)) return false;
    hoisted.add(p);
    let ok = true;
    forEachOperand(e, (w) => (ok &&= this.hoist(w, hoisted)));
    return ok;
  }

  /**
   * Mark the instructions between the loops that touch an accumulator of L2 to move before L1
   * with their operands, so additions into it keep their order; false unless each is an `add`
   * into an accumulator L1 leaves alone, computed from values available before L1.
   */
  hoistAdds(touched1: ReadonlySet<Var>, touched2: ReadonlySet<Var>, hoisted: Set<number>): boolean {
    for (let p = this.k + 1; p < this.j; p++) {
      const instr = this.facts.body[p]!;
      if (hoisted.has(p) || !intersects(this.touchedRoots([instr]), touched2)) continue;
      const e = instr.expr;
      if (e.kind !== 'add' || touched1.has(this.root(e.ref))) return false;
      hoisted.add(p);
      let ok = true;
      forEachOperand(e, (w) => (ok &&= this.hoist(w, hoisted)));
      if (!ok) return false;
    }
    return true;
  }

  /** Return the accumulators (their `accum` var or param) that `instrs` add into, resolve or pass. */
  touchedRoots(instrs: Block): Set<Var> {
    const out = new Set<Var>();
    forEachInstr(instrs, ({ expr }) => {
      if (expr.kind === 'add' || expr.kind === 'resolve') out.add(this.root(expr.ref));
      else if (expr.kind === 'call')
        for (const a of expr.args) if (varTy(this.facts.f, a).kind === 'ref') out.add(this.root(a));
    });
    return out;
  }

  /** Return the accumulator `ref` is part of (through `slice` and `field`). */
  root(ref: Var): Var {
    const def = this.facts.def;
    for (let e = def[ref]; e?.kind === 'slice' || e?.kind === 'field'; e = def[ref]) ref = e.ref;
    return ref;
  }

  /** Return the loop whose element the fused loop yields, or undefined when both are needed. */
  yieldedLoop(elementReads: ReadonlySet<Var>): (Instr & { expr: ForExpr }) | undefined {
    const { f } = this.facts;
    const needed = (l: Instr) => !isEmpty(varTy(f, l.var)) && this.usesOf(l.var, elementReads) > 0;
    const [n1, n2] = [needed(this.first), needed(this.second)];
    if (n1 && n2) return undefined;
    // neither needed: yield the empty element if there is one (nothing is stored then)
    if (!n1 && !n2 && isEmpty(varTy(f, this.second.var))) return this.second;
    return n2 ? this.second : this.first;
  }

  /** Return how often loop result `v` is read, not counting the element reads of L2 (of L1's). */
  usesOf(v: Var, elementReads: ReadonlySet<Var>): number {
    return this.facts.uses[v]! - (v === this.first.var ? elementReads.size : 0);
  }
}

/** Return true when sets `a` and `b` share an element. */
function intersects(a: ReadonlySet<Var>, b: ReadonlySet<Var>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}
