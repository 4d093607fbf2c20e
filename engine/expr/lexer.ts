/**
 * @file The lexer of the markup expression language: numbers (`2`, `0.5`, `.5`, `1e-3`),
 * names (letters, digits and `_`, not starting with a digit; Unicode letters allowed),
 * operators `+ - * / ^ ( ) ,`, comparisons `<= >= ==`, whitespace and newlines anywhere, and
 * `#` comments to the end of the line. Operators users carry over from other languages (`=`,
 * `<`, `!=`, `**`, ...) are reported with the operator to write instead.
 */
import type { Span } from './ast.ts';
import { fail } from './diagnostics.ts';

/** The kinds of token. */
export type TokenKind = 'number' | 'name' | 'op' | 'compare' | 'end';

/** One token; `text` is its source text (empty at the end). */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly span: Span;
  /** The value of a number token. */
  readonly value?: number;
}

const SINGLE_OPS = new Set(['+', '-', '*', '/', '^', '(', ')', ',']);
const NAME_START = /[\p{L}_]/uy;
const NAME_REST = /[\p{L}\p{N}_]*/uy;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NUMBER_RUN = /[\d.]*(?:[eE][+-][\d.]*|[eE][\d.]+)?/y;

/** Operators from other languages, with what to write instead. */
const FOREIGN_OPS: readonly (readonly [string, string, string])[] = [
  ['**', "'**' is not an operator here", "Write '^' for a power, e.g. x^2"],
  ['!=', "'!=' is not supported", 'A constraint compares with <=, >= or =='],
  ['=<', "'=<' is not an operator", "Write '<=' for 'less than or equal'"],
  ['=>', "'=>' is not an operator", "Write '>=' for 'greater than or equal'"],
  ['<', "strict '<' is not supported", "Write '<=' (for continuous optimization they are the same)"],
  ['>', "strict '>' is not supported", "Write '>=' (for continuous optimization they are the same)"],
  ['=', "'=' alone is not an operator", "Write '==' for an equality constraint, e.g. x + y == 1"],
  ['!', "'!' is not an operator", 'Expressions have no boolean operators or factorials'],
];

/** Split `source` into tokens, ending with one `end` token; `label` names the text in errors. */
export function tokenize(source: string, label: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0') {
      i++;
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if ((c >= '0' && c <= '9') || (c === '.' && isDigit(source[i + 1]))) {
      const token = lexNumber(source, i, label);
      tokens.push(token);
      i = token.span.end;
    } else if (startsName(source, i)) {
      NAME_REST.lastIndex = i + (source.codePointAt(i)! > 0xffff ? 2 : 1);
      NAME_REST.exec(source);
      const end = NAME_REST.lastIndex;
      tokens.push({ kind: 'name', text: source.slice(i, end), span: { start: i, end } });
      i = end;
    } else {
      const token = lexOperator(source, i, label);
      tokens.push(token);
      i = token.span.end;
    }
  }
  tokens.push({ kind: 'end', text: '', span: { start: source.length, end: source.length } });
  return tokens;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function startsName(source: string, i: number): boolean {
  NAME_START.lastIndex = i;
  return NAME_START.test(source);
}

/**
 * Lex the number at `start`; reject `1.2.3`, `1e+` and numbers that overflow. `2e` is the number
 * 2 followed by the name `e` (the parser then asks for an operator).
 */
function lexNumber(source: string, start: number, label: string): Token {
  NUMBER.lastIndex = start;
  NUMBER.exec(source);
  const end = NUMBER.lastIndex;
  NUMBER_RUN.lastIndex = start;
  NUMBER_RUN.exec(source);
  const runEnd = NUMBER_RUN.lastIndex;
  const run = source.slice(start, runEnd);
  const span = { start, end: Math.max(end, runEnd) };
  if (/\.[\d]*\./.test(run) || /[eE][+-]?\d*\./.test(run)) {
    fail('syntax', source, span, label, {
      problem: `malformed number '${run}'`,
      hint: 'A number has at most one decimal point, before any exponent, e.g. 1.25 or 1.5e-3',
    });
  }
  if (/[eE][+-]?$/.test(run)) {
    fail('syntax', source, span, label, {
      problem: `the exponent of '${run}' has no digits`,
      hint: `Write digits after the exponent, e.g. ${run}3 for a power of ten`,
    });
  }
  const text = source.slice(start, end);
  const value = Number(text);
  if (!Number.isFinite(value)) {
    fail('syntax', source, span, label, {
      problem: `the number '${text}' is too large (above 1.8e308, it overflows to infinity)`,
      hint: 'Use a smaller number, or rescale the model',
    });
  }
  return { kind: 'number', text, span: { start, end }, value };
}

/** Lex the operator or comparison at `i`, or report an operator from another language. */
function lexOperator(source: string, i: number, label: string): Token {
  const two = source.slice(i, i + 2);
  if (two === '<=' || two === '>=' || two === '==') {
    return { kind: 'compare', text: two, span: { start: i, end: i + 2 } };
  }
  for (const [text, problem, hint] of FOREIGN_OPS) {
    if (source.startsWith(text, i)) {
      fail('syntax', source, { start: i, end: i + text.length }, label, { problem, hint });
    }
  }
  const c = source[i]!;
  if (SINGLE_OPS.has(c)) return { kind: 'op', text: c, span: { start: i, end: i + 1 } };
  const width = source.codePointAt(i)! > 0xffff ? 2 : 1;
  const shown = source.slice(i, i + width);
  fail('syntax', source, { start: i, end: i + width }, label, {
    problem: `unexpected character '${shown}'`,
    hint: characterHint(shown),
  });
}

/** Return advice for a character that cannot start a token. */
function characterHint(c: string): string {
  if (c === '[' || c === ']' || c === '{' || c === '}') return 'Group with parentheses ( and )';
  if (c === ';') return 'Write one expression per element';
  if (c === '×' || c === '·') return "Write '*' for a product";
  if (c === '−') return "Write the ASCII '-' for a minus sign";
  if (c === '÷') return "Write '/' for a division";
  return 'Expressions use numbers, parameter names, + - * / ^, parentheses and function calls';
}
