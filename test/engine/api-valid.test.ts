/**
 * @file The public API on valid programs: Rose's behaviours (rose-reference §3, §9) traced and run
 * with the interpreter, plus the math functions and reductions beyond Rose.
 */
import { describe, expect, it } from 'vitest';
import {
  Bool,
  Dual,
  Null,
  Real,
  Tan,
  Vec,
  abs,
  acos,
  add,
  and,
  asin,
  atan,
  atan2,
  cbrt,
  ceil,
  cos,
  cosh,
  div,
  eq,
  exp,
  expm1,
  floor,
  fn as traceFn,
  geq,
  gt,
  hypot,
  iadd,
  ieq,
  iff,
  igeq,
  igt,
  ileq,
  ilt,
  imod,
  ineq,
  interp,
  jvp,
  leq,
  log,
  log1p,
  lt,
  max,
  min,
  mul,
  neg,
  neq,
  not,
  opaque,
  or,
  pow,
  pprint,
  select,
  sign,
  sin,
  sinh,
  sqrt,
  struct,
  sub,
  sum,
  tan,
  tanh,
  trunc,
  vec,
  xor,
  zero,
  type Real as RealValue,
} from '../../engine/index.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import type { Instr, TransparentFunc } from '../../engine/ir/types.ts';
import { check } from '../../engine/ir/check.ts';

/** `fn`, with every traced function (and its jvp, where one exists) run through the IR checker. */
const fn: typeof traceFn = (params, ret, body) => {
  const f = traceFn(params, ret, body);
  check(funcOf(f, 'test'));
  return f;
};

/** Return every instruction of `f`'s body, nested blocks included. */
function instrs(f: Parameters<typeof funcOf>[0]): Instr[] {
  const func = funcOf(f, 'test') as TransparentFunc;
  const out: Instr[] = [];
  const walk = (block: readonly Instr[]) => {
    for (const i of block) {
      out.push(i);
      if (i.expr.kind === 'for') walk(i.expr.body);
    }
  };
  walk(func.body);
  return out;
}

/** Return how many instructions of kind `kind` `f` has. */
function count(f: Parameters<typeof funcOf>[0], kind: string): number {
  return instrs(f).filter((i) => i.expr.kind === kind).length;
}

describe('basics (rose-reference §3.13)', () => {
  it('adds two reals', () => {
    const f = fn([Real, Real], Real, (x, y) => add(x, y));
    expect(interp(f)(2, 2)).toBe(4);
  });

  it('computes relu with select', () => {
    const relu = fn([Real], Real, (x) => select(gt(x, 0), Real, x, 0));
    expect(interp(relu)(3)).toBe(3);
    expect(interp(relu)(-2)).toBe(0);
  });

  it('computes a dot product with sum', () => {
    const dot = fn([Vec(3, Real), Vec(3, Real)], Real, (u, v) => sum(3, (i) => mul(u[i]!, v[i]!)));
    expect(interp(dot)([1, 2, 3], [4, 5, 6])).toBe(32);
  });

  it('destructures vectors and returns literal arrays', () => {
    const swap = fn([Vec(2, Real)], Vec(2, Real), ([x, y]) => [y, x]);
    expect(interp(swap)([1, 2])).toEqual([2, 1]);
    // destructuring emits one index per element, with literal indices
    expect(count(swap, 'index')).toBe(2);
  });

  it('builds vectors with vec', () => {
    const f = fn([Real], Vec(3, Real), (c) => vec(3, Real, () => mul(c, 2)));
    expect(interp(f)(5)).toEqual([10, 10, 10]);
  });

  it('reads struct parameters by destructuring', () => {
    const f = fn([struct({ x: Real, y: Real })], Real, ({ x, y }) => mul(x, y));
    expect(interp(f)({ x: 3, y: 4 })).toBe(12);
    expect(interp(f)({ y: 4, x: 3 })).toBe(12);
  });

  it('uses numbers as index types', () => {
    const f = fn([2, 2], Bool, (i, j) => ilt(2, i, j));
    expect(interp(f)(0, 1)).toBe(true);
    expect(interp(f)(1, 1)).toBe(false);
  });

  it('reduces out-of-range literals with imod', () => {
    const f = fn([], Vec(7, 3), () => [0, 1, 2, 3, 4, 5, 6].map((k) => imod(3, k)));
    expect(interp(f)()).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('adds and compares index values', () => {
    const f = fn([5, 5], Vec(7, Bool), (i, j) => {
      const k = iadd(5, i, j);
      return [ieq(5, k, 4), ineq(5, k, 4), ilt(5, i, j), ileq(5, i, j), igt(5, i, j), igeq(5, i, j), ieq(5, k, iadd(5, j, i))];
    });
    expect(interp(f)(1, 3)).toEqual([true, false, true, true, false, false, true]);
    expect(interp(f)(3, 3)).toEqual([false, true, false, true, false, true, true]);
  });

  it('indexes vectors with index symbols and literal strings', () => {
    const f = fn([Vec(3, Real), 3], Vec(2, Real), (v, i) => [v[i]!, v[2]!]);
    expect(interp(f)([7, 8, 9], 0)).toEqual([7, 9]);
    expect(interp(f)([7, 8, 9], 1)).toEqual([8, 9]);
  });

  it('emits an index for every vector access (no CSE)', () => {
    const f = fn([Vec(2, Real)], Real, (v) => add(v[0]!, v[0]!));
    expect(count(f, 'index')).toBe(2);
  });
});

describe('literals', () => {
  it('caches literal objects by identity per type', () => {
    const xs = [1, 2];
    const f = fn([], Vec(2, Vec(2, Real)), () => [xs, xs]);
    expect(interp(f)()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(count(f, 'vec')).toBe(2); // the inner literal once, the outer once
    const g = fn([], Vec(2, Vec(2, Real)), () => [[1, 2], [1, 2]]);
    expect(count(g, 'vec')).toBe(3);
  });

  it('keeps -0 and 0 apart', () => {
    const f = fn([], Vec(2, Real), () => [sign(-0), sign(0)]);
    expect(interp(f)()).toEqual([-1, 1]);
  });

  it('accepts literal tangents where the type is Tan', () => {
    const f = fn([Real], Dual, (x) => ({ re: x, du: 0 }));
    expect(interp(f)(2)).toEqual({ re: 2, du: 0 });
    const g = fn([Real], Dual, (x) => ({ re: x, du: zero() }));
    expect(interp(g)(2)).toEqual({ re: 2, du: 0 });
  });

  it('re-emits a cached literal when its first use was inside an ended loop', () => {
    const f = fn([Real], Vec(2, Real), (x) => {
      const v = vec(2, Real, () => add(x, 5));
      return [add(v[0]!, 5), v[1]!];
    });
    expect(interp(f)(1)).toEqual([11, 6]);
  });

  it('handles Null and Bool literals and parameters', () => {
    const f = fn([Null, Bool], struct({ n: Null, b: Bool }), (n, b) => ({ n, b: not(b) }));
    expect(interp(f)(null, true)).toEqual({ n: null, b: false });
    const g = fn([], Null, () => null);
    expect(interp(g)()).toBe(null);
  });
});

describe('structs and vectors', () => {
  it('orders struct members by key and returns plain objects', () => {
    const f = fn([Real], struct({ z: Real, a: Vec(2, Real) }), (x) => ({ z: x, a: [x, neg(x)] }));
    expect(interp(f)(3)).toEqual({ a: [3, -3], z: 3 });
    expect(funcOf(f, 'test').retType).toMatchObject({ kind: 'struct', keys: ['a', 'z'] });
  });

  it('nests vec inside vec', () => {
    const outer = fn([Vec(2, Real), Vec(3, Real)], Vec(2, Vec(3, Real)), (u, v) =>
      vec(2, Vec(3, Real), (i) => vec(3, Real, (j) => mul(u[i]!, v[j]!))),
    );
    expect(interp(outer)([1, 2], [3, 4, 5])).toEqual([
      [3, 4, 5],
      [6, 8, 10],
    ]);
  });

  it('sums a nested comprehension', () => {
    const f = fn([Vec(2, Vec(2, Real))], Real, (m) => sum(2, (i) => sum(2, (j) => m[i]![j]!)));
    expect(interp(f)([[1, 2], [3, 4]])).toBe(10);
  });

  it('handles vectors of structs and structs of vectors', () => {
    const P = struct({ x: Real, y: Real });
    const f = fn([Vec(2, P)], struct({ xs: Vec(2, Real), n: 2 }), (ps) => ({
      xs: vec(2, Real, (i) => add(ps[i]!.x, ps[i]!.y)),
      n: 1,
    }));
    expect(interp(f)([{ x: 1, y: 2 }, { x: 3, y: 4 }])).toEqual({ xs: [3, 7], n: 1 });
  });

  it('accepts Float64Array arguments for vectors', () => {
    const f = fn([Vec(3, Real)], Real, (v) => sum(3, (i) => v[i]!));
    expect(interp(f)(new Float64Array([1, 2, 3.5]))).toBe(6.5);
  });

  it('returns vectors of index values', () => {
    const f = fn([3], Vec(2, 3), (i) => [i, 2]);
    expect(interp(f)(1)).toEqual([1, 2]);
  });
});

describe('select on every type', () => {
  const cases: [string, unknown, unknown, unknown][] = [
    ['Null', Null, null, null],
    ['Bool', Bool, true, false],
    ['Real', Real, 1.5, -2],
    ['index', 4, 3, 1],
    ['struct', struct({ a: Real, b: Bool }), { a: 1, b: true }, { a: 2, b: false }],
    ['vector', Vec(2, Real), [1, 2], [3, 4]],
    ['nested', Vec(2, struct({ v: Vec(1, 3) })), [{ v: [2] }, { v: [0] }], [{ v: [1] }, { v: [1] }]],
  ];
  for (const [name, ty, a, b] of cases) {
    it(`selects ${name} values`, () => {
      const f = fn([Bool, ty, ty], ty, (c, x, y) => select(c, ty, x as never, y as never) as never);
      expect(interp(f)(true, a as never, b as never)).toEqual(a);
      expect(interp(f)(false, a as never, b as never)).toEqual(b);
    });
  }

  it('selects between literal and symbolic values', () => {
    const f = fn([Bool, Vec(2, Real)], Vec(2, Real), (c, v) => select(c, Vec(2, Real), v, [0, 0]));
    expect(interp(f)(false, [5, 6])).toEqual([0, 0]);
    expect(interp(f)(true, [5, 6])).toEqual([5, 6]);
  });
});

describe('arithmetic and logic', () => {
  it('computes the arithmetic ops with IEEE semantics', () => {
    const f = fn([Real, Real], Vec(10, Real), (x, y) => [
      add(x, y),
      sub(x, y),
      mul(x, y),
      div(x, y),
      neg(x),
      abs(y),
      sqrt(x),
      ceil(y),
      floor(y),
      trunc(y),
    ]);
    expect(interp(f)(9, -2.5)).toEqual([6.5, 11.5, -22.5, -3.6, -9, 2.5, 3, -2, -3, -2]);
  });

  it('preserves -0 in ceil and abs(-0) = +0', () => {
    const f = fn([Real], Vec(3, Real), (x) => [ceil(x), abs(neg(0)), trunc(x)]);
    const [c, a, t] = interp(f)(-0.5);
    expect(Object.is(c, -0)).toBe(true);
    expect(Object.is(a, 0)).toBe(true);
    expect(Object.is(t, -0)).toBe(true);
  });

  it('computes sign as signum', () => {
    const f = fn([Real], Real, (x) => sign(x));
    const s = interp(f);
    expect(s(-0)).toBe(-1);
    expect(s(0)).toBe(1);
    expect(s(-3)).toBe(-1);
    expect(s(2)).toBe(1);
    expect(s(NaN)).toBeNaN();
  });

  it('compares reals', () => {
    const f = fn([Real, Real], Vec(6, Bool), (x, y) => [eq(x, y), neq(x, y), lt(x, y), leq(x, y), gt(x, y), geq(x, y)]);
    expect(interp(f)(1, 2)).toEqual([false, true, true, true, false, false]);
    expect(interp(f)(2, 2)).toEqual([true, false, false, true, false, true]);
    expect(interp(f)(NaN, 2)).toEqual([false, true, false, false, false, false]);
  });

  it('combines booleans', () => {
    const f = fn([Bool, Bool], Vec(5, Bool), (p, q) => [not(p), and(p, q), or(p, q), iff(p, q), xor(p, q)]);
    expect(interp(f)(true, false)).toEqual([false, false, true, false, true]);
    expect(interp(f)(true, true)).toEqual([false, true, true, true, false]);
  });
});

describe('math beyond Rose', () => {
  const unary: [string, (x: RealValue) => RealValue, (x: number) => number, number[]][] = [
    ['exp', exp, Math.exp, [-1.5, 0, 2]],
    ['log', log, Math.log, [0.5, 1, 7]],
    ['sin', sin, Math.sin, [-1, 0.3, 4]],
    ['cos', cos, Math.cos, [-1, 0.3, 4]],
    ['tan', tan, Math.tan, [-1, 0.3, 1.2]],
    ['asin', asin, Math.asin, [-0.9, 0, 0.5]],
    ['acos', acos, Math.acos, [-0.9, 0, 0.5]],
    ['atan', atan, Math.atan, [-3, 0, 10]],
    ['sinh', sinh, Math.sinh, [-2, 0.1, 3]],
    ['cosh', cosh, Math.cosh, [-2, 0.1, 3]],
    ['tanh', tanh, Math.tanh, [-2, 0.1, 3]],
    ['log1p', log1p, Math.log1p, [-0.5, 1e-10, 3]],
    ['expm1', expm1, Math.expm1, [-0.5, 1e-10, 3]],
    ['cbrt', cbrt, Math.cbrt, [-27, 0.001, 8]],
  ];
  for (const [name, op, ref, xs] of unary) {
    it(`computes ${name} like Math.${name}`, () => {
      const f = interp(fn([Real], Real, (x) => op(x)));
      for (const x of xs) expect(f(x)).toBeCloseTo(ref(x), 14);
    });
  }

  it('computes the binary functions like Math.*', () => {
    const f = fn([Real, Real], Vec(5, Real), (x, y) => [atan2(x, y), pow(x, y), hypot(x, y), min(x, y), max(x, y)]);
    const [a, p, h, lo, hi] = interp(f)(3, 2);
    expect(a).toBeCloseTo(Math.atan2(3, 2), 14);
    expect(p).toBeCloseTo(9, 14);
    expect(h).toBeCloseTo(Math.hypot(3, 2), 14);
    expect([lo, hi]).toEqual([2, 3]);
  });

  it('accepts literal numbers as reals', () => {
    const f = fn([], Vec(2, Real), () => [exp(0), pow(2, 10)]);
    expect(interp(f)()).toEqual([1, 1024]);
  });

  it('reduces with max(n, f) and min(n, f)', () => {
    const f = fn([Vec(4, Real)], Vec(2, Real), (v) => [max(4, (i) => v[i]!), min(4, (i) => mul(v[i]!, v[i]!))]);
    expect(interp(f)([3, -7, 5, 1])).toEqual([5, 1]);
    const func = funcOf(f, 'test') as TransparentFunc;
    const prims = instrs(f).flatMap((i) => (i.expr.kind === 'prim' ? [i.expr.prim] : []));
    expect(prims).toContain('argmax');
    expect(prims).toContain('argmin');
    expect(func.body.length).toBeGreaterThan(0);
  });
});

describe('functions', () => {
  it('keeps calls as calls', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    const f = fn([Real], Real, (x) => add(sq(x), sq(3)));
    expect(interp(f)(2)).toBe(13);
    expect(count(f, 'call')).toBe(2);
    expect(pprint(f)).toContain('mul');
  });

  it('returns struct and vector proxies from calls', () => {
    const polar = fn([Real, Real], struct({ r: Real, v: Vec(2, Real) }), (x, y) => ({
      r: sqrt(add(mul(x, x), mul(y, y))),
      v: [x, y],
    }));
    const f = fn([Real], Real, (t) => {
      const p = polar(t, 4);
      return add(p.r, p.v[1]!);
    });
    expect(interp(f)(3)).toBe(9);
  });

  it('passes reals where tangents are declared (call boundaries erase tangents)', () => {
    const scale = fn([Tan, Real], Tan, (dx, y) => mul(dx, y));
    const f = fn([Real], Real, (x) => add(scale(x, 3), 1));
    expect(interp(f)(2)).toBe(7);
    const total = fn([Vec(2, Tan)], Tan, (v) => add(v[0]!, v[1]!));
    const g = fn([Real], Real, (x) => total([x, 1]));
    expect(interp(g)(2)).toBe(3);
    const sq = fn([Real], Real, (x) => mul(x, x));
    const h = fn([Real, Real], Real, (x, y) => jvp(sq)({ re: x, du: y }).du);
    expect(interp(h)(3, 2)).toBe(12);
  });

  it('runs opaque functions from interp and from bodies', () => {
    const hyp = opaque([Real, Real], Real, (x, y) => Math.hypot(x, y));
    expect(interp(hyp)(3, 4)).toBe(5);
    const f = fn([Real], Real, (x) => mul(hyp(x, 4), 2));
    expect(interp(f)(3)).toBe(10);
  });

  it('never runs a vec(0) body, though it is traced once', () => {
    let calls = 0;
    const tick = opaque([Real], Real, (x) => {
      calls++;
      return x;
    });
    let traced = 0;
    const f = fn([Real], Vec(0, Real), (x) =>
      vec(0, Real, () => {
        traced++;
        return tick(x);
      }),
    );
    expect(traced).toBe(1);
    expect(interp(f)(1)).toEqual([]);
    expect(calls).toBe(0);
    const g = fn([Real], Vec(2, Real), (x) => vec(2, Real, () => tick(x)));
    expect(interp(g)(1)).toEqual([1, 1]);
    expect(calls).toBe(2);
  });

  it('has a setter-only jvp property', () => {
    const f = fn([Real], Real, (x) => x);
    expect(f.jvp).toBeUndefined();
    const d = fn([Dual], Dual, (x) => x);
    f.jvp = d;
    expect(f.jvp).toBeUndefined();
    expect(funcOf(f, 'test').customJvp).toBe(funcOf(d, 'test'));
  });
});

describe('jvp', () => {
  it('differentiates sq at {re: 3, du: 1}', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    expect(interp(jvp(sq))({ re: 3, du: 1 })).toEqual({ re: 9, du: 6 });
  });

  it('maps reals to duals through vectors and structs, keeping other leaves', () => {
    const f = fn([Vec(2, Real), struct({ k: 2, s: Real })], struct({ y: Real, i: 2 }), (v, p) => ({
      y: mul(v[p.k]!, p.s),
      i: p.k,
    }));
    const df = interp(jvp(f));
    const r = df(
      [
        { re: 2, du: 1 },
        { re: 5, du: 0 },
      ],
      { k: 0, s: { re: 3, du: 10 } },
    );
    expect(r).toEqual({ y: { re: 6, du: 3 + 20 }, i: 0 });
  });

  it('uses a custom JVP of an opaque function, and returns it verbatim', () => {
    const sinO = opaque([Real], Real, Math.sin);
    const cosO = opaque([Real], Real, Math.cos);
    sinO.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: sinO(x), du: mul(dx, cosO(x)) }));
    expect(interp(jvp(sinO))({ re: 1, du: 2 })).toEqual({ re: Math.sin(1), du: 2 * Math.cos(1) });
    const f = fn([Real], Real, (x) => mul(sinO(x), 3));
    const r = interp(jvp(f))({ re: 0.5, du: 1 });
    expect(r.re).toBeCloseTo(3 * Math.sin(0.5), 15);
    expect(r.du).toBeCloseTo(3 * Math.cos(0.5), 15);
  });

  it('builds jvp functions that pass the IR checker', () => {
    const f = fn([Vec(2, Real), Bool], Real, (v, b) => select(b, Real, mul(v[0]!, v[1]!), sum(2, (i) => v[i]!)));
    const g = fn([Real], Real, (x) => f([x, 2], true));
    check(funcOf(jvp(g), 'test'));
    expect(interp(jvp(g))({ re: 3, du: 1 })).toEqual({ re: 6, du: 2 });
  });

  it('calls jvp(f) from a body, reading du as a Real', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    const dsq = jvp(sq);
    const f = fn([Real], Real, (x) => {
      const { re, du } = dsq({ re: x, du: 1 });
      return add(re, mul(du, 10));
    });
    expect(interp(f)(3)).toBe(9 + 60);
  });
});
