/**
 * @file Regression tests: cotangents known to be zero stay symbolic through calls (no `0 * inf`
 * where a callee is singular), and accumulators read in a loop but added to before it.
 */
import { describe, expect, it } from 'vitest';
import { interpret } from '../../engine/interp/interp.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { REAL, TAN, structTy, vecTy, type Prim, type TransparentFunc } from '../../engine/ir/types.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { gradFlat, hvpForwardOverReverse, hvpReverseOverReverse } from '../helpers/reverse.ts';

/** g(x) = {a: sqrt x, b: x * x}. */
function pair(): TransparentFunc {
  const b = new FuncBuilder('pair');
  const x = b.param(REAL);
  const t = structTy(['a', 'b'], [REAL, REAL]);
  return b.finish(b.struct([b.prim('sqrt', [x]), b.prim('mul', [x, x])], t));
}

/** f(x) = g(x - 1).b. */
function usesB(): TransparentFunc {
  const b = new FuncBuilder('usesB');
  const x = b.param(REAL);
  const r = b.call(pair(), [b.prim('sub', [x, b.real(1)])]);
  return b.finish(b.member(r, 1));
}

/** f(x) = { g(x - x) (unused); x * x } with g(x) = prim(x) (or atan2(x, x)). */
function unusedCall(prim: Prim): TransparentFunc {
  const gb = new FuncBuilder(`g_${prim}`);
  const y = gb.param(REAL);
  const g = gb.finish(gb.prim(prim, prim === 'atan2' ? [y, y] : [y]));
  const b = new FuncBuilder(`unused_${prim}`);
  const x = b.param(REAL);
  b.call(g, [b.prim('sub', [x, x])]);
  return b.finish(b.prim('mul', [x, x]));
}

describe('statically zero cotangents', () => {
  it('a callee result member the caller ignores adds no 0/0 (sqrt at 0)', () => {
    const f = usesB();
    const out = interpret(jvp(f), [1, 1]) as number[];
    expect(out[0]).toBe(0);
    expect(gradFlat(f, [1])).toEqual([0]);
    expect(gradFlat(f, [3])).toEqual([4]);
  });

  for (const prim of ['sqrt', 'log', 'atan2'] as const) {
    it(`an unused call of a ${prim} singular at 0: both Hessians are 2`, () => {
      const f = unusedCall(prim);
      expect(hvpForwardOverReverse(f, [0.5], [1])).toEqual([2]);
      expect(hvpReverseOverReverse(f, [0.5], [1])).toEqual([2]);
    });
  }
});

describe('accumulators resolved in a loop', () => {
  it('refuses (internal) an accumulator added to before a loop that resolves it', () => {
    // lin(dx) = for i < 2: resolve(acc) with acc += dx before the loop
    const b = new FuncBuilder('resolveInLoop');
    const dx = b.param(TAN);
    const acc = b.accum(b.zero(TAN));
    b.add(acc, dx);
    const lin = b.finish(b.forLoop(2, () => b.resolve(acc)));
    expect(interpret(lin, [3])).toEqual([3, 3]);
    expect(() => transpose(lin)).toThrow(/internal: .*resolved in a loop but added to before it/);
  });

  it('still transposes an accumulator added to and resolved in the same block', () => {
    const b = new FuncBuilder('resolveHere');
    const dx = b.param(TAN);
    const acc = b.accum(b.zero(TAN));
    b.add(acc, dx);
    const y = b.resolve(acc);
    const lin = b.finish(b.forLoop(2, () => b.prim('mul', [y, b.real(2)])));
    const bwd = transpose(lin);
    const out = new FuncBuilder('run');
    const ct = out.param(vecTy(2, REAL));
    const r = out.accum(out.zero(REAL));
    out.call(bwd, [r, ct]);
    const run = out.finish(out.resolve(r));
    expect(interpret(run, [[1, 10]])).toBe(22);
  });
});
