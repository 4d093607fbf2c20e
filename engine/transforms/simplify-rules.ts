/**
 * @file Per-primitive rules of `simplify`: constant folding (the interpreter's semantics:
 * `Math.*`, `sign` as signum) and algebraic identities that are exact in IEEE double for every
 * input, NaN, infinities and -0 included. `x + 0` is NOT such an identity (-0 + 0 = +0), while
 * `x - 0` and `x + -0` are.
 */
import { lookupOf, type Prim } from '../ir/prims.ts';
import { primExpr, type PrimExpr, type Ty, type Var } from '../ir/types.ts';

/** A literal operand value: a number (real, tan, fin) or a boolean. */
export type Lit = number | boolean;

/** Fold a primitive applied to literal operands; undefined when it does not fold. */
type Fold = (a: never, b: never, result: Ty) => Lit | undefined;

/** Return Rust's `f64::signum` (the interpreter's `sign`): sign(+0) = 1, sign(-0) = -1. */
function signum(x: number): number {
  if (x > 0) return 1;
  if (x < 0) return -1;
  if (x === 0) return Object.is(x, -0) ? -1 : 1;
  return NaN;
}

/** Return a fold for `(real) -> real`. */
const un = (op: (x: number) => number): Fold => ((x: number) => op(x)) as Fold;
/** Return a fold for two numbers (reals or indices). */
const bin = (op: (x: number, y: number) => Lit): Fold =>
  ((x: number, y: number) => op(x, y)) as Fold;
/** Return a fold for booleans. */
const logic = (op: (x: boolean, y: boolean) => boolean): Fold =>
  ((x: boolean, y: boolean) => op(x, y)) as Fold;

/** Constant folding of each primitive; the operands are literals of the operand types. */
export const FOLD: { [P in Prim]: Fold } = {
  // real -> real: exact IEEE results or the interpreter's Math.* calls
  neg: un((x) => -x),
  abs: un(Math.abs),
  sign: un(signum),
  ceil: un(Math.ceil),
  floor: un(Math.floor),
  trunc: un(Math.trunc),
  sqrt: un(Math.sqrt),
  exp: un(Math.exp),
  log: un(Math.log),
  sin: un(Math.sin),
  cos: un(Math.cos),
  tan: un(Math.tan),
  asin: un(Math.asin),
  acos: un(Math.acos),
  atan: un(Math.atan),
  sinh: un(Math.sinh),
  cosh: un(Math.cosh),
  tanh: un(Math.tanh),
  log1p: un(Math.log1p),
  expm1: un(Math.expm1),
  cbrt: un(Math.cbrt),
  add: bin((x, y) => x + y),
  sub: bin((x, y) => x - y),
  mul: bin((x, y) => x * y),
  div: bin((x, y) => x / y),
  atan2: bin(Math.atan2),
  pow: bin(Math.pow),
  hypot: bin(Math.hypot),
  min: bin(Math.min),
  max: bin(Math.max),
  // IEEE comparisons (NaN compares unequal to everything)
  eq: bin((x, y) => x === y),
  neq: bin((x, y) => x !== y),
  lt: bin((x, y) => x < y),
  leq: bin((x, y) => x <= y),
  gt: bin((x, y) => x > y),
  geq: bin((x, y) => x >= y),
  not: ((x: boolean) => !x) as Fold,
  and: logic((x, y) => x && y),
  or: logic((x, y) => x || y),
  iff: logic((x, y) => x === y),
  xor: logic((x, y) => x !== y),
  ieq: bin((x, y) => x === y),
  ineq: bin((x, y) => x !== y),
  ilt: bin((x, y) => x < y),
  ileq: bin((x, y) => x <= y),
  igt: bin((x, y) => x > y),
  igeq: bin((x, y) => x >= y),
  iadd: bin((x, y) => x + y), // no wraparound, like the interpreter
  // imod's modulus is the size of its result type; `i mod 0` has no value, so it does not fold
  imod: ((x: number, _: undefined, t: Ty) =>
    t.kind === 'fin' && t.size > 0 ? x % t.size : undefined) as Fold,
  argmax: () => undefined, // operand is a vector, never a scalar literal
  argmin: () => undefined,
};

/** `FOLD` as a lookup (see `lookupOf`). */
export const FOLD_OF = lookupOf(FOLD);

/** What an identity turns `v = prim(args)` into: another variable, or a new expression. */
export type Rewrite =
  | { readonly to: Var }
  | PrimExpr
  | { readonly lit: Lit };

/** What identities may ask about operands. */
export interface Facts {
  /** The literal value of `v`, if it is one. */
  lit(v: Var): Lit | undefined;
  /** The primitive and operands defining `v`, if a primitive defines it. */
  prim(v: Var): PrimExpr | undefined;
}

/** An identity: a rewrite of `prim(a, b)` valid for every input, or undefined. */
type Identity = (a: Var, b: Var, k: Facts) => Rewrite | undefined;

const is = (k: Facts, v: Var, value: Lit) => Object.is(k.lit(v), value);
const inner = (k: Facts, v: Var, p: Prim) => {
  const d = k.prim(v);
  return d?.prim === p ? d.x : undefined;
};
const none: Identity = () => undefined;
/** Index comparisons of a variable with itself (indices have no NaN). */
const same = (value: boolean): Identity => (a, b) => (a === b ? { lit: value } : undefined);

/**
 * Identities exact in IEEE double for all inputs. The caller checks that a `to` variable has the
 * result's type, so `mul x 1 -> x` is skipped if `x` were of another type.
 */
export const IDENTITIES: { [P in Prim]: Identity } = {
  // -(-x) = x
  neg: (a, _, k) => {
    const x = inner(k, a, 'neg');
    return x === undefined ? undefined : { to: x };
  },
  // |(|x|)| = |x|, |-x| = |x|
  abs: (a, _, k) => {
    if (k.prim(a)?.prim === 'abs') return { to: a };
    const x = inner(k, a, 'neg');
    return x === undefined ? undefined : primExpr('abs', x);
  },
  // x - (+0) = x (even for x = -0: -0 - 0 = -0)
  sub: (a, b, k) => (is(k, b, 0) ? { to: a } : undefined),
  // x + (-0) = x; x + (+0) is not (-0 + 0 = +0)
  add: (a, b, k) => (is(k, b, -0) ? { to: a } : is(k, a, -0) ? { to: b } : undefined),
  // x * 1 = x, x * -1 = -x (IEEE multiplication by +-1 is exact)
  mul: (a, b, k) => {
    if (is(k, b, 1)) return { to: a };
    if (is(k, a, 1)) return { to: b };
    if (is(k, b, -1)) return primExpr('neg', a);
    if (is(k, a, -1)) return primExpr('neg', b);
    return undefined;
  },
  // x / 1 = x, x / -1 = -x
  div: (a, b, k) =>
    is(k, b, 1) ? { to: a } : is(k, b, -1) ? primExpr('neg', a) : undefined,
  not: (a, _, k) => {
    const x = inner(k, a, 'not');
    return x === undefined ? undefined : { to: x };
  },
  // b && true = b, b && false = false (and symmetric); likewise for or, iff, xor
  and: (a, b, k) =>
    is(k, b, true) ? { to: a } : is(k, a, true) ? { to: b } :
    is(k, a, false) || is(k, b, false) ? { lit: false } : a === b ? { to: a } : undefined,
  or: (a, b, k) =>
    is(k, b, false) ? { to: a } : is(k, a, false) ? { to: b } :
    is(k, a, true) || is(k, b, true) ? { lit: true } : a === b ? { to: a } : undefined,
  iff: (a, b, k) =>
    is(k, b, true) ? { to: a } : is(k, a, true) ? { to: b } : a === b ? { lit: true } : undefined,
  xor: (a, b, k) =>
    is(k, b, false) ? { to: a } :
    is(k, a, false) ? { to: b } : a === b ? { lit: false } : undefined,
  ieq: same(true),
  ileq: same(true),
  igeq: same(true),
  ineq: same(false),
  ilt: same(false),
  igt: same(false),
  // no exact identities (or none worth having) for the rest
  sign: none, ceil: none, floor: none, trunc: none, sqrt: none, exp: none, log: none, sin: none,
  cos: none, tan: none, asin: none, acos: none, atan: none, sinh: none, cosh: none, tanh: none,
  log1p: none, expm1: none, cbrt: none, atan2: none, pow: none, hypot: none, min: none, max: none,
  eq: none, neq: none, lt: none, leq: none, gt: none, geq: none, iadd: none, imod: none,
  argmax: none, argmin: none,
};

/** `IDENTITIES` as a lookup (see `lookupOf`). */
export const IDENTITY_OF = lookupOf(IDENTITIES);

/** Primitives whose operands commute exactly (for CSE keys, when both have the same type). */
export const COMMUTATIVE: ReadonlySet<Prim> = new Set<Prim>([
  'add', 'mul', 'min', 'max', 'eq', 'neq', 'and', 'or', 'iff', 'xor', 'ieq', 'ineq', 'iadd',
]);
