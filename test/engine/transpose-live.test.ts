/**
 * @file Regression tests for how long the backward pass keeps real values live (what compiled
 * code has to hold in registers or spill): a value read in many places sums its cotangent as the
 * contributions arrive (running sums), and the nonlinear values a block's transpose needs
 * (residual reads, elements, arithmetic) are copied next to their use rather than all at the
 * start of the block. Both keep the live set of a straight-line backward pass small however long
 * the program is; gradients stay equal to finite differences.
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, fn, grad, interp, mul, sin, sub, type Real as RealValue } from '../../engine/index.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { forEachOperand } from '../../engine/ir/visit.ts';
import { vjpFuncs } from '../../engine/transforms/vjp.ts';
import { centralGradient } from '../helpers/gradcheck.ts';
import {
  REAL,
  TAN,
  varTypeList,
  type Block,
  type TransparentFunc,
  type Var,
} from '../../engine/ir/types.ts';

/** Return the backward pass of `f`. */
function bwdOf(f: unknown): TransparentFunc {
  return vjpFuncs(funcOf(f, 'test')).bwd as TransparentFunc;
}

/** Call `fn` on every var instruction `k` of `block` reads (a loop: all its body reads). */
function forEachRead(block: Block, k: number, fn: (v: Var) => void): void {
  const e = block[k]!.expr;
  if (e.kind !== 'for') return forEachOperand(e, fn);
  fn(e.ret);
  for (let j = 0; j < e.body.length; j++) forEachRead(e.body, j, fn);
}

/**
 * Return the most real values of `f`'s body live at once: defined by a top-level instruction (not
 * a literal) and read by a later one (or returned).
 */
function maxLiveReals(f: TransparentFunc): number {
  const body = f.body;
  const lastRead = new Map<Var, number>();
  for (let k = 0; k < body.length; k++) forEachRead(body, k, (v) => lastRead.set(v, k));
  lastRead.set(f.ret, body.length);
  let live = 0;
  let most = 0;
  const ending = new Map<number, number>();
  for (let k = 0; k < body.length; k++) {
    live -= ending.get(k) ?? 0;
    const { var: v, expr } = body[k]!;
    const t = varTypeList(f)[v];
    if (expr.kind === 'lit') continue; // a constant: compiled code needs no register for it
    const last = lastRead.get(v);
    if ((t === REAL || t === TAN) && last !== undefined && last > k) {
      live++;
      ending.set(last, (ending.get(last) ?? 0) + 1);
    }
    most = Math.max(most, live);
  }
  return most;
}

/** Expect the gradient of `f` at `x` to match central differences. */
function expectGradient(f: unknown, x: number[]): void {
  const value = interp(f as never) as unknown as (x: number[]) => number;
  const g = (interp(grad(f as never)) as unknown as (x: number[]) => number[])(x);
  centralGradient(value, x).forEach((d, k) => expect(g[k]).toBeCloseTo(d, 5));
}

/** A pairwise energy: `x_i` is read once, then used by every pair (i, j > i). */
function pairwise(n: number) {
  return fn([Vec(n, Real)], Real, (x) => {
    let e: RealValue = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[i]!;
      for (let j = i + 1; j < n; j++) {
        const d = sub(xi, x[j]!);
        e = add(e, mul(d, d));
      }
    }
    return e;
  });
}

/** A chain whose backward pass needs two residuals per step (the sine's cosine, the product's operand). */
function chain(steps: number) {
  return fn([Vec(4, Real)], Real, (x) => {
    let acc: RealValue = x[0]!;
    for (let k = 0; k < steps; k++) acc = mul(acc, sin(add(x[k % 4]!, acc)));
    return acc;
  });
}

describe('live values of the backward pass', () => {
  it('sums the cotangent of a value read many times as its contributions arrive', () => {
    // without running sums, the n - 1 - i contributions of x_i stay live until its read
    for (const n of [12, 40]) expect(maxLiveReals(bwdOf(pairwise(n)))).toBeLessThanOrEqual(8);
    expectGradient(pairwise(6), [0.3, -1.2, 0.7, 2.1, -0.4, 1.5]);
  });

  it('copies the residuals a block needs next to their use, not all at its start', () => {
    // without it, every residual is read at the start of the backward pass: 2 per step live
    for (const steps of [50, 400]) expect(maxLiveReals(bwdOf(chain(steps)))).toBeLessThanOrEqual(8);
    expectGradient(chain(30), [0.3, -0.8, 0.5, 1.1]);
  });
});
