/**
 * @file Per-primitive JVP rules. A rule receives the primal operands `x`, `y`, their tangents
 * `dx`, `dy` (a tangent var or `ZERO`, the symbolic zero) and the already emitted primal result
 * `z`, and emits the tangent of `z`. Rules only run when some operand tangent is nonzero, and
 * never emit arithmetic on a `ZERO`. Tangents always sit on the LEFT of `mul`/`div`, the only
 * shapes `prims.ts` allows (`LINEAR_PRIMS`), so the output stays linear in the tangents.
 */
import type { FuncBuilder } from '../ir/builder.ts';
import { lookupOf, type Prim } from '../ir/prims.ts';
import { BOOL, REAL, TAN, type Var } from '../ir/types.ts';

/** A tangent: a `tan` variable, or `ZERO` when it is statically zero. */
export type Tangent = Var;
/** The symbolic zero tangent (never a valid variable). */
export const ZERO: Tangent = -1;

/** Emit the tangent of `z = prim(x, y)`; `y`/`dy` are `-1`/`ZERO` for unary primitives. */
export type JvpRule = (
  b: FuncBuilder,
  z: Var,
  x: Var,
  dx: Tangent,
  y: Var,
  dy: Tangent,
) => Tangent;

// ----- emitters with known result types (skip the builder's generic type inference) ----------

/** Emit a real-valued primitive of one operand. */
function r1(b: FuncBuilder, prim: Prim, x: Var): Var {
  return b.emitPrim(prim, x, -1, REAL);
}
/** Emit a real-valued primitive of two operands. */
function r2(b: FuncBuilder, prim: Prim, x: Var, y: Var): Var {
  return b.emitPrim(prim, x, y, REAL);
}
/** Emit a comparison. */
function cmp(b: FuncBuilder, prim: Prim, x: Var, y: Var): Var {
  return b.emitPrim(prim, x, y, BOOL);
}
/** Emit `dt * r` (ZERO stays ZERO). */
function tmul(b: FuncBuilder, dt: Tangent, r: Var): Tangent {
  return dt === ZERO ? ZERO : b.emitPrim('mul', dt, r, TAN);
}
/** Emit `dt / r` (ZERO stays ZERO). */
function tdiv(b: FuncBuilder, dt: Tangent, r: Var): Tangent {
  return dt === ZERO ? ZERO : b.emitPrim('div', dt, r, TAN);
}
/** Emit `-dt` (ZERO stays ZERO). */
function tneg(b: FuncBuilder, dt: Tangent): Tangent {
  return dt === ZERO ? ZERO : b.emitPrim('neg', dt, -1, TAN);
}
/** Emit `da + db`, skipping a ZERO side. */
function tadd(b: FuncBuilder, da: Tangent, db: Tangent): Tangent {
  if (da === ZERO) return db;
  if (db === ZERO) return da;
  return b.emitPrim('add', da, db, TAN);
}
/** Emit `da - db`, skipping a ZERO side. */
function tsub(b: FuncBuilder, da: Tangent, db: Tangent): Tangent {
  if (db === ZERO) return da;
  if (da === ZERO) return tneg(b, db);
  return b.emitPrim('sub', da, db, TAN);
}
/** Emit `cond ? da : db` on tangents, materializing a ZERO side. */
function tselect(b: FuncBuilder, cond: Var, da: Tangent, db: Tangent): Tangent {
  const zero = da === ZERO || db === ZERO ? b.zero(TAN) : ZERO;
  return b.emit(
    { kind: 'select', cond, then: da === ZERO ? zero : da, els: db === ZERO ? zero : db },
    TAN,
  );
}
/** Emit `1 + s * (t * t)` with sign `s` = +1 or -1: the common `1 ± x²` factor. */
function onePlusSq(b: FuncBuilder, t: Var, sign: 1 | -1): Var {
  const sq = r2(b, 'mul', t, t);
  return r2(b, sign > 0 ? 'add' : 'sub', b.real(1), sq);
}

/** The rule of primitives whose derivative is zero wherever it exists (or that are not real). */
const zeroRule: JvpRule = () => ZERO;

/** Emit `dx * sqrt(1 - x*x)⁻¹`, shared by asin and acos. */
function asinTangent(b: FuncBuilder, x: Var, dx: Tangent): Tangent {
  return tdiv(b, dx, r1(b, 'sqrt', onePlusSq(b, x, -1)));
}

/** The JVP rule of every primitive. */
export const JVP_RULES: { [P in Prim]: JvpRule } = {
  // d(-x) = -dx
  neg: (b, _z, _x, dx) => tneg(b, dx),
  // d|x| = sign(x) dx
  abs: (b, _z, x, dx) => tmul(b, dx, r1(b, 'sign', x)),
  // piecewise constant: d = 0
  sign: zeroRule,
  ceil: zeroRule,
  floor: zeroRule,
  trunc: zeroRule,
  // d(sqrt x) = dx / (2 sqrt x)
  sqrt: (b, z, _x, dx) => tdiv(b, dx, r2(b, 'add', z, z)),
  // d(exp x) = exp(x) dx
  exp: (b, z, _x, dx) => tmul(b, dx, z),
  // d(log x) = dx / x
  log: (b, _z, x, dx) => tdiv(b, dx, x),
  // d(sin x) = cos(x) dx
  sin: (b, _z, x, dx) => tmul(b, dx, r1(b, 'cos', x)),
  // d(cos x) = -sin(x) dx
  cos: (b, _z, x, dx) => tmul(b, dx, r1(b, 'neg', r1(b, 'sin', x))),
  // d(tan x) = (1 + tan²x) dx
  tan: (b, z, _x, dx) => tmul(b, dx, onePlusSq(b, z, 1)),
  // d(asin x) = dx / sqrt(1 - x²)
  asin: (b, _z, x, dx) => asinTangent(b, x, dx),
  // d(acos x) = -dx / sqrt(1 - x²)
  acos: (b, _z, x, dx) => tneg(b, asinTangent(b, x, dx)),
  // d(atan x) = dx / (1 + x²)
  atan: (b, _z, x, dx) => tdiv(b, dx, onePlusSq(b, x, 1)),
  // d(sinh x) = cosh(x) dx
  sinh: (b, _z, x, dx) => tmul(b, dx, r1(b, 'cosh', x)),
  // d(cosh x) = sinh(x) dx
  cosh: (b, _z, x, dx) => tmul(b, dx, r1(b, 'sinh', x)),
  // d(tanh x) = (1 - tanh²x) dx
  tanh: (b, z, _x, dx) => tmul(b, dx, onePlusSq(b, z, -1)),
  // d(log1p x) = dx / (1 + x)
  log1p: (b, _z, x, dx) => tdiv(b, dx, r2(b, 'add', b.real(1), x)),
  // d(expm1 x) = (expm1(x) + 1) dx
  expm1: (b, z, _x, dx) => tmul(b, dx, r2(b, 'add', z, b.real(1))),
  // d(cbrt x) = dx / (3 cbrt(x)²)
  cbrt: (b, z, _x, dx) => tdiv(b, dx, r2(b, 'mul', r2(b, 'mul', b.real(3), z), z)),
  // d(x + y) = dx + dy
  add: (b, _z, _x, dx, _y, dy) => tadd(b, dx, dy),
  // d(x - y) = dx - dy
  sub: (b, _z, _x, dx, _y, dy) => tsub(b, dx, dy),
  // d(x y) = dx y + dy x; a square d(x x) = dx (x + x): one product, one cotangent add
  mul: (b, _z, x, dx, y, dy) =>
    x === y ? tmul(b, dx, r2(b, 'add', x, x)) : tadd(b, tmul(b, dx, y), tmul(b, dy, x)),
  // d(x / y) = dx / y - dy (z / y)
  div: (b, z, _x, dx, y, dy) =>
    tsub(b, tdiv(b, dx, y), dy === ZERO ? ZERO : tmul(b, dy, r2(b, 'div', z, y))),
  // d atan2(y, x) = (dy x - dx y) / (x² + y²); here the first operand `x` is atan2's y
  atan2: (b, _z, x, dx, y, dy) => {
    const den = r2(b, 'add', r2(b, 'mul', x, x), r2(b, 'mul', y, y));
    return tdiv(b, tsub(b, tmul(b, dx, y), tmul(b, dy, x)), den);
  },
  // d(x^y) = dx y x^(y-1) + dy (x > 0 ? x^y log x : 0)
  pow: (b, z, x, dx, y, dy) => {
    let dz = ZERO;
    if (dx !== ZERO) {
      const xPow = r2(b, 'pow', x, r2(b, 'sub', y, b.real(1)));
      dz = tmul(b, dx, r2(b, 'mul', y, xPow));
    }
    if (dy === ZERO) return dz;
    const pos = cmp(b, 'gt', x, b.real(0));
    const zLog = r2(b, 'mul', z, r1(b, 'log', x));
    const factor = b.emit({ kind: 'select', cond: pos, then: zLog, els: b.real(0) }, REAL);
    return tadd(b, dz, tmul(b, dy, factor));
  },
  // d hypot(x, y) = (dx x + dy y) / h, and 0 at h = 0 (where x = y = 0 makes the numerator 0)
  hypot: (b, z, x, dx, y, dy) => {
    const safe = b.emit(
      { kind: 'select', cond: cmp(b, 'eq', z, b.real(0)), then: b.real(1), els: z },
      REAL,
    );
    return tdiv(b, tadd(b, tmul(b, dx, x), tmul(b, dy, y)), safe);
  },
  // d min(x, y) = y < x ? dy : dx (ties take x)
  min: (b, _z, x, dx, y, dy) => tselect(b, cmp(b, 'lt', y, x), dy, dx),
  // d max(x, y) = y > x ? dy : dx (ties take x)
  max: (b, _z, x, dx, y, dy) => tselect(b, cmp(b, 'gt', y, x), dy, dx),
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

/** `JVP_RULES` as a lookup (see `lookupOf`). */
export const JVP_RULE_OF = lookupOf(JVP_RULES);
