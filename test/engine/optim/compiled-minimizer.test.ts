/**
 * @file `compileMinimizer` (the compiled stepping API, constrained problems included) and the
 * objective adapters (compiled, interpreter, plain JS) agreeing with each other.
 */
import { describe, expect, it } from 'vitest';
import { compileMinimizer, compileValueAndGradSync, objectiveFromCompiled } from '../../../engine/index.ts';
import { objectiveFromInterp } from '../../../engine/optim/objective.ts';
import { createMinimizer } from '../../../engine/optim/minimizer.ts';
import { HS7, HS71, circlePacking, largestOverlap, rosenbrock } from './problems.ts';

describe('compileMinimizer', () => {
  it('steps a constrained problem to its solution, multipliers in the state', async () => {
    const m = await compileMinimizer(HS7.f, HS7.x0, { constraints: HS7.constraints });
    expect(m.state.multipliers).toEqual(new Float64Array([0]));
    expect(m.state.violation).toBeCloseTo(25, 10); // (1 + 4)^2 + 4 - 4 at (2, 2)
    let s = m.step(5);
    expect(s.iteration).toBe(5);
    while (!s.done) s = m.step(10);
    expect(s).toMatchObject({ converged: true, reason: 'converged' });
    expect(s.value).toBeCloseTo(HS7.fStar, 7);
    expect(s.multipliers![0]).toBeCloseTo(1 / (2 * Math.sqrt(3)), 5);
    expect(s.violation).toBeLessThan(1e-6);
  });

  it('a dragged parameter during a constrained run: the run resumes and stays feasible', async () => {
    const k = 5;
    const p = circlePacking(k);
    const m = await compileMinimizer(p.f, p.x0, { constraints: p.constraints });
    m.step(10000);
    expect(m.state.converged).toBe(true);
    m.setParameter(0, 3); // drag circle 0 to the right
    m.freeze(0);
    expect(m.state.done).toBe(false);
    const s = m.step(10000);
    expect(s.converged, s.reason).toBe(true);
    expect(s.x[0]).toBe(3);
    expect(largestOverlap(s.x, k)).toBeLessThan(1e-5);
  });

  it('bounds and the penalty method through the stepping API', async () => {
    const m = await compileMinimizer(HS71.f, HS71.x0, {
      constraints: HS71.constraints,
      bounds: HS71.bounds,
      constraintMethod: 'penalty',
    });
    const s = m.step(100000);
    expect(s.converged).toBe(true);
    expect(s.value).toBeCloseTo(HS71.fStar, 5);
    for (const v of s.x) expect(v).toBeGreaterThanOrEqual(1);
  });
});

describe('objective adapters', () => {
  it('compiled and interpreted gradients agree, and the runs match', () => {
    const f = rosenbrock(6);
    const compiled = objectiveFromCompiled(compileValueAndGradSync(f));
    const interp = objectiveFromInterp(f);
    const x = new Float64Array([-1.2, 1, 0.5, 0.3, -0.7, 2]);
    const [g1, g2] = [new Float64Array(6), new Float64Array(6)];
    expect(compiled.evaluate(x, g1)).toBeCloseTo(interp.evaluate(x, g2), 10);
    for (let i = 0; i < 6; i++) expect(g1[i]).toBeCloseTo(g2[i]!, 9);
    const a = createMinimizer(compiled, x).step(30);
    const b = createMinimizer(interp, x).step(30);
    for (let i = 0; i < 6; i++) expect(a.x[i]).toBeCloseTo(b.x[i]!, 6);
  });

  it('the compiled adapter re-reads the views after the memory grows', () => {
    const h = compileValueAndGradSync(rosenbrock(2));
    const obj = objectiveFromCompiled(h);
    const g = new Float64Array(2);
    const before = obj.evaluate(new Float64Array([0, 0]), g);
    compileValueAndGradSync(rosenbrock(3000)); // more code and pinned memory in the same runtime
    expect(obj.evaluate(new Float64Array([0, 0]), g)).toBe(before);
    expect([...g]).toEqual([-2, 0]);
  });
});
