/**
 * @file Transpose of a call (see transpose.ts): the callee is transposed on its own, specialized
 * on which parts of the cotangent flowing in are known zero (memoized per shape), and called with
 * the accumulators of the linear arguments, the nonlinear ones, and the cotangent.
 */
import { internal } from '../errors.ts';
import { densify } from '../ir/dense-convert.ts';
import { listOf } from '../ir/dense.ts';
import { erase, hasTan, type Var } from '../ir/types.ts';
import { full, shapeOf, type Ct } from './cotangent.ts';
import { denseTransposed, type Transposer } from './transpose.ts';

/** `z = h(args)`: call `transpose(h)` with the args' accumulators or cotangent values and ct. */
export function transposeCall(tr: Transposer, v: Var): void {
  const { lin } = tr;
  const g = lin.funcs[lin.a[v]!]!;
  if (g.kind === 'opaque') return internal(`transpose: opaque ${g.name} on tangents`);
  const h = g.kind === 'dense' ? g : densify(g);
  const ct = tr.ctOf(v);
  const argList = listOf(lin, v);
  const n = argList.length;
  const params = h.paramTypes;
  // the cotangent values of linear refs passed (most callees take none: no array then)
  let refCts: Ct[] | undefined;
  let refCt = false;
  for (let k = 0; k < n; k++) {
    const t = params[k]!;
    if (t.kind !== 'ref' || !hasTan(t)) continue;
    refCts ??= new Array<Ct>(n).fill(undefined);
    const c = (refCts[k] = tr.ctRefOf(argList[k]!));
    if (c !== undefined) refCt = true;
  }
  // a linear callee with zero cotangents flowing in adds only zeros
  if (ct === undefined && !refCt) return;
  const { b } = tr;
  const retTy = erase(h.retType);
  // specialized on the parts of ct known zero: it tells which parts of each acc it adds to
  const { bwd, wrote } = denseTransposed(h, shapeOf(ct, retTy));
  const args = new Array<Var>(n + 1);
  for (let k = 0; k < n; k++) {
    const x = argList[k]!;
    const t = params[k]!;
    const w = wrote[k]!;
    if (!hasTan(t)) args[k] = tr.nlOf(x);
    else if (t.kind === 'ref') args[k] = full(b, refCts![k], erase(t.inner), tr.zeroOf);
    else if (w !== 0) args[k] = tr.refFor(x, w);
    else args[k] = b.accum(b.zero(erase(t))); // the callee adds nothing to it
  }
  args[n] = full(b, ct, retTy, tr.zeroOf);
  b.call(bwd, args);
}
