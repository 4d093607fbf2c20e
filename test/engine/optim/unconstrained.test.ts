/** @file Unconstrained problems with known minima, each method, through `minimize` (compiled gradients). */
import { describe, expect, it } from 'vitest';
import { minimize, type MinimizeResult } from '../../../engine/index.ts';
import {
  HIMMELBLAU_MINIMA,
  beale,
  himmelblau,
  quadratic,
  rosenbrock,
  rosenbrockStart,
} from './problems.ts';

/** Return the largest |a_i - b_i|. */
function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Expect a converged run near `xStar` with value near `fStar`. */
function expectSolved(r: MinimizeResult, xStar: ArrayLike<number>, fStar: number, tol: number): void {
  expect(r.converged, r.reason).toBe(true);
  expect(distance(r.x, xStar)).toBeLessThan(tol);
  expect(Math.abs(r.value - fStar)).toBeLessThan(tol);
  expect(r.multipliers.length).toBe(0);
  expect(r.gradient.length).toBe(r.x.length);
}

describe('L-BFGS', () => {
  it('solves Rosenbrock 2-D from (-1.2, 1)', async () => {
    const r = await minimize(rosenbrock(2), [-1.2, 1]);
    expectSolved(r, [1, 1], 0, 1e-6);
    expect(r.reason).toBe('gradient-tolerance');
    expect(r.iterations).toBeLessThan(60);
    expect(r.evaluations).toBeGreaterThanOrEqual(r.iterations);
  });

  it('solves Rosenbrock 100-D', async () => {
    const r = await minimize(rosenbrock(100), rosenbrockStart(100), { maxIterations: 3000 });
    expectSolved(r, new Float64Array(100).fill(1), 0, 1e-4);
  });

  it('solves Beale from (1, 1)', async () => {
    const r = await minimize(beale, [1, 1]);
    expectSolved(r, [3, 0.5], 0, 1e-6);
  });

  it('reaches one of the four minima of Himmelblau from several starts', async () => {
    const found = new Set<number>();
    for (const start of [[0, 0], [-1, 1], [-1, -1], [2, -1]]) {
      const r = await minimize(himmelblau, start);
      expect(r.converged).toBe(true);
      expect(r.value).toBeLessThan(1e-10);
      const k = HIMMELBLAU_MINIMA.findIndex((m) => distance(r.x, m) < 1e-4);
      expect(k, `ended at ${[...r.x]}`).toBeGreaterThanOrEqual(0);
      found.add(k);
    }
    expect(found.size).toBeGreaterThan(1);
  });

  it('solves a convex quadratic (tridiagonal, n = 50) to its linear-system solution', async () => {
    const n = 50;
    const b = (i: number) => Math.sin(i + 1);
    const r = await minimize(quadratic(n, b), new Array(n).fill(0), {
      gradientTolerance: 1e-10,
      valueTolerance: 1e-16,
    });
    expect(r.converged).toBe(true);
    // residual of A x = b with A = tridiag(-1, 4, -1)
    for (let i = 0; i < n; i++) {
      const ax = 4 * r.x[i]! - (i > 0 ? r.x[i - 1]! : 0) - (i + 1 < n ? r.x[i + 1]! : 0);
      expect(Math.abs(ax - b(i))).toBeLessThan(1e-7);
    }
    expect(r.iterations).toBeLessThan(50);
  });

  it('honours the history size option', async () => {
    const short = await minimize(rosenbrock(20), rosenbrockStart(20), { history: 2, maxIterations: 5000 });
    expectSolved(short, new Float64Array(20).fill(1), 0, 1e-4);
  });
});

describe('Adam', () => {
  it('solves the convex quadratic', async () => {
    const n = 10;
    const r = await minimize(quadratic(n, () => 1), new Array(n).fill(0), {
      method: 'adam',
      learningRate: 0.01,
      maxIterations: 20000,
    });
    expect(r.converged, r.reason).toBe(true);
    for (let i = 0; i < n; i++) {
      const ax = 4 * r.x[i]! - (i > 0 ? r.x[i - 1]! : 0) - (i + 1 < n ? r.x[i + 1]! : 0);
      expect(Math.abs(ax - 1)).toBeLessThan(1e-4);
    }
  });

  it('solves Rosenbrock 2-D', async () => {
    const r = await minimize(rosenbrock(2), [-1.2, 1], { method: 'adam', learningRate: 0.01, maxIterations: 50000 });
    expect(distance(r.x, [1, 1])).toBeLessThan(1e-3);
  });

  it('reaches a Himmelblau minimum', async () => {
    const r = await minimize(himmelblau, [0, 0], { method: 'adam', learningRate: 0.05, maxIterations: 20000 });
    expect(r.value).toBeLessThan(1e-8);
    expect(HIMMELBLAU_MINIMA.some((m) => distance(r.x, m) < 1e-3)).toBe(true);
  });

  it('stops at maxIterations and says so', async () => {
    const r = await minimize(rosenbrock(2), [-1.2, 1], { method: 'adam', maxIterations: 5 });
    expect(r).toMatchObject({ iterations: 5, reason: 'max-iterations', converged: false });
  });
});

describe('gradient descent with momentum', () => {
  it('solves the convex quadratic', async () => {
    const n = 10;
    const r = await minimize(quadratic(n, (i) => i), new Array(n).fill(0), {
      method: 'gd',
      learningRate: 0.05,
      gradientTolerance: 1e-9,
    });
    expect(r.converged, r.reason).toBe(true);
    for (let i = 0; i < n; i++) {
      const ax = 4 * r.x[i]! - (i > 0 ? r.x[i - 1]! : 0) - (i + 1 < n ? r.x[i + 1]! : 0);
      expect(Math.abs(ax - i)).toBeLessThan(1e-4);
    }
  });

  it('solves Rosenbrock 2-D', async () => {
    const r = await minimize(rosenbrock(2), [-1.2, 1], { method: 'gd', learningRate: 1e-4, maxIterations: 100000 });
    expect(distance(r.x, [1, 1])).toBeLessThan(1e-3);
  });

  it('without momentum is plain gradient descent: one step is x - lr g', async () => {
    const r = await minimize(quadratic(2, () => 1), [0, 0], {
      method: 'gd',
      learningRate: 0.1,
      momentum: 0,
      maxIterations: 1,
    });
    // g(0) = -b = (-1, -1)
    expect([...r.x]).toEqual([0.1, 0.1]);
  });
});
