/**
 * @file Operations a body may call: arithmetic and math on reals (and tangents where linear),
 * comparisons, boolean logic, index arithmetic and comparison, `select` and `zero`. Each emits
 * one instruction into the current trace. Literal numbers are reals (as in Rose: only `zero()`
 * and declared `Tan` positions make tangent literals).
 */
import { RoseError, formatMessage } from '../errors.ts';
import {
  PRIMS,
  PRIM_NAMES,
  linearShape,
  lookupOf,
  primResultType,
  type Prim,
} from '../ir/prims.ts';
import { BOOL, REAL, TAN, type Ty, type Var } from '../ir/types.ts';
import { getCtx, type TraceContext } from './context.ts';
import {
  describe,
  showTy,
  toTy,
  type Bool,
  type Nat,
  type Nats,
  type Real,
  type Symbolic,
  type Tan,
  type Value,
} from './types.ts';
import { checkNat, fin, scalar, symbolic, symbolicVar, traceError, valId } from './values.ts';

/**
 * Return the variable of an operand of `prim`: a symbolic value as is, a literal at type `lit`.
 * The ops on reals or tangents (`neg`, `add`, `sub`, `mul`, `div`) take only numbers as
 * literals; for another literal Rose says `invalid value`, not what the type expected.
 */
function operand(ctx: TraceContext, x: unknown, lit: Ty, where: string, prim: Prim): Var {
  const v = symbolicVar(ctx, x, where);
  if (v !== undefined) return v;
  if (typeof x !== 'number' && linearShape(prim) !== undefined)
    throw traceError(
      'invalid-value',
      'invalid value',
      `${describe(x)} where a number was expected`,
      where,
      `${prim} takes reals (or tangents): numbers or symbolic values`,
    );
  return valId(ctx, lit, x, where);
}

/** What an operation needs to know of its primitive, made once per primitive. */
interface OpInfo {
  /** Where the primitive is used, for error messages. */
  readonly where: string;
  /** Its result type on reals only (undefined when that is not valid). */
  readonly onReals: Ty | undefined;
}

/** The `OpInfo` of each primitive (see `lookupOf`). */
const OP_INFO = lookupOf(
  Object.fromEntries(
    PRIM_NAMES.map((p) => {
      const t = primResultType(p, PRIMS[p].arity === 1 ? [REAL] : [REAL, REAL]);
      return [p, { where: `${p}(...)`, onReals: typeof t === 'string' ? undefined : t }];
    }),
  ) as Record<Prim, OpInfo>,
);

/** Emit `prim` on `args` (literals typed `lit`) and return the symbolic result. */
export function primOp(prim: Prim, args: readonly unknown[], lit: Ty = REAL): unknown {
  const info = OP_INFO.get(prim)!;
  const where = info.where;
  const ctx = getCtx(where);
  const n = args.length;
  const vars: Var[] =
    n === 1
      ? [operand(ctx, args[0], lit, where, prim)]
      : n === 2
        ? [operand(ctx, args[0], lit, where, prim), operand(ctx, args[1], lit, where, prim)]
        : args.map((x) => operand(ctx, x, lit, where, prim));
  const b = ctx.b;
  // fast path: reals only (the usual case), typed by the table made from `primResultType`
  const real =
    n > 0 && b.typeOf(vars[0]!) === REAL && (n === 1 || (n === 2 && b.typeOf(vars[1]!) === REAL));
  const fast = real && n === PRIMS[prim].arity ? info.onReals : undefined;
  const y = n > 1 ? vars[1]! : -1;
  if (fast !== undefined) return symbolic(ctx, b.emitPrim(prim, vars[0]!, y, fast));
  const types = vars.map((v) => b.typeOf(v));
  const t = primResultType(prim, types);
  if (typeof t === 'string') throw operandError(prim, types, where);
  return symbolic(ctx, b.emitPrim(prim, vars[0]!, y, t));
}

/**
 * Return the error for operands of types `types` that do not fit `prim`, with Rose's message:
 * Rose checks the operands of its ops on reals or on tangents (`neg`, `add`, `sub`, `mul`, `div`)
 * together (`arg has invalid type`, `left and right have invalid types`), and those of the
 * others against their one operand type (`variable type mismatch`).
 */
function operandError(prim: Prim, types: readonly Ty[], where: string): RoseError {
  const got = `${prim} got ${types.map(showTy).join(' and ')}`;
  const hint = linearHint(prim, types);
  if (linearShape(prim) !== undefined || PRIMS[prim].family.startsWith('index')) {
    const rose = types.length === 1 ? 'arg has invalid type' : 'left and right have invalid types';
    return traceError('type-mismatch', rose, got, where, hint);
  }
  const want = PRIMS[prim].family === 'logic' ? 'Bool' : 'Real';
  const detail = `${got}, expected ${want}`;
  return traceError('type-mismatch', 'variable type mismatch', detail, where, hint);
}

/** Return a hint for tangent misuse, the usual cause of operand mismatches. */
function linearHint(prim: Prim, types: readonly Ty[]): string | undefined {
  if (!types.some((t) => t.kind === 'tan')) return undefined;
  if (prim === 'mul' || prim === 'div')
    return 'A tangent may only be multiplied or divided by a Real, with the tangent on the left';
  return 'Tangents combine only with tangents (add, sub, neg); use zero() for a zero tangent';
}

// ---------------------------------------------------------------------------------------------
// Reals (Rose's own)

/** Emit unary `prim` on `x` (a literal is a real) and return the symbolic result. */
function unary(prim: Prim, x: unknown): unknown {
  const info = OP_INFO.get(prim)!;
  const where = info.where;
  const ctx = getCtx(where);
  const v = operand(ctx, x, REAL, where, prim);
  const fast = ctx.b.typeOf(v) === REAL ? info.onReals : undefined;
  if (fast === undefined) return primOp(prim, [x]);
  return scalar(ctx, ctx.b.emitPrim(prim, v, -1, fast));
}

/** Emit binary `prim` on `x` and `y` (literals are reals) and return the symbolic result. */
function binary(prim: Prim, x: unknown, y: unknown): unknown {
  const info = OP_INFO.get(prim)!;
  const where = info.where;
  const ctx = getCtx(where);
  const b = ctx.b;
  const vx = operand(ctx, x, REAL, where, prim);
  const vy = operand(ctx, y, REAL, where, prim);
  const fast = b.typeOf(vx) === REAL && b.typeOf(vy) === REAL ? info.onReals : undefined;
  if (fast === undefined) return primOp(prim, [x, y]);
  return scalar(ctx, b.emitPrim(prim, vx, vy, fast));
}

/** Return `-x` (also for tangents). */
export function neg(x: Real): Real;
export function neg(x: Tan): Tan;
export function neg(x: Real): Real {
  return unary('neg', x) as Real;
}
/** Return `x + y` (reals, or two tangents). */
export function add(x: Real, y: Real): Real {
  return binary('add', x, y) as Real;
}
/** Return `x - y` (reals, or two tangents). */
export function sub(x: Real, y: Real): Real {
  return binary('sub', x, y) as Real;
}
/** Return `x * y` (reals, or a tangent times a real). */
export function mul(x: Real, y: Real): Real {
  return binary('mul', x, y) as Real;
}
/** Return `x / y` (reals, or a tangent divided by a real). */
export function div(x: Real, y: Real): Real {
  return binary('div', x, y) as Real;
}
/** Return `|x|`. */
export function abs(x: Real): Real {
  return unary('abs', x) as Real;
}
/** Return the signum of `x`: 1 for +0 and positives, -1 for -0 and negatives, NaN for NaN. */
export function sign(x: Real): Real {
  return unary('sign', x) as Real;
}
/** Return the smallest integer >= `x`. */
export function ceil(x: Real): Real {
  return unary('ceil', x) as Real;
}
/** Return the largest integer <= `x`. */
export function floor(x: Real): Real {
  return unary('floor', x) as Real;
}
/** Return `x` rounded towards zero. */
export function trunc(x: Real): Real {
  return unary('trunc', x) as Real;
}
/** Return the square root of `x`. */
export function sqrt(x: Real): Real {
  return unary('sqrt', x) as Real;
}

// ---------------------------------------------------------------------------------------------
// Math beyond Rose (interpreter semantics = Math.*)

/** Return e^x. */
export const exp = (x: Real): Real => unary('exp', x) as Real;
/** Return the natural logarithm of `x`. */
export const log = (x: Real): Real => unary('log', x) as Real;
/** Return the sine of `x`. */
export const sin = (x: Real): Real => unary('sin', x) as Real;
/** Return the cosine of `x`. */
export const cos = (x: Real): Real => unary('cos', x) as Real;
/** Return the tangent of `x`. */
export const tan = (x: Real): Real => unary('tan', x) as Real;
/** Return the arcsine of `x`. */
export const asin = (x: Real): Real => unary('asin', x) as Real;
/** Return the arccosine of `x`. */
export const acos = (x: Real): Real => unary('acos', x) as Real;
/** Return the arctangent of `x`. */
export const atan = (x: Real): Real => unary('atan', x) as Real;
/** Return the hyperbolic sine of `x`. */
export const sinh = (x: Real): Real => unary('sinh', x) as Real;
/** Return the hyperbolic cosine of `x`. */
export const cosh = (x: Real): Real => unary('cosh', x) as Real;
/** Return the hyperbolic tangent of `x`. */
export const tanh = (x: Real): Real => unary('tanh', x) as Real;
/** Return ln(1 + x), accurate near 0. */
export const log1p = (x: Real): Real => unary('log1p', x) as Real;
/** Return e^x - 1, accurate near 0. */
export const expm1 = (x: Real): Real => unary('expm1', x) as Real;
/** Return the cube root of `x`. */
export const cbrt = (x: Real): Real => unary('cbrt', x) as Real;
/** Return the angle of the point (x, y): atan2(y, x). */
export const atan2 = (y: Real, x: Real): Real => binary('atan2', y, x) as Real;
/** Return x^y. */
export const pow = (x: Real, y: Real): Real => binary('pow', x, y) as Real;
/** Return sqrt(x^2 + y^2) without undue overflow. */
export const hypot = (x: Real, y: Real): Real => binary('hypot', x, y) as Real;

// ---------------------------------------------------------------------------------------------
// Comparisons and logic

/** Return `x != y`. */
export const neq = (x: Real, y: Real): Bool => binary('neq', x, y) as Bool;
/** Return `x < y`. */
export const lt = (x: Real, y: Real): Bool => binary('lt', x, y) as Bool;
/** Return `x <= y`. */
export const leq = (x: Real, y: Real): Bool => binary('leq', x, y) as Bool;
/** Return `x == y`. */
export const eq = (x: Real, y: Real): Bool => binary('eq', x, y) as Bool;
/** Return `x > y`. */
export const gt = (x: Real, y: Real): Bool => binary('gt', x, y) as Bool;
/** Return `x >= y`. */
export const geq = (x: Real, y: Real): Bool => binary('geq', x, y) as Bool;
/** Return the negation of `p`. */
export const not = (p: Bool): Bool => primOp('not', [p], BOOL) as Bool;
/** Return `p && q` (both sides are always computed). */
export const and = (p: Bool, q: Bool): Bool => primOp('and', [p, q], BOOL) as Bool;
/** Return `p || q` (both sides are always computed). */
export const or = (p: Bool, q: Bool): Bool => primOp('or', [p, q], BOOL) as Bool;
/** Return `p == q`. */
export const iff = (p: Bool, q: Bool): Bool => primOp('iff', [p, q], BOOL) as Bool;
/** Return `p != q`. */
export const xor = (p: Bool, q: Bool): Bool => primOp('xor', [p, q], BOOL) as Bool;

// ---------------------------------------------------------------------------------------------
// Index values

/** Return the size of index type `ty`, or throw `invalid-type`. */
export function indexSize(ty: unknown, where: string): number {
  const t = toTy(ty, where);
  if (t.kind !== 'fin')
    throw new RoseError(
      'invalid-type',
      formatMessage(
        `index type cannot be used as an index: ${showTy(t)} is not an index type`,
        where,
        'Pass the size n of the index type',
      ),
    );
  return t.size;
}

/** Emit an index comparison of `i` and `j`, both of index type `ty`. */
function icompare(prim: Prim, ty: Nats, i: Nat, j: Nat): Bool {
  const where = `${prim}(${ty}, ...)`;
  const ctx = getCtx(where);
  const t = fin(indexSize(ty, where));
  const vars = [valId(ctx, t, i, where), valId(ctx, t, j, where)];
  return symbolic(ctx, ctx.b.prim(prim, vars)) as Bool;
}

/** Return `i != j` for indices of type `ty`. */
export const ineq = (ty: Nats, i: Nat, j: Nat): Bool => icompare('ineq', ty, i, j);
/** Return `i < j` for indices of type `ty`. */
export const ilt = (ty: Nats, i: Nat, j: Nat): Bool => icompare('ilt', ty, i, j);
/** Return `i <= j` for indices of type `ty`. */
export const ileq = (ty: Nats, i: Nat, j: Nat): Bool => icompare('ileq', ty, i, j);
/** Return `i == j` for indices of type `ty`. */
export const ieq = (ty: Nats, i: Nat, j: Nat): Bool => icompare('ieq', ty, i, j);
/** Return `i > j` for indices of type `ty`. */
export const igt = (ty: Nats, i: Nat, j: Nat): Bool => icompare('igt', ty, i, j);
/** Return `i >= j` for indices of type `ty`. */
export const igeq = (ty: Nats, i: Nat, j: Nat): Bool => icompare('igeq', ty, i, j);

/** Return `i + j` for indices of type `ty` (no wraparound, as in Rose). */
export function iadd(ty: Nats, i: Nat, j: Nat): Nat {
  const where = `iadd(${ty}, ...)`;
  const ctx = getCtx(where);
  const t = fin(indexSize(ty, where));
  const vars = [valId(ctx, t, i, where), valId(ctx, t, j, where)];
  return symbolic(ctx, ctx.b.prim('iadd', vars)) as Nat;
}

/** Return `i mod ty` as an index of type `ty`; `i` is any index value (literals may exceed it). */
export function imod(ty: Nats, i: Nat): Nat {
  const where = `imod(${ty}, ...)`;
  const ctx = getCtx(where);
  const n = indexSize(ty, where);
  let iv = symbolicVar(ctx, i, where);
  if (iv === undefined) {
    if (typeof i !== 'number') return valId(ctx, fin(n), i, where) as never; // throws
    checkNat(i, where);
    iv = valId(ctx, fin(i + 1), i, where);
  }
  const it = ctx.b.typeOf(iv);
  if (it.kind !== 'fin')
    throw traceError('type-mismatch', 'arg has invalid type', `imod got ${showTy(it)}`, where);
  return symbolic(ctx, ctx.b.prim('imod', [iv], fin(n))) as Nat;
}

// ---------------------------------------------------------------------------------------------
// select and zero

/** Return `cond ? then : els` at type `ty`; both sides are already computed. */
export function select<const T>(cond: Bool, ty: T, then: Value<T>, els: Value<T>): Symbolic<T> {
  const where = 'select(...)';
  const ctx = getCtx(where);
  const t = toTy(ty, where);
  const c = valId(ctx, BOOL, cond, `the condition of ${where}`);
  const a = valId(ctx, t, then, `the then-value of ${where}`);
  const e = valId(ctx, t, els, `the else-value of ${where}`);
  return symbolic(ctx, ctx.b.select(c, a, e)) as Symbolic<T>;
}

/** Return the zero tangent. */
export function zero(): Tan {
  const where = 'zero()';
  const ctx = getCtx(where);
  return symbolic(ctx, valId(ctx, TAN, 0, where)) as Tan;
}
