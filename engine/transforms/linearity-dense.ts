/**
 * @file linearity.ts for the dense IR (ir/dense.ts): which instructions of a dense function touch
 * linear values, operand roles, empty values and dead-code removal, for the passes that read and
 * write dense functions. The definitions are those of linearity.ts; a variable is its own
 * instruction here, so there is no table of defining instructions.
 */
import { internal } from '../errors.ts';
import type { DenseBuilder } from '../ir/dense-builder.ts';
import {
  BODY,
  OP_ACCUM,
  OP_ADD,
  OP_CALL,
  OP_COND,
  OP_FIELD,
  OP_FOR,
  OP_INDEX,
  OP_LIT,
  OP_MEMBER,
  OP_NONE,
  OP_PRIM,
  OP_RESOLVE,
  OP_SELECT,
  OP_SLICE,
  OP_STRUCT,
  OP_VEC,
  OP_ZERO,
  blockVarsOf,
  opPrim,
  type DenseFunc,
} from '../ir/dense.ts';
import { PRIM_NAMES, linearShape } from '../ir/prims.ts';
import { hasTan, type Ty, type Var } from '../ir/types.ts';
import { takesRefParam, type Role } from './linearity.ts';
import type { Scratch } from './scratch.ts';

/** Facts about one dense function's variables, filled in as a pass walks it (see `visitDense`). */
export interface DenseAnalysis {
  readonly f: DenseFunc;
  /** Block depth of each variable's definition: 1 for params and the body, +1 per block. */
  readonly depth: Int32Array;
  /** 1 for each linear variable (its type holds a `tan`), else 0. */
  readonly linVar: Uint8Array;
  /** How many variables are linear. */
  readonly linearCount: number;
  /** How many variables have a struct or vec type (about one per call or loop). */
  readonly aggregates: number;
  /** Per variable, whether its instruction touches linear values: 0 not visited yet, 1 no, 2 yes. */
  readonly linear: Uint8Array;
  /** Scratch of `visitDense`: whether an operand seen so far is linear. */
  hit: boolean;
  /** Operand visitor of `visitDense`, bound once (not a closure per instruction). */
  readonly see: (x: Var) => void;
}

/** Return the empty facts of `f` (params at depth 1), arrays from `scratch`. */
export function analyzeDense(f: DenseFunc, scratch: Scratch): DenseAnalysis {
  const n = f.varTypes.length;
  const linVar = scratch.u8(n);
  const linearOf = Uint8Array.from(f.types, (t) => (hasTan(t) ? 1 : 0));
  const aggregateOf = Uint8Array.from(f.types, (t) => (t.kind === 'struct' || t.kind === 'vec' ? 1 : 0));
  let linearCount = 0;
  let aggregates = 0;
  const ids = f.varTypes;
  for (let v = 0; v < n; v++) {
    const id = ids[v]!;
    linVar[v] = linearOf[id]!;
    linearCount += linearOf[id]!;
    aggregates += aggregateOf[id]!;
  }
  const a: DenseAnalysis = {
    f,
    depth: scratch.i32(n),
    linVar,
    linearCount,
    aggregates,
    linear: scratch.u8(n),
    hit: false,
    see: (x) => {
      if (linVar[x] === 1) a.hit = true;
    },
  };
  for (const p of f.params) a.depth[p] = 1;
  return a;
}

/** Return true when the instruction of `v`, visited already, touches linear values. */
export function touchesLinearDense(a: DenseAnalysis, v: Var): boolean {
  return a.linear[v] === 2;
}

/**
 * Record the instruction of `v`, in the block at `depth`, and return true when it touches linear
 * values (a loop or cond: when an instruction of a block does; its blocks are visited here).
 */
export function visitDense(a: DenseAnalysis, v: Var, depth: number): boolean {
  const known = a.linear[v]!;
  if (known !== 0) return known === 2;
  const { f, linVar } = a;
  a.depth[v] = depth;
  const op = f.op[v]!;
  let touches = linVar[v] === 1;
  if (op >= OP_PRIM) {
    const y = f.b[v]!;
    touches ||= linVar[f.a[v]!] === 1 || (y >= 0 && linVar[y] === 1);
  } else if (op === OP_FOR) {
    a.depth[f.a[v]!] = depth + 1;
    if (visitBlock(a, f.b[v]!, depth + 1)) touches = true;
  } else if (op === OP_COND) {
    // (the condition is a bool, never linear)
    if (visitBlock(a, f.b[v]!, depth + 1)) touches = true;
    if (visitBlock(a, f.c[v]!, depth + 1)) touches = true;
  } else if (!touches) {
    a.hit = false;
    forEachRoleDense(f, v, a.see);
    touches = a.hit;
  }
  a.linear[v] = touches ? 2 : 1;
  return touches;
}

/** Visit the instructions of block `k` at `depth`; return true when one touches linear values. */
function visitBlock(a: DenseAnalysis, k: number, depth: number): boolean {
  const vars = blockVarsOf(a.f, k);
  let touches = false;
  for (let i = 0; i < vars.length; i++) if (visitDense(a, vars[i]!, depth)) touches = true;
  return touches;
}

/** 1 for the opcode of each primitive taking a tangent and a real (`mul(dx, y)`, `div(dx, y)`). */
const TR_OPS = Uint8Array.from({ length: 256 }, (_, op) =>
  op >= OP_PRIM && op - OP_PRIM < PRIM_NAMES.length && linearShape(opPrim(op)) === 'tr' ? 1 : 0,
);

/** Return true when opcode `op` is a primitive whose right operand is primal (`mul`, `div`). */
export function isTrOp(op: number): boolean {
  return TR_OPS[op] === 1;
}

/** Call `fn` on each operand of instruction `v` (not a loop or cond) with its role. */
export function forEachRoleDense(f: DenseFunc, v: Var, fn: (x: Var, role: Role) => void): void {
  const op = f.op[v]!;
  const a = f.a[v]!;
  const b = f.b[v]!;
  if (op >= OP_PRIM) {
    fn(a, 'part');
    // in `mul(dx, y)` and `div(dx, y)` the right operand is primal
    if (b >= 0) fn(b, isTrOp(op) ? 'nonlin' : 'part');
    return;
  }
  switch (op) {
    case OP_INDEX:
    case OP_SLICE:
      fn(a, 'part');
      return fn(b, 'nonlin');
    case OP_SELECT:
      fn(a, 'nonlin');
      fn(b, 'part');
      return fn(f.c[v]!, 'part');
    case OP_VEC:
    case OP_STRUCT:
      for (let k = a; k < a + b; k++) fn(f.lists[k]!, 'part');
      return;
    case OP_CALL:
      for (let k = b; k < b + f.c[v]!; k++) fn(f.lists[k]!, 'part');
      return;
    case OP_MEMBER:
    case OP_FIELD:
    case OP_RESOLVE:
    case OP_ACCUM:
      return fn(a, 'part');
    case OP_ADD:
      fn(a, 'part');
      return fn(b, 'part');
    case OP_LIT:
    case OP_ZERO:
      return;
    default:
      return internal(`forEachRole of opcode ${op} of %${v} in ${f.name} (blocks are the pass's)`);
  }
}

/** Call `fn` on each operand of instruction `v` (not a loop or cond). */
export function forEachOperandDense(f: DenseFunc, v: Var, fn: (x: Var) => void): void {
  forEachRoleDense(f, v, fn);
}

/**
 * Put into `b` instruction `v` of `f` (not a loop or cond) as variable `w` (declared), each
 * operand x replaced by `fn(x, role)`; appended to the innermost block unless `place` is false.
 */
export function putMapped(
  b: DenseBuilder,
  f: DenseFunc,
  v: Var,
  w: Var,
  fn: (x: Var, role: Role) => Var,
  place = true,
): void {
  const op = f.op[v]!;
  const a = f.a[v]!;
  const x = f.b[v]!;
  if (op >= OP_PRIM) {
    const right: Role = isTrOp(op) ? 'nonlin' : 'part';
    putIn(b, place, w, op, fn(a, 'part'), x >= 0 ? fn(x, right) : -1);
    return;
  }
  switch (op) {
    case OP_LIT:
      if (place) b.defineLit(w, f.lits[a]!);
      else b.putLit(w, f.lits[a]!);
      return;
    case OP_ZERO:
      putIn(b, place, w, OP_ZERO, -1);
      return;
    case OP_VEC:
    case OP_STRUCT:
    case OP_CALL: {
      const start = op === OP_CALL ? x : a;
      const n = op === OP_CALL ? f.c[v]! : x;
      const vars = new Array<Var>(n);
      for (let k = 0; k < n; k++) vars[k] = fn(f.lists[start + k]!, 'part');
      if (op === OP_CALL) b.putCall(w, f.funcs[a]!, vars, place);
      else if (op === OP_VEC) b.putList(w, OP_VEC, vars, place);
      else b.putList(w, OP_STRUCT, vars, place);
      return;
    }
    case OP_INDEX:
    case OP_SLICE:
      putIn(b, place, w, op, fn(a, 'part'), fn(x, 'nonlin'));
      return;
    case OP_MEMBER:
    case OP_FIELD:
      putIn(b, place, w, op, fn(a, 'part'), x);
      return;
    case OP_SELECT:
      putIn(b, place, w, op, fn(a, 'nonlin'), fn(x, 'part'), fn(f.c[v]!, 'part'));
      return;
    case OP_ACCUM:
    case OP_RESOLVE:
      putIn(b, place, w, op, fn(a, 'part'));
      return;
    case OP_ADD:
      putIn(b, place, w, op, fn(a, 'part'), fn(x, 'part'));
      return;
    default:
      internal(`putMapped of opcode ${op} of %${v} in ${f.name} (blocks are the pass's)`);
  }
}

/** `b.define` when `place`, else `b.put` (see `putMapped`). */
function putIn(b: DenseBuilder, place: boolean, w: Var, op: number, a: number, x = -1, c = -1): void {
  if (place) b.define(w, op, a, x, c);
  else b.put(w, op, a, x, c);
}

/**
 * Put into `b` the instructions of the value of empty type `t` as `v` when given (else a fresh
 * variable), in no block: a `zero`, or for a ref a `zero` and an `accum` of it. Return their
 * variables, the value's last.
 */
export function putEmpty(b: DenseBuilder, t: Ty, v?: Var): Var[] {
  if (t.kind !== 'ref') return [b.put(v ?? b.fresh(t), OP_ZERO, -1)];
  if (t.inner.kind === 'ref') return internal('ref of a ref');
  const shape = b.put(b.fresh(t.inner), OP_ZERO, -1);
  return [shape, b.put(v ?? b.fresh(t), OP_ACCUM, shape)];
}

/** Emit into `b`'s current block the value of empty type `t` (see `putEmpty`); return it. */
export function emitEmptyDense(b: DenseBuilder, t: Ty): Var {
  if (t.kind !== 'ref') return b.zero(t);
  if (t.inner.kind === 'ref') return internal('ref of a ref');
  return b.accum(b.zero(t.inner));
}

/**
 * The zeros of a dense function shared by all their uses, one per type (not a ref): each made
 * on first use, its variable pushed to `top`, which the caller places at the function's start so
 * it dominates every use.
 */
export class SharedDenseZeros {
  readonly #b: DenseBuilder;
  readonly #top: Var[];
  readonly #byType = new Map<Ty, Var>();

  /** Share zeros of `b`'s function, their variables collected in `top` (placed by the caller). */
  constructor(b: DenseBuilder, top: Var[]) {
    this.#b = b;
    this.#top = top;
  }

  /** Return the shared zero of `t`, made on first use. */
  of(t: Ty): Var {
    let z = this.#byType.get(t);
    if (z === undefined) {
      z = this.#b.put(this.#b.fresh(t), OP_ZERO, -1);
      this.#top.push(z);
      this.#byType.set(t, z);
    }
    return z;
  }
}

/**
 * Return true when instruction `v` of `f` may change an accumulator: an `add`, a call passing a
 * ref, a loop or cond with one of those in a block (see `hasEffect`).
 */
export function hasEffectDense(f: DenseFunc, v: Var): boolean {
  switch (f.op[v]) {
    case OP_ADD:
      return true;
    case OP_CALL:
      return takesRefParam(f.funcs[f.a[v]!]!);
    case OP_FOR:
      return blockHasEffect(f, f.b[v]!);
    case OP_COND:
      return blockHasEffect(f, f.b[v]!) || blockHasEffect(f, f.c[v]!);
    default:
      return false;
  }
}

/** Return true when an instruction of block `k` of `f` may change an accumulator. */
function blockHasEffect(f: DenseFunc, k: number): boolean {
  const vars = blockVarsOf(f, k);
  for (let i = 0; i < vars.length; i++) if (hasEffectDense(f, vars[i]!)) return true;
  return false;
}

/**
 * Return `f` without instructions whose results are unused and that have no effect on an
 * accumulator (see `prune`); `mayHaveDead` false skips the walk.
 */
export function pruneDense(f: DenseFunc, mayHaveDead = true, scratch?: Scratch): DenseFunc {
  if (!mayHaveDead) return f;
  const n = f.varTypes.length;
  const live = scratch?.u8(n) ?? new Uint8Array(n);
  live[f.ret] = 1;
  const mark = (x: Var): void => {
    live[x] = 1;
  };
  if (!decideLive(f, live, mark, BODY)) return f;
  // blocks keep their ids; each one's variables are filtered into a new pool
  const count = f.blockStart.length;
  const blockStart = new Int32Array(count);
  const blockLength = new Int32Array(count);
  const pool = new Int32Array(f.blockVars.length);
  let at = 0;
  for (let k = 0; k < count; k++) {
    blockStart[k] = at;
    const vars = blockVarsOf(f, k);
    for (let i = 0; i < vars.length; i++) if (live[vars[i]!] === 1) pool[at++] = vars[i]!;
    blockLength[k] = at - blockStart[k]!;
  }
  return { ...f, blockStart, blockLength, blockVars: pool.subarray(0, at) };
}

/**
 * Mark the results of block `k`'s kept instructions (and, through `mark`, their operands) live,
 * backwards; return true when one is dead.
 */
function decideLive(f: DenseFunc, live: Uint8Array, mark: (x: Var) => void, k: number): boolean {
  let dead = false;
  const vars = blockVarsOf(f, k);
  for (let i = vars.length - 1; i >= 0; i--) {
    const v = vars[i]!;
    if (live[v] === 0 && !hasEffectDense(f, v)) {
      dead = true;
      continue;
    }
    live[v] = 1;
    const op = f.op[v]!;
    if (op === OP_FOR) {
      const body = f.b[v]!;
      live[f.blockRet[body]!] = 1;
      if (decideLive(f, live, mark, body)) dead = true;
    } else if (op === OP_COND) {
      const then = f.b[v]!;
      const els = f.c[v]!;
      live[f.a[v]!] = live[f.blockRet[then]!] = live[f.blockRet[els]!] = 1;
      if (decideLive(f, live, mark, then)) dead = true;
      if (decideLive(f, live, mark, els)) dead = true;
    } else if (op !== OP_NONE) forEachRoleDense(f, v, mark);
  }
  return dead;
}
