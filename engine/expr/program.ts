/**
 * @file A fast plain-JS evaluator for repeated evaluation (plots, grids): the tree is compiled
 * once to a postfix program of numeric instructions run on a preallocated `Float64Array` stack,
 * so an evaluation allocates nothing and never recurses. It computes exactly what
 * `evaluateExpression` computes (same operations in the same order), bit for bit.
 */
import { RoseError, formatMessage } from '../errors.ts';
import { CONSTANTS, FUNCTIONS, foldExpr, specialExponent, type Root } from './ast.ts';
import { JS_MATH, signum, type MathTable } from './evaluate.ts';
import type { ParsedExpression } from './parser.ts';

/** Instruction codes; each instruction is a code and an argument. */
const Op = {
  Const: 0, // push consts[arg]
  Param: 1, // push x[arg]
  Neg: 2,
  Add: 3,
  Sub: 4,
  Mul: 5,
  Div: 6,
  Swap: 7, // swap the top two (a >= b lowers to b - a)
  One: 8, // replace the top by 1 (x^0)
  Square: 9,
  Reciprocal: 10,
  Unary: 11, // top = unary[arg](top)
  Binary: 12, // top2 = binary[arg](top2, top)
} as const;

type Unary = (x: number) => number;
type Binary = (x: number, y: number) => number;

/** Return the unary and binary function tables of a program over `math`. */
function tables(math: MathTable): { unary: Map<string, Unary>; binary: Map<string, Binary> } {
  const unary = new Map<string, Unary>([
    ['sqrt', Math.sqrt],
    ['abs', Math.abs],
    ['sign', signum],
    ['floor', Math.floor],
    ['ceil', Math.ceil],
    ['trunc', Math.trunc],
  ]);
  const binary = new Map<string, Binary>([
    ['min', (a, b) => Math.min(a, b)],
    ['max', (a, b) => Math.max(a, b)],
    ['atan2', math.atan2],
    ['pow', math.pow],
    ['hypot', math.hypot],
  ]);
  for (const name of ['exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh'] as const)
    unary.set(name, math[name]);
  for (const name of ['tanh', 'log1p', 'expm1', 'cbrt'] as const) unary.set(name, math[name]);
  return { unary, binary };
}

interface Program {
  readonly code: number[];
  readonly consts: number[];
  readonly unary: Unary[];
  readonly binary: Binary[];
  readonly stackSize: number;
  readonly paramCount: number;
}

/** Compile `root` to a postfix program (emitted in post-order as the fold visits nodes). */
function compileProgram(root: Root, math: MathTable): Program {
  const { unary: unaryTable, binary: binaryTable } = tables(math);
  const code: number[] = [];
  const consts: number[] = [];
  const unary: Unary[] = [];
  const binary: Binary[] = [];
  let depth = 0;
  let stackSize = 1;
  let paramCount = 0;
  const emit = (op: number, arg: number, delta: number) => {
    code.push(op, arg);
    depth += delta;
    stackSize = Math.max(stackSize, depth);
  };
  const pushConst = (value: number) => emit(Op.Const, consts.push(value) - 1, 1);
  // each node's result is the offset where its code starts
  foldExpr<number>(root, (node, starts) => {
    const start = starts[0] ?? code.length;
    switch (node.kind) {
      case 'number':
        pushConst(node.value);
        break;
      case 'constant':
        pushConst(CONSTANTS[node.name]);
        break;
      case 'param':
        paramCount = Math.max(paramCount, node.index + 1);
        emit(Op.Param, node.index, 1);
        break;
      case 'unary':
        if (node.op === '-') emit(Op.Neg, 0, 0);
        break;
      case 'compare':
        if (node.op === '>=') emit(Op.Swap, 0, 0);
        emit(Op.Sub, 0, -1);
        break;
      case 'call':
        if (FUNCTIONS[node.name].min === 1) {
          emit(Op.Unary, unary.push(unaryTable.get(node.name)!) - 1, 0);
        } else {
          const f = binary.push(binaryTable.get(node.name)!) - 1;
          // fold left: a b f c f ... (the arguments were emitted in order; reorder pairwise)
          reorderFoldLeft(code, starts, f);
          depth -= node.args.length - 1;
        }
        break;
      case 'binary': {
        const literal = node.op === '^' ? specialExponent(node.right) : undefined;
        if (literal !== undefined) {
          code.length = starts[1]!; // drop the exponent's code: it is not evaluated
          depth -= 1;
          if (literal === 0) emit(Op.One, 0, 0);
          if (literal === 2) emit(Op.Square, 0, 0);
          if (literal === -1) emit(Op.Reciprocal, 0, 0);
        } else if (node.op === '^') {
          emit(Op.Binary, binary.push(math.pow) - 1, -1);
        } else {
          const op = { '+': Op.Add, '-': Op.Sub, '*': Op.Mul, '/': Op.Div }[node.op];
          emit(op, 0, -1);
        }
      }
    }
    return start;
  });
  return { code, consts, unary, binary, stackSize, paramCount };
}

/** Rewrite the argument code `a b c` at `starts` into `a b f c f` (a left fold of binary `f`). */
function reorderFoldLeft(code: number[], starts: readonly number[], f: number): void {
  const pieces = starts.map((s, i) => code.slice(s, starts[i + 1] ?? code.length));
  code.length = starts[0]!;
  pieces.forEach((piece, i) => {
    for (const word of piece) code.push(word);
    if (i > 0) code.push(Op.Binary, f);
  });
}

/**
 * Return a function that evaluates `expr` at parameter values `x`, exactly like
 * `evaluateExpression(expr, x, math)` but compiled once: use it to evaluate many points.
 */
export function expressionEvaluator(
  expr: ParsedExpression | Root,
  math: MathTable = JS_MATH,
): (x: ArrayLike<number>) => number {
  const root = 'root' in expr ? expr.root : expr;
  const { code, consts, unary, binary, stackSize, paramCount } = compileProgram(root, math);
  const stack = new Float64Array(stackSize);
  return (x) => {
    if (x.length < paramCount) tooFewValues(paramCount, x.length);
    let sp = 0;
    for (let pc = 0; pc < code.length; pc += 2) {
      const arg = code[pc + 1]!;
      switch (code[pc]) {
        case Op.Const: stack[sp++] = consts[arg]!; break;
        case Op.Param: stack[sp++] = +x[arg]!; break;
        case Op.Neg: stack[sp - 1] = -stack[sp - 1]!; break;
        case Op.Add: sp--; stack[sp - 1] = stack[sp - 1]! + stack[sp]!; break;
        case Op.Sub: sp--; stack[sp - 1] = stack[sp - 1]! - stack[sp]!; break;
        case Op.Mul: sp--; stack[sp - 1] = stack[sp - 1]! * stack[sp]!; break;
        case Op.Div: sp--; stack[sp - 1] = stack[sp - 1]! / stack[sp]!; break;
        case Op.Swap: { const t = stack[sp - 1]!; stack[sp - 1] = stack[sp - 2]!; stack[sp - 2] = t; break; }
        case Op.One: stack[sp - 1] = 1; break;
        case Op.Square: stack[sp - 1] = stack[sp - 1]! * stack[sp - 1]!; break;
        case Op.Reciprocal: stack[sp - 1] = 1 / stack[sp - 1]!; break;
        case Op.Unary: stack[sp - 1] = unary[arg]!(stack[sp - 1]!); break;
        case Op.Binary: sp--; stack[sp - 1] = binary[arg]!(stack[sp - 1]!, stack[sp]!); break;
      }
    }
    return stack[0]!;
  };
}

function tooFewValues(wanted: number, got: number): never {
  throw new RoseError(
    'invalid-value',
    formatMessage(
      `the expression reads ${wanted} parameter value(s), got ${got}`,
      'expressionEvaluator',
      'Pass one number per parameter, in the order of the parameter list',
    ),
  );
}
