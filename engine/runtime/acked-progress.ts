/**
 * @file Progress of one worker request, posted one message at a time: after a `progress`
 * message the worker posts no other until the main thread acknowledges it (from
 * `requestAnimationFrame`), keeping only the newest state meanwhile (merged with the held one
 * when states carry a path). So the page gets at most one progress message per frame, however
 * fast the worker runs, and a busy page never accumulates a backlog. Used by `minimize` and by
 * optimizer sessions in the worker.
 */
import type { Reply } from './protocol.ts';

/** The acknowledged progress stream of request `id`. */
export class AckedProgress<S> {
  readonly #id: number;
  readonly #post: (reply: Reply) => void;
  readonly #merge: (older: S, newer: S) => S;
  /** A progress message is posted and not yet acknowledged. */
  #waiting = false;
  /** The newest state not posted yet (while waiting). */
  #held: S | undefined;

  constructor(id: number, post: (reply: Reply) => void, merge: (older: S, newer: S) => S = (_older, newer) => newer) {
    this.#id = id;
    this.#post = post;
    this.#merge = merge;
  }

  /** Post `state`, or hold it (merged) until the last message is acknowledged. */
  report(state: S): void {
    if (this.#waiting) {
      this.#held = this.#held === undefined ? state : this.#merge(this.#held, state);
      return;
    }
    this.#waiting = true;
    this.#held = undefined;
    this.#post({ type: 'progress', id: this.#id, progress: state });
  }

  /** The main thread showed the last message: post the held state, if any. */
  acknowledge(): void {
    this.#waiting = false;
    if (this.#held !== undefined) this.report(this.#held);
  }
}
