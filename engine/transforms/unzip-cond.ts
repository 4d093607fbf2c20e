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
import type { DenseBuilder, DetachedBlock } from '../ir/dense-builder.ts';
import { OP_MEMBER } from '../ir/dense.ts';
import { isEmpty, primalPart, type StructTy, type Ty, type Var } from '../ir/types.ts';
import { RES, RET, bundleTy, hasAdd, residualTy } from './unzip-shapes.ts';
import type { Unzipper, UnzipFrame } from './unzip.ts';
import type { Uses } from './uses.ts';

/** One block of a cond, unzipped: its `fwd` and `lin` blocks (detached), results, residuals. */
interface Branch {
  readonly fwd: DetachedBlock;
  readonly lin: DetachedBlock;
  readonly retP: Var;
  readonly retL: Var;
  readonly frame: UnzipFrame;
  /** The type of its residual struct; undefined when it stores none. */
  resTy?: StructTy;
}

/** Unzip block `k` into new blocks of `fwd` and `lin`, detached, with a residual frame. */
function branch(u: Unzipper, k: number): Branch {
  const { frame, retP, retL } = u.openBlock(k);
  const fwd = u.fb.detachBlock();
  const lin = u.lb.detachBlock();
  const out: Branch = { fwd, lin, retP, retL, frame };
  if (frame.stored.length > 0) out.resTy = u.resTy(frame);
  return out;
}

/** Return true when detached `block` of `b` holds an `add`, or a loop or cond with one. */
function detachedHasAdd(b: DenseBuilder, block: DetachedBlock, uses: Uses): boolean {
  return hasAdd(b, block.vars.data, uses, block.vars.length);
}

/**
 * End each block of `fwd` with its `{res, ret}`: its own residual struct, a zero for the
 * other's (see the file comment), both in one struct of type `resTy` when both blocks store.
 * Return the blocks' ids, in block order.
 */
function bundles(u: Unzipper, sides: readonly Branch[], resTy: StructTy, bundle: StructTy): number[] {
  const { fb, usesF } = u;
  const both = sides.every((s) => s.resTy !== undefined);
  return sides.map((side) => {
    fb.resumeBlock(side.fwd);
    const parts: Var[] = [];
    for (const other of sides) {
      if (other.resTy === undefined) continue;
      const r = other === side ? fb.struct(side.frame.stored, other.resTy) : fb.zero(other.resTy);
      parts.push(r);
      usesF.read(r);
    }
    const res = both ? fb.struct(parts, resTy) : parts[0]!;
    const out = fb.struct([res, side.retP], bundle);
    usesF.read(res);
    usesF.read(out);
    return fb.endBlock(out);
  });
}

/** Unzip cond `v`, which touches linear values (see the file comment). */
export function unzipCond(u: Unzipper, v: Var): void {
  const { f, lb } = u;
  const t = u.ty(v);
  if (t.kind === 'ref') return internal(`unzip of ${f.name}: a cond yielding a ref`);
  u.blocksSeen = true; // the counts of `Uses` do not see these blocks: `prune` walks
  u.linConds = true;
  const cond = f.a[v]!;
  const c = u.primOf(cond);
  const sides = [branch(u, f.b[v]!), branch(u, f.c[v]!)] as const;
  const heads = fwdCond(u, v, t, c, sides);
  const cL = u.resOf(cond);
  const [then, els] = sides.map((s, k) => {
    lb.resumeBlock(s.lin);
    lb.insertAt(0, heads[k]!.concat(s.frame.remat));
    return lb.endBlock(s.retL);
  });
  const w = u.linVarOf(v);
  lb.defineCond(w, cL, then!, els!);
  if (hasAdd(lb, lb.closedBlock(then!), u.usesL) || hasAdd(lb, lb.closedBlock(els!), u.usesL)) u.usesL.keep(w);
}

/**
 * Emit the `fwd` cond of `v` (of type `t`, on condition `c`) from its unzipped blocks, storing
 * its residuals in the enclosing block's frame; return the variables each `lin` block starts
 * with to read its own residuals (put, not placed).
 */
function fwdCond(u: Unzipper, v: Var, t: Ty, c: Var, sides: readonly [Branch, Branch]): Var[][] {
  const { fb, lb } = u;
  const [then, els] = sides;
  const effect = detachedHasAdd(fb, then.fwd, u.usesF) || detachedHasAdd(fb, els.fwd, u.usesF);
  const storing = sides.filter((s) => s.resTy !== undefined);
  if (storing.length === 0) {
    const end = (side: Branch) => {
      fb.resumeBlock(side.fwd);
      return fb.endBlock(side.retP);
    };
    fb.defineCond(v, c, end(then), end(els));
    u.hasPrim[v] = 1;
    if (effect) u.usesF.keep(v);
    return [[], []];
  }
  const resTy = storing.length === 1 ? storing[0]!.resTy! : residualTy(storing.map((s) => s.resTy as Ty));
  const bundle = bundleTy(resTy, primalPart(t));
  const [thenBlock, elsBlock] = bundles(u, sides, resTy, bundle) as [number, number];
  const out = fb.emitCond(c, thenBlock, elsBlock, bundle);
  u.usesF.read(out);
  if (effect) u.usesF.keep(out);
  if (!isEmpty(primalPart(t))) {
    fb.define(v, OP_MEMBER, out, RET);
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
    return [lb.put(mine, OP_MEMBER, resL, k), ...u.readsOf(side.frame, mine)];
  });
}
