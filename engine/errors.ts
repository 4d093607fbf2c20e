/**
 * @file Error classes of Rose Kit. Every error the engine throws is a `RoseError` with a stable
 * `code`. Messages say what went wrong, where (operation, function) and how to fix it. Rose's
 * own messages (rose-reference §3.11) appear verbatim inside ours, so code that matched Rose's
 * messages keeps working. Internal invariant failures use code `internal` and a message that
 * starts with `internal:`.
 */

/** Stable error codes; the part of an error that programs may rely on. */
export type RoseErrorCode =
  | 'internal'
  | 'no-context' // an op was used outside any `fn` body
  | 'nested-fn' // `fn` called while another `fn` is being traced
  | 'escaped' // a symbolic value or closure used outside the body that made it
  | 'out-of-scope' // a value used after its block (e.g. a `vec` index) ended
  | 'invalid-type' // not a type descriptor, or an index type where one is not allowed
  | 'invalid-value' // a literal that does not fit its declared type
  | 'type-mismatch' // operand types do not fit the operation
  | 'arity' // wrong number of arguments
  | 'no-jvp' // an opaque function without a custom JVP was differentiated
  | 'unsupported' // a well-formed request the engine cannot do (yet)
  | 'aborted' // the caller's AbortSignal cancelled the operation
  | 'worker-failed' // the worker running the operation died or was terminated
  | 'ir-invalid' // a function failed the IR checker
  | 'syntax' // markup expression text that does not parse (engine/expr)
  | 'unknown-name'; // a markup expression names an unknown parameter or function

/** Return a message in the engine's format: the problem, then where, then how to fix it. */
export function formatMessage(what: string, where?: string, fix?: string): string {
  let message = what;
  if (where) message += ` (in ${where})`;
  if (fix) message += `. ${fix}`;
  return message;
}

/** The one error class users catch; `code` is stable across versions. */
export class RoseError extends Error {
  readonly code: RoseErrorCode;
  constructor(code: RoseErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RoseError';
    this.code = code;
  }
}

/** Misuse of the tracing API: op outside `fn`, nested `fn`, escaped values. */
export class TraceError extends RoseError {
  constructor(code: RoseErrorCode, message: string) {
    super(code, message);
    this.name = 'TraceError';
  }
}

/** A value or operand whose type does not fit. */
export class TypeMismatchError extends RoseError {
  constructor(code: RoseErrorCode, message: string) {
    super(code, message);
    this.name = 'TypeMismatchError';
  }
}

/** Throw an internal invariant failure; never caused by user input. */
export function internal(message: string): never {
  throw new RoseError('internal', `internal: ${message}`);
}

/** Assert an internal invariant; a failure is an engine bug, reported with `internal:`. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) internal(message);
}
