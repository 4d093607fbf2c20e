/**
 * @file The main thread's side of the compile worker: a promise per request, matched to replies
 * by request id in a pending map.
 *
 * No call ever hangs on a dead worker: an `error` event (an uncaught exception in the worker, or
 * a script that failed to load), a `messageerror`, or `terminate()` rejects every pending
 * request with a `worker-failed` `RoseError`, and the next request starts a fresh worker. An
 * aborted `AbortSignal` rejects its request at once with an `aborted` `RoseError` (the worker is
 * told to stop; a late answer is ignored).
 */
import { RoseError, formatMessage } from '../errors.ts';
import {
  fromWireError,
  type Request,
  type ProgressReply,
  type Reply,
} from './protocol.ts';
import { spawnWorker } from './spawn.ts';

/** A request as passed to `request`: any message with a `type`; the client adds the `id`. */
export type RequestBody = { readonly type: string } & Record<string, unknown>;

/** Options of one request. */
export interface RequestOptions<P> {
  /** Cancels the request: it rejects with an `aborted` RoseError, and the worker is told. */
  readonly signal?: AbortSignal;
  /**
   * On abort, only tell the worker and keep waiting for its answer (for requests the worker
   * answers with a partial result, like `minimize`), instead of rejecting at once.
   */
  readonly forwardAbort?: boolean;
  /** Called with each `progress` message of the request. */
  readonly onProgress?: (progress: P, id: number) => void;
  /** Names the operation in error messages, e.g. `compile(f)`. */
  readonly where: string;
  /** Buffers to transfer with the message (they are detached here once posted). */
  readonly transfer?: readonly Transferable[];
}

/** A request waiting for its answer. */
interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onProgress?: (progress: unknown, id: number) => void;
}

/** Return the error for an operation cancelled by `signal`. */
export function abortError(signal: AbortSignal, where: string): RoseError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? `: ${reason.message}` : '';
  return new RoseError(
    'aborted',
    formatMessage(`aborted: the operation was cancelled by its AbortSignal${why}`, where),
    { cause: reason },
  );
}

/** Throw `aborted` if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw abortError(signal, where);
}

/** A compile worker and its pending requests; replaced transparently when it dies. */
export class WorkerClient {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** Workers started so far (tests: a replaced worker counts again). */
  started = 0;
  /** Requests posted so far. */
  posted = 0;

  /** Post `body` to the worker and return the promise of its answer. */
  request<T, P = unknown>(body: RequestBody, options: RequestOptions<P>): Promise<T> {
    const { signal, where, forwardAbort = false } = options;
    if (signal?.aborted && !forwardAbort) return Promise.reject(abortError(signal, where));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        if (!this.#pending.has(id)) return;
        this.#worker?.postMessage({ type: 'abort', id } satisfies Request);
        if (forwardAbort) return;
        this.#pending.delete(id);
        reject(abortError(signal!, where));
      };
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      this.#pending.set(id, {
        resolve: (v) => (done(), resolve(v as T)),
        reject: (e) => (done(), reject(e)),
        onProgress: options.onProgress as Pending['onProgress'],
      });
      try {
        this.#ensure().postMessage({ ...body, id }, { transfer: [...(options.transfer ?? [])] });
        this.posted++;
      } catch (e) {
        this.#pending.delete(id);
        reject(this.#startError(e, where));
        return;
      }
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Post a message that needs no answer (e.g. a progress acknowledgement). */
  notify(body: RequestBody): void {
    this.#worker?.postMessage(body);
  }

  /** Return the number of requests waiting for an answer. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Stop the worker now: every pending request rejects with a `worker-failed` RoseError; the
   * next request starts a new worker.
   */
  terminate(reason = 'the compile worker was terminated'): void {
    const w = this.#worker;
    if (w === undefined) return;
    this.#worker = undefined;
    w.terminate();
    const error = new RoseError(
      'worker-failed',
      formatMessage(
        `worker failed: ${reason}; the call did not finish`,
        'the Rose Kit worker runtime',
        'Try again: the next call starts a new worker. If the worker cannot start at all (a ' +
          "Content-Security-Policy without worker-src, a bundler that did not emit worker.js), " +
          'pass { worker: false }',
      ),
    );
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }

  /** Return the live worker, starting one if needed. */
  #ensure(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const w = spawnWorker();
    this.started++;
    w.onmessage = (ev: MessageEvent<Reply>) => this.#receive(ev.data);
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      const what = ev.message ? `it stopped with an uncaught error: ${ev.message}` : 'it could not start or stopped';
      if (this.#worker === w) this.terminate(`the compile worker failed (${what})`);
    };
    w.onmessageerror = () => {
      if (this.#worker === w) this.terminate('a message from the compile worker could not be read');
    };
    this.#worker = w;
    return w;
  }

  /** Settle the request a reply answers (replies to cancelled requests are ignored). */
  #receive(reply: Reply): void {
    const p = this.#pending.get(reply.id);
    if (p === undefined) return;
    if (reply.type === 'progress') {
      p.onProgress?.((reply as ProgressReply).progress, reply.id);
      return;
    }
    this.#pending.delete(reply.id);
    if (reply.type === 'done') p.resolve(reply.result);
    else p.reject(fromWireError(reply.error));
  }

  /** Return the error for a worker that could not be started or posted to. */
  #startError(e: unknown, where: string): RoseError {
    return new RoseError(
      'worker-failed',
      formatMessage(
        `worker failed: could not start or post to the compile worker: ${String(e)}`,
        where,
        "Check the page's Content-Security-Policy (worker-src), or pass { worker: false }",
      ),
      { cause: e },
    );
  }
}

let shared: WorkerClient | undefined;

/** Return the worker client shared by every `compile` of this page. */
export function workerClient(): WorkerClient {
  shared ??= new WorkerClient();
  return shared;
}
