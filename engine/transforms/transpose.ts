/**
 * @file Transpose: turn a linear function into its backward pass (cotangents into accumulators).
 * (STUB: contract only; implemented by the reverse-mode task.)
 */
import { internal } from '../errors.ts';
import type { TransparentFunc } from '../ir/types.ts';

/**
 * Return the transpose `bwd` of linear function `lin` (memoized per function). All types of `bwd`
 * are erased (no `tan`), so it can be differentiated again.
 *
 * Params of `bwd`, one per param p of `lin` (type T), then one more:
 * - `!hasTan(T)`: `erase(T)`, passed through (nonlinear input such as residuals);
 * - `T = ref(U)`: `erase(U)`, the cotangent of what `lin` added into that accumulator;
 * - otherwise: `ref(erase(T))`, an accumulator the cotangent of p is added into;
 * - last: `ct: erase(lin.retType)`, the cotangent of the result.
 * Returns unit.
 */
export function transpose(lin: TransparentFunc): TransparentFunc {
  return internal(`transpose not implemented (${lin.name})`);
}
