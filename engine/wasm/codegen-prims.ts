/**
 * @file Code for each primitive, with the interpreter's semantics: native f64 instructions where
 * they agree with `Math.*` bit for bit (add ... sqrt, min/max, comparisons), `sign` as Rust's
 * signum, logic on i32 booleans, unsigned index comparisons, `iadd` as i32.add (checked where it
 * is used as an index; refused on index types above 2^31, whose sums may not fit 32 bits),
 * `imod` as i32.rem_u by the result size, `argmax`/`argmin` through a helper, and the
 * transcendental functions through the math library.
 */
import { lookupOf, type Prim } from '../ir/prims.ts';
import { primOperands, type Var } from '../ir/types.ts';
import { I32, Op } from './encoder.ts';
import { type Emitter } from './codegen-emit.ts';
import { HAS_VALUE, indexIsSafe, vecSize } from './liveness.ts';
import { isNegativeForm, positiveOf } from './codegen-negs.ts';
import { RoseError, formatMessage, internal } from '../errors.ts';

/**
 * Emits a primitive's result on the stack (operands are variables). Rules index `args` rather
 * than destructure it: destructuring steps an iterator until V8 optimizes the rule.
 */
type PrimRule = (em: Emitter, args: readonly Var[], result: Var) => void;

/** `(x) -> op x` on one operand. */
const unary =
  (op: number): PrimRule =>
  (em, args) => {
    em.push(args[0]!);
    em.code.op(op);
  };

/** `(x, y) -> x op y`. */
const binary =
  (op: number): PrimRule =>
  (em, args) => {
    em.push(args[0]!);
    em.push(args[1]!);
    em.code.op(op);
  };

/** A call of the math library's function `name`. */
const math =
  (name: string): PrimRule =>
  (em, args) => {
    for (let k = 0; k < args.length; k++) em.push(args[k]!);
    em.code.call(em.ctx.math(name));
  };

/** The position of the first maximum/minimum of a vec of reals (NaN counts as extreme). */
const reduce =
  (which: 'argmax' | 'argmin'): PrimRule =>
  (em, args) => {
    const x = args[0]!;
    const a = em.ptr(x);
    a.push();
    if (a.off !== 0) em.code.i32Const(a.off).op(Op.i32_add);
    em.code.i32Const(vecSize(em.plan.shape, x)).call(em.ctx.helpers.arg(which));
  };

/** `i32.add` of two indices (`iadd` after its size check). */
const addIndices = binary(Op.i32_add);

const RULES: { [P in Prim]: PrimRule } = {
  neg: unary(Op.f64_neg),
  abs: unary(Op.f64_abs),
  // signum: copysign(1, x) for every non-NaN x (so +-0 -> +-1), x itself when x is NaN
  sign: (em, args) => {
    const x = args[0]!;
    em.code.f64Const(1);
    em.push(x);
    em.code.op(Op.f64_copysign);
    em.push(x);
    em.push(x);
    em.push(x);
    em.code.op(Op.f64_eq).op(Op.select);
  },
  ceil: unary(Op.f64_ceil),
  floor: unary(Op.f64_floor),
  trunc: unary(Op.f64_trunc),
  sqrt: unary(Op.f64_sqrt),
  exp: math('exp'),
  log: math('log'),
  sin: math('sin'),
  cos: math('cos'),
  tan: math('tan'),
  asin: math('asin'),
  acos: math('acos'),
  atan: math('atan'),
  sinh: math('sinh'),
  cosh: math('cosh'),
  tanh: math('tanh'),
  log1p: math('log1p'),
  expm1: math('expm1'),
  cbrt: math('cbrt'),
  add: (em, args) => sum(em, args[0]!, args[1]!),
  sub: (em, args) => difference(em, args[0]!, args[1]!),
  mul: binary(Op.f64_mul),
  div: binary(Op.f64_div),
  atan2: math('atan2'),
  pow: math('pow'),
  hypot: math('hypot'),
  // f64.min/max agree with Math.min/max: NaN propagates, min(-0, 0) = -0, max(-0, 0) = 0
  min: binary(Op.f64_min),
  max: binary(Op.f64_max),
  eq: binary(Op.f64_eq),
  neq: binary(Op.f64_ne),
  lt: binary(Op.f64_lt),
  leq: binary(Op.f64_le),
  gt: binary(Op.f64_gt),
  geq: binary(Op.f64_ge),
  not: unary(Op.i32_eqz),
  and: binary(Op.i32_and),
  or: binary(Op.i32_or),
  iff: binary(Op.i32_eq),
  xor: binary(Op.i32_xor),
  ieq: binary(Op.i32_eq),
  ineq: binary(Op.i32_ne),
  ilt: binary(Op.i32_lt_u),
  ileq: binary(Op.i32_le_u),
  igt: binary(Op.i32_gt_u),
  igeq: binary(Op.i32_ge_u),
  iadd: (em, args, r) => {
    const t = em.ty(r);
    if (t.kind === 'fin' && t.size > 2 ** 31) throw wideIadd(t.size, em.plan.shape.f.name);
    addIndices(em, args, r);
  },
  imod: (em, args, r) => {
    const x = args[0]!;
    const t = em.ty(r);
    const m = t.kind === 'fin' ? t.size : 1;
    const c = em.code;
    em.push(x);
    if (!sumBelow(em, x, m)) return void c.i32Const(m).op(Op.i32_rem_u);
    // x < 2m: x >= m ? x - m : x, without a division
    const tmp = em.slots.alloc(I32);
    c.localTee(tmp).i32Const(m).op(Op.i32_sub).localGet(tmp).localGet(tmp).i32Const(m).op(Op.i32_ge_u).op(Op.select);
    em.slots.release(tmp);
  },
  argmax: reduce('argmax'),
  argmin: reduce('argmin'),
};

/** `RULES` as a lookup (see `lookupOf`). */
const RULE_OF = lookupOf(RULES);

/**
 * Return the error for `iadd` on `fin<size>` with size above 2^31: the sum of two such indices
 * may not fit 32 bits (the interpreter has no such limit, so compiled code would differ).
 */
function wideIadd(size: number, fnName: string): RoseError {
  return new RoseError(
    'unsupported',
    formatMessage(
      `iadd on index type fin<${size}>: the compiler adds indices in 32 bits, so index types used with iadd must have at most 2^31 values`,
      `function ${fnName}`,
      'Use a smaller index type, or interp(f)',
    ),
  );
}

/** Push the value of `v = prim(args)`. */
export function computePrim(em: Emitter, v: Var, prim: Prim, args: readonly Var[]): void {
  RULE_OF.get(prim)!(em, args, v);
}

/** Return true when `x` is `iadd(a, b)` of two indices known to be below `m` (so `x < 2m`). */
function sumBelow(em: Emitter, x: Var, m: number): boolean {
  const s = em.plan.shape;
  const e = s.def[x];
  return e?.kind === 'prim' && e.prim === 'iadd' && m < 2 ** 31 && primOperands(e).every((a) => indexIsSafe(s, a, m) && (s.ty(a) as { size: number }).size <= m);
}

/** Emit `v = prim(args)`. A result without a value needs code only when it traps. */
export function emitPrim(em: Emitter, v: Var, prim: Prim, args: readonly Var[]): void {
  if (!(em.plan.shape.tyBits[v]! & HAS_VALUE)) {
    // argmax of an empty vec has no result: the interpreter throws, so trap
    if ((prim === 'argmax' || prim === 'argmin') && vecSize(em.plan.shape, args[0]!) === 0) em.code.op(Op.unreachable);
    return;
  }
  if (em.plan.negated?.[v] === 1) return em.value(v, () => computePositive(em, v));
  em.value(v, () => RULE_OF.get(prim)!(em, args, v));
}

/** Push the negation of `v` (a negated local or an inlined negation, codegen-negs.ts): `y` or `y * z`. */
function computePositive(em: Emitter, v: Var): void {
  const xs = positiveOf(em.plan, v) ?? internal(`x${v} is not a negation`);
  for (let k = 0; k < xs.length; k++) em.push(xs[k]!);
  if (xs.length === 2) em.code.op(Op.f64_mul);
}

/** Push the negation of `v`, in negative form (codegen-negs.ts): a negated local holds it already. */
function pushPositive(em: Emitter, v: Var): void {
  if (em.plan.negated?.[v] === 1) em.push(v);
  else computePositive(em, v);
}

/** Push `x + y`: `x - b` for `y = -b`, `y - a` for `x = -a` (exact, codegen-negs.ts). */
function sum(em: Emitter, x: Var, y: Var): void {
  const plan = em.plan;
  if (isNegativeForm(plan, y)) {
    em.push(x);
    pushPositive(em, y);
  } else if (isNegativeForm(plan, x)) {
    em.push(y);
    pushPositive(em, x);
  } else {
    em.push(x);
    em.push(y);
    em.code.op(Op.f64_add);
    return;
  }
  em.code.op(Op.f64_sub);
}

/** Push `x - y`: `x + b` for `y = -b` (exact, codegen-negs.ts). */
function difference(em: Emitter, x: Var, y: Var): void {
  em.push(x);
  em.code.op(pushFolded(em, y) ? Op.f64_add : Op.f64_sub);
}

/**
 * Push `v`, or its negation when `v` is in negative form (codegen-negs.ts), and return true in
 * that case: the caller then subtracts it instead of adding it, or adds it instead of subtracting.
 */
export function pushFolded(em: Emitter, v: Var): boolean {
  if (!isNegativeForm(em.plan, v)) {
    em.push(v);
    return false;
  }
  pushPositive(em, v);
  return true;
}
