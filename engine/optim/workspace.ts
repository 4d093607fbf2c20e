/**
 * @file The state every optimizer method works on: the iterate `x`, its value and gradient, a
 * trial point, the box (user bounds, with frozen parameters pinned to their value), and the
 * evaluation counter. All arrays are allocated once; accepting a trial point swaps buffers
 * instead of copying them.
 *
 * Bounds and freezing are one mechanism: the effective box `[lo, hi]` is the user's bounds, except
 * that a frozen parameter has `lo = hi = x[i]`. A parameter is "held" when it sits on a side of
 * the box and its gradient points out of the box (or it is frozen); methods never move held
 * parameters, and convergence is judged on the projected gradient (zero for held parameters).
 */
import type { Objective } from './objective.ts';

/** What went wrong with an evaluation: nothing, a non-finite value, or a non-finite gradient. */
export const FINITE = 0;
export const BAD_VALUE = 1;
export const BAD_GRADIENT = 2;

/** The iterate, a trial point, and the box of one run. */
export class Workspace {
  readonly n: number;
  objective: Objective;
  /** The current iterate and its gradient; `f` is the value there. */
  x: Float64Array;
  g: Float64Array;
  f = NaN;
  /** A trial point and its gradient; `ft` is the value there. */
  xt: Float64Array;
  gt: Float64Array;
  ft = NaN;
  /** The user's bounds (infinite when absent). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** The effective box: the user's bounds, or the frozen value of a frozen parameter. */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly frozen: Uint8Array;
  /** True when some side of the effective box is finite (projection may change points). */
  boxed = false;
  /** Gradient evaluations so far (each evaluation computes the value and the gradient). */
  evaluations = 0;
  /** After a failed evaluation check: `BAD_VALUE` or `BAD_GRADIENT`. */
  badKind = FINITE;

  constructor(objective: Objective, lower: Float64Array, upper: Float64Array) {
    const n = objective.n;
    this.n = n;
    this.objective = objective;
    this.x = new Float64Array(n);
    this.g = new Float64Array(n);
    this.xt = new Float64Array(n);
    this.gt = new Float64Array(n);
    this.lower = lower;
    this.upper = upper;
    this.lo = new Float64Array(lower);
    this.hi = new Float64Array(upper);
    this.frozen = new Uint8Array(n);
    this.updateBoxed();
  }

  /** Recompute `boxed` after the box changed. */
  updateBoxed(): void {
    let boxed = false;
    for (let i = 0; i < this.n; i++)
      if (this.lo[i]! > -Infinity || this.hi[i]! < Infinity) boxed = true;
    this.boxed = boxed;
  }

  /** Freeze or release parameter `i` (a frozen parameter's box is its current value). */
  setFrozen(i: number, frozen: boolean): void {
    this.frozen[i] = frozen ? 1 : 0;
    this.lo[i] = frozen ? this.x[i]! : this.lower[i]!;
    this.hi[i] = frozen ? this.x[i]! : this.upper[i]!;
    this.updateBoxed();
  }

  /** Evaluate at `x`, setting `f` and `g`; return `FINITE` or what was not finite. */
  evaluateCurrent(): number {
    this.evaluations++;
    this.f = this.objective.evaluate(this.x, this.g);
    return this.check(this.f, this.g);
  }

  /** Evaluate at the trial point `xt`, setting `ft` and `gt`; return `FINITE` or what was not. */
  evaluateTrial(): number {
    this.evaluations++;
    this.ft = this.objective.evaluate(this.xt, this.gt);
    return this.check(this.ft, this.gt);
  }

  /** Evaluate at `xt` like `evaluateTrial`, checking only the value (the caller checks `gt`). */
  evaluateTrialUnchecked(): number {
    this.evaluations++;
    this.ft = this.objective.evaluate(this.xt, this.gt);
    this.badKind = Number.isFinite(this.ft) ? FINITE : BAD_VALUE;
    return this.badKind;
  }

  /** Return `FINITE` when `f` and every entry of `g` are finite (and remember the verdict). */
  private check(f: number, g: Float64Array): number {
    let kind = FINITE;
    if (!Number.isFinite(f)) kind = BAD_VALUE;
    else {
      let sum = 0;
      for (let i = 0; i < this.n; i++) sum += g[i]! * 0;
      // a sum of zeros is NaN exactly when some entry is NaN or infinite
      if (sum !== 0) kind = BAD_GRADIENT;
    }
    this.badKind = kind;
    return kind;
  }

  /** Make the trial point the iterate (swapping buffers: the old iterate is now in `xt`). */
  accept(): void {
    const x = this.x;
    this.x = this.xt;
    this.xt = x;
    const g = this.g;
    this.g = this.gt;
    this.gt = g;
    this.f = this.ft;
  }

  /** Return true when parameter `i` is held: frozen, or on a side with the gradient pointing out. */
  held(i: number, g: number): boolean {
    const x = this.x[i]!;
    return (x <= this.lo[i]! && g > 0) || (x >= this.hi[i]! && g < 0) || this.lo[i] === this.hi[i];
  }

  /** Return the infinity norm of the projected gradient at the iterate (0 for held parameters). */
  projectedGradientNorm(): number {
    let norm = 0;
    const g = this.g;
    for (let i = 0; i < this.n; i++) {
      const gi = g[i]!;
      if (this.boxed && this.held(i, gi)) continue;
      const a = Math.abs(gi);
      if (a > norm) norm = a;
    }
    return norm;
  }

  /** Return `v` clamped into the effective box of parameter `i`. */
  clamp(i: number, v: number): number {
    const lo = this.lo[i]!;
    const hi = this.hi[i]!;
    return v < lo ? lo : v > hi ? hi : v;
  }
}
