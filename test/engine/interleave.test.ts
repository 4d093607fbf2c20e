/**
 * @file Interleaved gradients (engine/transforms/interleave.ts, merge-passes.ts, vjp.ts
 * `gradPass`): on generated programs the joined forward-backward function is valid IR, gives the
 * gradients of fwd then bwd up to the rounding of reordered sums, and runs bit for bit the same
 * compiled as interpreted; a pair term's forward and backward branches become one branch yielding
 * only the energy, a pair `fn`'s forward and backward calls one call returning a real, and so do
 * a Rose-style `vjp(f)(x).grad(1)`'s (engine/transforms/traced-pairs.ts); chains are left to fwd
 * then bwd.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Real, Vec, add, cond, fn, gt, mul, sin, sqrt, sub, valueAndGrad, vec, vjp, type Real as RealValue } from '../../engine/index.ts';
import { interpret } from '../../engine/interp/interp.ts';
import { check } from '../../engine/ir/check.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import { forEachInstr } from '../../engine/ir/visit.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { emitFusedGrad, fusedGrad, gradPass } from '../../engine/transforms/vjp.ts';
import { GEN_VARIANTS, buildProgram, programArb } from '../helpers/gen.ts';
import {
  argsFromPool,
  assertAgreeUpToRounding,
  checkProperty,
  flatten,
  flattenAll,
  poolArb,
  unflattenAll,
} from '../helpers/gradcheck.ts';
import { gradWrapper, gradWrapperOf } from '../helpers/reverse.ts';
import { checkAgainstInterp } from './wasm/codegen-harness.ts';
import { REAL, varTypeList, type Func, type TransparentFunc } from '../../engine/ir/types.ts';

/** Return the gradient wrapper of `gradWrapper`'s layout, built from `gradPass`. */
function interleavedWrapper(f: Func): TransparentFunc {
  return gradWrapperOf(f, `interleaved_grad_${f.name}`, undefined, (b, args, ct) => emitFusedGrad(b, f, gradPass(f)!, args, ct));
}

/** Return true when `gradPass(f)` interleaves (rather than fusing loops, or leaving fwd then bwd). */
function interleaves(f: Func): boolean {
  return fusedGrad(f) === undefined && gradPass(f) !== undefined;
}

/** Return how many instructions of `kind` `f` has, at any depth. */
function count(f: TransparentFunc, kind: string): number {
  let n = 0;
  forEachInstr(f.body, ({ expr }) => (n += expr.kind === kind ? 1 : 0));
  return n;
}

describe.each(GEN_VARIANTS)('interleaved gradients of generated programs%s', (_, gen) => {
  it('equal fwd then bwd up to rounding, run the same compiled, and are valid IR', () => {
    const interleaving = programArb({ ...gen, rootOut: 'real' }).filter((spec) => interleaves(buildProgram(spec).root));
    const stats = checkProperty(
      fc.tuple(interleaving, poolArb()),
      ([spec, pool]) => {
        const f = buildProgram(spec).root;
        const g = interleavedWrapper(f);
        check(g);
        const templates = argsFromPool(f.paramTypes, pool);
        const ct = unflattenAll([REAL], [0.75])[0]!;
        const run = (h: TransparentFunc, xs: readonly number[]) =>
          flatten(h.retType, interpret(h, [...unflattenAll(f.paramTypes, xs, templates), ct]));
        assertAgreeUpToRounding(
          (xs) => ({ a: run(g, xs), b: run(gradWrapper(f), xs) }),
          flattenAll(f.paramTypes, templates),
          { rtol: 1e-9, atol: 1e-9 },
          'interleaved vs fwd then bwd',
        );
        checkAgainstInterp(g, [...templates, ct]);
      },
      ([spec]) => pprint(buildProgram(spec).root),
    );
    expect(stats.runs).toBeGreaterThan(0);
  });
});

/** The overlap penalty of two circles, a branch taken only when they overlap. */
const pairPenalty = (xi: RealValue, yi: RealValue, xj: RealValue, yj: RealValue, reach: number): RealValue => {
  const [dx, dy] = [sub(xi, xj), sub(yi, yj)];
  const d2 = add(mul(dx, dx), mul(dy, dy));
  return cond(gt(reach * reach, d2), Real, () => {
    const overlap = sub(reach, sqrt(d2));
    return mul(overlap, overlap);
  }, () => 0);
};

/** Return the layout energy of `n` circles of radius 1 over all pairs; with `calls`, the pair term is an fn. */
function layout(n: number, calls: boolean) {
  const pair = calls ? fn([Real, Real, Real, Real], Real, (a, b, c, d) => pairPenalty(a, b, c, d, 2)) : undefined;
  return fn([Vec(2 * n, Real)], Real, (p) => {
    let e: RealValue = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        const args = [p[2 * i]!, p[2 * i + 1]!, p[2 * j]!, p[2 * j + 1]!] as const;
        e = add(e, pair === undefined ? pairPenalty(...args, 2) : pair(...args));
      }
    return e;
  });
}

/** The hand-written gradient of `layout(n)` at `x`. */
function layoutGradient(n: number, x: readonly number[]): number[] {
  const g = x.map(() => 0);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const [dx, dy] = [x[2 * i]! - x[2 * j]!, x[2 * i + 1]! - x[2 * j + 1]!];
      const dist = Math.hypot(dx, dy);
      if (dist >= 2) continue;
      const s = (-2 * (2 - dist)) / dist;
      [g[2 * i], g[2 * i + 1], g[2 * j], g[2 * j + 1]] = [g[2 * i]! + s * dx, g[2 * i + 1]! + s * dy, g[2 * j]! - s * dx, g[2 * j + 1]! - s * dy];
    }
  return g;
}

/** Return the layout energy of `layout(5)` at `x`, interpreted. */
function interpretValue(x: readonly number[]): number {
  return interpret(funcOf(layout(5, false), 'value'), [[...x]]) as number;
}

describe('interleaving a sum of pair terms', () => {
  const n = 5;
  const x = Array.from({ length: 2 * n }, (_, k) => 1.3 * Math.sin(3 * k));

  it('runs each pair forward and backward in one branch, storing no residuals', () => {
    const f = funcOf(layout(n, false), 'layout');
    const g = gradPass(f)!;
    expect(g).toBeDefined();
    check(g);
    // one cond per pair: the forward and backward conds on the same condition merged
    expect(count(g, 'cond')).toBe((n * (n - 1)) / 2);
    // each yields only the pair's energy (cond-results.ts), not fwd's residual bundle
    forEachInstr(g.body, ({ var: v, expr }) => expr.kind === 'cond' && expect(varTypeList(g)[v]).toBe(REAL));
    const [gradient] = interpret(funcOf(valueAndGrad(layout(n, false)), 'test'), [x]) as [number[], number];
    gradient.forEach((v, k) => expect(v).toBeCloseTo(layoutGradient(n, x)[k]!, 12));
  });

  it('calls one joined forward-backward function per pair', () => {
    const f = funcOf(layout(n, true), 'layout');
    const g = gradPass(f)!;
    check(g);
    const callees = new Set<Func>();
    forEachInstr(g.body, ({ expr }) => expr.kind === 'call' && callees.add(expr.func));
    expect(count(g, 'call')).toBe((n * (n - 1)) / 2);
    expect(callees.size).toBe(1);
    const pairFn = [...callees][0] as TransparentFunc;
    expect(count(pairFn, 'call')).toBe(0);
    expect(count(pairFn, 'cond')).toBe(1);
    // it returns the pair's energy as a real (a register in wasm), not the dual {du, re}
    expect(pairFn.retType).toBe(REAL);
    const [gradient] = interpret(funcOf(valueAndGrad(layout(n, true)), 'test'), [x]) as [number[], number];
    gradient.forEach((v, k) => expect(v).toBeCloseTo(layoutGradient(n, x)[k]!, 12));
  });

  it('merges a Rose-style vjp(f)(x).grad(1) inside an fn into one interleaved call', () => {
    const f = layout(n, false);
    const g = fn([Vec(2 * n, Real)], Vec(2 * n, Real), (p) => vjp(f)(p).grad(1));
    const ir = funcOf(g, 'rose-style') as TransparentFunc;
    check(ir);
    const callees = new Set<Func>();
    forEachInstr(ir.body, ({ expr }) => expr.kind === 'call' && callees.add(expr.func));
    expect(callees.size).toBe(1);
    expect([...callees][0]!.name).toMatch(/^fwd_bwd_/);
    const gradient = interpret(ir, [x]) as number[];
    gradient.forEach((v, k) => expect(v).toBeCloseTo(layoutGradient(n, x)[k]!, 12));
    // a cotangent computed from the primal result cannot move before the forward call: no merge
    const h = fn([Vec(2 * n, Real)], Vec(2 * n, Real), (p) => {
      const { ret, grad } = vjp(f)(p);
      return grad(mul(ret, 2));
    });
    const hir = funcOf(h, 'scaled') as TransparentFunc;
    expect(count(hir, 'call')).toBe(2);
    (interpret(hir, [x]) as number[]).forEach((v, k) => expect(v).toBeCloseTo(2 * interpretValue(x) * layoutGradient(n, x)[k]!, 10));
  });

  it('merges two traced pairs in one fn, and none when one forward pass serves two cotangents', () => {
    const f = layout(n, false);
    const sq = fn([Vec(2 * n, Real)], Real, (p) => mul(p[0]!, p[1]!));
    const both = fn([Vec(2 * n, Real)], Vec(2, Real), (p) => [vjp(f)(p).grad(1)[0]!, vjp(sq)(p).grad(3)[1]!]);
    const ir = funcOf(both, 'both') as TransparentFunc;
    check(ir);
    expect(count(ir, 'call')).toBe(2);
    forEachInstr(ir.body, ({ expr }) => expr.kind === 'call' && expect(expr.func.name).toMatch(/^fwd_bwd_/));
    expect(interpret(ir, [x])).toEqual([expect.closeTo(layoutGradient(n, x)[0]!, 12), 3 * x[0]!]);
    const twice = fn([Vec(2 * n, Real)], Vec(2 * n, Real), (p) => {
      const { grad } = vjp(f)(p);
      return vec(2 * n, Real, (i) => add(grad(1)[i]!, grad(2)[i]!));
    });
    const tir = funcOf(twice, 'twice') as TransparentFunc;
    expect(count(tir, 'call')).toBe(3);
    (interpret(tir, [x]) as number[]).forEach((v, k) => expect(v).toBeCloseTo(3 * layoutGradient(n, x)[k]!, 12));
  });

  it('leaves a chain, whose backward pass needs its last step first, to fwd then bwd', () => {
    const chain = fn([Real], Real, (x0) => {
      let y: RealValue = x0;
      for (let k = 0; k < 50; k++) y = sin(add(mul(y, 1.01), 0.1));
      return y;
    });
    expect(gradPass(funcOf(chain, 'chain'))).toBeUndefined();
  });
});
