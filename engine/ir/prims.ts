/**
 * @file The primitive operations of the IR and their typing rules. Every pass keeps a rule table
 * typed `{ [P in Prim]: Rule<P> }`, so adding a primitive here without rules elsewhere fails
 * type-checking.
 *
 * Linearity: on tangents (`tan`) only these are allowed, which keeps every tangent a linear
 * function of the input tangents: `neg(tan)`, `add(tan, tan)`, `sub(tan, tan)`,
 * `mul(tan, real)`, `div(tan, real)` (tangent always on the left, as in Rose).
 */
import { BOOL, REAL, TAN, finTy, type Ty } from './types.ts';

/** How a primitive's operands and result are typed. */
export type PrimFamily =
  /** `(real) -> real`; `neg` also `(tan) -> tan`. */
  | 'unary'
  /** `(real, real) -> real`; add/sub also `(tan, tan) -> tan`, mul/div also `(tan, real) -> tan`. */
  | 'binary'
  /** `(real, real) -> bool`, IEEE comparison. */
  | 'compare'
  /** `(bool) -> bool` or `(bool, bool) -> bool`. */
  | 'logic'
  /** `(fin n, fin n) -> bool`, unsigned comparison. */
  | 'indexCompare'
  /** `iadd: (fin n, fin n) -> fin n` (no wraparound); `imod: (fin m) -> fin n`, `i mod n`. */
  | 'indexArith'
  /** `(vec(n, real)) -> fin n`: position of the first maximum / minimum (NaN counts as maximal). */
  | 'reduce';

/** Every primitive, with its family and arity. */
export const PRIMS = {
  // real -> real (Rose's own)
  neg: { family: 'unary', arity: 1 },
  abs: { family: 'unary', arity: 1 },
  sign: { family: 'unary', arity: 1 }, // signum: sign(+0) = 1, sign(-0) = -1, sign(NaN) = NaN
  ceil: { family: 'unary', arity: 1 },
  floor: { family: 'unary', arity: 1 },
  trunc: { family: 'unary', arity: 1 },
  sqrt: { family: 'unary', arity: 1 },
  // real -> real (beyond Rose; interpreter semantics = Math.*)
  exp: { family: 'unary', arity: 1 },
  log: { family: 'unary', arity: 1 },
  sin: { family: 'unary', arity: 1 },
  cos: { family: 'unary', arity: 1 },
  tan: { family: 'unary', arity: 1 },
  asin: { family: 'unary', arity: 1 },
  acos: { family: 'unary', arity: 1 },
  atan: { family: 'unary', arity: 1 },
  sinh: { family: 'unary', arity: 1 },
  cosh: { family: 'unary', arity: 1 },
  tanh: { family: 'unary', arity: 1 },
  log1p: { family: 'unary', arity: 1 },
  expm1: { family: 'unary', arity: 1 },
  cbrt: { family: 'unary', arity: 1 },
  // (real, real) -> real
  add: { family: 'binary', arity: 2 },
  sub: { family: 'binary', arity: 2 },
  mul: { family: 'binary', arity: 2 },
  div: { family: 'binary', arity: 2 },
  atan2: { family: 'binary', arity: 2 }, // atan2(y, x)
  pow: { family: 'binary', arity: 2 },
  hypot: { family: 'binary', arity: 2 },
  min: { family: 'binary', arity: 2 },
  max: { family: 'binary', arity: 2 },
  // (real, real) -> bool
  eq: { family: 'compare', arity: 2 },
  neq: { family: 'compare', arity: 2 },
  lt: { family: 'compare', arity: 2 },
  leq: { family: 'compare', arity: 2 },
  gt: { family: 'compare', arity: 2 },
  geq: { family: 'compare', arity: 2 },
  // bool
  not: { family: 'logic', arity: 1 },
  and: { family: 'logic', arity: 2 },
  or: { family: 'logic', arity: 2 },
  iff: { family: 'logic', arity: 2 },
  xor: { family: 'logic', arity: 2 },
  // index
  ieq: { family: 'indexCompare', arity: 2 },
  ineq: { family: 'indexCompare', arity: 2 },
  ilt: { family: 'indexCompare', arity: 2 },
  ileq: { family: 'indexCompare', arity: 2 },
  igt: { family: 'indexCompare', arity: 2 },
  igeq: { family: 'indexCompare', arity: 2 },
  iadd: { family: 'indexArith', arity: 2 },
  imod: { family: 'indexArith', arity: 1 },
  // reductions over a vector of reals
  argmax: { family: 'reduce', arity: 1 },
  argmin: { family: 'reduce', arity: 1 },
} as const satisfies Record<string, { family: PrimFamily; arity: 1 | 2 }>;

export type Prim = keyof typeof PRIMS;

/** Every primitive name, in table order. */
export const PRIM_NAMES = Object.keys(PRIMS) as Prim[];

/** The primitives that also accept tangents, and how. */
export const LINEAR_PRIMS: Partial<Record<Prim, 'tt' | 'tr' | 't'>> = {
  neg: 't', // (tan) -> tan
  add: 'tt', // (tan, tan) -> tan
  sub: 'tt',
  mul: 'tr', // (tan, real) -> tan
  div: 'tr',
};

/**
 * Return a rule table as a `Map`, for lookups by a key that varies from one instruction to the
 * next: `Map.get` is a hash lookup, where a property load by a varying name from a table of many
 * keys goes through V8's megamorphic cache (8 against 18 ns per lookup, measured in Node 20).
 * The table itself stays the typed object, so that a missing entry fails type-checking.
 */
export function lookupOf<K extends string, V>(
  table: { readonly [P in K]?: V },
): ReadonlyMap<K, V> {
  return new Map(Object.entries(table) as [K, V][]);
}

/** `LINEAR_PRIMS` as a lookup. */
const LINEAR_SHAPES = lookupOf(LINEAR_PRIMS);

/**
 * Return how `prim` accepts tangents: `tt` (two tangents), `tr` (a tangent and a real), `t`
 * (one tangent), or undefined when it does not.
 */
export function linearShape(prim: Prim): 'tt' | 'tr' | 't' | undefined {
  return LINEAR_SHAPES.get(prim);
}

/**
 * Return the result type of `prim` applied to operands of types `args`, or a string saying why
 * the operands do not fit. `result` is the declared result type, used only by `imod` (whose
 * modulus is its result's size).
 */
export function primResultType(prim: Prim, args: readonly Ty[], result?: Ty): Ty | string {
  const info = PRIMS[prim];
  if (args.length !== info.arity) return `${prim} takes ${info.arity} operand(s), got ${args.length}`;
  const [a, b] = args as [Ty, Ty | undefined];
  const isReal = (t: Ty | undefined) => t?.kind === 'real';
  switch (info.family) {
    case 'unary':
      if (isReal(a)) return REAL;
      if (prim === 'neg' && a.kind === 'tan') return TAN;
      return `${prim} expects a real, got ${a.kind}`;
    case 'binary': {
      if (isReal(a) && isReal(b)) return REAL;
      const lin = LINEAR_PRIMS[prim];
      if (lin === 'tt' && a.kind === 'tan' && b?.kind === 'tan') return TAN;
      if (lin === 'tr' && a.kind === 'tan' && isReal(b)) return TAN;
      return 'left and right have invalid types';
    }
    case 'compare':
      return isReal(a) && isReal(b) ? BOOL : 'left and right have invalid types';
    case 'logic':
      return a.kind === 'bool' && (info.arity === 1 || b?.kind === 'bool')
        ? BOOL
        : 'left and right have invalid types';
    case 'indexCompare':
      return a.kind === 'fin' && b?.kind === 'fin' && a.size === b.size
        ? BOOL
        : 'left and right have invalid types';
    case 'indexArith':
      if (prim === 'iadd')
        return a.kind === 'fin' && b?.kind === 'fin' && a.size === b.size
          ? a
          : 'left and right have invalid types';
      if (a.kind !== 'fin') return 'arg has invalid type';
      return result?.kind === 'fin' ? result : 'imod needs an index result type';
    case 'reduce':
      return a.kind === 'vec' && a.elem.kind === 'real'
        ? finTy(a.size)
        : `${prim} expects a vector of reals`;
  }
}
