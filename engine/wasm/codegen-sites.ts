/**
 * @file Where the values of a function's plan are stored, first pass (codegen-plan.ts): which
 * aggregates get a frame site of their own (literals, zeros, loop and cond results, accumulators,
 * call results), which are derived pointers into another value (members, fields, constant-index
 * elements, loops that only project a vec's elements), and which parts of a call's result its
 * callee builds where the caller's member instruction wants them.
 */
import { varCount, type Expr, type StructTy, type Var } from '../ir/types.ts';
import { refInner } from './codegen-abi.ts';
import { splitCond } from './codegen-condparts.ts';
import type { FuncPlan } from './codegen-plan.ts';
import { memberOffset, sizeOf, strideOf } from './layout.ts';
import { HAS_VALUE, LEAF, type Shape } from './liveness.ts';

/** Find the frame sites, derived pointers and redirected call parts of `plan`. */
export function findSites(plan: FuncPlan): void {
  redirectParts(plan, structure(plan));
}

/**
 * Find the frame sites and derived pointers of `plan` (members, fields, constant-index
 * elements); return the needed member instructions of call and cond results, in variable order.
 */
function structure(plan: FuncPlan): Var[] {
  const s = plan.shape;
  const callMembers: Var[] = [];
  for (const [v, body] of s.bodies) if (plan.needed[v] && plan.used[v]) projection(plan, v, body);
  const n = varCount(s.f);
  for (let v = 0; v < n; v++) {
    const e = s.def[v];
    if (e === undefined || !plan.needed[v]) continue;
    if (e.kind === 'member') {
      const k = s.def[e.struct]?.kind;
      if (k === 'call' || k === 'cond') callMembers.push(v);
    }
    const bits = s.tyBits[v]!;
    if (!(bits & HAS_VALUE)) continue;
    const leaf = (bits & LEAF) !== 0;
    switch (e.kind) {
      case 'vec':
      case 'struct':
        plan.site[v] = 'lit';
        break;
      case 'zero':
        if (!leaf) plan.site[v] = 'zero';
        break;
      case 'for':
        if (plan.used[v] && plan.derived[v] === undefined) plan.site[v] = 'for';
        break;
      case 'cond':
        if (plan.used[v] && !leaf) plan.site[v] = 'cond'; // each block stores its result there
        break;
      case 'accum':
        if (!plan.localAcc[v]) plan.site[v] = 'accum';
        break;
      case 'call':
        if (e.func.kind === 'transparent' && !leaf) plan.site[v] = 'call';
        break;
      case 'member':
      case 'field': {
        const st = e.kind === 'member' ? s.ty(e.struct) : refInner(s.ty(e.ref));
        const base = e.kind === 'member' ? e.struct : e.ref;
        if (st.kind === 'struct' && (e.kind === 'field' || !leaf || reloads(plan, v)))
          plan.derived[v] = { base, off: memberOffset(st, e.member) };
        break;
      }
      case 'index':
      case 'slice': {
        const base = e.kind === 'index' ? e.vec : e.ref;
        const vt = e.kind === 'index' ? s.ty(e.vec) : refInner(s.ty(e.ref));
        const c = constIndex(s, e.index);
        if (vt.kind === 'vec' && c !== undefined && c < vt.size && (e.kind === 'slice' || !leaf || reloads(plan, v)))
          plan.derived[v] = { base, off: c * strideOf(vt.elem) };
        break;
      }
      default:
        break;
    }
  }
  return callMembers;
}

/**
 * Let a call with a split result build an aggregate part where its member instruction's value
 * ends up (a site of its own, usually placed in a literal) instead of in the call's storage:
 * when the call is read only by member instructions of its block, one per part.
 */
function redirectParts(plan: FuncPlan, members: readonly Var[]): void {
  const s = plan.shape;
  const readers = new Map<Var, Var[]>();
  for (let j = 0; j < members.length; j++) {
    const m = members[j]!;
    const e = s.def[m] as Extract<Expr, { kind: 'member' }>;
    const site = plan.site[e.struct];
    if (site !== 'call' && site !== 'cond') continue;
    let list = readers.get(e.struct);
    if (list === undefined) readers.set(e.struct, (list = []));
    list.push(m);
  }
  // Map.forEach rather than for-of: no iterator results and entry arrays while this is cold
  readers.forEach((list, v) => (plan.site[v] === 'cond' ? splitCond(plan, v, list) : redirectCall(plan, v, list)));
}

/** Redirect the parts of call `v`, read by the member instructions `list` (see `redirectParts`). */
function redirectCall(plan: FuncPlan, v: Var, list: readonly Var[]): void {
  const s = plan.shape;
  const g = (s.def[v] as Extract<Expr, { kind: 'call' }>).func;
  if (list.length !== plan.reads[v] || plan.ctx.abiOf(g).dsts.length < 2) return;
  const byMember = new Map<number, Var>();
  const seen = new Set<number>();
  for (let j = 0; j < list.length; j++) {
    const m = list[j]!;
    const k = (s.def[m] as Extract<Expr, { kind: 'member' }>).member;
    const bits = s.tyBits[m]!; // of s.ty(m): not a scalar, has a value
    if (seen.has(k)) byMember.delete(k);
    else if (!(bits & LEAF) && bits & HAS_VALUE && s.block[m] === s.block[v]) byMember.set(k, m);
    seen.add(k);
  }
  byMember.forEach((m) => {
    plan.derived[m] = undefined;
    plan.site[m] = 'part';
  });
  if (byMember.size > 0) plan.parts.set(v, byMember);
  if (byMember.size === list.length && byMember.size === plan.ctx.abiOf(g).dsts.length) plan.noStorage.add(v);
}

/**
 * Recognize loop `v` when it only projects each element of a vec defined outside, `vec[i].a.b`,
 * at offset 0 of an element of the same size (unzip's loops extracting residuals, where the
 * other members are units): its result is the same bytes, so it is that vec (derived, no code),
 * and its body is not compiled.
 */
function projection(plan: FuncPlan, v: Var, body: readonly { var: Var; expr: Expr }[]): void {
  const s = plan.shape;
  const index = (s.def[v] as Extract<Expr, { kind: 'for' }>).index;
  const off = new Map<Var, number>();
  let vec = -1;
  for (let k = 0; k < body.length; k++) {
    const { var: x, expr: e } = body[k]!;
    if (!plan.needed[x]) continue;
    if (e.kind === 'index' && e.index === index && (vec < 0 || vec === e.vec) && s.block[e.vec] !== v) {
      vec = e.vec;
      off.set(x, 0);
    } else if (e.kind === 'member' && off.has(e.struct)) {
      off.set(x, off.get(e.struct)! + memberOffset(s.ty(e.struct) as StructTy, e.member));
    } else return;
  }
  const ret = (s.def[v] as Extract<Expr, { kind: 'for' }>).ret;
  const vt = vec >= 0 ? s.ty(vec) : undefined;
  if (off.get(ret) !== 0 || vt?.kind !== 'vec' || sizeOf(vt.elem) !== sizeOf(s.ty(ret))) return;
  plan.derived[v] = { base: vec, off: 0 };
  for (let k = 0; k < body.length; k++) plan.needed[body[k]!.var] = 0;
}

/**
 * Return true when scalar member or element `v` is better loaded again where it is read than
 * kept: read once, or read by another unit (memory holding values never changes, so reloading
 * beats spilling a copy).
 */
function reloads(plan: FuncPlan, v: Var): boolean {
  return plan.reads[v]! <= 1 || plan.readElsewhere[v] === 1;
}

/** Return the constant value of index `i` when it is a literal, a zero or of a size-1 type. */
export function constIndex(s: Shape, i: Var): number | undefined {
  const t = s.ty(i);
  if (t.kind === 'fin' && t.size <= 1) return 0;
  const e = s.def[i];
  if (e?.kind === 'zero') return 0;
  if (e?.kind === 'lit' && typeof e.value === 'number') return e.value;
  return undefined;
}
