/**
 * @file The worker's side of interactive optimizer sessions (engine/optim/session.ts): `open`
 * revives the posted problem, compiles it here and keeps a `SessionRunner` under the request's
 * id; `session-command` messages drive it; `dispose` frees it and answers the open request with
 * `done`. States are posted as `progress`, acknowledged per frame (acked-progress.ts), held
 * states merged so the path they pass through is kept.
 */
import { compileProblem } from '../optim/problem.ts';
import { SessionRunner, mergeStates, type SessionState } from '../optim/session.ts';
import {
  toWireError,
  type Reply,
  type SessionCommandRequest,
  type SessionRequest,
} from './protocol.ts';
import { AckedProgress } from './acked-progress.ts';
import { problemFromWire } from './wire.ts';

/** A session of this worker. */
interface Entry {
  readonly id: number;
  readonly post: (reply: Reply) => void;
  /** Undefined while compiling. */
  runner: SessionRunner | undefined;
  readonly progress: AckedProgress<SessionState>;
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
  const entry: Entry = { id: msg.id, post, runner: undefined, progress: new AckedProgress(msg.id, post, mergeStates) };
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
  if (c.op === 'ack') return entry.progress.acknowledge();
  if (c.op === 'dispose') {
    sessions.delete(msg.id);
    entry.runner?.dispose();
    entry.post({ type: 'done', id: msg.id, result: undefined });
    return;
  }
  entry.runner?.command(c);
}

/** Post `state` of a live session (acknowledged per frame; see acked-progress.ts). */
function report(entry: Entry, state: SessionState): void {
  if (sessions.has(entry.id)) entry.progress.report(state);
}
