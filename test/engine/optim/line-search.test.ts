/** @file The line searches: strong Wolfe conditions on accepted steps, interpolation, projection. */
import { describe, expect, it } from 'vitest';
import { interpolate, projectedSearch, wolfeSearch, SEARCH_OK } from '../../../engine/optim/line-search.ts';
import { objectiveFromJs } from '../../../engine/optim/objective.ts';
import { Workspace } from '../../../engine/optim/workspace.ts';

const settings = { armijo: 1e-4, curvature: 0.9, maxEvaluations: 30 };

/** A workspace at `x` for the 1-D function `f` with derivative `df`. */
function at1d(f: (x: number) => number, df: (x: number) => number, x: number, lower = -Infinity, upper = Infinity): Workspace {
  const obj = objectiveFromJs(1, (v, g) => {
    g[0] = df(v[0]!);
    return f(v[0]!);
  });
  const ws = new Workspace(obj, new Float64Array([lower]), new Float64Array([upper]));
  ws.x[0] = x;
  ws.evaluateCurrent();
  return ws;
}

describe('wolfeSearch', () => {
  const cases: [string, (x: number) => number, (x: number) => number, number][] = [
    ['quadratic', (x) => (x - 3) ** 2, (x) => 2 * (x - 3), 0],
    ['quartic', (x) => x ** 4 - 2 * x, (x) => 4 * x ** 3 - 2, -1],
    ['far minimum (bracketing expands)', (x) => (x - 100) ** 2, (x) => 2 * (x - 100), 0],
    ['exp', (x) => Math.exp(x) - 5 * x, (x) => Math.exp(x) - 5, 4],
  ];
  it.each(cases)('accepts a strong Wolfe step: %s', (_, f, df, x0) => {
    const ws = at1d(f, df, x0);
    const d = new Float64Array([-Math.sign(ws.g[0]!)]);
    const slope0 = ws.g[0]! * d[0]!;
    expect(wolfeSearch(ws, d, slope0, 1, Infinity, settings)).toBe(SEARCH_OK);
    const a = (ws.xt[0]! - x0) / d[0]!;
    expect(ws.ft).toBeLessThanOrEqual(ws.f + settings.armijo * a * slope0);
    expect(Math.abs(ws.gt[0]! * d[0]!)).toBeLessThanOrEqual(settings.curvature * Math.abs(slope0));
  });

  it('backs off from NaN trial points', () => {
    const ws = at1d((x) => (x < 1 ? (x - 0.8) ** 2 : NaN), (x) => (x < 1 ? 2 * (x - 0.8) : NaN), 0);
    const d = new Float64Array([1]);
    expect(wolfeSearch(ws, d, ws.g[0]!, 4, Infinity, settings)).toBe(SEARCH_OK);
    expect(ws.xt[0]).toBeLessThan(1);
    expect(Number.isFinite(ws.ft)).toBe(true);
  });

  it('stops at maxStep when the function keeps decreasing', () => {
    const ws = at1d((x) => -x, () => -1, 0);
    expect(wolfeSearch(ws, new Float64Array([1]), -1, 1, 5, settings)).toBe(SEARCH_OK);
    expect(ws.xt[0]).toBe(5);
  });
});

describe('interpolate', () => {
  it('finds the minimizer of a cubic exactly', () => {
    // c(t) = t^3 - 3t: minimizer 1 on [0, 2]
    const c = (t: number) => t ** 3 - 3 * t;
    const dc = (t: number) => 3 * t ** 2 - 3;
    expect(interpolate(0, c(0), dc(0), 2, c(2), dc(2))).toBeCloseTo(1, 12);
  });

  it('stays inside the middle of the interval', () => {
    const t = interpolate(0, 0, -1e-12, 1, 1e6, 1e9);
    expect(t).toBeGreaterThanOrEqual(0.1);
    expect(t).toBeLessThanOrEqual(0.9);
  });
});

describe('projectedSearch', () => {
  it('projects the trial points onto the box', () => {
    const ws = at1d((x) => (x - 10) ** 2, (x) => 2 * (x - 10), 0, -1, 2);
    expect(projectedSearch(ws, new Float64Array([20]), 1, settings)).toBe(SEARCH_OK);
    expect(ws.xt[0]).toBe(2);
  });
});
