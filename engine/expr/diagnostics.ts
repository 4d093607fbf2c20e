/**
 * @file Errors of the markup expression language: `ExpressionError`, a `RoseError` that carries
 * the place in the source (line and column, 1-based, plus offset and length) so elements can
 * highlight it, and whose message ends with the source line and a caret under the problem.
 * Also the edit-distance suggestions ("did you mean 'y'?").
 */
import { RoseError, formatMessage, type RoseErrorCode } from '../errors.ts';
import type { Span } from './ast.ts';

/** A place in the source: 1-based line and column (UTF-16 units), 0-based offset, length. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly length: number;
}

/** A user mistake in expression text; `position` says where, `problem` and `hint` say what. */
export class ExpressionError extends RoseError {
  /** Where the problem is; `length` is at least 1 except at the end of an empty text. */
  readonly position: SourcePosition;
  /** The text that was parsed. */
  readonly source: string;
  /** What is wrong, in one sentence, without the place or the fix. */
  readonly problem: string;
  /** How to fix it. */
  readonly hint: string;
  constructor(
    code: RoseErrorCode,
    details: { source: string; position: SourcePosition; problem: string; hint: string; message: string },
  ) {
    super(code, details.message);
    this.name = 'ExpressionError';
    this.position = details.position;
    this.source = details.source;
    this.problem = details.problem;
    this.hint = details.hint;
  }
}

/** Return the 1-based line and column of `offset` in `source`. */
export function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** How many characters of a long source line an excerpt shows. */
const EXCERPT_WIDTH = 80;

/** Return the source line around `offset` and a caret line under `[offset, offset + length)`. */
export function caretExcerpt(source: string, offset: number, length: number): string {
  const { line, column } = lineAndColumn(source, offset);
  const start = offset - (column - 1);
  let end = source.indexOf('\n', start);
  if (end < 0) end = source.length;
  let text = source.slice(start, end).replace(/\r$/, '');
  let at = column - 1;
  // show at most EXCERPT_WIDTH characters of a long line, around the problem
  if (text.length > EXCERPT_WIDTH) {
    const from = Math.max(0, Math.min(at - 20, text.length - EXCERPT_WIDTH));
    const head = from > 0 ? '…' : '';
    const tail = from + EXCERPT_WIDTH < text.length ? '…' : '';
    text = head + text.slice(from, from + EXCERPT_WIDTH) + tail;
    at = at - from + head.length;
  }
  const width = Math.max(1, Math.min(length, text.length - at));
  // keep tabs so the caret lines up under tabbed text
  const pad = text.slice(0, at).replace(/[^\t]/g, ' ');
  const gutter = String(line);
  return `  ${gutter} | ${text}\n  ${' '.repeat(gutter.length)} | ${pad}${'^'.repeat(width)}`;
}

/** What a diagnostic says: the problem and how to fix it. */
export interface Complaint {
  readonly problem: string;
  readonly hint: string;
}

/**
 * Throw an `ExpressionError` at `span` of `source`. `label` names the text in the message
 * ("the objective", "constraint 2").
 */
export function fail(
  code: RoseErrorCode,
  source: string,
  span: Span,
  label: string,
  complaint: Complaint,
): never {
  const { line, column } = lineAndColumn(source, span.start);
  const length = Math.max(0, span.end - span.start);
  const position = { line, column, offset: span.start, length };
  const where = `${label} at line ${line}, column ${column}`;
  const message = `${formatMessage(complaint.problem, where, complaint.hint)}\n${caretExcerpt(
    source,
    span.start,
    length,
  )}`;
  throw new ExpressionError(code, { source, position, message, ...complaint });
}

/** Return the edit distance of `a` and `b`: insertions, deletions, substitutions and swaps. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * Return the candidate closest to `name` by edit distance (a difference only in case counts
 * half), or undefined when none is close enough to be a plausible typo: one-letter names only
 * match by case, names up to 4 letters within 1 edit, longer ones within 2.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const folded = editDistance(name.toLowerCase(), candidate.toLowerCase());
    const distance = folded + (editDistance(name, candidate) > folded ? 0.5 : 0);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = name.length <= 1 ? 0.5 : name.length <= 4 ? 1 : 2;
  return bestDistance <= limit ? best : undefined;
}

/** Return `'a', 'b' and 'c'` for a list of names (at most `max` shown). */
export function quoteList(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`);
  if (names.length > max) shown.push(`${names.length - max} more`);
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}
