/**
 * @file The contract between elements that own a model (an optimizer) and elements that show it
 * (`<rose-plot for="...">`): a `ModelSource` exposes the parameter names and bounds, the
 * objective as an engine `Fn`, the current point, the path of iterates and the loss history, and
 * fires two events on itself:
 * - `rose-model-change` when the parameters or the objective change, or the run is reset (the
 *   path and history start over): viewers re-read everything, including the objective;
 * - `rose-model-step` when the state advanced (a new iterate, or a parameter dragged by hand): viewers
 *   re-read `x`, `path` and `lossHistory` only, and redraw (cheaply, at most once per frame).
 *
 * An element is a source itself (it has `isRoseModelSource`), or exposes one as its
 * `modelSource` property. `ModelState` is a ready-made source that an optimizer element can own
 * and feed (`setModel`, `record`, `setPoint`, `reset`):
 *
 * ```ts
 * class RoseOptimizer extends LitElement {
 *   readonly modelSource = new ModelState();
 *   // after compiling: this.modelSource.setModel({ parameters: ['x', 'y'], objective, x: [-1.2, 1] });
 *   // each iteration (throttled to frames): this.modelSource.record(x, loss, gradientNorm);
 * }
 * ```
 */
import type { Fn } from '../../engine/trace/fn.ts';
import { emit } from './events.ts';

/** A parameter's optional box, as given by `<rose-param min max>`. */
export interface ParameterBounds {
  readonly min?: number;
  readonly max?: number;
}

/** What a viewer reads from a model. All arrays are read-only snapshots owned by the source. */
export interface ModelSource extends EventTarget {
  /** Brand: true for every model source. */
  readonly isRoseModelSource: true;
  /** The parameter names, in the order of the objective's `Vec(n, Real)` argument. */
  readonly parameters: readonly string[];
  /** The bounds per parameter (same order), when known: default plot ranges come from them. */
  readonly bounds: readonly ParameterBounds[];
  /** The objective: a `Real`-valued engine `Fn` of one `Vec(n, Real)`; undefined until compiled. */
  readonly objective: Fn | undefined;
  /** The objective's source text when it came from markup (for labels and descriptions). */
  readonly expression: string | undefined;
  /** The current point (length n). */
  readonly x: readonly number[];
  /** The iterates of the current run, oldest first, each of length n (the start point first). */
  readonly path: readonly (readonly number[])[];
  /** The objective at each iterate of `path` (NaN where not known). */
  readonly lossHistory: readonly number[];
}

/** Return true if `value` implements `ModelSource`. */
export function isModelSource(value: unknown): value is ModelSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Partial<ModelSource>).isRoseModelSource === true &&
    typeof (value as Partial<ModelSource>).addEventListener === 'function'
  );
}

/** Return the model source of `el`: `el` itself, or its `modelSource` property; else undefined. */
export function modelSourceOf(el: Element | null | undefined): ModelSource | undefined {
  if (!el) return undefined;
  if (isModelSource(el)) return el;
  const inner = (el as Element & { modelSource?: unknown }).modelSource;
  return isModelSource(inner) ? inner : undefined;
}

/** The model to start from (`setModel`). */
export interface ModelInit {
  readonly parameters: readonly string[];
  readonly objective?: Fn;
  readonly expression?: string;
  readonly bounds?: readonly ParameterBounds[];
  /** The start point; default all zeros. */
  readonly x?: readonly number[];
  /** The objective at the start point, if known. */
  readonly loss?: number;
}

/** A `ModelSource` kept by its owner: set the model, record iterates, and viewers follow. */
export class ModelState extends EventTarget implements ModelSource {
  readonly isRoseModelSource = true as const;
  parameters: readonly string[] = [];
  bounds: readonly ParameterBounds[] = [];
  objective: Fn | undefined = undefined;
  expression: string | undefined = undefined;
  x: readonly number[] = [];
  path: (readonly number[])[] = [];
  lossHistory: number[] = [];
  /** Iterations recorded since the last reset. */
  iteration = 0;

  /** Replace the model and start a new run at `init.x`; fires `rose-model-change`. */
  setModel(init: ModelInit): void {
    this.parameters = [...init.parameters];
    this.objective = init.objective;
    this.expression = init.expression;
    this.bounds = init.bounds ? [...init.bounds] : init.parameters.map(() => ({}));
    this.reset(init.x ?? init.parameters.map(() => 0), init.loss);
  }

  /** Start a new run at `x` (path and history cleared); fires `rose-model-change`. */
  reset(x: readonly number[], loss = NaN): void {
    this.x = [...x];
    this.path = [this.x];
    this.lossHistory = [loss];
    this.iteration = 0;
    emit(this, 'rose-model-change', { parameters: this.parameters });
  }

  /** Append an iterate `x` with its loss; fires `rose-model-step`. */
  record(x: ArrayLike<number>, loss: number, gradientNorm = NaN): void {
    this.x = Array.from(x);
    this.path.push(this.x);
    this.lossHistory.push(loss);
    this.iteration++;
    emit(this, 'rose-model-step', { iteration: this.iteration, loss, gradientNorm, parameters: this.x });
  }

  /**
   * Move the current point without recording an iterate (a parameter dragged by hand while
   * idle): the run restarts there; fires `rose-model-change`.
   */
  setPoint(x: readonly number[], loss = NaN): void {
    this.reset(x, loss);
  }
}
