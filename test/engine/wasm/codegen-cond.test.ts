/**
 * @file Wasm codegen of `cond` against the interpreter, bit for bit: scalar, bool, index, vec and
 * struct results, results defined outside their block, nested conds, conds in loops and loops in
 * conds, locals shared by the two blocks, calls in blocks, accumulators (adds into outer ones,
 * ones made and resolved in a block, ones passed to calls in a block), large programs split into
 * several wasm functions around many conds, and untaken blocks that never run (an opaque counter,
 * an out-of-range index). Generated programs with conds: codegen-cond.property.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, fn, lt, mul, add as addT, opaque, sqrt, sub, sum, vec, select } from '../../../engine/index.ts';
import { FuncBuilder } from '../../../engine/ir/builder.ts';
import { check } from '../../../engine/ir/check.ts';
import { BOOL, REAL, UNIT, finTy, refTy, structTy, vecTy, type Func, type TransparentFunc, type Var } from '../../../engine/ir/types.ts';
import type { Val } from '../../../engine/interp/interp.ts';
import { cond } from '../../../engine/trace/cond.ts';
import { funcOf } from '../../../engine/trace/fn.ts';
import type { FunctionStats } from '../../../engine/wasm/codegen.ts';
import { accOf, build, checkAgainstInterp, compile, expectSame, ifElse } from './codegen-harness.ts';

/** Check `f` (valid IR) compiled against interpreted on each argument list. */
function agree(f: Func, argLists: readonly (readonly Val[])[], opts: { splitThreshold?: number } = {}): void {
  if (f.kind === 'transparent') check(f);
  const c = compile(f, opts);
  for (const args of argLists) checkAgainstInterp(f, args, {}, c);
}

const XS = [-2.5, -0, 0, 0.75, 3, NaN];

describe('cond results', () => {
  it('yields reals, bools and indices from either block', () => {
    const f = build('r', [REAL], (b, x) =>
      ifElse(b, b.prim('lt', [x!, b.real(0)]), REAL, () => b.prim('neg', [b.prim('mul', [x!, x!])]), () => b.prim('sqrt', [x!])),
    );
    agree(f, XS.map((x) => [x]));
    const g = build('b', [REAL, BOOL], (b, x, p) => ifElse(b, p!, BOOL, () => b.prim('lt', [x!, b.real(1)]), () => b.prim('not', [p!])));
    agree(g, [[0, true], [2, true], [0, false]]);
    const i = build('i', [REAL], (b, x) =>
      ifElse(b, b.prim('lt', [x!, b.real(0)]), finTy(300), () => b.lit(7, finTy(300)), () => b.lit(299, finTy(300))),
    );
    agree(i, [[-1], [1]]);
  });

  it('yields vecs and structs, stored by each block, also as the function result and inside a literal', () => {
    const V = vecTy(3, REAL);
    const S = structTy(['a', 'b'], [REAL, V]);
    const f = build('v', [REAL, V], (b, x, v) =>
      ifElse(b, b.prim('lt', [x!, b.real(0)]), V, () => b.vec([x!, x!, b.prim('mul', [x!, x!])], V), () => v!),
    );
    agree(f, [[-1, [1, 2, 3]], [1, [1, 2, 3]]]);
    const g = build('s', [REAL, V], (b, x, v) => {
      const r = ifElse(b, b.prim('lt', [x!, b.real(0)]), S, () => b.struct([x!, v!], S), () => b.zero(S));
      const both = b.struct([b.prim('add', [x!, b.real(1)]), r], structTy(['p', 'q'], [REAL, S]));
      return both;
    });
    agree(g, [[-1, [1, 2, 3]], [1, [1, 2, 3]]]);
  });

  it('yields values defined outside its blocks, and blocks reading values around them', () => {
    const f = build('o', [REAL, REAL, BOOL], (b, x, y, p) => {
      const s = b.prim('add', [x!, y!]);
      const r = ifElse(b, p!, REAL, () => x!, () => b.prim('mul', [s, y!]));
      return b.prim('add', [r, s]);
    });
    agree(f, [[1, 2, true], [1, 2, false]]);
    const V = vecTy(2, REAL);
    const g = build('ov', [V, V, BOOL], (b, u, w, p) => ifElse(b, p!, V, () => u!, () => w!));
    agree(g, [[[1, 2], [3, 4], true], [[1, 2], [3, 4], false]]);
  });

  it('runs a cond kept only for its effect (unit result) and drops one with no effect', () => {
    const f = build('u', [refTy(REAL), REAL], (b, acc, x) => {
      ifElse(b, b.prim('lt', [x!, b.real(0)]), UNIT, () => (b.add(acc!, x!), b.unit()), () => b.unit());
      ifElse(b, b.prim('lt', [x!, b.real(0)]), REAL, () => b.prim('sqrt', [x!]), () => x!); // unused, no effect
      return b.unit();
    });
    check(f);
    const c = compile(f);
    for (const x of [-2, 3]) checkAgainstInterp(f, [accOf(REAL, 1), x], {}, c);
    for (const x of [-2, 3]) {
      const acc = accOf(REAL, 1);
      c.call([acc, x]);
      expect(acc.get()).toBe(x < 0 ? 1 + x : 1);
    }
  });
});

describe('cond nesting', () => {
  it('nests conds in conds, and reuses locals across the two blocks', () => {
    const f = build('n', [REAL, REAL], (b, x, y) =>
      ifElse(b, b.prim('lt', [x!, b.real(0)]), REAL,
        () => ifElse(b, b.prim('lt', [y!, b.real(0)]), REAL, () => b.prim('mul', [x!, y!]), () => b.prim('sub', [x!, y!])),
        () => {
          const t = b.prim('exp', [x!]);
          return ifElse(b, b.prim('lt', [y!, t]), REAL, () => b.prim('add', [t, y!]), () => b.prim('div', [y!, t]));
        },
      ),
    );
    for (const x of [-1, 0.5]) for (const y of [-3, 0.25, 9]) agree(f, [[x, y]]);
  });

  it('runs conds in loops and loops in conds (traced)', () => {
    const f = fn([Vec(4, Real)], Real, (xs) =>
      sum(4, (i) => cond(lt(xs[i]!, 0), Real, () => 0, () => cond(lt(xs[i]!, 1), Real, () => sum(3, () => xs[i]!), () => sub(xs[i]!, 1)))),
    );
    agree(funcOf(f, 't'), [[[-1, 0.5, 3, 0.25]], [[2, 2, -2, 0]]]);
    const h = fn([Real], Vec(3, Real), (x) => cond(lt(x, 0), Vec(3, Real), () => vec(3, Real, () => mul(x, x)), () => [0, x, 0]));
    agree(funcOf(h, 't'), [[-2], [2]]);
    const k = fn([Vec(3, Real)], Vec(3, Vec(2, Real)), (xs) =>
      vec(3, Vec(2, Real), (i) => cond(lt(xs[i]!, 0), Vec(2, Real), () => [xs[i]!, sqrt(mul(xs[i]!, -1))], () => vec(2, Real, () => xs[i]!))),
    );
    agree(funcOf(k, 't'), [[[-4, 1, -9]]]);
  });

  it('reuses the locals of one block in the other (the blocks are alternatives)', () => {
    /** Emit 20 values alive at once, then the sum of their squares. */
    const many = (b: FuncBuilder, x: Var, c: number): Var => {
      const ts = Array.from({ length: 20 }, (_, k) => b.prim('mul', [x, b.real(c + k)]));
      return ts.reduce((s, t) => b.prim('add', [s, b.prim('mul', [t, t])]), b.real(0));
    };
    const localsOf = (f: Func): number => {
      const stats: FunctionStats[] = [];
      compile(f, { stats });
      return stats[0]!.locals;
    };
    const f = build('two', [REAL], (b, x) => ifElse(b, b.prim('lt', [x!, b.real(0)]), REAL, () => many(b, x!, 1), () => many(b, x!, 100)));
    const one = build('one', [REAL], (b, x) => many(b, x!, 1));
    expect(localsOf(one)).toBeGreaterThanOrEqual(20);
    expect(localsOf(f)).toBeLessThanOrEqual(localsOf(one) + 2);
    agree(f, [[-0.5], [0.5]]);
  });

  it('calls functions in blocks (also ones called nowhere else)', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    const pair = fn([Real], Vec(2, Real), (x) => [x, addT(x, 1)]);
    const f = fn([Real], Real, (x) => cond(lt(x, 0), Real, () => sq(x), () => sum(2, (i) => pair(x)[i]!)));
    agree(funcOf(f, 't'), [[-3], [3]]);
  });
});

describe('cond with accumulators', () => {
  it('adds into outer accumulators from a block: f64-held, in memory, and a new one resolved after', () => {
    const V = vecTy(3, REAL);
    const f = build('a', [refTy(REAL), refTy(V), REAL], (b, r, rv, x) => {
      const p = b.prim('lt', [x!, b.real(0)]);
      const local = b.accum(b.real(0));
      const mem = b.accum(b.zero(V));
      ifElse(b, p, UNIT,
        () => {
          b.add(r!, x!);
          b.add(b.slice(rv!, b.lit(1, finTy(3))), b.prim('mul', [x!, x!]));
          b.add(local, x!);
          b.add(b.slice(mem, b.lit(2, finTy(3))), x!);
          return b.unit();
        },
        () => {
          b.add(b.slice(rv!, b.lit(1, finTy(3))), x!);
          b.add(b.slice(rv!, b.lit(1, finTy(3))), x!);
          b.add(local, b.real(5));
          return b.unit();
        },
      );
      b.add(b.slice(rv!, b.lit(1, finTy(3))), b.real(0.5));
      return b.struct([b.resolve(local), b.resolve(mem)], structTy(['l', 'm'], [REAL, V]));
    });
    check(f);
    const c = compile(f);
    for (const x of [-2, 3]) {
      const args = () => [accOf(REAL, 1), accOf(V, [1, 2, 3]), x];
      checkAgainstInterp(f, args(), {}, c);
      const got = args();
      c.call(got);
      expect((got[0] as ReturnType<typeof accOf>).get()).toBe(x < 0 ? 1 + x : 1);
      expect((got[1] as ReturnType<typeof accOf>).get()).toEqual(x < 0 ? [1, 2 + x * x + 0.5, 3] : [1, 2 + 2 * x + 0.5, 3]);
    }
  });

  it('makes, adds into and resolves accumulators inside a block', () => {
    const V = vecTy(2, REAL);
    const f = build('inner', [REAL, V], (b, x, v) => {
      const p = b.prim('lt', [x!, b.real(0)]);
      const r = ifElse(b, p, REAL,
        () => {
          const a = b.accum(b.real(0));
          b.add(a, x!);
          b.add(a, b.prim('mul', [x!, x!]));
          return b.resolve(a);
        },
        () => x!,
      );
      const w = ifElse(b, p, V,
        () => v!,
        () => {
          const a = b.accum(v!);
          b.add(a, v!);
          b.add(b.slice(a, b.lit(1, finTy(2))), r);
          return b.resolve(a);
        },
      );
      return b.struct([r, w], structTy(['r', 'w'], [REAL, V]));
    });
    agree(f, [[-2, [1, 2]], [3, [1, 2]]]);
  });

  it('passes accumulators to calls in a block, without taking them as fresh', () => {
    const V = vecTy(2, REAL);
    const inner = build('inner', [refTy(V), REAL], (b, r, x) => {
      b.add(b.slice(r!, b.lit(0, finTy(2))), x!);
      return b.unit();
    });
    const f = build('outer', [REAL], (b, x) => {
      const acc = b.accum(b.zero(V));
      b.add(b.slice(acc, b.lit(0, finTy(2))), b.real(10));
      ifElse(b, b.prim('lt', [x!, b.real(0)]), UNIT, () => (b.call(inner, [acc, x!]), b.unit()), () => b.unit());
      const fresh = b.accum(b.zero(V));
      b.call(inner, [fresh, x!]);
      return b.struct([b.resolve(acc), b.resolve(fresh)], structTy(['a', 'b'], [V, V]));
    });
    agree(f, [[-2], [3]]);
  });
});

describe('cond and code size', () => {
  /** Return an unrolled chain of `n` conds, each reading values of earlier ones and of its other block's path. */
  function chain(n: number): TransparentFunc {
    const S = structTy(['s', 't'], [REAL, REAL]);
    return build('chain', [vecTy(n, REAL), S], (b, xs, st) => {
      let acc = b.member(st!, 0);
      const early = b.prim('mul', [b.member(st!, 1), b.real(3)]);
      for (let k = 0; k < n; k++) {
        const x = b.index(xs!, b.lit(k, finTy(n)));
        const p = b.prim('lt', [x, b.real(0)]);
        const before = acc;
        acc = ifElse(b, p, REAL,
          () => b.prim('add', [b.prim('mul', [before, b.member(st!, 1)]), early]),
          () => b.prim('sub', [before, b.prim('mul', [x, b.member(st!, 0)])]),
        );
        acc = b.prim('add', [acc, b.member(st!, 1)]);
      }
      return acc;
    });
  }

  it('splits a large program with many conds into several wasm functions, between conds', () => {
    const f = chain(300);
    const stats: FunctionStats[] = [];
    const c = compile(f, { splitThreshold: 200, stats });
    expect(stats.length).toBeGreaterThan(5);
    const xs = Array.from({ length: 300 }, (_, k) => Math.sin(k * 1.7) * (k % 3 === 0 ? -1 : 1));
    for (const s of [[0.5, -0.25], [-1e-3, 0.75]]) {
      checkAgainstInterp(f, [xs, s], {}, c);
      checkAgainstInterp(f, [xs.map((x) => -x), s], {}, c);
    }
    // the same program unsplit computes the same
    const whole = compile(f);
    expectSame(REAL, whole.call([xs, [0.5, -0.25]]), c.call([xs, [0.5, -0.25]]));
  });

  it('splits a large block of a cond into chunks called inside the if, which run only on its path', () => {
    const calls = { n: 0 };
    const spy = opaque([Real], Real, (x: number) => (calls.n++, x));
    const V = vecTy(4, REAL);
    /** Emit a long chain over `xs` starting from `x`, with a call of `spy` in the middle. */
    const long = (b: FuncBuilder, x: Var, xs: Var, c: number): Var => {
      let acc = x;
      for (let k = 0; k < 120; k++) {
        const y = b.index(xs, b.lit(k % 4, finTy(4)));
        acc = b.prim('add', [b.prim('mul', [acc, b.real(c)]), y]);
        if (k === 60) acc = b.call(funcOf(spy, 'spy'), [acc]);
      }
      return b.vec([acc, x, acc, b.prim('neg', [acc])], V);
    };
    const f = build('big', [REAL, V], (b, x, xs) => {
      const y = b.prim('mul', [x!, b.real(3)]);
      const r = ifElse(b, b.prim('lt', [x!, b.real(0)]), V, () => long(b, y, xs!, 0.5), () => long(b, x!, xs!, -0.25));
      return b.prim('add', [b.index(r, b.lit(0, finTy(4))), b.prim('mul', [y, b.index(r, b.lit(3, finTy(4)))])]);
    });
    const stats: FunctionStats[] = [];
    const c = compile(f, { splitThreshold: 100, stats });
    expect(stats.length).toBeGreaterThan(4);
    for (const x of [-1.5, 2]) {
      checkAgainstInterp(f, [x, [1, 2, 3, 4]], {}, c);
      calls.n = 0;
      c.call([x, [1, 2, 3, 4]]);
      expect(calls.n).toBe(1);
    }
  });

  it('never runs the untaken block: an out-of-range index there does not trap', () => {
    const N = finTy(3);
    const f = build('guard', [vecTy(3, REAL), N], (b, xs, i) => {
      const j = b.prim('iadd', [i!, b.lit(1, N)]); // 3 when i = 2: out of range
      return ifElse(b, b.prim('ilt', [i!, b.lit(2, N)]), REAL, () => b.index(xs!, j), () => b.real(-1));
    });
    agree(f, [[[1, 2, 3], 0], [[1, 2, 3], 1], [[1, 2, 3], 2]]);
    expect(compile(f).call([[1, 2, 3], 2])).toBe(-1);
  });

  it('never runs the untaken block: an opaque there is not called', () => {
    const calls = { n: 0 };
    const spy = opaque([Real], Real, (x: number) => (calls.n++, x * 2));
    const f = fn([Vec(5, Real)], Real, (xs) => sum(5, (i) => cond(lt(xs[i]!, 0), Real, () => spy(xs[i]!), () => mul(xs[i]!, 3))));
    const c = compile(funcOf(f, 't'));
    expect(c.call([[1, 2, 3, 4, 5]])).toBe(45);
    expect(calls.n).toBe(0);
    expect(c.call([[1, -2, 3, 4, -5]])).toBe(3 + -4 + 9 + 12 + -10);
    expect(calls.n).toBe(2);
    // `select` runs both sides
    const g = fn([Vec(5, Real)], Real, (xs) => sum(5, (i) => select(lt(xs[i]!, 0), Real, spy(xs[i]!), mul(xs[i]!, 3))));
    calls.n = 0;
    compile(funcOf(g, 't')).call([[1, 2, 3, 4, 5]]);
    expect(calls.n).toBe(5);
  });
});
