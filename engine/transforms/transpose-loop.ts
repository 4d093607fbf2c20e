/**
 * @file Transpose of a `for` loop (see transpose.ts): a loop over the same indices whose body is
 * the transposed body, reading the element's cotangent `ct[i]`; contributions to variables from
 * outside the loop go into accumulators.
 */
import { internal } from '../errors.ts';
import { UNIT, varTy, vecTy, type Var } from '../ir/types.ts';
import type { ExprOf } from './linearity.ts';
import type { Transposer } from './transpose.ts';

/** `z = for i: body`: a loop over the same indices running the body's transpose. */
export function transposeLoop(tr: Transposer, v: Var, e: ExprOf<'for'>): void {
  const { b } = tr;
  const ct = tr.ctVar(v);
  const t = varTy(tr.lin, v);
  if (t.kind !== 'vec') return internal(`transpose: for loop of type ${t.kind}`);
  const index = e.index;
  tr.hasNl[index] = 1;
  // the element's cotangent is ct[i]
  const { block: body, unit: ret, emitted } = tr.nestedBlock(e.body, e.ret, () =>
    ct === undefined ? undefined : b.index(ct, index),
  );
  if (emitted) b.emit({ kind: 'for', index, body, ret }, vecTy(t.size, UNIT));
  else tr.dropped = true;
}
