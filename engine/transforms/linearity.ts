/**
 * @file Linearity terms shared by the passes, and what the passes on the object IR still use of
 * them: operand roles, empty values, effects on accumulators, and dead-code removal. (`unzip`
 * and `transpose` read the dense IR: their analysis is in linearity-dense.ts.)
 *
 * A variable is *linear* when its type holds a `tan` (`hasTan`), *nonlinear* otherwise; after
 * `unzip` every linear variable of `lin` is purely linear (only `tan` and `unit` leaves). An
 * instruction *touches linear values* when its result, an operand, or (for a loop or a cond) an
 * instruction of its body is linear; every other instruction is plain primal computation.
 */
import { internal } from '../errors.ts';
import type { FuncBuilder } from '../ir/builder.ts';
import type { Callee } from '../ir/dense.ts';
import type { Scratch } from './scratch.ts';
import {
  accumInstr,
  varCount,
  zeroInstr,
  type Block,
  type Expr,
  type Instr,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';

/** The expression of kind `K` (re-exported for the passes). */
export type { ExprOf } from '../ir/types.ts';

/**
 * How an expression uses an operand: `part` operands are split like the result (the linear part
 * of a struct member, a vec element, a ref...); `nonlin` operands are always primal (a select's
 * condition, an index, the right operand of `mul(dx, y)`).
 */
export type Role = 'part' | 'nonlin';

/**
 * Return the instructions that compute the value of empty type `t` (only unit leaves), with the
 * variable holding it last (`v` when given, else a fresh one): a `zero`, or for a ref type a
 * `zero` and an `accum` of it.
 */
export function emptyValue(b: FuncBuilder, t: Ty, v?: Var): Instr[] {
  if (t.kind !== 'ref') return [zeroInstr(v ?? b.fresh(t))];
  if (t.inner.kind === 'ref') return internal('ref of a ref');
  const shape = b.fresh(t.inner);
  return [zeroInstr(shape), accumInstr(v ?? b.fresh(t), shape)];
}

/** Emit into `b`'s current block the value of empty type `t` (see `emptyValue`); return it. */
export function emitEmpty(b: FuncBuilder, t: Ty): Var {
  const instrs = emptyValue(b, t);
  for (const instr of instrs) b.append(instr);
  return instrs[instrs.length - 1]!.var;
}

/** Functions with a ref parameter (a call passes a ref exactly where the callee takes one). */
const takesRef = new WeakMap<Callee, boolean>();

/** Return true when `func` (of either IR) has a ref parameter (memoized). */
export function takesRefParam(func: Callee): boolean {
  let r = takesRef.get(func);
  if (r === undefined) {
    r = func.paramTypes.some((t) => t.kind === 'ref');
    takesRef.set(func, r);
  }
  return r;
}

/**
 * Return true when `e` may change an accumulator: an `add`, a call passing a ref, or a loop with
 * one of those in its body (`prune` keeps such instructions whether or not their result is read).
 */
export function hasEffect(e: Expr): boolean {
  // one switch: each `e.kind` of an if-chain would be a load of its own, through V8's
  // megamorphic cache (expressions of many shapes)
  switch (e.kind) {
    case 'add':
      return true;
    case 'call':
      return takesRefParam(e.func);
    case 'for':
      return blockHasEffect(e.body);
    case 'cond':
      return blockHasEffect(e.then) || blockHasEffect(e.els);
    default:
      return false;
  }
}

/** Return true when an instruction of `block` may change an accumulator (see `hasEffect`). */
function blockHasEffect(block: Block): boolean {
  for (let k = 0; k < block.length; k++) if (hasEffect(block[k]!.expr)) return true;
  return false;
}

/**
 * Return `f` without instructions whose results are unused and that have no effect on an
 * accumulator (dead code left by splitting: e.g. a primal only the linear part needed).
 * Liveness is decided in one backward walk; blocks are rebuilt only when something is dead.
 * `mayHaveDead` false (every instruction's result is read: see `Uses`) skips the walk.
 */
export function prune(f: TransparentFunc, mayHaveDead = true, scratch?: Scratch): TransparentFunc {
  if (!mayHaveDead) return f;
  const live = scratch?.u8(varCount(f)) ?? new Uint8Array(varCount(f));
  live[f.ret] = 1;
  if (!decideLive(live, f.body)) return f;
  const body = sweepLive(live, f.body);
  return body === f.body ? f : { ...f, body };
}

/**
 * Mark the results of `block`'s kept instructions (and their operands) live, backwards; return
 * true when one is dead. Direct loops and calls: a function has thousands of small blocks.
 */
function decideLive(live: Uint8Array, block: Block): boolean {
  let dead = false;
  for (let k = block.length - 1; k >= 0; k--) {
    const instr = block[k]!;
    const e = instr.expr;
    if (live[instr.var] === 0 && !hasEffect(e)) {
      dead = true;
      continue;
    }
    live[instr.var] = 1;
    if (e.kind === 'for') {
      live[e.ret] = 1;
      if (decideLive(live, e.body)) dead = true;
    } else if (e.kind === 'cond') {
      live[e.cond] = live[e.thenRet] = live[e.elsRet] = 1;
      if (decideLive(live, e.then)) dead = true;
      if (decideLive(live, e.els)) dead = true;
    } else markOperands(live, e);
  }
  return dead;
}

/** Mark the operands of `e` (not a block expression) live. */
function markOperands(live: Uint8Array, e: Expr): void {
  switch (e.kind) {
    case 'lit':
    case 'zero':
      return;
    case 'vec':
      for (let i = 0; i < e.elems.length; i++) live[e.elems[i]!] = 1;
      return;
    case 'struct':
      for (let i = 0; i < e.members.length; i++) live[e.members[i]!] = 1;
      return;
    case 'prim':
      live[e.x] = 1;
      if (e.y >= 0) live[e.y] = 1;
      return;
    case 'call':
      for (let i = 0; i < e.args.length; i++) live[e.args[i]!] = 1;
      return;
    case 'index':
      live[e.vec] = live[e.index] = 1;
      return;
    case 'member':
      live[e.struct] = 1;
      return;
    case 'slice':
      live[e.ref] = live[e.index] = 1;
      return;
    case 'field':
    case 'resolve':
      live[e.ref] = 1;
      return;
    case 'select':
      live[e.cond] = live[e.then] = live[e.els] = 1;
      return;
    case 'accum':
      live[e.shape] = 1;
      return;
    case 'add':
      live[e.ref] = live[e.addend] = 1;
      return;
    case 'cond':
    case 'for':
      return internal('markOperands of a block expression (prune handles blocks itself)');
  }
}

/** Return `block` with only the instructions whose results are live; copied on its first change. */
function sweepLive(live: Uint8Array, block: Block): Block {
  let kept: Instr[] | undefined;
  for (let k = 0; k < block.length; k++) {
    const instr = block[k]!;
    if (live[instr.var] === 0) {
      kept ??= block.slice(0, k);
      continue;
    }
    const e = instr.expr;
    let next = instr;
    if (e.kind === 'for') {
      const body = sweepLive(live, e.body);
      if (body !== e.body) next = { var: instr.var, expr: { ...e, body } };
    } else if (e.kind === 'cond') {
      const then = sweepLive(live, e.then);
      const els = sweepLive(live, e.els);
      if (then !== e.then || els !== e.els) next = { var: instr.var, expr: { ...e, then, els } };
    }
    if (next !== instr) kept ??= block.slice(0, k);
    kept?.push(next);
  }
  return kept ?? block;
}
