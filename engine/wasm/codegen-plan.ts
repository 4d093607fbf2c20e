/**
 * @file The plan of one function before any byte is emitted: which instructions run, in which
 * wasm function (unit), where every variable lives ("home"), the static frame layout, and where
 * each local is released (liveness).
 *
 * Homes: a scalar lives in a wasm local (f64 or i32) reused by liveness, or is a constant
 * rematerialized at each use. An aggregate value is an i32 pointer to its inline bytes: a fresh
 * aggregate (literal, zero, `for` result, accumulator storage) is a "frame site" at a static
 * offset from `sp`, so it needs no local at all; members and constant-index elements are
 * "derived" (base pointer + constant; a scalar one read once is loaded where it is read): those
 * are found first, by codegen-sites.ts. A value used by another unit is spilled to a frame slot.
 *
 * Two placements keep huge straight-line programs at a few locals: an aggregate built only to
 * become a member of a literal is built in place inside it, and a scalar that becomes a member of
 * a literal in the same block is stored there as soon as it is computed ("early store"), so the
 * residual structs of gradients do not keep every residual in a local until the end.
 *
 * Aggregates are also built where they end up: a function's result at its `dst`, a call's
 * result where the caller wants it (its `dst`), a loop's element directly in the loop's result.
 * A `cond`'s aggregate result is a frame site that each of its blocks builds its result in (or
 * copies it to, when it is not fresh there).
 *
 * Blocks of a `cond` are numbered apart (liveness.ts `TOP`), so what works within one block
 * (inlining, early stores, placements, add runs) never joins a block with the other or with
 * the code around the cond; positions run through the then-block, then the else-block, so
 * liveness treats them as if both ran in turn, which is sound for either one alone (a local
 * freed in one may be reused in the other).
 *
 * Frame: each block's own allocations come first, then its loop bodies and cond blocks, which
 * share one region (a body's values die with its iteration: elements are copied out when
 * yielded; a cond block's die at its end, where its result is copied out). All callees'
 * frames share one call area at the end (results are never in a callee's frame).
 */
import { primOperands, varCount, type Expr, type Ty, type Var } from '../ir/types.ts';
import { DST, SP, refInner, type FuncAbi, type Home, type PlanContext, type Target } from './codegen-abi.ts';
import { planAccumulators } from './codegen-accs.ts';
import { planAnchors } from './codegen-anchors.ts';
import { planAddRuns } from './codegen-runs.ts';
import { planNegations } from './codegen-negs.ts';
import { type FreshInit, planFreshParams } from './codegen-fresh.ts';
import { placeArguments } from './codegen-inplace.ts';
import { splitArm } from './codegen-condparts.ts';
import { findSites } from './codegen-sites.ts';
import { layoutFrame } from './codegen-frame.ts';
import { type Units, planUnits } from './codegen-units.ts';
import { F64, I32 } from './encoder.ts';
import { memberOffset, sizeOf, strideOf } from './layout.ts';
import { Scratch } from '../transforms/scratch.ts';
import { HAS_VALUE, LEAF, REAL, Shape, TOP, YIELD, isPureArith, neededInstrs } from './liveness.ts';

/** Where a value is placed: inside literal `into` at byte offset `off`; or at `DST`/a loop element. */
export interface Placement {
  readonly into: Var;
  readonly off: number;
  readonly base?: typeof DST | 'elem';
}

/** Frame-site kinds: expressions whose value is fresh storage in the frame. */
export type Site = 'lit' | 'zero' | 'for' | 'cond' | 'accum' | 'copy' | 'call' | 'part';

/** The plan of one function (see the file comment). */
export class FuncPlan {
  /**
   * The per-variable typed arrays below come from here, given back by `generate` once the
   * function is emitted (a large function's plan takes tens of MB of them: see scratch.ts).
   */
  readonly scratch = new Scratch();
  readonly shape: Shape;
  readonly abi: FuncAbi;
  readonly needed: Uint8Array;
  readonly units: Units;
  readonly home: Home[];
  /** ref<real> variables held as an f64 value (a local or an inout param) rather than a pointer. */
  readonly localAcc: Uint8Array;
  readonly early: (Target | undefined)[];
  /**
   * Per loop variable whose element is built in place: the frame slot holding the element's
   * address for chunks (-1 when no chunk needs one).
   */
  readonly elemSpill = new Map<Var, number>();
  /** Frame slot holding each destination (`abi.dsts`) for chunk units (-1s when not needed). */
  dstSpill: number[];
  /**
   * The result literal whose members are built at the destinations of a split result (-1 when
   * none): it has no storage of its own.
   */
  splitRet = -1;
  /**
   * Per call or cond with a split result (codegen-condparts.ts): the member instructions its parts
   * are built for, by member.
   */
  readonly parts = new Map<Var, Map<number, Var>>();
  /** Block results of split conds with no storage (literal -> cond, codegen-condparts.ts). */
  readonly splitLits = new Map<Var, Var>();
  /** Calls whose parts are all built elsewhere: they need no storage. */
  readonly noStorage = new Set<Var>();
  /** Per literal: member positions already written (placed or early-stored). */
  readonly covered = new Map<Var, Set<number>>();
  /** Per instruction: the f64-held accumulators that start (at 0) just before it. */
  readonly startAt = new Map<Var, Var[]>();
  /** Offset of the call area, shared by the frames of all callees. */
  callArea = 0;
  /** Calls of `ptr` variants (aliased accumulators), with the frame cell of each f64-held one. */
  readonly ptrCalls = new Map<Var, Map<Var, number>>();
  readonly lastUse: Int32Array;
  /** First variable released at each position (-1: none); the rest follow `releaseNext`. */
  readonly releaseHead: Int32Array;
  readonly releaseNext: Int32Array;
  /** The local of each variable held in one (shared by the units: each var lives in one). */
  readonly slot: Int32Array;
  frameSize = 0;

  readonly ctx: PlanContext;
  readonly derived: ({ base: Var; off: number } | undefined)[];
  readonly site: (Site | undefined)[];
  readonly place: (Placement | undefined)[];
  readonly earlyAt: (Placement | undefined)[];
  readonly root: Int32Array;
  readonly #cross: Uint8Array;
  readonly #uses: Int32Array;
  readonly used: Uint8Array;
  /**
   * Reads of each variable by needed instructions (all kinds), the loop yields (at `bodyEnd`) of
   * used loops and the returned value (at `endPos`): the entries of the shape's read table that
   * happen. Passes loop over that table with this filter inline (no callback per read).
   */
  readonly reads: Int32Array;
  /** The (last) instruction reading each variable, with its position, block and unit. */
  readonly reader: Int32Array;
  readonly readerAt: Int32Array;
  readonly readerBlock: Int32Array;
  readonly readerUnit: Int32Array;
  /** Inlined variables (home `inline`). */
  readonly #inline: Uint8Array;
  /** Variables read in a unit other than their definition's. */
  readonly readElsewhere: Uint8Array;
  /** The instruction each f64-held accumulator starts before (see `startAt`). */
  readonly startsBefore = new Map<Var, Var>();
  /** The needed reads of accumulators (indices into the shape's read table), in program order. */
  readonly refReads: number[] = [];
  // The fields below are set by later passes, if at all: each has an initializer so that every
  // plan has all of them from the start (without `useDefineForClassFields`, a bare declaration
  // adds no field), the same hidden class whatever the passes find.
  /**
   * Per add of an add run (codegen-runs.ts): the run's first add, else -1; undefined when the
   * function has no run.
   */
  runOf: Int32Array | undefined = undefined;
  /** 1 for the last add of each add run (allocated with `runOf`). */
  runEnds: Uint8Array | undefined = undefined;
  /** 1 for values computed without their negation, read by code that absorbs it (codegen-negs.ts), if any. */
  negated: Uint8Array | undefined = undefined;
  /** 1 for the first add into each element of a fresh accumulator parameter (codegen-fresh.ts), if any. */
  firstAdd: Uint8Array | undefined = undefined;
  /** What to zero at entry of the fresh accumulator parameters (codegen-fresh.ts). */
  freshInits: readonly FreshInit[] = [];
  /** 1 per parameter receiving a fresh accumulator (codegen-fresh.ts), if any. */
  readonly freshParams: Uint8Array | undefined;
  /** New accumulators passed fresh to a callee, which initializes them: not filled here. */
  readonly unfilled: ReadonlySet<Var> | undefined;
  /** 1 for values also stored into the anchor slot when computed (codegen-anchors.ts). */
  readonly anchored: Uint8Array;
  /** How many values are anchored. */
  anchorCount = 0;
  /** Frame offset of the anchor slot (8 bytes nothing reads; -1 when there are no anchors). */
  anchorOff = -1;

  constructor(shape: Shape, abi: FuncAbi, ctx: PlanContext) {
    const n = varCount(shape.f);
    this.shape = shape;
    this.abi = abi;
    this.ctx = ctx;
    const { needed, used } = neededInstrs(shape, ctx.effects);
    this.needed = needed;
    this.used = used;
    this.units = planUnits(shape, this.needed, ctx.splitThreshold);
    this.dstSpill = abi.dsts.map(() => -1);
    this.home = new Array<Home>(n).fill(NONE);
    this.localAcc = this.scratch.u8(n);
    // arrays of objects or undefined have the same elements kind in every plan (a plain
    // `new Array(n)` stays HOLEY_SMI_ELEMENTS in a function where nothing is stored in it, and
    // V8's code optimized for one kind leaves it when it meets the other)
    this.early = newArray(n);
    this.earlyAt = newArray(n);
    this.lastUse = this.scratch.i32(n, -1);
    this.releaseHead = this.scratch.i32(shape.endPos + 1, -1);
    this.releaseNext = this.scratch.i32(n, -1);
    this.slot = this.scratch.i32(n, -1);
    this.derived = newArray(n);
    this.site = newArray(n);
    this.place = newArray(n);
    this.root = this.scratch.i32(n, -1);
    this.#cross = this.scratch.u8(n);
    this.#uses = this.scratch.i32(n);
    this.reads = this.scratch.i32(n);
    this.reader = this.scratch.i32(n, -1);
    this.readerAt = this.scratch.i32(n);
    this.readerBlock = this.scratch.i32(n);
    this.readerUnit = this.scratch.i32(n);
    this.#inline = this.scratch.u8(n);
    this.readElsewhere = this.scratch.u8(n);
    this.anchored = this.scratch.u8(n);
    this.unfilled = ctx.fresh?.unfilled.get(abi.func);
    this.freshParams = ctx.fresh?.params.get(abi.func);
    planAccumulators(this);
    findSites(this);
    this.#placements();
    this.#stackify();
    this.#recordUses();
    this.#homes();
    planAnchors(this);
    layoutFrame(this);
    this.#releases();
    planAddRuns(this);
    planNegations(this);
    if (this.freshParams !== undefined) this.freshInits = planFreshParams(this, this.freshParams);
  }

  /** Return the type of `v`. */
  ty(v: Var): Ty {
    return this.shape.ty(v);
  }

  /** Return the unit of `v`'s definition (parameters: 0). */
  unitOf(v: Var): number {
    return this.units.unitOf[v]!;
  }

  /** Return the unit where `v` gets its value: its definition's, or its first reader's if it starts there. */
  #defUnit(v: Var): number {
    const at = this.startsBefore.size === 0 ? undefined : this.startsBefore.get(v); // usually empty
    return at === undefined ? this.unitOf(v) : this.unitOf(at);
  }



  /**
   * Build aggregates in place: the function's result at `DST`, a loop's element in the loop's
   * result, a cond block's result in the cond's, a literal's member inside the literal; store
   * scalar members of literals early.
   */
  #placements(): void {
    const s = this.shape;
    const placeable = (x: Var) => {
      const site = this.site[x];
      return site !== undefined && site !== 'accum' && this.place[x] === undefined;
    };
    const ret = s.f.ret;
    // the same bytes as a fresh aggregate (or an accumulator's storage, finally resolved)
    const sameBytes = (x: Var): Var => {
      const alias = this.derived[x];
      return alias?.off === 0 && sizeOf(refInner(s.ty(alias.base))) === sizeOf(s.ty(x)) ? alias.base : -1;
    };
    const storage = (y: Var) => this.site[y] !== undefined && this.place[y] === undefined;
    if (this.abi.retInDst && s.def[ret] !== undefined) {
      // a split result is built part by part, so only a literal read by nothing else can be
      const b = sameBytes(ret);
      if (this.abi.dsts.length > 1) {
        if (placeable(ret) && this.site[ret] === 'lit' && this.reads[ret] === 1) {
          this.place[ret] = { into: -1, off: 0, base: DST };
          this.splitRet = ret;
        }
      } else if (placeable(ret)) this.place[ret] = { into: -1, off: 0, base: DST };
      else if (b >= 0 && s.block[b] === TOP && storage(b)) this.place[b] = { into: -1, off: 0, base: DST };
    }
    // block `id` of cond `c` builds its result `x` in the cond's storage, when it is fresh there,
    // or, split, its members in the parts (codegen-condparts.ts)
    const buildArm = (c: Var, x: Var, id: number): void => {
      if (this.parts.has(c)) splitArm(this, c, x, id);
      else if (s.block[x] === id && placeable(x)) this.place[x] = { into: c, off: 0 };
    };
    const calls: Var[] = [];
    const visit = (block: readonly { var: Var; expr: Expr }[], id: number): void => {
      for (let j = 0; j < block.length; j++) {
        const { var: L, expr: e } = block[j]!;
        if (!this.needed[L]) continue;
        if (e.kind === 'call' && e.func.kind === 'transparent') calls.push(L);
        if (e.kind === 'for') {
          if (this.site[L] === 'for' && s.block[e.ret] === L && placeable(e.ret)) {
            this.place[e.ret] = { into: L, off: 0, base: 'elem' };
            this.elemSpill.set(L, -1);
          }
          visit(e.body, L);
        } else if (e.kind === 'cond') {
          if (this.site[L] === 'cond') buildArm(L, e.thenRet, L), buildArm(L, e.elsRet, s.elseId(L));
          visit(e.then, L);
          visit(e.els, s.elseId(L));
        }
        if ((e.kind !== 'vec' && e.kind !== 'struct') || this.site[L] !== 'lit') continue;
        const t = s.ty(L);
        const xs = e.kind === 'vec' ? e.elems : e.members;
        for (let k = 0; k < xs.length; k++) {
          const x = xs[k]!;
          if (this.place[x] || this.earlyAt[x] || s.def[x] === undefined || s.block[x] !== id) continue;
          if (!(s.tyBits[x]! & HAS_VALUE) || this.#constOf(x) !== undefined || x === s.f.ret) continue;
          const off = t.kind === 'vec' ? k * strideOf(t.elem) : memberOffset(t as never, k);
          const b = sameBytes(x); // build that one here
          if (placeable(x)) this.place[x] = { into: L, off };
          else if (b >= 0 && s.block[b] === id && storage(b) && b !== s.f.ret) this.place[b] = { into: L, off };
          else if (this.site[x] === undefined) this.earlyAt[x] = { into: L, off };
          else continue;
          let set = this.covered.get(L);
          if (set === undefined) this.covered.set(L, (set = new Set()));
          set.add(k);
        }
      }
    };
    visit(s.f.body, TOP);
    placeArguments(this, calls, placeable, sameBytes);
  }

  /**
   * Choose the values computed where they are read, on the wasm stack instead of in a local: a
   * primitive (not argmax/argmin) or select of scalars, read once, by an instruction of the same
   * block and unit that reads it only once (not `sign`, not a bounds-checked index). Being pure,
   * it can move past anything in between; its operands stay alive until the reader (see
   * `#recordUses`). Trees are at most `MAX_INLINE_DEPTH` deep.
   */
  #stackify(): void {
    const s = this.shape;
    const depth = new Uint8Array(varCount(s.f));
    const visit = (block: readonly { var: Var; expr: Expr }[], id: number): void => {
      for (let j = 0; j < block.length; j++) {
        const { var: v, expr: e } = block[j]!;
        if (!this.needed[v]) continue;
        if (e.kind === 'for') {
          visit(e.body, v);
          continue;
        }
        if (e.kind === 'cond') {
          visit(e.then, v);
          visit(e.els, s.elseId(v));
          continue;
        }
        if (!isPureArith(e) || (s.tyBits[v]! & (LEAF | HAS_VALUE)) !== (LEAF | HAS_VALUE)) continue;
        if (this.reads[v] !== 1 || this.earlyAt[v] !== undefined) continue;
        if (this.readerBlock[v] !== id || this.readerUnit[v] !== this.unitOf(v)) continue;
        const u = this.reader[v]!;
        const ue = u >= 0 ? s.def[u] : undefined;
        if ((ue?.kind === 'prim' && ue.prim === 'sign') || ue?.kind === 'index' || ue?.kind === 'slice') continue;
        let d = 1;
        const ops = e.kind === 'prim' ? primOperands(e) : [e.cond, e.then, e.els];
        for (let k = 0; k < ops.length; k++) {
          const x = ops[k]!;
          if (this.#inline[x]) d = Math.max(d, depth[x]! + 1);
        }
        if (d > MAX_INLINE_DEPTH) continue;
        depth[v] = d;
        this.#inline[v] = 1;
      }
    };
    visit(s.f.body, TOP);
  }

  /**
   * Return the outermost inlined value containing inlined `v`: its reader (the first non-inlined
   * one) is where `v` is computed (position `readerAt`, block `readerBlock`, unit `readerUnit`).
   */
  #outermostInline(v: Var): Var {
    let x = v;
    while (this.reader[x]! >= 0 && this.#inline[this.reader[x]!]) x = this.reader[x]!;
    return x;
  }

  /**
   * Record the uses that need a value: last uses, use counts, and uses from other units. One loop
   * over the shape's read table, skipping the reads that do not happen (see `reads`).
   */
  #recordUses(): void {
    const s = this.shape;
    const { rX, rUser, rPos, rBlock, rK } = s;
    const { needed, used, derived, covered } = this;
    const unitOf = this.units.unitOf;
    const inline = this.#inline;
    for (let i = 0; i < rX.length; i++) {
      const user = rUser[i]!;
      const k = rK[i]!;
      if (user >= 0 && (!needed[user] || (k === YIELD && !used[user]))) continue;
      if (user >= 0 && derived[user] !== undefined) continue; // no code at a derived definition
      if (k >= 0 && covered.size > 0 && covered.get(user)?.has(k)) continue;
      const x = rX[i]!;
      if (inline[x]) continue; // computed at its reader, not stored
      if (user >= 0 && inline[user]) {
        const a = this.#outermostInline(user); // read where the user is computed
        this.#record(x, this.readerAt[a]!, this.readerBlock[a]!, this.readerUnit[a]!);
      } else this.#record(x, rPos[i]!, rBlock[i]!, user >= 0 ? unitOf[user]! : 0);
    }
    // an early store of a derived value copies from its base at its definition
    for (let x = 0; x < this.earlyAt.length; x++)
      if (this.earlyAt[x] && this.derived[x]) this.#record(x, s.pos[x]!, s.block[x]!, this.unitOf(x));
  }

  /** Record a use of `x` (of its base, if derived) at position `pos` of `block`, in `unit`. */
  #record(x: Var, pos: number, block: number, unit: number): void {
    const s = this.shape;
    if (!(s.tyBits[x]! & HAS_VALUE)) return;
    const d = this.derived[x];
    if (d !== undefined) return this.#record(d.base, pos, block, unit);
    this.#uses[x]!++;
    const end = s.extend(x, pos, block);
    if (end > this.lastUse[x]!) this.lastUse[x] = end;
    if (unit !== this.#defUnit(x)) this.#cross[x] = 1;
  }

  /** Return the constant value of a scalar literal or zero (undefined otherwise). */
  #constOf(v: Var): number | undefined {
    const e = this.shape.def[v];
    if ((e?.kind !== 'lit' && e?.kind !== 'zero') || !(this.shape.tyBits[v]! & LEAF)) return undefined;
    if (e.kind === 'zero') return 0;
    return e.value === true ? 1 : e.value === false || e.value === null ? 0 : (e.value as number);
  }

  #homes(): void {
    const s = this.shape;
    const f = s.f;
    const n = varCount(f);
    for (let v = 0; v < n; v++) this.home[v] = this.#homeOf(v);
    f.params.forEach((p, k) => {
      const rep = this.abi.params[k]!;
      const index = this.abi.paramIndex[k]!;
      if (rep === 'none') this.home[p] = NONE;
      else if (rep === 'inout') this.home[p] = this.localAcc[p] ? { k: 'param', index } : { k: 'frame', base: SP, off: -1 };
      else if (this.#uses[p] === 0) this.home[p] = { k: 'param', index };
      else this.home[p] = this.#cross[p] ? { k: 'spill', off: -1, t: rep === 'f64' ? F64 : I32 } : { k: 'param', index };
    });
  }

  #homeOf(v: Var): Home {
    const s = this.shape;
    const bits = s.tyBits[v]!;
    const e = s.def[v];
    const loop = s.loopOfIndex[v]!;
    if (e === undefined && loop < 0) return NONE; // parameters: see #homes
    if (!(bits & HAS_VALUE)) return NONE;
    if (loop >= 0 && !this.needed[loop]) return NONE;
    if (e !== undefined && !this.needed[v]) return NONE;
    const d = this.derived[v];
    if (d !== undefined) return { k: 'derived', base: d.base, off: d.off };
    if (this.site[v] !== undefined) return this.noStorage.has(v) ? NONE : { k: 'frame', base: SP, off: -1 };
    if (this.#inline[v]) return INLINE;
    const c = this.#constOf(v);
    if (c !== undefined) return { k: 'const', t: bits & REAL ? F64 : I32, value: c };
    if (this.#uses[v] === 0) return NONE;
    const vt = bits & REAL || this.localAcc[v] ? F64 : I32;
    return this.#cross[v] ? { k: 'spill', off: -1, t: vt } : LOCAL;
  }

  /** List, per position, the locals whose last use is there. */
  #releases(): void {
    for (let v = this.home.length - 1; v >= 0; v--) {
      if (this.home[v]!.k !== 'local' || this.shape.loopOfIndex[v]! >= 0) continue;
      const at = this.lastUse[v]!;
      this.releaseNext[v] = this.releaseHead[at]!;
      this.releaseHead[at] = v;
    }
  }
}

/**
 * Return an array of length `n` with no elements yet, of elements kind HOLEY_ELEMENTS from the
 * start (see the constructor): storing one `undefined` does that at once, unlike a `fill`.
 */
export function newArray<T>(n: number): (T | undefined)[] {
  const a = new Array<T | undefined>(n);
  if (n > 0) a[0] = undefined;
  return a;
}

const NONE: Home = { k: 'none' };
const LOCAL: Home = { k: 'local' };
const INLINE: Home = { k: 'inline' };
/** Deepest tree of inlined values (bounds the wasm stack and the emitter's recursion). */
const MAX_INLINE_DEPTH = 6;
