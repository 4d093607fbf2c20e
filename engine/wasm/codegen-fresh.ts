/**
 * @file Fresh accumulators passed to callees (module-wide, before any function is planned).
 *
 * Transposition creates a backward function's accumulators all at its start, each filled with
 * zeros, and a call of a callee's backward function often is the first to touch one: it adds the
 * cotangent of a `fn`'s arguments into it. In the backward pass of a step function called 100
 * times that is 100 fills of the state's size up front, each cache line written twice (zeros,
 * then sums), and a load of the zero before each first add.
 *
 * When every call of a function passes, for an aggregate `ref` parameter, a new accumulator that
 * nothing touched before the call (in the call's block, whole, not also passed as another
 * argument), that parameter is "fresh": the caller does not fill the accumulator, and the callee
 * initializes it itself. The callee's first add into each element adds to the constant 0 instead
 * of a load (`0 + a`, the same bits as the add onto the zero in memory, signed zeros included),
 * and the elements it never adds to are zeroed at entry; when the callee does anything else with
 * the accumulator (passes it on, resolves it, adds in a loop or through a computed index), it
 * fills the whole of it at entry instead. See `findFreshAccumulators` and `planFreshParams`.
 */
import type { Block, Expr, Func, TransparentFunc, Ty, Var } from '../ir/types.ts';
import { isLeaf, varCount, varTy } from '../ir/types.ts';
import { forEachOperand } from '../ir/visit.ts';
import { refInner } from './codegen-abi.ts';
import { isRealRef } from './codegen-accs.ts';
import type { FuncPlan } from './codegen-plan.ts';
import { sizeOf } from './layout.ts';
import { TOP, hasCopiedLeaf } from './liveness.ts';

/** What `findFreshAccumulators` found. */
export interface FreshAccumulators {
  /** Per function with fresh parameters: 1 at the index of each. */
  readonly params: Map<Func, Uint8Array>;
  /** Per caller: the accumulators it passes fresh, so it does not fill them. */
  readonly unfilled: Map<Func, Set<Var>>;
}

/** What a parameter of a callee needs to receive a fresh accumulator: an aggregate `ref` without copied leaves. */
function isFreshable(t: Ty): boolean {
  return t.kind === 'ref' && !isLeaf(t.inner) && sizeOf(t.inner) > 0 && !hasCopiedLeaf(t.inner);
}

/** Per callee: its call sites, and per parameter how many of them pass a fresh accumulator. */
interface Sites {
  calls: number;
  readonly fresh: Int32Array;
}

/**
 * Find the fresh parameters of `funcs` (transparent functions after value numbering, keyed by the
 * function the module compiles) and the accumulators their callers need not fill.
 */
export function findFreshAccumulators(funcs: ReadonlyMap<Func, TransparentFunc>): FreshAccumulators {
  const sites = new Map<Func, Sites>();
  for (const g of funcs.keys()) {
    if (g.kind === 'transparent' && g.paramTypes.some(isFreshable)) sites.set(g, { calls: 0, fresh: new Int32Array(g.paramTypes.length) });
  }
  const passed = new Map<Func, { acc: Var; callee: Func; k: number }[]>();
  if (sites.size > 0) for (const [orig, g] of funcs) if (callsAny(g.body, sites)) passed.set(orig, scanCaller(g, sites));
  const params = new Map<Func, Uint8Array>();
  for (const [g, s] of sites) {
    if (s.calls === 0) continue;
    const fresh = new Uint8Array(s.fresh.length);
    let any = false;
    for (let k = 0; k < fresh.length; k++) if (s.fresh[k] === s.calls) (fresh[k] = 1), (any = true);
    if (any) params.set(g, fresh);
  }
  const unfilled = new Map<Func, Set<Var>>();
  for (const [f, list] of passed) {
    for (const { acc, callee, k } of list) {
      if (params.get(callee)?.[k] !== 1) continue;
      let set = unfilled.get(f);
      if (set === undefined) unfilled.set(f, (set = new Set()));
      set.add(acc);
    }
  }
  return { params, unfilled };
}

/** Return true when `block` (or a block in it) calls one of the functions of `sites`. */
function callsAny(block: Block, sites: ReadonlyMap<Func, Sites>): boolean {
  for (let k = 0; k < block.length; k++) {
    const e = block[k]!.expr;
    if ((e.kind === 'call' && sites.has(e.func)) || (e.kind === 'for' && callsAny(e.body, sites))) return true;
    if (e.kind === 'cond' && (callsAny(e.then, sites) || callsAny(e.els, sites))) return true;
  }
  return false;
}

/**
 * Walk caller `f` in program order: count its calls of the functions of `sites`, and return the
 * new accumulators it passes to their freshable parameters before anything else touches them.
 */
function scanCaller(f: TransparentFunc, sites: ReadonlyMap<Func, Sites>): { acc: Var; callee: Func; k: number }[] {
  const n = varCount(f);
  const root = new Int32Array(n).fill(-1); // the untouched new accumulator a ref projects from
  const blockOf = new Int32Array(n); // the block of each untouched new accumulator
  const whole = new Uint8Array(n); // refs covering all bytes of their accumulator
  const out: { acc: Var; callee: Func; k: number }[] = [];
  const touch = (x: Var): void => {
    const r = root[x]!;
    if (r >= 0) root[r] = -1; // touched: no longer fresh (its projections see -1 through root[r])
  };
  const rootOf = (x: Var): Var => {
    const r = root[x]!;
    return r >= 0 && root[r] === r ? r : -1;
  };
  const walk = (block: Block, id: number): void => {
    for (let i = 0; i < block.length; i++) {
      const { var: v, expr: e } = block[i]!;
      if (e.kind === 'accum') {
        const t = varTy(f, v);
        if (isFreshable(t)) (root[v] = v), (blockOf[v] = id), (whole[v] = 1);
      } else if ((e.kind === 'field' || e.kind === 'slice') && rootOf(e.ref) >= 0) {
        const r = rootOf(e.ref);
        root[v] = r;
        whole[v] = whole[e.ref]! && sizeOf(refInner(varTy(f, v))) === sizeOf(refInner(varTy(f, r))) ? 1 : 0;
      } else if (e.kind === 'call') call(e.func, e.args, id);
      else if (e.kind === 'for') walk(e.body, v);
      else if (e.kind === 'cond') {
        // a call in a block may not run: an accumulator from outside is not fresh there (its block differs)
        touch(e.cond);
        walk(e.then, v);
        walk(e.els, n + v);
      } else forEachOperand(e, touch);
    }
  };
  const call = (g: Func, args: readonly Var[], id: number): void => {
    const s = sites.get(g);
    if (s !== undefined) {
      s.calls++;
      for (let k = 0; k < args.length; k++) {
        const r = rootOf(args[k]!);
        if (r < 0 || !whole[args[k]!] || blockOf[r] !== id || !isFreshable(g.paramTypes[k]!)) continue;
        if (args.some((a, j) => j !== k && rootOf(a) === r)) continue;
        s.fresh[k]!++;
        out.push({ acc: r, callee: g, k });
      }
    }
    for (let k = 0; k < args.length; k++) touch(args[k]!);
  };
  walk(f.body, TOP);
  return out;
}

/** What a callee does with its fresh parameters (see `planFreshParams`). */
export interface FreshInit {
  /** The parameter. */
  readonly param: Var;
  /** Byte offsets of the f64 elements to zero at entry, or undefined to fill the whole. */
  readonly zero: readonly number[] | undefined;
}

/** Most elements zeroed one by one at entry (more: one fill of the whole). */
const MAX_ZERO_STORES = 32;

/**
 * Plan the initialization of the fresh parameters of `plan`'s function (`fresh`: 1 per fresh
 * parameter index): mark the first add into each element in `plan.firstAdd`, and return what to
 * zero at entry.
 */
export function planFreshParams(plan: FuncPlan, fresh: Uint8Array): FreshInit[] {
  const inits: FreshInit[] = [];
  const params = plan.shape.f.params;
  for (let k = 0; k < params.length; k++) {
    if (fresh[k] !== 1) continue;
    const p = params[k]!;
    const firsts = firstAdds(plan, p);
    if (firsts === undefined) {
      inits.push({ param: p, zero: undefined });
      continue;
    }
    const size = sizeOf(refInner(plan.ty(p)));
    const zero: number[] = [];
    for (let off = 0; off < size; off += 8) if (!firsts.offsets.has(off)) zero.push(off);
    inits.push({ param: p, zero: zero.length > MAX_ZERO_STORES ? undefined : zero });
    const marks = (plan.firstAdd ??= new Uint8Array(varCount(plan.shape.f)));
    for (const a of firsts.adds) marks[a] = 1;
  }
  return inits;
}

/**
 * Return the first add into each element of accumulator parameter `p` and the elements' offsets,
 * when all it does with `p` is scalar adds at constant offsets in the function's top block;
 * undefined otherwise.
 */
function firstAdds(plan: FuncPlan, p: Var): { adds: Var[]; offsets: Set<number> } | undefined {
  const s = plan.shape;
  const { rX, rUser, rBlock } = s;
  const adds: Var[] = [];
  const offsets = new Set<number>();
  for (const i of plan.refReads) {
    const x = rX[i]!;
    if (plan.root[x] !== p) continue;
    const user = rUser[i]!;
    const e: Expr | undefined = user >= 0 ? s.def[user] : undefined;
    if ((e?.kind === 'field' || e?.kind === 'slice') && e.ref === x) {
      if (plan.derived[user] === undefined) return undefined; // a computed index
      continue;
    }
    if (e?.kind !== 'add' || e.ref !== x || !isRealRef(plan, x) || rBlock[i] !== TOP) return undefined;
    let off = 0;
    let b = x;
    for (let d = plan.derived[b]; d !== undefined; d = plan.derived[b]) (off += d.off), (b = d.base);
    if (b !== p) return undefined;
    if (!offsets.has(off)) offsets.add(off), adds.push(user);
  }
  return { adds, offsets };
}
