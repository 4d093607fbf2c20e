/**
 * @file Unzip of a `cond` (see unzip.ts): `fwd` runs the taken block's primal part and keeps that
 * block's residuals; `lin` branches on the same condition (a residual, like a select's) over the
 * two linear blocks, each first reading its own residuals. The untaken block does no work in
 * either pass; and what `lin` computes or reads for one block only moves into it (`sinkIntoConds`
 * on `lin`, as jvp.ts does on its output), so that its transpose does no work for the other.
 *
 * Residual layout: a cond whose blocks store residuals yields `{res, ret}` from `fwd`, where
 * `res` is the residual struct of the block that stores any, or when both do, a struct of both
 * (`r0` then-block, `r1` else-block); the taken block fills its own and a `zero` for the other's. So
 * types stay static (no tape, no union), and `res` is one residual of the enclosing block. The
 * zero costs a fill of the other block's residual struct: a few scalars in the usual case (a
 * block that skips expensive work stores little), more when the other block holds a loop.
 */
import { internal } from '../errors.ts';
import {
  isEmpty,
  memberInstr,
  primalPart,
  varTy,
  type Expr,
  type Instr,
  type StructTy,
  type Ty,
  type Var,
} from '../ir/types.ts';
import type { ExprOf } from './linearity.ts';
import { RES, RET, bundleTy, hasAdd, residualTy } from './unzip-shapes.ts';
import type { Unzipper, UnzipFrame } from './unzip.ts';

/** One block of a cond, unzipped: its `fwd` and `lin` instructions, results and residuals. */
interface Branch {
  readonly fwd: Instr[];
  readonly lin: Instr[];
  readonly retP: Var;
  readonly retL: Var;
  readonly frame: UnzipFrame;
  /** The type of its residual struct; undefined when it stores none. */
  resTy?: StructTy;
}

/** Unzip `block` (result `ret`) into new blocks of `fwd` and `lin`, with a residual frame. */
function branch(u: Unzipper, block: readonly Instr[], ret: Var): Branch {
  const { frame, retP, retL } = u.openBlock(block, ret);
  const fwd = u.fb.endBlock() as Instr[];
  const lin = u.lb.endBlock() as Instr[];
  const out: Branch = { fwd, lin, retP, retL, frame };
  if (frame.stored.length > 0) out.resTy = u.resTy(frame);
  return out;
}

/**
 * Append to each block of `fwd` its `{res, ret}`: its own residual struct, a zero for the
 * other's (see the file comment), both in one struct of type `resTy` when both blocks store.
 * Return the variables yielded, in block order.
 */
function bundles(u: Unzipper, sides: readonly Branch[], resTy: StructTy, bundle: StructTy): Var[] {
  const { fb, usesF } = u;
  const both = sides.every((s) => s.resTy !== undefined);
  return sides.map((side) => {
    const parts: Var[] = [];
    for (const other of sides) {
      if (other.resTy === undefined) continue;
      const r = fb.fresh(other.resTy);
      const expr: Expr = other === side ? u.resStruct(side.frame) : { kind: 'zero' };
      side.fwd.push({ var: r, expr });
      parts.push(r);
      usesF.read(r);
    }
    let res = parts[0]!;
    if (both) side.fwd.push({ var: (res = fb.fresh(resTy)), expr: { kind: 'struct', members: parts } });
    const out = fb.fresh(bundle);
    side.fwd.push({ var: out, expr: { kind: 'struct', members: [res, side.retP] } });
    usesF.read(res);
    usesF.read(out);
    return out;
  });
}

/** Unzip `v = cond(c) { then } else { els }`, which touches linear values (see file comment). */
export function unzipCond(u: Unzipper, v: Var, e: ExprOf<'cond'>): void {
  const t = varTy(u.f, v);
  if (t.kind === 'ref') return internal(`unzip of ${u.f.name}: a cond yielding a ref`);
  u.blocksSeen = true; // the counts of `Uses` do not see these blocks: `prune` walks
  u.linConds = true;
  const c = u.primOf(e.cond);
  const sides = [branch(u, e.then, e.thenRet), branch(u, e.els, e.elsRet)] as const;
  const heads = fwdCond(u, v, t, c, sides);
  const cL = u.resOf(e.cond);
  const [then, els] = sides.map((s, k) => heads[k]!.concat(s.frame.remat, s.lin));
  const w = u.linVarOf(v);
  const expr: Expr = { kind: 'cond', cond: cL, then: then!, thenRet: sides[0].retL, els: els!, elsRet: sides[1].retL };
  u.lb.append({ var: w, expr });
  if (hasAdd(then!, u.usesL) || hasAdd(els!, u.usesL)) u.usesL.keep(w);
}

/**
 * Emit the `fwd` cond of `v` (of type `t`, on condition `c`) from its unzipped blocks, storing
 * its residuals in the enclosing block's frame; return the instructions each `lin` block starts
 * with to read its own residuals.
 */
function fwdCond(u: Unzipper, v: Var, t: Ty, c: Var, sides: readonly [Branch, Branch]): Instr[][] {
  const { fb, lb } = u;
  const [then, els] = sides;
  const effect = hasAdd(then.fwd, u.usesF) || hasAdd(els.fwd, u.usesF);
  const storing = sides.filter((s) => s.resTy !== undefined);
  if (storing.length === 0) {
    const expr: Expr = { kind: 'cond', cond: c, then: then.fwd, thenRet: then.retP, els: els.fwd, elsRet: els.retP };
    fb.append({ var: v, expr });
    u.hasPrim[v] = 1;
    if (effect) u.usesF.keep(v);
    return [[], []];
  }
  const resTy = storing.length === 1 ? storing[0]!.resTy! : residualTy(storing.map((s) => s.resTy as Ty));
  const bundle = bundleTy(resTy, primalPart(t));
  const [thenRet, elsRet] = bundles(u, sides, resTy, bundle) as [Var, Var];
  const expr: Expr = { kind: 'cond', cond: c, then: then.fwd, thenRet, els: els.fwd, elsRet };
  const out = fb.emit(expr, bundle);
  u.usesF.read(out);
  if (effect) u.usesF.keep(out);
  if (!isEmpty(primalPart(t))) {
    fb.append(memberInstr(v, out, RET));
    u.hasPrim[v] = 1;
  }
  const resL = u.store(fb.member(out, RES), u.frames.length);
  u.usesL.read(resL);
  // in `lin`, each storing block first reads its residuals out of `resL` (or of its member)
  return sides.map((side) => {
    const k = storing.indexOf(side);
    if (k < 0) return [];
    if (storing.length === 1) return u.readsOf(side.frame, resL);
    const mine = lb.fresh(side.resTy!);
    u.usesL.read(mine);
    return [memberInstr(mine, resL, k), ...u.readsOf(side.frame, mine)];
  });
}
