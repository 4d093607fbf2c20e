/**
 * @file Box bounds (solutions on a bound, per method) and the stepping API: step, state,
 * setParameter / setParameters, freeze, reset, and the method's memory reset.
 */
import { describe, expect, it } from 'vitest';
import {
  compileValueAndGradSync,
  createMinimizer,
  minimize,
  objectiveFromCompiled,
  objectiveFromJs,
} from '../../../engine/index.ts';
import { beale, quadratic, rosenbrock, rosenbrockStart } from './problems.ts';

describe('bounds', () => {
  it.each(['lbfgs', 'adam', 'gd'] as const)('%s: Rosenbrock with x1 <= 0.5 ends on the bound', async (method) => {
    const extra = method === 'lbfgs' ? {} : { learningRate: method === 'adam' ? 0.01 : 1e-3, maxIterations: 50000 };
    const r = await minimize(rosenbrock(2), [-1.2, 1], { method, bounds: [[-2, 0.5], [-Infinity, Infinity]], ...extra });
    // on x1 = 0.5 the best x2 is 0.25
    expect(r.x[0]).toBe(0.5);
    expect(r.x[1]).toBeCloseTo(0.25, method === 'lbfgs' ? 7 : 3);
    expect(r.gradient[0]).toBeLessThan(0); // pointing out of the box: the bound is active
  });

  it('lower bounds active on several parameters of a quadratic', async () => {
    // minimum of 0.5 x'Ax - b'x with b = (i - 5): some entries negative; require x >= 0
    const n = 10;
    const b = (i: number) => i - 5;
    const bounds = Array.from({ length: n }, () => [0, Infinity] as const);
    const r = await minimize(quadratic(n, b), new Array(n).fill(1), { bounds });
    expect(r.converged, r.reason).toBe(true);
    for (let i = 0; i < n; i++) {
      expect(r.x[i]).toBeGreaterThanOrEqual(0);
      // KKT: gradient zero where free, non-negative where on the bound
      if (r.x[i]! > 1e-9) expect(Math.abs(r.gradient[i]!)).toBeLessThan(1e-5);
      else expect(r.gradient[i]).toBeGreaterThan(-1e-5);
    }
    expect(r.x[0]).toBe(0);
    expect(r.x[n - 1]).toBeGreaterThan(0);
  });

  it('a start outside the box is projected into it', async () => {
    const r = await minimize(beale, [10, 10], { bounds: [[0, 4], [0, 1]] });
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(3, 5);
    expect(r.x[1]).toBeCloseTo(0.5, 5);
  });

  it('an interval of one point fixes the parameter', async () => {
    const r = await minimize(rosenbrock(2), [-1.2, 1], { bounds: [[2, 2], [-Infinity, Infinity]] });
    expect(r.x[0]).toBe(2);
    expect(r.x[1]).toBeCloseTo(4, 6);
  });
});

/** A compiled Rosenbrock objective for the stepping tests. */
function rosen(n: number) {
  return objectiveFromCompiled(compileValueAndGradSync(rosenbrock(n)));
}

describe('stepping API', () => {
  it('step(k) advances k iterations and reports the state', () => {
    const m = createMinimizer(rosen(2), [-1.2, 1]);
    expect(m.state).toMatchObject({ iteration: 0, evaluations: 1, done: false, reason: 'running' });
    expect(m.state.value).toBeCloseTo(24.2, 10);
    const s = m.step(5);
    expect(s.iteration).toBe(5);
    expect(s.value).toBeLessThan(24.2);
    expect(s.x).toHaveLength(2);
    const end = m.step(1000);
    expect(end).toMatchObject({ done: true, converged: true, reason: 'gradient-tolerance' });
    expect(m.step(10).iteration).toBe(end.iteration); // nothing happens once done
  });

  it('a start at the minimum stops at once on the gradient tolerance', () => {
    const s = createMinimizer(rosen(2), [1, 1]).step(10);
    expect(s).toMatchObject({ iteration: 0, evaluations: 1, converged: true, reason: 'gradient-tolerance' });
  });

  it('the state is a snapshot', () => {
    const m = createMinimizer(rosen(2), [-1.2, 1]);
    const s = m.state;
    m.step(3);
    expect([...s.x]).toEqual([-1.2, 1]);
  });

  it('setParameter moves a parameter, re-evaluates, and resets the memory', () => {
    const m = createMinimizer(rosen(2), [-1.2, 1]);
    m.step(1000);
    expect(m.state.done).toBe(true);
    m.setParameter(0, -1.5);
    const s = m.state;
    expect(s.done).toBe(false);
    expect(s.x[0]).toBe(-1.5);
    expect(s.value).toBeCloseTo(6.25 + 100 * (1 - 2.25) ** 2, 6);
    const end = m.step(1000);
    expect(end.converged).toBe(true);
    expect(end.x[0]).toBeCloseTo(1, 6);
  });

  it('setParameter respects the bounds, setParameters sets all', () => {
    const m = createMinimizer(rosen(2), [0, 0], { bounds: [[-1, 1], [-1, 1]] });
    m.setParameter(1, 7);
    expect(m.state.x[1]).toBe(1);
    m.setParameters([0.25, -3]);
    expect([...m.state.x]).toEqual([0.25, -1]);
    m.freeze(0);
    m.setParameter(0, -5); // a frozen parameter is clamped too, and stays frozen there
    expect(m.step(100).x[0]).toBe(-1);
  });

  it('a frozen parameter keeps its value while the others are optimized', () => {
    const m = createMinimizer(rosen(2), [-1.2, 1]);
    m.freeze(0);
    const s = m.step(1000);
    expect(s.x[0]).toBe(-1.2);
    expect(s.x[1]).toBeCloseTo(1.44, 6); // best x2 for x1 = -1.2
    expect(s.converged).toBe(true);
    m.freeze(0, false);
    const t = m.step(1000);
    expect(t.x[0]).toBeCloseTo(1, 6);
  });

  it('setParameter on a frozen parameter moves it and keeps it frozen', () => {
    const m = createMinimizer(rosen(2), [-1.2, 1]);
    m.freeze(0);
    m.setParameter(0, 2);
    const s = m.step(1000);
    expect(s.x[0]).toBe(2);
    expect(s.x[1]).toBeCloseTo(4, 6);
  });

  it('freeze works with adam and gd too', () => {
    for (const method of ['adam', 'gd'] as const) {
      const m = createMinimizer(rosen(2), [-1.2, 1], { method, learningRate: 1e-3 });
      m.freeze(1);
      const s = m.step(50);
      expect(s.x[1]).toBe(1);
      expect(s.x[0]).not.toBe(-1.2);
    }
  });

  it('reset starts again from x0 (or a new start), frozen parameters kept', () => {
    const m = createMinimizer(rosen(3), rosenbrockStart(3));
    const first = m.step(1000);
    m.reset();
    expect(m.state).toMatchObject({ iteration: 0, evaluations: 1, done: false });
    expect([...m.state.x]).toEqual(rosenbrockStart(3));
    const again = m.step(1000);
    expect([...again.x]).toEqual([...first.x]); // deterministic
    m.freeze(2);
    m.reset([0, 0, 0]);
    expect([...m.state.x]).toEqual([0, 0, first.x[2]]);
  });

  it('rejects bad indices and values', () => {
    const m = createMinimizer(rosen(2), [0, 0]);
    expect(() => m.setParameter(2, 1)).toThrow(/out of range/);
    expect(() => m.setParameter(0, NaN)).toThrow(/not a finite number/);
    expect(() => m.freeze(-1)).toThrow(/out of range/);
    expect(() => m.setParameters([1])).toThrow(/length 1/);
  });

  it('an L-BFGS memory reset makes the next step steepest descent', () => {
    // after setParameters the first step is along -g scaled to at most 1 per entry
    const calls: number[][] = [];
    const f = objectiveFromJs(2, (x, g) => {
      calls.push([x[0]!, x[1]!]);
      g[0] = 2 * x[0]!;
      g[1] = 20 * x[1]!;
      return x[0]! * x[0]! + 10 * x[1]! * x[1]!;
    });
    const m = createMinimizer(f, [1, 1]);
    m.step(3);
    m.setParameters([0.5, 0.5]);
    calls.length = 0;
    m.step(1);
    const [x, y] = calls[0]!;
    // -g = (-1, -10): scaled by 1/10, the first trial is (0.4, -0.5)
    expect(x).toBeCloseTo(0.4, 12);
    expect(y).toBeCloseTo(-0.5, 12);
  });
});
