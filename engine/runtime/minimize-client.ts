/**
 * @file The main thread's side of `minimize` in the worker: post the problem (plain data), call
 * `onStep` with each progress message and acknowledge it from the next animation frame (so the
 * worker sends at most one per frame, see minimize-worker.ts), forward an abort, and resolve with
 * the worker's result (`ranOn: 'worker'`). A dead worker rejects with `worker-failed`.
 */
import type { MinimizeHooks, MinimizeResult } from '../optim/minimize.ts';
import type { MinimizerState } from '../optim/minimizer.ts';
import type { Problem } from '../optim/problem.ts';
import { workerClient } from './client.ts';
import { nextFrame } from './schedule.ts';
import { problemToWire, problemTransfers } from './wire.ts';
import type { AckRequest, MinimizeRequest } from './protocol.ts';

/** Minimize `problem` (which calls no opaque function) in the compile worker. */
export async function minimizeInWorker(problem: Problem, hooks: MinimizeHooks): Promise<MinimizeResult> {
  const client = workerClient();
  let stepError: { error: unknown } | undefined;
  const onProgress = (state: MinimizerState, id: number): void => {
    try {
      if (stepError === undefined) hooks.onStep?.(state);
    } catch (error) {
      // a throwing onStep ends the run; its error is what the call rejects with
      stepError = { error };
      client.notify({ type: 'abort', id });
    }
    nextFrame(() => client.notify({ type: 'ack', id } satisfies AckRequest));
  };
  const wire = problemToWire(problem);
  const body: Omit<MinimizeRequest, 'id'> = { type: 'minimize', problem: wire };
  const result = await client.request<MinimizeResult, MinimizerState>(body, {
    where: 'minimize',
    signal: hooks.signal,
    forwardAbort: true,
    onProgress,
    transfer: problemTransfers(wire),
  });
  if (stepError !== undefined) throw stepError.error;
  return result;
}
