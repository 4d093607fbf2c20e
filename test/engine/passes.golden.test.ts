/**
 * @file Golden pretty-printed IR of each pass (jvp, unzip, transpose, and the assembled gradient)
 * on small functions traced through the public API. A change to any pass's output shows up here
 * as a readable diff; update the snapshots only after reading that diff.
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, fn, grad, mul, select, gt, sin, sum, vec } from '../../engine/index.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import type { TransparentFunc } from '../../engine/ir/types.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';

/** Return the text of f, jvp(f), its unzipped halves and the transpose of the linear half. */
function passes(f: TransparentFunc): Record<string, string> {
  const j = jvp(f);
  const { fwd, lin } = unzip(j);
  return { jvp: pprint(j), fwd: pprint(fwd), lin: pprint(lin), bwd: pprint(transpose(lin)) };
}

function traced(f: unknown): TransparentFunc {
  const func = funcOf(f, 'test');
  if (func.kind !== 'transparent') throw new Error('expected a transparent function');
  return func;
}

describe('golden IR of each pass', () => {
  it('product of a sine and a real', () => {
    const f = fn([Real, Real], Real, (x, y) => mul(sin(x), y));
    const out = passes(traced(f));
    expect(out.jvp).toMatchInlineSnapshot(`
      "fn jvp_fn_1(x0: real, x1: real, x2: tan, x3: tan) -> {du: tan, re: real} {
        x4: real = sin x0
        x5: real = cos x0
        x6: tan = mul x2 x5
        x7: real = mul x4 x1
        x8: tan = mul x6 x1
        x9: tan = mul x3 x4
        x10: tan = add x8 x9
        x11: {du: tan, re: real} = {du: x10, re: x7}
        return x11
      }
      "
    `);
    expect(out.fwd).toMatchInlineSnapshot(`
      "fn fwd_jvp_fn_1(x0: real, x1: real, x2: unit, x3: unit) -> {res: {r0: real, r1: real, r2: real}, ret: {du: unit, re: real}} {
        x4: unit = zero
        x5: real = sin x0
        x6: real = cos x0
        x7: real = mul x5 x1
        x8: {du: unit, re: real} = {du: x4, re: x7}
        x9: {r0: real, r1: real, r2: real} = {r0: x6, r1: x1, r2: x5}
        x10: {res: {r0: real, r1: real, r2: real}, ret: {du: unit, re: real}} = {res: x9, ret: x8}
        return x10
      }
      "
    `);
    expect(out.lin).toMatchInlineSnapshot(`
      "fn lin_jvp_fn_1(x0: unit, x1: unit, x2: tan, x3: tan, x4: {r0: real, r1: real, r2: real}) -> {du: tan, re: unit} {
        x5: unit = zero
        x6: real = x4.r0
        x7: real = x4.r1
        x8: real = x4.r2
        x9: tan = mul x2 x6
        x10: tan = mul x9 x7
        x11: tan = mul x3 x8
        x12: tan = add x10 x11
        x13: {du: tan, re: unit} = {du: x12, re: x5}
        return x13
      }
      "
    `);
    expect(out.bwd).toMatchInlineSnapshot(`
      "fn bwd_jvp_fn_1(x0: unit, x1: unit, x2: ref<real>, x3: ref<real>, x4: {r0: real, r1: real, r2: real}, x5: {du: real, re: unit}) -> unit {
        x6: real = x5.du
        x7: real = x4.r2
        x8: real = mul x6 x7
        x9: unit = x3 += x8
        x10: real = x4.r1
        x11: real = mul x6 x10
        x12: real = x4.r0
        x13: real = mul x11 x12
        x14: unit = x2 += x13
        x15: unit = ()
        return x15
      }
      "
    `);
  });

  it('sum of squares over a vector stays a loop', () => {
    const f = fn([Vec(3, Real)], Real, (v) => sum(3, (i) => mul(v[i]!, v[i]!)));
    const out = passes(traced(f));
    expect(out.jvp).toMatchInlineSnapshot(`
      "fn jvp_fn_1(x0: vec<3, real>, x1: vec<3, tan>) -> {du: tan, re: real} {
        x2: real = 0
        x3: ref<real> = accum x2
        x4: tan = zero
        x5: ref<tan> = accum x4
        x6: vec<3, unit> = for i7: fin<3> {
          x8: real = x0[i7]
          x9: tan = x1[i7]
          x10: real = x0[i7]
          x11: tan = x1[i7]
          x12: real = mul x8 x10
          x13: tan = mul x9 x10
          x14: tan = mul x11 x8
          x15: tan = add x13 x14
          x16: unit = x3 += x12
          x17: unit = x5 += x15
          yield x16
        }
        x18: real = resolve x3
        x19: tan = resolve x5
        x20: {du: tan, re: real} = {du: x19, re: x18}
        return x20
      }
      "
    `);
    expect(out.fwd).toMatchInlineSnapshot(`
      "fn fwd_jvp_fn_1(x0: vec<3, real>, x1: vec<3, unit>) -> {res: {r0: vec<3, real>}, ret: {du: unit, re: real}} {
        x2: unit = zero
        x3: real = 0
        x4: ref<real> = accum x3
        x5: vec<3, unit> = for i6: fin<3> {
          x7: real = x0[i6]
          x8: real = x0[i6]
          x9: real = mul x7 x8
          x10: unit = x4 += x9
          yield x10
        }
        x11: real = resolve x4
        x12: {du: unit, re: real} = {du: x2, re: x11}
        x13: {r0: vec<3, real>} = {r0: x0}
        x14: {res: {r0: vec<3, real>}, ret: {du: unit, re: real}} = {res: x13, ret: x12}
        return x14
      }
      "
    `);
    expect(out.lin).toMatchInlineSnapshot(`
      "fn lin_jvp_fn_1(x0: vec<3, unit>, x1: vec<3, tan>, x2: {r0: vec<3, real>}) -> {du: tan, re: unit} {
        x3: unit = zero
        x4: vec<3, real> = x2.r0
        x5: tan = zero
        x6: ref<tan> = accum x5
        x7: vec<3, unit> = for i8: fin<3> {
          x9: real = x4[i8]
          x10: real = x4[i8]
          x11: tan = x1[i8]
          x12: tan = x1[i8]
          x13: tan = mul x11 x9
          x14: tan = mul x12 x10
          x15: tan = add x13 x14
          x16: unit = x6 += x15
          yield x3
        }
        x17: tan = resolve x6
        x18: {du: tan, re: unit} = {du: x17, re: x3}
        return x18
      }
      "
    `);
    expect(out.bwd).toMatchInlineSnapshot(`
      "fn bwd_jvp_fn_1(x0: vec<3, unit>, x1: ref<vec<3, real>>, x2: {r0: vec<3, real>}, x3: {du: real, re: unit}) -> unit {
        x4: vec<3, real> = x2.r0
        x5: real = x3.du
        x6: vec<3, unit> = for i7: fin<3> {
          x8: real = x4[i7]
          x9: real = mul x5 x8
          x10: real = x4[i7]
          x11: real = mul x5 x10
          x12: ref<real> = &x1[i7]
          x13: unit = x12 += x9
          x14: ref<real> = &x1[i7]
          x15: unit = x14 += x11
          x16: unit = ()
          yield x16
        }
        x17: unit = ()
        return x17
      }
      "
    `);
  });

  it('relu over a vector: select and a vec comprehension', () => {
    const f = fn([Vec(2, Real)], Vec(2, Real), (v) =>
      vec(2, Real, (i) => select(gt(v[i]!, 0), Real, v[i]!, 0)),
    );
    const out = passes(traced(f));
    expect(out.jvp).toMatchInlineSnapshot(`
      "fn jvp_fn_1(x0: vec<2, real>, x1: vec<2, tan>) -> {du: vec<2, tan>, re: vec<2, real>} {
        x2: vec<2, {du: tan, re: real}> = for i3: fin<2> {
          x4: real = x0[i3]
          x5: tan = x1[i3]
          x6: real = 0
          x7: bool = gt x4 x6
          x8: real = x0[i3]
          x9: tan = x1[i3]
          x10: real = x7 ? x8 : x6
          x11: tan = zero
          x12: tan = x7 ? x9 : x11
          x13: {du: tan, re: real} = {du: x12, re: x10}
          yield x13
        }
        x14: vec<2, real> = for i15: fin<2> {
          x16: {du: tan, re: real} = x2[i15]
          x17: real = x16.re
          yield x17
        }
        x18: vec<2, tan> = for i19: fin<2> {
          x20: {du: tan, re: real} = x2[i19]
          x21: tan = x20.du
          yield x21
        }
        x22: {du: vec<2, tan>, re: vec<2, real>} = {du: x18, re: x14}
        return x22
      }
      "
    `);
    expect(out.lin).toMatchInlineSnapshot(`
      "fn lin_jvp_fn_1(x0: vec<2, unit>, x1: vec<2, tan>, x2: {r0: vec<2, {r0: bool}>}) -> {du: vec<2, tan>, re: vec<2, unit>} {
        x3: unit = zero
        x4: vec<2, {r0: bool}> = x2.r0
        x5: vec<2, {du: tan, re: unit}> = for i6: fin<2> {
          x7: {r0: bool} = x4[i6]
          x8: bool = x7.r0
          x9: tan = x1[i6]
          x10: tan = zero
          x11: tan = x8 ? x9 : x10
          x12: {du: tan, re: unit} = {du: x11, re: x3}
          yield x12
        }
        x13: vec<2, unit> = for i14: fin<2> {
          yield x3
        }
        x15: vec<2, tan> = for i16: fin<2> {
          x17: {du: tan, re: unit} = x5[i16]
          x18: tan = x17.du
          yield x18
        }
        x19: {du: vec<2, tan>, re: vec<2, unit>} = {du: x15, re: x13}
        return x19
      }
      "
    `);
    expect(out.bwd).toMatchInlineSnapshot(`
      "fn bwd_jvp_fn_1(x0: vec<2, unit>, x1: ref<vec<2, real>>, x2: {r0: vec<2, {r0: bool}>}, x3: {du: vec<2, real>, re: vec<2, unit>}) -> unit {
        x4: real = zero
        x5: vec<2, {r0: bool}> = x2.r0
        x6: vec<2, {du: real, re: unit}> = zero
        x7: ref<vec<2, {du: real, re: unit}>> = accum x6
        x8: vec<2, real> = x3.du
        x9: vec<2, unit> = for i10: fin<2> {
          x11: real = x8[i10]
          x12: ref<{du: real, re: unit}> = &x7[i10]
          x13: ref<real> = &x12.du
          x14: unit = x13 += x11
          x15: unit = ()
          yield x15
        }
        x16: vec<2, {du: real, re: unit}> = resolve x7
        x17: vec<2, unit> = for i18: fin<2> {
          x19: {r0: bool} = x5[i18]
          x20: bool = x19.r0
          x21: {du: real, re: unit} = x16[i18]
          x22: real = x21.du
          x23: real = x20 ? x22 : x4
          x24: ref<real> = &x1[i18]
          x25: unit = x24 += x23
          x26: unit = ()
          yield x26
        }
        x27: unit = ()
        return x27
      }
      "
    `);
  });

  it('a called function stays a call in every pass', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    const f = fn([Real], Real, (x) => mul(sq(x), sq(sin(x))));
    const out = passes(traced(f));
    expect(out.jvp).toMatchInlineSnapshot(`
      "fn jvp_fn_1(x0: real, x1: tan) -> {du: tan, re: real} {
        x2: real = mul x0 x0
        x3: real = add x0 x0
        x4: tan = mul x1 x3
        x5: {du: tan, re: real} = {du: x4, re: x2}
        return x5
      }
      fn jvp_fn_2(x0: real, x1: tan) -> {du: tan, re: real} {
        x2: {du: tan, re: real} = jvp_fn_1(x0, x1)
        x3: real = x2.re
        x4: tan = x2.du
        x5: real = sin x0
        x6: real = cos x0
        x7: tan = mul x1 x6
        x8: {du: tan, re: real} = jvp_fn_1(x5, x7)
        x9: real = x8.re
        x10: tan = x8.du
        x11: real = mul x3 x9
        x12: tan = mul x4 x9
        x13: tan = mul x10 x3
        x14: tan = add x12 x13
        x15: {du: tan, re: real} = {du: x14, re: x11}
        return x15
      }
      "
    `);
    expect(out.bwd).toMatchInlineSnapshot(`
      "fn bwd_jvp_fn_1(x0: unit, x1: ref<real>, x2: {r0: real}, x3: {du: real, re: unit}) -> unit {
        x4: real = x3.du
        x5: real = x2.r0
        x6: real = mul x4 x5
        x7: unit = x1 += x6
        x8: unit = ()
        return x8
      }
      fn bwd_jvp_fn_2(x0: unit, x1: ref<real>, x2: {r0: {r0: real}, r1: real, r2: {r0: real}, r3: real, r4: real}, x3: {du: real, re: unit}) -> unit {
        x4: unit = zero
        x5: {r0: real} = x2.r0
        x6: {r0: real} = x2.r2
        x7: real = zero
        x8: ref<real> = accum x7
        x9: real = x3.du
        x10: real = x2.r4
        x11: real = mul x9 x10
        x12: real = x2.r3
        x13: real = mul x9 x12
        x14: {du: real, re: unit} = {du: x11, re: x4}
        x15: unit = bwd_jvp_fn_1(x4, x8, x6, x14)
        x16: real = resolve x8
        x17: real = x2.r1
        x18: real = mul x16 x17
        x19: unit = x1 += x18
        x20: {du: real, re: unit} = {du: x13, re: x4}
        x21: unit = bwd_jvp_fn_1(x0, x1, x5, x20)
        x22: unit = ()
        return x22
      }
      "
    `);
  });

  it('the assembled gradient function', () => {
    const f = fn([Real, Real], Real, (x, y) => mul(sin(x), y));
    expect(pprint(traced(grad(f, [0, 1])))).toMatchInlineSnapshot(`
      "fn fwd_bwd_jvp_fn_1(x0: real, x1: real, x2: unit, x3: unit, x4: unit, x5: unit, x6: ref<real>, x7: ref<real>, x8: {du: real, re: unit}) -> {du: unit, re: real} {
        x9: real = x8.du
        x10: real = mul x9 x1
        x11: unit = zero
        x12: real = sin x0
        x13: real = mul x9 x12
        x14: unit = x7 += x13
        x15: real = cos x0
        x16: real = mul x10 x15
        x17: unit = x6 += x16
        x18: real = mul x12 x1
        x19: {du: unit, re: real} = {du: x11, re: x18}
        return x19
      }
      fn grad_fn_2(x0: real, x1: real) -> {0: real, 1: real} {
        x2: real = 1
        x3: unit = zero
        x4: unit = zero
        x5: unit = zero
        x6: unit = zero
        x7: real = zero
        x8: ref<real> = accum x7
        x9: real = zero
        x10: ref<real> = accum x9
        x11: unit = zero
        x12: {du: real, re: unit} = {du: x2, re: x11}
        x13: {du: unit, re: real} = fwd_bwd_jvp_fn_1(x0, x1, x3, x4, x5, x6, x8, x10, x12)
        x14: real = x13.re
        x15: real = resolve x8
        x16: real = resolve x10
        x17: {0: real, 1: real} = {0: x15, 1: x16}
        return x17
      }
      "
    `);
  });
});
