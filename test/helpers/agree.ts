/**
 * @file Helpers for tests that a rewrite of IR (simplify, tidy) preserves results: exact
 * comparison of interpreter values, fresh arguments (accumulators for ref params), and the
 * functions of every stage of reverse mode to rewrite.
 */
import { accumulator, type Val } from '../../engine/interp/interp.ts';
import type { TransparentFunc } from '../../engine/ir/types.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';
import { argsFromPool } from './gradcheck.ts';

/** Return true when two values are equal leaf by leaf with `Object.is` (so -0 != 0, NaN == NaN; accumulators by contents). */
export function sameValue(a: Val, b: Val): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]!));
  if (a !== null && typeof a === 'object') return b !== null && typeof b === 'object' && sameValue(a.get(), (b as typeof a).get());
  return Object.is(a, b);
}

/** Return a maker of fresh arguments of `f` (accumulators for ref params) read from `pool`. */
export function argsOf(f: TransparentFunc, pool: Parameters<typeof argsFromPool>[1]): () => Val[] {
  const inner = f.paramTypes.map((t) => (t.kind === 'ref' ? t.inner : t));
  return () =>
    argsFromPool(inner, pool).map((v, k) => {
      const t = f.paramTypes[k]!;
      return t.kind === 'ref' ? accumulator(t.inner, v) : v;
    });
}

/** Return `f` and what reverse mode makes of it: jvp, unzip's fwd and lin, and lin transposed. */
export function reverseStages(f: TransparentFunc): TransparentFunc[] {
  const { fwd, lin } = unzip(jvp(f));
  return [f, jvp(f), fwd, lin, transpose(lin)];
}
