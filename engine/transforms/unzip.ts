/**
 * @file Unzip: split a function in JVP form into a forward pass and its linear part.
 *
 * Type-directed: every variable of type T has a primal part `primalPart(T)` (computed by `fwd`)
 * and a linear part `linearPart(T)` (computed by `lin`); either may be empty (only unit leaves),
 * and is then materialized as a `zero` where needed. Instructions that touch no linear value go
 * to `fwd` unchanged; the others are split by part, each side getting the same expression kind
 * on the matching parts of its operands (see `mapRoles`); calls and loops are split recursively.
 *
 * Residuals: when `lin` needs the primal value `u` (a select's condition, an index, `y` in
 * `mul(dx, y)`, a callee's residuals), `u` becomes a member of the residual struct of the block
 * that defines it, and `lin` reads it with a `member` at the start of that block. Literals and
 * empty values are re-emitted in `lin` instead. A loop's per-iteration residuals form a vec,
 * itself a residual of the enclosing block. No tape: residual types are static.
 */
import { internal } from '../errors.ts';
import { FuncBuilder } from '../ir/builder.ts';
import {
  finTy,
  hasTan,
  isEmpty,
  linearPart,
  primalPart,
  structTy,
  vecTy,
  type Instr,
  type StructTy,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';
import {
  analyze,
  copyInstr,
  emptyValue,
  insertAt,
  mapRoles,
  prune,
  touchesLinear,
  type Analysis,
  type ExprOf,
  type Role,
} from './linearity.ts';

/** The two halves of an unzipped function. */
export interface Unzipped {
  /**
   * `fwd(...primalPart(paramTypes))` returns `struct {res: R, ret: primalPart(retType)}`
   * (keys `['res', 'ret']`).
   */
  readonly fwd: TransparentFunc;
  /** `lin(...linearPart(paramTypes), res: R)` returns `linearPart(retType)`. */
  readonly lin: TransparentFunc;
}

/** Member index of the residuals in `fwd`'s result (and in a split loop's element). */
export const RES = 0;
/** Member index of the primal result in `fwd`'s result (and in a split loop's element). */
export const RET = 1;
const BUNDLE_KEYS: readonly string[] = Object.freeze(['res', 'ret']);

const memo = new WeakMap<TransparentFunc, Unzipped>();

/** Return `f` split into `fwd` and `lin` (memoized per function). */
export function unzip(f: TransparentFunc): Unzipped {
  let out = memo.get(f);
  if (out === undefined) {
    out = new Unzipper(f).run();
    memo.set(f, out);
  }
  return out;
}

/** The residuals of one block: primal values stored by `fwd`, and the `lin` vars reading them. */
interface Frame {
  readonly stored: Var[];
  readonly reads: Var[];
  /** Projections (`index`, `member`) of residuals recomputed in `lin`, in dependency order. */
  readonly remat: Instr[];
}

/** Return the struct type `{res, ret}` of a forward result. */
function bundleTy(res: Ty, ret: Ty): StructTy {
  return structTy(BUNDLE_KEYS, [res, ret]);
}

/** The state of unzipping one function. */
class Unzipper {
  readonly f: TransparentFunc;
  readonly a: Analysis;
  readonly fb: FuncBuilder;
  readonly lb: FuncBuilder;
  /** Old var -> its primal part in `fwd` (-1: none yet). */
  readonly prim: Int32Array;
  /** Old var -> its linear part in `lin` (-1: none yet). */
  readonly lin: Int32Array;
  /** Old var -> its primal part as read in `lin`: a residual, a literal, a loop index (-1: none yet). */
  readonly res: Int32Array;
  /** Operand-free instructions placed at the start of `fwd` / `lin` (empty values, literals). */
  readonly fwdTop: Instr[] = [];
  readonly linTop: Instr[] = [];
  /** Residual frames of the open blocks, outermost first (index = depth - 1). */
  readonly frames: Frame[] = [];

  /** Operand renamings, bound once (not allocated per instruction). */
  readonly primRole = (v: Var): Var => this.primOf(v);
  readonly linRole = (v: Var, role: Role): Var =>
    role === 'part' ? this.linOf(v) : this.resOf(v);
  readonly resRole = (v: Var): Var => this.resOf(v);
  readonly bindPrim = (old: Var, v: Var): void => {
    this.prim[old] = v;
  };

  constructor(f: TransparentFunc) {
    this.f = f;
    this.a = analyze(f);
    this.fb = new FuncBuilder(`fwd_${f.name}`);
    this.lb = new FuncBuilder(`lin_${f.name}`);
    const n = f.vars.length;
    this.prim = new Int32Array(n).fill(-1);
    this.lin = new Int32Array(n).fill(-1);
    this.res = new Int32Array(n).fill(-1);
  }

  /** Build `fwd` and `lin`. */
  run(): Unzipped {
    const { f, fb, lb } = this;
    for (const p of f.params) {
      this.prim[p] = fb.param(primalPart(f.vars[p]!));
      this.lin[p] = lb.param(linearPart(f.vars[p]!));
    }
    const top: Frame = { stored: [], reads: [], remat: [] };
    this.frames.push(top);
    for (const instr of f.body) this.instr(instr);
    const retP = this.primOf(f.ret);
    const retL = this.linOf(f.ret);
    this.frames.pop();
    const resTy = this.resTy(top);
    const res = fb.emit({ kind: 'struct', members: top.stored }, resTy);
    const out = fb.emit({ kind: 'struct', members: [res, retP] }, bundleTy(resTy, fb.typeOf(retP)));
    insertAt(fb.currentBlock(), 0, this.fwdTop);
    const fwd = prune(fb.finish(out));
    const resParam = lb.param(resTy);
    insertAt(lb.currentBlock(), 0, this.linTop.concat(this.readsOf(top, resParam), top.remat));
    return { fwd, lin: prune(lb.finish(retL)) };
  }

  /** Return the struct type of a frame's residuals. */
  resTy(frame: Frame): StructTy {
    const keys = frame.stored.map((_, k) => `r${k}`);
    return structTy(keys, frame.stored.map((v) => this.fb.typeOf(v)));
  }

  /** Return the `lin` instructions reading a frame's residuals out of `res`. */
  readsOf(frame: Frame, res: Var): Instr[] {
    return frame.reads.map((v, member) => ({
      var: v,
      expr: { kind: 'member', struct: res, member },
    }));
  }

  /** Return the primal part of `v` in `fwd`. */
  primOf(v: Var): Var {
    const p = this.prim[v]!;
    if (p >= 0) return p;
    const w = this.empty(this.fb, this.fwdTop, primalPart(this.f.vars[v]!));
    this.prim[v] = w;
    return w;
  }

  /** Return the linear part of `v` in `lin`. */
  linOf(v: Var): Var {
    const l = this.lin[v]!;
    if (l >= 0) return l;
    const w = this.empty(this.lb, this.linTop, linearPart(this.f.vars[v]!));
    this.lin[v] = w;
    return w;
  }

  /** Return a new value of empty type `t`, computed at the start of the function. */
  empty(b: FuncBuilder, top: Instr[], t: Ty): Var {
    if (!isEmpty(t))
      internal(`unzip of ${this.f.name}: a part of type ${t.kind} is used before it is defined`);
    const instrs = emptyValue(b, t);
    for (const instr of instrs) top.push(instr);
    return instrs[instrs.length - 1]!.var;
  }

  /**
   * Return the primal value of `u` as `lin` sees it: literals are re-emitted, projections of
   * primal values recomputed from their operands (storing a vec is cheaper than its elements
   * one per iteration), anything else is a residual.
   */
  resOf(u: Var): Var {
    let r = this.res[u]!;
    if (r >= 0) return r;
    const t = primalPart(this.f.vars[u]!);
    const def = this.a.def[u];
    const kind = def?.expr.kind;
    if (isEmpty(t)) r = this.empty(this.lb, this.linTop, t);
    else if (kind === 'lit' || kind === 'zero') {
      r = this.lb.fresh(t);
      this.linTop.push({ var: r, expr: def!.expr });
    } else if ((kind === 'index' || kind === 'member') && !touchesLinear(this.a, def!)) {
      const expr = mapRoles(def!.expr, this.resRole);
      r = this.lb.fresh(t);
      this.frameAt(this.a.depth[u]!).remat.push({ var: r, expr });
    } else r = this.store(this.primOf(u), this.a.depth[u]!);
    this.res[u] = r;
    return r;
  }

  /** Return the residual frame of the open block at `depth`. */
  frameAt(depth: number): Frame {
    const frame = this.frames[depth - 1];
    if (frame === undefined) internal(`unzip of ${this.f.name}: no block at depth ${depth}`);
    return frame;
  }

  /** Store `fwd` var `p` as a residual of the block at `depth`; return the `lin` var reading it. */
  store(p: Var, depth: number): Var {
    const t = this.fb.typeOf(p);
    if (isEmpty(t)) return this.empty(this.lb, this.linTop, t);
    if (t.kind === 'ref') internal(`unzip of ${this.f.name}: an accumulator cannot be a residual`);
    const frame = this.frameAt(depth);
    frame.stored.push(p);
    const r = this.lb.fresh(t);
    frame.reads.push(r);
    return r;
  }

  /** Unzip one instruction into the current blocks of `fwd` and `lin`. */
  instr(instr: Instr): void {
    const e = instr.expr;
    if (!touchesLinear(this.a, instr))
      return copyInstr(this.fb, instr, this.f.vars, this.primRole, this.bindPrim);
    if (e.kind === 'call') return this.call(instr.var, e);
    if (e.kind === 'for') return this.loop(instr.var, e);
    const t = this.f.vars[instr.var]!;
    // `add` returns unit: which sides it runs on depends on the accumulator's type
    const side = e.kind === 'add' ? this.f.vars[e.ref]! : t;
    if (!isEmpty(primalPart(side)))
      this.prim[instr.var] = this.fb.emit(mapRoles(e, this.primRole), primalPart(t));
    if (hasTan(side)) this.lin[instr.var] = this.lb.emit(mapRoles(e, this.linRole), linearPart(t));
  }

  /** A call of g: `fwd` calls `unzip(g).fwd`, keeping its residuals; `lin` calls `unzip(g).lin`. */
  call(v: Var, e: ExprOf<'call'>): void {
    const { fb, lb } = this;
    const g = e.func;
    if (g.kind !== 'transparent')
      internal(`unzip of ${this.f.name}: opaque ${g.name} with tangents`);
    const u = unzip(g);
    const primals = e.args.map((a) => this.primOf(a));
    const bundle = fb.emit({ kind: 'call', func: u.fwd, args: primals }, u.fwd.retType);
    if (!isEmpty(primalPart(this.f.vars[v]!))) this.prim[v] = fb.member(bundle, RET);
    const resTy = (u.fwd.retType as StructTy).members[RES]!;
    const res = isEmpty(resTy)
      ? this.empty(lb, this.linTop, resTy)
      : this.store(fb.member(bundle, RES), this.frames.length);
    const args = [...e.args.map((a) => this.linOf(a)), res];
    this.lin[v] = lb.emit({ kind: 'call', func: u.lin, args }, u.lin.retType);
  }

  /**
   * A loop: `fwd` runs the body's forward part, returning `{res, ret}` per iteration, split by
   * two projection loops; `lin` runs a loop over the same size whose body first reads its
   * residuals from the vec of per-iteration residuals.
   */
  loop(v: Var, e: ExprOf<'for'>): void {
    const { f, fb, lb } = this;
    const t = f.vars[v]!;
    if (t.kind !== 'vec') return internal(`unzip of ${f.name}: for loop of type ${t.kind}`);
    const indexF = fb.fresh(finTy(t.size));
    const indexL = lb.fresh(finTy(t.size));
    this.prim[e.index] = indexF;
    this.res[e.index] = indexL;
    fb.beginBlock();
    lb.beginBlock();
    const frame: Frame = { stored: [], reads: [], remat: [] };
    this.frames.push(frame);
    for (const instr of e.body) this.instr(instr);
    const retP = this.primOf(e.ret);
    const retL = this.linOf(e.ret);
    this.frames.pop();
    let elem = retP;
    if (frame.stored.length > 0) {
      const resTy = this.resTy(frame);
      const res = fb.emit({ kind: 'struct', members: frame.stored }, resTy);
      elem = fb.emit({ kind: 'struct', members: [res, retP] }, bundleTy(resTy, fb.typeOf(retP)));
    }
    const bodyF = fb.endBlock();
    const loopTy = vecTy(t.size, fb.typeOf(elem));
    const loopF = fb.emit({ kind: 'for', index: indexF, body: bodyF, ret: elem }, loopTy);
    let head: Instr[] = [];
    if (frame.stored.length > 0) {
      if (!isEmpty(primalPart(t))) this.prim[v] = project(fb, loopF, RET);
      const resVec = this.store(project(fb, loopF, RES), this.frames.length);
      const resL = lb.fresh(this.resTy(frame));
      const read: Instr = { var: resL, expr: { kind: 'index', vec: resVec, index: indexL } };
      head = [read].concat(this.readsOf(frame, resL));
    } else if (!isEmpty(primalPart(t))) this.prim[v] = loopF;
    insertAt(lb.currentBlock(), 0, head.concat(frame.remat));
    const bodyL = lb.endBlock();
    const linTy = vecTy(t.size, lb.typeOf(retL));
    this.lin[v] = lb.emit({ kind: 'for', index: indexL, body: bodyL, ret: retL }, linTy);
  }
}

/** Emit `for i: pairs[i].member` over a vec of `{res, ret}` structs; return it. */
function project(b: FuncBuilder, pairs: Var, member: number): Var {
  const t = b.typeOf(pairs);
  if (t.kind !== 'vec' || t.elem.kind !== 'struct') return internal(`projection of a ${t.kind}`);
  return b.forLoop(t.size, (i) => b.member(b.index(pairs, i), member));
}
