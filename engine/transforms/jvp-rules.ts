/**
 * @file Per-primitive JVP rules. A rule receives the primal operands `x`, `y`, their tangents
 * `dx`, `dy` (a tangent var or `ZERO`, the symbolic zero) and the already emitted primal result
 * `z`, and emits the tangent of `z`. Rules only run when some operand tangent is nonzero, and
 * never emit arithmetic on a `ZERO`. Tangents always sit on the LEFT of `mul`/`div`, the only
 * shapes `prims.ts` allows (`LINEAR_PRIMS`), so the output stays linear in the tangents.
 */
import type { DenseBuilder } from '../ir/dense-builder.ts';
import { PRIM_OP } from '../ir/dense.ts';
import { PRIM_NAMES, lookupOf, type Prim } from '../ir/prims.ts';
import { BOOL, REAL, TAN, type Var } from '../ir/types.ts';

/** A tangent: a `tan` variable, or `ZERO` when it is statically zero. */
export type Tangent = Var;
/** The symbolic zero tangent (never a valid variable). */
export const ZERO: Tangent = -1;

/** What the rules emit with: methods both builders (object and dense IR) have. */
export type RuleEmitter = Pick<DenseBuilder, 'emitOp' | 'real' | 'zero' | 'select'>;

/** Emit the tangent of `z = prim(x, y)`; `y`/`dy` are `-1`/`ZERO` for unary primitives. */
export type JvpRule = (
  b: RuleEmitter,
  z: Var,
  x: Var,
  dx: Tangent,
  y: Var,
  dy: Tangent,
) => Tangent;

// ----- emitters with known result types (skip the builder's generic type inference) ----------

/** Emit a real-valued primitive of one operand (by its opcode: see `PRIM_OP`). */
function r1(b: RuleEmitter, op: number, x: Var): Var {
  return b.emitOp(op, x, -1, REAL);
}
/** Emit a real-valued primitive of two operands. */
function r2(b: RuleEmitter, op: number, x: Var, y: Var): Var {
  return b.emitOp(op, x, y, REAL);
}
/** Emit a comparison. */
function cmp(b: RuleEmitter, op: number, x: Var, y: Var): Var {
  return b.emitOp(op, x, y, BOOL);
}
/** Emit `dt * r` (ZERO stays ZERO). */
function tmul(b: RuleEmitter, dt: Tangent, r: Var): Tangent {
  return dt === ZERO ? ZERO : b.emitOp(PRIM_OP.mul, dt, r, TAN);
}
/** Emit `dt / r` (ZERO stays ZERO). */
function tdiv(b: RuleEmitter, dt: Tangent, r: Var): Tangent {
  return dt === ZERO ? ZERO : b.emitOp(PRIM_OP.div, dt, r, TAN);
}
/** Emit `-dt` (ZERO stays ZERO). */
function tneg(b: RuleEmitter, dt: Tangent): Tangent {
  return dt === ZERO ? ZERO : b.emitOp(PRIM_OP.neg, dt, -1, TAN);
}
/** Emit `da + db`, skipping a ZERO side. */
function tadd(b: RuleEmitter, da: Tangent, db: Tangent): Tangent {
  if (da === ZERO) return db;
  if (db === ZERO) return da;
  return b.emitOp(PRIM_OP.add, da, db, TAN);
}
/** Emit `da - db`, skipping a ZERO side. */
function tsub(b: RuleEmitter, da: Tangent, db: Tangent): Tangent {
  if (db === ZERO) return da;
  if (da === ZERO) return tneg(b, db);
  return b.emitOp(PRIM_OP.sub, da, db, TAN);
}
/** Emit `cond ? da : db` on tangents, materializing a ZERO side. */
function tselect(b: RuleEmitter, cond: Var, da: Tangent, db: Tangent): Tangent {
  const zero = da === ZERO || db === ZERO ? b.zero(TAN) : ZERO;
  return b.select(cond, da === ZERO ? zero : da, db === ZERO ? zero : db);
}
/** Emit `1 + s * (t * t)` with sign `s` = +1 or -1: the common `1 ± x²` factor. */
function onePlusSq(b: RuleEmitter, t: Var, sign: 1 | -1): Var {
  const sq = r2(b, PRIM_OP.mul, t, t);
  return r2(b, sign > 0 ? PRIM_OP.add : PRIM_OP.sub, b.real(1), sq);
}

/** The rule of primitives whose derivative is zero wherever it exists (or that are not real). */
const zeroRule: JvpRule = () => ZERO;

/** Emit `dx * sqrt(1 - x*x)⁻¹`, shared by asin and acos. */
function asinTangent(b: RuleEmitter, x: Var, dx: Tangent): Tangent {
  return tdiv(b, dx, r1(b, PRIM_OP.sqrt, onePlusSq(b, x, -1)));
}

/** The JVP rule of every primitive. */
export const JVP_RULES: { [P in Prim]: JvpRule } = {
  // d(-x) = -dx
  neg: (b, _z, _x, dx) => tneg(b, dx),
  // d|x| = sign(x) dx
  abs: (b, _z, x, dx) => tmul(b, dx, r1(b, PRIM_OP.sign, x)),
  // piecewise constant: d = 0
  sign: zeroRule,
  ceil: zeroRule,
  floor: zeroRule,
  trunc: zeroRule,
  // d(sqrt x) = dx / (2 sqrt x)
  sqrt: (b, z, _x, dx) => tdiv(b, dx, r2(b, PRIM_OP.add, z, z)),
  // d(exp x) = exp(x) dx
  exp: (b, z, _x, dx) => tmul(b, dx, z),
  // d(log x) = dx / x
  log: (b, _z, x, dx) => tdiv(b, dx, x),
  // d(sin x) = cos(x) dx
  sin: (b, _z, x, dx) => tmul(b, dx, r1(b, PRIM_OP.cos, x)),
  // d(cos x) = -sin(x) dx
  cos: (b, _z, x, dx) => tmul(b, dx, r1(b, PRIM_OP.neg, r1(b, PRIM_OP.sin, x))),
  // d(tan x) = (1 + tan²x) dx
  tan: (b, z, _x, dx) => tmul(b, dx, onePlusSq(b, z, 1)),
  // d(asin x) = dx / sqrt(1 - x²)
  asin: (b, _z, x, dx) => asinTangent(b, x, dx),
  // d(acos x) = -dx / sqrt(1 - x²)
  acos: (b, _z, x, dx) => tneg(b, asinTangent(b, x, dx)),
  // d(atan x) = dx / (1 + x²)
  atan: (b, _z, x, dx) => tdiv(b, dx, onePlusSq(b, x, 1)),
  // d(sinh x) = cosh(x) dx
  sinh: (b, _z, x, dx) => tmul(b, dx, r1(b, PRIM_OP.cosh, x)),
  // d(cosh x) = sinh(x) dx
  cosh: (b, _z, x, dx) => tmul(b, dx, r1(b, PRIM_OP.sinh, x)),
  // d(tanh x) = (1 - tanh²x) dx
  tanh: (b, z, _x, dx) => tmul(b, dx, onePlusSq(b, z, -1)),
  // d(log1p x) = dx / (1 + x)
  log1p: (b, _z, x, dx) => tdiv(b, dx, r2(b, PRIM_OP.add, b.real(1), x)),
  // d(expm1 x) = (expm1(x) + 1) dx
  expm1: (b, z, _x, dx) => tmul(b, dx, r2(b, PRIM_OP.add, z, b.real(1))),
  // d(cbrt x) = dx / (3 cbrt(x)²)
  cbrt: (b, z, _x, dx) => tdiv(b, dx, r2(b, PRIM_OP.mul, r2(b, PRIM_OP.mul, b.real(3), z), z)),
  // d(x + y) = dx + dy
  add: (b, _z, _x, dx, _y, dy) => tadd(b, dx, dy),
  // d(x - y) = dx - dy
  sub: (b, _z, _x, dx, _y, dy) => tsub(b, dx, dy),
  // d(x y) = dx y + dy x; a square d(x x) = dx (x + x): one product, one cotangent add
  mul: (b, _z, x, dx, y, dy) =>
    x === y ? tmul(b, dx, r2(b, PRIM_OP.add, x, x)) : tadd(b, tmul(b, dx, y), tmul(b, dy, x)),
  // d(x / y) = dx / y - dy (z / y)
  div: (b, z, _x, dx, y, dy) =>
    tsub(b, tdiv(b, dx, y), dy === ZERO ? ZERO : tmul(b, dy, r2(b, PRIM_OP.div, z, y))),
  // d atan2(y, x) = (dy x - dx y) / (x² + y²); here the first operand `x` is atan2's y
  atan2: (b, _z, x, dx, y, dy) => {
    const den = r2(b, PRIM_OP.add, r2(b, PRIM_OP.mul, x, x), r2(b, PRIM_OP.mul, y, y));
    return tdiv(b, tsub(b, tmul(b, dx, y), tmul(b, dy, x)), den);
  },
  // d(x^y) = dx y x^(y-1) + dy (x > 0 ? x^y log x : 0)
  pow: (b, z, x, dx, y, dy) => {
    let dz = ZERO;
    if (dx !== ZERO) {
      const xPow = r2(b, PRIM_OP.pow, x, r2(b, PRIM_OP.sub, y, b.real(1)));
      dz = tmul(b, dx, r2(b, PRIM_OP.mul, y, xPow));
    }
    if (dy === ZERO) return dz;
    const pos = cmp(b, PRIM_OP.gt, x, b.real(0));
    const zLog = r2(b, PRIM_OP.mul, z, r1(b, PRIM_OP.log, x));
    const factor = b.select(pos, zLog, b.real(0));
    return tadd(b, dz, tmul(b, dy, factor));
  },
  // d hypot(x, y) = (dx x + dy y) / h, and 0 at h = 0 (where x = y = 0 makes the numerator 0)
  hypot: (b, z, x, dx, y, dy) => {
    const safe = b.select(cmp(b, PRIM_OP.eq, z, b.real(0)), b.real(1), z);
    return tdiv(b, tadd(b, tmul(b, dx, x), tmul(b, dy, y)), safe);
  },
  // d min(x, y) = y < x ? dy : dx (ties take x)
  min: (b, _z, x, dx, y, dy) => tselect(b, cmp(b, PRIM_OP.lt, y, x), dy, dx),
  // d max(x, y) = y > x ? dy : dx (ties take x)
  max: (b, _z, x, dx, y, dy) => tselect(b, cmp(b, PRIM_OP.gt, y, x), dy, dx),
  // booleans, indices: no tangent
  eq: zeroRule,
  neq: zeroRule,
  lt: zeroRule,
  leq: zeroRule,
  gt: zeroRule,
  geq: zeroRule,
  not: zeroRule,
  and: zeroRule,
  or: zeroRule,
  iff: zeroRule,
  xor: zeroRule,
  ieq: zeroRule,
  ineq: zeroRule,
  ilt: zeroRule,
  ileq: zeroRule,
  igt: zeroRule,
  igeq: zeroRule,
  iadd: zeroRule,
  imod: zeroRule,
  // argmax/argmin return an index: no tangent
  argmax: zeroRule,
  argmin: zeroRule,
};

/** A primitive's opcode and JVP rule (see `PRIM_JVP`). */
export interface PrimJvp {
  readonly op: number;
  readonly rule: JvpRule;
}

/** Per primitive, its opcode and JVP rule: one lookup by a varying name (see `lookupOf`). */
export const PRIM_JVP: ReadonlyMap<Prim, PrimJvp> = lookupOf(
  Object.fromEntries(PRIM_NAMES.map((p) => [p, { op: PRIM_OP[p], rule: JVP_RULES[p] }])) as Record<Prim, PrimJvp>,
);
