/**
 * @file The optional optimizing tier (engine/wasm/optimize.ts): binaryen loaded lazily and only
 * on request (a missing binaryen, a synchronous compile before `loadOptimizer()`), results of
 * optimized modules identical bit for bit (`Object.is` on every leaf) to the unoptimized ones on
 * IEEE edge cases, on generated programs and their gradients, and on gradients of small
 * workloads; binaryen's global options untouched; binaryen kept out of the rollup bundle.
 */
import { describe, it, expect, vi } from 'vitest';
import fc from 'fast-check';
import {
  Real,
  Vec,
  abs,
  add,
  ceil,
  cos,
  div,
  exp,
  floor,
  fn,
  geq,
  gt,
  iadd,
  ilt,
  imod,
  log,
  lt,
  mul,
  neg,
  opaque,
  select,
  sign,
  sin,
  sqrt,
  sub,
  sum,
  tanh,
  trunc,
  valueAndGrad,
  type Fn,
} from '../../../engine/index.ts';
import { RoseError } from '../../../engine/errors.ts';
import { pprint } from '../../../engine/ir/pprint.ts';
import type { Func } from '../../../engine/ir/types.ts';
import { grad } from '../../../engine/trace/autodiff.ts';
import { funcOf, makeFn } from '../../../engine/trace/fn.ts';
import { fromVal } from '../../../engine/trace/run.ts';
import { compileValueAndGrad, compileValueAndGradSync } from '../../../engine/wasm/compile-grad.ts';
import { compile, compileSync, prepare } from '../../../engine/wasm/compile.ts';
import { loadOptimizer, optimizeModule, optimizerLoaded } from '../../../engine/wasm/optimize.ts';
import { GEN_VARIANTS, buildProgram, programArb, type ProgramSpec } from '../../helpers/gen.ts';
import { POOL_FLOATS, argsFromPool, checkProperty, poolArb, type Pool } from '../../helpers/gradcheck.ts';
import { sameValue } from './compile-harness.ts';

/** Floats where IEEE 754 rewrites would show: signed zeros, NaN, infinities, subnormals. */
const SPECIAL = [-0, 0, NaN, Infinity, -Infinity, 5e-324, -1e-310, 1e308, -1.5, 0.5, 2, -3];

type AnyFn = (...args: unknown[]) => unknown;

/** Return the error `work` throws or rejects with (fails if it does not). */
async function errorOf(work: () => unknown): Promise<Error> {
  try {
    await work();
  } catch (e) {
    return e as Error;
  }
  return expect.fail('expected an error');
}

/** Return `call()`'s result, or its error code if it throws a `RoseError`. */
function outcome(call: () => unknown): unknown {
  try {
    return call();
  } catch (e) {
    if (e instanceof RoseError) return { error: e.code };
    throw e;
  }
}

/** Assert that `func` compiled with and without `optimize: true` agree bit for bit on `args`. */
function sameOptimized(func: Func, args: readonly unknown[]): void {
  const f = makeFn(func) as never;
  const plain = compileSync(f) as unknown as AnyFn;
  const fast = compileSync(f, { optimize: true }) as unknown as AnyFn;
  sameValue(outcome(() => fast(...args)), outcome(() => plain(...args)), 0);
}

/** The JS arguments of `func` read from `pool`. */
function jsArgs(func: Func, pool: Pool): unknown[] {
  return argsFromPool(func.paramTypes, pool).map((v, i) => fromVal(func.paramTypes[i]!, v, 'test'));
}

/** A pool of special floats (and small integers for bools and indices). */
const specialPoolArb: fc.Arbitrary<Pool> = fc.record({
  floats: fc.array(fc.constantFrom(...SPECIAL), { minLength: POOL_FLOATS, maxLength: POOL_FLOATS }),
  ints: fc.array(fc.nat(1000), { minLength: 8, maxLength: 8 }),
});

describe('loading binaryen', () => {
  // Runs first: binaryen is not loaded yet in this file's module instance.
  it('a synchronous compile before loadOptimizer() throws unsupported with the fix', () => {
    expect(optimizerLoaded()).toBe(false);
    const sq = fn([Real], Real, (x) => mul(x, x));
    for (const call of [
      () => compileSync(sq, { optimize: true }),
      () => compileValueAndGradSync(fn([Vec(2, Real)], Real, (v) => mul(v[0]!, v[1]!)), { optimize: true }),
    ]) {
      let err: unknown;
      try {
        call();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RoseError);
      expect((err as RoseError).code).toBe('unsupported');
      expect((err as Error).message).toMatch(/await loadOptimizer\(\)/);
    }
    expect(compileSync(sq)(3)).toBe(9); // without optimize: no binaryen needed
  });

  it('a loader that fails or loads something else rejects with npm install binaryen', async () => {
    const notFound = () => Promise.reject(new Error("Cannot find package 'binaryen'"));
    const gone = await errorOf(() => loadOptimizer(notFound));
    expect(gone).toBeInstanceOf(RoseError);
    expect((gone as RoseError).code).toBe('unsupported');
    expect(gone.message).toMatch(/Cannot find package 'binaryen'/);
    expect(gone.message).toMatch(/npm install binaryen/);
    const other = await errorOf(() => loadOptimizer(async () => ({ default: { version: 1 } })));
    expect(other.message).toMatch(/not binaryen\.js.*npm install binaryen/);
    expect(optimizerLoaded()).toBe(false);
  });

  it('compile(f, { optimize: true }) without binaryen installed says npm install binaryen', async () => {
    // a fresh copy of the engine whose import('binaryen') fails as it does when it is not installed
    vi.doMock('binaryen', () => {
      throw new Error("Cannot find package 'binaryen' imported from optimize.ts");
    });
    vi.resetModules();
    try {
      const api = await import('../../../engine/index.ts');
      const sq = api.fn([api.Real], api.Real, (x) => api.mul(x, x));
      for (const work of [
        () => api.compile(sq, { optimize: true }),
        () => api.compileValueAndGrad(api.fn([api.Vec(1, api.Real)], api.Real, (v) => v[0]!), {
          optimize: true,
        }),
        () => api.loadOptimizer(),
      ]) {
        const err = await errorOf(work);
        expect(err.name).toBe('RoseError');
        expect((err as RoseError).code).toBe('unsupported');
        expect(err.message).toMatch(/optimize: true needs binaryen.*npm install binaryen/);
      }
      expect((await api.compile(sq))(4)).toBe(16);
    } finally {
      vi.doUnmock('binaryen');
      vi.resetModules();
    }
  });

  it('compile(f, { optimize: true }) loads binaryen itself; then compileSync can optimize', async () => {
    const sq = fn([Real], Real, (x) => add(mul(x, x), 1));
    const g = await compile(sq, { optimize: true });
    expect(optimizerLoaded()).toBe(true);
    expect(g(3)).toBe(10);
    await loadOptimizer(); // loaded already: returns at once
    expect(compileSync(sq, { optimize: true })(-2)).toBe(5);
    const prod = fn([Vec(2, Real)], Real, (v) => mul(v[0]!, v[1]!));
    const h = await compileValueAndGrad(prod, { optimize: true });
    h.x.set([3, 5]);
    expect(h.evaluate()).toBe(15);
    expect([...h.gradient]).toEqual([5, 3]);
    h.dispose();
  });

  it('rejects optimize levels binaryen does not have', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    for (const level of [{ level: 5, shrink: 0 }, { level: 2, shrink: -1 }, { level: 1.5, shrink: 0 }])
      expect(() => compileSync(sq, { optimize: level as never })).toThrow(/must be true, false or/);
    expect(compileSync(sq, { optimize: { level: 1, shrink: 2 } })(5)).toBe(25);
  });
});

describe('optimized modules', () => {
  it('are valid, cached per level, and keep imports working (opaque functions)', async () => {
    await loadOptimizer();
    let calls = 0;
    const twice = opaque([Real], Real, (x) => (calls++, 2 * x));
    const f = fn([Vec(3, Real)], Real, (v) => sum(3, (i) => mul(twice(v[i]!), sin(v[i]!))));
    const func = funcOf(f, 'test');
    const plain = compileSync(f)([0.5, -1, 2]);
    expect(calls).toBe(3);
    const opt = compileSync(f, { optimize: true });
    expect(Object.is(opt([0.5, -1, 2]), plain)).toBe(true);
    expect(calls).toBe(6);
    compileSync(f, { optimize: true });
    compileSync(f, { optimize: { level: 2, shrink: 0 } }); // the same level as `true`
    expect(prepare(func).optimized?.size).toBe(1);
    const bytes = prepare(func).artifact.bytes;
    const out = optimizeModule(bytes, 'test');
    expect(WebAssembly.validate(out)).toBe(true);
    expect(out.length).toBeLessThan(bytes.length);
  });

  it('keep the index-out-of-range trap (invalid-value), and the runtime usable after it', async () => {
    await loadOptimizer();
    const f = fn([Vec(3, Real), 3], Real, (v, i) => mul(v[i]!, 2));
    const g = fn([Vec(3, Real), 3], Real, (v, i) => sum(3, (j) => mul(v[j]!, v[iadd(3, i, j)]!)));
    for (const h of [f, g]) {
      const c = compileSync(h, { optimize: true });
      expect(c([1, 2, 3], 0)).toBe(compileSync(h)([1, 2, 3], 0));
      expect(outcome(() => c([1, 2, 3], 5))).toEqual({ error: 'invalid-value' });
      expect(outcome(() => c([1, 2, 3], 2))).toEqual(outcome(() => compileSync(h)([1, 2, 3], 2)));
      expect(c([4, 5, 6], 0)).toBe(compileSync(h)([4, 5, 6], 0));
    }
    const gOpt = compileSync(g, { optimize: true });
    expect(outcome(() => gOpt([1, 2, 3], 1))).toEqual({ error: 'invalid-value' });
  });

  it('preserve signed zeros, NaN, infinities and rounding (IEEE edge cases)', async () => {
    await loadOptimizer();
    const edge = fn([Real, Real], Vec(24, Real), (x, y) => [
      mul(x, 1), mul(1, x), add(x, 0), add(0, x), sub(x, 0), sub(0, x), mul(x, -1), div(x, 1),
      div(x, -1), neg(neg(x)), add(x, -0), mul(x, 0), sub(x, x), div(x, x), div(mul(x, 2), 2),
      sqrt(mul(x, x)), abs(x), sign(x), floor(x), ceil(trunc(x)), sub(add(x, y), y),
      select(lt(x, y), Real, x, y), select(geq(x, x), Real, 1, 0), mul(mul(x, 0.1), 10),
    ]);
    const plain = compileSync(edge);
    const fast = compileSync(edge, { optimize: true });
    for (const x of SPECIAL)
      for (const y of SPECIAL) sameValue(fast(x, y), plain(x, y), 0, `edge(${x}, ${y})`);
    expect(Object.is(fast(-0, 1)[2], 0)).toBe(true); // -0 + 0 = +0, not x
  });

  it('keep fast-math off even if the caller turned it on; binaryen options are restored', async () => {
    await loadOptimizer();
    const binaryen = (await import('binaryen')).default;
    const textOf = (bytes: Uint8Array) => {
      const m = binaryen.readBinary(bytes);
      m.setFeatures(binaryen.Features.All);
      const text = m.emitText();
      m.dispose();
      return text;
    };
    const saved = [binaryen.getFastMath(), binaryen.getOptimizeLevel(), binaryen.getShrinkLevel()] as const;
    binaryen.setFastMath(true);
    binaryen.setOptimizeLevel(3);
    binaryen.setShrinkLevel(2);
    try {
      // control: with fast-math binaryen rewrites x * 1 to x (it differs only in NaN bits)
      const m = new binaryen.Module();
      const x = m.local.get(0, binaryen.f64);
      const body = m.f64.mul(x, m.f64.const(1));
      m.addFunction('f', binaryen.createType([binaryen.f64]), binaryen.f64, [], body);
      m.addFunctionExport('f', 'f');
      m.optimize();
      expect(m.emitText()).not.toMatch(/f64\.mul/);
      m.dispose();
      const f = fn([Real], Real, (y) => mul(y, 1));
      expect(textOf(optimizeModule(prepare(funcOf(f, 'test')).artifact.bytes, 'test'))).toMatch(/f64\.mul/);
      expect(Object.is(compileSync(f, { optimize: true })(-0), -0)).toBe(true);
      const options = [binaryen.getFastMath(), binaryen.getOptimizeLevel(), binaryen.getShrinkLevel()];
      expect(options).toEqual([true, 3, 2]);
    } finally {
      binaryen.setFastMath(saved[0]);
      binaryen.setOptimizeLevel(saved[1]);
      binaryen.setShrinkLevel(saved[2]);
    }
  });

  it.each(GEN_VARIANTS)('agree with the unoptimized module on generated programs%s', async (_, gen) => {
    await loadOptimizer();
    const arb = fc.tuple(programArb(gen), fc.oneof(poolArb(), specialPoolArb));
    checkProperty(
      arb,
      ([spec, pool]) => {
        const { root } = buildProgram(spec);
        sameOptimized(root, jsArgs(root, pool));
      },
      ([spec]) => pprint(buildProgram(spec as ProgramSpec).root),
      { numRuns: 100 },
    );
  });

  it.each(GEN_VARIANTS)('agree with the unoptimized module on gradients of generated programs%s', async (_, gen) => {
    await loadOptimizer();
    const arb = fc.tuple(programArb({ ...gen, rootOut: 'real' }), fc.oneof(poolArb(), specialPoolArb));
    checkProperty(
      arb,
      ([spec, pool]) => {
        const g = funcOf(grad(makeFn(buildProgram(spec).root) as never, 0), 'test');
        sameOptimized(g, jsArgs(g, pool));
      },
      ([spec]) => pprint(buildProgram(spec as ProgramSpec).root),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Small versions of the benchmark's workloads

/** Chained Rosenbrock over `n` variables with `sum` over the index type. */
function rosenbrock(n: number): Fn {
  return fn([Vec(n, Real)], Real, (x) =>
    sum(n, (i) => {
      const j = imod(n, iadd(n, i, 1));
      const a = sub(x[j]!, mul(x[i]!, x[i]!));
      const b = sub(1, x[i]!);
      return select(ilt(n, i, n - 1), Real, add(mul(100, mul(a, a)), mul(b, b)), 0);
    }),
  );
}

/** Overlap energy of `n` unit circles, with a pair `fn` called for every pair. */
function pairwise(n: number): Fn {
  const pair = fn([Real, Real, Real, Real], Real, (xi, yi, xj, yj) => {
    const [dx, dy] = [sub(xi, xj), sub(yi, yj)];
    const o = sub(2, sqrt(add(mul(dx, dx), mul(dy, dy))));
    const h = select(gt(o, 0), Real, o, 0);
    return mul(h, h);
  });
  return fn([Vec(2 * n, Real)], Real, (p) => {
    let e: Real = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) e = add(e, pair(p[2 * i]!, p[2 * i + 1]!, p[2 * j]!, p[2 * j + 1]!));
    return e;
  });
}

/** A 1-4-1 tanh network's mean squared error over 8 points (a `sum`); the weights are the parameters. */
function mlp(): Fn {
  const xs = Array.from({ length: 8 }, (_, k) => k / 4 - 1);
  const ys = xs.map((x) => Math.sin(3 * x));
  const loss = fn([Vec(13, Real), Vec(8, Real), Vec(8, Real)], Real, (w, x, y) =>
    sum(8, (p) => {
      let out: Real = w[12]!;
      for (let j = 0; j < 4; j++) out = add(out, mul(w[8 + j]!, tanh(add(mul(w[j]!, x[p]!), w[4 + j]!))));
      const e = sub(out, y[p]!);
      return div(mul(e, e), 8);
    }),
  );
  return fn([Vec(13, Real)], Real, (w) => loss(w, xs, ys));
}

/** An unrolled chain of math operations on an accumulator. */
function chain(rounds: number): Fn {
  return fn([Vec(4, Real)], Real, (v) => {
    let acc: Real = v[0]!;
    for (let r = 0; r < rounds; r++) {
      const a = add(mul(acc, 0.5), sin(v[r % 4]!));
      acc = tanh(sub(a, mul(cos(a), log(add(exp(mul(a, 0.1)), 1)))));
    }
    return acc;
  });
}

describe('optimized gradients of workloads', () => {
  const cases: [string, () => Fn, number][] = [
    ['rosenbrock (vec/sum)', () => rosenbrock(50), 50],
    ['pairwise (pair fn)', () => pairwise(8), 16],
    ['mlp', mlp, 13],
    ['unrolled chain', () => chain(300), 4],
  ];
  for (const [name, make, n] of cases) {
    it(`${name}: value and gradient equal bit for bit`, async () => {
      await loadOptimizer();
      const f = make();
      const plain = compileValueAndGradSync(f);
      const fast = compileValueAndGradSync(f, { optimize: true });
      const js = compileSync(valueAndGrad(f as never), { optimize: true }) as unknown as AnyFn;
      const points = [
        Array.from({ length: n }, (_, i) => Math.sin(1 + i * 0.7) * 1.3),
        Array.from({ length: n }, (_, i) => SPECIAL[i % SPECIAL.length]!),
        Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -0 : 0.25 * i)),
      ];
      for (const x of points) {
        plain.x.set(x);
        fast.x.set(x);
        const want = { value: plain.evaluate(), grad: [...plain.gradient] };
        sameValue({ value: fast.evaluate(), grad: [...fast.gradient] }, want, 0, name);
        sameValue(js(x), want, 0, `${name} (arrays)`);
      }
      plain.dispose();
      fast.dispose();
    });
  }
});

describe('the bundle', () => {
  it('keeps import("binaryen") external and lazy (never inlined into dist/engine/index.js)', async () => {
    const { rollup } = await import('rollup');
    const config = '../../../rollup.config.js'; // untyped JS: imported through a variable
    const configs = (await import(config)).default as {
      output: Record<string, unknown>[];
    }[];
    const { output: outputs, ...input } = configs[0]!;
    const bundle = await rollup(input as never);
    try {
      for (const out of outputs) {
        const { output } = await bundle.generate(out as never);
        expect(output.map((c) => c.fileName)).toEqual([
          String(out['file']).split('/').pop(),
          ...(out['sourcemap'] ? [`${String(out['file']).split('/').pop()}.map`] : []),
        ]);
        const chunk = output[0];
        expect(chunk.type).toBe('chunk');
        if (chunk.type !== 'chunk') return;
        expect(chunk.imports).not.toContain('binaryen'); // no static import
        expect(chunk.dynamicImports).toEqual(['binaryen']);
        expect(chunk.code).not.toMatch(/BinaryenModuleRead/);
        expect(chunk.code.length).toBeLessThan(1_000_000);
      }
    } finally {
      await bundle.close();
    }
  }, 60_000);
});
