/**
 * @file Deferred copies for `transpose`: the nonlinear real values of a block (arithmetic,
 * residual reads, elements) are copied into `bwd` where they are first read, instead of all at
 * the start of the block: by a copied instruction, before a nested block that reads them, or by
 * a transpose rule in the reversed part (through `Transposer.nlOf`). Each is still copied at
 * most once (never, when nothing reads it), but next to its use, so a value the reversed part
 * needs late is not live across the whole block (in compiled code: held in a register or
 * spilled all that time).
 */
import {
  OP_COND,
  OP_FOR,
  OP_INDEX,
  OP_MEMBER,
  OP_PRIM,
  blockVarsOf,
  denseVarTy,
  type DenseFunc,
} from '../ir/dense.ts';
import { REAL, type Var } from '../ir/types.ts';
import { forEachOperandDense, type DenseAnalysis } from './linearity-dense.ts';
import type { Scratch } from './scratch.ts';

/** The values of one transpose whose copies wait for their first use. */
export class DeferredCopies {
  readonly #lin: DenseFunc;
  readonly #a: DenseAnalysis;
  /** Copy an instruction into `bwd` (the transposer's, renaming operands as needed). */
  readonly #copy: (v: Var) => void;
  /** 1 for each var whose copy waits. */
  readonly #waits: Uint8Array;
  /** How many vars wait. */
  #waiting = 0;
  /** Scratch of `copy`: waiting vars whose waiting operands are copied first. */
  readonly #pending: Var[] = [];
  /** Scratch of `copyReadsIn`: the depth of the block whose values a nested block reads. */
  #outerDepth = 0;

  /** Start with nothing waiting, for `lin` (analysed in `a`), copying through `copy`. */
  constructor(lin: DenseFunc, a: DenseAnalysis, scratch: Scratch, copy: (v: Var) => void) {
    this.#lin = lin;
    this.#a = a;
    this.#copy = copy;
    this.#waits = scratch.u8(lin.varTypes.length);
  }

  /** Return true when nonlinear instruction `v` is a real value whose copy may wait. */
  deferrable(v: Var): boolean {
    const op = this.#lin.op[v]!;
    return (op >= OP_PRIM || op === OP_INDEX || op === OP_MEMBER) && denseVarTy(this.#lin, v) === REAL;
  }

  /** Make the copy of `v` wait for its first use. */
  defer(v: Var): void {
    this.#waits[v] = 1;
    this.#waiting++;
  }

  /** Return true when the copy of `v` waits. */
  has(v: Var): boolean {
    return this.#waits[v] === 1;
  }

  /** Copy the waiting operands of instruction `v` (about to be copied) here. */
  copyOperands(v: Var): void {
    if (this.#waiting === 0) return;
    const op = this.#lin.op[v]!;
    if (op === OP_FOR || op === OP_COND) this.copyReadsIn(v, this.#a.depth[v]!);
    else forEachOperandDense(this.#lin, v, this.copyIfDeferred);
  }

  /** Copy the waiting values of blocks at `depth` or outside that loop or cond `v` reads, here. */
  copyReadsIn(v: Var, depth: number): void {
    if (this.#waiting === 0) return;
    this.#outerDepth = depth;
    this.#copyOuterReadsOf(v);
  }

  /** Copy the waiting outer values (see `#copyOuterReads`) that loop or cond `v` reads. */
  #copyOuterReadsOf(v: Var): void {
    const lin = this.#lin;
    if (lin.op[v] === OP_FOR) return this.#copyOuterReads(lin.b[v]!);
    this.#copyIfOuter(lin.a[v]!);
    this.#copyOuterReads(lin.b[v]!);
    this.#copyOuterReads(lin.c[v]!);
  }

  /** Copy the waiting values outside `#outerDepth` that block `k` (and its result) reads. */
  #copyOuterReads(k: number): void {
    const lin = this.#lin;
    this.#copyIfOuter(lin.blockRet[k]!);
    const body = blockVarsOf(lin, k);
    for (let i = 0; i < body.length; i++) {
      const w = body[i]!;
      const op = lin.op[w];
      if (op === OP_FOR || op === OP_COND) this.#copyOuterReadsOf(w);
      else forEachOperandDense(lin, w, this.#copyIfOuter);
    }
  }

  /** Copy `x` here when it waits and is defined at `#outerDepth` or outside (bound once). */
  readonly #copyIfOuter = (x: Var): void => {
    if (this.#waits[x] === 1 && this.#a.depth[x]! <= this.#outerDepth) this.copy(x);
  };

  /** Copy `x` here when it waits (an operand visitor, bound once). */
  readonly copyIfDeferred = (x: Var): void => {
    if (this.#waits[x] === 1) this.copy(x);
  };

  /** Copy waiting `v` here, after its waiting operands (iteratively: chains may be long). */
  copy(v: Var): void {
    const pending = this.#pending;
    pending.push(v);
    while (pending.length > 0) {
      const x = pending[pending.length - 1]!;
      if (this.#waits[x] === 0) {
        pending.pop();
        continue;
      }
      const before = pending.length;
      forEachOperandDense(this.#lin, x, this.#pushWaiting);
      if (pending.length === before) {
        pending.pop();
        this.#waits[x] = 0;
        this.#waiting--;
        this.#copy(x);
      }
    }
  }

  /** Queue `x` for `copy` when it waits (bound once). */
  readonly #pushWaiting = (x: Var): void => {
    if (this.#waits[x] === 1) this.#pending.push(x);
  };
}
