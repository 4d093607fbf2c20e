/**
 * @file `terminateWorker()`: stop the page's shared Rose Kit worker (compiles, `minimize` runs and
 * optimizer sessions) now, e.g. when a single-page app leaves the view that used it.
 */
import { workerClient } from './client.ts';

/**
 * Stop the shared worker now: every call still waiting on it rejects with a `worker-failed`
 * RoseError (a `minimize` in the worker too), and the next call that needs a worker starts a
 * new one. Compiled functions already returned keep working (they run where they were
 * instantiated). Does nothing when no worker is running (in Node, or before the first call).
 */
export function terminateWorker(): void {
  workerClient().terminate('terminateWorker() was called');
}
