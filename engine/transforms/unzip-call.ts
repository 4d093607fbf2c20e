/**
 * @file Unzip of a call (see unzip.ts): the callee is unzipped on its own (memoized), `fwd` calls
 * its forward function and keeps the callee's residuals as one residual of the calling block, and
 * `lin` calls its linear function on the arguments' linear parts and those residuals.
 */
import { internal } from '../errors.ts';
import { densify } from '../ir/dense-convert.ts';
import { OP_MEMBER, listOf } from '../ir/dense.ts';
import { isEmpty, primalPart, type StructTy, type Var } from '../ir/types.ts';
import { RES, RET } from './unzip-shapes.ts';
import { denseUnzip, type Unzipper } from './unzip.ts';

/** A call of g: `fwd` calls `unzip(g).fwd`, keeping its residuals; `lin` calls `unzip(g).lin`. */
export function unzipCall(u: Unzipper, v: Var): void {
  const { f, fb, lb } = u;
  const g = f.funcs[f.a[v]!]!;
  if (g.kind === 'opaque') internal(`unzip of ${f.name}: opaque ${g.name} with tangents`);
  const callee = denseUnzip(g.kind === 'dense' ? g : densify(g));
  const argList = listOf(f, v);
  const bundle = fb.call(callee.fwd, u.primArgs(argList));
  if (!isEmpty(primalPart(u.ty(v)))) {
    fb.define(v, OP_MEMBER, bundle, RET);
    u.usesF.read(bundle);
    u.hasPrim[v] = 1;
  }
  const resTy = (callee.fwd.retType as StructTy).members[RES]!;
  let res: Var;
  if (isEmpty(resTy)) res = u.emptiesL.of(resTy);
  else {
    u.usesF.read(bundle);
    res = u.store(fb.member(bundle, RES), u.frames.length);
  }
  u.usesL.read(res);
  const n = argList.length;
  const linArgs = new Array<Var>(n + 1);
  for (let k = 0; k < n; k++) linArgs[k] = u.linOf(argList[k]!);
  linArgs[n] = res;
  lb.putCall(u.linVarOf(v), callee.lin, linArgs);
}
