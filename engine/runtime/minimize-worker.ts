/**
 * @file The worker's side of `minimize`: revive the posted problem, run `runMinimize` on it
 * in-process (compiling in this worker), stream progress, stop on `abort`, answer with the
 * result.
 *
 * Progress is acknowledged: after posting one `progress` message the worker posts no other
 * until the main thread's `ack` (sent from `requestAnimationFrame`), keeping only the latest
 * state meanwhile. So the page never receives more than one progress message per frame, however
 * fast the loop runs, and a busy page never accumulates a backlog.
 */
import type { MinimizerState } from '../optim/minimizer.ts';
import { runMinimize } from '../optim/minimize.ts';
import { toWireError, type MinimizeRequest, type Reply } from './protocol.ts';
import { problemFromWire } from './wire.ts';

/** A running minimization. */
interface Run {
  readonly control: AbortController;
  readonly post: (reply: Reply) => void;
  /** A progress message is posted and not yet acknowledged. */
  waiting: boolean;
  /** The newest state not posted yet (while `waiting`). */
  latest: MinimizerState | undefined;
}

const runs = new Map<number, Run>();

/** Post `state` as the progress of run `id`, or keep it until the last one is acknowledged. */
function report(id: number, run: Run, state: MinimizerState): void {
  if (run.waiting) {
    run.latest = state;
    return;
  }
  run.waiting = true;
  run.latest = undefined;
  run.post({ type: 'progress', id, progress: state });
}

/** Start the minimization of `msg`; its answer is posted with `post`. */
export function startMinimize(msg: MinimizeRequest, post: (reply: Reply) => void): void {
  const id = msg.id;
  const run: Run = { control: new AbortController(), post, waiting: false, latest: undefined };
  runs.set(id, run);
  const onStep = (state: MinimizerState): void => report(id, run, state);
  Promise.resolve()
    .then(() => runMinimize(problemFromWire(msg.problem), { signal: run.control.signal, onStep }))
    .then(
      (result) => post({ type: 'done', id, result: { ...result, ranOn: 'worker' } }),
      (e: unknown) => post({ type: 'failed', id, error: toWireError(e) }),
    )
    .finally(() => runs.delete(id));
}

/** The main thread showed the last progress of run `id`: post the newest state, if any. */
export function acknowledge(id: number): void {
  const run = runs.get(id);
  if (run === undefined) return;
  run.waiting = false;
  if (run.latest !== undefined) report(id, run, run.latest);
}

/** Stop run `id` at its next slice; it answers with the iterate reached, `reason: 'aborted'`. */
export function abortRun(id: number): void {
  runs.get(id)?.control.abort();
}
