/**
 * @file Wasm codegen of calls and of the functions the engine derives, against the interpreter
 * bit for bit: shared callees, deep chains and DAGs, callees returning aggregates, accumulators
 * passed to callees (f64 inout, pointers, aliased ones), roots with ref params, and the
 * gradients, value-and-gradients, VJPs and Hessians built by engine/index.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  Bool, Real, Vec, add, cos, div, exp, fn, grad, hessian, jvp, log, mul, select, sin, sqrt, struct, sub, sum, valueAndGrad, vec, vjp, ilt,
} from '../../../engine/index.ts';
import { FuncBuilder } from '../../../engine/ir/builder.ts';
import { REAL, finTy, refTy, structTy, vecTy, type Func, type TransparentFunc } from '../../../engine/ir/types.ts';
import { interpret } from '../../../engine/interp/interp.ts';
import { funcOf } from '../../../engine/trace/fn.ts';
import { generate, type FunctionStats } from '../../../engine/wasm/codegen.ts';
import { accOf, checkAgainstInterp, compile, expectSame } from './codegen-harness.ts';

const ir = (f: unknown): Func => funcOf(f, 'test');

describe('calls', () => {
  it('compiles a shared callee once', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    const f = fn([Real, Real], Real, (x, y) => add(sq(x), sq(add(sq(y), 1))));
    const stats: FunctionStats[] = [];
    generate(ir(f), { stats });
    expect(stats.map((s) => s.name).sort()).toEqual([ir(f).name, ir(sq).name].sort());
    checkAgainstInterp(ir(f), [1.5, -2]);
  });

  it('runs a 16-level call DAG (each level calls the previous twice) and its gradient', () => {
    let g = fn([Real], Real, (x) => sin(x));
    for (let k = 0; k < 16; k++) {
      const h = g;
      g = fn([Real], Real, (x) => add(h(x), mul(0.5, h(mul(x, 0.9)))));
    }
    checkAgainstInterp(ir(g), [0.7]);
    checkAgainstInterp(ir(grad(g)), [0.7]);
    // callee frames share one call area, aggregate results are built in place in the caller:
    // the gradient's frame is about its residuals (2^16 calls), not depth x residuals
    expect(generate(ir(g)).frameSize).toBe(0);
    expect(generate(ir(grad(g))).frameSize).toBeLessThan(2 * 2 ** 20);
  });

  it('runs a chain of 1000 functions', () => {
    let g = fn([Real], Real, (x) => mul(x, 1.0001));
    for (let k = 0; k < 1000; k++) {
      const h = g;
      g = fn([Real], Real, (x) => add(h(x), 1e-3));
    }
    checkAgainstInterp(ir(g), [2]);
  });

  it('passes and returns aggregates; results of several calls stay valid', () => {
    const P = struct({ x: Real, y: Real });
    const mid = fn([P, P], P, (a, b) => ({ x: div(add(a.x, b.x), 2), y: div(add(a.y, b.y), 2) }));
    const f = fn([Vec(3, P)], Vec(2, P), (ps) => {
      const m1 = mid(ps[0]!, ps[1]!);
      const m2 = mid(ps[1]!, ps[2]!);
      return [mid(m1, m2), m1];
    });
    checkAgainstInterp(ir(f), [[{ x: 1, y: 2 }, { x: -3, y: 0.5 }, { x: 7, y: 1e-3 }].map((p) => [p.x, p.y])]);
  });

  it('calls inside loops, with aggregate results copied out per iteration', () => {
    const pair = fn([Real], Vec(2, Real), (x) => [sin(x), cos(x)]);
    const f = fn([Vec(4, Real)], Vec(4, Vec(2, Real)), (xs) => vec(4, Vec(2, Real), (i) => pair(xs[i]!)));
    checkAgainstInterp(ir(f), [[0, 1, 2, 3]]);
  });
});

/** Return `(acc: ref<real>, acc2: ref<vec<2, real>>, x) -> unit` adding into both, with a nested call. */
function adder(): TransparentFunc {
  const inner = new FuncBuilder('inner');
  const a = inner.param(refTy(REAL));
  const y = inner.param(REAL);
  inner.add(a, y);
  inner.add(a, inner.prim('mul', [y, y]));
  const innerF = inner.finish(inner.unit());
  const b = new FuncBuilder('adder');
  const r = b.param(refTy(REAL));
  const v = b.param(refTy(vecTy(2, REAL)));
  const x = b.param(REAL);
  b.add(r, x);
  b.call(innerF, [r, b.prim('mul', [x, b.real(3)])]);
  b.call(innerF, [b.slice(v, b.lit(1, finTy(2))), x]);
  b.add(v, b.vec([x, x], vecTy(2, REAL)));
  return b.finish(b.unit());
}

describe('accumulators across calls', () => {
  it('adds into f64 and pointer accumulators passed to callees, in the interpreter order', () => {
    const g = adder();
    const b = new FuncBuilder('caller');
    const x = b.param(REAL);
    const r = b.accum(b.real(0));
    const v = b.accum(b.zero(vecTy(2, REAL)));
    b.add(r, b.real(1e16)); // large, so a different summation order would show
    b.call(g, [r, v, x]);
    b.forLoop(3, () => b.call(g, [r, v, b.prim('neg', [x])]));
    const out = b.struct([b.resolve(r), b.resolve(v)], structTy(['r', 'v'], [REAL, vecTy(2, REAL)]));
    const f = b.finish(out);
    for (const x0 of [0.1, 3.3, -7]) checkAgainstInterp(f, [x0]);
  });

  it('handles the same accumulator passed twice, and a slice with its parent (ptr variant)', () => {
    const two = new FuncBuilder('two');
    const p = two.param(refTy(REAL));
    const q = two.param(refTy(REAL));
    const z = two.param(REAL);
    two.add(p, z);
    two.add(q, two.prim('mul', [z, two.real(1 / 3)]));
    two.add(p, two.real(1e-17));
    const twoF = two.finish(two.unit());
    const mixed = new FuncBuilder('mixed');
    const whole = mixed.param(refTy(vecTy(2, REAL)));
    const part = mixed.param(refTy(REAL));
    const w = mixed.param(REAL);
    mixed.add(whole, mixed.vec([w, w], vecTy(2, REAL)));
    mixed.add(part, w);
    mixed.call(twoF, [part, mixed.slice(whole, mixed.lit(0, finTy(2))), w]); // two params that may alias
    const mixedF = mixed.finish(mixed.unit());
    const b = new FuncBuilder('aliasing');
    const x = b.param(REAL);
    const r = b.accum(b.real(0));
    b.add(r, b.real(1));
    b.call(twoF, [r, r, x]);
    const v = b.accum(b.zero(vecTy(2, REAL)));
    b.call(mixedF, [v, b.slice(v, b.lit(0, finTy(2))), x]);
    b.call(mixedF, [v, b.slice(v, b.lit(1, finTy(2))), b.prim('mul', [x, x])]);
    const f = b.finish(b.struct([b.resolve(r), b.resolve(v)], structTy(['r', 'v'], [REAL, vecTy(2, REAL)])));
    for (const x0 of [0.1, 1 / 7, -2.5]) checkAgainstInterp(f, [x0]);
    const stats: FunctionStats[] = [];
    generate(f, { stats });
    expect(stats.map((s) => s.name).filter((n) => n.endsWith('[ptr]')).sort()).toEqual(['mixed[ptr]', 'two[ptr]']);
  });

  it('exports roots with ref params as pointers updated in place', () => {
    const g = adder();
    const c = compile(g);
    const [r1, v1] = [accOf(REAL, 0.5), accOf(vecTy(2, REAL), [1, 2])];
    const [r2, v2] = [accOf(REAL, 0.5), accOf(vecTy(2, REAL), [1, 2])];
    interpret(g, [r1, v1, 0.3]);
    c.call([r2, v2, 0.3]);
    expectSame(REAL, r2.get(), r1.get());
    expectSame(vecTy(2, REAL), v2.get(), v1.get());
  });
});

describe('derived functions of the engine', () => {
  const rosen = fn([Vec(2, Real)], Real, ([x, y]) => add(mul(sub(1, x), sub(1, x)), mul(100, mul(sub(y, mul(x, x)), sub(y, mul(x, x))))));
  const energy = fn([Vec(5, Real)], Real, (v) =>
    sum(5, (i) => sum(5, (j) => select(ilt(5, i, j), Real, div(1, sqrt(add(mul(sub(v[i]!, v[j]!), sub(v[i]!, v[j]!)), 0.1))), 0))),
  );

  it('grad, valueAndGrad and vjp of scalar functions', () => {
    checkAgainstInterp(ir(grad(rosen)), [[-1.2, 1]]);
    checkAgainstInterp(ir(valueAndGrad(rosen)), [[0.3, -0.7]]);
    checkAgainstInterp(ir(grad(energy)), [[0.1, 0.5, -0.3, 2, 1.1]]);
    const f = fn([Vec(2, Real)], Vec(2, Real), (v) => {
      const { grad: g } = vjp(rosen)(v);
      return g(2) as never;
    });
    checkAgainstInterp(ir(f), [[0.5, 0.25]]);
  });

  it('Hessians (forward over reverse) and JVPs', () => {
    checkAgainstInterp(ir(hessian(rosen)), [[-1.2, 1]]);
    const soft = fn([Vec(3, Real)], Real, (v) => log(sum(3, (i) => exp(v[i]!))));
    checkAgainstInterp(ir(hessian(soft)), [[0.1, -2, 3]]);
    checkAgainstInterp(ir(jvp(soft)), [[{ re: 1, du: 0.5 }, { re: 2, du: -1 }, { re: 0, du: 0 }].map((d) => [d.du, d.re])]);
  });

  it('gradients with bool and index leaves copied from the input', () => {
    const S = struct({ b: Bool, i: 3, x: Real });
    const f = fn([S], Real, (s) => select(s.b, Real, mul(s.x, s.x), s.x));
    for (const s of [[true, 2, 5], [false, 1, -0]]) checkAgainstInterp(ir(grad(f)), [s]);
  });

  it('gradients of functions calling functions many times in loops', () => {
    const P = struct({ x: Real, y: Real });
    const dist = fn([P, P], Real, (a, b) => sqrt(add(add(mul(sub(a.x, b.x), sub(a.x, b.x)), mul(sub(a.y, b.y), sub(a.y, b.y))), 1e-9)));
    const layout = fn([Vec(6, P)], Real, (ps) => sum(6, (i) => sum(6, (j) => mul(dist(ps[i]!, ps[j]!), dist(ps[i]!, ps[i]!)))));
    const pts = [[0, 1], [2, -1], [0.5, 0.5], [-3, 2], [1, 1], [4, 0]];
    checkAgainstInterp(ir(valueAndGrad(layout)), [pts]);
    checkAgainstInterp(ir(hessian(fn([Vec(2, Real)], Real, (v) => dist({ x: v[0]!, y: v[1]! }, { x: 1, y: 2 })))), [[0.3, 0.4]]);
  });
});
