/**
 * @file A plain-JS evaluator of expression trees, for quick plotting and as a test oracle. It
 * computes exactly what the lowered `Fn` computes (same operations, same order, the same special
 * cases of `^`), so with the default `Math.*` table it agrees bit for bit with `interp`, and
 * with the wasm math library's table it agrees bit for bit with `compile`.
 */
import { RoseError, formatMessage } from '../errors.ts';
import { CONSTANTS, foldExpr, specialExponent, type FunctionName, type Root, type SpecialExponent } from './ast.ts';
import type { ParsedExpression } from './parser.ts';

/** The transcendental functions an evaluation uses; the rest are exact in IEEE double. */
export interface MathTable {
  readonly exp: (x: number) => number;
  readonly log: (x: number) => number;
  readonly sin: (x: number) => number;
  readonly cos: (x: number) => number;
  readonly tan: (x: number) => number;
  readonly asin: (x: number) => number;
  readonly acos: (x: number) => number;
  readonly atan: (x: number) => number;
  readonly atan2: (y: number, x: number) => number;
  readonly sinh: (x: number) => number;
  readonly cosh: (x: number) => number;
  readonly tanh: (x: number) => number;
  readonly pow: (x: number, y: number) => number;
  readonly log1p: (x: number) => number;
  readonly expm1: (x: number) => number;
  readonly hypot: (x: number, y: number) => number;
  readonly cbrt: (x: number) => number;
}

/** The interpreter's math: JavaScript's `Math` (two-argument `hypot`). */
export const JS_MATH: MathTable = {
  exp: Math.exp,
  log: Math.log,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  atan2: Math.atan2,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  pow: Math.pow,
  log1p: Math.log1p,
  expm1: Math.expm1,
  hypot: (x, y) => Math.hypot(x, y),
  cbrt: Math.cbrt,
};

/** Return Rust's `f64::signum` (the engine's `sign`): 1 for +0, -1 for -0, NaN for NaN. */
export function signum(x: number): number {
  if (x > 0) return 1;
  if (x < 0) return -1;
  if (x === 0) return Object.is(x, -0) ? -1 : 1;
  return NaN;
}

/** Apply the built-in `name` to `args` (arity already checked by the parser). */
function callBuiltin(name: FunctionName, args: readonly number[], math: MathTable): number {
  const [a = NaN, b = NaN] = args;
  switch (name) {
    case 'sqrt':
      return Math.sqrt(a);
    case 'abs':
      return Math.abs(a);
    case 'sign':
      return signum(a);
    case 'floor':
      return Math.floor(a);
    case 'ceil':
      return Math.ceil(a);
    case 'trunc':
      return Math.trunc(a);
    case 'min':
      return args.reduce((acc, x) => Math.min(acc, x));
    case 'max':
      return args.reduce((acc, x) => Math.max(acc, x));
    case 'atan2':
    case 'pow':
    case 'hypot':
      return math[name](a, b);
    default:
      return math[name](a);
  }
}

/**
 * Return `base ^ exponent` as the lowering computes it: an integer literal exponent 0 gives 1,
 * 1 gives `base`, 2 gives `base * base`, -1 gives `1 / base`; anything else is `pow`.
 */
function power(base: number, exponent: number, literal: SpecialExponent | undefined, math: MathTable): number {
  switch (literal) {
    case 0:
      return 1;
    case 1:
      return base;
    case 2:
      return base * base;
    case -1:
      return 1 / base;
    default:
      return math.pow(base, exponent);
  }
}

function missingValue(name: string, index: number, x: ArrayLike<number>): never {
  throw new RoseError(
    'invalid-value',
    formatMessage(
      `no number for parameter '${name}' (index ${index}); got ${x.length} value(s)`,
      'evaluateExpression',
      'Pass one number per parameter, in the order of the parameter list',
    ),
  );
}

/**
 * Return the value of `expr` at the parameter values `x` (indexed like the parameter list). A
 * comparison evaluates to its constraint function: `a - b` for `a <= b` and `a == b`, `b - a`
 * for `a >= b` (feasible where it is `<= 0`, respectively `= 0`).
 */
export function evaluateExpression(
  expr: ParsedExpression | Root,
  x: ArrayLike<number>,
  math: MathTable = JS_MATH,
): number {
  const root = 'root' in expr ? expr.root : expr;
  return foldExpr<number>(root, (node, kids) => {
    switch (node.kind) {
      case 'number':
        return node.value;
      case 'constant':
        return CONSTANTS[node.name];
      case 'param': {
        const value = x[node.index];
        if (typeof value !== 'number') missingValue(node.name, node.index, x);
        return value;
      }
      case 'unary':
        return node.op === '-' ? -kids[0]! : kids[0]!;
      case 'call':
        return callBuiltin(node.name, kids, math);
      case 'compare':
        return node.op === '>=' ? kids[1]! - kids[0]! : kids[0]! - kids[1]!;
      case 'binary': {
        const [a, b] = kids as [number, number];
        switch (node.op) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            return a / b;
          case '^':
            return power(a, b, specialExponent(node.right), math);
        }
      }
    }
  });
}
