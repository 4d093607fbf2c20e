/**
 * @file L-BFGS: the direction is `-H g`, with `H` the limited-memory BFGS approximation of the
 * inverse Hessian built from the last `history` pairs `s = x+ - x`, `y = g+ - g` (the two-loop
 * recursion, scaled by `s.y / y.y` of the newest pair). Steps come from the strong Wolfe line
 * search; with a box, from projected backtracking when a free parameter would reach a bound.
 *
 * Safeguards: a pair with `s.y <= 1e-10 y.y` is skipped (it would break positive definiteness);
 * a direction that is not a descent direction, or a failed line search, clears the history and
 * retries once from steepest descent. Held parameters (frozen, or on a bound with the gradient
 * pointing out) keep their value: their direction entries are zero.
 *
 * All buffers are allocated once; an iteration allocates nothing.
 */
import {
  SEARCH_NON_FINITE,
  SEARCH_OK,
  projectedSearch,
  wolfeSearch,
  type LineSearchSettings,
} from './line-search.ts';
import { ITER_FAILED, ITER_NON_FINITE, ITER_OK, type Method } from './method.ts';
import type { Workspace } from './workspace.ts';

/** Settings of L-BFGS. */
export interface LbfgsSettings extends LineSearchSettings {
  /** Number of correction pairs kept. */
  readonly history: number;
}

/** The L-BFGS method over one workspace. */
export class Lbfgs implements Method {
  readonly #s: Float64Array[];
  readonly #y: Float64Array[];
  readonly #rho: Float64Array;
  readonly #alpha: Float64Array;
  readonly #d: Float64Array;
  readonly #settings: LbfgsSettings;
  /** Pairs stored, and the slot of the newest one. */
  #count = 0;
  #newest = -1;
  #gamma = 1;

  constructor(n: number, settings: LbfgsSettings) {
    // one slot more than the history: the next pair is computed without touching stored ones
    const slots = settings.history + 1;
    this.#settings = settings;
    this.#s = Array.from({ length: slots }, () => new Float64Array(n));
    this.#y = Array.from({ length: slots }, () => new Float64Array(n));
    this.#rho = new Float64Array(slots);
    this.#alpha = new Float64Array(slots);
    this.#d = new Float64Array(n);
  }

  reset(): void {
    this.#count = 0;
    this.#newest = -1;
  }

  iterate(ws: Workspace): number {
    let outcome = this.#attempt(ws);
    if (outcome !== ITER_OK && this.#count > 0) {
      this.reset();
      outcome = this.#attempt(ws);
    }
    return outcome;
  }

  /** Try one step along the current direction; on success accept it and store the pair. */
  #attempt(ws: Workspace): number {
    const d = this.#d;
    let slope = this.#direction(ws);
    if (!(slope < 0) && this.#count > 0) {
      this.reset();
      slope = this.#direction(ws);
    }
    if (!(slope < 0)) return ITER_FAILED;
    const maxStep = ws.boxed ? stepToBox(ws, d) : Infinity;
    const step = this.#count > 0 ? 1 : Math.min(1, 1 / normInf(d));
    // the Wolfe search may stop on the first bound; a bound closer than the first trial: project
    const found =
      maxStep >= step
        ? wolfeSearch(ws, d, slope, step, maxStep, this.#settings)
        : projectedSearch(ws, d, step, this.#settings);
    if (found !== SEARCH_OK) return found === SEARCH_NON_FINITE ? ITER_NON_FINITE : ITER_FAILED;
    this.#store(ws);
    ws.accept();
    return ITER_OK;
  }

  /**
   * Write `-H g` (zero on held parameters) into the direction; return its slope `g.d`. The
   * two-loop recursion with each update fused with the next dot product: one pass over the
   * vectors per stored pair and loop (2m + 1 passes in all), since the passes, not the flops,
   * are the cost.
   */
  #direction(ws: Workspace): number {
    const { n, g } = ws;
    const d = this.#d;
    const slots = this.#s.length;
    const count = this.#count;
    const boxed = ws.boxed;
    // q = g (masked); alongside, the first dot s_newest . q
    let k = this.#newest;
    let s = count > 0 ? this.#s[k]! : d;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const gi = boxed && ws.held(i, g[i]!) ? 0 : g[i]!;
      d[i] = gi;
      sq += s[i]! * gi;
    }
    // first loop, newest to oldest: a_k = rho_k s_k.q; q -= a_k y_k (with the next dot)
    for (let j = 0; j < count; j++) {
      const a = this.#rho[k]! * sq;
      this.#alpha[k] = a;
      const y = this.#y[k]!;
      k = k === 0 ? slots - 1 : k - 1;
      s = j + 1 < count ? this.#s[k]! : d;
      sq = updateDot(d, 1, -a, y, s, n); // q -= a_k y_k (1 q + (-a) y is exactly q - a y)
    }
    // second loop, oldest to newest: r = gamma q; b_k = rho_k y_k.r; r += (a_k - b_k) s_k
    const gamma = count > 0 ? this.#gamma : 1;
    k = (this.#newest - count + 1 + slots) % slots;
    let yr = count > 0 ? gamma * dot(this.#y[k]!, d, n) : 0;
    for (let j = 0; j < count; j++) {
      const c = this.#alpha[k]! - this.#rho[k]! * yr;
      const sk = this.#s[k]!;
      const scale = j === 0 ? gamma : 1;
      k = k === slots - 1 ? 0 : k + 1;
      const y = j + 1 < count ? this.#y[k]! : d;
      yr = updateDot(d, scale, c, sk, y, n);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) {
      const di = boxed && ws.held(i, g[i]!) ? 0 : -d[i]!;
      d[i] = di;
      slope += g[i]! * di;
    }
    return slope;
  }

  /** Store the pair of the trial step (before it is accepted), unless its curvature is too small. */
  #store(ws: Workspace): void {
    const m = this.#s.length;
    const slot = (this.#newest + 1) % m;
    const s = this.#s[slot]!;
    const y = this.#y[slot]!;
    const { n, x, xt, g, gt } = ws;
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const si = xt[i]! - x[i]!;
      const yi = gt[i]! - g[i]!;
      s[i] = si;
      y[i] = yi;
      sy += si * yi;
      yy += yi * yi;
    }
    if (!(sy > 1e-10 * yy) || !(yy > 0)) return;
    this.#rho[slot] = 1 / sy;
    this.#gamma = sy / yy;
    this.#newest = slot;
    if (this.#count < m - 1) this.#count++;
  }
}

/**
 * Set `d = alpha d + beta u` on the first `n` entries and return `w . d` of the new `d` (`w` may
 * be `d` itself), summed in two partial sums (even and odd entries): half as long a chain of
 * dependent additions. One pass: the passes over the vectors, not the flops, are the cost.
 */
function updateDot(d: Float64Array, alpha: number, beta: number, u: Float64Array, w: Float64Array, n: number): number {
  let [even, odd] = [0, 0];
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const d0 = alpha * d[i]! + beta * u[i]!;
    const d1 = alpha * d[i + 1]! + beta * u[i + 1]!;
    d[i] = d0;
    d[i + 1] = d1;
    even += w[i]! * d0;
    odd += w[i + 1]! * d1;
  }
  if (i < n) {
    const d0 = alpha * d[i]! + beta * u[i]!;
    d[i] = d0;
    even += w[i]! * d0;
  }
  return even + odd;
}

/** Return the dot product of the first `n` entries of `a` and `b`. */
function dot(a: Float64Array, b: Float64Array, n: number): number {
  let [even, odd] = [0, 0];
  let i = 0;
  for (; i + 1 < n; i += 2) (even += a[i]! * b[i]!), (odd += a[i + 1]! * b[i + 1]!);
  if (i < n) even += a[i]! * b[i]!;
  return even + odd;
}

/** Return the largest absolute entry of `v`. */
export function normInf(v: Float64Array): number {
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    const a = Math.abs(v[i]!);
    if (a > norm) norm = a;
  }
  return norm;
}

/** Return the step along `d` at which the first parameter reaches a finite bound (Infinity if none). */
function stepToBox(ws: Workspace, d: Float64Array): number {
  let step = Infinity;
  for (let i = 0; i < ws.n; i++) {
    const di = d[i]!;
    if (di > 0 && ws.hi[i]! < Infinity) step = Math.min(step, (ws.hi[i]! - ws.x[i]!) / di);
    else if (di < 0 && ws.lo[i]! > -Infinity) step = Math.min(step, (ws.lo[i]! - ws.x[i]!) / di);
  }
  return step;
}
