/**
 * @file Line searches along a descent direction `d` from the workspace's iterate:
 * - `wolfeSearch`: a step satisfying the strong Wolfe conditions
 *   `f(x + a d) <= f(x) + c1 a g.d` and `|g(x + a d).d| <= c2 |g.d|`, by bracketing (the step
 *   doubles until it overshoots) and zoom (safeguarded cubic interpolation from the values and
 *   slopes at both ends, bisection when the cubic has no minimizer inside) (Nocedal and Wright,
 *   Numerical Optimization, algorithms 3.5 and 3.6).
 * - `projectedSearch`: backtracking along the projected path `P(x + a d)` onto the box, with the
 *   Armijo condition measured on the actual move `P(x + a d) - x` (for bounded problems).
 *
 * A trial point whose value or gradient is not finite counts as an overshoot (the step shrinks):
 * models with a restricted domain (logs, square roots) then still converge. The search fails when
 * no acceptable step is found within `maxEvaluations`. On success the accepted point is the
 * workspace's trial point (`xt`, `ft`, `gt`); the caller accepts it.
 */
import { BAD_GRADIENT, FINITE, type Workspace } from './workspace.ts';

/** Parameters of a line search. */
export interface LineSearchSettings {
  /** Armijo (sufficient decrease) constant `c1`, in (0, 1). */
  readonly armijo: number;
  /** Curvature constant `c2`, in (c1, 1). */
  readonly curvature: number;
  /** Evaluations allowed per search. */
  readonly maxEvaluations: number;
}

/** Outcomes of a search. */
export const SEARCH_OK = 0;
export const SEARCH_FAILED = 1;
/** Every trial point had a non-finite value or gradient. */
export const SEARCH_NON_FINITE = 2;

/** Set the trial point to `x + a d`; return the slope `gt.d` there after evaluating (NaN if bad). */
function trial(ws: Workspace, d: Float64Array, a: number): number {
  const x = ws.x;
  const xt = ws.xt;
  for (let i = 0; i < ws.n; i++) xt[i] = x[i]! + a * d[i]!;
  // the slope is finite exactly when every gradient entry is (d is finite): one pass for both
  if (ws.evaluateTrialUnchecked() !== FINITE) return NaN;
  const gt = ws.gt;
  let slope = 0;
  for (let i = 0; i < ws.n; i++) slope += gt[i]! * d[i]!;
  if (!Number.isFinite(slope)) ws.badKind = BAD_GRADIENT;
  return Number.isFinite(slope) ? slope : NaN;
}

/**
 * Return the minimizer of the cubic through `(a, fa, da)` and `(b, fb, db)` kept inside the
 * middle 80% of the interval, or the midpoint when the cubic gives nothing usable.
 */
export function interpolate(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const margin = 0.1 * (hi - lo);
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  let t = NaN;
  if (disc >= 0) {
    const d2 = Math.sign(b - a) * Math.sqrt(disc);
    t = b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
  }
  if (!(t >= lo + margin && t <= hi - margin)) {
    // quadratic through fa, da, fb when the cubic fails or lands near an end
    const q = a - (da * (b - a) * (b - a)) / (2 * (fb - fa - da * (b - a)));
    t = q >= lo + margin && q <= hi - margin ? q : 0.5 * (a + b);
  }
  return t;
}

/**
 * Search along `d` (with slope `slope0 = g.d < 0`) for a strong Wolfe step, starting at `step`
 * and never beyond `maxStep`. Return `SEARCH_OK` (trial point holds the step), or a failure.
 */
export function wolfeSearch(
  ws: Workspace,
  d: Float64Array,
  slope0: number,
  step: number,
  maxStep: number,
  s: LineSearchSettings,
): number {
  const f0 = ws.f;
  const wantSlope = -s.curvature * slope0;
  let prev = 0;
  let fPrev = f0;
  let dPrev = slope0;
  let a = Math.min(step, maxStep);
  let finiteSeen = false;
  for (let k = 0; k < s.maxEvaluations; k++) {
    const da = trial(ws, d, a);
    const fa = ws.ft;
    if (Number.isNaN(da)) {
      // overshoot into a non-finite region: shrink toward the last good step
      a = prev + 0.25 * (a - prev);
      continue;
    }
    finiteSeen = true;
    if (fa > f0 + s.armijo * a * slope0 || (k > 0 && fa >= fPrev))
      return zoom(ws, d, slope0, prev, fPrev, dPrev, a, fa, da, s, s.maxEvaluations - k - 1);
    if (Math.abs(da) <= wantSlope) return SEARCH_OK;
    if (da >= 0) return zoom(ws, d, slope0, a, fa, da, prev, fPrev, dPrev, s, s.maxEvaluations - k - 1);
    // a descent step without enough curvature: go further, up to maxStep (accepted there)
    if (a >= maxStep) return SEARCH_OK;
    prev = a;
    fPrev = fa;
    dPrev = da;
    a = Math.min(2 * a, maxStep);
  }
  return finiteSeen ? SEARCH_FAILED : SEARCH_NON_FINITE;
}

/**
 * Zoom into `[lo, hi]` (lo satisfies Armijo and has the lower value; the minimizer lies between)
 * until a strong Wolfe step is found; `budget` evaluations at most.
 */
function zoom(
  ws: Workspace,
  d: Float64Array,
  slope0: number,
  lo: number,
  fLo: number,
  dLo: number,
  hi: number,
  fHi: number,
  dHi: number,
  s: LineSearchSettings,
  budget: number,
): number {
  const f0 = ws.f;
  const wantSlope = -s.curvature * slope0;
  for (let k = 0; k < budget; k++) {
    if (Math.abs(hi - lo) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
    const a = Number.isFinite(fHi) && !Number.isNaN(dHi)
      ? interpolate(lo, fLo, dLo, hi, fHi, dHi)
      : 0.5 * (lo + hi);
    const da = trial(ws, d, a);
    const fa = ws.ft;
    if (Number.isNaN(da) || fa > f0 + s.armijo * a * slope0 || fa >= fLo) {
      hi = a;
      fHi = Number.isNaN(da) ? Infinity : fa;
      dHi = da;
      continue;
    }
    if (Math.abs(da) <= wantSlope) return SEARCH_OK;
    if (da * (hi - lo) >= 0) {
      hi = lo;
      fHi = fLo;
      dHi = dLo;
    }
    lo = a;
    fLo = fa;
    dLo = da;
  }
  // out of budget: settle for the best Armijo step seen, if any (sufficient decrease holds)
  if (lo > 0 && !Number.isNaN(trial(ws, d, lo))) return SEARCH_OK;
  return SEARCH_FAILED;
}

/**
 * Backtrack along the projected path `P(x + a d)` from `step`, halving, until the value
 * decreases by `c1` times the directional decrease of the actual move. Return `SEARCH_OK` (trial
 * point holds the step) or a failure.
 */
export function projectedSearch(ws: Workspace, d: Float64Array, step: number, s: LineSearchSettings): number {
  const { x, g, n } = ws;
  let a = step;
  let finiteSeen = false;
  for (let k = 0; k < s.maxEvaluations; k++) {
    const xt = ws.xt;
    let decrease = 0;
    for (let i = 0; i < n; i++) {
      const v = ws.clamp(i, x[i]! + a * d[i]!);
      xt[i] = v;
      decrease += g[i]! * (v - x[i]!);
    }
    const ok = ws.evaluateTrial() === FINITE;
    finiteSeen ||= ok;
    if (ok && ws.ft <= ws.f + s.armijo * Math.min(decrease, 0) && ws.ft <= ws.f) return SEARCH_OK;
    a *= ok ? 0.5 : 0.25;
  }
  return finiteSeen ? SEARCH_FAILED : SEARCH_NON_FINITE;
}
