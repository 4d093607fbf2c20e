/**
 * @file The stepping API: `createMinimizer(objective, x0, options)` returns a `Minimizer` that
 * advances `k` iterations at a time (`step(k)`), exposes its `state`, and lets a page change the
 * problem while it runs: `setParameter(i, v)` / `setParameters(x)` move parameters (the method's
 * memory is reset: L-BFGS history, Adam moments, momentum), `freeze(i, true)` holds a parameter
 * at its value, `reset()` starts again. `minimize` drives the same object in time slices.
 *
 * With constraints (a `ConstraintModel`), the iterations minimize the augmented Lagrangian
 * `L(x; lambda, rho)`; when an inner minimization converges, the multipliers are updated
 * (`lambda += rho c` for equalities, `mu = max(0, mu + rho c)` for inequalities), the penalty
 * weight `rho` grows 10x when the infeasibility did not shrink to a quarter, and the run stops
 * once the constraints hold within `constraintTolerance` after an inner minimization to the
 * full `gradientTolerance`. The inner tolerance starts loose (1e-2) and tightens 10x per round.
 * With `constraintMethod: 'penalty'` (Penrose's method, the reference) the multipliers stay zero
 * and the weight grows 10x every round from 1e3, until the constraints hold.
 *
 * The multipliers follow the convention `grad f + sum_i multipliers[i] grad c_i = 0`, with
 * `multipliers[i] >= 0` for inequalities `c_i(x) <= 0`.
 */
import { Adam, GradientDescent } from './first-order.ts';
import { Lbfgs } from './lbfgs.ts';
import { ITER_FAILED, ITER_NON_FINITE, type Method } from './method.ts';
import type { Objective } from './objective.ts';
import { OuterLoop } from './outer.ts';
import { resolveSettings, type MethodOptions, type Settings } from './settings.ts';
import { BAD_VALUE, FINITE, Workspace } from './workspace.ts';
import { checkBounds, checkIndex, checkStart, checkValue } from './validate.ts';

/** The kinds of constraint: `c(x) = 0` or `c(x) <= 0`. */
export type ConstraintKind = 'eq' | 'ineq';

/** Constraints ready to run: their kinds, values, and the augmented Lagrangian as an objective. */
export interface ConstraintModel {
  /** One entry per scalar constraint. */
  readonly kinds: readonly ConstraintKind[];
  /** `L(x; lambda, rho)` with the multipliers and weight of the last `setMultipliers`. */
  readonly lagrangian: Objective;
  /** Set the multipliers (one per scalar constraint) and the penalty weight `rho` of `lagrangian`. */
  setMultipliers(multipliers: Float64Array, rho: number): void;
  /** Write the constraint values at `x` into `out`. */
  values(x: Float64Array, out: Float64Array): void;
}

/** Options of `createMinimizer`: the method options, bounds and constraints. */
export interface MinimizerOptions extends MethodOptions {
  /** Per parameter `[lower, upper]`; either may be infinite. */
  readonly bounds?: readonly (readonly [number, number])[];
}

/** A snapshot of a run. */
export interface MinimizerState {
  /** Iterations done (inner iterations, for constrained problems). */
  readonly iteration: number;
  /** Gradient evaluations done (each computes the value and the gradient). */
  readonly evaluations: number;
  /** The objective's value at `x` (for constrained problems, `f`, not the Lagrangian). */
  readonly value: number;
  /** Largest entry of the projected gradient of what is minimized (the Lagrangian, if constrained). */
  readonly gradientNorm: number;
  /** A copy of the current parameters. */
  readonly x: Float64Array;
  /** True when the run stopped on a tolerance (and, if constrained, the constraints hold). */
  readonly converged: boolean;
  /** True when the run stopped (converged or not); `step` then does nothing. */
  readonly done: boolean;
  /** `'running'`, or why the run stopped (see `minimize`). */
  readonly reason: string;
  /** Constrained problems: the multipliers, one per scalar constraint. */
  readonly multipliers?: Float64Array;
  /** Constrained problems: the largest constraint violation at `x`. */
  readonly violation?: number;
}

/** The reasons that count as convergence. */
const CONVERGED = new Set(['gradient-tolerance', 'step-tolerance', 'value-tolerance', 'converged']);

/** Return a minimizer of `objective` from `x0` (see the file comment); it evaluates `x0` at once. */
export function createMinimizer(
  objective: Objective,
  x0: ArrayLike<number>,
  options: MinimizerOptions = {},
  constraints?: ConstraintModel,
): Minimizer {
  const where = 'createMinimizer';
  const settings = resolveSettings(withoutBounds(options), where);
  const start = checkStart(x0, objective.n, where);
  const [lower, upper] = checkBounds(options.bounds, objective.n, where);
  return new Minimizer(objective, start, settings, lower, upper, constraints);
}

/** Return the options without `bounds` (the settings validator knows only method options). */
function withoutBounds(options: MinimizerOptions): MethodOptions {
  const { bounds: _bounds, ...rest } = options;
  return rest;
}

/** An optimizer run that advances on request (see the file comment). */
export class Minimizer {
  readonly n: number;
  readonly settings: Settings;
  readonly #ws: Workspace;
  readonly #method: Method;
  readonly #objective: Objective;
  readonly #start: Float64Array;
  readonly #outer: OuterLoop | undefined;
  #iteration = 0;
  #reason = 'running';
  #gradientNorm = NaN;
  /**
   * The scale of the relative tolerances: the smallest max(1, |f|) since the last evaluation
   * from scratch (start, restart, parameter change, outer round). Not the current |f|: a run
   * that diverges (a first-order method with too large a step) has a huge f, and a tolerance
   * scaled by it would call the divergence stationary.
   */
  #scale = 1;
  /** The objective's value and gradient at x when constrained (computed when asked for). */
  readonly #fg: Float64Array;
  #fAt = -1;
  #f = NaN;

  constructor(
    objective: Objective,
    start: Float64Array,
    settings: Settings,
    lower: Float64Array,
    upper: Float64Array,
    constraints?: ConstraintModel,
  ) {
    this.n = objective.n;
    this.settings = settings;
    this.#objective = objective;
    this.#start = start;
    this.#outer = constraints && new OuterLoop(constraints, settings);
    this.#ws = new Workspace(constraints?.lagrangian ?? objective, lower, upper);
    this.#method = makeMethod(this.n, settings);
    this.#fg = new Float64Array(this.n);
    this.#restart(start);
  }

  /** Advance up to `k` iterations (default 1); return the state. Does nothing once done. */
  step(k = 1): MinimizerState {
    for (let j = 0; j < k && this.#reason === 'running'; j++) this.#iterate();
    return this.state;
  }

  /** Advance one iteration; return true while running (for loops that read the state rarely). */
  advance(): boolean {
    if (this.#reason === 'running') this.#iterate();
    return this.#reason === 'running';
  }

  /** The current state (a fresh snapshot). */
  get state(): MinimizerState {
    const ws = this.#ws;
    const outer = this.#outer;
    const value = outer ? this.#objectiveValue() : ws.f;
    return {
      iteration: this.#iteration,
      evaluations: ws.evaluations,
      value,
      gradientNorm: this.#gradientNorm,
      x: ws.x.slice(),
      converged: CONVERGED.has(this.#reason),
      done: this.#reason !== 'running',
      reason: this.#reason,
      ...(outer && { multipliers: outer.multipliers.slice(), violation: outer.violation(ws.x) }),
    };
  }

  /** The gradient of the objective at `x` (a copy). */
  gradient(): Float64Array {
    if (!this.#outer) return this.#ws.g.slice();
    this.#objectiveValue();
    return this.#fg.slice();
  }

  /** Set parameter `i` to `value` (clamped into its bounds); resets the method's memory. */
  setParameter(i: number, value: number): void {
    checkIndex(i, this.n, 'Minimizer.setParameter');
    checkValue(value, `Minimizer.setParameter(${i})`);
    const x = this.#ws.x.slice();
    x[i] = value;
    this.#place(x);
  }

  /** Set all parameters (clamped into their bounds, frozen ones included); resets the memory. */
  setParameters(x: ArrayLike<number>): void {
    this.#place(checkStart(x, this.n, 'Minimizer.setParameters'));
  }

  /** Move to `next` clamped into the user's bounds; frozen parameters stay frozen there. */
  #place(next: Float64Array): void {
    const ws = this.#ws;
    for (let i = 0; i < this.n; i++) {
      const v = Math.min(Math.max(next[i]!, ws.lower[i]!), ws.upper[i]!);
      next[i] = v;
      if (ws.frozen[i]) {
        ws.lo[i] = v;
        ws.hi[i] = v;
      }
    }
    this.#moveTo(next);
  }

  /** Hold parameter `i` at its value (`frozen` true) or release it; resets the method's memory. */
  freeze(i: number, frozen = true): void {
    checkIndex(i, this.n, 'Minimizer.freeze');
    this.#ws.setFrozen(i, frozen);
    this.#method.reset();
    this.#outer?.resume();
    this.#resume();
  }

  /** Start again from `x0` (default: the original start); frozen parameters keep their value. */
  reset(x0?: ArrayLike<number>): void {
    const start = x0 === undefined ? this.#start.slice() : checkStart(x0, this.n, 'Minimizer.reset');
    const ws = this.#ws;
    for (let i = 0; i < this.n; i++) if (ws.frozen[i]) start[i] = ws.x[i]!;
    this.#iteration = 0;
    ws.evaluations = 0;
    this.#outer?.restart();
    this.#restart(start);
  }

  /** Stop the run with `reason` (e.g. `'aborted'`); later steps do nothing. */
  stop(reason: string): void {
    if (this.#reason === 'running') this.#reason = reason;
  }

  /** Put the iterate at `x` (clamped), evaluate it, forget the method's memory, and run again. */
  #restart(x: Float64Array): void {
    const ws = this.#ws;
    for (let i = 0; i < this.n; i++) ws.x[i] = ws.clamp(i, x[i]!);
    this.#method.reset();
    this.#outer?.apply(ws);
    this.#reason = 'running';
    this.#evaluate();
  }

  /** Move to `x` without touching counters (setParameter and friends). */
  #moveTo(x: Float64Array): void {
    this.#method.reset();
    this.#outer?.resume();
    this.#ws.x.set(x);
    this.#reason = 'running';
    this.#evaluate();
  }

  /** Evaluate at the iterate; stop on a non-finite result. */
  #evaluate(): void {
    this.#fAt = -1;
    const bad = this.#ws.evaluateCurrent();
    this.#gradientNorm = this.#ws.projectedGradientNorm();
    this.#scale = Math.max(1, Math.abs(this.#ws.f));
    if (bad !== FINITE) this.#reason = nonFinite(bad, this.#iteration);
  }

  /** Continue after a change (unless the run hit its iteration limit or a hard failure). */
  #resume(): void {
    if (this.#reason !== 'running' && !this.#reason.startsWith('non-finite')) this.#reason = 'running';
    this.#gradientNorm = this.#ws.projectedGradientNorm();
  }

  /** Do one iteration and check the stopping rules. */
  #iterate(): void {
    const ws = this.#ws;
    const s = this.settings;
    if (this.#iteration >= s.maxIterations) return void (this.#reason = 'max-iterations');
    // already stationary (a start at the minimum, or after a change): nothing to step along
    if (this.#gradientNorm <= this.#gradientLimit()) return this.#innerDone('gradient-tolerance');
    const previous = ws.f;
    const outcome = this.#method.iterate(ws);
    if (outcome === ITER_NON_FINITE) return void (this.#reason = nonFinite(ws.badKind, this.#iteration + 1));
    this.#fAt = -1;
    if (outcome === ITER_FAILED) return this.#innerDone('line-search-failure');
    this.#iteration++;
    this.#gradientNorm = ws.projectedGradientNorm();
    const scale = (this.#scale = Math.min(this.#scale, Math.max(1, Math.abs(ws.f))));
    if (this.#gradientNorm <= this.#gradientLimit()) return this.#innerDone('gradient-tolerance');
    if (largestMove(ws) <= s.stepTolerance)
      return this.#innerDone('step-tolerance');
    // augmented Lagrangian rounds must end stationary: a slow stretch is not a reason to stop
    const valueRule = this.#outer === undefined || this.#outer.penalty;
    if (valueRule && Math.abs(previous - ws.f) <= s.valueTolerance * scale) return this.#innerDone('value-tolerance');
    if (this.#iteration >= s.maxIterations) this.#reason = 'max-iterations';
  }

  /** The projected-gradient norm that counts as stationary at the iterate (scaled). */
  #gradientLimit(): number {
    const gtol = this.#outer ? this.#outer.innerTolerance() : this.settings.gradientTolerance;
    return gtol * this.#scale;
  }

  /** An inner minimization ended with `reason`: stop, or (constrained) update the multipliers. */
  #innerDone(reason: string): void {
    const outer = this.#outer;
    if (outer === undefined) return void (this.#reason = reason);
    // stationary: the (final) inner minimization reached the gradient tolerance
    const stationary = this.#gradientNorm <= this.settings.gradientTolerance * this.#scale;
    const verdict = outer.update(this.#ws.x, outer.penalty ? CONVERGED.has(reason) : stationary);
    if (verdict !== 'running') return void (this.#reason = verdict);
    outer.apply(this.#ws);
    this.#method.reset();
    this.#evaluate();
  }

  /** Return the objective's value at `x`, evaluating it (and its gradient) once per iterate. */
  #objectiveValue(): number {
    const ws = this.#ws;
    if (this.#fAt !== this.#iteration) {
      ws.evaluations++;
      this.#f = this.#objective.evaluate(ws.x, this.#fg);
      this.#fAt = this.#iteration;
    }
    return this.#f;
  }
}

/** Return the method named in `settings` for `n` parameters. */
function makeMethod(n: number, s: Settings): Method {
  if (s.method === 'adam') return new Adam(n, s);
  if (s.method === 'gd') return new GradientDescent(n, s);
  return new Lbfgs(n, { history: s.history, armijo: s.armijo, curvature: s.curvature, maxEvaluations: s.lineSearchEvaluations });
}

/** Return the reason for a non-finite evaluation at `iteration`. */
function nonFinite(kind: number, iteration: number): string {
  return `non-finite ${kind === BAD_VALUE ? 'value' : 'gradient'} at iteration ${iteration}`;
}

/**
 * Return the largest |x_i - previous x_i| relative to max(1, largest |x_i|) (the previous
 * iterate is in `xt` after a step), in one pass.
 */
function largestMove(ws: Workspace): number {
  const { x, xt, n } = ws;
  let move = 0;
  let size = 1;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const m = Math.abs(xi - xt[i]!);
    if (m > move) move = m;
    const a = Math.abs(xi);
    if (a > size) size = a;
  }
  return move / size;
}
