/**
 * @file Deferred copies for `transpose`: the nonlinear real values of a block (arithmetic,
 * residual reads, elements) are copied into `bwd` where they are first read, instead of all at
 * the start of the block: by a copied instruction, before a nested block that reads them, or by
 * a transpose rule in the reversed part (through `Transposer.nlOf`). Each is still copied at
 * most once (never, when nothing reads it), but next to its use, so a value the reversed part
 * needs late is not live across the whole block (in compiled code: held in a register or
 * spilled all that time).
 */
import type { Instr, TransparentFunc, Var } from '../ir/types.ts';
import { REAL, varCount, varTy } from '../ir/types.ts';
import { forEachOperand } from '../ir/visit.ts';
import type { Analysis, ExprOf } from './linearity.ts';
import type { Scratch } from './scratch.ts';

/** The values of one transpose whose copies wait for their first use. */
export class DeferredCopies {
  readonly #lin: TransparentFunc;
  readonly #a: Analysis;
  /** Copy an instruction into `bwd` (the transposer's, renaming operands as needed). */
  readonly #copy: (instr: Instr) => void;
  /** 1 for each var whose copy waits. */
  readonly #waits: Uint8Array;
  /** How many vars wait. */
  #waiting = 0;
  /** Scratch of `copy`: waiting vars whose waiting operands are copied first. */
  readonly #pending: Var[] = [];
  /** Scratch of `copyReadsIn`: the depth of the block whose values a nested block reads. */
  #outerDepth = 0;

  /** Start with nothing waiting, for `lin` (analysed in `a`), copying through `copy`. */
  constructor(lin: TransparentFunc, a: Analysis, scratch: Scratch, copy: (instr: Instr) => void) {
    this.#lin = lin;
    this.#a = a;
    this.#copy = copy;
    this.#waits = scratch.u8(varCount(lin));
  }

  /** Return true when nonlinear `instr` is a real value whose copy may wait. */
  deferrable(instr: Instr): boolean {
    const k = instr.expr.kind;
    return varTy(this.#lin, instr.var) === REAL && (k === 'prim' || k === 'index' || k === 'member');
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

  /** Copy the waiting operands of `instr` (about to be copied) here. */
  copyOperands(instr: Instr): void {
    if (this.#waiting === 0) return;
    const e = instr.expr;
    const { kind } = e; // read once: see `hasEffect` in linearity.ts
    if (kind === 'for' || kind === 'cond') this.copyReadsIn(e, this.#a.depth[instr.var]!);
    else forEachOperand(e, this.copyIfDeferred);
  }

  /** Copy the waiting values of blocks at `depth` or outside that loop or cond `e` reads, here. */
  copyReadsIn(e: ExprOf<'for' | 'cond'>, depth: number): void {
    if (this.#waiting === 0) return;
    this.#outerDepth = depth;
    this.#copyOuterReadsOf(e);
  }

  /** Copy the waiting outer values (see `#copyOuterReads`) that loop or cond `e` reads. */
  #copyOuterReadsOf(e: ExprOf<'for' | 'cond'>): void {
    if (e.kind === 'for') return this.#copyOuterReads(e.body, e.ret);
    this.#copyIfOuter(e.cond);
    this.#copyOuterReads(e.then, e.thenRet);
    this.#copyOuterReads(e.els, e.elsRet);
  }

  /** Copy the waiting values outside `#outerDepth` that `body` (result `ret`) reads. */
  #copyOuterReads(body: readonly Instr[], ret: Var): void {
    this.#copyIfOuter(ret);
    for (let k = 0; k < body.length; k++) {
      const e = body[k]!.expr;
      if (e.kind === 'for' || e.kind === 'cond') this.#copyOuterReadsOf(e);
      else forEachOperand(e, this.#copyIfOuter);
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
      const instr = this.#a.def[x]!;
      const before = pending.length;
      forEachOperand(instr.expr, this.#pushWaiting);
      if (pending.length === before) {
        pending.pop();
        this.#waits[x] = 0;
        this.#waiting--;
        this.#copy(instr);
      }
    }
  }

  /** Queue `x` for `copy` when it waits (bound once). */
  readonly #pushWaiting = (x: Var): void => {
    if (this.#waits[x] === 1) this.#pending.push(x);
  };
}
