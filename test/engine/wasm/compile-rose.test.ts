/**
 * @file Rose 0.4.10's own `compile` tests (packages/core/src/index.test.ts), run against our
 * `compile`: calls, opaque imports, shared memory, logic, signum, comprehensions, VJPs, every
 * kind of value in signatures, index arithmetic.
 */
import { describe, expect, test } from 'vitest';
import {
  Bool,
  Dual,
  Null,
  Real,
  Vec,
  add,
  and,
  compile,
  fn,
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
  mul,
  neg,
  not,
  opaque,
  or,
  select,
  sign,
  sqrt,
  struct,
  sub,
  vec,
  vjp,
  xor,
  type Fn,
  type Real as RealValue,
} from '../../../engine/index.ts';

describe("Rose's compile tests", () => {
  test('opaque functions with derivatives', async () => {
    const grad = (f: Fn) => fn([Real], Real, (x) => vjp(f as never)(x).grad(1) as unknown as RealValue);
    const sin = opaque([Real], Real, Math.sin);
    const cos = opaque([Real], Real, Math.cos);
    sin.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: sin(x), du: mul(dx, cos(x)) }));
    cos.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: cos(x), du: mul(dx, neg(sin(x))) }));
    let f: Fn = sin;
    f = grad(f);
    expect((await compile(f as never))(1)).toBeCloseTo(Math.cos(1));
    f = grad(f);
    expect(interp(f as never)(1)).toBeCloseTo(-Math.sin(1));
    f = cos;
    expect((await compile(f as never))(1)).toBeCloseTo(Math.cos(1));
    f = grad(grad(f));
    expect((await compile(f as never))(1)).toBeCloseTo(-Math.cos(1));
  });

  test('compile', async () => {
    const f1 = fn([Real], Real, (x) => sqrt(x));
    const f2 = fn([Real, Real], Real, (x, y) => mul(x, f1(y)));
    const f3 = fn([Real, Real], Real, (x, y) => mul(f1(x), y));
    const f = fn([Real, Real], Real, (x, y) => sub(f2(x, y), f3(x, y)));
    const g = await compile(f);
    expect(g(2, 3)).toBeCloseTo(-0.7785390719815313);
  });

  test('compile with shared memory', async () => {
    const pageSize = 65536;
    const memory = new WebAssembly.Memory({ initial: 0 });
    expect(memory.buffer.byteLength).toBe(0);
    const f = fn([Vec(2, Real)], Real, ([x, y]) => mul(x!, y!));
    const fCompiled = await compile(f, { memory });
    expect(memory.buffer.byteLength).toBe(pageSize);
    expect(fCompiled([2, 3])).toBe(6);
    const n = 10000;
    const g = fn([Vec(n, Real), Vec(n, Real)], Vec(n, Real), (a, b) =>
      vec(n, Real, (i) => mul(a[i]!, b[i]!)),
    );
    const gCompiled = await compile(g, { memory });
    expect(memory.buffer.byteLength).toBeGreaterThan(pageSize);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < n; ++i) {
      a.push(i);
      b.push(1 / i);
    }
    const c = gCompiled(a, b);
    expect(c).toEqual(a.map((x, i) => x * b[i]!)); // 1 up to rounding, NaN at 0 * (1 / 0)
    // both functions work in the grown memory
    expect(fCompiled([4, 5])).toBe(20);
  });

  test('compile opaque function', async () => {
    const f = opaque([Real], Real, Math.sin);
    const g = await compile(f);
    expect(g(1)).toBe(Math.sin(1));
  });

  test('compile calls to multiple opaque functions', async () => {
    const sin = opaque([Real], Real, Math.sin);
    const cos = opaque([Real], Real, Math.cos);
    const g = await compile(fn([Real], Real, (x) => sub(sin(x), cos(x))));
    expect(g(1)).toBe(Math.sin(1) - Math.cos(1));
  });

  test('compile opaque and transparent calls together', async () => {
    const log = opaque([Real], Real, Math.log);
    const f = fn([Real], Real, (x) => add(log(x), sqrt(x)));
    const g = fn([Real], Real, (x) => add(f(x), x));
    expect((await compile(g))(1)).toBeCloseTo(Math.log(1) + Math.sqrt(1) + 1);
  });

  test('compile array', async () => {
    const f = fn([Vec(2, Real)], Real, ([x, y]) => mul(x!, y!));
    const g = fn([Real, Real], Real, (x, y) => f([x, y]));
    expect((await compile(g))(2, 3)).toBe(6);
  });

  test('compile null array', async () => {
    const f = fn([Vec(2, Null)], Null, (v) => v[1]!);
    const g = fn([], Real, () => {
      f([null, null]);
      return 42;
    });
    expect((await compile(g))()).toBe(42);
  });

  test('compile struct', async () => {
    const f = fn([{ x: Real, y: Real }], Real, ({ x, y }) => mul(x, y));
    const g = fn([Real, Real], Real, (x, y) => f({ x, y }));
    expect((await compile(g))(2, 3)).toBe(6);
  });

  test('compile logic', async () => {
    const f = fn([Vec(3, Bool)], Bool, ([p, q, r]) =>
      iff(and(or(p!, not(q!)), xor(r!, q!)), or(not(p!), and(q!, r!))),
    );
    const g = fn([Bool, Bool, Bool], Real, (p, q, r) => select(f([p, q, r]), Real, -1, -2));
    const h = await compile(g);
    const want = [-2, -2, -2, -1, -2, -2, -1, -2];
    let k = 0;
    for (const p of [true, false])
      for (const q of [true, false]) for (const r of [true, false]) expect(h(p, q, r)).toBe(want[k++]);
  });

  test('compile signum', async () => {
    const g = await compile(fn([Real], Real, (x) => sign(x)));
    expect(g(-2)).toBe(-1);
    expect(g(-0)).toBe(-1);
    expect(g(0)).toBe(1);
    expect(g(2)).toBe(1);
    expect(g(NaN)).toBeNaN(); // ours is signum (Rose's wasm gives ±1)
  });

  test('compile select', async () => {
    const g = await compile(fn([Bool, Real, Real], Real, (p, x, y) => select(p, Real, x, y)));
    expect(g(true, 2, 3)).toBe(2);
    expect(g(false, 5, 7)).toBe(7);
  });

  test('compile vector comprehension', async () => {
    const f = fn([Real, Vec(3, Real)], Vec(3, Real), (c, v) => vec(3, Real, (i) => mul(c, v[i]!)));
    const g = fn([Real, Real, Real, Real], Real, (c, x, y, z) => {
      const v = f(c, [x, y, z]);
      return add(add(v[0]!, v[1]!), v[2]!);
    });
    expect((await compile(g))(2, 3, 5, 7)).toBe(30);
  });

  test('compile empty vector comprehension', async () => {
    let i = 0;
    const f = opaque([], Real, () => ++i);
    const g = fn([], Real, () => {
      vec(0, Real, () => f());
      return 0;
    });
    (await compile(g))();
    expect(i).toBe(0);
  });

  test('compile VJP', async () => {
    const f = fn(
      [Vec(2, struct({ p: Bool, x: Real }))],
      { p: Vec(2, Bool), x: Vec(2, Real) },
      (v) => ({
        p: vec(2, Bool, (i) => not(v[i]!.p)),
        x: vec(2, Real, (i) => {
          const { p, x } = v[i]!;
          return select(p, Real, mul(x, x), x);
        }),
      }),
    );
    const g = fn([Bool, Real, Bool, Real], Real, (p1, x1, q1, y1) => {
      const { ret, grad } = vjp(f)([
        { p: p1, x: x1 },
        { p: q1, x: y1 },
      ]);
      const [x2, y2] = ret.x;
      const v = grad({ p: [true, false], x: [2, 3] } as never) as never as { x: RealValue }[];
      const [{ x: x3 }, { x: y3 }] = v as [{ x: RealValue }, { x: RealValue }];
      return mul(sub(x3, y2!), sub(y3, x2!));
    });
    const h = await compile(g);
    expect(h(true, 2, true, 3)).toBe(-14);
    expect(h(true, 5, false, 7)).toBe(-286);
    expect(h(false, 11, true, 13)).toBe(-11189);
    expect(h(false, 17, false, 19)).toBe(238);
  });

  test('compile VJP with call', async () => {
    const f = fn([Real], Real, (x) => x);
    const g = fn([Real], Real, (x) => f(x));
    const h = fn([Real], Real, (x) => vjp(g)(x).ret);
    expect((await compile(h))(1)).toBe(1);
  });

  test('compile VJP with opaque call', async () => {
    const exp = opaque([Real], Real, Math.exp);
    exp.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => {
      const y = exp(x);
      return { re: y, du: mul(dx, y) };
    });
    const g = fn([Real], Real, (x) => exp(x));
    const h = fn([Real], Real, (x) => vjp(g)(x).ret);
    expect((await compile(h))(1)).toBe(Math.E);
  });

  test('compile nulls, booleans and null arrays in signatures', async () => {
    expect((await compile(fn([Null], Null, (x) => x)))(null)).toBe(null);
    const not1 = await compile(fn([Bool], Bool, (p) => not(p)));
    expect(not1(true)).toBe(false);
    expect(not1(false)).toBe(true);
    expect((await compile(fn([Vec(2, Null)], Vec(2, Null), (v) => v)))([null, null])).toEqual([null, null]);
  });

  test('compile byte index arrays in signature', async () => {
    const n = 256;
    const f = fn([Vec(3, n), Vec(3, 3)], Vec(3, n), (v, i) => vec(3, n, (j) => v[i[j]!]!));
    expect((await compile(f))([12, 221, 234], [1, 2, 0])).toEqual([221, 234, 12]);
  });

  test('compile structs, zero-sized members and nested structs in signatures', async () => {
    const Pair = struct({ x: Real, y: Real });
    const f = fn([Pair], Pair, ({ x, y }) => ({ x: y, y: x }));
    expect((await compile(f))({ x: 2, y: 3 })).toEqual({ x: 3, y: 2 });
    const Stuff = struct({ a: Null, b: 0, c: 0, d: Null });
    const g = fn([Stuff], Stuff, ({ a, b, c, d }) => ({ a: d, b: c, c: b, d: a }));
    const stuff = { a: null, b: 0, c: 0, d: null };
    expect((await compile(g))(stuff)).toEqual(stuff);
    const Nested = struct({ p: Bool, q: Pair });
    const h = fn([Nested], Nested, ({ p, q }) => ({ p: not(p), q: { x: q.y, y: q.x } }));
    expect((await compile(h))({ p: true, q: { x: 2, y: 3 } })).toEqual({ p: false, q: { x: 3, y: 2 } });
  });

  test('compile big structs in signature', async () => {
    const M = 300;
    const N = 70000;
    const S = struct({
      a: Real, b: N, c: Real, d: Null, e: Bool, f: M, g: N, h: Null, i: Bool, j: Bool, k: Real,
      l: Null, m: N, n: N, o: M, p: Null, q: Null, r: Real, s: Real, t: Real, u: Real,
    });
    const f = fn([S], S, (x) => ({
      a: x.t, b: x.m, c: x.k, d: x.p, e: x.e, f: x.f, g: x.n, h: x.l, i: x.j, j: x.i, k: x.a,
      l: x.d, m: x.g, n: x.b, o: x.o, p: x.h, q: x.q, r: x.s, s: x.c, t: x.r, u: x.u,
    }));
    const x = {
      a: 0, b: 1, c: 2, d: null, e: false, f: 3, g: 4, h: null, i: true, j: false, k: 5, l: null,
      m: 6, n: 7, o: 8, p: null, q: null, r: 9, s: 10, t: 11, u: 12,
    };
    expect((await compile(f))(x)).toEqual(interp(f)(x));
  });

  test('compile matrix gradient', async () => {
    const T = Vec(1, Vec(1, Real));
    const f = fn([T], Null, () => null);
    const g = fn([], T, () => vjp(f)([[0]]).grad(null) as never);
    expect((await compile(g))()).toEqual([[0]]);
  });

  test('compile gradient with dynamic index', async () => {
    const T = struct({ v: Vec(1, Real), i: 1 });
    const f = fn([T], Real, ({ v, i }) => v[i]!);
    const g = fn([T], T, (x) => vjp(f)(x).grad(1) as never);
    expect((await compile(g))({ v: [2], i: 0 })).toEqual({ v: [1], i: 0 });
  });

  test('index comparison, addition and modulus', async () => {
    const cmp = fn([2, 2], { neq: Bool, lt: Bool, leq: Bool, eq: Bool, gt: Bool, geq: Bool }, (i, j) => ({
      neq: ineq(2, i, j),
      lt: ilt(2, i, j),
      leq: ileq(2, i, j),
      eq: ieq(2, i, j),
      gt: igt(2, i, j),
      geq: igeq(2, i, j),
    }));
    const c = await compile(cmp);
    for (const [i, j] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) expect(c(i, j)).toEqual(interp(cmp)(i, j));
    const sum = await compile(fn([3, 3], 3, (i, j) => iadd(3, i, j)));
    expect([sum(0, 0), sum(0, 1), sum(0, 2), sum(1, 0), sum(1, 1), sum(2, 0)]).toEqual([0, 1, 2, 1, 2, 2]);
    const mods = fn([], Vec(7, 3), () => [0, 1, 2, 3, 4, 5, 6].map((k) => imod(3, k)));
    expect((await compile(mods))()).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });
});
