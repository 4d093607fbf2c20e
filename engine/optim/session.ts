/**
 * @file Interactive optimizer sessions: a `Minimizer` (minimizer.ts) that runs continuously
 * until stopped, can be stepped, reset, and changed while it runs (a parameter dragged by the
 * reader: `setParameter`, `freeze`), and streams its states at most once per animation frame.
 * This is what `<rose-optimizer>` drives.
 *
 * Two implementations behind one interface, `OptimizerSession`, chosen by `createSession`:
 * - in the compile worker (the default in a browser window): the problem is posted as plain data,
 *   the loop runs there, commands go as messages and states come back acknowledged per frame
 *   (engine/runtime/session-client.ts and session-worker.ts);
 * - on this thread (Node, workers, `runIn: 'main'`, and models that call `opaque` JS functions,
 *   which exist only here): the loop runs in time slices of about 8 ms and yields to the event
 *   loop between slices, so a page never misses a frame; `note` says why it runs here.
 *
 * Both run the same `SessionRunner` over a `Minimizer`; no optimizer algorithm lives here.
 *
 * A session that was started keeps wanting to run after it converged: a parameter set (or a
 * parameter frozen or released) afterwards continues the run from there, so a reader dragging a
 * parameter sees the optimizer follow. `stop`, `step` and `reset` end that. Setting a parameter
 * starts the count of iterations (and, constrained, the multipliers) over from the new point.
 */
import { RoseError, formatMessage } from '../errors.ts';
import { openWorkerSession } from '../runtime/session-client.ts';
import { nextFrame, nextTask } from '../runtime/schedule.ts';
import { workersAvailable } from '../runtime/spawn.ts';
import type { Minimizer, MinimizerState } from './minimizer.ts';
import { compileProblem, type CompiledProblem, type Problem } from './problem.ts';
import { SessionCommands } from './session-commands.ts';

/** What produced a state: compiling finished, the loop ran, or a command. */
export type SessionCause = 'ready' | 'run' | 'start' | 'stop' | 'step' | 'reset' | 'set' | 'freeze';

/** An iterate passed on the way to a state. */
export interface TrailPoint {
  readonly x: Float64Array;
  readonly value: number;
  readonly gradientNorm: number;
}

/** A state of a session: the minimizer's state, whether the loop runs, and what produced it. */
export interface SessionState extends MinimizerState {
  /** True while the loop runs (started, not stopped, not done). */
  readonly running: boolean;
  readonly cause: SessionCause;
  /**
   * Iterates passed since the previous state, oldest first (not this state's own `x`), thinned
   * to at most `trailCapacity(n)` evenly spread points: a path can be drawn from them although
   * states come once per frame and a fast method may take dozens of iterations per frame.
   */
  readonly trail: readonly TrailPoint[];
}

/** Return how many trail points a state of `n` parameters carries at most. */
export function trailCapacity(n: number): number {
  return Math.max(2, Math.min(64, Math.floor(65536 / Math.max(1, n))));
}

/** Drop every other point of `trail` (keeping the last) until it fits `capacity`. */
function thin(trail: TrailPoint[], capacity: number): TrailPoint[] {
  while (trail.length > capacity) trail = trail.filter((_, k) => k % 2 === 1 || k === trail.length - 1);
  return trail;
}

/** Return true for the causes that may move the point. */
function moves(cause: SessionCause): boolean {
  return cause !== 'start' && cause !== 'stop' && cause !== 'freeze';
}

/** Return true for the causes that start a new path (`reset`, and `set`: a new start point). */
export function restartsPath(cause: SessionCause): boolean {
  return cause === 'reset' || cause === 'set';
}

/**
 * Return the state to deliver instead of `older` and `newer` when `older` was never delivered
 * (transports keep one state per frame): `newer` if it starts a new path; else `newer` with the
 * path through `older` in its trail, and `older`'s cause if `older` started the path.
 */
export function mergeStates(older: SessionState, newer: SessionState): SessionState {
  if (restartsPath(newer.cause)) return newer;
  // start, stop and freeze do not move the point: what `older` said about the path stands
  if (!moves(newer.cause)) return { ...newer, cause: older.cause, trail: older.trail };
  const own: TrailPoint[] = moves(older.cause) ? [{ x: older.x, value: older.value, gradientNorm: older.gradientNorm }] : [];
  const trail = thin([...older.trail, ...own, ...newer.trail], trailCapacity(newer.x.length));
  return { ...newer, cause: restartsPath(older.cause) ? older.cause : newer.cause, trail };
}

/** A command to a session's runner (also the wire format of session-command messages). */
export type SessionCommand =
  | { readonly op: 'start' | 'stop' | 'step' | 'reset' | 'dispose' }
  | { readonly op: 'set'; readonly index: number; readonly value: number }
  | { readonly op: 'freeze'; readonly index: number; readonly frozen: boolean };

/** Callbacks of a session; each is called on the thread that created it. */
export interface SessionHooks {
  /** A new state, at most once per animation frame (the newest; older ones are dropped). */
  readonly onState?: (state: SessionState) => void;
  /** The run converged (called right after the `onState` of that state). */
  readonly onConverged?: (state: SessionState) => void;
  /** The session failed (compiling, a command, or its worker died); it is then unusable. */
  readonly onError?: (error: RoseError) => void;
}

/** An interactive optimizer run; see the file comment. */
export interface OptimizerSession {
  /** Where the loop runs. */
  readonly ranOn: 'worker' | 'main';
  /** Why it runs where it does when that is not the worker (e.g. opaque functions); else empty. */
  readonly note: string;
  /** Resolves with the start state once compiled; rejects with the compile error, or `aborted` if disposed first. */
  readonly ready: Promise<SessionState>;
  /** The newest state delivered (undefined until ready). */
  readonly state: SessionState | undefined;
  /** True after `dispose` or a failure. */
  readonly closed: boolean;
  /** Run continuously until converged or stopped. */
  start(): void;
  /** Stop running (the current point stays). */
  stop(): void;
  /** Do one iteration (stops a continuous run first). */
  step(): void;
  /** Go back to the start point (frozen parameters keep their values); stops the run. */
  reset(): void;
  /** Set parameter `i` to `value`; a started run continues from there (iterations counted anew). */
  setParameter(i: number, value: number): void;
  /** Hold parameter `i` at its value (a parameter being dragged), or release it. */
  freeze(i: number, frozen: boolean): void;
  /** Free the session (and its state in the worker); later commands do nothing. */
  dispose(): void;
}

/** Where to run a session. */
export interface SessionOptions {
  /** `'worker'` (default where a worker exists and the model allows it) or `'main'`. */
  readonly runIn?: 'worker' | 'main';
}

/**
 * Create a session for `problem` (from `makeProblem`): in the worker when `problem.runIn` and
 * `options.runIn` allow it, workers exist, and the model calls no opaque function; otherwise on
 * this thread, time-sliced.
 */
export function createSession(problem: Problem, hooks: SessionHooks = {}, options: SessionOptions = {}): OptimizerSession {
  const runIn = options.runIn ?? problem.runIn;
  if (runIn === 'worker' && !problem.needsMainThread && workersAvailable()) return openWorkerSession(problem, hooks);
  const note =
    runIn === 'worker' && problem.needsMainThread
      ? `runs on the main thread in time slices: ${problem.mainThreadReason}`
      : '';
  return new LocalSession(problem, hooks, note);
}

/** Time slice of the loop before it yields, in ms. */
const SLICE_MS = 8;

/** What a runner reports to. */
export interface RunnerOutput {
  /** A new state (called often; the transport keeps the newest per frame). */
  publish(state: SessionState): void;
  /** A command or the loop failed; the runner is then disposed. */
  fail(error: unknown): void;
}

/** Runs a compiled minimizer for a session: commands in, states out (see the file comment). */
export class SessionRunner {
  readonly #compiled: CompiledProblem;
  readonly #out: RunnerOutput;
  #wantRun = false;
  #looping = false;
  #disposed = false;

  constructor(compiled: CompiledProblem, out: RunnerOutput) {
    this.#compiled = compiled;
    this.#out = out;
  }

  /** True after `dispose` (or a failure). */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Return the current state, produced by `cause`. */
  snapshot(cause: SessionCause, trail: readonly TrailPoint[] = []): SessionState {
    const s = this.#compiled.minimizer.state;
    return { ...s, running: this.#wantRun && !s.done, cause, trail };
  }

  /** Apply `command`; publish the resulting state (except for `dispose`). */
  command(command: SessionCommand): void {
    if (this.#disposed) return;
    const m = this.#compiled.minimizer;
    try {
      switch (command.op) {
        case 'dispose':
          return this.dispose();
        case 'start':
          this.#wantRun = true;
          break;
        case 'stop':
          this.#wantRun = false;
          break;
        case 'step':
          this.#wantRun = false;
          m.step(1);
          break;
        case 'reset':
          this.#wantRun = false;
          m.reset();
          break;
        case 'set':
          // a new start: counters and multipliers start over, so a reader dragging for a
          // while never runs the session out of iterations
          m.setParameter(command.index, command.value);
          m.reset(m.state.x);
          break;
        case 'freeze':
          m.freeze(command.index, command.frozen);
          break;
      }
      this.#out.publish(this.snapshot(command.op));
      this.#kick();
    } catch (e) {
      this.#failWith(e);
    }
  }

  /** Free the compiled code; later commands do nothing. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#wantRun = false;
    this.#compiled.dispose();
  }

  /** Start the loop if the session wants to run and the minimizer can. */
  #kick(): void {
    if (this.#looping || !this.#wantRun || this.#compiled.minimizer.state.done) return;
    this.#looping = true;
    nextTask(() => this.#slice());
  }

  /** Run iterations for one time slice, publish, and continue in the next task if still running. */
  #slice(): void {
    if (this.#disposed || !this.#wantRun) return void (this.#looping = false);
    const m = this.#compiled.minimizer;
    try {
      const trail = new TrailRecorder(m);
      const start = performance.now();
      let running = true;
      let batch = 1;
      let elapsed = 0;
      while (running && elapsed < SLICE_MS) {
        for (let j = 0; j < batch && running; j++) {
          running = m.advance();
          if (running) trail.passed();
        }
        const t = performance.now() - start;
        if (t - elapsed < 0.5) batch *= 2;
        else if (t - elapsed > 2 && batch > 1) batch >>= 1;
        elapsed = t;
      }
      this.#out.publish(this.snapshot('run', trail.points));
      if (running) nextTask(() => this.#slice());
      else this.#looping = false;
    } catch (e) {
      this.#looping = false;
      this.#failWith(e);
    }
  }

  #failWith(e: unknown): void {
    this.dispose();
    this.#out.fail(e);
  }
}

/**
 * Records the iterates of one slice for its state's trail: every `stride`-th one, the stride
 * doubling (and the points so far thinned to every other) whenever the trail is full, so the
 * points stay evenly spread over the slice whatever its length.
 */
class TrailRecorder {
  readonly #minimizer: Minimizer;
  readonly #capacity: number;
  #stride = 1;
  #count = 0;
  points: TrailPoint[] = [];

  constructor(minimizer: Minimizer) {
    this.#minimizer = minimizer;
    this.#capacity = trailCapacity(minimizer.n);
  }

  /** The minimizer moved to a new iterate (not the last of the slice). */
  passed(): void {
    this.#count++;
    if (this.#count % this.#stride !== 0) return;
    if (this.points.length >= this.#capacity) {
      this.points = this.points.filter((_, k) => k % 2 === 1);
      this.#stride *= 2;
      if (this.#count % this.#stride !== 0) return;
    }
    const s = this.#minimizer.state;
    this.points.push({ x: s.x, value: s.value, gradientNorm: s.gradientNorm });
  }
}

/** Return `e` as a `RoseError` (anything else is an engine bug: `internal`). */
export function asRoseError(e: unknown, where: string): RoseError {
  if (e instanceof RoseError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new RoseError('internal', `internal: ${message} (in ${where})`, { cause: e });
}

/** Return the `aborted` error of a session disposed before it was ready. */
export function disposedError(where: string): RoseError {
  return new RoseError('aborted', formatMessage('aborted: the session was disposed before it was ready', where));
}

/**
 * Delivers states to a session's hooks: remembers the newest, and calls `onConverged` when a
 * state is the first converged one after a state that was not done.
 */
export class StateDelivery {
  readonly #hooks: SessionHooks;
  state: SessionState | undefined;

  constructor(hooks: SessionHooks) {
    this.#hooks = hooks;
  }

  /** Hand `state` to the hooks. */
  deliver(state: SessionState): void {
    const before = this.state;
    this.state = state;
    this.#hooks.onState?.(state);
    if (!state.converged) return;
    const fresh = before === undefined || !before.converged || before.iteration !== state.iteration || restartsPath(state.cause);
    if (fresh) this.#hooks.onConverged?.(state);
  }
}

/** A session whose loop runs on this thread; states are delivered once per animation frame. */
class LocalSession extends SessionCommands implements OptimizerSession {
  readonly ranOn = 'main' as const;
  readonly note: string;
  readonly ready: Promise<SessionState>;
  readonly #hooks: SessionHooks;
  readonly #delivery: StateDelivery;
  #runner: SessionRunner | undefined;
  #closed = false;
  #latest: SessionState | undefined;
  #framePending = false;

  constructor(problem: Problem, hooks: SessionHooks, note: string) {
    super();
    this.note = note;
    this.#hooks = hooks;
    this.#delivery = new StateDelivery(hooks);
    this.ready = compileProblem(problem).then((compiled) => {
      if (this.#closed) {
        compiled.dispose();
        throw disposedError('the optimizer session');
      }
      this.#runner = new SessionRunner(compiled, {
        publish: (s) => this.#push(s),
        fail: (e) => this.#fail(e),
      });
      const first = this.#runner.snapshot('ready');
      this.#delivery.deliver(first);
      return first;
    });
    this.ready.catch((e: unknown) => {
      if (!this.#closed) this.#fail(e);
    });
  }

  get state(): SessionState | undefined {
    return this.#delivery.state;
  }

  get closed(): boolean {
    return this.#closed;
  }

  dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#runner?.dispose();
  }

  /** Run `command` now if compiled; before that, only after `ready` (in order). */
  protected send(command: SessionCommand): void {
    if (this.#closed) return;
    if (this.#runner) return this.#runner.command(command);
    this.ready.then(() => this.#runner?.command(command), () => undefined);
  }

  /** Keep `state` as the newest; deliver the newest at the next frame. */
  #push(state: SessionState): void {
    this.#latest = this.#latest ? mergeStates(this.#latest, state) : state;
    if (this.#framePending) return;
    this.#framePending = true;
    nextFrame(() => {
      this.#framePending = false;
      const s = this.#latest;
      this.#latest = undefined;
      if (s && !this.#closed) this.#delivery.deliver(s);
    });
  }

  #fail(e: unknown): void {
    this.#closed = true;
    this.#runner?.dispose();
    this.#hooks.onError?.(asRoseError(e, 'the optimizer session'));
  }
}
