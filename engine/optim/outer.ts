/**
 * @file The outer loop of constrained minimization: after each inner minimization of
 * `L(x; lambda, rho) = f + sum_eq (lambda c + rho/2 c^2) + sum_ineq (max(0, mu + rho c)^2 - mu^2) / (2 rho)`
 * (Powell-Hestenes-Rockafellar), update the multipliers and the weight, and decide whether to
 * stop. With `constraintMethod: 'penalty'` the multipliers stay zero, so `L` is Penrose's
 * quadratic penalty `f + w (sum_eq c^2 + sum_ineq max(0, c)^2)` with `w = rho / 2`, starting at
 * `w = 1e3` and growing 10x per round; the multipliers reported are then the estimates `rho c`.
 */
import type { ConstraintModel } from './minimizer.ts';
import type { Settings } from './settings.ts';
import type { Workspace } from './workspace.ts';

/** Initial weight of the augmented Lagrangian. */
const AL_RHO = 10;
/** Initial weight of the penalty method: Penrose's 1e3, as rho = 2 w. */
const PENALTY_RHO = 2e3;
/** The weight grows this much when needed (every round for the penalty method). */
const GROWTH = 10;
/** The augmented Lagrangian grows the weight unless the infeasibility shrank to this fraction. */
const SHRINK = 0.25;
/** Weights stop growing here (beyond it the inner problems are hopelessly ill-conditioned). */
const MAX_RHO = 1e15;

/** Multipliers, weight and round of a constrained run. */
export class OuterLoop {
  /** The multipliers (one per scalar constraint), or the penalty method's estimates. */
  readonly multipliers: Float64Array;
  readonly #model: ConstraintModel;
  readonly #settings: Settings;
  /** True for the penalty method (multipliers stay zero in the Lagrangian). */
  readonly penalty: boolean;
  /** The multipliers `L` uses: `multipliers`, or zeros for the penalty method. */
  readonly #used: Float64Array;
  readonly #c: Float64Array;
  #rho = AL_RHO;
  #round = 0;
  /** The round of the last change by the user (the outer limit counts from there). */
  #roundAtChange = 0;
  #previous = Infinity;

  constructor(model: ConstraintModel, settings: Settings) {
    const m = model.kinds.length;
    this.#model = model;
    this.#settings = settings;
    this.penalty = settings.constraintMethod === 'penalty';
    this.multipliers = new Float64Array(m);
    this.#used = this.penalty ? new Float64Array(m) : this.multipliers;
    this.#c = new Float64Array(m);
    this.restart();
  }

  /** Forget the multipliers and the weight. */
  restart(): void {
    this.multipliers.fill(0);
    this.#rho = this.penalty ? PENALTY_RHO : AL_RHO;
    this.#round = 0;
    this.#roundAtChange = 0;
    this.#previous = Infinity;
  }

  /** Note a change of the parameters by the user: the limit on outer rounds starts again. */
  resume(): void {
    this.#roundAtChange = this.#round;
  }

  /** Give the current multipliers and weight to the Lagrangian of `ws` (before evaluating). */
  apply(_ws: Workspace): void {
    this.#model.setMultipliers(this.#used, this.#rho);
  }

  /** The gradient tolerance of the current inner minimization. */
  innerTolerance(): number {
    const gtol = this.#settings.gradientTolerance;
    return this.penalty ? gtol : Math.max(gtol, 1e-2 * 0.1 ** this.#round);
  }

  /** Return the largest constraint violation at `x`. */
  violation(x: Float64Array): number {
    const c = this.#c;
    this.#model.values(x, c);
    let v = 0;
    const kinds = this.#model.kinds;
    for (let j = 0; j < c.length; j++) v = Math.max(v, kinds[j] === 'eq' ? Math.abs(c[j]!) : c[j]!);
    return v;
  }

  /**
   * After an inner minimization ending at `x` (`converged`: stationary), update the
   * multipliers and the weight; return `'running'`, `'converged'` or `'max-outer-iterations'`.
   */
  update(x: Float64Array, converged: boolean): string {
    const tight = this.innerTolerance() <= this.#settings.gradientTolerance;
    const measure = this.penalty ? this.#penaltyUpdate(x) : this.#multiplierUpdate(x);
    this.#round++;
    if (converged && tight && measure <= this.#settings.constraintTolerance) return 'converged';
    if (this.#round - this.#roundAtChange >= this.#settings.maxOuterIterations) return 'max-outer-iterations';
    const slow = measure > SHRINK * this.#previous && measure > this.#settings.constraintTolerance;
    if (this.penalty || slow) this.#rho = Math.min(this.#rho * GROWTH, MAX_RHO);
    this.#previous = measure;
    return 'running';
  }

  /** Update the multipliers at `x`; return the infeasibility (with complementarity) before it. */
  #multiplierUpdate(x: Float64Array): number {
    const c = this.#c;
    const mu = this.multipliers;
    const rho = this.#rho;
    const kinds = this.#model.kinds;
    this.#model.values(x, c);
    let measure = 0;
    for (let j = 0; j < c.length; j++) {
      if (kinds[j] === 'eq') {
        measure = Math.max(measure, Math.abs(c[j]!));
        mu[j] = mu[j]! + rho * c[j]!;
      } else {
        measure = Math.max(measure, Math.abs(Math.max(c[j]!, -mu[j]! / rho)));
        mu[j] = Math.max(0, mu[j]! + rho * c[j]!);
      }
    }
    return measure;
  }

  /** Estimate the multipliers of the penalty method at `x`; return the largest violation. */
  #penaltyUpdate(x: Float64Array): number {
    const c = this.#c;
    const kinds = this.#model.kinds;
    const measure = this.violation(x);
    for (let j = 0; j < c.length; j++)
      this.multipliers[j] = kinds[j] === 'eq' ? this.#rho * c[j]! : Math.max(0, this.#rho * c[j]!);
    return measure;
  }
}
