/**
 * @file Transpose: turn a linear function into its backward pass (cotangents into accumulators).
 *
 * Per block: first the block's nonlinear instructions are re-emitted in forward order (residual
 * reads, literals, index arithmetic); then its linear instructions are processed in reverse, each
 * adding the cotangent of its result into the cotangents of its linear operands. A loop becomes
 * a loop over the transposed body (transpose-loop.ts); a cond, a cond over the transposed blocks
 * (transpose-cond.ts); a call, a call of the callee's transpose (transpose-call.ts).
 *
 * Cotangents of linear values: contributions made in the block that defines a value are summed
 * at its definition (a single one is used as is); contributions from nested blocks, and indexed
 * or member-wise ones, go into an accumulator `acc = accum(zero)` created at the start of the
 * reversed section of the defining block (so adds from nested loops and callees reach it) and
 * resolved at the definition. A value read out of a linear container (`xs[i]`, `s.k`) has no
 * accumulator of its own: its accumulator is a slice or field of the container's, so a container
 * has one accumulator however often it is read. Linear value params: their accumulator is the
 * `bwd` param.
 * Linear refs carry a *cotangent value* instead: the cotangent of the value resolved from them
 * (for a ref param, the `bwd` param), from which each `add` into them takes its addend's cotangent.
 *
 * Reads and writes the dense IR (ir/dense.ts): `denseTransposed`. `transpose` and `transposed`
 * are the same on the object IR (input densified, output materialized; memoized).
 */
import { internal } from '../errors.ts';
import { DenseBuilder } from '../ir/dense-builder.ts';
import { densify, materialize } from '../ir/dense-convert.ts';
import {
  BODY,
  OP_ACCUM,
  OP_COND,
  OP_FIELD,
  OP_FOR,
  OP_INDEX,
  OP_MEMBER,
  OP_PRIM,
  OP_SLICE,
  OP_ZERO,
  blockVarsOf,
  denseVarTy,
  type DenseFunc,
} from '../ir/dense.ts';
import {
  REAL,
  TAN,
  UNIT,
  erase,
  hasTan,
  isEmpty,
  refTy,
  sameTy,
  unitTy,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';
import {
  CtLists,
  addInto,
  fromShape,
  full,
  joinShape,
  memberShape,
  partOf,
  shapeKey,
  shapeOf,
  sumCts,
  type Ct,
  type Shape,
} from './cotangent.ts';
import {
  SharedDenseZeros,
  analyzeDense,
  emitEmptyDense,
  forEachOperandDense,
  pruneDense,
  putMapped,
  touchesLinearDense,
  visitDense,
  type DenseAnalysis,
} from './linearity-dense.ts';
import { Scratch } from './scratch.ts';
import { copyCond } from './transpose-cond.ts';
import { DeferredCopies } from './transpose-defer.ts';
import { transposeInstr } from './transpose-rules.ts';

/** A transpose and, per param of `lin`, which parts of its accumulator param it may add to. */
export interface Transposed<F = TransparentFunc> {
  readonly bwd: F;
  /** Per param of `lin`: for a linear value param, the parts `bwd` may add to; else 0. */
  readonly wrote: readonly Shape[];
}

const memo = new WeakMap<DenseFunc, Map<string, Transposed<DenseFunc>>>();
const objectMemo = new WeakMap<TransparentFunc, Map<string, Transposed>>();

/**
 * Return the transpose `bwd` of linear function `lin` (memoized per function and `ct`). All types
 * of `bwd` are erased (no `tan`), so it can be differentiated again. `ct` (default 1: all) says
 * which parts of the result cotangent may be nonzero; the others are ignored (no arithmetic).
 *
 * Params of `bwd`, one per param p of `lin` (type T), then one more:
 * - `!hasTan(T)`: `erase(T)`, passed through (nonlinear input such as residuals);
 * - `T = ref(U)`: `erase(U)`, the cotangent of what `lin` added into that accumulator;
 * - otherwise: `ref(erase(T))`, an accumulator the cotangent of p is added into;
 * - last: `ct: erase(lin.retType)`, the cotangent of the result.
 * Returns unit.
 */
export function transpose(lin: TransparentFunc, ct: Shape = 1): TransparentFunc {
  return transposed(lin, ct).bwd;
}

/** Return `transpose(lin, ct)` with the parts of each accumulator param it may add to. */
export function transposed(lin: TransparentFunc, ct: Shape = 1): Transposed {
  let byShape = objectMemo.get(lin);
  if (byShape === undefined) objectMemo.set(lin, (byShape = new Map()));
  const key = shapeKey(ct);
  let out = byShape.get(key);
  if (out === undefined) {
    const d = denseTransposed(densify(lin), ct);
    out = { bwd: materialize(d.bwd), wrote: d.wrote };
    byShape.set(key, out);
  }
  return out;
}

/** `transposed` in the dense IR (memoized per function and `ct`). */
export function denseTransposed(lin: DenseFunc, ct: Shape = 1): Transposed<DenseFunc> {
  let byShape = memo.get(lin);
  if (byShape === undefined) memo.set(lin, (byShape = new Map()));
  const key = shapeKey(ct);
  let out = byShape.get(key);
  if (out === undefined) {
    out = new Transposer(lin, ct, key).run();
    byShape.set(key, out);
  }
  return out;
}

/** The reversed section of one open block. */
interface Frame {
  /** Where the reversed section starts in the builder's block (accumulators go there). */
  readonly start: number;
  /** Accumulator instructions (put, not placed) to insert at `start`. */
  readonly accs: Var[];
  /**
   * Linear ref -> its cotangent value, as computed in this block (visible in nested ones); made
   * on first use (`setCtRef`), as a function has thousands of small blocks.
   */
  ctRef: Map<Var, Ct> | undefined;
  /**
   * `viewKey(ref, i or -1 - k)` -> the view `&ref[i]` or `&ref.k` made here (one map per block,
   * numeric keys: a map per accumulator, or string keys, cost more than the rest of `accOf`);
   * made on first use.
   */
  views: Map<number | string, Var> | undefined;
}

/** Numeric view keys are exact (below 2^53) while both parts are below these bounds. */
const VIEW_REF_BOUND = 2 ** 26;
const VIEW_KEY_BOUND = 2 ** 26;

/**
 * Return the key of the view of accumulator `ref` at `key` (an index var `i`, or `-1 - k` for
 * member `k`): one number while both are small enough for it to be exact (always in practice:
 * a function with 2^26 variables does not fit in memory), else a string.
 */
function viewKey(ref: Var, key: number): number | string {
  const k = key >= 0 ? 2 * key : -2 * key - 1; // both signs onto 0, 1, 2, ...
  return ref < VIEW_REF_BOUND && k < VIEW_KEY_BOUND ? k * VIEW_REF_BOUND + ref : `${ref}:${key}`;
}

/** The state of transposing one function (exported for the rules of `transpose-rules.ts`). */
export class Transposer {
  readonly lin: DenseFunc;
  /** The typed arrays below come from here (released when `run` is done). */
  readonly scratch = new Scratch();
  readonly a: DenseAnalysis;
  readonly b: DenseBuilder;
  /**
   * 1 for each nonlinear var of `lin` defined in `bwd`: `bwd` keeps the numbers of `lin`'s
   * nonlinear variables (see `VarTable.reserveFrom`), so their instructions are copied as they
   * are.
   */
  readonly hasNl: Uint8Array;
  /** The nonlinear values whose copies wait for their first use (see `block`). */
  readonly deferred: DeferredCopies;
  /**
   * Linear value of `lin` -> its accumulator in `bwd` (-1: none yet): for a param the `bwd` param,
   * otherwise one created at the start of the reversed section of its defining block.
   */
  readonly acc: Int32Array;
  /** Linear param of `lin` -> 1 when its accumulator is a `bwd` param. */
  readonly isAccParam: Uint8Array;
  /** Linear var -> 1 when its accumulator is a slice or field of its container's accumulator. */
  readonly isView: Uint8Array;
  /**
   * Linear container var -> how many linear members or elements of it are read (0, 1, or 2 for
   * more), counted as each block is walked forward: a container read once has no view to share,
   * so its view skips the frame's map (with a key for every view of a large function, that map
   * took a sixth of the transpose of a call-heavy program).
   */
  readonly partReads: Uint8Array;
  /**
   * Linear var with an accumulator of its own -> the parts added to it: 0 none, 1 all, 2 some
   * (in `accParts`). Typed, because almost every shape is 0 or 1.
   */
  readonly accAll: Uint8Array;
  readonly accParts = new Map<Var, Shape>();
  /** Linear var -> the cotangent contributions made in its defining block (summed there). */
  readonly cts: CtLists;
  /** Which parts of the result cotangent may be nonzero. */
  readonly ctShape: Shape;
  /** Linear value param of `lin` -> its position (-1: not one), and the parts added to it. */
  readonly paramPos: Int32Array;
  readonly wrote: Shape[];
  /** Root accumulator -> the frame of a `resolve` of it nested deeper than its definition. */
  readonly resolvedIn = new Map<Var, Frame>();
  /** Frames of the open blocks, outermost first (index = depth - 1). */
  readonly frames: Frame[] = [];
  /** Operand renaming of copied nonlinear instructions, and its test, bound once. */
  readonly nlRole = (v: Var): Var => this.nlOf(v);
  readonly seeNl = (v: Var): void => {
    if (this.hasNl[v] === 0) this.renamed = true;
  };
  /** Set by `seeNl` when an operand has no value of its own number in `bwd`. */
  renamed = false;
  /** The zeros shared by the whole `bwd`, their instructions placed at its start (`zeroOf`). */
  readonly zeros: Var[] = [];
  readonly #shared: SharedDenseZeros;
  /** Return the zero of `t` (not a ref), one per type for the whole function. */
  readonly zeroOf = (t: Ty): Var => this.#shared.of(t);

  constructor(lin: DenseFunc, ctShape: Shape, key: string) {
    this.lin = lin;
    this.a = analyzeDense(lin, this.scratch);
    this.ctShape = ctShape;
    const suffix = ctShape === 1 ? '' : `_ct${key}`;
    // size hints (measured on straight-line, loop-heavy and call-heavy programs, a little over):
    // `bwd` has about 1.1 instructions per top-level one of `lin` (copies, then cotangent
    // arithmetic) and 4 more per call or loop, and adds about 0.8 variables per top-level
    // instruction and 6 per call or loop; calls and loops are counted by their results' types
    // (`aggregates`), not by a walk over the cold body of `lin`
    const size = lin.blockLength[BODY]!;
    const split = Math.min(size, this.a.aggregates);
    const name = `bwd_${lin.name.replace(/^lin_/, '')}${suffix}`;
    const n = lin.varTypes.length;
    const spare = size + 6 * split + (n >> 4);
    this.b = new DenseBuilder(name, size + (size >> 2) + 4 * split, n + spare);
    this.#shared = new SharedDenseZeros(this.b, this.zeros);
    const linear = this.a.linVar;
    // linear vars have no value in `bwd`: their numbers stay unused
    this.b.reserveFrom(lin, sameTy, spare, linear, unitTy);
    const { scratch } = this;
    this.hasNl = scratch.u8(n);
    this.deferred = new DeferredCopies(lin, this.a, scratch, (v) => this.copy(v));
    this.acc = scratch.i32(n, -1);
    this.isAccParam = scratch.u8(n);
    this.isView = scratch.u8(n);
    this.partReads = scratch.u8(n);
    this.accAll = scratch.u8(n);
    this.cts = new CtLists(n, 2 * size, scratch);
    this.paramPos = scratch.i32(n, -1);
    this.wrote = lin.params.map(() => 0);
  }

  /** Return the type of variable `v` of `lin`. */
  ty(v: Var): Ty {
    return denseVarTy(this.lin, v);
  }

  /** Build `bwd`. */
  run(): Transposed<DenseFunc> {
    const { lin, b } = this;
    const ctRefs = new Map<Var, Ct>();
    lin.params.forEach((p, k) => {
      const t = this.ty(p);
      if (!hasTan(t)) this.hasNl[b.paramVar(p)] = 1;
      else if (t.kind === 'ref') ctRefs.set(p, b.param(erase(t.inner)));
      else {
        this.acc[p] = b.param(refTy(erase(t)));
        this.isAccParam[p] = 1;
        this.paramPos[p] = k;
      }
    });
    const ct = b.param(erase(lin.retType));
    this.block(BODY, () => {
      if (this.isLinear(lin.ret)) this.contribute(lin.ret, fromShape(b, ct, this.ctShape));
    }, ctRefs);
    b.insertAt(0, this.zeros);
    const bwd = pruneDense(b.finish(b.unit()), true, this.scratch);
    this.scratch.release();
    return { bwd, wrote: this.wrote };
  }

  /** Record that `bwd` may add `s` into the accumulator param of linear value param `p`. */
  wrote1(p: Var, s: Shape): void {
    const k = this.paramPos[p]!;
    if (k >= 0) this.wrote[k] = joinShape(this.wrote[k]!, s, erase(this.ty(p)));
  }

  /**
   * Transpose nested block `k` into a new block of `bwd` yielding unit; its result's cotangent
   * is `ctOfRet()`, asked only when the result is linear (emitted in the new block). Return the
   * block closed, its unit result, and whether the reversed part emitted anything.
   */
  nestedBlock(k: number, ctOfRet: () => Var | undefined): { block: number; unit: Var; emitted: boolean } {
    const { b } = this;
    const ret = this.lin.blockRet[k]!;
    b.beginBlock();
    const emitted = this.block(k, () => {
      if (!this.isLinear(ret)) return;
      const ct = ctOfRet();
      if (ct !== undefined) this.contribute(ret, ct);
    });
    const unit = b.unit();
    return { block: b.endBlock(unit), unit, emitted };
  }

  /**
   * Transpose block `k` of `lin` into the builder's current block: nonlinear part forward, then
   * `seed`, then the linear part reversed. Return true when the reversed part emitted anything.
   *
   * Nonlinear real values are not copied in order but where they are first read (see
   * transpose-defer.ts), so the values the reversed part needs late are not live all along.
   */
  block(k: number, seed: () => void, ctRef?: Map<Var, Ct>): boolean {
    const { b, a, deferred, lin } = this;
    const vars = blockVarsOf(lin, k);
    const depth = this.frames.length + 1;
    for (let i = 0; i < vars.length; i++) {
      const v = vars[i]!;
      if (visitDense(a, v, depth)) {
        // a nested block's reads of this block's values are copied before it
        const op = lin.op[v]!;
        if (op === OP_FOR || op === OP_COND) deferred.copyReadsIn(v, depth);
        else if (op === OP_MEMBER || op === OP_INDEX) this.notePartRead(lin.a[v]!);
      } else if (deferred.deferrable(v)) deferred.defer(v);
      else {
        deferred.copyOperands(v);
        this.copy(v);
      }
    }
    deferred.copyIfDeferred(lin.blockRet[k]!);
    const frame: Frame = { start: b.blockLength(), accs: [], ctRef, views: undefined };
    this.frames.push(frame);
    seed();
    for (let i = vars.length - 1; i >= 0; i--) {
      const v = vars[i]!;
      if (touchesLinearDense(a, v)) transposeInstr(this, v);
    }
    this.frames.pop();
    b.insertAt(frame.start, frame.accs);
    return b.blockLength() > frame.start;
  }

  /** Count a read of a member or element of linear container `c` (see `partReads`). */
  notePartRead(c: Var): void {
    if (this.partReads[c]! < 2) this.partReads[c]!++;
  }

  /** Return the innermost open frame. */
  frame(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  /** Return true when `v` is linear (its type holds a `tan`). */
  isLinear(v: Var): boolean {
    return this.a.linVar[v] === 1;
  }

  /**
   * Put nonlinear instruction `v` into `bwd`: as it is when its operands have their own numbers
   * there, else with renamed operands (a loop: its body instruction by instruction).
   */
  copy(v: Var): void {
    const { b, lin } = this;
    const op = lin.op[v]!;
    if (op >= OP_PRIM) {
      this.hasNl[v] = 1;
      const x = lin.a[v]!;
      const y = lin.b[v]!;
      if (this.hasNl[x] === 0 || (y >= 0 && this.hasNl[y] === 0))
        b.define(v, op, this.nlOf(x), y >= 0 ? this.nlOf(y) : -1);
      else b.define(v, op, x, y);
      return;
    }
    switch (op) {
      case OP_ZERO:
        // an empty constant (the unit part of a result...) is made where used (`nlOf`), if anywhere
        if (this.ty(v) === UNIT) return;
        break;
      case OP_COND:
        this.hasNl[v] = 1;
        return copyCond(this, v);
      case OP_FOR:
        return this.copyLoop(v);
    }
    this.hasNl[v] = 1;
    this.renamed = false;
    forEachOperandDense(lin, v, this.seeNl);
    if (this.renamed) putMapped(b, lin, v, v, this.nlRole);
    else b.copyFrom(lin, v);
  }

  /** `copy` of loop `v`: its body instruction by instruction. */
  copyLoop(v: Var): void {
    const { b, lin } = this;
    this.hasNl[v] = 1;
    this.hasNl[lin.a[v]!] = 1;
    const k = lin.b[v]!;
    const body = blockVarsOf(lin, k);
    b.beginBlock(body.length);
    for (let i = 0; i < body.length; i++) this.copy(body[i]!);
    b.defineFor(v, lin.a[v]!, b.endBlock(this.nlOf(lin.blockRet[k]!)));
  }

  /** Return the `bwd` value of nonlinear `v` (an empty value when its definition was linear). */
  nlOf(v: Var): Var {
    if (this.hasNl[v] === 1) return v;
    if (this.deferred.has(v)) {
      this.deferred.copy(v);
      return v;
    }
    const t = this.ty(v);
    if (!isEmpty(t)) internal(`transpose of ${this.lin.name}: nonlinear %${v} has no value`);
    return t.kind === 'ref' ? emitEmptyDense(this.b, erase(t)) : this.zeroOf(erase(t));
  }

  /** Return the frame of the block defining `v`. */
  frameOf(v: Var): Frame {
    const f = this.frames[this.a.depth[v]! - 1];
    if (f === undefined) internal(`transpose of ${this.lin.name}: %${v} is not in an open block`);
    return f;
  }

  /** Return the accumulator of linear value `v` for adding parts `s` (default: all) into it. */
  refFor(v: Var, s: Shape = 1): Var {
    const r = this.accOf(v);
    this.noteAdd(v, s);
    return r;
  }

  /**
   * Return the accumulator of linear value `v`, creating it at the start of its block: a slice or
   * field of its container's accumulator when `v` is read out of a linear container.
   */
  accOf(v: Var): Var {
    let r = this.acc[v]!;
    if (r >= 0) return r;
    const t = erase(this.ty(v));
    r = this.viewAccOf(v, t);
    if (r >= 0) this.isView[v] = 1;
    else {
      const { b } = this;
      r = b.fresh(refTy(t));
      const shape = b.put(b.fresh(t), OP_ZERO, -1);
      this.frameOf(v).accs.push(shape, b.put(r, OP_ACCUM, shape));
    }
    this.acc[v] = r;
    return r;
  }

  /**
   * Return the accumulator of `v` (of type `t`) as a view of its container's accumulator,
   * `&xs[i]` or `&s.k`, when `v = xs[i]` or `v = s.k` reads a linear container; else -1. The view
   * is made at the start of `v`'s block, and several reads of the same element or member share
   * it (a container read once has no other view: see `partReads`).
   */
  viewAccOf(v: Var, t: Ty): Var {
    const { lin } = this;
    const op = lin.op[v]!;
    const from = lin.a[v]!;
    let part: number; // the index var, or -1 - k for member k (see `viewKey`)
    if (op === OP_MEMBER && this.isLinear(from)) part = -1 - lin.b[v]!;
    else if (op === OP_INDEX && this.isLinear(from) && this.hasNl[lin.b[v]!] === 1) {
      // (the index is copied before the reversed section, where the slice goes)
      part = lin.b[v]!;
    } else return -1;
    const ref = this.accOf(from);
    const frame = this.frameOf(v);
    const shared = this.partReads[from]! > 1;
    const key = shared ? viewKey(ref, part) : 0;
    let r = shared ? (frame.views?.get(key) ?? -1) : -1;
    if (r >= 0) return r;
    r = this.b.fresh(refTy(t));
    frame.accs.push(part >= 0 ? this.b.put(r, OP_SLICE, ref, part) : this.b.put(r, OP_FIELD, ref, -1 - part));
    if (shared) (frame.views ??= new Map()).set(key, r);
    return r;
  }

  /** Record that parts `s` of `v` are added to through its accumulator. */
  noteAdd(v: Var, s: Shape): void {
    if (s === 0) return;
    if (this.isAccParam[v] === 1) return this.wrote1(v, s);
    const t = erase(this.ty(v));
    if (this.isView[v] === 0) {
      const joined = joinShape(this.accShapeOf(v), s, t);
      if (typeof joined === 'number') this.accAll[v] = joined;
      else {
        this.accAll[v] = 2;
        this.accParts.set(v, joined);
      }
      return;
    }
    const { lin } = this;
    const op = lin.op[v]!;
    if (op === OP_INDEX) return this.noteAdd(lin.a[v]!, 1);
    if (op !== OP_MEMBER) return internal(`transpose: accumulator view of opcode ${op}`);
    const struct = lin.a[v]!;
    this.noteAdd(struct, memberShape(s, lin.b[v]!, erase(this.ty(struct))));
  }

  /** Add `ct` into the cotangent of `v` (nothing when `v` is nonlinear). */
  contribute(v: Var, ct: Ct): void {
    if (!this.isLinear(v) || ct === undefined) return;
    if (this.isAccParam[v] === 1) {
      const t = erase(this.ty(v));
      this.wrote1(v, shapeOf(ct, t));
      addInto(this.b, this.acc[v]!, ct, t);
      return;
    }
    if (this.frameOf(v) === this.frame()) {
      // summed in this block: no accumulator unless a nested block or a callee adds too; a
      // scalar's contributions are summed in small groups as they arrive (`CtLists.accumulate`)
      if (typeof ct === 'number' && this.ty(v) === TAN) this.cts.accumulate(v, ct, this.b);
      else this.cts.add(v, ct);
    } else {
      const t = erase(this.ty(v));
      addInto(this.b, this.refFor(v, shapeOf(ct, t)), ct, t);
    }
  }

  /**
   * Return the cotangent of linear `v` at its definition (undefined: statically zero): without
   * what went into a view accumulator, which reaches the container's directly.
   */
  ctOf(v: Var): Ct {
    const { cts } = this;
    const r = this.acc[v]!;
    const own = r >= 0 && this.isView[v] === 0 && this.accAll[v] !== 0;
    if (!own) {
      if (cts.isEmpty(v)) return undefined;
      const only = cts.only(v);
      if (only !== undefined) return only;
      // the usual sum: of scalar cotangents, emitted without collecting them first
      const sum = this.ty(v) === TAN ? cts.sumOfVars(v, this.b, REAL) : undefined;
      if (sum !== undefined) return sum;
    }
    const terms = cts.terms(v);
    if (own) terms.push(fromShape(this.b, this.b.resolve(r), this.accShapeOf(v)));
    return sumCts(this.b, terms, erase(this.ty(v)));
  }

  /** Return the parts added to the accumulator of `v` (one of its own, not a view). */
  accShapeOf(v: Var): Shape {
    const s = this.accAll[v]!;
    return s === 2 ? this.accParts.get(v)! : (s as 0 | 1);
  }

  /** Return the cotangent of linear `v` as one var (undefined: statically zero). */
  ctVar(v: Var): Var | undefined {
    const ct = this.ctOf(v);
    return ct === undefined ? undefined : full(this.b, ct, erase(this.ty(v)), this.zeroOf);
  }

  /** Note `resolve(ref)`: remember a resolve nested deeper than the accumulator's definition. */
  noteResolve(ref: Var): void {
    const root = this.rootOf(ref);
    if (this.a.depth[root]! < this.frames.length) this.resolvedIn.set(root, this.frame());
  }

  /** Return the accumulator (or ref param) that ref `r` is an element or member of. */
  rootOf(r: Var): Var {
    const { lin } = this;
    for (;;) {
      const op = lin.op[r];
      if (op !== OP_SLICE && op !== OP_FIELD) return r;
      r = lin.a[r]!;
    }
  }

  /** Return the cotangent value of linear ref `r` (undefined: statically zero). */
  ctRefOf(r: Var): Ct {
    for (let k = this.frames.length - 1; k >= 0; k--) {
      const ct = this.frames[k]!.ctRef?.get(r);
      if (ct !== undefined) return ct;
    }
    const { lin } = this;
    const op = lin.op[r]!;
    if (op !== OP_SLICE && op !== OP_FIELD) {
      // its cotangent value was computed in a loop body already transposed: not supported
      const f = this.resolvedIn.get(r);
      if (f !== undefined && !this.frames.includes(f))
        internal(`transpose of ${this.lin.name}: %${r} is resolved in a loop but added to before it`);
      return undefined;
    }
    const parent = this.ctRefOf(lin.a[r]!);
    if (parent === undefined) return undefined;
    if (op === OP_SLICE && typeof parent !== 'number')
      return internal(`transpose: partial cotangent of a vec %${lin.a[r]}`);
    const ct =
      op === OP_SLICE ? this.b.index(parent as Var, this.nlOf(lin.b[r]!)) : partOf(this.b, parent, lin.b[r]!);
    if (ct !== undefined) this.setCtRef(r, ct);
    return ct;
  }

  /** Record `ct` as the cotangent value of linear ref `r` in the innermost open block. */
  setCtRef(r: Var, ct: Ct): void {
    const f = this.frame();
    (f.ctRef ??= new Map()).set(r, ct);
  }
}
