/**
 * @file `minimize(f, x0, options)`, and the pieces a worker plugs into: `makeProblem` (plain
 * data), `runMinimize(problem, hooks)` (the async core: compiles with the async compilers, then
 * runs the loop in time slices of about 8 ms, yielding to the event loop between slices so a page
 * never misses a frame and an abort gets through), `dispatch` (the one place that decides where a
 * problem runs) and `compileMinimizer` (a compiled stepping `Minimizer` for interactive use).
 *
 * Abort: when `signal` aborts, the promise RESOLVES with the iterate reached so far and
 * `reason: 'aborted'` (`converged: false`): an interrupted optimization still has a useful answer.
 * Bad input rejects with a `RoseError`.
 *
 * Progress: `onStep(state)` is called at most once per 16 ms (one animation frame), with the
 * state after the last iteration of a slice; the final state is the resolved result.
 */
import type { Fn } from '../trace/fn.ts';
import type { Minimizer, MinimizerState } from './minimizer.ts';
import { compileProblem, makeProblem, type Problem, type ProblemOptions } from './problem.ts';
import { minimizeInWorker } from '../runtime/minimize-client.ts';
import { nextTask } from '../runtime/schedule.ts';
import { workersAvailable } from '../runtime/spawn.ts';

/** Options of `minimize`. */
export interface MinimizeOptions extends ProblemOptions {
  /** Abort the run: the promise resolves with `reason: 'aborted'`. */
  readonly signal?: AbortSignal;
  /** Called with the state at most once per 16 ms while running. */
  readonly onStep?: (state: MinimizerState) => void;
}

/** What `minimize` resolves with. */
export interface MinimizeResult {
  readonly x: Float64Array;
  /** The objective's value at `x`. */
  readonly value: number;
  /** The objective's gradient at `x`. */
  readonly gradient: Float64Array;
  readonly iterations: number;
  /** Gradient evaluations (each computes the value and the gradient). */
  readonly evaluations: number;
  readonly converged: boolean;
  /**
   * Why the run stopped: `'gradient-tolerance'`, `'step-tolerance'`, `'value-tolerance'`,
   * `'converged'` (constrained: feasible and stationary), `'max-iterations'`,
   * `'max-outer-iterations'`, `'line-search-failure'`, `'aborted'`, or
   * `'non-finite value at iteration k'` / `'non-finite gradient at iteration k'`.
   */
  readonly reason: string;
  /** One per scalar constraint (`grad f + sum multipliers[i] grad c_i = 0`); empty without constraints. */
  readonly multipliers: Float64Array;
  /** Constrained problems: the largest constraint violation at `x` (0 without constraints). */
  readonly violation: number;
  /** Where the loop ran. */
  readonly ranOn: 'main' | 'worker';
  /** Why it ran where it did, when that differs from what was asked (e.g. opaque functions). */
  readonly note: string;
}

/** Callbacks and controls of a run (not part of the plain-data problem). */
export interface MinimizeHooks {
  readonly signal?: AbortSignal;
  readonly onStep?: (state: MinimizerState) => void;
  /** The clock in ms (default `performance.now`); tests pass a fake one. */
  readonly now?: () => number;
}

/** Time slice of the loop before it yields to the event loop, in ms. */
const SLICE_MS = 8;
/** Least time between two `onStep` calls, in ms (one animation frame). */
const FRAME_MS = 16;

/** Minimize `f` (an fn from `Vec(n, Real)` to `Real`) from `x0`; see the file comment. */
export async function minimize(
  f: Fn,
  x0: ArrayLike<number>,
  options: MinimizeOptions = {},
): Promise<MinimizeResult> {
  const problem = makeProblem(f, x0, options, 'minimize');
  return dispatch(problem, { signal: options.signal, onStep: options.onStep });
}

/**
 * Run `problem` where it should run: in a browser window with `runIn: 'worker'` (the default),
 * in the compile worker (engine/runtime/minimize-client.ts), unless the model calls opaque JS
 * functions (`needsMainThread`), which exist only here; in Node, inside workers, and with
 * `runIn: 'main'`, on this thread in time slices.
 */
export function dispatch(problem: Problem, hooks: MinimizeHooks): Promise<MinimizeResult> {
  if (problem.runIn === 'worker' && !problem.needsMainThread && workersAvailable())
    return minimizeInWorker(problem, hooks);
  return runMinimize(problem, hooks);
}

/**
 * Return a compiled stepping `Minimizer` for `f` from `x0` (options as for `minimize`, without
 * `signal`, `onStep` and `runIn`): the API interactive elements drive frame by frame.
 */
export async function compileMinimizer(
  f: Fn,
  x0: ArrayLike<number>,
  options: ProblemOptions = {},
): Promise<Minimizer> {
  const problem = makeProblem(f, x0, options, 'compileMinimizer');
  return (await compileProblem(problem)).minimizer;
}

/** Compile and run `problem` on this thread in time slices; resolve with the result. */
export async function runMinimize(problem: Problem, hooks: MinimizeHooks = {}): Promise<MinimizeResult> {
  const { minimizer, dispose } = await compileProblem(problem);
  try {
    await loop(minimizer, hooks);
    return result(minimizer, problem);
  } finally {
    dispose();
  }
}

/** Run `m` until it stops or `hooks.signal` aborts, yielding every slice. */
async function loop(m: Minimizer, hooks: MinimizeHooks): Promise<void> {
  const now = hooks.now ?? (() => performance.now());
  let lastStep = -Infinity;
  let batch = 1;
  for (;;) {
    if (hooks.signal?.aborted) return m.stop('aborted');
    const start = now();
    let running = true;
    let elapsed = 0;
    // run batches of iterations, reading the clock once per batch, until the slice is used
    while (running && elapsed < SLICE_MS) {
      for (let j = 0; j < batch && running; j++) running = m.advance();
      const t = now() - start;
      if (t - elapsed < 0.5) batch *= 2;
      else if (t - elapsed > 2 && batch > 1) batch >>= 1;
      elapsed = t;
    }
    if (hooks.onStep && now() - lastStep >= FRAME_MS) {
      lastStep = now();
      hooks.onStep(m.state);
    }
    if (!running) return;
    await new Promise<void>((resolve) => nextTask(resolve));
  }
}

/** Return the result of a finished run. */
function result(m: Minimizer, problem: Problem): MinimizeResult {
  const s = m.state;
  const worker = problem.runIn === 'worker';
  return {
    x: s.x,
    value: s.value,
    gradient: m.gradient(),
    iterations: s.iteration,
    evaluations: s.evaluations,
    converged: s.converged,
    reason: s.reason,
    multipliers: s.multipliers ?? new Float64Array(0),
    violation: s.violation ?? 0,
    ranOn: 'main',
    note:
      worker && problem.needsMainThread
        ? `ran on the main thread in time slices: ${problem.mainThreadReason}`
        : '',
  };
}
