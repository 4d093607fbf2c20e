/**
 * @file Interleaving of a forward and a backward pass into one function, for gradients whose
 * output cotangent is known before the forward pass runs (grad and valueAndGrad seed it with 1).
 *
 * Reverse mode runs every forward instruction, keeps residuals, then runs the backward pass. But
 * in a sum of independent terms (a layout energy over pairs, a penalty per constraint) the
 * backward work of a term needs only that term's residuals and the seed. `interleavePasses`
 * joins fwd and bwd into one function and moves each backward instruction up to just after the
 * last instruction it depends on, so a term's backward work runs right after its forward work
 * and its residuals stay in registers instead of going through memory:
 * 1. join: bwd's residual param reads fwd's result directly; a `member` of a struct literal is
 *    forwarded to the literal's member, so bwd reads the forward values themselves;
 * 2. schedule: each top-level backward instruction goes right after the latest top-level
 *    instruction it reads (nested blocks' free variables included), and after every earlier
 *    instruction that reads (`resolve`s) an accumulator it adds into, or that adds into one it
 *    reads; additions into the same accumulator may change order (float sums then round
 *    differently, but the function is the same in exact arithmetic);
 * 3. merge (merge-passes.ts): a cond right after a cond on the same condition joins it (a term's
 *    forward and backward branches become one branch), and a call of a forward function whose
 *    residuals feed only a later call becomes one call of the two joined and interleaved;
 * 4. cond results read through one chain of projections narrowed to what is read
 *    (cond-results.ts: a merged cond yields fwd's `{res, ret}` where only the value is still
 *    read), then `tidy` (members of struct literals forwarded, dead code dropped: fwd and bwd
 *    are clean already, and a full `simplify` would cost as much as all the rest).
 * Invariant: the result is valid IR computing the same values and gradients as fwd then bwd.
 */
import {
  freshFuncId,
  memberInstr,
  typeTable,
  varCount,
  varTypeList,
  type Block,
  type Instr,
  type StructTy,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';
import { forEachFreeVar, forEachInstr, mapOperands } from '../ir/visit.ts';
import { AccumulatorEffects } from './accumulator-effects.ts';
import { narrowCondResults } from './cond-results.ts';
import { mergeCallPairs, mergeConds, soleLeafPath, type FusePair } from './merge-passes.ts';
import { tidy } from './tidy.ts';
import { ValueTable } from './value-table.ts';

/** Where a param of the backward function takes its value from in the joined function. */
export type BwdArg =
  /** Member `member` of the forward function's result (the residuals). */
  | { readonly from: 'result'; readonly member: number }
  /** Param `index` of the forward function (a primal param the backward pass reads again). */
  | { readonly from: 'param'; readonly index: number }
  /** A param of the joined function, after the forward function's params. */
  | { readonly from: 'own' };

/** What `interleavePasses` joins. */
export interface JoinSpec {
  readonly fwd: TransparentFunc;
  readonly bwd: TransparentFunc;
  /** One entry per param of `bwd`. */
  readonly bwdArgs: readonly BwdArg[];
  /** The member of fwd's result (a struct) that the joined function returns... */
  readonly retMember: number;
  /** ...or the part of it at these member positions. */
  readonly retPath?: readonly number[];
  readonly name: string;
}

/**
 * Return fwd and bwd joined into one function that runs bwd's instructions as early as their
 * inputs allow (see the file comment), or undefined when that moves little (see `mostlyLate`;
 * never with `always`). Its params: fwd's, then bwd's `own` ones; it returns member
 * `retMember` of fwd's result (its part at `retPath`).
 */
export function interleavePasses(spec: JoinSpec, always = false): TransparentFunc | undefined {
  if (!always && mostlyLate(spec)) return undefined;
  const joined = new Joiner(spec);
  const vars = joined.vars;
  let body = mergeConds(schedule(joined.fwdBody, joined.bwdBody, vars.length), vars);
  body = mergeCallPairs(body, vars, joined.ret, fusePair);
  body = narrowCondResults(body, vars, joined.ret);
  return tidy(joined.func(spec.name, body));
}

/**
 * Return fwd and bwd joined into one function running fwd, then bwd (step 1 of the file comment
 * only), with the params and result of `interleavePasses`.
 */
export function joinPasses(spec: JoinSpec): TransparentFunc {
  const joined = new Joiner(spec);
  return joined.func(spec.name, [...joined.fwdBody, ...joined.bwdBody]);
}

/** Memo of `fusePair`: by G, then by H's id, `p` and `k`. */
const pairMemo = new WeakMap<TransparentFunc, Map<string, TransparentFunc>>();

/** Return G and H joined and interleaved, H's param `p` bound to member `k` of G's result (memoized; see `FusePair`). */
export const fusePair: FusePair = (G, H, p, k) => {
  let byG = pairMemo.get(G);
  if (byG === undefined) pairMemo.set(G, (byG = new Map()));
  const key = `${H.id}:${p}:${k}`;
  let out = byG.get(key);
  if (out === undefined) {
    const bwdArgs: BwdArg[] = H.params.map((_, q) => (q === p ? { from: 'result', member: k } : { from: 'own' }));
    const name = G.name.replace(/^fwd_/, 'fwd_bwd_');
    const retPath = soleLeafPath((G.retType as StructTy).members[1 - k]!);
    byG.set(key, (out = interleavePasses({ fwd: G, bwd: H, bwdArgs, retMember: 1 - k, retPath, name }, true)!));
  }
  return out;
};

/** The joined function's parts: fwd's body as is, bwd's renamed into the same variable space. */
class Joiner {
  readonly vars: Ty[];
  readonly params: Var[];
  readonly fwdBody: Instr[];
  readonly bwdBody: Instr[];
  readonly ret: Var;
  /** Members of every struct literal seen so far (vars defined once, so any depth is fine). */
  private readonly literals: (readonly Var[] | undefined)[];
  /** Pure values computed at the top level. */
  private readonly values: ValueTable;
  /** For each var of bwd: the joined var replacing it (bound params, forwarded members, shared values), or -1. */
  private readonly alias: Int32Array;
  private readonly off: number;

  constructor(spec: JoinSpec) {
    const { fwd, bwd } = spec;
    this.vars = [...varTypeList(fwd), ...varTypeList(bwd)];
    this.off = varCount(fwd);
    this.literals = new Array(this.vars.length);
    this.values = new ValueTable(this.vars);
    this.alias = new Int32Array(varCount(bwd)).fill(-1);
    this.fwdBody = [...fwd.body];
    for (const i of fwd.body) {
      if (i.expr.kind === 'struct') this.literals[i.var] = i.expr.members;
      this.values.add(i);
    }
    this.params = [...fwd.params];
    spec.bwdArgs.forEach((a, k) => {
      const p = bwd.params[k]!;
      if (a.from === 'own') this.params.push(p + this.off);
      else this.alias[p] = a.from === 'param' ? fwd.params[a.index]! : this.memberOf(fwd.ret, a.member);
    });
    this.ret = [spec.retMember, ...(spec.retPath ?? [])].reduce((s, k) => this.memberOf(s, k), fwd.ret);
    this.bwdBody = this.renameBwd(bwd.body, true);
  }

  /** Return the joined function named `name` with `body` (the parts, in some order). */
  func(name: string, body: Instr[]): TransparentFunc {
    const { vars, params, ret } = this;
    return { kind: 'transparent', id: freshFuncId(), name, paramTypes: params.map((p) => vars[p]!), retType: vars[ret]!, ...typeTable(vars), params, body, ret };
  }

  /** Return a var holding member `k` of fwd's top-level `s`: a literal's member, or a new `member`. */
  private memberOf(s: Var, k: number): Var {
    const m = this.literals[s];
    if (m !== undefined) return m[k]!;
    const v = this.vars.length;
    this.vars.push((this.vars[s]! as StructTy).members[k]!);
    this.fwdBody.push(memberInstr(v, s, k));
    return v;
  }

  /**
   * Return bwd's `block` in the joined vars, with members of struct literals forwarded and the
   * values fwd computed at its top level (bwd recomputes cheap ones, unzip-recompute.ts) read
   * from fwd, so that bwd depends on the forward instructions it shares values with.
   */
  private renameBwd(block: Block, top: boolean): Instr[] {
    const out: Instr[] = [];
    const { alias, off } = this;
    const rename = (v: Var): Var => (alias[v]! >= 0 ? alias[v]! : v + off);
    for (const instr of block) {
      const v = instr.var + off;
      let e = mapOperands(instr.expr, rename, (b) => this.renameBwd(b, false));
      if (e.kind === 'for') e = { ...e, index: e.index + off };
      else if (e.kind === 'member') {
        const m = this.literals[e.struct];
        if (m !== undefined) {
          alias[instr.var] = m[e.member]!;
          continue;
        }
      } else if (e.kind === 'struct') this.literals[v] = e.members;
      const renamed = { var: v, expr: e };
      const same = this.values.find(renamed);
      if (same !== undefined) {
        alias[instr.var] = same;
        continue;
      }
      if (top) this.values.add(renamed);
      out.push(renamed);
    }
    return out;
  }
}

/**
 * The share of fwd after which a backward instruction counts as not moved: when most stay there
 * (a chain, such as a simulation's steps, whose backward pass needs the last step first),
 * interleaving would cost setup time and gain nothing.
 */
const LATE = 0.9;

/**
 * Return true when most of bwd's top-level instructions would stay in the last tenth of fwd
 * (see `schedule`), judged cheaply: without sharing values or accumulator order, which only
 * move instructions later.
 */
function mostlyLate({ fwd, bwd, bwdArgs }: JoinSpec): boolean {
  const slotOfFwd = new Int32Array(varCount(fwd)).fill(-1);
  const literals = new Map<Var, readonly Var[]>();
  fwd.body.forEach(({ var: v, expr: e }, k) => {
    slotOfFwd[v] = k;
    if (e.kind === 'struct') literals.set(v, e.members);
  });
  // for each var of bwd, the var of fwd it stands for (or -1), then its slot
  const fwdOf = new Int32Array(varCount(bwd)).fill(-1);
  bwdArgs.forEach((a, k) => {
    if (a.from === 'param') fwdOf[bwd.params[k]!] = fwd.params[a.index]!;
    else if (a.from === 'result') fwdOf[bwd.params[k]!] = literals.get(fwd.ret)?.[a.member] ?? fwd.ret;
  });
  forEachInstr(bwd.body, ({ var: v, expr: e }) => {
    if (e.kind !== 'member' || fwdOf[e.struct]! < 0) return;
    const members = literals.get(fwdOf[e.struct]!);
    if (members !== undefined) fwdOf[v] = members[e.member]!;
  });
  const slotOfBwd = new Int32Array(varCount(bwd)).fill(-1);
  const limit = fwd.body.length * LATE;
  let [late, counted] = [0, 0];
  let s = -1;
  const follow = (w: Var): void => {
    s = Math.max(s, fwdOf[w]! >= 0 ? slotOfFwd[fwdOf[w]!]! : slotOfBwd[w]!);
  };
  for (const instr of bwd.body) {
    if (fwdOf[instr.var]! >= 0) continue; // a forwarded member: no instruction
    counted += 1;
    s = -1;
    forEachFreeVar(instr, follow);
    slotOfBwd[instr.var] = s;
    if (s >= limit) late += 1;
  }
  return late * 2 > counted;
}

/**
 * Return `fwd` then `bwd` with each instruction of `bwd` moved up to just after the latest
 * instruction it must follow (see the file comment, step 2), keeping bwd's order among those
 * placed at the same point.
 */
function schedule(fwd: readonly Instr[], bwd: readonly Instr[], size: number): Instr[] {
  const slotOfVar = new Int32Array(size).fill(-1);
  const effects = new AccumulatorEffects();
  fwd.forEach((instr, k) => {
    slotOfVar[instr.var] = k;
    effects.record(instr, k);
  });
  // each backward instruction's slot: it goes after fwd[slot] (-1: before all)
  const slots = new Int32Array(bwd.length);
  const counts = new Int32Array(fwd.length + 2);
  let s = -1;
  const follow = (v: Var): void => {
    s = Math.max(s, slotOfVar[v]!);
  };
  bwd.forEach((instr, q) => {
    s = -1;
    forEachFreeVar(instr, follow);
    s = Math.max(s, effects.earliest(instr));
    slotOfVar[instr.var] = slots[q] = s;
    effects.record(instr, s);
    counts[s + 2]! += 1;
  });
  // a stable counting sort of bwd by slot, merged with fwd
  for (let s = 1; s < counts.length; s++) counts[s]! += counts[s - 1]!;
  const placed = new Array<Instr>(bwd.length);
  const placedSlot = new Int32Array(bwd.length);
  bwd.forEach((instr, q) => {
    const at = counts[slots[q]! + 1]!++;
    placed[at] = instr;
    placedSlot[at] = slots[q]!;
  });
  const out: Instr[] = [];
  let q = 0;
  for (let k = -1; k < fwd.length; k++) {
    if (k >= 0) out.push(fwd[k]!);
    while (q < placed.length && placedSlot[q] === k) out.push(placed[q++]!);
  }
  return out;
}
