/**
 * @file Golden pretty-printed IR of jvp, unzip and transpose of one small cond (see
 * passes.golden.test.ts for the other passes' goldens): both blocks are kept apart in every pass,
 * `fwd` yields the taken block's residuals (a zero for the other's), `lin` and `bwd` branch on
 * the stored condition. Update the snapshots only after reading the diff.
 */
import { describe, expect, it } from 'vitest';
import { Real, fn, lt, mul, sin } from '../../engine/index.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import type { TransparentFunc } from '../../engine/ir/types.ts';
import { cond } from '../../engine/trace/cond.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';

describe('golden IR of each pass on a cond', () => {
  it('x < 0 ? x * y : sin(y)', () => {
    const f = funcOf(fn([Real, Real], Real, (x, y) => cond(lt(x, 0), Real, () => mul(x, y), () => sin(y))), 't') as TransparentFunc;
    const j = jvp(f);
    const { fwd, lin } = unzip(j);
    expect(pprint(j)).toMatchInlineSnapshot(`
      "fn jvp_fn_1(x0: real, x1: real, x2: tan, x3: tan) -> {du: tan, re: real} {
        x4: real = 0
        x5: bool = lt x0 x4
        x6: {du: tan, re: real} = if x5 {
          x7: real = mul x0 x1
          x8: tan = mul x2 x1
          x9: tan = mul x3 x0
          x10: tan = add x8 x9
          x11: {du: tan, re: real} = {du: x10, re: x7}
          yield x11
        } else {
          x12: real = sin x1
          x13: real = cos x1
          x14: tan = mul x3 x13
          x15: {du: tan, re: real} = {du: x14, re: x12}
          yield x15
        }
        x16: real = x6.re
        x17: tan = x6.du
        x18: {du: tan, re: real} = {du: x17, re: x16}
        return x18
      }
      "
    `);
    expect(pprint(fwd)).toMatchInlineSnapshot(`
      "fn fwd_jvp_fn_1(x0: real, x1: real, x2: unit, x3: unit) -> {res: {r0: real, r1: real, r2: {r0: real}, r3: bool}, ret: {du: unit, re: real}} {
        x4: unit = zero
        x5: unit = zero
        x6: unit = zero
        x7: real = 0
        x8: bool = lt x0 x7
        x9: {res: {r0: real}, ret: {du: unit, re: real}} = if x8 {
          x10: real = mul x0 x1
          x11: {du: unit, re: real} = {du: x4, re: x10}
          x12: {r0: real} = zero
          x13: {res: {r0: real}, ret: {du: unit, re: real}} = {res: x12, ret: x11}
          yield x13
        } else {
          x14: real = sin x1
          x15: real = cos x1
          x16: {du: unit, re: real} = {du: x5, re: x14}
          x17: {r0: real} = {r0: x15}
          x18: {res: {r0: real}, ret: {du: unit, re: real}} = {res: x17, ret: x16}
          yield x18
        }
        x19: {du: unit, re: real} = x9.ret
        x20: {r0: real} = x9.res
        x21: real = x19.re
        x22: {du: unit, re: real} = {du: x6, re: x21}
        x23: {r0: real, r1: real, r2: {r0: real}, r3: bool} = {r0: x1, r1: x0, r2: x20, r3: x8}
        x24: {res: {r0: real, r1: real, r2: {r0: real}, r3: bool}, ret: {du: unit, re: real}} = {res: x23, ret: x22}
        return x24
      }
      "
    `);
    expect(pprint(lin)).toMatchInlineSnapshot(`
      "fn lin_jvp_fn_1(x0: unit, x1: unit, x2: tan, x3: tan, x4: {r0: real, r1: real, r2: {r0: real}, r3: bool}) -> {du: tan, re: unit} {
        x5: unit = zero
        x6: bool = x4.r3
        x7: {du: tan, re: unit} = if x6 {
          x8: real = x4.r0
          x9: real = x4.r1
          x10: tan = mul x2 x8
          x11: tan = mul x3 x9
          x12: tan = add x10 x11
          x13: {du: tan, re: unit} = {du: x12, re: x5}
          yield x13
        } else {
          x14: {r0: real} = x4.r2
          x15: real = x14.r0
          x16: tan = mul x3 x15
          x17: {du: tan, re: unit} = {du: x16, re: x5}
          yield x17
        }
        x18: tan = x7.du
        x19: {du: tan, re: unit} = {du: x18, re: x5}
        return x19
      }
      "
    `);
    expect(pprint(transpose(lin))).toMatchInlineSnapshot(`
      "fn bwd_jvp_fn_1(x0: unit, x1: unit, x2: ref<real>, x3: ref<real>, x4: {r0: real, r1: real, r2: {r0: real}, r3: bool}, x5: {du: real, re: unit}) -> unit {
        x6: unit = zero
        x7: bool = x4.r3
        x8: real = x5.du
        x9: {du: real, re: unit} = {du: x8, re: x6}
        x10: unit = if x7 {
          x11: real = x9.du
          x12: real = x4.r1
          x13: real = mul x11 x12
          x14: unit = x3 += x13
          x15: real = x4.r0
          x16: real = mul x11 x15
          x17: unit = x2 += x16
          x18: unit = ()
          yield x18
        } else {
          x19: {r0: real} = x4.r2
          x20: real = x9.du
          x21: real = x19.r0
          x22: real = mul x20 x21
          x23: unit = x3 += x22
          x24: unit = ()
          yield x24
        }
        x25: unit = ()
        return x25
      }
      "
    `);
  });
});
