/** @file Tests of the reference interpreter, on IR built directly with `FuncBuilder`. */
import { describe, expect, it } from 'vitest';
import { RoseError } from '../../engine/errors.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import type { Prim } from '../../engine/ir/prims.ts';
import {
  BOOL,
  REAL,
  TAN,
  UNIT,
  finTy,
  freshFuncId,
  refTy,
  structTy,
  vecTy,
  type Func,
  type OpaqueFunc,
  type Ty,
  type Var,
} from '../../engine/ir/types.ts';
import { accumulator, interpret, type Accumulator, type Val } from '../../engine/interp/interp.ts';

/** Build a function with the given parameter types; `body` returns the result variable. */
function build(name: string, params: readonly Ty[], body: (b: FuncBuilder, ...ps: Var[]) => Var) {
  const b = new FuncBuilder(name);
  const ps = params.map((t) => b.param(t));
  return b.finish(body(b, ...ps));
}

/** Return an opaque function of `arity` reals. */
function opaque(name: string, arity: number, impl: (...xs: number[]) => number): OpaqueFunc {
  return {
    kind: 'opaque',
    id: freshFuncId(),
    name,
    paramTypes: Array.from({ length: arity }, () => REAL),
    retType: REAL,
    impl,
  };
}

/** Return `prim` applied to the given arguments (of types `tys`) by the interpreter. */
function prim1(p: Prim, tys: readonly Ty[], args: readonly Val[], result?: Ty): Val {
  const f = build(p, tys, (b, ...xs) => b.prim(p, xs, result));
  return interpret(f, args);
}

/** Return the thrown error of `run`, failing if nothing is thrown. */
function thrown(run: () => unknown): RoseError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(RoseError);
    return err as RoseError;
  }
  throw new Error('expected an error');
}

describe('primitives', () => {
  const unary: [Prim, (x: number) => number][] = [
    ['sqrt', Math.sqrt],
    ['exp', Math.exp],
    ['log', Math.log],
    ['sin', Math.sin],
    ['cos', Math.cos],
    ['tan', Math.tan],
    ['asin', Math.asin],
    ['acos', Math.acos],
    ['atan', Math.atan],
    ['sinh', Math.sinh],
    ['cosh', Math.cosh],
    ['tanh', Math.tanh],
    ['log1p', Math.log1p],
    ['expm1', Math.expm1],
    ['cbrt', Math.cbrt],
    ['ceil', Math.ceil],
    ['floor', Math.floor],
    ['trunc', Math.trunc],
    ['abs', Math.abs],
    ['neg', (x) => -x],
  ];
  it.each(unary)('%s agrees with Math', (p, ref) => {
    for (const x of [0.3, -0.7, 2.5, 0, -0, NaN, Infinity]) {
      expect(Object.is(prim1(p, [REAL], [x]), ref(x))).toBe(true);
    }
  });

  const binary: [Prim, (x: number, y: number) => number][] = [
    ['add', (x, y) => x + y],
    ['sub', (x, y) => x - y],
    ['mul', (x, y) => x * y],
    ['div', (x, y) => x / y],
    ['atan2', Math.atan2],
    ['pow', Math.pow],
    ['hypot', Math.hypot],
    ['min', Math.min],
    ['max', Math.max],
  ];
  it.each(binary)('%s agrees with JS', (p, ref) => {
    const xs = [1.5, -2, 0, -0, NaN, 3];
    for (const x of xs)
      for (const y of xs) expect(Object.is(prim1(p, [REAL, REAL], [x, y]), ref(x, y))).toBe(true);
  });

  it('atan2 takes (y, x)', () => {
    expect(prim1('atan2', [REAL, REAL], [1, 0])).toBe(Math.PI / 2);
  });

  it('sign is signum, and abs/ceil/floor/trunc treat -0 like IEEE', () => {
    const sign = (x: number) => prim1('sign', [REAL], [x]);
    expect(sign(0)).toBe(1);
    expect(sign(-0)).toBe(-1);
    expect(sign(NaN)).toBeNaN();
    expect(sign(-3.5)).toBe(-1);
    expect(sign(Infinity)).toBe(1);
    expect(Object.is(prim1('abs', [REAL], [-0]), 0)).toBe(true);
    expect(Object.is(prim1('ceil', [REAL], [-0.5]), -0)).toBe(true);
    expect(Object.is(prim1('floor', [REAL], [-0]), -0)).toBe(true);
    expect(Object.is(prim1('trunc', [REAL], [-0.5]), -0)).toBe(true);
  });

  it('linear primitives work on tangents', () => {
    expect(prim1('neg', [TAN], [2])).toBe(-2);
    expect(prim1('add', [TAN, TAN], [2, 3])).toBe(5);
    expect(prim1('mul', [TAN, REAL], [2, 3])).toBe(6);
    expect(prim1('div', [TAN, REAL], [3, 2])).toBe(1.5);
  });

  it('comparisons are IEEE', () => {
    const cmp = (p: Prim, x: number, y: number) => prim1(p, [REAL, REAL], [x, y]);
    const eqs = [cmp('eq', 0, -0), cmp('neq', 0, -0), cmp('eq', NaN, NaN), cmp('neq', NaN, NaN)];
    expect(eqs).toEqual([true, false, false, true]);
    expect([cmp('lt', 1, 2), cmp('leq', 2, 2), cmp('gt', 1, 2), cmp('geq', 2, 2)]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    for (const p of ['lt', 'leq', 'gt', 'geq'] as const) expect(cmp(p, NaN, 1)).toBe(false);
  });

  it('logic ops have their truth tables', () => {
    const table = (p: Prim) =>
      [
        [false, false],
        [false, true],
        [true, false],
        [true, true],
      ].map((args) => prim1(p, [BOOL, BOOL], args));
    expect(table('and')).toEqual([false, false, false, true]);
    expect(table('or')).toEqual([false, true, true, true]);
    expect(table('iff')).toEqual([true, false, false, true]);
    expect(table('xor')).toEqual([false, true, true, false]);
    expect(prim1('not', [BOOL], [true])).toBe(false);
    expect(prim1('not', [BOOL], [false])).toBe(true);
  });

  it('index comparisons and iadd are plain integer ops', () => {
    const fin = finTy(5);
    const cmp = (p: Prim, i: number, j: number) => prim1(p, [fin, fin], [i, j]);
    expect([cmp('ieq', 2, 2), cmp('ineq', 2, 2), cmp('ilt', 1, 4), cmp('ileq', 4, 4)]).toEqual([
      true,
      false,
      true,
      true,
    ]);
    expect([cmp('igt', 1, 4), cmp('igeq', 3, 4)]).toEqual([false, false]);
    expect(prim1('iadd', [fin, fin], [3, 4])).toBe(7); // no wraparound
  });

  it('imod takes its modulus from the result type', () => {
    const f = build('mods', [], (b) => {
      const ks = [0, 1, 2, 3, 4, 5, 6].map((k) =>
        b.prim('imod', [b.lit(k, finTy(7))], finTy(3)),
      );
      return b.vec(ks, vecTy(7, finTy(3)));
    });
    expect(interpret(f, [])).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(prim1('imod', [finTy(10)], [9], finTy(4))).toBe(1);
  });

  it('argmax/argmin pick the first extremum; NaN wins both', () => {
    const v = vecTy(5, REAL);
    expect(prim1('argmax', [v], [[1, 7, 3, 7, 0]])).toBe(1);
    expect(prim1('argmin', [v], [[1, 7, -3, 7, -3]])).toBe(2);
    expect(prim1('argmax', [v], [[1, NaN, 9, NaN, 0]])).toBe(1);
    expect(prim1('argmin', [v], [[1, -9, NaN, NaN, 0]])).toBe(2);
    expect(prim1('argmax', [vecTy(1, REAL)], [[NaN]])).toBe(0);
    expect(prim1('argmin', [vecTy(3, REAL)], [[-Infinity, 0, 1]])).toBe(0);
  });
});

describe('values', () => {
  it('select picks a side, for any type', () => {
    const s = structTy(['a', 'b'], [REAL, vecTy(2, BOOL)]);
    const f = build('sel', [BOOL, s, s], (b, c, x, y) => b.select(c, x, y));
    const x: Val = [1, [true, false]];
    const y: Val = [2, [false, true]];
    expect(interpret(f, [true, x, y])).toBe(x);
    expect(interpret(f, [false, x, y])).toBe(y);
  });

  it('vec/struct literals, index and member', () => {
    const s = structTy(['x', 'y'], [REAL, finTy(3)]);
    const f = build('lits', [REAL, finTy(3)], (b, x, i) => {
      const v = b.vec([x, b.real(2), b.real(3)], vecTy(3, REAL));
      const picked = b.index(v, i);
      const st = b.struct([picked, i], s);
      const out = structTy(['a', 'b', 'c'], [s, REAL, finTy(3)]);
      return b.struct([st, b.member(st, 0), b.member(st, 1)], out);
    });
    expect(interpret(f, [1, 0])).toEqual([[1, 0], 1, 0]);
    expect(interpret(f, [1, 2])).toEqual([[3, 2], 3, 2]);
  });

  it('zero of nested types has the right shape, fresh on each run', () => {
    const t = structTy(
      ['a', 'i', 'u'],
      [vecTy(2, structTy(['b', 'x'], [BOOL, REAL])), finTy(3), UNIT],
    );
    const f = build('z', [], (b) => b.zero(t));
    const z = interpret(f, []) as Val[];
    expect(z).toEqual([
      [
        [false, 0],
        [false, 0],
      ],
      0,
      null,
    ]);
    ((z[0] as Val[])[0] as Val[])[1] = 99; // callers may mutate results
    expect(interpret(f, [])).toEqual(z.map((_, k) => (k === 0 ? [[false, 0], [false, 0]] : z[k])));
    expect(interpret(build('zs', [], (b) => b.zero(vecTy(0, REAL))), [])).toEqual([]);
    expect(interpret(build('zt', [], (b) => b.zero(TAN)), [])).toBe(0);
    expect(interpret(build('zu', [], (b) => b.zero(UNIT)), [])).toBe(null);
  });

  it('lit yields its value; unit/bool/fin literals too', () => {
    const t = structTy(['a', 'b', 'c', 'd'], [UNIT, BOOL, finTy(4), REAL]);
    const f = build('lit', [], (b) =>
      b.struct([b.unit(), b.lit(true, BOOL), b.lit(3, finTy(4)), b.real(-0)], t),
    );
    const r = interpret(f, []) as Val[];
    expect(r.slice(0, 3)).toEqual([null, true, 3]);
    expect(Object.is(r[3], -0)).toBe(true);
  });
});

describe('for loops', () => {
  it('runs the body for each index and collects ret', () => {
    const f = build('squares', [REAL], (b, c) =>
      b.forLoop(4, (i) => {
        const x = b.index(b.vec([b.real(0), b.real(1), b.real(2), b.real(3)], vecTy(4, REAL)), i);
        return b.prim('mul', [b.prim('mul', [x, x]), c]);
      }),
    );
    expect(interpret(f, [2])).toEqual([0, 2, 8, 18]);
  });

  it('ret may be the index or a variable defined outside the body', () => {
    const idx = build('iota', [], (b) => b.forLoop(3, (i) => i));
    expect(interpret(idx, [])).toEqual([0, 1, 2]);
    const outer = build('fill', [REAL], (b, x) => b.forLoop(2, () => x));
    expect(interpret(outer, [5])).toEqual([5, 5]);
  });

  it('nests', () => {
    const f = build('table', [], (b) =>
      b.forLoop(2, (i) => b.forLoop(3, (j) => b.prim('iadd', [b.prim('imod', [i], finTy(3)), j]))),
    );
    expect(interpret(f, [])).toEqual([
      [0, 1, 2],
      [1, 2, 3],
    ]);
  });

  it('never runs the body when n = 0', () => {
    let calls = 0;
    const effect = opaque('effect', 1, (x) => (calls++, x));
    const f = build('empty', [REAL], (b, x) => b.forLoop(0, () => b.call(effect, [x])));
    expect(interpret(f, [1])).toEqual([]);
    expect(calls).toBe(0);
    const g = build('three', [REAL], (b, x) => b.forLoop(3, () => b.call(effect, [x])));
    expect(interpret(g, [1])).toEqual([1, 1, 1]);
    expect(calls).toBe(3);
  });
});

describe('calls', () => {
  it('calls transparent functions, also inside loops', () => {
    const sq = build('sq', [REAL], (b, x) => b.prim('mul', [x, x]));
    const sumsq = build('sumsq', [REAL, REAL], (b, x, y) =>
      b.prim('add', [b.call(sq, [x]), b.call(sq, [y])]),
    );
    expect(interpret(sumsq, [3, 4])).toBe(25);
    const f = build('loop', [vecTy(3, REAL)], (b, v) =>
      b.forLoop(3, (i) => b.call(sumsq, [b.index(v, i), b.real(1)])),
    );
    expect(interpret(f, [[1, 2, 3]])).toEqual([2, 5, 10]);
  });

  it('calls opaque functions with their numbers', () => {
    const zero = opaque('k', 0, () => 42);
    const one = opaque('sin', 1, Math.sin);
    const two = opaque('sub', 2, (x, y) => x - y);
    const three = opaque('fma', 3, (x, y, z) => x * y + z);
    const f = build('ops', [REAL, REAL, REAL], (b, x, y, z) =>
      b.vec(
        [b.call(zero, []), b.call(one, [x]), b.call(two, [x, y]), b.call(three, [x, y, z])],
        vecTy(4, REAL),
      ),
    );
    expect(interpret(f, [2, 3, 4])).toEqual([42, Math.sin(2), -1, 10]);
    expect(interpret(two, [5, 1])).toBe(4);
  });

  it('handles deep call chains and long straight-line code', () => {
    let f: Func = build('leaf', [REAL], (b, x) => b.prim('add', [x, b.real(1)]));
    for (let k = 0; k < 20000; k++) {
      const g = f;
      f = build(`c${k}`, [REAL], (b, x) => b.call(g, [x]));
    }
    expect(interpret(f, [1])).toBe(2);
    const long = build('long', [REAL], (b, x) => {
      let acc = x;
      for (let k = 0; k < 1_000_000; k++) acc = b.prim(k % 2 ? 'mul' : 'add', [acc, x]);
      return acc;
    });
    let expected = 1.0001;
    for (let k = 0; k < 1_000_000; k++) expected = k % 2 ? expected * 1.0001 : expected + 1.0001;
    expect(interpret(long, [1.0001])).toBe(expected);
  });

  it('checks the number of arguments', () => {
    const f = build('id', [REAL], (_b, x) => x);
    expect(thrown(() => interpret(f, [])).code).toBe('arity');
  });
});

describe('accumulators', () => {
  it('accum/add/resolve on a scalar', () => {
    const f = build('sum', [vecTy(3, REAL)], (b, v) => {
      const acc = b.accum(b.real(0));
      b.forLoop(3, (i) => b.add(acc, b.index(v, i)));
      return b.resolve(acc);
    });
    expect(interpret(f, [[1, 2, 3.5]])).toBe(6.5);
  });

  it('accum copies bool/fin/unit leaves and zeroes floats; add leaves them unchanged', () => {
    const t = structTy(['b', 'i', 'u', 'x'], [BOOL, finTy(4), UNIT, vecTy(2, REAL)]);
    const f = build('copy', [t, t], (b, shape, addend) => {
      const acc = b.accum(shape);
      b.add(acc, addend);
      b.add(acc, addend);
      return b.resolve(acc);
    });
    expect(interpret(f, [[true, 3, null, [5, 6]], [false, 1, null, [1, 2]]])).toEqual([
      true,
      3,
      null,
      [2, 4],
    ]);
  });

  it('slice and field alias their parent', () => {
    const t = structTy(['p', 'v'], [REAL, vecTy(3, REAL)]);
    const f = build('alias', [t, finTy(3)], (b, shape, i) => {
      const acc = b.accum(shape);
      const v = b.field(acc, 1);
      b.add(b.slice(v, i), b.real(2));
      b.add(b.slice(v, i), b.real(3));
      b.add(b.field(acc, 0), b.real(7));
      const ones = b.vec([b.real(1), b.real(1), b.real(1)], vecTy(3, REAL));
      b.add(acc, b.struct([b.real(1), ones], t));
      return b.resolve(acc);
    });
    expect(interpret(f, [[100, [100, 100, 100]], 1])).toEqual([8, [1, 6, 1]]);
  });

  it('a ref passed to a called function aliases', () => {
    const v3 = vecTy(3, REAL);
    const scatter = build('scatter', [refTy(v3), finTy(3), REAL], (b, r, i, x) => {
      b.add(b.slice(r, i), x);
      return b.unit();
    });
    const f = build('caller', [v3], (b, shape) => {
      const acc = b.accum(shape);
      b.forLoop(3, (i) => b.call(scatter, [acc, i, b.real(1.5)]));
      b.call(scatter, [acc, b.lit(2, finTy(3)), b.real(10)]);
      return b.resolve(acc);
    });
    expect(interpret(f, [[9, 9, 9]])).toEqual([1.5, 1.5, 11.5]);
  });

  it('resolve returns a copy that later adds do not change', () => {
    const v2 = vecTy(2, REAL);
    const f = build('snap', [v2], (b, x) => {
      const acc = b.accum(x);
      b.add(acc, x);
      const first = b.resolve(acc);
      b.add(acc, x);
      return b.struct([first, b.resolve(acc)], structTy(['a', 'b'], [v2, v2]));
    });
    expect(interpret(f, [[1, 2]])).toEqual([
      [1, 2],
      [2, 4],
    ]);
  });

  it('accepts an accumulator made by `accumulator` as an argument', () => {
    const t = vecTy(2, REAL);
    const bwd = build('bwd', [refTy(t), REAL], (b, r, ct) => {
      b.add(b.slice(r, b.lit(1, finTy(2))), ct);
      return b.unit();
    });
    const acc: Accumulator = accumulator(t, [4, 4]);
    expect(interpret(bwd, [acc, 3])).toBe(null);
    expect(interpret(bwd, [acc, 0.5])).toBe(null);
    const got = acc.get();
    expect(got).toEqual([0, 3.5]);
    (got as number[])[1] = 100;
    expect(acc.get()).toEqual([0, 3.5]);
  });
});

describe('errors', () => {
  it('index out of range is invalid-value and names the function', () => {
    const f = build('pick', [vecTy(3, REAL), finTy(3)], (b, v, i) => b.index(v, i));
    const err = thrown(() => interpret(f, [[1, 2, 3], 5]));
    expect(err.code).toBe('invalid-value');
    expect(err.message).toBe('index 5 out of range for a vector of size 3 (in function pick)');
  });

  it('slice out of range is invalid-value', () => {
    const f = build('sl', [vecTy(2, REAL), finTy(2)], (b, v, i) => {
      b.add(b.slice(b.accum(v), i), b.real(1));
      return b.unit();
    });
    const err = thrown(() => interpret(f, [[1, 2], 2]));
    expect(err.code).toBe('invalid-value');
    expect(err.message).toContain('in function sl');
  });

  it('out-of-range index inside a callee names the callee', () => {
    const inner = build('inner', [vecTy(2, REAL), finTy(2)], (b, v, i) => b.index(v, i));
    const outer = build('outer', [vecTy(2, REAL), finTy(2)], (b, v, i) => b.call(inner, [v, i]));
    expect(thrown(() => interpret(outer, [[1, 2], 7])).message).toContain('(in function inner)');
  });

  it('interprets the same function again after an error', () => {
    const f = build('again', [vecTy(1, REAL), finTy(1)], (b, v, i) => b.index(v, i));
    thrown(() => interpret(f, [[1], 3]));
    expect(interpret(f, [[1], 0])).toBe(1);
  });
});
