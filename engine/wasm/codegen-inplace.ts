/**
 * @file Arguments built in place (part of the plan, codegen-plan.ts).
 *
 * A forward function often saves an aggregate parameter as a residual: the step of a simulation
 * puts its input state into its residual struct, which it builds at its destination in the
 * caller's storage, so each call copies the whole state. The callee says which params it copies
 * into which part of its result (`paramCopies`, kept in `FuncAbi.paramAt` once it is planned);
 * a caller whose argument is read by nothing else builds it right there, in the storage of that
 * part of the call's result (`placeArguments`), and the callee's copy, of the bytes onto
 * themselves, is skipped (codegen-mem.ts `copyUnlessSame`). In a chain of steps, each step's
 * state is built by the previous step straight inside the next step's residuals.
 */
import type { Expr, StructTy, Var } from '../ir/types.ts';
import { DST, type ParamCopy } from './codegen-abi.ts';
import type { FuncPlan } from './codegen-plan.ts';
import { memberOffset, strideOf } from './layout.ts';
import { LEAF } from './liveness.ts';

/**
 * Return the aggregate params of `plan`'s function copied into a part of its result built at
 * its destination: members, not built in place, of a literal built at a destination.
 */
export function paramCopies(plan: FuncPlan): ParamCopy[] {
  const s = plan.shape;
  const out: ParamCopy[] = [];
  const dsts = plan.abi.dsts;
  const ret = s.f.ret;
  const retDef = s.def[ret];
  for (let j = 0; j < dsts.length; j++) {
    let v = ret;
    if (dsts[j]!.member >= 0) {
      if (ret !== plan.splitRet || retDef?.kind !== 'struct') break;
      v = retDef.members[dsts[j]!.member]!;
    }
    const h = plan.home[v]!;
    const e = s.def[v];
    if (h.k !== 'frame' || h.base !== DST - j || h.off !== 0 || (e?.kind !== 'struct' && e?.kind !== 'vec')) continue;
    const t = s.ty(v);
    const xs = e.kind === 'vec' ? e.elems : e.members;
    for (let q = 0; q < xs.length; q++) {
      const k = s.f.params.indexOf(xs[q]!);
      if (k < 0 || plan.covered.get(v)?.has(q) || s.tyBits[xs[q]!]! & LEAF) continue;
      out.push({ param: k, part: j, off: t.kind === 'vec' ? q * strideOf(t.elem) : memberOffset(t as StructTy, q) });
    }
  }
  return out;
}

/**
 * Place each argument of `calls` that its callee copies into a part of its result (see the file
 * comment) in the storage of that part, when only the call reads it (or the storage its bytes
 * are all of, through `sameBytes`), in the call's block, and `placeable` allows it.
 */
export function placeArguments(plan: FuncPlan, calls: readonly Var[], placeable: (x: Var) => boolean, sameBytes: (x: Var) => Var): void {
  const s = plan.shape;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    const e = s.def[c] as Extract<Expr, { kind: 'call' }>;
    const abi = plan.ctx.abiOf(e.func, plan.ptrCalls.has(c) ? 'ptr' : 'value');
    const copies = abi.paramAt;
    if (copies === undefined) continue;
    for (let j = 0; j < copies.length; j++) {
      const copy: ParamCopy = copies[j]!;
      const { param, part, off } = copy;
      const arg = e.args[param]!;
      if (e.args.indexOf(arg) !== param || e.args.lastIndexOf(arg) !== param || plan.reads[arg] !== 1) continue;
      // the storage holding the argument's bytes: itself, or what it is all of (a member at 0)
      let x = arg;
      for (let b = sameBytes(x); b >= 0 && plan.reads[b] === 1 && s.block[b] === s.block[c]; b = sameBytes(x)) x = b;
      const member: number = abi.dsts[part]!.member;
      const m = member < 0 ? c : plan.parts.get(c)?.get(member);
      if (m === undefined || plan.site[m] === undefined || plan.noStorage.has(m)) continue;
      if (!placeable(x) || x === s.f.ret || s.block[x] !== s.block[c]) continue;
      plan.place[x] = { into: m, off };
    }
  }
}
