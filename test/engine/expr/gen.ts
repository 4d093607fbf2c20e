/**
 * @file fast-check generators for expression tests: syntax trees over the parameters x, y, z
 * (general ones using every operator and built-in, and smooth ones for gradient checks), text
 * with redundant parentheses and random whitespace, and token soups for fuzzing.
 */
import fc from 'fast-check';
import {
  FUNCTIONS,
  type BinaryOp,
  type CompareOp,
  type Expr,
  type FunctionName,
  type Root,
} from '../../../engine/expr/ast.ts';

/** The parameters generated expressions use. */
export const PARAMS = ['x', 'y', 'z'] as const;

const SPAN = { start: 0, end: 0 };

const num = (value: number): Expr => ({ kind: 'number', value, span: SPAN });
const param = (index: number): Expr => ({ kind: 'param', name: PARAMS[index]!, index, span: SPAN });
const unary = (op: '-' | '+', operand: Expr): Expr => ({ kind: 'unary', op, operand, span: SPAN });
const binary = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right, span: SPAN });
const call = (name: FunctionName, args: Expr[]): Expr => ({ kind: 'call', name, args, span: SPAN });

/** Non-negative literals: small integers, decimals, and large and tiny magnitudes. */
const numberArb: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 10 }),
  fc.constantFrom(0.5, 0.1, 1e-3, 2.5, 100, 1e21, 5e-324, 1.7976931348623157e308),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map(Math.abs),
);

const leafArb: fc.Arbitrary<Expr> = fc.oneof(
  { weight: 2, arbitrary: numberArb.map(num) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 }).map(param) },
  { weight: 1, arbitrary: fc.constantFrom<Expr>({ kind: 'constant', name: 'pi', span: SPAN }, { kind: 'constant', name: 'e', span: SPAN }) },
);

/** Exponents: the specially lowered integer literals and anything else. */
function exponentArb(sub: fc.Arbitrary<Expr>): fc.Arbitrary<Expr> {
  return fc.oneof(
    fc.constantFrom(0, 1, 2, 3).map(num),
    fc.constantFrom(1, 2, 3).map((n) => unary('-', num(n))),
    sub,
  );
}

/** Return a call of a random built-in with the right number of arguments from `sub`. */
function callArb(sub: fc.Arbitrary<Expr>): fc.Arbitrary<Expr> {
  const names = Object.keys(FUNCTIONS) as FunctionName[];
  return fc.constantFrom(...names).chain((name) => {
    const { min, max } = FUNCTIONS[name];
    const count = max === Infinity ? fc.integer({ min, max: min + 2 }) : fc.constant(min);
    return count.chain((n) => fc.array(sub, { minLength: n, maxLength: n }).map((args) => call(name, args)));
  });
}

/** Return trees of depth at most `depth` using every operator, constant and built-in. */
export function exprArb(depth = 4): fc.Arbitrary<Expr> {
  if (depth === 0) return leafArb;
  const sub = exprArb(depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leafArb },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom<'-' | '+'>('-', '+'), sub).map(([op, e]) => unary(op, e)) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom<BinaryOp>('+', '-', '*', '/'), sub, sub)
        .map(([op, a, b]) => binary(op, a, b)),
    },
    { weight: 1, arbitrary: fc.tuple(sub, exponentArb(sub)).map(([a, b]) => binary('^', a, b)) },
    { weight: 2, arbitrary: callArb(sub) },
  );
}

/** Return a comparison of two generated trees. */
export function comparisonArb(depth = 3): fc.Arbitrary<Root> {
  return fc
    .tuple(fc.constantFrom<CompareOp>('<=', '>=', '=='), exprArb(depth), exprArb(depth))
    .map(([op, left, right]) => ({ kind: 'compare', op, left, right, opSpan: SPAN, span: SPAN }));
}

/**
 * Return smooth trees (differentiable everywhere, with moderate derivatives on [-2, 2]^3) for
 * finite-difference checks: sums, products, sin, cos, tanh, atan, exp of a bounded argument,
 * 1 / (1 + u^2), sqrt(1 + u^2), log(1 + u^2), hypot(u, 1), and small integer powers.
 */
export function smoothArb(depth = 3): fc.Arbitrary<Expr> {
  const leaf = fc.oneof(
    fc.integer({ min: 0, max: 2 }).map(param),
    fc.constantFrom(0.5, 2, 3).map(num),
    fc.constant<Expr>({ kind: 'constant', name: 'pi', span: SPAN }),
  );
  if (depth === 0) return leaf;
  const sub = smoothArb(depth - 1);
  const one = num(1);
  const sq = (u: Expr) => binary('^', u, num(2));
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom<BinaryOp>('+', '-', '*'), sub, sub).map(([op, a, b]) => binary(op, a, b)) },
    { weight: 1, arbitrary: sub.map((u) => unary('-', u)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom<FunctionName>('sin', 'cos', 'tanh', 'atan'), sub).map(([f, u]) => call(f, [u])) },
    { weight: 1, arbitrary: sub.map((u) => call('exp', [call('tanh', [u])])) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, u]) => binary('/', a, binary('+', one, sq(u)))) },
    { weight: 1, arbitrary: sub.map((u) => call('sqrt', [binary('+', one, sq(u))])) },
    { weight: 1, arbitrary: sub.map((u) => call('log', [binary('+', one, sq(u))])) },
    { weight: 1, arbitrary: sub.map((u) => call('hypot', [u, one])) },
    { weight: 1, arbitrary: fc.tuple(sub, fc.constantFrom(0, 1, 2, 3)).map(([u, n]) => binary('^', call('tanh', [u]), num(n))) },
  );
}

/** Return the tree without source spans, for comparing trees. */
export function stripSpans(root: Root): unknown {
  return JSON.parse(JSON.stringify(root, (key, value) => (key === 'span' || key === 'opSpan' ? undefined : value)));
}

const SPACES = fc.constantFrom('', '', '', ' ', '  ', '\n', '\t', ' # note\n');

/**
 * Return text for `root` with every subexpression parenthesized (`redundant`) and random
 * whitespace and comments between tokens; it parses to the same tree as `root`.
 */
export function noisyTextArb(root: Root): fc.Arbitrary<string> {
  return fc.array(SPACES, { minLength: 64, maxLength: 64 }).map((pool) => {
    let k = 0;
    const s = () => pool[k++ % pool.length]!;
    const go = (e: Root): string => {
      switch (e.kind) {
        case 'number':
          return String(e.value);
        case 'constant':
        case 'param':
          return e.name;
        case 'unary':
          return `(${s()}${e.op}${s()}${go(e.operand)}${s()})`;
        case 'binary':
          return `(${s()}${go(e.left)}${s()}${e.op}${s()}${go(e.right)}${s()})`;
        case 'call':
          return `${e.name}${s()}(${e.args.map((a) => `${s()}${go(a)}${s()}`).join(',')})`;
        case 'compare':
          return `${s()}${go(e.left)}${s()}${e.op}${s()}${go(e.right)}${s()}`;
      }
    };
    return go(root);
  });
}

/** Fragments that token soups are made of: valid tokens, near misses and junk. */
const FRAGMENTS = [
  'x', 'y', 'z', 'w', 'xx', '0', '1', '2.5', '.5', '1e-3', '1e', '1e+', '1.2.3', '5.', '1e999',
  '+', '-', '*', '/', '^', '(', ')', ',', '<=', '>=', '==', '=', '<', '>', '!=', '**', '!',
  'sin', 'max', 'min', 'atan2', 'pow', 'pi', 'e', 'foo', ' ', '\n', '\t', '# c\n', '#', '.',
  '@', '[', ']', ';', 'θ', '\u00a0', '𝑥', '\r\n', '−',
];

/** Return random concatenations of token-like fragments. */
export function tokenSoupArb(): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));
}
