/**
 * @file Unzip of a `for` loop (see unzip.ts): the body is unzipped into blocks of `fwd` and `lin`
 * with a residual frame of its own; the per-iteration residuals form a vec, one residual of the
 * enclosing block, which `lin`'s loop indexes at the start of each iteration. No tape.
 */
import { internal } from '../errors.ts';
import { OP_INDEX } from '../ir/dense.ts';
import { isEmpty, primalPart, vecTy, type Var } from '../ir/types.ts';
import { RES, RET, bundleTy, hasAdd, project } from './unzip-shapes.ts';
import type { Unzipper } from './unzip.ts';

/**
 * A loop: `fwd` runs the body's forward part, returning `{res, ret}` per iteration, split by
 * two projection loops (or its residuals alone when its primal result is empty); `lin` runs a
 * loop over the same size whose body first reads its residuals from the vec of per-iteration
 * residuals.
 */
export function unzipLoop(u: Unzipper, v: Var): void {
  const { f, fb, lb } = u;
  const t = u.ty(v);
  if (t.kind !== 'vec') return internal(`unzip of ${f.name}: for loop of type ${t.kind}`);
  const index = f.a[v]!;
  const block = f.b[v]!;
  u.hasPrim[index] = 1;
  u.hasRes[index] = 1;
  u.usesF.declare(index);
  u.usesL.declare(index);
  const primal = !isEmpty(primalPart(t));
  const { frame, retP, retL } = u.openBlock(block, primal);
  const stored = frame.stored.length > 0;
  const resTy = stored ? u.resTy(frame) : undefined;
  let elem: Var;
  if (resTy === undefined) elem = primal ? retP : u.primOf(f.blockRet[block]!);
  else {
    const res = fb.struct(frame.stored, resTy);
    u.usesF.read(res);
    // a loop without a primal result (a `sum`'s, adding into an accumulator) yields its
    // residuals alone: no `{res, ret}` bundle to split
    elem = primal ? fb.struct([res, retP], bundleTy(resTy, fb.typeOf(retP))) : res;
    if (primal) u.usesF.read(elem);
  }
  const bodyF = fb.endBlock(elem);
  const loopF =
    !stored && primal ? fb.defineFor(v, index, bodyF) : fb.emitFor(index, bodyF, vecTy(t.size, fb.typeOf(elem)));
  if (hasAdd(fb, fb.closedBlock(bodyF), u.usesF)) u.usesF.keep(loopF); // kept for its effect
  let head: Var[] = [];
  if (stored) {
    u.usesF.read(loopF);
    if (primal) project(fb, loopF, RET, u.usesF, v);
    const resVec = u.store(primal ? project(fb, loopF, RES, u.usesF) : loopF, u.frames.length);
    u.usesL.read(resVec);
    const resL = lb.fresh(resTy!);
    u.usesL.read(resL);
    head = [lb.put(resL, OP_INDEX, resVec, index)].concat(u.readsOf(frame, resL));
  }
  if (primal) u.hasPrim[v] = 1;
  lb.insertAt(0, head.concat(frame.remat));
  const bodyL = lb.endBlock(retL);
  const loopL = u.linVarOf(v);
  lb.defineFor(loopL, index, bodyL);
  if (hasAdd(lb, lb.closedBlock(bodyL), u.usesL)) u.usesL.keep(loopL); // kept for its effect
}
