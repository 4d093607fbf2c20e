/**
 * @file Conds with a split result (part of the plan, codegen-plan.ts, and of the code for conds).
 *
 * A cond whose aggregate result is only taken apart by member instructions of its block (unzip's
 * `{res, ret}` of a cond in a forward pass: the residuals go into the residual struct, the
 * primal result is used) has no storage of its own, or only for its members that are not parts:
 * each such member instruction is a frame site of its own (a "part", usually placed in the
 * literal it ends up in, as a call's split result is), and each block of the cond builds the
 * members of its result there. A block result that is a literal read only by the block's end has
 * no storage either ("split literal"): its members are built or stored in the parts.
 */
import type { Expr, StructTy, Var } from '../ir/types.ts';
import { hasValue, type Target } from './codegen-abi.ts';
import type { Emitter } from './codegen-emit.ts';
import type { FuncPlan } from './codegen-plan.ts';
import { type Addr, copy, offsetAddr } from './codegen-mem.ts';
import { memberOffset } from './layout.ts';
import { HAS_VALUE, LEAF } from './liveness.ts';

/**
 * Split the result of cond `v` when it is read only by the member instructions `list` (see the
 * file comment): each non-scalar member read by exactly one of them, in the cond's block,
 * becomes that instruction's own storage.
 */
export function splitCond(plan: FuncPlan, v: Var, list: readonly Var[]): void {
  const s = plan.shape;
  const t = s.ty(v);
  if (t.kind !== 'struct' || list.length !== plan.reads[v]) return;
  const byMember = new Map<number, Var>();
  const seen = new Set<number>();
  for (let j = 0; j < list.length; j++) {
    const m = list[j]!;
    const k = (s.def[m] as Extract<Expr, { kind: 'member' }>).member;
    const bits = s.tyBits[m]!;
    if (seen.has(k)) byMember.delete(k);
    else if (!(bits & LEAF) && bits & HAS_VALUE && s.block[m] === s.block[v]) byMember.set(k, m);
    seen.add(k);
  }
  if (byMember.size === 0) return;
  byMember.forEach((m) => {
    plan.derived[m] = undefined;
    plan.site[m] = 'part';
  });
  plan.parts.set(v, byMember);
  if (byMember.size === t.members.filter(hasValue).length) plan.noStorage.add(v);
}

/**
 * Let block result `ret` of split cond `v`, in block `id`, be a split literal (see the file
 * comment): a struct literal of that block read only by the block's end.
 */
export function splitArm(plan: FuncPlan, v: Var, ret: Var, id: number): void {
  const s = plan.shape;
  if (s.block[ret] !== id || plan.site[ret] !== 'lit' || plan.reads[ret] !== 1 || plan.place[ret] !== undefined) return;
  plan.place[ret] = { into: v, off: 0 };
  plan.splitLits.set(ret, v);
}

/** Return the member of split cond `v`'s result starting at byte `off` (-1: none). */
function memberAt(plan: FuncPlan, v: Var, off: number): number {
  const t = plan.shape.ty(v) as StructTy;
  for (let k = 0; k < t.members.length; k++) if (memberOffset(t, k) === off && hasValue(t.members[k]!)) return k;
  return -1;
}

/**
 * Return where byte `off` of split literal `lit` is: the start of a part (found by `offOf`), else
 * that byte of its cond's own storage.
 */
export function splitTarget(plan: FuncPlan, lit: Var, off: number, offOf: (v: Var) => Target): Target {
  const v = plan.splitLits.get(lit)!;
  const m = plan.parts.get(v)!.get(memberAt(plan, v, off));
  if (m !== undefined) return offOf(m);
  const at = offOf(v);
  return { base: at.base, off: at.off + off };
}

/** Return the address member `k` of split cond `v`'s result is built at. */
export function partAddr(em: Emitter, v: Var, k: number): Addr {
  const m = em.plan.parts.get(v)!.get(k);
  return m !== undefined ? em.ptr(m) : offsetAddr(em.ptr(v), memberOffset(em.ty(v) as StructTy, k));
}

/** Store the members of split literal `lit` of cond `v` not built in place into their parts. */
export function splitLiteral(em: Emitter, lit: Var, v: Var, xs: readonly Var[]): void {
  const covered = em.plan.covered.get(lit);
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    if (!covered?.has(k) && em.plan.shape.tyBits[x]! & HAS_VALUE) em.storeInto(partAddr(em, v, k), x);
  }
}

/** Copy each member of block result `ret` into its part of split cond `v`. */
export function storeParts(em: Emitter, v: Var, ret: Var): void {
  const t = em.ty(v) as StructTy;
  const src = em.ptr(ret);
  for (let k = 0; k < t.members.length; k++) {
    const mt = t.members[k]!;
    if (hasValue(mt)) copy(em.code, partAddr(em, v, k), offsetAddr(src, memberOffset(t, k)), mt);
  }
}
