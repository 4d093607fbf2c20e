/**
 * @file The optimizer race: three runners (gradient descent with momentum, Adam, L-BFGS) on the
 * same compiled objective from the same start, advanced in lock step by a race clock, so each
 * frame every runner may have done at most the same number of iterations. The clock runs one
 * iteration every two frames at first (L-BFGS finishes in this phase) and then speeds up
 * geometrically, so the first-order methods' thousands of iterations fit in a few seconds.
 * Each runner feeds a `ModelState` that its plots follow.
 */
import { ModelState } from '../../components/index.ts';
import {
  compileValueAndGrad,
  createMinimizer,
  lowerObjective,
  objectiveFromCompiled,
  type CompiledValueAndGrad,
  type ExpressionFn,
  type MethodName,
  type Minimizer,
  type MinimizerOptions,
  type MinimizerState,
} from '../../engine/index.ts';

/** A test problem of the race. */
export interface Problem {
  readonly id: string;
  readonly name: string;
  readonly text: string;
  readonly box: readonly [number, number, number, number];
  readonly start: readonly [number, number];
  /** The options of each method on this problem (learning rates tuned for it). */
  readonly options: Readonly<Record<MethodName, MinimizerOptions>>;
}

/** Iterations any runner may do at most. */
const MAX_ITERATIONS = 20000;

/** The methods' options: the same learning rates serve both problems. */
const RACE_OPTIONS: Readonly<Record<MethodName, MinimizerOptions>> = {
  gd: { method: 'gd', learningRate: 5e-4, momentum: 0.9 },
  adam: { method: 'adam', learningRate: 0.05 },
  lbfgs: { method: 'lbfgs' },
};

/** The problems; learning rates that converge from anywhere in the window (checked on an 11 x 11 grid of starts). */
export const PROBLEMS: readonly Problem[] = [
  {
    id: 'rosenbrock',
    name: 'Rosenbrock',
    text: '(1 - x)^2 + 100*(y - x^2)^2',
    box: [-2, 2, -1, 3],
    start: [-1.2, 1],
    options: RACE_OPTIONS,
  },
  {
    id: 'himmelblau',
    name: 'Himmelblau',
    text: '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
    box: [-5, 5, -5, 5],
    start: [-0.5, -4.5],
    options: RACE_OPTIONS,
  },
];

/** The runners' methods, in the order of their columns. */
const METHODS: readonly MethodName[] = ['gd', 'adam', 'lbfgs'];

/** Return the iterations the race clock allows after `frame` frames. */
function allowedIterations(frame: number): number {
  if (frame <= 80) return Math.floor(frame / 2);
  return Math.min(MAX_ITERATIONS, Math.floor(40 * 1.045 ** (frame - 80)));
}

/** One method in the race. */
export class Runner {
  readonly method: MethodName;
  /** What the runner's plots follow. */
  readonly source = new ModelState();
  #minimizer: Minimizer | undefined;
  #state: MinimizerState | undefined;
  /** The iteration at which the run finished, when it did. */
  finishedAt: number | undefined;

  constructor(method: MethodName) {
    this.method = method;
  }

  /** The latest state, once started. */
  get state(): MinimizerState | undefined {
    return this.#state;
  }

  /** Start again at `start` on `compiled` with `options`. */
  restart(compiled: CompiledValueAndGrad, problem: Problem, start: readonly number[]): void {
    const options = { ...problem.options[this.method], maxIterations: MAX_ITERATIONS };
    this.#minimizer = createMinimizer(objectiveFromCompiled(compiled), start, options);
    this.#state = this.#minimizer.state;
    this.finishedAt = undefined;
    this.source.setModel({ parameters: ['x', 'y'], x: start, loss: this.#state.value });
  }

  /** Advance until `iterations` are done or the run stops; record each iterate. Return true if it moved. */
  advanceTo(iterations: number): boolean {
    const m = this.#minimizer;
    let moved = false;
    while (m && this.#state && !this.#state.done && this.#state.iteration < iterations) {
      this.#state = m.step(1);
      this.source.record(this.#state.x, this.#state.value, this.#state.gradientNorm);
      moved = true;
    }
    if (this.#state?.done && this.finishedAt === undefined) this.finishedAt = this.#state.iteration;
    return moved;
  }
}

/** The three runners, their compiled objective and the race clock. */
export class Race {
  readonly runners = METHODS.map((m) => new Runner(m));
  problem: Problem = PROBLEMS[0]!;
  start: [number, number] = [...PROBLEMS[0]!.start];
  /** Frames since the start of the race. */
  frame = 0;
  readonly #loaded = new Map<string, { fn: ExpressionFn; compiled: Promise<CompiledValueAndGrad> }>();
  #current: CompiledValueAndGrad | undefined;

  /** Return the traced objective of `problem` (traced once, compiled in the worker once). */
  objective(problem: Problem): ExpressionFn {
    return this.#traced(problem).fn;
  }

  /** Return `problem`'s traced objective and its compilation, starting both the first time. */
  #traced(problem: Problem): { fn: ExpressionFn; compiled: Promise<CompiledValueAndGrad> } {
    let loaded = this.#loaded.get(problem.id);
    if (!loaded) {
      const fn = lowerObjective(problem.text, ['x', 'y'], { label: problem.name });
      loaded = { fn, compiled: compileValueAndGrad(fn) };
      this.#loaded.set(problem.id, loaded);
    }
    return loaded;
  }

  /** Compile `problem` (once) and restart every runner at `start`. */
  async load(problem: Problem, start: readonly number[] = problem.start): Promise<void> {
    const compiled = await this.#traced(problem).compiled;
    this.problem = problem;
    this.#current = compiled;
    this.restart(start);
  }

  /** Restart every runner at `start`, and the clock at zero. */
  restart(start: readonly number[]): void {
    if (!this.#current) return;
    this.start = [start[0]!, start[1]!];
    this.frame = 0;
    for (const r of this.runners) r.restart(this.#current, this.problem, this.start);
  }

  /** The iterations the clock allows now. */
  get clock(): number {
    return allowedIterations(this.frame);
  }

  /** True when every runner stopped. */
  get finished(): boolean {
    return this.runners.every((r) => r.state?.done);
  }

  /** Advance the clock one frame and every runner up to it. */
  tick(): void {
    if (this.finished) return;
    this.frame++;
    const allowed = this.clock;
    for (const r of this.runners) r.advanceTo(allowed);
  }

  /** The runners that finished, in order of iterations (fewest first). */
  get ranking(): Runner[] {
    return this.runners
      .filter((r) => r.finishedAt !== undefined && r.state?.converged)
      .sort((a, b) => a.finishedAt! - b.finishedAt!);
  }
}
