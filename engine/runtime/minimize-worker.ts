/**
 * @file The worker's side of `minimize`: revive the posted problem, run `runMinimize` on it
 * in-process (compiling in this worker), stream progress, stop on `abort`, answer with the
 * result.
 *
 * Progress is acknowledged (acked-progress.ts): at most one progress message per frame.
 */
import type { MinimizerState } from '../optim/minimizer.ts';
import { runMinimize } from '../optim/minimize.ts';
import { AckedProgress } from './acked-progress.ts';
import { toWireError, type MinimizeRequest, type Reply } from './protocol.ts';
import { problemFromWire } from './wire.ts';

/** A running minimization. */
interface Run {
  readonly control: AbortController;
  readonly progress: AckedProgress<MinimizerState>;
}

const runs = new Map<number, Run>();

/** Start the minimization of `msg`; its answer is posted with `post`. */
export function startMinimize(msg: MinimizeRequest, post: (reply: Reply) => void): void {
  const id = msg.id;
  const run: Run = { control: new AbortController(), progress: new AckedProgress(id, post) };
  runs.set(id, run);
  const onStep = (state: MinimizerState): void => run.progress.report(state);
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
  runs.get(id)?.progress.acknowledge();
}

/** Stop run `id` at its next slice; it answers with the iterate reached, `reason: 'aborted'`. */
export function abortRun(id: number): void {
  runs.get(id)?.control.abort();
}
