/**
 * @file TEMPORARY stand-in for the wasm math library (engine/wasm/math): each math primitive is an
 * opaque import of the matching `Math.*` function, appended after the program's own opaque
 * functions. Removed once the math library lands.
 */
import type { Prim } from '../ir/prims.ts';
import { REAL, type OpaqueFunc } from '../ir/types.ts';

/** The math primitives and their arities. */
const ARITY: Partial<Record<Prim, number>> = {
  exp: 1, log: 1, sin: 1, cos: 1, tan: 1, asin: 1, acos: 1, atan: 1, sinh: 1, cosh: 1, tanh: 1,
  log1p: 1, expm1: 1, cbrt: 1, atan2: 2, pow: 2, hypot: 2,
};

/** Return true when `p` is computed by the math library. */
export function isMathPrim(p: Prim): boolean {
  return ARITY[p] !== undefined;
}

/** Return an opaque function standing for `Math[name]`. */
export function mathImport(name: Prim): OpaqueFunc {
  const impl = (Math as unknown as Record<string, (...xs: number[]) => number>)[name]!;
  const arity = ARITY[name]!;
  return { kind: 'opaque', id: 0, name: `Math.${name}`, paramTypes: Array(arity).fill(REAL), retType: REAL, impl };
}
