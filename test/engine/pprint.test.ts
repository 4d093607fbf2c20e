/** @file Golden tests of the IR pretty printer: format, stable names, callee order, determinism. */
import { describe, expect, it } from 'vitest';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { formatInstr, formatType, pprint } from '../../engine/ir/pprint.ts';
import {
  BOOL,
  REAL,
  TAN,
  UNIT,
  finTy,
  freshFuncId,
  refTy,
  structTy,
  typeTable,
  vecTy,
  type OpaqueFunc,
  type TransparentFunc,
} from '../../engine/ir/types.ts';

const DUAL = structTy(['du', 're'], [TAN, REAL]);

/** Return `sq(x) = x * x`. */
function sq(): TransparentFunc {
  const b = new FuncBuilder('sq');
  const x = b.param(REAL);
  return b.finish(b.prim('mul', [x, x]));
}

/** Return `f(v) = sum_i sq(v[i])` through an accumulator, calling `s`. */
function sumSquares(s: TransparentFunc): TransparentFunc {
  const b = new FuncBuilder('f');
  const v = b.param(vecTy(3, REAL));
  const acc = b.accum(b.real(0));
  b.forLoop(3, (i) => b.add(acc, b.call(s, [b.index(v, i)])));
  return b.finish(b.resolve(acc));
}

/** Return an opaque function of one real. */
function opaque(name: string, impl: (x: number) => number): OpaqueFunc {
  return { kind: 'opaque', id: freshFuncId(), name, paramTypes: [REAL], retType: REAL, impl };
}

describe('pprint', () => {
  it('prints a function and its callee, callees first', () => {
    expect(pprint(sumSquares(sq()))).toBe(
      [
        'fn sq_1(x0: real) -> real {',
        '  x1: real = mul x0 x0',
        '  return x1',
        '}',
        'fn f_2(x0: vec<3, real>) -> real {',
        '  x1: real = 0',
        '  x2: ref<real> = accum x1',
        '  x3: vec<3, unit> = for i4: fin<3> {',
        '    x5: real = x0[i4]',
        '    x6: real = sq_1(x5)',
        '    x7: unit = x2 += x6',
        '    yield x7',
        '  }',
        '  x8: real = resolve x2',
        '  return x8',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints every expression kind and literal', () => {
    const b = new FuncBuilder('kinds');
    const d = b.param(DUAL);
    const c = b.param(BOOL);
    const r = b.param(refTy(structTy(['u', 'v'], [vecTy(2, TAN), TAN])));
    const dx = b.member(d, 0);
    const x = b.member(d, 1);
    const y = b.select(c, x, b.lit(-0, REAL));
    const w = b.vec([y, b.lit(NaN, REAL)], vecTy(2, REAL));
    const j = b.prim('imod', [b.lit(5, finTy(7))], finTy(2));
    const e = b.index(w, j);
    const u = b.field(r, 0);
    b.add(b.slice(u, j), b.prim('mul', [dx, e]));
    b.unit();
    b.zero(vecTy(2, BOOL));
    b.lit(true, BOOL);
    b.lit(-Infinity, REAL);
    b.forLoop(2, (i) => b.forLoop(1, () => i));
    const out = b.struct([b.prim('neg', [dx]), e], DUAL);
    expect(pprint(b.finish(out))).toBe(
      `fn kinds_1(x0: {du: tan, re: real}, x1: bool, x2: ref<{u: vec<2, tan>, v: tan}>) -> {du: tan, re: real} {
  x3: tan = x0.du
  x4: real = x0.re
  x5: real = -0
  x6: real = x1 ? x4 : x5
  x7: real = NaN
  x8: vec<2, real> = [x6, x7]
  x9: fin<7> = 5
  x10: fin<2> = imod x9
  x11: real = x8[x10]
  x12: ref<vec<2, tan>> = &x2.u
  x13: ref<tan> = &x12[x10]
  x14: tan = mul x3 x11
  x15: unit = x13 += x14
  x16: unit = ()
  x17: vec<2, bool> = zero
  x18: bool = true
  x19: real = -Infinity
  x20: vec<2, vec<1, fin<2>>> = for i21: fin<2> {
    x22: vec<1, fin<2>> = for i23: fin<1> {
      yield i21
    }
    yield x22
  }
  x24: tan = neg x3
  x25: {du: tan, re: real} = {du: x24, re: x11}
  return x25
}
`,
    );
  });

  it('prints opaque functions and custom JVPs (the JVP after its function)', () => {
    const sin = opaque('sin', Math.sin);
    const cos = opaque('cos', Math.cos);
    const b = new FuncBuilder('sin_jvp');
    const d = b.param(DUAL);
    const x = b.member(d, 1);
    const dy = b.prim('mul', [b.member(d, 0), b.call(cos, [x])]);
    sin.customJvp = b.finish(b.struct([dy, b.call(sin, [x])], DUAL));
    const u = new FuncBuilder('user');
    const p = u.param(REAL);
    const f = u.finish(u.call(sin, [u.call(sin, [p])]));
    expect(pprint(f)).toBe(
      `opaque fn sin_1(x0: real) -> real custom jvp: sin_jvp_3
opaque fn cos_2(x0: real) -> real
fn sin_jvp_3(x0: {du: tan, re: real}) -> {du: tan, re: real} {
  x1: real = x0.re
  x2: tan = x0.du
  x3: real = cos_2(x1)
  x4: tan = mul x2 x3
  x5: real = sin_1(x1)
  x6: {du: tan, re: real} = {du: x4, re: x5}
  return x6
}
fn user_4(x0: real) -> real {
  x1: real = sin_1(x0)
  x2: real = sin_1(x1)
  return x2
}
`,
    );
  });

  it('prints a shared callee once and numbers functions per print', () => {
    const s = sq();
    const b = new FuncBuilder('g');
    const x = b.param(REAL);
    const g = b.finish(b.prim('add', [b.call(s, [x]), b.call(sumSquares(s), [b.vec([x, x, x], vecTy(3, REAL))])]));
    const text = pprint(g);
    expect(text.match(/^fn sq_/gm)).toHaveLength(1);
    expect(text.split('\n').filter((l) => l.startsWith('fn'))).toEqual([
      'fn sq_1(x0: real) -> real {',
      'fn f_2(x0: vec<3, real>) -> real {',
      'fn g_3(x0: real) -> real {',
    ]);
    // Printing the callee alone numbers it from 1 again.
    expect(pprint(s).startsWith('fn sq_1(')).toBe(true);
  });

  it('is deterministic: twice the same, and equal for identical functions built separately', () => {
    const a = sumSquares(sq());
    const b = sumSquares(sq());
    expect(a.id).not.toBe(b.id);
    expect(pprint(a)).toBe(pprint(a));
    expect(pprint(a)).toBe(pprint(b));
  });

  it('renumbers variables in order of appearance, whatever their ids', () => {
    // Same function as sq, with sparse, shuffled variable ids.
    const f: TransparentFunc = {
      kind: 'transparent',
      id: freshFuncId(),
      name: 'sq',
      paramTypes: [REAL],
      retType: REAL,
      ...typeTable([REAL, UNIT, UNIT, REAL, UNIT, REAL]),
      params: [5],
      body: [{ var: 3, expr: { kind: 'prim', prim: 'mul', x: 5, y: 5 } }],
      ret: 3,
    };
    expect(pprint(f)).toBe(pprint(sq()));
  });

  it('formats types compactly and single instructions with raw ids', () => {
    expect(formatType(structTy(['a', 'b'], [vecTy(2, finTy(3)), refTy(UNIT)]))).toBe('{a: vec<2, fin<3>>, b: ref<unit>}');
    expect(formatType(structTy([], []))).toBe('{}');
    const f = sumSquares(sq());
    const loop = f.body.find((i) => i.expr.kind === 'for')!;
    expect(formatInstr(f, loop)).toMatch(/^x\d+: vec<3, unit> = for i\d+: fin<3> \{\.\.\.\} yield x\d+$/);
    expect(formatInstr(f, f.body[0]!)).toBe(`x${f.body[0]!.var}: real = 0`);
  });
});
