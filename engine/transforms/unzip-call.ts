/**
 * @file Unzip of a call (see unzip.ts): the callee is unzipped on its own (memoized), `fwd` calls
 * its forward function and keeps the callee's residuals as one residual of the calling block, and
 * `lin` calls its linear function on the arguments' linear parts and those residuals.
 */
import { internal } from '../errors.ts';
import {
  callInstr,
  isEmpty,
  memberInstr,
  primalPart,
  varTy,
  type StructTy,
  type Var,
} from '../ir/types.ts';
import type { ExprOf } from './linearity.ts';
import { RES, RET } from './unzip-shapes.ts';
import { unzip, type Unzipper } from './unzip.ts';

/** A call of g: `fwd` calls `unzip(g).fwd`, keeping its residuals; `lin` calls `unzip(g).lin`. */
export function unzipCall(u: Unzipper, v: Var, e: ExprOf<'call'>): void {
  const { fb, lb } = u;
  const g = e.func;
  if (g.kind !== 'transparent')
    internal(`unzip of ${u.f.name}: opaque ${g.name} with tangents`);
  const callee = unzip(g);
  const args = u.primArgs(e.args);
  const bundle = fb.call(callee.fwd, args);
  if (!isEmpty(primalPart(varTy(u.f, v)))) {
    fb.append(memberInstr(v, bundle, RET));
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
  const n = e.args.length;
  const linArgs = new Array<Var>(n + 1);
  for (let k = 0; k < n; k++) linArgs[k] = u.linOf(e.args[k]!);
  linArgs[n] = res;
  lb.append(callInstr(u.linVarOf(v), callee.lin, linArgs));
}
