/**
 * @file Accumulator analysis for wasm codegen (part of the plan, codegen-plan.ts): which
 * `ref<real>` accumulators live in f64 locals, where they start, which resolves may return their
 * storage without a copy, and which calls pass aliased accumulators.
 */
import type { Block, Func, Var } from '../ir/types.ts';
import { isLeaf, varCount } from '../ir/types.ts';
import { isZeroSize } from './layout.ts';
import { YIELD } from './liveness.ts';
import type { FuncPlan } from './codegen-plan.ts';

/** What the reads tell about accumulators. */
interface AccFacts {
  /** Per root: the last position (with the loop rule) where its family is read (-1: never). */
  readonly familyLast: Int32Array;
  /** Accumulators read in more than one unit (these live in memory). */
  readonly crossRef: Uint8Array;
  /** Per new `ref<real>`: the instruction of its block that first reads it. */
  readonly sinkAt: Map<Var, Var>;
}

/**
 * Find accumulator roots (an `accum` or a parameter, through slices and fields), the
 * `ref<real>` accumulators held as f64 values (an inout param, or a new one whose reads all
 * happen in one unit: it then starts at 0 just before its first reader, since transpose creates
 * them all up front), the resolves that may alias their storage (no add of the family follows),
 * and the calls needing the `ptr` variant; also count each variable's reads.
 */
export function planAccumulators(plan: FuncPlan): void {
  findRoots(plan);
  const facts = scanReads(plan);
  plan.shape.f.params.forEach((p, k) => {
    if (plan.abi.params[k] === 'inout' && !facts.crossRef[p]) plan.localAcc[p] = 1;
  });
  decide(plan, plan.shape.f.body, facts);
}

/** Set `plan.root` of every ref: itself for params and `accum`s, the parent's for slices and fields. */
function findRoots(plan: FuncPlan): void {
  const s = plan.shape;
  for (const p of s.f.params) if (s.ty(p).kind === 'ref') plan.root[p] = p;
  const walk = (block: Block): void => {
    for (let k = 0; k < block.length; k++) {
      const { var: v, expr: e } = block[k]!;
      if (!plan.needed[v]) continue;
      if (e.kind === 'accum') plan.root[v] = v;
      else if (e.kind === 'slice' || e.kind === 'field') plan.root[v] = plan.root[e.ref]!;
      else if (e.kind === 'for') walk(e.body);
      else if (e.kind === 'cond') walk(e.then), walk(e.els);
    }
  };
  walk(s.f.body);
}

/** Return true when `v` is a `ref<real>` (or `ref<tan>`). */
export function isRealRef(plan: FuncPlan, v: Var): boolean {
  const t = plan.shape.ty(v);
  return t.kind === 'ref' && (t.inner.kind === 'real' || t.inner.kind === 'tan');
}

/**
 * Record each variable's reads and readers in `plan`, and collect the accumulator facts. One
 * loop over the shape's read table, skipping the reads that do not happen (see `FuncPlan.reads`),
 * with no callback per read (which costs while V8 has not optimized this code yet); reads of
 * accumulators go to `refRead`.
 */
function scanReads(plan: FuncPlan): AccFacts {
  const s = plan.shape;
  const n = varCount(s.f);
  const facts: ScanState = {
    familyLast: new Int32Array(n).fill(-1),
    crossRef: new Uint8Array(n),
    sinkPos: new Int32Array(n).fill(0x7fffffff),
    sinkAt: new Map<Var, Var>(),
    useUnit: new Int32Array(n).fill(-1),
  };
  const { rX, rUser, rPos, rBlock, rK } = s;
  const { needed, used, reads, reader, readerAt, readerBlock, readerUnit, readElsewhere, root } = plan;
  const unitOf = plan.units.unitOf;
  for (let i = 0; i < rX.length; i++) {
    const user = rUser[i]!;
    if (user >= 0 && (!needed[user] || (rK[i] === YIELD && !used[user]))) continue;
    const x = rX[i]!;
    const unit = user >= 0 ? unitOf[user]! : 0;
    reads[x]!++;
    reader[x] = user;
    readerAt[x] = rPos[i]!;
    readerBlock[x] = rBlock[i]!;
    readerUnit[x] = unit;
    if (unit !== unitOf[x]) readElsewhere[x] = 1;
    if (root[x]! >= 0) refRead(plan, facts, i, unit);
  }
  for (const [x, ins] of facts.sinkAt) if (unitOf[ins] !== facts.useUnit[x]) facts.crossRef[x] = 1;
  return facts;
}

/** `scanReads`' working state: the facts, and per new `ref<real>` its first read and unit. */
interface ScanState extends AccFacts {
  readonly sinkPos: Int32Array;
  readonly useUnit: Int32Array;
}

/** Record read `i` (of the shape's read table, by a reader in `unit`) of an accumulator. */
function refRead(plan: FuncPlan, facts: ScanState, i: number, unit: number): void {
  const s = plan.shape;
  const x = s.rX[i]!;
  const user = s.rUser[i]!;
  const pos = s.rPos[i]!;
  const block = s.rBlock[i]!;
  const r = plan.root[x]!;
  plan.refReads.push(i);
  const last = s.extend(r, pos, block);
  if (last > facts.familyLast[r]!) facts.familyLast[r] = last;
  if (s.def[x]?.kind !== 'accum' || !isRealRef(plan, x)) {
    if (unit !== plan.unitOf(x)) facts.crossRef[x] = 1;
    return;
  }
  // the instruction of x's block containing this read (a loop or cond, if the read is in a block of it)
  let ins = user;
  let p = pos;
  if (block !== s.block[x]) {
    for (ins = block; s.block[ins] !== s.block[x]; ins = s.block[ins]!);
    ins = s.instrOf(ins);
    p = s.forStart[ins]!;
  }
  if (p < facts.sinkPos[x]!) (facts.sinkPos[x] = p), facts.sinkAt.set(x, ins);
  const u = facts.useUnit[x]!;
  if (u < 0) facts.useUnit[x] = unit;
  else if (u !== unit) facts.crossRef[x] = 1;
}

/** Decide, per instruction of `block`: f64-held new accumulators, aliasing resolves, call modes. */
function decide(plan: FuncPlan, block: Block, facts: AccFacts): void {
  const s = plan.shape;
  for (let k = 0; k < block.length; k++) {
    const { var: v, expr: e } = block[k]!;
    if (!plan.needed[v]) continue;
    if (e.kind === 'for') decide(plan, e.body, facts);
    else if (e.kind === 'cond') decide(plan, e.then, facts), decide(plan, e.els, facts);
    else if (e.kind === 'accum') {
      const at = facts.sinkAt.get(v);
      if (at === undefined || facts.crossRef[v]) continue;
      plan.localAcc[v] = 1;
      plan.startsBefore.set(v, at);
      let list = plan.startAt.get(at);
      if (list === undefined) plan.startAt.set(at, (list = []));
      list.push(v);
    } else if (e.kind === 'resolve') {
      const r = plan.root[e.ref]!;
      const t = s.ty(v);
      if (isLeaf(t) || isZeroSize(t)) continue;
      // the storage itself, unless the caller may still add (a param) or adds may follow
      const final = s.def[r] !== undefined && facts.familyLast[r]! <= s.pos[v]!;
      if (final) plan.derived[v] = { base: e.ref, off: 0 };
      else plan.site[v] = 'copy';
    } else if (e.kind === 'call' && e.func.kind === 'transparent') callModes(plan, v, e.func, e.args);
  }
}

/**
 * Call the `ptr` variant of `g` when an accumulator passed inout also reaches `g` through
 * another argument (the same one twice, a slice and its parent, or two params, which may alias).
 */
function callModes(plan: FuncPlan, v: Var, g: Func, args: readonly Var[]): void {
  const abi = plan.ctx.abiOf(g);
  if (abi.inout.length === 0) return;
  // the alias class of each accumulator argument (-1: none), computed once per argument
  const keys = new Array<number>(args.length);
  for (let j = 0; j < args.length; j++) {
    const r = plan.root[args[j]!]!;
    keys[j] = r >= 0 && abi.params[j] !== 'none' ? aliasClass(plan, r) : -1;
  }
  for (const k of abi.inout) {
    const mine = keys[k]!;
    if (mine === -1) continue;
    for (let j = 0; j < args.length; j++) if (j !== k && keys[j] === mine) return void plan.ptrCalls.set(v, new Map());
  }
}

/** Alias class of the accumulators passed as pointers by the caller (they may overlap). */
const CALLER_POINTERS = -2;

/**
 * Return the alias class of accumulator root `r`: itself, or `CALLER_POINTERS` for every
 * pointer received from the caller (those may alias each other; f64-held and local
 * accumulators do not, nor do fresh ones, new storage of the caller's passed nowhere else).
 */
export function aliasClass(plan: FuncPlan, r: Var): number {
  if (plan.shape.def[r] !== undefined) return r;
  const k = plan.shape.f.params.indexOf(r);
  return plan.abi.params[k] === 'i32' && plan.freshParams?.[k] !== 1 ? CALLER_POINTERS : r;
}
