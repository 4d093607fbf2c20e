/**
 * @file The recursive-descent parser of the markup expression language. Grammar (README,
 * "Expression language"):
 *
 *     root       = sum [ ('<=' | '>=' | '==') sum ]      (the comparison only in constraints)
 *     sum        = product { ('+' | '-') product }
 *     product    = unary { ('*' | '/') unary }
 *     unary      = ('-' | '+') unary | power
 *     power      = primary [ '^' unary ]                  (right-associative; -x^2 = -(x^2))
 *     primary    = number | name | name '(' [ sum { ',' sum } ] ')' | '(' sum ')'
 *
 * Names resolve to parameters, the constants `pi` and `e`, or (before `(`) built-in functions.
 * Nesting is limited (`MAX_NESTING`), so no input can overflow the stack; every problem is an
 * `ExpressionError` that points at the offending token.
 */
import { RoseError, formatMessage } from '../errors.ts';
import {
  FUNCTIONS,
  isConstantName,
  isFunctionName,
  type CompareOp,
  type Expr,
  type Root,
  type Span,
} from './ast.ts';
import { closestName, fail, lineAndColumn, quoteList, type Complaint } from './diagnostics.ts';
import { tokenize, type Token } from './lexer.ts';

/** What a text must be: an objective (no comparison), a constraint (one), or either. */
export type ExpressionKind = 'objective' | 'constraint' | 'any';

/** Options of `parseExpression`. */
export interface ParseOptions {
  /**
   * The parameter names, in order (a parameter's index is its place here). When omitted, every
   * name that is not a constant or function is a parameter, in order of first appearance.
   */
  readonly params?: readonly string[];
  /** What the text must be; `'any'` (the default) allows at most one top-level comparison. */
  readonly kind?: ExpressionKind;
  /** How messages name the text, e.g. "constraint 2"; defaults to "the objective" etc. */
  readonly label?: string;
}

/** The result of `parseExpression`: the tree, the parameter names and the source. */
export interface ParsedExpression {
  readonly source: string;
  readonly params: readonly string[];
  readonly root: Root;
}

/** The codes of parse errors. */
type ParseErrorCode = 'syntax' | 'arity' | 'unknown-name';

/** How deeply parentheses, unary signs, powers and calls may nest. */
export const MAX_NESTING = 200;

const NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** Return whether `name` is a name of the language: letters, digits and _, not starting with a digit. */
export function isName(name: string): boolean {
  return NAME.test(name);
}

/** Parse `text` into a syntax tree; throw an `ExpressionError` (a `RoseError`) if it is invalid. */
export function parseExpression(text: string, options: ParseOptions = {}): ParsedExpression {
  const kind = options.kind ?? 'any';
  const label = options.label ?? DEFAULT_LABELS[kind];
  if (typeof text !== 'string') {
    throw new RoseError(
      'invalid-value',
      formatMessage(`expected the text of ${label} as a string, got ${typeof text}`),
    );
  }
  if (options.params !== undefined) checkParamNames(options.params, label);
  const parser = new Parser(text, label, kind, options.params);
  const root = parser.parseRoot();
  return { source: text, params: parser.paramNames(), root };
}

const DEFAULT_LABELS: Record<ExpressionKind, string> = {
  objective: 'the objective',
  constraint: 'the constraint',
  any: 'the expression',
};

/** Check that every parameter name is a name, is not a built-in, and appears once. */
export function checkParamNames(params: readonly string[], label = 'the expression'): void {
  const where = `the parameters of ${label}`;
  if (!Array.isArray(params)) {
    throw new RoseError('invalid-value', formatMessage('the parameters must be an array of names', where));
  }
  const seen = new Set<string>();
  for (const name of params) {
    const bad = (problem: string, fix: string) =>
      new RoseError('invalid-value', formatMessage(`invalid parameter name ${problem}`, where, fix));
    if (typeof name !== 'string' || !isName(name)) {
      throw bad(
        `${typeof name === 'string' ? `'${name}'` : String(name)}: not a name`,
        'A name is letters, digits and _, not starting with a digit, e.g. x, y2, theta_1',
      );
    }
    if (isConstantName(name))
      throw bad(`'${name}': it is a built-in constant`, `Rename the parameter, e.g. '${name}1'`);
    if (isFunctionName(name))
      throw bad(`'${name}': it is a built-in function`, `Rename the parameter, e.g. '${name}_'`);
    if (seen.has(name)) throw bad(`'${name}': it is given twice`, 'Give each parameter its own name');
    seen.add(name);
  }
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;
  private readonly indices = new Map<string, number>();

  constructor(
    private readonly source: string,
    private readonly label: string,
    private readonly kind: ExpressionKind,
    private readonly params: readonly string[] | undefined,
  ) {
    this.tokens = tokenize(source, label);
    params?.forEach((name, i) => this.indices.set(name, i));
  }

  /** Return the parameter names: the given ones, or those found in order of appearance. */
  paramNames(): readonly string[] {
    return this.params ?? [...this.indices.keys()];
  }

  parseRoot(): Root {
    if (this.peek().kind === 'end') {
      const what = this.kind === 'any' ? 'expression' : this.kind;
      this.fail(this.peek().span, {
        problem: `the ${what} is empty`,
        hint:
          this.kind === 'constraint'
            ? 'Write a comparison, e.g. x^2 + y^2 <= 1'
            : 'Write an expression, e.g. (1 - x)^2',
      });
    }
    const left = this.parseSum();
    let root: Root = left;
    const op = this.peek();
    if (op.kind === 'compare') {
      if (this.kind === 'objective') {
        this.fail(op.span, {
          problem: `a comparison '${op.text}' in an objective`,
          hint: 'An objective is a value to minimize; put comparisons in a <rose-constraint>',
        });
      }
      this.pos++;
      const right = this.parseSum();
      const second = this.peek();
      if (second.kind === 'compare') {
        this.fail(second.span, {
          problem: `a second comparison '${second.text}'`,
          hint: 'A constraint has exactly one comparison; write two constraints, e.g. 0 <= x and x <= 1',
        });
      }
      const span = { start: left.span.start, end: right.span.end };
      root = { kind: 'compare', op: op.text as CompareOp, left, right, opSpan: op.span, span };
    }
    this.expectEnd();
    if (this.kind === 'constraint' && root.kind !== 'compare') {
      this.fail(root.span, {
        problem: 'a constraint without a comparison',
        hint: 'A constraint compares two expressions with <=, >= or ==, e.g. x^2 + y^2 <= 1',
      });
    }
    return root;
  }

  private parseSum(): Expr {
    let left = this.parseProduct();
    for (let t = this.peek(); t.kind === 'op' && (t.text === '+' || t.text === '-'); t = this.peek()) {
      this.pos++;
      const right = this.parseProduct();
      left = { kind: 'binary', op: t.text, left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private parseProduct(): Expr {
    let left = this.parseUnary();
    for (let t = this.peek(); t.kind === 'op' && (t.text === '*' || t.text === '/'); t = this.peek()) {
      this.pos++;
      const right = this.parseUnary();
      left = { kind: 'binary', op: t.text, left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.pos++;
      this.enter(t);
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'unary', op: t.text, operand, span: join(t.span, operand.span) };
    }
    return this.parsePower();
  }

  private parsePower(): Expr {
    const base = this.parsePrimary();
    const t = this.peek();
    if (t.kind !== 'op' || t.text !== '^') return base;
    this.pos++;
    this.enter(t);
    const exponent = this.parseUnary();
    this.depth--;
    return { kind: 'binary', op: '^', left: base, right: exponent, span: join(base.span, exponent.span) };
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    if (t.kind === 'number') {
      this.pos++;
      return { kind: 'number', value: t.value!, span: t.span };
    }
    if (t.kind === 'name') {
      this.pos++;
      const next = this.peek();
      if (next.kind === 'op' && next.text === '(') return this.parseCall(t);
      return this.resolveName(t);
    }
    if (t.kind === 'op' && t.text === '(') {
      this.pos++;
      this.enter(t);
      const inner = this.parseSum();
      const close = this.expectClose(t, 'the parenthesis');
      this.depth--;
      // the node's span includes its parentheses, so spans of enclosing nodes cover them too
      return { ...inner, span: { start: t.span.start, end: close.span.end } };
    }
    return this.unexpectedOperand(t);
  }

  private parseCall(name: Token): Expr {
    const open = this.peek();
    this.pos++;
    this.enter(open);
    if (!isFunctionName(name.text)) this.unknownFunction(name);
    const args: Expr[] = [];
    if (!(this.peek().kind === 'op' && this.peek().text === ')')) {
      args.push(this.parseSum());
      while (this.peek().kind === 'op' && this.peek().text === ',') {
        this.pos++;
        args.push(this.parseSum());
      }
    }
    const close = this.expectClose(open, `the call of ${name.text}`);
    this.depth--;
    const span = { start: name.span.start, end: close.span.end };
    const arity = FUNCTIONS[name.text];
    if (args.length < arity.min || args.length > arity.max) {
      const wanted = arity.max === Infinity ? `at least ${arity.min}` : String(arity.min);
      this.fail(span, {
        problem: `${name.text} takes ${wanted} argument${arity.min === 1 ? '' : 's'}, got ${args.length}`,
        hint: `Write ${name.text}(${['x', 'y', 'z'].slice(0, arity.min).join(', ')})`,
      }, 'arity');
    }
    return { kind: 'call', name: name.text, args, span };
  }

  private resolveName(t: Token): Expr {
    const name = t.text;
    if (isConstantName(name)) return { kind: 'constant', name, span: t.span };
    if (isFunctionName(name)) {
      this.fail(t.span, {
        problem: `'${name}' is a function, used without arguments`,
        hint: `Call it with parentheses, e.g. ${name}(x)`,
      });
    }
    let index = this.indices.get(name);
    if (index === undefined) {
      if (this.params !== undefined) this.unknownName(t, this.params);
      index = this.indices.size;
      this.indices.set(name, index);
    }
    return { kind: 'param', name, index, span: t.span };
  }

  private unknownName(t: Token, params: readonly string[]): never {
    const candidates = [...params, 'pi', 'e'];
    const guess = closestName(t.text, candidates);
    const listed =
      params.length === 0 ? 'There are no parameters' : `The parameters are ${quoteList(params)}`;
    this.fail(t.span, {
      problem: `unknown name '${t.text}'`,
      hint: `${listed}${guess ? `; did you mean '${guess}'?` : ''}`,
    }, 'unknown-name');
  }

  private unknownFunction(t: Token): never {
    const isParam = this.indices.has(t.text) || this.params?.includes(t.text);
    if (isParam) {
      this.fail(t.span, {
        problem: `'${t.text}' is a parameter, not a function`,
        hint: `Write '*' for a product, e.g. ${t.text}*(...)`,
      }, 'unknown-name');
    }
    const guess = closestName(t.text, Object.keys(FUNCTIONS));
    this.fail(t.span, {
      problem: `unknown function '${t.text}'`,
      hint: guess
        ? `Did you mean '${guess}'? The functions are ${quoteList(Object.keys(FUNCTIONS), 30)}`
        : `The functions are ${quoteList(Object.keys(FUNCTIONS), 30)}`,
    }, 'unknown-name');
  }

  /** Report a token that cannot start an operand. */
  private unexpectedOperand(t: Token): never {
    const previous = this.tokens[this.pos - 1];
    if (t.kind === 'end') {
      this.fail(t.span, {
        problem: `the text ends after '${previous?.text ?? ''}', where a value is expected`,
        hint: 'Complete the expression with a number, a parameter, a call or a parenthesized expression',
      });
    }
    const what = t.kind === 'compare' ? 'comparison' : 'operator';
    this.fail(t.span, {
      problem: `expected a value, found the ${what} '${t.text}'`,
      hint:
        t.text === ')'
          ? "Write a value inside the parentheses, or remove the ')'"
          : 'A value is a number, a parameter, a function call or a parenthesized expression',
    });
  }

  /** Consume the `)` that closes `open`, or report what is there instead. */
  private expectClose(open: Token, what: string): Token {
    const t = this.peek();
    if (t.kind === 'op' && t.text === ')') {
      this.pos++;
      return t;
    }
    if (t.kind === 'compare') {
      this.fail(t.span, {
        problem: `a comparison '${t.text}' inside ${what}`,
        hint: 'A comparison may only appear once, at the top of a constraint',
      });
    }
    const at = lineAndColumn(this.source, open.span.start);
    const opened = `the '(' at line ${at.line}, column ${at.column}`;
    if (t.kind === 'end') {
      this.fail(open.span, {
        problem: `'(' is never closed`,
        hint: `Add a ')' to close ${what}`,
      });
    }
    if (t.kind === 'op' && t.text === ',') {
      this.fail(t.span, {
        problem: "',' inside parentheses",
        hint: 'Commas separate the arguments of a function call, like max(x, y)',
      });
    }
    this.complainAfterOperand(t, `Close ${opened} with ')'`);
  }

  /** Require the end of the text after the root. */
  private expectEnd(): void {
    const t = this.peek();
    if (t.kind === 'end') return;
    if (t.kind === 'op' && t.text === ')') {
      this.fail(t.span, { problem: "unmatched ')'", hint: "Remove it, or add the '(' it closes" });
    }
    if (t.kind === 'op' && t.text === ',') {
      this.fail(t.span, {
        problem: "',' outside a function call",
        hint: 'Write one expression; commas separate the arguments of a call like max(x, y)',
      });
    }
    this.complainAfterOperand(t, '');
  }

  /** Report a token after a complete operand where an operator is needed. */
  private complainAfterOperand(t: Token, fallback: string): never {
    const previous = this.tokens[this.pos - 1]!;
    if (t.kind === 'number' || t.kind === 'name' || (t.kind === 'op' && t.text === '(')) {
      const exponent = previous.kind === 'number' && /^[eE]/.test(t.text);
      this.fail(t.span, {
        problem: `missing operator before '${t.text}'`,
        hint: exponent
          ? `Write ${previous.text}*${t.text} for a product, ` +
            `or digits like ${previous.text}e3 for a power of ten`
          : `Write '*' for a product, e.g. ${previous.text}*${t.text}`,
      });
    }
    this.fail(t.span, { problem: `unexpected '${t.text}'`, hint: fallback || 'Remove it' });
  }

  private enter(t: Token): void {
    if (++this.depth > MAX_NESTING) {
      this.fail(t.span, {
        problem: `the expression nests more than ${MAX_NESTING} levels deep`,
        hint: 'Simplify it, or split it with intermediate parameters',
      });
    }
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private fail(span: Span, complaint: Complaint, code: ParseErrorCode = 'syntax'): never {
    fail(code, this.source, span, this.label, complaint);
  }
}

function join(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}
