/**
 * @file Transpose of a `for` loop (see transpose.ts): a loop over the same indices whose body is
 * the transposed body, reading the element's cotangent `ct[i]`; contributions to variables from
 * outside the loop go into accumulators.
 */
import { internal } from '../errors.ts';
import { UNIT, vecTy, type Var } from '../ir/types.ts';
import type { Transposer } from './transpose.ts';

/** `z = for i: body`: a loop over the same indices running the body's transpose. */
export function transposeLoop(tr: Transposer, v: Var): void {
  const { b, lin } = tr;
  const ct = tr.ctVar(v);
  const t = tr.ty(v);
  if (t.kind !== 'vec') return internal(`transpose: for loop of type ${t.kind}`);
  const index = lin.a[v]!;
  tr.hasNl[index] = 1;
  // the element's cotangent is ct[i]
  const { block, emitted } = tr.nestedBlock(lin.b[v]!, () => (ct === undefined ? undefined : b.index(ct, index)));
  if (emitted) b.emitFor(index, block, vecTy(t.size, UNIT));
}
