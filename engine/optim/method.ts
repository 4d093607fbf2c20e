/**
 * @file The interface of an optimizer method (L-BFGS, Adam, gradient descent): one iteration at
 * a time over a `Workspace`, and a `reset` that forgets the method's memory (curvature pairs,
 * moments, velocity) when the parameters jump or the problem changes.
 */
import type { Workspace } from './workspace.ts';

/** Outcomes of an iteration: moved to a new iterate, could not make progress, or hit non-finite values. */
export const ITER_OK = 0;
export const ITER_FAILED = 1;
export const ITER_NON_FINITE = 2;

/** One optimizer method. */
export interface Method {
  /** Advance one iteration from the workspace's iterate; return `ITER_OK` or a failure. */
  iterate(ws: Workspace): number;
  /** Forget the method's memory (history, moments, velocity). */
  reset(): void;
}
