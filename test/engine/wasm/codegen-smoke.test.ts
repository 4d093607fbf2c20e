import { describe, it } from 'vitest';
import { fn, Real, Vec, mul, add, sin, sum, valueAndGrad, grad, struct, Bool, select, lt } from '../../../engine/index.ts';
import { funcOf } from '../../../engine/trace/fn.ts';
import { checkAgainstInterp } from './codegen-harness.ts';

describe('smoke', () => {
  it('runs', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    checkAgainstInterp(funcOf(sq, ''), [3]);
    const f = fn([Vec(3, Real)], Real, (v) => sum(3, (i) => mul(sq(v[i]!), sin(v[i]!))));
    checkAgainstInterp(funcOf(f, ''), [[1, 2, 3]]);
    checkAgainstInterp(funcOf(valueAndGrad(f), ''), [[1, 2, 3]]);
    checkAgainstInterp(funcOf(grad(f), ''), [[1, 2, 3]]);
    const S = struct({ b: Bool, i: 3, x: Real });
    const g = fn([S], Real, (s) => select(s.b, Real, mul(s.x, s.x), s.x));
    checkAgainstInterp(funcOf(grad(g), ''), [[true, 2, 5]]);
  });
});
