/**
 * @file Constrained problems: Hock-Schittkowski 6, 7, 71 and a circle-packing layout, by the
 * augmented Lagrangian (default) and by Penrose's quadratic penalty method; solutions, values,
 * feasibility, and the KKT conditions with the returned multipliers.
 */
import { describe, expect, it } from 'vitest';
import {
  Real,
  Vec,
  add,
  compileSync,
  fn,
  grad,
  minimize,
  mul,
  sub,
  type Fn,
  type MinimizeResult,
} from '../../../engine/index.ts';
import {
  HS6,
  HS7,
  HS71,
  circlePacking,
  largestOverlap,
  type ConstrainedProblem,
} from './problems.ts';

/**
 * Run `p` with `constraintMethod`. The penalty method stops a round on a small change of value,
 * as Penrose does, so its end point (and its multiplier estimates `rho c`) moves with the
 * rounding of the gradient; a tight value tolerance makes its rounds end stationary, which the
 * KKT check below needs.
 */
function solve(p: ConstrainedProblem, constraintMethod: 'augmented-lagrangian' | 'penalty'): Promise<MinimizeResult> {
  const valueTolerance = constraintMethod === 'penalty' ? 1e-15 : undefined;
  return minimize(p.f, p.x0, { constraints: p.constraints, bounds: p.bounds, constraintMethod, valueTolerance });
}

/** Return the gradient of a Real-valued fn of one vector at `x` (compiled). */
function gradientAt(f: Fn, x: Float64Array): number[] {
  return compileSync(grad(f as never) as never)([...x] as never) as unknown as number[];
}

/**
 * Return the KKT residual of the bound-projected Lagrangian gradient
 * `grad f + sum multipliers_i grad c_i`: zero on free parameters; on a parameter at its lower
 * (upper) bound only a negative (positive) entry counts.
 */
function kktResidual(p: ConstrainedProblem, r: MinimizeResult): number {
  const g = gradientAt(p.f, r.x);
  let k = 0;
  for (const c of p.constraints) {
    const gc = gradientAt(c.fn, r.x);
    for (let i = 0; i < g.length; i++) g[i]! += r.multipliers[k]! * gc[i]!;
    k++;
  }
  let worst = 0;
  g.forEach((gi, i) => {
    const [lo, hi] = p.bounds?.[i] ?? [-Infinity, Infinity];
    const atLower = Math.abs(r.x[i]! - lo) < 1e-6;
    const atUpper = Math.abs(r.x[i]! - hi) < 1e-6;
    const counted = atLower ? Math.min(gi, 0) : atUpper ? Math.max(gi, 0) : gi;
    worst = Math.max(worst, Math.abs(counted));
  });
  return worst;
}

describe.each(['augmented-lagrangian', 'penalty'] as const)('%s', (method) => {
  // the penalty method reaches feasibility only to about (multiplier / weight)
  const tol = method === 'penalty' ? 1e-4 : 1e-6;

  it.each([HS6, HS7, HS71])('solves $name', async (p) => {
    const r = await solve(p, method);
    expect(r.converged, r.reason).toBe(true);
    expect(r.reason).toBe('converged');
    for (let i = 0; i < p.xStar.length; i++) expect(Math.abs(r.x[i]! - p.xStar[i]!)).toBeLessThan(tol * 100);
    expect(Math.abs(r.value - p.fStar)).toBeLessThan(tol * 100);
    expect(r.violation).toBeLessThanOrEqual(1e-6);
    expect(r.multipliers.length).toBe(p.constraints.length);
    expect(kktResidual(p, r)).toBeLessThan(method === 'penalty' ? 1e-2 : 1e-4);
  });

  it('packs circles without overlap', async () => {
    const k = 6;
    const p = circlePacking(k);
    const r = await solve(p, method);
    expect(r.converged, r.reason).toBe(true);
    expect(largestOverlap(r.x, k)).toBeLessThan(1e-5);
    expect(r.multipliers.length).toBe((k * (k - 1)) / 2);
    expect(Math.min(...r.multipliers)).toBeGreaterThanOrEqual(0);
    // the circles touch: some non-overlap constraint is active
    expect(largestOverlap(r.x, k)).toBeGreaterThan(-1e-3);
  });
});

describe('augmented Lagrangian multipliers', () => {
  it('HS7: lambda = 1 / (2 sqrt 3) for the equality', async () => {
    const r = await solve(HS7, 'augmented-lagrangian');
    expect(r.multipliers[0]).toBeCloseTo(1 / (2 * Math.sqrt(3)), 5);
  });

  it('HS71: a non-negative multiplier on the active inequality, complementary slackness', async () => {
    const r = await solve(HS71, 'augmented-lagrangian');
    const product = r.x[0]! * r.x[1]! * r.x[2]! * r.x[3]!;
    expect(r.multipliers[0]).toBeGreaterThan(0);
    expect(Math.abs(product - 25)).toBeLessThan(1e-5); // active
    expect(r.x[0]).toBeCloseTo(1, 6); // on its lower bound
  });

  it('an inactive inequality gets a zero multiplier', async () => {
    const loose = { ...HS6, constraints: [...HS6.constraints, { type: 'ineq' as const, fn: circleFar }] };
    const r = await solve(loose, 'augmented-lagrangian');
    expect(r.converged).toBe(true);
    expect(r.multipliers[1]).toBe(0);
  });

  it('beats the penalty method on gradient evaluations at the same or better accuracy (HS7)', async () => {
    const al = await solve(HS7, 'augmented-lagrangian');
    const pen = await solve(HS7, 'penalty');
    expect(al.evaluations).toBeLessThan(pen.evaluations);
    expect(Math.abs(al.value - HS7.fStar)).toBeLessThanOrEqual(Math.abs(pen.value - HS7.fStar) + 1e-12);
  });
});

/** x1^2 + x2^2 - 100 <= 0: inactive near (1, 1). */
const circleFar = fn([Vec(2, Real)], Real, ([a, b]) => sub(add(mul(a!, a!), mul(b!, b!)), 100));
