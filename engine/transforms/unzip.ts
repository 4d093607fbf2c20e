/**
 * @file Unzip: split a function in JVP form into a forward pass and its linear part.
 *
 * Type-directed: every variable of type T has a primal part `primalPart(T)` (computed by `fwd`)
 * and a linear part `linearPart(T)` (computed by `lin`); either may be empty (only unit leaves),
 * and is then materialized as a `zero` where needed. Instructions that touch no linear value go
 * to `fwd` unchanged; the others are split by part, each side getting the same expression kind
 * on the matching parts of its operands (see `mapRoles`); calls, loops and conds are split
 * recursively (unzip-call.ts, unzip-loop.ts, unzip-cond.ts).
 *
 * Residuals: when `lin` needs the primal value `u` (a select's condition, an index, `y` in
 * `mul(dx, y)`, a callee's residuals), `u` becomes a member of the residual struct of the block
 * that defines it, and `lin` reads it with a `member` at the start of that block. Literals and
 * empty values are re-emitted in `lin` instead, and cheap values recomputed (unzip-recompute.ts).
 * Unzipped with `passParams`, a param's primal value is not a residual but a param of `lin` (see
 * `Unzipped.passed`): the caller, which has it anyway, passes it again instead of `fwd` copying
 * it into the residual struct. A loop's per-iteration residuals form a vec, itself a residual of
 * the enclosing block; a cond's are those of the block taken, the other's left zero, with its
 * condition (see unzip-cond.ts). No tape: residual types are static.
 *
 * Numbering: `fwd` and `lin` keep the input's variable numbers (see `VarTable.reserveFrom`), so
 * an instruction whose operands keep their numbers is copied as it is: in `fwd` every variable v
 * holds v's primal part; in `lin` a linear v holds its linear part, a nonlinear v its primal
 * value as `lin` reads it (a residual, a literal, a loop index), and the (empty) linear parts of
 * nonlinear variables get new numbers.
 *
 * Reads and writes the dense IR (ir/dense.ts): `denseUnzip`. `unzip` is the same on the object
 * IR (its input densified, its output materialized; both memoized).
 */
import { internal } from '../errors.ts';
import { DenseBuilder } from '../ir/dense-builder.ts';
import { densify, materialize } from '../ir/dense-convert.ts';
import {
  BODY,
  OP_ADD,
  OP_CALL,
  OP_COND,
  OP_FOR,
  OP_LIT,
  OP_MEMBER,
  OP_NONE,
  OP_PRIM,
  OP_ZERO,
  blockVarsOf,
  denseVarTy,
  type DenseFunc,
} from '../ir/dense.ts';
import {
  hasTan,
  isEmpty,
  linearPart,
  primalPart,
  sameTy,
  type StructTy,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';
import type { Role } from './linearity.ts';
import {
  analyzeDense,
  forEachOperandDense,
  forEachRoleDense,
  isTrOp,
  pruneDense,
  putEmpty,
  putMapped,
  SharedDenseZeros,
  visitDense,
  type DenseAnalysis,
} from './linearity-dense.ts';
import { Scratch } from './scratch.ts';
import { sinkIntoConds } from './sink.ts';
import { unzipCall } from './unzip-call.ts';
import { unzipCond } from './unzip-cond.ts';
import { unzipLoop } from './unzip-loop.ts';
import { Recompute } from './unzip-recompute.ts';
import { bundleTy, residualTy, sizeHints } from './unzip-shapes.ts';
import { Uses } from './uses.ts';

/** The two halves of an unzipped function (`F`: dense or object-IR functions). */
export interface Unzipped<F = TransparentFunc> {
  /**
   * `fwd(...primalPart(paramTypes))` returns `struct {res: R, ret: primalPart(retType)}`
   * (keys `['res', 'ret']`).
   */
  readonly fwd: F;
  /**
   * `lin(...linearPart(paramTypes), res: R, ...passed params)` returns `linearPart(retType)`;
   * after `res` come the primal values of the params listed in `passed`, in that order.
   */
  readonly lin: F;
  /**
   * The positions (in `paramTypes`) of the params whose primal values `lin` takes as params of
   * its own instead of as residuals, ascending; always empty unless unzipped with `passParams`.
   */
  readonly passed: readonly number[];
}

/** The member indices of `fwd`'s `{res, ret}` (defined with the bundle types, in unzip-shapes.ts). */
export { RES, RET } from './unzip-shapes.ts';

const memo = new WeakMap<DenseFunc, Unzipped<DenseFunc>>();
const memoPassing = new WeakMap<DenseFunc, Unzipped<DenseFunc>>();
const objectMemo = new WeakMap<TransparentFunc, Unzipped>();
const objectMemoPassing = new WeakMap<TransparentFunc, Unzipped>();

/**
 * Return `f` split into `fwd` and `lin` (memoized per function). With `passParams`, `lin` takes
 * the primal params it reads as params (see `Unzipped.passed`) instead of as residuals: for a
 * caller that holds them until it calls `lin`'s transpose (reverse mode's root), not for calls
 * nested in unzipped functions (their callees are unzipped without it).
 */
export function denseUnzip(f: DenseFunc, passParams = false): Unzipped<DenseFunc> {
  const table = passParams ? memoPassing : memo;
  let out = table.get(f);
  if (out === undefined) {
    out = new Unzipper(f, passParams).run();
    table.set(f, out);
  }
  return out;
}

/** `denseUnzip` of an object-IR function, its halves as object-IR functions (memoized). */
export function unzip(f: TransparentFunc, passParams = false): Unzipped {
  const table = passParams ? objectMemoPassing : objectMemo;
  let out = table.get(f);
  if (out === undefined) {
    const u = denseUnzip(densify(f), passParams);
    out = { fwd: materialize(u.fwd), lin: materialize(u.lin), passed: u.passed };
    table.set(f, out);
  }
  return out;
}

/** The residuals of one block: primal values stored by `fwd`, and the `lin` vars reading them. */
export interface UnzipFrame {
  readonly stored: Var[];
  readonly reads: Var[];
  /** Projections and arithmetic recomputed in `lin` (put, not placed), in dependency order. */
  readonly remat: Var[];
}

/** Return true when one value of type `t` may serve all its uses: an empty type, not a ref. */
function sharable(t: Ty): boolean {
  return t.kind !== 'ref' && isEmpty(t);
}

/** Return `x` (the renaming that keeps every operand). */
const same = (x: Var): Var => x;

/** The state of unzipping one function (exported for unzip-call.ts, unzip-loop.ts, unzip-cond.ts). */
export class Unzipper {
  readonly f: DenseFunc;
  /** The typed arrays below come from here (released when `run` is done). */
  readonly scratch = new Scratch();
  readonly a: DenseAnalysis;
  readonly fb: DenseBuilder;
  readonly lb: DenseBuilder;
  /** 1 for each var defined in `fwd` (its primal part, same number). */
  readonly hasPrim: Uint8Array;
  /** 1 for each var whose linear part is defined in `lin` (see `linVarOf`). */
  readonly hasLin: Uint8Array;
  /** Nonlinear var -> the `lin` var of its linear part (-1: none yet); linear vars keep theirs. */
  readonly linPart: Int32Array;
  /** 1 for each nonlinear var whose primal value `lin` has (a residual, a literal...). */
  readonly hasRes: Uint8Array;
  /** Operand-free instructions put for the start of `fwd` / `lin` (empty values, literals). */
  readonly fwdTop: Var[] = [];
  readonly linTop: Var[] = [];
  /** Residual frames of the open blocks, outermost first (index = depth - 1). */
  readonly frames: UnzipFrame[] = [];
  /** Set by `linRole` when an operand's `lin` var differs from the operand. */
  renamed = false;
  /** The variables read in `fwd` / `lin` (so `prune` can be skipped when nothing is dead). */
  readonly usesF: Uses;
  readonly usesL: Uses;
  /** Set at a cond, whose blocks `Uses` does not count: then `prune` walks `fwd` and `lin`. */
  blocksSeen = false;
  /** Set at a cond in `lin`: then what `lin` reads in one of its blocks only moves into it. */
  linConds = false;
  /** The empty values (not refs) of `fwd` / `lin` shared by all their uses, one per type. */
  readonly emptiesF: SharedDenseZeros;
  readonly emptiesL: SharedDenseZeros;
  /** Pass the primal params `lin` reads as params of `lin` (see `Unzipped.passed`)? */
  readonly passParams: boolean;
  /** 1 for each param of `f` whose primal value `lin` reads as a param of its own. */
  readonly isPassed: Uint8Array;
  /** Which residuals `lin` recomputes instead of reading (see unzip-recompute.ts). */
  readonly recompute: Recompute;

  /** Operand visitors and renamings, bound once (not allocated per instruction). */
  readonly primRole = (v: Var): Var => this.primOf(v);
  readonly resRole = (v: Var): Var => this.resOf(v);
  readonly linRole = (v: Var, role: Role): Var => {
    const w = role === 'part' ? this.linOf(v) : this.resOf(v);
    if (w !== v) this.renamed = true;
    return w;
  };

  constructor(f: DenseFunc, passParams: boolean) {
    this.f = f;
    this.passParams = passParams;
    this.a = analyzeDense(f, this.scratch);
    const n = f.varTypes.length;
    const lin = this.a.linVar;
    const hint = sizeHints(f, this.a.linearCount, this.a.aggregates);
    this.fb = new DenseBuilder(`fwd_${f.name}`, hint.fwdBody, n + hint.fwdVars);
    this.fb.reserveFrom(f, primalPart, hint.fwdVars);
    this.lb = new DenseBuilder(`lin_${f.name}`, hint.linBody, n + hint.linVars);
    this.lb.reserveFrom(f, sameTy, hint.linVars, lin, linearPart);
    this.emptiesF = new SharedDenseZeros(this.fb, this.fwdTop);
    this.emptiesL = new SharedDenseZeros(this.lb, this.linTop);
    const { scratch } = this;
    this.hasPrim = scratch.u8(n);
    this.hasLin = scratch.u8(n);
    this.linPart = scratch.i32(n, -1);
    this.hasRes = scratch.u8(n);
    this.isPassed = scratch.u8(n);
    this.recompute = new Recompute(this, scratch);
    this.usesF = new Uses(n + (n >> 2), scratch);
    this.usesL = new Uses(n + (n >> 2), scratch);
  }

  /** Return the type of variable `v` of the function unzipped. */
  ty(v: Var): Ty {
    return denseVarTy(this.f, v);
  }

  /** Build `fwd` and `lin`. */
  run(): Unzipped<DenseFunc> {
    const { f, fb, lb } = this;
    for (const p of f.params) {
      this.hasPrim[fb.paramVar(p)] = 1;
      this.usesF.declare(p);
      if (this.a.linVar[p] === 1) this.hasLin[lb.paramVar(p)] = 1;
      else this.linPart[p] = lb.param(linearPart(this.ty(p)));
      this.usesL.declare(this.a.linVar[p] === 1 ? p : this.linPart[p]!);
    }
    const top: UnzipFrame = { stored: [], reads: [], remat: [] };
    this.frames.push(top);
    const body = blockVarsOf(f, BODY);
    for (let k = 0; k < body.length; k++) this.instr(body[k]!);
    const retP = this.primOf(f.ret);
    const retL = this.linOf(f.ret);
    this.frames.pop();
    const resTy = this.resTy(top);
    const res = fb.struct(top.stored, resTy);
    const out = fb.struct([res, retP], bundleTy(resTy, fb.typeOf(retP)));
    this.usesF.read(res);
    this.usesF.read(out);
    fb.insertAt(0, this.fwdTop);
    const { scratch } = this;
    const deadF = this.blocksSeen || this.usesF.mayHaveDead(fb.instrCount());
    const fwd = pruneDense(fb.finish(out), deadF, scratch);
    const resParam = lb.param(resTy);
    const passed: number[] = [];
    for (let k = 0; k < f.params.length; k++) {
      const p = f.params[k]!;
      if (this.isPassed[p] === 0) continue;
      passed.push(k);
      lb.paramVar(p);
      this.usesL.declare(p);
    }
    lb.insertAt(0, this.linTop.concat(this.readsOf(top, resParam), top.remat));
    const deadL = this.blocksSeen || this.usesL.mayHaveDead(lb.instrCount());
    let lin = pruneDense(lb.finish(retL), deadL, scratch);
    // residual reads and recomputed values used in one cond block only: read there, so that
    // the backward pass does not compute them for the block not taken (by the object-IR pass,
    // until there is a dense one)
    if (this.linConds) lin = densify(sinkIntoConds(materialize(lin)));
    scratch.release();
    return { fwd, lin, passed };
  }

  /** Return the struct type of a frame's residuals. */
  resTy(frame: UnzipFrame): StructTy {
    const { stored } = frame;
    const members = new Array<Ty>(stored.length);
    for (let k = 0; k < stored.length; k++) members[k] = this.fb.typeOf(stored[k]!);
    return residualTy(members);
  }

  /** Put the `lin` instructions reading a frame's residuals out of `res`; return their variables. */
  readsOf(frame: UnzipFrame, res: Var): Var[] {
    return frame.reads.map((v, member) => this.lb.put(v, OP_MEMBER, res, member));
  }

  /** Return the primal part of `v` in `fwd`: `v` itself (made an empty value if need be). */
  primOf(v: Var): Var {
    this.usesF.read(v);
    if (this.hasPrim[v] === 1) return v;
    this.empty(this.fb, this.fwdTop, primalPart(this.ty(v)), v);
    this.hasPrim[v] = 1;
    return v;
  }

  /** Return the linear part of `v` in `lin` (recording the read). */
  linOf(v: Var): Var {
    let w = v;
    if (this.a.linVar[v] === 1) {
      if (this.hasLin[v] === 0) this.empty(this.lb, this.linTop, linearPart(this.ty(v)), v);
      this.hasLin[v] = 1;
    } else {
      w = this.linPart[v]!;
      if (w < 0) {
        const t = linearPart(this.ty(v));
        w = sharable(t) ? this.emptiesL.of(t) : this.empty(this.lb, this.linTop, t);
        this.linPart[v] = w;
      }
    }
    this.usesL.read(w);
    return w;
  }

  /** Return the `lin` var that defines the linear part of `v`. */
  linVarOf(v: Var): Var {
    if (this.a.linVar[v] === 1) {
      this.hasLin[v] = 1;
      return v;
    }
    return (this.linPart[v] = this.lb.fresh(linearPart(this.ty(v))));
  }

  /**
   * Put a value of empty type `t` for the start of the function (in `top`) as `v`, or as a new
   * variable; return it.
   */
  empty(b: DenseBuilder, top: Var[], t: Ty, v?: Var): Var {
    if (!isEmpty(t))
      internal(`unzip of ${this.f.name}: a part of type ${t.kind} is used before it is defined`);
    const vars = putEmpty(b, t, v);
    for (const w of vars) top.push(w);
    // the accumulator of an empty ref reads its shape
    if (vars.length === 2) (b === this.fb ? this.usesF : this.usesL).read(vars[0]!);
    return vars[vars.length - 1]!;
  }

  /**
   * Return the primal value of nonlinear `u` as `lin` sees it (always `u`): literals are
   * re-emitted, projections, index arithmetic and cheap real arithmetic recomputed from their
   * operands (see unzip-recompute.ts), passed params read as params, anything else a residual.
   */
  resOf(u: Var): Var {
    this.usesL.read(u);
    if (this.hasRes[u] === 1) return u;
    if (this.a.linVar[u] === 1) internal(`unzip of ${this.f.name}: linear %${u} read as a primal`);
    this.hasRes[u] = 1;
    const { f } = this;
    const t = this.ty(u);
    const op = f.op[u]!;
    const defined = op !== OP_NONE;
    if (isEmpty(t)) this.empty(this.lb, this.linTop, t, u);
    else if (op === OP_LIT || op === OP_ZERO) this.linTop.push(this.lb.copyFrom(f, u, false));
    else if (defined && this.recompute.recomputes(u)) {
      forEachOperandDense(f, u, this.resRole);
      this.frameAt(this.a.depth[u]!).remat.push(this.lb.copyFrom(f, u, false));
    } else if (this.passParams && !defined && this.a.depth[u] === 1 && t.kind !== 'ref') {
      this.isPassed[u] = 1; // a param (loop indices are deeper)
    } else {
      this.store(this.primOf(u), this.a.depth[u]!, u);
      if (defined) this.recompute.noteStored(u); // (params stay free leaves)
    }
    return u;
  }

  /** Return the residual frame of the open block at `depth`. */
  frameAt(depth: number): UnzipFrame {
    const frame = this.frames[depth - 1];
    if (frame === undefined) internal(`unzip of ${this.f.name}: no block at depth ${depth}`);
    return frame;
  }

  /**
   * Store `fwd` var `p` as a residual of the block at `depth`; return the `lin` var reading it
   * (`read` when given, else a new one).
   */
  store(p: Var, depth: number, read?: Var): Var {
    const t = this.fb.typeOf(p);
    if (isEmpty(t)) return this.empty(this.lb, this.linTop, t, read);
    if (t.kind === 'ref') internal(`unzip of ${this.f.name}: an accumulator cannot be a residual`);
    const frame = this.frameAt(depth);
    frame.stored.push(p);
    this.usesF.read(p);
    const r = read ?? this.lb.fresh(t);
    frame.reads.push(r);
    return r;
  }

  /** Unzip instruction `v` into the current blocks of `fwd` and `lin`. */
  instr(v: Var): void {
    const { f } = this;
    if (!visitDense(this.a, v, this.frames.length)) return this.primal(v);
    const op = f.op[v]!;
    if (op >= OP_PRIM) {
      if (this.a.linVar[v] === 1) return this.linearPrim(v, op);
    } else if (op === OP_CALL) return unzipCall(this, v);
    else if (op === OP_FOR) return unzipLoop(this, v);
    else if (op === OP_COND) return unzipCond(this, v);
    const isAdd = op === OP_ADD;
    // `add` returns unit: which sides it runs on depends on the accumulator's type
    const side = isAdd ? this.ty(f.a[v]!) : this.ty(v);
    if (!isEmpty(primalPart(side))) {
      forEachOperandDense(f, v, this.primRole);
      this.hasPrim[this.fb.copyFrom(f, v)] = 1;
      if (isAdd) this.usesF.keep(v); // kept for its effect
    }
    if (hasTan(side)) {
      this.renamed = false;
      forEachRoleDense(f, v, this.linRole);
      const w = this.linVarOf(v);
      if (!this.renamed && w === v) this.lb.copyFrom(f, v);
      else putMapped(this.lb, f, v, w, this.renamed ? this.linRole : same);
      if (isAdd) this.usesL.keep(w); // kept for its effect
    }
  }

  /**
   * A linear primitive (`lin` only, its result being a `tan`): the commonest linear instruction,
   * with its operands read directly instead of through `forEachRole`.
   */
  linearPrim(v: Var, op: number): void {
    const { f } = this;
    const x = f.a[v]!;
    const y = f.b[v]!;
    let renamed = this.linOf(x) !== x;
    // in `mul(dx, y)` and `div(dx, y)` the right operand is primal
    if (y >= 0 && (isTrOp(op) ? this.resOf(y) : this.linOf(y)) !== y) renamed = true;
    this.hasLin[v] = 1;
    this.renamed = false;
    if (renamed) putMapped(this.lb, f, v, v, this.linRole);
    else this.lb.define(v, op, x, y);
  }

  /** Put nonlinear instruction `v` (a loop with its body) into `fwd` as it is. */
  primal(v: Var): void {
    this.definePrimal(v);
    this.fb.copyFrom(this.f, v);
  }

  /**
   * Record the variables instruction `v` defines in `fwd`, making the empty values its operands
   * need; return true when it is an `add`, or a loop or cond with one (kept for its effect).
   */
  definePrimal(v: Var): boolean {
    const { f } = this;
    const op = f.op[v]!;
    let effect = false;
    if (op >= OP_PRIM) {
      this.primOf(f.a[v]!);
      if (f.b[v]! >= 0) this.primOf(f.b[v]!);
    } else if (op === OP_FOR) {
      const index = f.a[v]!;
      this.hasPrim[index] = 1;
      this.usesF.declare(index);
      const body = blockVarsOf(f, f.b[v]!);
      for (let k = 0; k < body.length; k++) if (this.definePrimal(body[k]!)) effect = true;
      this.primOf(f.blockRet[f.b[v]!]!);
    } else if (op === OP_COND) effect = this.definePrimalCond(v);
    else {
      effect = op === OP_ADD;
      forEachOperandDense(f, v, this.primRole);
    }
    this.hasPrim[v] = 1;
    if (effect) this.usesF.keep(v);
    return effect;
  }

  /** `definePrimal` of the blocks and results of cond `v`; return true when a block has an `add`. */
  definePrimalCond(v: Var): boolean {
    const { f } = this;
    this.blocksSeen = true;
    this.primOf(f.a[v]!);
    let effect = false;
    for (const k of [f.b[v]!, f.c[v]!]) {
      const block = blockVarsOf(f, k);
      for (let i = 0; i < block.length; i++) if (this.definePrimal(block[i]!)) effect = true;
    }
    this.primOf(f.blockRet[f.b[v]!]!);
    this.primOf(f.blockRet[f.c[v]!]!);
    return effect;
  }

  /**
   * Return the `fwd` arguments of a call with arguments `args`: `args` itself, or a copy in which
   * undefined empty primal parts (those of tangent arguments) read the shared empty value.
   */
  primArgs(args: ArrayLike<Var>): Var[] {
    const out = new Array<Var>(args.length);
    for (let k = 0; k < out.length; k++) {
      const a = (out[k] = args[k]!);
      const t = this.hasPrim[a] === 1 ? undefined : primalPart(this.ty(a));
      if (t === undefined || !sharable(t)) {
        this.primOf(a);
        continue;
      }
      const w = (out[k] = this.emptiesF.of(t));
      this.usesF.read(w);
    }
    return out;
  }

  /**
   * Unzip block `k` (its result `ret`) into new blocks of `fwd` and `lin`, left open for the
   * caller to finish, with a residual frame of their own; return it and the result's `fwd` and
   * `lin` vars (`retP` -1 unless `primalResult`: a caller that may not need it asks `primOf`).
   */
  openBlock(k: number, primalResult = true): { frame: UnzipFrame; retP: Var; retL: Var } {
    this.fb.beginBlock();
    this.lb.beginBlock();
    const frame: UnzipFrame = { stored: [], reads: [], remat: [] };
    this.frames.push(frame);
    const block = blockVarsOf(this.f, k);
    for (let i = 0; i < block.length; i++) this.instr(block[i]!);
    const ret = this.f.blockRet[k]!;
    const retP = primalResult ? this.primOf(ret) : -1;
    const retL = this.linOf(ret);
    this.frames.pop();
    return { frame, retP, retL };
  }
}
