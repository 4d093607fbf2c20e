/**
 * @file Errors shown by elements. An element never throws at the page: it turns any failure into
 * an `ElementError` (`code` + `message`), shows it inside itself, and fires `rose-error` once per
 * distinct error. `RoseError`s keep their code; anything else is reported as `internal`.
 */
import { RoseError, formatMessage, type RoseErrorCode } from '../../engine/errors.ts';
import { emit, type RoseErrorDetail } from './events.ts';

/** An error as elements show it. */
export type ElementError = RoseErrorDetail;

/** Return `e` as an `ElementError`; `where` names the element (`<rose-plot id="a">`). */
export function toElementError(e: unknown, where: string): ElementError {
  if (e instanceof RoseError) return { code: e.code, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `internal: ${message} (in ${where})` };
}

/** Return a `RoseError` for a bad attribute value, saying which attribute, what was given, and the fix. */
export function attributeError(
  code: RoseErrorCode,
  tag: string,
  attribute: string,
  value: string,
  fix: string,
): RoseError {
  return new RoseError(
    code,
    formatMessage(`invalid ${attribute}="${value}"`, `<${tag}>`, fix),
  );
}

/** Return a short description of an element for messages: `<rose-plot id="a">` or `<rose-plot>`. */
export function describeElement(el: Element): string {
  const tag = el.localName;
  return el.id ? `<${tag} id="${el.id}">` : `<${tag}>`;
}

/**
 * Reports errors of one element: fires `rose-error` when the error changes (not on every
 * redraw), and remembers the current one for display.
 */
export class ErrorReporter {
  readonly #host: EventTarget;
  #current: ElementError | undefined;

  constructor(host: EventTarget) {
    this.#host = host;
  }

  /** The error to show, if any. */
  get current(): ElementError | undefined {
    return this.#current;
  }

  /** Set the current error (or clear it with `undefined`); fire `rose-error` if it is new. */
  set(error: ElementError | undefined): void {
    const before = this.#current;
    this.#current = error;
    if (error && (error.code !== before?.code || error.message !== before?.message))
      emit(this.#host, 'rose-error', error);
  }
}
