/**
 * @file A diverging run is never reported as converged: the relative tolerances are scaled by the
 * smallest |f| of the run, not by the current (huge) one.
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, fn, minimize, mul, sub } from '../../../engine/index.ts';

const rosenbrock = fn([Vec(2, Real)], Real, (x) => {
  const a = sub(1, x[0]!);
  const b = sub(x[1]!, mul(x[0]!, x[0]!));
  return add(mul(a, a), mul(100, mul(b, b)));
});

describe('divergence', () => {
  it('gradient descent with too large a step stops on the non-finite value, not as converged', async () => {
    const r = await minimize(rosenbrock, [1.5, -0.5], { method: 'gd', learningRate: 1e-3 });
    expect(r.converged).toBe(false);
    expect(r.reason).toMatch(/^non-finite value at iteration \d+/);
  });

  it('adam with too large a step runs out of iterations instead of stopping as converged', async () => {
    const r = await minimize(rosenbrock, [1.5, -0.5], { method: 'adam', learningRate: 500, maxIterations: 300 });
    expect(r.value).toBeGreaterThan(100);
    expect(r.converged).toBe(false);
    expect(r.reason).toBe('max-iterations');
  });

  it('a converging run still stops on the relative gradient tolerance', async () => {
    const r = await minimize(rosenbrock, [-1.2, 1]);
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
  });
});
