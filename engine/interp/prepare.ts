/**
 * @file Lowering of IR functions to the interpreter's compact form, done once per function and
 * cached. Each block becomes an `Int32Array` of fixed-size instructions `[op, dst, a, b, c]`
 * (operands are variable ids or small constants) plus a side table for anything that is not an
 * integer (literal values, types, var lists, callees, loop bodies). The interpreter's inner loop
 * then reads only typed-array slots and dispatches on a dense integer opcode.
 */
import { internal } from '../errors.ts';
import { lookupOf, type Prim } from '../ir/prims.ts';
import {
  primOperands,
  varCount,
  varTy,
  type Block,
  type Expr,
  type Func,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';
import { zeroOf, type Val } from './values.ts';

/** Opcodes of the compact form: one per primitive behaviour, then one per structural kind. */
export const Op = {
  // real -> real
  Neg: 0,
  Abs: 1,
  Sign: 2,
  Ceil: 3,
  Floor: 4,
  Trunc: 5,
  Sqrt: 6,
  Exp: 7,
  Log: 8,
  Sin: 9,
  Cos: 10,
  Tan: 11,
  Asin: 12,
  Acos: 13,
  Atan: 14,
  Sinh: 15,
  Cosh: 16,
  Tanh: 17,
  Log1p: 18,
  Expm1: 19,
  Cbrt: 20,
  // (real, real) -> real; `Add` is also `iadd` (plain integer addition)
  Add: 21,
  Sub: 22,
  Mul: 23,
  Div: 24,
  Atan2: 25,
  Pow: 26,
  Hypot: 27,
  Min: 28,
  Max: 29,
  // comparisons of numbers or booleans (real, index, and `iff`/`xor` on bools)
  Eq: 30,
  Neq: 31,
  Lt: 32,
  Leq: 33,
  Gt: 34,
  Geq: 35,
  // bool
  Not: 36,
  And: 37,
  Or: 38,
  // index / reductions
  IMod: 39,
  Argmax: 40,
  Argmin: 41,
  // structural
  Lit: 42,
  Zero: 43,
  Vec: 44,
  Struct: 45,
  Index: 46,
  Member: 47,
  Slice: 48,
  Field: 49,
  Select: 50,
  Call: 51,
  CallOpaque: 52,
  For: 53,
  Accum: 54,
  Add_: 55,
  Resolve: 56,
  Cond: 57,
} as const;

/** The opcode that implements each primitive (index comparisons are unsigned = plain numbers). */
const PRIM_OP: { [P in Prim]: number } = {
  neg: Op.Neg,
  abs: Op.Abs,
  sign: Op.Sign,
  ceil: Op.Ceil,
  floor: Op.Floor,
  trunc: Op.Trunc,
  sqrt: Op.Sqrt,
  exp: Op.Exp,
  log: Op.Log,
  sin: Op.Sin,
  cos: Op.Cos,
  tan: Op.Tan,
  asin: Op.Asin,
  acos: Op.Acos,
  atan: Op.Atan,
  sinh: Op.Sinh,
  cosh: Op.Cosh,
  tanh: Op.Tanh,
  log1p: Op.Log1p,
  expm1: Op.Expm1,
  cbrt: Op.Cbrt,
  add: Op.Add,
  sub: Op.Sub,
  mul: Op.Mul,
  div: Op.Div,
  atan2: Op.Atan2,
  pow: Op.Pow,
  hypot: Op.Hypot,
  min: Op.Min,
  max: Op.Max,
  eq: Op.Eq,
  neq: Op.Neq,
  lt: Op.Lt,
  leq: Op.Leq,
  gt: Op.Gt,
  geq: Op.Geq,
  not: Op.Not,
  and: Op.And,
  or: Op.Or,
  iff: Op.Eq, // bool equality
  xor: Op.Neq, // bool inequality
  ieq: Op.Eq,
  ineq: Op.Neq,
  ilt: Op.Lt,
  ileq: Op.Leq,
  igt: Op.Gt,
  igeq: Op.Geq,
  iadd: Op.Add, // no wraparound
  imod: Op.IMod,
  argmax: Op.Argmax,
  argmin: Op.Argmin,
};

/** `PRIM_OP` as a lookup (see `lookupOf`). */
const PRIM_OP_OF = lookupOf(PRIM_OP);

/** Slots per instruction in `Code.ops`: `[op, dst, a, b, c]`. */
export const STRIDE = 5;

/** One lowered block: instructions and their side table. */
export interface Code {
  readonly ops: Int32Array;
  readonly side: readonly unknown[];
}

/** Side-table entry of a `call`: the callee (prepared lazily) and the argument variables. */
export interface CallInfo {
  readonly func: Func;
  readonly args: Int32Array;
  prepared: Prepared | null;
}

/** Side-table entry of a `for`: the loop's size, index variable, element variable and body. */
export interface LoopInfo {
  readonly n: number;
  readonly index: Var;
  readonly ret: Var;
  readonly body: Code;
}

/** Side-table entry of a `cond`: each block with the variable holding its result. */
export interface CondInfo {
  readonly then: Code;
  readonly thenRet: Var;
  readonly els: Code;
  readonly elsRet: Var;
}

/** A transparent function ready to run. */
export interface Prepared {
  readonly func: TransparentFunc;
  /** `function NAME`, for error messages. */
  readonly where: string;
  readonly nvars: number;
  readonly params: Int32Array;
  readonly ret: Var;
  readonly body: Code;
}

const cache = new WeakMap<TransparentFunc, Prepared>();

/** Return the prepared form of `f`, lowering it on first use. */
export function prepare(f: TransparentFunc): Prepared {
  let p = cache.get(f);
  if (p === undefined) {
    p = {
      func: f,
      where: `function ${f.name}`,
      nvars: varCount(f),
      params: Int32Array.from(f.params),
      ret: f.ret,
      body: lowerBlock(f, f.body),
    };
    cache.set(f, p);
  }
  return p;
}

/** Lower one block of `f`. */
function lowerBlock(f: TransparentFunc, block: Block): Code {
  const ops = new Int32Array(block.length * STRIDE);
  const side: unknown[] = [];
  for (let k = 0; k < block.length; k++) {
    const { var: dst, expr } = block[k]!;
    const [op, a, b, c] = lowerExpr(f, dst, expr, side);
    const at = k * STRIDE;
    ops[at] = op;
    ops[at + 1] = dst;
    ops[at + 2] = a;
    ops[at + 3] = b;
    ops[at + 4] = c;
  }
  return { ops, side };
}

/** Return `[op, a, b, c]` for `dst = expr`, pushing non-integer operands onto `side`. */
function lowerExpr(
  f: TransparentFunc,
  dst: Var,
  expr: Expr,
  side: unknown[],
): [number, number, number, number] {
  const put = (x: unknown): number => side.push(x) - 1;
  const ty = (v: Var): Ty => varTy(f, v) ?? internal(`variable %${v} has no type in ${f.name}`);
  switch (expr.kind) {
    case 'lit':
      return [Op.Lit, put(expr.value satisfies Val), 0, 0];
    case 'zero': {
      const t = ty(dst);
      // scalar zeros are immutable, so they can be literals; aggregates are built fresh each time
      if (t.kind !== 'vec' && t.kind !== 'struct') return [Op.Lit, put(zeroOf(t)), 0, 0];
      return [Op.Zero, put(t), 0, 0];
    }
    case 'vec':
      return [Op.Vec, put(Int32Array.from(expr.elems)), 0, 0];
    case 'struct':
      return [Op.Struct, put(Int32Array.from(expr.members)), 0, 0];
    case 'index':
      return [Op.Index, expr.vec, expr.index, 0];
    case 'member':
      return [Op.Member, expr.struct, expr.member, 0];
    case 'slice':
      return [Op.Slice, expr.ref, expr.index, put(refInner(ty(dst), f))];
    case 'field':
      return [Op.Field, expr.ref, expr.member, put(refInner(ty(dst), f))];
    case 'prim':
      return lowerPrim(f, dst, expr.prim, primOperands(expr));
    case 'select':
      return [Op.Select, expr.cond, expr.then, expr.els];
    case 'call': {
      const info: CallInfo = { func: expr.func, args: Int32Array.from(expr.args), prepared: null };
      return [expr.func.kind === 'opaque' ? Op.CallOpaque : Op.Call, put(info), 0, 0];
    }
    case 'for': {
      const it = ty(expr.index);
      if (it.kind !== 'fin') internal(`loop index %${expr.index} is not an index in ${f.name}`);
      const loop: LoopInfo = {
        n: it.size,
        index: expr.index,
        ret: expr.ret,
        body: lowerBlock(f, expr.body),
      };
      return [Op.For, put(loop), 0, 0];
    }
    case 'cond': {
      const info: CondInfo = {
        then: lowerBlock(f, expr.then),
        thenRet: expr.thenRet,
        els: lowerBlock(f, expr.els),
        elsRet: expr.elsRet,
      };
      return [Op.Cond, expr.cond, put(info), 0];
    }
    case 'accum':
      return [Op.Accum, expr.shape, put(ty(expr.shape)), 0];
    case 'add':
      return [Op.Add_, expr.ref, expr.addend, 0];
    case 'resolve':
      return [Op.Resolve, expr.ref, 0, 0];
  }
}

/** Return `[op, a, b, c]` for a primitive; `imod` carries its modulus (result size) in `b`. */
function lowerPrim(
  f: TransparentFunc,
  dst: Var,
  prim: Prim,
  args: readonly Var[],
): [number, number, number, number] {
  const op = PRIM_OP_OF.get(prim)!;
  if (op === Op.IMod) {
    const t = varTy(f, dst);
    if (t?.kind !== 'fin') internal(`imod result %${dst} is not an index in ${f.name}`);
    return [op, args[0]!, t.size, 0];
  }
  return [op, args[0]!, args[1] ?? 0, 0];
}

/** Return the inner type of a ref type. */
function refInner(t: Ty, f: TransparentFunc): Ty {
  if (t.kind !== 'ref') internal(`expected a ref type, got ${t.kind} in ${f.name}`);
  return t.inner;
}
