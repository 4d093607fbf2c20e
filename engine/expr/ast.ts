/**
 * @file The syntax tree of the markup expression language (`<rose-objective>`,
 * `<rose-constraint>`): plain data with source spans, the table of built-in functions and
 * constants, and `foldExpr`, an iterative post-order walk that every consumer (printer,
 * evaluator, lowering) uses, so a 100,000-term sum never overflows the JS stack.
 */

/** A half-open range `[start, end)` of UTF-16 offsets into the source text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A numeric literal; always finite and non-negative (a leading minus is a `unary` node). */
export interface NumberNode {
  readonly kind: 'number';
  readonly value: number;
  readonly span: Span;
}

/** A built-in constant: `pi` or `e`. */
export interface ConstantNode {
  readonly kind: 'constant';
  readonly name: ConstantName;
  readonly span: Span;
}

/** A parameter, with its position in the parameter list (the index into `x`). */
export interface ParamNode {
  readonly kind: 'param';
  readonly name: string;
  readonly index: number;
  readonly span: Span;
}

/** Unary minus or plus. */
export interface UnaryNode {
  readonly kind: 'unary';
  readonly op: '-' | '+';
  readonly operand: Expr;
  readonly span: Span;
}

/** A binary arithmetic operation; `^` is the power. */
export interface BinaryNode {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

/** A call of a built-in function. */
export interface CallNode {
  readonly kind: 'call';
  readonly name: FunctionName;
  readonly args: readonly Expr[];
  readonly span: Span;
}

/** A real-valued expression. */
export type Expr = NumberNode | ConstantNode | ParamNode | UnaryNode | BinaryNode | CallNode;

/** The one top-level comparison of a constraint. */
export interface Comparison {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly left: Expr;
  readonly right: Expr;
  /** Where the operator itself is, for messages. */
  readonly opSpan: Span;
  readonly span: Span;
}

/** The root of a parsed text: an expression (objective) or a comparison (constraint). */
export type Root = Expr | Comparison;

/** The binary arithmetic operators. */
export type BinaryOp = '+' | '-' | '*' | '/' | '^';
/** The comparison operators of constraints. */
export type CompareOp = '<=' | '>=' | '==';

/** The built-in constants and their values. */
export const CONSTANTS = { pi: Math.PI, e: Math.E } as const;
/** The name of a built-in constant. */
export type ConstantName = keyof typeof CONSTANTS;

/** How many arguments a built-in takes: exactly `min` when `max` is `min`, else at least `min`. */
export interface Arity {
  readonly min: number;
  readonly max: number;
}

const ONE: Arity = { min: 1, max: 1 };
const TWO: Arity = { min: 2, max: 2 };
const TWO_OR_MORE: Arity = { min: 2, max: Infinity };

/** The built-in functions and their arities; `min` and `max` take two or more arguments. */
export const FUNCTIONS = {
  exp: ONE,
  log: ONE,
  sin: ONE,
  cos: ONE,
  tan: ONE,
  asin: ONE,
  acos: ONE,
  atan: ONE,
  atan2: TWO,
  sinh: ONE,
  cosh: ONE,
  tanh: ONE,
  pow: TWO,
  log1p: ONE,
  expm1: ONE,
  hypot: TWO,
  cbrt: ONE,
  min: TWO_OR_MORE,
  max: TWO_OR_MORE,
  sqrt: ONE,
  abs: ONE,
  sign: ONE,
  floor: ONE,
  ceil: ONE,
  trunc: ONE,
} as const satisfies Record<string, Arity>;
/** The name of a built-in function. */
export type FunctionName = keyof typeof FUNCTIONS;

/** Return whether `name` is a built-in function. */
export function isFunctionName(name: string): name is FunctionName {
  return Object.hasOwn(FUNCTIONS, name);
}

/** Return whether `name` is a built-in constant. */
export function isConstantName(name: string): name is ConstantName {
  return Object.hasOwn(CONSTANTS, name);
}

/** Return the children of `node`, left to right. */
export function childrenOf(node: Root): readonly Expr[] {
  switch (node.kind) {
    case 'number':
    case 'constant':
    case 'param':
      return [];
    case 'unary':
      return [node.operand];
    case 'binary':
    case 'compare':
      return [node.left, node.right];
    case 'call':
      return node.args;
  }
}

/**
 * Return `combine(node, results of its children)` computed bottom-up, children left to right,
 * with an explicit stack (no recursion), so trees of any depth are safe.
 */
export function foldExpr<T>(root: Root, combine: (node: Root, children: T[]) => T): T {
  const nodes: Root[] = [root];
  const visited: boolean[] = [false];
  const results: T[] = [];
  while (nodes.length > 0) {
    const node = nodes[nodes.length - 1]!;
    const children = childrenOf(node);
    if (!visited[visited.length - 1]) {
      visited[visited.length - 1] = true;
      for (let i = children.length - 1; i >= 0; i--) {
        nodes.push(children[i]!);
        visited.push(false);
      }
      continue;
    }
    nodes.pop();
    visited.pop();
    const args = results.splice(results.length - children.length, children.length);
    results.push(combine(node, args));
  }
  return results[0]!;
}

/**
 * Return the integer `n` when `node` is an integer literal, optionally signed (`2`, `-1`,
 * `+3`); undefined otherwise. Powers with such exponents are lowered specially.
 */
export function integerLiteral(node: Expr): number | undefined {
  let sign = 1;
  let inner = node;
  if (inner.kind === 'unary') {
    sign = inner.op === '-' ? -1 : 1;
    inner = inner.operand;
  }
  if (inner.kind !== 'number' || !Number.isInteger(inner.value)) return undefined;
  return sign * inner.value;
}

/** The integer exponents `x ^ k` computes without `pow`: 1, x, x * x, 1 / x. */
export type SpecialExponent = 0 | 1 | 2 | -1;

/**
 * Return the exponent of `base ^ exponent` when it is a literal 0, 1, 2 or -1 (every evaluator
 * and the lowering compute those without `pow`, so derivatives at 0 stay exact); else undefined.
 */
export function specialExponent(exponent: Expr): SpecialExponent | undefined {
  const k = integerLiteral(exponent);
  return k === 0 || k === 1 || k === 2 || k === -1 ? k : undefined;
}
