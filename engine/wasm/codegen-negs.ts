/**
 * @file Negations folded into sums (part of the plan, codegen-plan.ts).
 *
 * Transposition turns every subtraction into a negation and an addition, and every product with
 * a negated factor into `neg`-then-`mul`: in unrolled code each `f64.neg` costs two machine
 * instructions (a constant load and an xor). These rewrites drop them, exactly:
 * - `a + -b` is `a - b`, `-b + a` is `a - b`, `a - -b` is `a + b`;
 * - `-y * z` and `y * -z` are `-(y * z)` (rounding is symmetric).
 *
 * A value in "negative form" is one whose negation is available for free: an inlined `neg y`,
 * an inlined product with a negated factor, or a negated local. A negated local is a value
 * `neg y` or `neg y * z` (or `y * neg z`) kept in a local or spill slot and computed without the
 * negation, because every read of it absorbs the sign: it is the addend of an add into a
 * `ref<real>`, an operand of a scalar `add`, the subtrahend of a `sub`, or a factor of an
 * inlined product that is itself so read. The code of those readers (codegen-prims.ts `add`,
 * `sub`; codegen-instrs.ts `addTerm`) then subtracts instead of adding, or adds instead of
 * subtracting.
 *
 * Every other operand of such a reader is pushed as it is, so it must not be a negated local
 * itself: `planNegations` pins those operands.
 */
import { varCount, type Var } from '../ir/types.ts';
import { isRealRef } from './codegen-accs.ts';
import type { FuncPlan } from './codegen-plan.ts';
import { YIELD } from './liveness.ts';

/**
 * Find the negated locals of `plan` (see the file comment) and mark them in `plan.negated`.
 * Variables are decided from the last to the first, so a value's readers are decided first.
 */
export function planNegations(plan: FuncPlan): void {
  const s = plan.shape;
  const n = varCount(s.f);
  let candidates: Uint8Array | undefined;
  for (let v = 0; v < n; v++) if (isCandidate(plan, v)) (candidates ??= new Uint8Array(n))[v] = 1;
  if (candidates === undefined) return;
  // the reads of each candidate that happen (see `FuncPlan.reads`), as linked lists of read-table indices
  const { rX, rUser, rK } = s;
  const head = new Int32Array(n).fill(-1);
  const next = new Int32Array(rX.length);
  const count = new Int32Array(n);
  const { needed, used } = plan;
  for (let i = 0; i < rX.length; i++) {
    const x = rX[i]!;
    if (!candidates[x]) continue;
    const u = rUser[i]!;
    if (u >= 0 && (!needed[u] || (rK[i] === YIELD && !used[u]))) continue;
    next[i] = head[x]!;
    head[x] = i;
    count[x]!++;
  }
  const negated = new Uint8Array(n);
  const pinned = new Uint8Array(n);
  const pins: Var[] = [];
  let any = false;
  for (let x = n - 1; x >= 0; x--) {
    if (!candidates[x] || pinned[x] || count[x] !== plan.reads[x]) continue;
    pins.length = 0;
    let all = true;
    for (let i = head[x]!; i >= 0 && all; i = next[i]!) all = absorbs(plan, rUser[i]!, x, negated, pins, true);
    if (!all) continue;
    negated[x] = 1;
    any = true;
    for (let k = 0; k < pins.length; k++) pinned[pins[k]!] = 1;
  }
  if (any) plan.negated = negated;
}

/** Return true when `x` is a real `neg y` or `neg y * z` kept in a local or spill slot. */
function isCandidate(plan: FuncPlan, x: Var): boolean {
  const e = plan.shape.def[x];
  if (e?.kind !== 'prim' || (e.prim !== 'neg' && e.prim !== 'mul')) return false;
  const k = plan.home[x]!.k;
  if ((k !== 'local' && k !== 'spill') || plan.early[x] !== undefined || plan.reads[x] === 0) return false;
  return e.prim === 'neg' || innerNeg(plan, e.x) >= 0 || innerNeg(plan, e.y) >= 0;
}

/**
 * Return true when instruction `user` takes the sign of its operand `x` for free (see the file
 * comment), given the negated locals decided so far; push onto `pins` the operands it then reads
 * as they are. `viaProduct` allows one inlined product in between.
 */
function absorbs(plan: FuncPlan, user: Var, x: Var, negated: Uint8Array, pins: Var[], viaProduct: boolean): boolean {
  const s = plan.shape;
  const e = user >= 0 ? s.def[user] : undefined;
  if (e === undefined) return false;
  if (e.kind === 'add') return e.addend === x && e.ref !== x && isRealRef(plan, e.ref);
  if (e.kind !== 'prim' || e.y < 0) return false;
  const { x: a, y: b } = e;
  if (a === b) return false;
  switch (e.prim) {
    case 'add':
      if (b === x) return pin(a, negated, pins);
      // `-x + b` is `b - x` only when `b` has no negative form of its own (it would go first)
      return !mayBeNegative(plan, b);
    case 'sub':
      return b === x && pin(a, negated, pins);
    case 'mul': {
      const other = a === x ? b : a;
      if (!viaProduct || plan.home[user]!.k !== 'inline' || mayBeNegative(plan, other)) return false;
      return pin(other, negated, pins) && absorbs(plan, plan.reader[user]!, user, negated, pins, false);
    }
    default:
      return false;
  }
}

/** Pin `v` (it will be read as it is): false when it is negated already. */
function pin(v: Var, negated: Uint8Array, pins: Var[]): boolean {
  if (negated[v]) return false;
  pins.push(v);
  return true;
}

/** Return true when `v` is a `neg` or a product, so it may end up in negative form. */
function mayBeNegative(plan: FuncPlan, v: Var): boolean {
  const e = plan.shape.def[v];
  return e?.kind === 'prim' && (e.prim === 'neg' || e.prim === 'mul');
}

/** Return true when `x` is in negative form: a negated local, or an inlined negation (see positiveOf). */
export function isNegativeForm(plan: FuncPlan, x: Var): boolean {
  if (plan.negated?.[x] === 1) return true;
  const e = plan.shape.def[x];
  if (e?.kind !== 'prim' || plan.home[x]!.k !== 'inline') return false;
  if (e.prim === 'neg') return true;
  return e.prim === 'mul' && positiveOf(plan, x) !== undefined;
}

/**
 * Return the operands whose product (or the one operand) is the negation of `x`: `[y]` for
 * `x = neg y`, `[y, z]` for `x = neg y * z` or `y * neg z` with the negation computed in place,
 * or with `y` a negated local (pushing it pushes its positive value); undefined otherwise.
 */
export function positiveOf(plan: FuncPlan, x: Var): readonly Var[] | undefined {
  const e = plan.shape.def[x];
  if (e?.kind !== 'prim') return undefined;
  if (e.prim === 'neg') return [e.x];
  if (e.prim !== 'mul') return undefined;
  const { x: y, y: z } = e;
  const ny = innerNeg(plan, y);
  if (ny >= 0) return [ny, z];
  const nz = innerNeg(plan, z);
  if (nz >= 0) return [y, nz];
  const negated = plan.negated;
  if (negated === undefined || y === z) return undefined;
  return negated[y] === 1 || negated[z] === 1 ? [y, z] : undefined;
}

/** Return `y` when `a` is an inlined `neg y`, else -1. */
function innerNeg(plan: FuncPlan, a: Var): Var {
  if (plan.home[a]!.k !== 'inline') return -1;
  const d = plan.shape.def[a];
  return d?.kind === 'prim' && d.prim === 'neg' ? d.x : -1;
}
