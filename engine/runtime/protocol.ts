/**
 * @file The messages between the main thread and the compile worker, and how errors cross.
 *
 * Every request carries an `id`; the worker answers each with exactly one `done` or `failed`
 * message of the same id (a `minimize` request may send `progress` messages before that). The
 * main thread may send `abort` for a running request: the worker stops what can be stopped
 * (an optimizer loop between iterations) and answers `failed` with code `aborted`; a compile
 * cannot be interrupted, and its late answer is ignored.
 */
import { RoseError, type RoseErrorCode } from '../errors.ts';
import type { EncodedProgram } from '../ir/serialize.ts';
import type { Ty } from '../ir/types.ts';
import type { WireProblem } from './wire.ts';
import type { SessionCommand } from '../optim/session.ts';
import type { OptimizeLevel } from '../wasm/optimize.ts';

/** What a compile request builds from the posted function. */
export type CompileMode =
  /** The function itself (`compile`). */
  | 'fn'
  /** `valueAndGrad` of the function (`compileValueAndGrad`): the main thread only traced `f`. */
  | 'value-and-grad';

/** Compile a posted function to a `WebAssembly.Module`. */
export interface CompileRequest {
  readonly type: 'compile';
  readonly id: number;
  /** The program, from `toWire` (binary; opaque functions without `impl`, with slots). */
  readonly program: EncodedProgram;
  readonly mode: CompileMode;
  readonly optimize: false | OptimizeLevel;
  /** Names the caller's operation in error messages, e.g. `compile(f)`. */
  readonly where: string;
}

/** Stop request `id` if it is still running. */
export interface AbortRequest {
  readonly type: 'abort';
  readonly id: number;
}

/** Make the worker fail outside any request (tests of crash recovery). */
export interface CrashRequest {
  readonly type: 'crash';
  readonly id: number;
}

/**
 * Run `minimize` on a posted problem (engine/optim/problem.ts, plain data: the model calls no
 * opaque function). The worker answers with `progress` messages carrying a `MinimizerState`,
 * never more than one unacknowledged (see `AckRequest`), and one `done` with the result.
 */
export interface MinimizeRequest {
  readonly type: 'minimize';
  readonly id: number;
  readonly problem: WireProblem;
}

/**
 * The main thread has shown the last progress of request `id` (it sends this from
 * `requestAnimationFrame`), so the worker may send the next: at most one message per frame.
 */
export interface AckRequest {
  readonly type: 'ack';
  readonly id: number;
}

/**
 * Interactive optimizer sessions (engine/optim/session.ts, engine/runtime/session-worker.ts).
 * `open`: compile the posted problem and keep its session; the worker answers with `progress`
 * messages carrying `SessionState`s (never more than one unacknowledged), and `done` once the
 * session is disposed. `count`: answer `done` with the number of live sessions (tests).
 */
export interface SessionRequest {
  readonly type: 'session';
  readonly id: number;
  readonly op: 'open' | 'count';
  /** The problem of `open` (the model calls no opaque function). */
  readonly problem?: WireProblem;
}

/** A command to the session opened by request `id` (`ack`: its last state was shown). */
export interface SessionCommandRequest {
  readonly type: 'session-command';
  readonly id: number;
  readonly command: SessionCommand | { readonly op: 'ack' };
}

/** Messages to the worker. */
export type Request =
  | CompileRequest
  | MinimizeRequest
  | AckRequest
  | AbortRequest
  | CrashRequest
  | SessionRequest
  | SessionCommandRequest;

/** A compiled module, with what the main thread needs to instantiate and call it. */
export interface CompiledModule {
  readonly module: WebAssembly.Module;
  /** Slot (in the request's `opaques`) of each import '' field String(k), in order. */
  readonly importSlots: readonly number[];
  /** Scratch bytes the root needs from `sp` (`WasmArtifact.frameSize`). */
  readonly frameSize: number;
  /** The root's result type (for `value-and-grad`, the `{grad, value}` struct). */
  readonly retType: Ty;
}

/** The answer to request `id`. */
export interface DoneReply<T = unknown> {
  readonly type: 'done';
  readonly id: number;
  readonly result: T;
}

/** An error as posted: enough to rebuild the `RoseError` on the other side. */
export interface WireError {
  readonly name: string;
  readonly code: RoseErrorCode;
  readonly message: string;
  readonly stack?: string;
}

/** Request `id` failed. */
export interface FailedReply {
  readonly type: 'failed';
  readonly id: number;
  readonly error: WireError;
}

/** Progress of request `id` (an optimizer's iterate). */
export interface ProgressReply<T = unknown> {
  readonly type: 'progress';
  readonly id: number;
  readonly progress: T;
}

/** Messages from the worker. */
export type Reply = DoneReply | FailedReply | ProgressReply;

/**
 * Return `e` as a `WireError`. A `RoseError` keeps its code and message; anything else thrown in
 * the worker is an engine bug there, posted as `internal`.
 */
export function toWireError(e: unknown): WireError {
  if (e instanceof RoseError) return { name: e.name, code: e.code, message: e.message, stack: e.stack };
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    name: 'RoseError',
    code: 'internal',
    message: `internal: the compile worker failed: ${err.name}: ${err.message}`,
    stack: err.stack,
  };
}

/** Return the `RoseError` a `WireError` describes (same code, name and message). */
export function fromWireError(w: WireError): RoseError {
  const e = new RoseError(w.code, w.message);
  if (w.name !== 'RoseError') e.name = w.name;
  if (w.stack !== undefined) e.stack = `${w.stack}\n    (in the compile worker)`;
  return e;
}
