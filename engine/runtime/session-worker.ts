/**
 * @file The worker's side of interactive optimizer sessions (engine/optim/session.ts): `open`
 * revives the posted problem, compiles it here and keeps a `SessionRunner` under the request's
 * id; `session-command` messages drive it; `dispose` frees it and answers the open request with
 * `done`. States are posted as `progress`, acknowledged like minimize-worker.ts does: after one
 * `progress` no other is posted until the main thread's `ack` (sent from an animation frame), and
 * only the newest state is kept meanwhile, so the page gets at most one message per frame.
 */
import { compileProblem } from '../optim/problem.ts';
import { SessionRunner, mergeStates, type SessionState } from '../optim/session.ts';
import {
  toWireError,
  type Reply,
  type SessionCommandRequest,
  type SessionRequest,
} from './protocol.ts';
import { problemFromWire } from './wire.ts';

/** A session of this worker. */
interface Entry {
  readonly id: number;
  readonly post: (reply: Reply) => void;
  /** Undefined while compiling. */
  runner: SessionRunner | undefined;
  /** A progress message is posted and not yet acknowledged. */
  waiting: boolean;
  /** The newest state not posted yet (while `waiting`). */
  latest: SessionState | undefined;
}

const sessions = new Map<number, Entry>();

/** Answer a session message (see the file comment). */
export function receiveSession(msg: SessionRequest | SessionCommandRequest, post: (reply: Reply) => void): void {
  if (msg.type === 'session-command') return command(msg);
  if (msg.op === 'count') return post({ type: 'done', id: msg.id, result: sessions.size });
  open(msg, post);
}

/** Compile the problem of `msg` and keep its session. */
function open(msg: SessionRequest, post: (reply: Reply) => void): void {
  const entry: Entry = { id: msg.id, post, runner: undefined, waiting: false, latest: undefined };
  sessions.set(msg.id, entry);
  const fail = (e: unknown): void => {
    if (!sessions.delete(msg.id)) return;
    entry.runner?.dispose();
    post({ type: 'failed', id: msg.id, error: toWireError(e) });
  };
  Promise.resolve()
    .then(() => compileProblem(problemFromWire(msg.problem!)))
    .then((compiled) => {
      if (!sessions.has(msg.id)) return compiled.dispose();
      entry.runner = new SessionRunner(compiled, { publish: (s) => report(entry, s), fail });
      report(entry, entry.runner.snapshot('ready'));
    }, fail);
}

/** Apply a command to its session; commands for unknown (disposed, failed) sessions are ignored. */
function command(msg: SessionCommandRequest): void {
  const entry = sessions.get(msg.id);
  if (entry === undefined) return;
  const c = msg.command;
  if (c.op === 'ack') {
    entry.waiting = false;
    if (entry.latest !== undefined) report(entry, entry.latest);
    return;
  }
  if (c.op === 'dispose') {
    sessions.delete(msg.id);
    entry.runner?.dispose();
    entry.post({ type: 'done', id: msg.id, result: undefined });
    return;
  }
  entry.runner?.command(c);
}

/** Post `state`, or keep it until the last one is acknowledged. */
function report(entry: Entry, state: SessionState): void {
  if (!sessions.has(entry.id)) return;
  if (entry.waiting) {
    entry.latest = entry.latest ? mergeStates(entry.latest, state) : state;
    return;
  }
  entry.waiting = true;
  entry.latest = undefined;
  entry.post({ type: 'progress', id: entry.id, progress: state });
}
