/**
 * @file Frame layout for wasm codegen (part of the plan, codegen-plan.ts). Everything in a frame
 * is static: a function's frame holds its own fresh aggregates, accumulator storage and spill
 * slots, then one call area shared by all its callees' frames (results are built in the caller's
 * storage, never in a callee's frame).
 */
import { RoseError, formatMessage } from '../errors.ts';
import { varCount, type Expr, type Var } from '../ir/types.ts';
import { DST, SP, refInner, type Target } from './codegen-abi.ts';
import { splitTarget } from './codegen-condparts.ts';
import { type FuncPlan, newArray } from './codegen-plan.ts';
import { F64 } from './encoder.ts';
import { MAX_MEMORY_BYTES, alignOf, formatBytes, roundUp, sizeOf } from './layout.ts';
import { TOP } from './liveness.ts';

/**
 * Assign the frame offsets of `plan`: frame sites (each block's own allocations, then its loop
 * bodies and cond blocks, which share one region), spill slots, cells for `ptr` calls, the
 * shared call area; then resolve placements into homes and early-store targets.
 */
export function layoutFrame(plan: FuncPlan): void {
  const siteOff = allocate(plan);
  checkSize(plan);
  resolve(plan, siteOff);
}

/** Allocate every frame site, slot and cell; set `callArea` and `frameSize`; return site offsets. */
function allocate(plan: FuncPlan): number[] {
  const s = plan.shape;
  let cursor = 0;
  let top = 0;
  let callArea = 0;
  const siteOff = new Array<number>(varCount(s.f)).fill(-1);
  const alloc = (size: number, align: number): number => {
    const off = roundUp(cursor, align);
    cursor = off + size;
    top = Math.max(top, cursor);
    return off;
  };
  const spill = (v: Var): void => {
    const h = plan.home[v]!;
    if (h.k === 'spill') plan.home[v] = { k: 'spill', off: alloc(h.t === F64 ? 8 : 4, h.t === F64 ? 8 : 4), t: h.t };
    if (h.k === 'frame' && plan.site[v] === undefined) siteOff[v] = alloc(8, 8); // demoted inout param
  };
  for (const p of s.f.params) spill(p);
  if (plan.anchorCount > 0) plan.anchorOff = alloc(8, 8);
  if (plan.units.all.length > 0) plan.dstSpill = plan.abi.dsts.map(() => alloc(4, 4));
  const block = (instrs: readonly { var: Var; expr: Expr }[]): void => {
    for (let k = 0; k < instrs.length; k++) {
      const { var: v, expr: e } = instrs[k]!;
      if (!plan.needed[v]) continue;
      if (plan.site[v] !== undefined && plan.place[v] === undefined && plan.home[v]!.k !== 'none') {
        const t = refInner(s.ty(v)); // accumulator storage holds the inner value
        siteOff[v] = alloc(sizeOf(t), alignOf(t));
      }
      spill(v);
      if (e.kind === 'call' && e.func.kind === 'transparent') {
        const cells = plan.ptrCalls.get(v);
        const abi = plan.ctx.abiOf(e.func, cells ? 'ptr' : 'value');
        if (cells !== undefined)
          for (let j = 0; j < e.args.length; j++) {
            const a = e.args[j]!;
            if (abi.params[j] === 'i32' && plan.localAcc[a] && !cells.has(a)) cells.set(a, alloc(8, 8));
          }
        callArea = Math.max(callArea, abi.frameSize);
      }
    }
    for (let k = 0; k < instrs.length; k++) {
      const { var: v, expr: e } = instrs[k]!;
      if (!plan.needed[v]) continue;
      const mark = cursor;
      if (e.kind === 'cond') {
        // alternatives: the two blocks share the region
        block(e.then);
        cursor = mark;
        block(e.els);
        cursor = mark;
        continue;
      }
      if (e.kind !== 'for') continue;
      spill(e.index);
      if (plan.elemSpill.has(v) && splitWithin(plan, v)) plan.elemSpill.set(v, alloc(4, 4));
      block(e.body);
      cursor = mark;
    }
  };
  block(s.f.body);
  plan.callArea = roundUp(top, 8);
  plan.frameSize = plan.callArea + callArea;
  return siteOff;
}

/** Turn placements into final `base + off` frame homes and early-store targets. */
function resolve(plan: FuncPlan, siteOff: readonly number[]): void {
  // inside the split result, byte offset `off` starts a part: its own destination
  const dsts = plan.abi.dsts;
  const partAt = (off: number): Target => ({ base: DST - dsts.findIndex((d) => d.off === off), off: 0 });
  // each value's target once: chains of placements (a scalar stored early in a literal placed in
  // a literal placed ...) share their tails
  const known = newArray<Target>(plan.home.length);
  const offOf = (v: Var): Target => known[v] ?? (known[v] = targetOf(v));
  const targetOf = (v: Var): Target => {
    const p = plan.place[v];
    if (p === undefined) return { base: SP, off: siteOff[v]! };
    if (p.base === DST) return { base: DST, off: 0 };
    if (p.base === 'elem') return { base: p.into, off: 0 };
    return within(p.into, p.off);
  };
  // byte `off` of aggregate `into`: a part of a split result, else that byte of its storage
  const within = (into: Var, off: number): Target => {
    if (into === plan.splitRet) return partAt(off);
    if (plan.splitLits.size > 0 && plan.splitLits.has(into)) return splitTarget(plan, into, off, offOf);
    const at = offOf(into);
    return { base: at.base, off: at.off + off };
  };
  for (let v = 0; v < plan.home.length; v++) {
    const h = plan.home[v]!;
    if (h.k !== 'frame') continue;
    if (plan.splitLits.size > 0 && plan.splitLits.has(v)) plan.home[v] = { k: 'none' }; // built in the parts
    else if (plan.place[v] === undefined) plan.home[v] = { k: 'frame', base: SP, off: siteOff[v]! }; // offOf's, without a target
    else {
      const at = offOf(v);
      plan.home[v] = { k: 'frame', base: at.base, off: at.off };
    }
  }
  for (let x = 0; x < plan.earlyAt.length; x++) {
    const t = plan.earlyAt[x];
    if (t !== undefined) plan.early[x] = within(t.into, t.off);
  }
}

/** Return true when loop `v`'s body, or a block inside it, is split into chunks. */
function splitWithin(plan: FuncPlan, v: Var): boolean {
  for (const id of plan.units.chunks.keys())
    for (let b = id; b !== TOP; b = plan.shape.parent(b)) if (b === v) return true;
  return false;
}

/** Refuse a frame larger than the memory limit. */
function checkSize(plan: FuncPlan): void {
  const max = Math.min(plan.ctx.maxBytes, MAX_MEMORY_BYTES);
  if (plan.frameSize > max)
    throw new RoseError(
      'unsupported',
      formatMessage(
        `the program needs ${formatBytes(plan.frameSize)} of wasm memory, more than the ${formatBytes(max)} a 32-bit wasm memory can address (V8 may allow less)`,
        `function ${plan.shape.f.name}`,
        'Use smaller vectors, or fewer/lighter calls inside loops',
      ),
    );
}
