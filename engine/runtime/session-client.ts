/**
 * @file The main thread's side of an optimizer session in the compile worker (see
 * engine/optim/session.ts and session-worker.ts). The session is one long request: `open` posts
 * the problem; each `progress` reply is a state, delivered to the hooks and acknowledged from
 * the next animation frame; `done` arrives after `dispose`. Commands are posted with the
 * request's id, which is known from the first reply (commands given before it wait, in order).
 * A worker that dies rejects the request: the session reports `worker-failed` through `onError`.
 */
import { RoseError } from '../errors.ts';
import type { Problem } from '../optim/problem.ts';
import {
  StateDelivery,
  asRoseError,
  disposedError,
  type OptimizerSession,
  type SessionCommand,
  type SessionHooks,
  type SessionState,
} from '../optim/session.ts';
import { workerClient } from './client.ts';
import { nextFrame } from './schedule.ts';
import type { SessionCommandRequest, SessionRequest } from './protocol.ts';
import { problemToWire, problemTransfers } from './wire.ts';
import { SessionCommands } from '../optim/session-commands.ts';

const WHERE = 'the optimizer session in the worker';

/** Open a session for `problem` (which calls no opaque function) in the compile worker. */
export function openWorkerSession(problem: Problem, hooks: SessionHooks): OptimizerSession {
  return new WorkerSession(problem, hooks);
}

/** Return how many sessions the compile worker holds (a test hook: released sessions are gone). */
export function workerSessionCount(): Promise<number> {
  const body: Omit<SessionRequest, 'id'> = { type: 'session', op: 'count' };
  return workerClient().request<number>(body, { where: 'workerSessionCount' });
}

/** A session whose loop runs in the compile worker. */
class WorkerSession extends SessionCommands implements OptimizerSession {
  readonly ranOn = 'worker' as const;
  readonly note = '';
  readonly ready: Promise<SessionState>;
  readonly #hooks: SessionHooks;
  readonly #delivery: StateDelivery;
  readonly #queue: SessionCommand[] = [];
  #id: number | undefined;
  #closed = false;
  #resolveReady!: (state: SessionState) => void;
  #rejectReady!: (error: unknown) => void;

  constructor(problem: Problem, hooks: SessionHooks) {
    super();
    this.#hooks = hooks;
    this.#delivery = new StateDelivery(hooks);
    this.ready = new Promise<SessionState>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    const wire = problemToWire(problem);
    const body: Omit<SessionRequest, 'id'> = { type: 'session', op: 'open', problem: wire };
    const transfer = problemTransfers(wire);
    workerClient()
      .request<void, SessionState>(body, { where: WHERE, transfer, onProgress: (s, id) => this.#progress(s, id) })
      .then(
        () => this.#rejectReady(disposedError(WHERE)),
        (e: unknown) => this.#fail(e),
      );
  }

  get state(): SessionState | undefined {
    return this.#delivery.state;
  }

  get closed(): boolean {
    return this.#closed;
  }

  dispose(): void {
    if (this.#closed) return;
    this.#post({ op: 'dispose' });
    this.#closed = true;
  }

  protected send(command: SessionCommand): void {
    if (!this.#closed) this.#post(command);
  }

  /** Post `command` now, or queue it until the worker's first reply names the session. */
  #post(command: SessionCommand | { op: 'ack' }): void {
    if (this.#id === undefined) {
      if (command.op !== 'ack') this.#queue.push(command);
      return;
    }
    const body: SessionCommandRequest = { type: 'session-command', id: this.#id, command };
    workerClient().notify(body as unknown as Record<string, unknown> & { type: string });
  }

  /** A state from the worker: deliver it and acknowledge it at the next frame. */
  #progress(state: SessionState, id: number): void {
    if (this.#id === undefined) {
      this.#id = id;
      for (const c of this.#queue.splice(0)) this.#post(c);
      if (!this.#closed) this.#resolveReady(state);
    }
    if (this.#closed) return;
    this.#delivery.deliver(state);
    nextFrame(() => this.#post({ op: 'ack' }));
  }

  #fail(e: unknown): void {
    const error = e instanceof RoseError ? e : asRoseError(e, WHERE);
    this.#rejectReady(error);
    if (this.#closed) return;
    this.#closed = true;
    this.#hooks.onError?.(error);
  }
}
