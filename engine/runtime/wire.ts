/**
 * @file IR across the worker boundary. The IR is plain data and survives `postMessage`'s
 * structured clone (which keeps shared callees shared), except for one field: an opaque
 * function's `impl`, a JS closure that cannot be cloned. So:
 *
 * - main thread, `toWire(root)`: returns the graph with every opaque function replaced by a copy
 *   without `impl` that carries its `slot` (its position in the returned `opaques` list); only the
 *   functions that reach an opaque one are copied, the others are posted as they are.
 * - worker, `revive(root)`: makes the received clone a first-class graph of this realm, in place:
 *   fresh function ids (ids are per process, and passes key memo tables and CSE on them), types
 *   replaced by this realm's interned ones (passes compare leaf types by identity), and opaque
 *   functions given a stub `impl` (the worker only generates code; it never runs them) and a
 *   known slot, so compiled imports can be named by slot for the main thread to reattach.
 */
import { internal } from '../errors.ts';
import {
  BOOL,
  REAL,
  TAN,
  UNIT,
  finTy,
  freshFuncId,
  refTy,
  structTy,
  vecTy,
  type Block,
  type Func,
  type Instr,
  type OpaqueFunc,
  type TransparentFunc,
  type Ty,
} from '../ir/types.ts';
import { reachableFuncs } from './cache.ts';

/** An opaque function as posted: no `impl`, and its slot in the sender's `opaques` list. */
export interface WireOpaque extends Omit<OpaqueFunc, 'impl'> {
  readonly slot: number;
}

/** A program ready to post, and the opaque functions whose implementations stay behind. */
export interface Wire {
  /** The root function, structured-clonable (typed as `Func`: opaque nodes are `WireOpaque`). */
  readonly func: Func;
  /** The opaque functions of the program; `opaques[slot]` is the one with that slot. */
  readonly opaques: readonly OpaqueFunc[];
}

/** Return `root` ready to post (see the file comment). */
export function toWire(root: Func): Wire {
  const reachable = reachableFuncs(root);
  const opaques = opaquesIn(reachable);
  const reaches = reachesOpaque(reachable);
  const copies = new Map<Func, Func>();
  const copy = (f: Func): Func => {
    if (!reaches.get(f)) return f;
    let c = copies.get(f);
    if (c !== undefined) return c;
    if (f.kind === 'opaque') {
      const { impl: _impl, customJvp, ...rest } = f;
      const w: WireOpaque = { ...rest, slot: opaques.indexOf(f) };
      c = w as unknown as Func;
      copies.set(f, c);
      if (customJvp !== undefined) c.customJvp = copy(customJvp);
      return c;
    }
    const t: TransparentFunc = { ...f, body: [] };
    copies.set(f, t);
    (t as { body: Block }).body = copyBlock(f.body, copy);
    if (f.customJvp !== undefined) t.customJvp = copy(f.customJvp);
    return t;
  };
  return { func: copy(root), opaques };
}

/**
 * Return the opaque functions among `funcs` (from `reachableFuncs`), in order: slot k is the k-th.
 * The order is a function of the program's structure, so programs with the same hash agree.
 */
export function opaquesIn(funcs: readonly Func[]): OpaqueFunc[] {
  return funcs.filter((f): f is OpaqueFunc => f.kind === 'opaque');
}

/**
 * Return, for each of `funcs`, whether it reaches an opaque function (itself, a callee, a custom
 * JVP). Callees mostly come first, so one pass settles nearly everything; custom JVPs that call
 * their own function form cycles, so passes repeat until nothing changes.
 */
function reachesOpaque(funcs: readonly Func[]): Map<Func, boolean> {
  const reaches = new Map<Func, boolean>(funcs.map((f) => [f, f.kind === 'opaque']));
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of funcs) {
      if (reaches.get(f) || f.kind === 'opaque') continue;
      if ((f.customJvp !== undefined && reaches.get(f.customJvp)) || blockReaches(f.body, reaches)) {
        reaches.set(f, true);
        changed = true;
      }
    }
  }
  return reaches;
}

/** Return true when a call in `block` (or a nested block) reaches an opaque function. */
function blockReaches(block: Block, reaches: Map<Func, boolean>): boolean {
  for (const { expr } of block) {
    if (expr.kind === 'call' && reaches.get(expr.func)) return true;
    if (expr.kind === 'for' && blockReaches(expr.body, reaches)) return true;
  }
  return false;
}

/** Return `block` with every callee replaced by `copy(callee)` (instructions shared if unchanged). */
function copyBlock(block: Block, copy: (f: Func) => Func): Block {
  return block.map((instr): Instr => {
    const e = instr.expr;
    if (e.kind === 'call') {
      const func = copy(e.func);
      return func === e.func ? instr : { var: instr.var, expr: { ...e, func } };
    }
    if (e.kind === 'for') return { var: instr.var, expr: { ...e, body: copyBlock(e.body, copy) } };
    return instr;
  });
}

/** A received program, revived: its root, and the slot of each of its opaque functions. */
export interface Revived {
  readonly func: Func;
  readonly slots: ReadonlyMap<Func, number>;
}

/** Make a received clone of `toWire(...).func` a graph of this realm, in place (file comment). */
export function revive(root: Func): Revived {
  const slots = new Map<Func, number>();
  const types = new Map<Ty, Ty>();
  const canon = (t: Ty): Ty => canonicalTy(t, types);
  for (const f of reachableFuncs(root)) {
    const m = f as { -readonly [K in keyof TransparentFunc]: TransparentFunc[K] } & { impl?: unknown };
    m.id = freshFuncId();
    m.paramTypes = f.paramTypes.map(canon);
    m.retType = canon(f.retType);
    if (f.kind === 'opaque') {
      const slot = (f as unknown as WireOpaque).slot;
      if (!Number.isInteger(slot)) internal(`received opaque function ${f.name} without a slot`);
      slots.set(f, slot);
      m.impl = stubImpl(f.name);
    } else {
      m.vars = f.vars.map(canon);
    }
  }
  return { func: root, slots };
}

/** Return the implementation given to opaque functions in a worker: it must never run there. */
function stubImpl(name: string): OpaqueFunc['impl'] {
  return () => internal(`the opaque function ${name} was called inside the compile worker`);
}

/** Return this realm's canonical object for type `t` (leaves and interned kinds by identity). */
function canonicalTy(t: Ty, memo: Map<Ty, Ty>): Ty {
  switch (t.kind) {
    case 'unit':
      return UNIT;
    case 'bool':
      return BOOL;
    case 'real':
      return REAL;
    case 'tan':
      return TAN;
    case 'fin':
      return finTy(t.size);
    default:
      break;
  }
  let c = memo.get(t);
  if (c === undefined) {
    if (t.kind === 'vec') c = vecTy(t.size, canonicalTy(t.elem, memo));
    else if (t.kind === 'ref') c = refTy(canonicalTy(t.inner, memo));
    else c = structTy([...t.keys], t.members.map((m) => canonicalTy(m, memo)));
    memo.set(t, c);
  }
  return c;
}
