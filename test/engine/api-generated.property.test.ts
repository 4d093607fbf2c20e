/**
 * @file Generated programs written with the public API (test/helpers/api-gen.ts), against a
 * plain-JS evaluation of the same program that does not use the engine:
 * - values by `interp` and `compileSync`;
 * - gradients by `grad` (several parameters), `valueAndGrad`, `vjp` inside a `fn` and `jvp` in
 *   Rose's dual layout, against central finite differences of the JS evaluation, and the
 *   compiled gradient against the interpreted one;
 * - second derivatives by `hessian` (forward over reverse): symmetric, equal to finite
 *   differences of the gradient and to reverse over reverse, compiled equal to interpreted;
 * - `compileValueAndGradSync` (the optimizers' zero-copy entry) equal to interpreted;
 * - a user error thrown at any operation of a body (in a loop, a cond branch, a vjp) leaves no
 *   trace state behind: the next program traces and runs right.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Real,
  Vec,
  compileSync,
  compileValueAndGradSync,
  fn,
  grad,
  hessian,
  interp,
  jvp,
  mul,
  pprint,
  sum,
  valueAndGrad,
  vjp,
} from '../../engine/index.ts';
import {
  API_PARAMS,
  BINARY,
  UNARY,
  apiProgramArb,
  floatsArb,
  programBody,
  referenceProgram,
  symbolicOps,
  traceProgram,
  type ApiProgramSpec,
  type Ops,
} from '../helpers/api-gen.ts';
import { assertClose, checkProperty, finiteDiff, tame, unitsArb } from '../helpers/gradcheck.ts';

/** The flat inputs: x (3), p.a, p.b (2), s; the index parameter k is drawn separately. */
const N = 7;

/** Unflatten `z` into the programs' arguments `(x, p, k, s)`. */
function argsOf(z: readonly number[], k: number): [number[], { a: number; b: number[] }, number, number] {
  return [[z[0]!, z[1]!, z[2]!], { a: z[3]!, b: [z[4]!, z[5]!] }, k, z[6]!];
}

/** Flatten the gradients `[gx, gp, gs]` of the three float parameters. */
function flatGrad([gx, gp, gs]: readonly unknown[]): number[] {
  const p = gp as { a: number; b: number[] };
  return [...(gx as number[]), p.a, ...p.b, gs as number];
}

/** A point: 7 floats (see `floatsArb`) and an index below 3. */
const pointArb = fc.tuple(floatsArb(N), fc.nat(2));

const describeCase = ([spec]: readonly [ApiProgramSpec, ...unknown[]]) => pprint(traceProgram(spec));

/**
 * Return `o` whose `at`-th operation (counting every call of any of them, from 0) throws
 * `planted`, and a function returning how many operations ran so far.
 */
function throwingAt<T, I>(o: Ops<T, I>, at: number): { ops: Ops<T, I>; count: () => number } {
  let count = 0;
  const wrap = <F extends (...args: never[]) => unknown>(f: F): F =>
    ((...args: Parameters<F>) => {
      if (count++ === at) throw new Error('planted');
      return f(...args);
    }) as F;
  const each = <R extends Record<string, (...args: never[]) => unknown>>(r: R): R =>
    Object.fromEntries(Object.entries(r).map(([k, f]) => [k, wrap(f)])) as R;
  const { unary, binary, ...rest } = o;
  const ops = { ...each(rest as unknown as Record<string, (...args: never[]) => unknown>), unary: each(unary), binary: each(binary) };
  return { ops: ops as unknown as Ops<T, I>, count: () => count };
}

/**
 * Return `f` as a function of one `Vec(7, Real)` (index `k` fixed), calling it with vector and
 * struct literals built from the vector's elements.
 */
function flatProgram(f: ReturnType<typeof traceProgram>, k: number) {
  return fn([Vec(N, Real)], Real, (w) => f([w[0]!, w[1]!, w[2]!], { a: w[3]!, b: [w[4]!, w[5]!] }, k, w[6]!));
}

/** Relative tolerance of compiled against interpreted results (wasm math is within 1 ulp of Math.*). */
const COMPILED = { rtol: 1e-9, atol: 1e-9 };

describe('generated programs written with the public API', () => {
  it('cover the API: every math function, select, cond, loops, reductions, index arithmetic, calls and derivatives, also inside loops', () => {
    const text = fc
      .sample(apiProgramArb(), { seed: 1, numRuns: 150 })
      .map((spec) => pprint(traceProgram(spec)))
      .join('\n');
    const want = [
      ...[...UNARY, ...BINARY, 'lt', 'gt', 'and', 'or', 'not', 'iadd', 'imod', 'argmax', 'argmin'].map((p) => ` = ${p} `),
      ...[' ? ', ' = if ', ' = for ', ' = accum ', ' += ', ' = resolve '],
      ...['grad_fn_', 'value_and_grad_fn_', 'fwd_bwd_jvp_fn_', 'opaque fn', 'custom jvp', ': {a: real, b: vec<2, real>} = {a: '],
    ];
    expect(want.filter((w) => !text.includes(w))).toEqual([]);
    // inside a loop of the program (indented 4), and two loops deep (indented 6)
    const nested = [
      /\n {4}x\d+: [^\n]* = (grad|value_and_grad|fwd_bwd_jvp)_fn_\d+\(/,
      /\n {4}x\d+: real = fn_\d+\(/,
      /\n {4}x\d+: real = opaque_\d+\(/,
      /\n {4}x\d+: real = if /,
      /\n {6}x\d+: /,
    ];
    expect(nested.filter((r) => !r.test(text)).map(String)).toEqual([]);
  });

  it('interp and compileSync agree with a plain-JS evaluation', () => {
    const stats = checkProperty(
      fc.tuple(apiProgramArb(), pointArb),
      ([spec, [z, k]]) => {
        const ref = referenceProgram(spec)(...argsOf(z, k));
        if (!tame([ref])) return 'skip';
        const f = traceProgram(spec);
        const args = argsOf(z, k);
        assertClose([interp(f)(...args) as number], [ref], { rtol: 1e-12, atol: 1e-12 }, 'interp vs JS');
        assertClose([compileSync(f)(...args) as number], [ref], COMPILED, 'compiled vs JS');
      },
      describeCase,
      { numRuns: 150 },
    );
    expect(stats.runs - stats.skipped).toBeGreaterThan(0);
  });

  it('grad, valueAndGrad and vjp agree with finite differences of the JS evaluation', () => {
    const stats = checkProperty(
      fc.tuple(apiProgramArb(), pointArb, unitsArb()),
      ([spec, [z, k], dirs]) => {
        const reference = referenceProgram(spec);
        const F = (w: readonly number[]) => [reference(...argsOf(w, k))];
        if (!tame(F(z))) return 'skip';
        const d = dirs.slice(0, N);
        const fd = finiteDiff(F, z, d);
        if (!fd.smooth) return 'skip';
        const f = traceProgram(spec);
        const args = argsOf(z, k);
        const g = flatGrad(interp(grad(f, [0, 1, 3]))(...args) as unknown[]);
        if (!tame(g, 1e8)) return 'skip';
        const slope = g.reduce((acc, gi, i) => acc + gi * d[i]!, 0);
        assertClose([slope], fd.fd, { rtol: 1e-5, atol: 1e-7 + 100 * fd.noise }, '<grad, d> vs finite differences');
        assertClose(flatGrad(compileSync(grad(f, [0, 1, 3]))(...args) as unknown[]), g, COMPILED, 'compiled grad vs interp');
        // forward mode in Rose's dual layout: each float becomes {re, du}
        const dual = (i: number) => ({ re: z[i]!, du: d[i]! });
        const fwd = interp(jvp(f))([dual(0), dual(1), dual(2)], { a: dual(3), b: [dual(4), dual(5)] }, k, dual(6)) as { re: number; du: number };
        assertClose([fwd.re, fwd.du], [F(z)[0]!, slope], { rtol: 1e-9, atol: 1e-12 }, 'jvp (value, tangent) vs (f, <grad, d>)');
        // valueAndGrad of one parameter; vjp of another inside a fn body, with a cotangent
        const vg = interp(valueAndGrad(f, 3))(...args) as { value: number; grad: number };
        assertClose([vg.value, vg.grad], [F(z)[0]!, g[6]!], { rtol: 1e-12, atol: 1e-12 }, 'valueAndGrad');
        const pull = fn([...API_PARAMS, Real], API_PARAMS[1], (x, p, kk, s, ct) => vjp(f, 1)(x, p, kk, s).grad(ct));
        const gp = interp(pull)(...args, 0.75) as { a: number; b: number[] };
        assertClose([gp.a, ...gp.b], g.slice(3, 6).map((v) => 0.75 * v), { rtol: 1e-12, atol: 1e-12 }, 'vjp inside fn');
      },
      describeCase,
      { numRuns: 150 },
    );
    expect(stats.runs - stats.skipped).toBeGreaterThan(0);
  });

  it('leave no trace state behind when the body throws, wherever it throws', () => {
    const stats = checkProperty(
      fc.tuple(apiProgramArb(), fc.nat(200), apiProgramArb(), pointArb),
      ([spec, at, next, [z, k]]) => {
        const counting = throwingAt(symbolicOps(spec), -1);
        fn(API_PARAMS, Real, (x, p, kk, s) => programBody(counting.ops, spec, x, p, kk, s));
        // a user error at one of the operations: in a loop body, a cond branch, a vjp, ...
        const { ops } = throwingAt(symbolicOps(spec), at % counting.count());
        expect(() => fn(API_PARAMS, Real, (x, p, kk, s) => programBody(ops, spec, x, p, kk, s))).toThrow('planted');
        expect(() => mul(1, 2)).toThrow('no `fn` context found');
        const ref = referenceProgram(next)(...argsOf(z, k));
        if (!tame([ref])) return 'skip';
        assertClose([interp(traceProgram(next))(...argsOf(z, k)) as number], [ref], { rtol: 1e-12, atol: 1e-12 }, 'the next program');
      },
      describeCase,
      { numRuns: 150 },
    );
    expect(stats.runs - stats.skipped).toBeGreaterThan(0);
  });

  it("compileValueAndGradSync, the optimizers' zero-copy entry, agrees with interp", () => {
    const stats = checkProperty(
      fc.tuple(apiProgramArb(), pointArb),
      ([spec, [z, k]]) => {
        const flat = flatProgram(traceProgram(spec), k);
        const value = interp(flat)(z) as number;
        const g = interp(grad(flat))(z) as number[];
        if (!tame([value]) || !tame(g, 1e8)) return 'skip';
        const h = compileValueAndGradSync(flat);
        try {
          h.x.set(z);
          const got = h.evaluate();
          assertClose([got, ...h.gradient], [value, ...g], COMPILED, 'compiled value and gradient vs interp');
        } finally {
          h.dispose();
        }
      },
      describeCase,
      { numRuns: 100 },
    );
    expect(stats.runs - stats.skipped).toBeGreaterThan(0);
  });

  it('hessian is symmetric, matches finite differences of grad and reverse over reverse', () => {
    const stats = checkProperty(
      fc.tuple(apiProgramArb(8), pointArb, unitsArb()),
      ([spec, [z, k], dirs]) => {
        const flat = flatProgram(traceProgram(spec), k);
        const gradFlat = interp(grad(flat));
        const G = (w: readonly number[]) => gradFlat([...w]) as number[];
        if (!tame([interp(flat)(z) as number]) || !tame(G(z), 1e6)) return 'skip';
        const d = dirs.slice(0, N);
        const fd = finiteDiff(G, z, d);
        if (!fd.smooth) return 'skip';
        const H = interp(hessian(flat))(z) as number[][];
        if (!tame(H.flat(), 1e8)) return 'skip';
        const scale = Math.max(1, ...H.flat().map(Math.abs));
        for (let i = 0; i < N; i++)
          assertClose(H[i]!.map((_, j) => H[j]![i]!), H[i]!, { rtol: 1e-9, atol: 1e-9 * scale }, `Hessian row ${i} symmetric`);
        const Hd = H.map((row) => row.reduce((acc, h, j) => acc + h * d[j]!, 0));
        assertClose(Hd, fd.fd, { rtol: 1e-5, atol: 1e-7 + 100 * fd.noise }, 'H d vs finite differences of grad');
        // reverse over reverse: the gradient of <grad f(w), d>
        const inner = fn([Vec(N, Real), Vec(N, Real)], Real, (w, dir) => {
          const gw = grad(flat)(w);
          return sum(N, (i) => mul(gw[i]!, dir[i]!));
        });
        const rr = interp(grad(inner))(z, d) as number[];
        assertClose(rr, Hd, { rtol: 1e-9, atol: 1e-9 * scale }, 'reverse over reverse vs hessian');
        const Hc = compileSync(hessian(flat))(z) as number[][];
        assertClose(Hc.flat(), H.flat(), { rtol: 1e-8, atol: 1e-8 * scale }, 'compiled hessian vs interp');
      },
      describeCase,
      { numRuns: 60 },
    );
    expect(stats.runs - stats.skipped).toBeGreaterThan(0);
  });
});
