/**
 * @file Lowering of expression trees to the engine: trace an `Fn` from `Vec(n, Real)` (the
 * parameters, in order) to `Real` with the public tracing API. A comparison lowers to its
 * constraint function: `a <= b` to `a - b` (type `ineq`, feasible where `<= 0`), `a >= b` to
 * `b - a` (`ineq`), `a == b` to `a - b` (type `eq`, feasible where `= 0`).
 *
 * `x ^ n` with an integer literal `n` is lowered for accuracy and for derivatives at `x = 0`:
 * `n = 0` is the constant 1 (pow's derivative there would be `0 * 0^-1 = NaN`), 1 is `x`, 2 is
 * `x * x` (exact, and faster), -1 is `1 / x` (correctly rounded); other exponents use `pow`,
 * whose derivative `n * x^(n-1)` is right at 0 for `n >= 2`. `evaluateExpression` mirrors this.
 */
import { RoseError, formatMessage, internal } from '../errors.ts';
import { fn, type FnOf } from '../trace/fn.ts';
import { max, min } from '../trace/loops.ts';
import * as ops from '../trace/ops.ts';
import { Real, Vec, type Reals, type Vecs } from '../trace/types.ts';
import {
  CONSTANTS,
  FUNCTIONS,
  foldExpr,
  specialExponent,
  type CallNode,
  type FunctionName,
  type Root,
  type SpecialExponent,
} from './ast.ts';
import { parseExpression, type ParsedExpression } from './parser.ts';

/** A lowered expression: a function of the parameter vector returning a real. */
export type ExpressionFn = FnOf<readonly [Vecs<number, Reals>], Reals>;

/** A lowered constraint: `fn(x) <= 0` (`ineq`) or `fn(x) = 0` (`eq`). */
export interface LoweredConstraint {
  readonly type: 'eq' | 'ineq';
  readonly fn: ExpressionFn;
  /** The parsed text; its root is the comparison. */
  readonly parsed: ParsedExpression;
}

/** Options of the lowering functions. */
export interface LowerOptions {
  /** How messages name the text, e.g. "constraint 2". */
  readonly label?: string;
}

/** Symbolic real or a JS number: what the engine's ops accept and return. */
type Operand = Real;

type Unary = (x: Operand) => Operand;
type Binary = (x: Operand, y: Operand) => Operand;

/** The engine op of each built-in; `min` and `max` fold left over their arguments. */
const BUILTIN_OPS: { readonly [F in FunctionName]: Unary | Binary } = {
  exp: ops.exp,
  log: ops.log,
  sin: ops.sin,
  cos: ops.cos,
  tan: ops.tan,
  asin: ops.asin,
  acos: ops.acos,
  atan: ops.atan,
  atan2: ops.atan2,
  sinh: ops.sinh,
  cosh: ops.cosh,
  tanh: ops.tanh,
  pow: ops.pow,
  log1p: ops.log1p,
  expm1: ops.expm1,
  hypot: ops.hypot,
  cbrt: ops.cbrt,
  min: (x, y) => min(x, y),
  max: (x, y) => max(x, y),
  sqrt: (x: Operand) => ops.sqrt(x),
  abs: (x: Operand) => ops.abs(x),
  sign: (x: Operand) => ops.sign(x),
  floor: (x: Operand) => ops.floor(x),
  ceil: (x: Operand) => ops.ceil(x),
  trunc: (x: Operand) => ops.trunc(x),
};

/** Return the op of a built-in call applied to lowered arguments. */
function lowerCall(node: CallNode, args: Operand[]): Operand {
  const op = BUILTIN_OPS[node.name];
  if (FUNCTIONS[node.name].min === 1) return (op as Unary)(args[0]!);
  return args.reduce((acc, x) => (op as Binary)(acc, x));
}

/** Return `base ^ exponent` lowered as described in the file comment. */
function lowerPower(base: Operand, exponent: Operand, literal: SpecialExponent | undefined): Operand {
  switch (literal) {
    case 0:
      return 1;
    case 1:
      return base;
    case 2:
      return ops.mul(base, base);
    case -1:
      return ops.div(1, base);
    default:
      return ops.pow(base, exponent);
  }
}

/** Return the body that computes `root` from the parameter vector `x`. */
function bodyOf(root: Root): (x: readonly Operand[]) => Operand {
  return (x) => {
    const reads = new Map<number, Operand>();
    return foldExpr<Operand>(root, (node, kids) => {
      switch (node.kind) {
        case 'number':
          return node.value;
        case 'constant':
          return CONSTANTS[node.name];
        case 'param': {
          let read = reads.get(node.index);
          if (read === undefined) reads.set(node.index, (read = x[node.index]!));
          return read;
        }
        case 'unary':
          return node.op === '-' ? ops.neg(kids[0]!) : kids[0]!;
        case 'call':
          return lowerCall(node, kids);
        case 'compare':
          return node.op === '>=' ? ops.sub(kids[1]!, kids[0]!) : ops.sub(kids[0]!, kids[1]!);
        case 'binary': {
          const [a, b] = kids as [Operand, Operand];
          if (node.op === '+') return ops.add(a, b);
          if (node.op === '-') return ops.sub(a, b);
          if (node.op === '*') return ops.mul(a, b);
          if (node.op === '/') return ops.div(a, b);
          return lowerPower(a, b, specialExponent(node.right));
        }
      }
    });
  };
}

/**
 * Return the `Fn` from `Vec(n, Real)` to `Real` (n the number of parameters) that computes
 * `parsed`; a comparison gives its constraint function. `name` names the function in `pprint`.
 */
export function lowerExpression(parsed: ParsedExpression, name = 'expression'): ExpressionFn {
  const compute = bodyOf(parsed.root);
  const named = {
    [name]: (x: readonly Operand[]) => compute(x),
  }[name]!;
  return fn([Vec(parsed.params.length, Real)], Real, named as never) as unknown as ExpressionFn;
}

/** Parse and lower the objective `text` over the parameters `params` (in order). */
export function lowerObjective(
  text: string,
  params: readonly string[],
  options: LowerOptions = {},
): ExpressionFn {
  const parsed = parseExpression(text, { params, kind: 'objective', label: options.label });
  return lowerExpression(parsed, 'objective');
}

/** Parse and lower the constraint `text` (one comparison) over the parameters `params`. */
export function lowerConstraint(
  text: string,
  params: readonly string[],
  options: LowerOptions = {},
): LoweredConstraint {
  const parsed = parseExpression(text, { params, kind: 'constraint', label: options.label });
  if (parsed.root.kind !== 'compare') {
    internal('a parsed constraint has no comparison');
  }
  const type = parsed.root.op === '==' ? 'eq' : 'ineq';
  return { type, fn: lowerExpression(parsed, 'constraint'), parsed };
}

/** A parameter of an expression model: its name and starting value. */
export interface ModelParam {
  readonly name: string;
  readonly value: number;
}

/** The text of an objective or constraint, optionally with the label its messages use. */
export type ExpressionSource = string | { readonly text: string; readonly label?: string };

/** What `expressionModel` takes: parameters, an objective and constraints, as markup gives them. */
export interface ExpressionModelSpec {
  readonly params: readonly ModelParam[];
  readonly objective: ExpressionSource;
  readonly constraints?: readonly ExpressionSource[];
}

/** What an optimizer needs: the objective, the constraints and the starting point. */
export interface ExpressionModel {
  /** The parameter names; `x[i]` is parameter `names[i]`. */
  readonly names: readonly string[];
  /** The starting point: the parameters' values. */
  readonly x0: number[];
  readonly objective: ExpressionFn;
  /** The parsed objective, for evaluation in JS and for messages. */
  readonly parsedObjective: ParsedExpression;
  readonly constraints: readonly LoweredConstraint[];
}

function sourceOf(source: ExpressionSource, label: string): { text: string; label: string } {
  if (typeof source === 'string') return { text: source, label };
  if (source === null || typeof source !== 'object' || typeof source.text !== 'string') {
    throw new RoseError(
      'invalid-value',
      formatMessage(`${label} is not a string or { text }`, 'expressionModel', 'Pass the expression text'),
    );
  }
  return { text: source.text, label: source.label ?? label };
}

/** Return the starting values of `params`, checking that each is a finite number. */
function startingPoint(params: readonly ModelParam[]): number[] {
  if (!Array.isArray(params)) {
    throw new RoseError(
      'invalid-value',
      formatMessage('the parameters must be an array of { name, value }', 'expressionModel'),
    );
  }
  return params.map((p, i) => {
    const value = p?.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RoseError(
        'invalid-value',
        formatMessage(
          `parameter '${String(p?.name ?? i)}' has the value ${String(value)}, not a finite number`,
          'expressionModel',
          'Give every parameter a finite starting value, e.g. value="0"',
        ),
      );
    }
    return value;
  });
}

/**
 * Parse and lower a whole model: the objective, each constraint (labelled "constraint 1", ...
 * unless given a label) and the starting point. Throws the first error found.
 */
export function expressionModel(spec: ExpressionModelSpec): ExpressionModel {
  const x0 = startingPoint(spec.params);
  const names = spec.params.map((p) => p.name);
  const objectiveSource = sourceOf(spec.objective, 'the objective');
  const parsedObjective = parseExpression(objectiveSource.text, {
    params: names,
    kind: 'objective',
    label: objectiveSource.label,
  });
  const constraints = (spec.constraints ?? []).map((c, i) => {
    const { text, label } = sourceOf(c, `constraint ${i + 1}`);
    return lowerConstraint(text, names, { label });
  });
  const objective = lowerExpression(parsedObjective, 'objective');
  return { names, x0, objective, parsedObjective, constraints };
}
