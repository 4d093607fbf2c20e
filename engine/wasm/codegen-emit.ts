/**
 * @file The emitter of one unit (a compiled IR function, or one chunk of it): reads values from
 * their homes, defines values into their homes, allocates and releases locals by liveness, and
 * dispatches each instruction to its rule (codegen-instrs.ts, codegen-prims.ts).
 */
import { internal } from '../errors.ts';
import { varCount, type Block, type Expr, type Func, type Ty, type Var } from '../ir/types.ts';
import { Code, F64, I32, Op, type ValType } from './encoder.ts';
import { SP, dstPart, type FuncAbi, type Target, type Variant, hasValue } from './codegen-abi.ts';
import { type FuncPlan, newArray } from './codegen-plan.ts';
import { type Addr, type Helpers, copy, loadLeaf, offsetAddr, storeLeaf } from './codegen-mem.ts';
import { HAS_VALUE, LEAF, REAL } from './liveness.ts';
import { Slots } from './slots.ts';

/** What an emitter needs from the module being built. */
export interface ModuleCtx {
  /** Return the calling convention of a function of the module, in a variant. */
  abiOf(g: Func, variant?: Variant): FuncAbi;
  /** Return the function index of a math function `(f64...) -> f64` (exp, log, ...). */
  math(name: string): number;
  readonly helpers: Helpers;
}

/** Scalars loaded from memory (spilled, or members and elements) kept in locals at once. */
export const LOAD_CACHE = 4;

/**
 * The addresses `Emitter.ptr` made for the variables of one function, shared by the emitters of
 * its units: each entry belongs to the unit that made it (an address may read that unit's
 * locals), so a function split into many chunks keeps one table, not one per chunk.
 */
export class AddrCache {
  readonly #addrs: (Addr | undefined)[];
  readonly #unit: Int32Array;

  /** Make the cache of `plan`'s function (its unit table comes from the plan's scratch pool). */
  constructor(plan: FuncPlan) {
    const vars = varCount(plan.shape.f);
    this.#addrs = newArray(vars); // one elements kind in every cache
    this.#unit = plan.scratch.i32(vars, -1);
  }

  /** Return the address unit `unit` made for `v`, if any. */
  get(v: Var, unit: number): Addr | undefined {
    return this.#unit[v] === unit ? this.#addrs[v] : undefined;
  }

  /** Record `a` as the address unit `unit` made for `v`. */
  set(v: Var, unit: number, a: Addr): void {
    this.#addrs[v] = a;
    this.#unit[v] = unit;
  }
}

/** Emits the code of one unit. */
export class Emitter {
  readonly code = new Code();
  readonly slots: Slots;
  /** The local holding each variable (when its home is `local`), else -1. */
  readonly slot: Int32Array;
  /** The local holding the frame pointer. */
  readonly sp: number;
  readonly ctx: ModuleCtx;
  readonly plan: FuncPlan;
  readonly unit: number;
  /** Wasm function index of each unit's function (unit 0 = the function itself). */
  readonly unitIndex: readonly number[];
  readonly #instr: (em: Emitter, v: Var, e: Expr) => void;
  readonly #compute: (em: Emitter, v: Var, e: Expr) => void;
  /** The local holding the current element's address of each loop built in place, in this unit. */
  readonly elemLocal = new Map<Var, number>();
  /** The local holding the running sum of each open add run, by the run's first add. */
  readonly runLocal = new Map<Var, number>();
  /** Locals holding pointers loaded from frame slots in this unit, by slot offset. */
  readonly #spillCache = new Map<number, number>();
  /** Scalars loaded from memory and kept in locals: pairs of variable and local (see `#cache`). */
  readonly #loadCache: number[] = [];
  /** The addresses `ptr` returned (this unit's entries). */
  readonly #addrs: AddrCache;

  constructor(
    ctx: ModuleCtx,
    plan: FuncPlan,
    unit: number,
    unitIndex: readonly number[],
    addrs: AddrCache,
    instr: (em: Emitter, v: Var, e: Expr) => void,
    compute: (em: Emitter, v: Var, e: Expr) => void,
  ) {
    this.ctx = ctx;
    this.plan = plan;
    this.unit = unit;
    this.unitIndex = unitIndex;
    this.#instr = instr;
    this.#compute = compute;
    const nParams = unit === 0 ? plan.abi.nWasmParams : 1;
    this.sp = nParams - 1;
    this.slots = new Slots(nParams);
    this.slot = plan.slot;
    this.#addrs = addrs;
  }

  /** Return the type of `v`. */
  ty(v: Var): Ty {
    return this.plan.ty(v);
  }

  /** Return the wasm type of `v`'s value (f64 for reals and f64-held accumulators). */
  valType(v: Var): ValType {
    return this.plan.shape.tyBits[v]! & REAL || this.plan.localAcc[v] ? F64 : I32;
  }

  /** Push the frame pointer. */
  pushSp = (): void => {
    this.code.localGet(this.sp);
  };

  /** Push base `b` of a frame home: `sp`, a destination, or a loop's current element address. */
  pushBase(b: number): void {
    const c = this.code;
    if (b === SP) return void c.localGet(this.sp);
    const part = dstPart(b);
    if (part >= 0) {
      if (this.unit === 0) return void c.localGet(this.plan.abi.dsts[part]!.index);
      return this.#pushSpilled(this.plan.dstSpill[part]!);
    }
    const local = this.elemLocal.get(b);
    if (local !== undefined) return void c.localGet(local);
    const spill = this.plan.elemSpill.get(b) ?? -1;
    if (spill < 0) internal(`loop x${b} has no element address in unit ${this.unit} of ${this.plan.shape.f.name}`);
    this.#pushSpilled(spill);
  }

  /**
   * Push the pointer stored in frame slot `off` (a spilled pointer, `dst` or a loop element's
   * address, constant during one call of this unit): loaded once into a local at its first use,
   * which runs before every later use (loops run at least once; what a cond's block loads is
   * forgotten at its end, see `branchEnd`).
   */
  #pushSpilled(off: number): void {
    let local = this.#spillCache.get(off);
    if (local === undefined) {
      local = this.slots.alloc(I32);
      this.#spillCache.set(off, local);
      this.code.localGet(this.sp).mem(Op.i32_load, 2, off).localTee(local);
      return;
    }
    this.code.localGet(local);
  }

  /** Return the address `base + off` of a frame home or early-store target. */
  at(t: Target): Addr {
    return t.base === SP ? { push: this.pushSp, off: t.off } : { push: () => this.pushBase(t.base), off: t.off };
  }

  /**
   * Return the address of the data of aggregate (or ref) `v`: made at the first request, then the
   * same object (homes are final while emitting; a local's index does not change while it holds
   * `v`), rather than a new address and closure at every member or element read.
   */
  ptr(v: Var): Addr {
    const known = this.#addrs.get(v, this.unit);
    if (known !== undefined) return known;
    const a = this.#newPtr(v);
    this.#addrs.set(v, this.unit, a);
    return a;
  }

  #newPtr(v: Var): Addr {
    const h = this.plan.home[v]!;
    switch (h.k) {
      case 'frame':
        return this.at(h);
      case 'derived':
        return offsetAddr(this.ptr(h.base), h.off);
      case 'local':
      case 'param': {
        const index = h.k === 'param' ? h.index : this.#slotOf(v);
        return { push: () => this.code.localGet(index), off: 0 };
      }
      case 'spill':
        return { push: () => this.#pushSpilled(h.off), off: 0 };
      default:
        return internal(`x${v} has no address (${h.k}) in ${this.plan.shape.f.name}`);
    }
  }

  /** Push the value of `v`: a scalar, a pointer, or the f64 of a local accumulator. */
  push(v: Var): void {
    const h = this.plan.home[v]!;
    const c = this.code;
    switch (h.k) {
      case 'none':
        if (this.ty(v).kind === 'fin') c.i32Const(0); // fin(1): always 0
        else if (hasValue(this.ty(v))) internal(`x${v} has no value in ${this.plan.shape.f.name}`);
        return;
      case 'const':
        if (h.t === F64) c.f64Const(h.value);
        else c.i32Const(h.value);
        return;
      case 'local':
        c.localGet(this.#slotOf(v));
        return;
      case 'param':
        c.localGet(h.index);
        return;
      case 'spill':
        if (this.#cached(v)) return;
        c.localGet(this.sp).mem(h.t === F64 ? Op.f64_load : Op.i32_load, h.t === F64 ? 3 : 2, h.off);
        return this.#cache(v, h.t);
      case 'inline':
        return this.#compute(this, v, this.plan.shape.def[v]!);
      case 'frame':
      case 'derived': {
        const bits = this.plan.shape.tyBits[v]!; // the type's, without a call on the type object
        const leaf = (bits & LEAF) !== 0;
        if (leaf && this.#cached(v)) return;
        const a = this.ptr(v);
        a.push();
        if (!leaf) {
          if (a.off !== 0) c.i32Const(a.off).op(Op.i32_add);
          return;
        }
        loadLeaf(c, this.ty(v), a.off); // a scalar member or element, loaded where it is read
        return this.#cache(v, bits & REAL ? F64 : I32);
      }
    }
  }

  /** Push `v` from the load cache and return true, if it is there. */
  #cached(v: Var): boolean {
    const cache = this.#loadCache;
    for (let k = 0; k < cache.length; k += 2) {
      if (cache[k] !== v) continue;
      this.code.localGet(cache[k + 1]!);
      return true;
    }
    return false;
  }

  /**
   * Keep the value of `v` just loaded (on the stack) in a local of the load cache when `v` is read
   * again: `LOAD_CACHE` entries, the oldest replaced. Entries are dropped at loop boundaries
   * (`forgetLoads`), so a cached value's first load runs before its later uses.
   */
  #cache(v: Var, t: ValType): void {
    if (this.plan.reads[v]! < 2) return;
    const cache = this.#loadCache;
    if (cache.length === 2 * LOAD_CACHE) this.slots.release(cache.splice(0, 2)[1]!);
    const local = this.slots.alloc(t);
    this.code.localTee(local);
    cache.push(v, local);
  }

  /**
   * Start a block of a cond: drop the load cache, and return the mark to give `branchEnd` (the
   * block's loads run only on its path).
   */
  branchStart(): number {
    this.forgetLoads();
    return this.#spillCache.size;
  }

  /** End a block of a cond: drop the loads made since `branchStart` returned `mark`. */
  branchEnd(mark: number): void {
    this.forgetLoads();
    const cache = this.#spillCache;
    if (cache.size === mark) return;
    let k = 0;
    cache.forEach((local, off) => {
      if (k++ < mark) return;
      cache.delete(off);
      this.slots.release(local);
    });
  }

  /** Drop the load cache (at the start and end of a loop: its loads may not run before a use). */
  forgetLoads(): void {
    const cache = this.#loadCache;
    for (let k = 1; k < cache.length; k += 2) this.slots.release(cache[k]!);
    cache.length = 0;
  }

  #slotOf(v: Var): number {
    const s = this.slot[v]!;
    if (s < 0) internal(`x${v} is read before it is defined (unit ${this.unit} of ${this.plan.shape.f.name})`);
    return s;
  }

  /** Return the local index of f64-held accumulator `v` (a local or an inout param). */
  accLocal(v: Var): number {
    const h = this.plan.home[v]!;
    if (h.k === 'param') return h.index;
    if (h.k === 'local') return this.#slotOf(v);
    return internal(`accumulator x${v} is not held in a local`);
  }

  /** Store the value of `x` into memory at `a` (a scalar store, or a copy of an aggregate). */
  storeInto(a: Addr, x: Var): void {
    const bits = this.plan.shape.tyBits[x]!;
    if (!(bits & HAS_VALUE)) return;
    const t = this.ty(x);
    if (bits & LEAF) {
      a.push();
      this.push(x);
      storeLeaf(this.code, t, a.off);
    } else copy(this.code, a, this.ptr(x), t);
  }

  /**
   * Define `v`: `compute` leaves its value on the stack; it goes to `v`'s home, and to its
   * early-store target if any. With no home and no target the value is dropped. Nothing is
   * emitted for a variable without a value (zero-size).
   */
  value(v: Var, compute: () => void): void {
    const h = this.plan.home[v]!;
    const e = this.plan.early[v];
    const t = this.ty(v);
    const c = this.code;
    const bits = this.plan.shape.tyBits[v]!;
    const has = (bits & HAS_VALUE) !== 0 || this.plan.localAcc[v] === 1;
    if (!has) return;
    if (h.k === 'none' && e === undefined) {
      compute();
      c.op(Op.drop);
      return;
    }
    if (e === undefined && h.k === 'spill') {
      this.pushSp();
      compute();
      c.mem(h.t === F64 ? Op.f64_store : Op.i32_store, h.t === F64 ? 3 : 2, h.off);
      return;
    }
    if (e !== undefined && h.k === 'none' && bits & LEAF) {
      this.pushBase(e.base);
      compute();
      storeLeaf(c, t, e.off);
      return;
    }
    const type = this.valType(v);
    const s = this.slots.alloc(type);
    if (h.k === 'local') this.slot[v] = s;
    compute();
    c.localSet(s);
    if (this.plan.anchored[v]) this.pushSp(), c.localGet(s).mem(Op.f64_store, 3, this.plan.anchorOff);
    if (h.k === 'spill') {
      this.pushSp();
      c.localGet(s).mem(type === F64 ? Op.f64_store : Op.i32_store, type === F64 ? 3 : 2, h.off);
    }
    if (e !== undefined) {
      if (bits & LEAF) {
        this.pushBase(e.base);
        c.localGet(s);
        storeLeaf(c, t, e.off);
      } else copy(c, this.at(e), { push: () => c.localGet(s), off: 0 }, t);
    }
    if (h.k !== 'local') this.slots.release(s);
  }

  /** Copy a derived value into its early-store target (derived values have no code of their own). */
  earlyCopy(v: Var): void {
    const e = this.plan.early[v];
    if (e === undefined) return;
    const t = this.ty(v);
    const src = this.ptr(v);
    if (this.plan.shape.tyBits[v]! & LEAF) {
      this.pushBase(e.base);
      src.push();
      loadLeaf(this.code, t, src.off);
      storeLeaf(this.code, t, e.off);
    } else copy(this.code, this.at(e), src, t);
  }

  /** Release the locals whose last use is at position `p`. */
  release(p: number): void {
    const next = this.plan.releaseNext;
    for (let v = this.plan.releaseHead[p]!; v >= 0; v = next[v]!) {
      const s = this.slot[v]!;
      if (s >= 0) {
        this.slots.release(s);
        this.slot[v] = -1;
      }
    }
  }

  /**
   * Emit block `id` (TOP, a loop variable or a cond block id): its instructions, or calls of its
   * chunks.
   */
  block(id: number, block: Block): void {
    const chunks = this.plan.units.chunks.get(id);
    if (chunks === undefined) return this.range(block, 0, block.length);
    for (const ch of chunks) this.pushSp(), this.code.call(this.unitIndex[ch.unit]!);
  }

  /** Emit instructions `[start, end)` of a block. */
  range(block: Block, start: number, end: number): void {
    const pos = this.plan.shape.pos;
    const startAt = this.plan.startAt;
    for (let k = start; k < end; k++) {
      const { var: v, expr: e } = block[k]!;
      if (!this.plan.needed[v] || this.plan.home[v]!.k === 'inline') continue;
      const starts = startAt.size === 0 ? undefined : startAt.get(v);
      if (starts !== undefined) for (const a of starts) this.value(a, () => this.code.f64Const(0));
      this.#instr(this, v, e);
      this.release(pos[v]!);
    }
  }
}
