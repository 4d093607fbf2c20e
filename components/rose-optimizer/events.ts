/**
 * @file The events of `<rose-optimizer>` and their `detail` types. `rose-step` and `rose-error`
 * carry more than the shared details of components/shared/events.ts (the parameters by name; the
 * markup element and line/column of an expression error), so the element's `addEventListener`
 * is typed with `RoseOptimizerEventMap` (see rose-optimizer.ts). All are bubbling and composed.
 */
import type { RoseErrorDetail } from '../shared/events.ts';

/** The reflected `state` of an optimizer. */
export type OptimizerStatus = 'idle' | 'compiling' | 'running' | 'converged' | 'error';

/** `rose-compiled`: the model compiled; the optimizer is ready. */
export interface OptimizerCompiledDetail {
  /** The parameter names, in order. */
  readonly parameters: readonly string[];
  /** Where the loop runs. */
  readonly ranOn: 'worker' | 'main';
  /** Why it runs on the main thread (opaque functions), else empty. */
  readonly note: string;
}

/** `rose-step` and `rose-converged`: a new state (at most one per animation frame). */
export interface OptimizerStepDetail {
  readonly iteration: number;
  /** The objective at `x`. */
  readonly loss: number;
  /** The largest entry of the projected gradient (of the Lagrangian, if constrained). */
  readonly gradientNorm: number;
  /** The parameter values by name. */
  readonly parameters: Readonly<Record<string, number>>;
  /** The parameter values in order. */
  readonly x: readonly number[];
  /** True while the optimizer runs. */
  readonly running: boolean;
  /** `'running'`, or why the run stopped (`'gradient-tolerance'`, `'max-iterations'`, ...). */
  readonly reason: string;
  /** Constrained models: the largest constraint violation at `x`. */
  readonly violation?: number;
  /** Constrained models: the multipliers, one per scalar constraint. */
  readonly multipliers?: readonly number[];
}

/** `rose-error`: a mistake shown inside the element, with its place in the markup if known. */
export interface OptimizerErrorDetail extends RoseErrorDetail {
  /** The markup element at fault (a `<rose-param>`, `<rose-objective>`, `<rose-constraint>`). */
  readonly element?: Element;
  /** 1-based line and column in that element's expression text. */
  readonly line?: number;
  readonly column?: number;
  /** The expression's line with a caret under the problem. */
  readonly excerpt?: string;
}

/** The events of `<rose-optimizer>` by name. */
export interface RoseOptimizerEventMap {
  'rose-compiled': CustomEvent<OptimizerCompiledDetail>;
  'rose-step': CustomEvent<OptimizerStepDetail>;
  'rose-converged': CustomEvent<OptimizerStepDetail>;
  'rose-error': CustomEvent<OptimizerErrorDetail>;
}

type Detail<K extends keyof RoseOptimizerEventMap> = RoseOptimizerEventMap[K] extends CustomEvent<infer D> ? D : never;

/** Dispatch the optimizer event `name` with `detail` from `target` (bubbling, composed). */
export function emitOptimizer<K extends keyof RoseOptimizerEventMap>(target: EventTarget, name: K, detail: Detail<K>): boolean {
  return target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'rose-compiled': CustomEvent<OptimizerCompiledDetail>;
    'rose-step': CustomEvent<OptimizerStepDetail>;
    'rose-converged': CustomEvent<OptimizerStepDetail>;
  }
}
