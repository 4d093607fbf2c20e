/**
 * @file Transpose: turn a linear function into its backward pass (cotangents into accumulators).
 *
 * Per block: first the block's nonlinear instructions are re-emitted in forward order (residual
 * reads, literals, index arithmetic); then its linear instructions are processed in reverse, each
 * adding the cotangent of its result into the cotangents of its linear operands.
 *
 * Cotangents of linear values: contributions made in the block that defines a value are summed
 * at its definition (a single one is used as is); contributions from nested blocks, and indexed
 * or member-wise ones, go into an accumulator `acc = accum(zero)` created at the start of the
 * reversed section of the defining block (so adds from nested loops and callees reach it) and
 * resolved at the definition. Linear value params: their accumulator is the `bwd` param.
 * Linear refs carry a *cotangent value* instead: the cotangent of the value resolved from them
 * (for a ref param, the `bwd` param), from which each `add` into them takes its addend's cotangent.
 */
import { internal } from '../errors.ts';
import { FuncBuilder } from '../ir/builder.ts';
import type { Prim } from '../ir/prims.ts';
import {
  erase,
  finTy,
  hasTan,
  isEmpty,
  refTy,
  REAL,
  UNIT,
  vecTy,
  type ExprKind,
  type Instr,
  type TransparentFunc,
  type Var,
} from '../ir/types.ts';
import {
  analyze,
  emitEmpty,
  forEachOperand,
  insertAt,
  mapRoles,
  prune,
  touchesLinear,
  visit,
  type Analysis,
  type ExprOf,
} from './linearity.ts';

const memo = new WeakMap<TransparentFunc, TransparentFunc>();

/**
 * Return the transpose `bwd` of linear function `lin` (memoized per function). All types of `bwd`
 * are erased (no `tan`), so it can be differentiated again.
 *
 * Params of `bwd`, one per param p of `lin` (type T), then one more:
 * - `!hasTan(T)`: `erase(T)`, passed through (nonlinear input such as residuals);
 * - `T = ref(U)`: `erase(U)`, the cotangent of what `lin` added into that accumulator;
 * - otherwise: `ref(erase(T))`, an accumulator the cotangent of p is added into;
 * - last: `ct: erase(lin.retType)`, the cotangent of the result.
 * Returns unit.
 */
export function transpose(lin: TransparentFunc): TransparentFunc {
  let out = memo.get(lin);
  if (out === undefined) {
    out = new Transposer(lin).run();
    memo.set(lin, out);
  }
  return out;
}

/** The reversed section of one open block. */
interface Frame {
  /** Where the reversed section starts in the builder's block (accumulators go there). */
  readonly start: number;
  /** Accumulator instructions to insert at `start`. */
  readonly accs: Instr[];
  /** Linear ref -> its cotangent value, as computed in this block (visible in nested ones). */
  readonly ctRef: Map<Var, Var>;
}

/** A transpose rule: add the cotangent of `v = e` into the cotangents of `e`'s operands. */
type Rule<K extends ExprKind> = (t: Transposer, v: Var, e: ExprOf<K>) => void;

/** The linear primitives (see `LINEAR_PRIMS` in prims.ts). */
type LinearPrim = 'neg' | 'add' | 'sub' | 'mul' | 'div';

/** A transpose rule of a linear primitive, given the cotangent `ct` of its result. */
type PrimRule = (t: Transposer, ct: Var, args: readonly Var[]) => void;

/** Emit the real-valued primitive `prim(args)` (cotangents of scalars are reals). */
function real(t: Transposer, prim: LinearPrim, args: Var[]): Var {
  return t.b.emit({ kind: 'prim', prim, args }, REAL);
}

const PRIM_RULES: { [P in LinearPrim]: PrimRule } = {
  // z = -a: ct_a += -ct
  neg: (t, ct, args) => t.contribute(args[0]!, real(t, 'neg', [ct])),
  // z = a + c: ct_a += ct, ct_c += ct
  add: (t, ct, args) => {
    t.contribute(args[0]!, ct);
    t.contribute(args[1]!, ct);
  },
  // z = a - c: ct_a += ct, ct_c += -ct
  sub: (t, ct, args) => {
    t.contribute(args[0]!, ct);
    t.contribute(args[1]!, real(t, 'neg', [ct]));
  },
  // z = a * y (y primal): ct_a += ct * y
  mul: (t, ct, args) => t.contribute(args[0]!, real(t, 'mul', [ct, t.nlOf(args[1]!)])),
  // z = a / y (y primal): ct_a += ct / y
  div: (t, ct, args) => t.contribute(args[0]!, real(t, 'div', [ct, t.nlOf(args[1]!)])),
};

/** Return true when `p` is a linear primitive. */
function isLinearPrim(p: Prim): p is LinearPrim {
  return Object.hasOwn(PRIM_RULES, p);
}

const nothing = () => {};

const RULES: { [K in ExprKind]: Rule<K> } = {
  // constants and new accumulators carry no cotangent to anything
  lit: nothing,
  zero: nothing,
  accum: nothing,
  // refs of elements/members: their cotangent values are derived lazily (`ctRefOf`)
  slice: nothing,
  field: nothing,
  // z = [x_0, ..., x_n-1]: ct_x_k += ct[k]
  vec: (t, v, e) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    const n = e.elems.length;
    e.elems.forEach((x, k) => {
      if (t.isLinear(x)) t.contribute(x, t.b.index(ct, t.b.lit(k, finTy(n))));
    });
  },
  // z = {m_0, ...}: ct_m_k += ct.k
  struct: (t, v, e) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    e.members.forEach((m, k) => {
      if (t.isLinear(m)) t.contribute(m, t.b.member(ct, k));
    });
  },
  // z = xs[i]: ct_xs[i] += ct
  index: (t, v, e) => {
    const ct = t.ctOf(v);
    if (ct !== undefined) t.b.add(t.b.slice(t.refFor(e.vec), t.nlOf(e.index)), ct);
  },
  // z = s.k: ct_s.k += ct
  member: (t, v, e) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    const { b } = t;
    const st = erase(t.lin.vars[e.struct]!);
    if (st.kind !== 'struct') return internal(`transpose: member of a ${st.kind}`);
    // the other members carry nothing (e.g. `{du, re: unit}`): pass a struct, not an accumulator
    if (st.members.every((m, k) => k === e.member || isEmpty(m))) {
      const parts = st.members.map((m, k) => (k === e.member ? ct : emitEmpty(b, m)));
      t.contribute(e.struct, b.struct(parts, st));
    } else b.add(b.field(t.refFor(e.struct), e.member), ct);
  },
  prim: (t, v, e) => {
    if (!isLinearPrim(e.prim)) return internal(`transpose: ${e.prim} is not linear`);
    const ct = t.ctOf(v);
    if (ct !== undefined) PRIM_RULES[e.prim](t, ct, e.args);
  },
  // z = c ? a : b: ct_a += c ? ct : 0, ct_b += c ? 0 : ct
  select: (t, v, e) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    const { b } = t;
    const cond = t.nlOf(e.cond);
    const zero = b.zero(b.typeOf(ct));
    t.contribute(e.then, b.select(cond, ct, zero));
    t.contribute(e.els, b.select(cond, zero, ct));
  },
  call: (t, v, e) => t.call(v, e),
  for: (t, v, e) => t.loop(v, e),
  // r += x: ct_x += (cotangent value of r)
  add: (t, _v, e) => {
    const ct = t.ctRefOf(e.ref);
    if (ct !== undefined) t.contribute(e.addend, ct);
  },
  // z = resolve(r): the cotangent value of r is ct
  resolve: (t, v, e) => {
    const ct = t.ctOf(v);
    if (ct !== undefined) t.frame().ctRef.set(e.ref, ct);
  },
};

/** The state of transposing one function. */
class Transposer {
  readonly lin: TransparentFunc;
  readonly a: Analysis;
  readonly b: FuncBuilder;
  /**
   * 1 for each nonlinear var of `lin` defined in `bwd`: `bwd` keeps the numbers of `lin`'s
   * nonlinear variables (see `FuncBuilder.reserve`), so their instructions are reused as they are.
   */
  readonly hasNl: Uint8Array;
  /**
   * Linear value of `lin` -> its accumulator in `bwd` (-1: none yet): for a param the `bwd` param,
   * otherwise one created at the start of the reversed section of its defining block.
   */
  readonly acc: Int32Array;
  /** Linear param of `lin` -> 1 when its accumulator is a `bwd` param. */
  readonly isAccParam: Uint8Array;
  /**
   * Linear var -> the first cotangent contribution made in its defining block (-1: none), and
   * the further ones (summed at its definition).
   */
  readonly firstCt: Int32Array;
  readonly moreCts: (Var[] | undefined)[];
  /** Frames of the open blocks, outermost first (index = depth - 1). */
  readonly frames: Frame[] = [];
  /** Operand renaming of copied nonlinear instructions, and its test, bound once. */
  readonly nlRole = (v: Var): Var => this.nlOf(v);
  readonly seeNl = (v: Var): void => {
    if (this.hasNl[v] === 0) this.renamed = true;
  };
  /** Set by `seeNl` when an operand has no value of its own number in `bwd`. */
  renamed = false;

  constructor(lin: TransparentFunc) {
    this.lin = lin;
    this.a = analyze(lin);
    this.b = new FuncBuilder(`bwd_${lin.name.replace(/^lin_/, '')}`);
    const n = lin.vars.length;
    const { vars } = lin;
    const linear = this.a.linVar;
    // linear vars have no value in `bwd`: their numbers stay unused
    this.b.reserve(n, (v) => (linear[v] === 1 ? UNIT : vars[v]!));
    this.hasNl = new Uint8Array(n);
    this.acc = new Int32Array(n).fill(-1);
    this.isAccParam = new Uint8Array(n);
    this.firstCt = new Int32Array(n).fill(-1);
    this.moreCts = new Array<Var[] | undefined>(n).fill(undefined);
  }

  /** Build `bwd`. */
  run(): TransparentFunc {
    const { lin, b } = this;
    const ctRefs = new Map<Var, Var>();
    for (const p of lin.params) {
      const t = lin.vars[p]!;
      if (!hasTan(t)) this.hasNl[b.paramVar(p)] = 1;
      else if (t.kind === 'ref') ctRefs.set(p, b.param(erase(t.inner)));
      else {
        this.acc[p] = b.param(refTy(erase(t)));
        this.isAccParam[p] = 1;
      }
    }
    const ct = b.param(erase(lin.retType));
    this.block(lin.body, () => {
      if (this.isLinear(lin.ret)) this.contribute(lin.ret, ct);
    }, ctRefs);
    return prune(b.finish(b.unit()));
  }

  /**
   * Transpose `block` into the builder's current block: nonlinear part forward, then `seed`, then
   * the linear part reversed. Return true when the reversed part emitted anything.
   */
  block(block: readonly Instr[], seed: () => void, ctRef = new Map<Var, Var>()): boolean {
    const { b, a } = this;
    const depth = this.frames.length + 1;
    for (const instr of block) if (!visit(a, instr, depth)) this.copy(instr);
    const cur = b.currentBlock();
    const frame: Frame = { start: cur.length, accs: [], ctRef };
    this.frames.push(frame);
    seed();
    for (let k = block.length - 1; k >= 0; k--) {
      const instr = block[k]!;
      if (!touchesLinear(a, instr)) continue;
      (RULES[instr.expr.kind] as Rule<ExprKind>)(this, instr.var, instr.expr);
    }
    this.frames.pop();
    insertAt(cur, frame.start, frame.accs);
    return cur.length > frame.start;
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
   * Put nonlinear `instr` into `bwd`: as it is when its operands have their own numbers there,
   * else with renamed operands (a loop: its body instruction by instruction).
   */
  copy(instr: Instr): void {
    const { b } = this;
    const e = instr.expr;
    this.hasNl[instr.var] = 1;
    if (e.kind !== 'for') {
      this.renamed = false;
      forEachOperand(e, this.seeNl);
      b.append(this.renamed ? { var: instr.var, expr: mapRoles(e, this.nlRole) } : instr);
      return;
    }
    this.hasNl[e.index] = 1;
    b.beginBlock();
    for (const inner of e.body) this.copy(inner);
    const ret = this.nlOf(e.ret);
    const body = b.endBlock();
    const same = ret === e.ret && body.every((x, k) => x === e.body[k]);
    b.append(same ? instr : { var: instr.var, expr: { kind: 'for', index: e.index, body, ret } });
  }

  /** Return the `bwd` value of nonlinear `v` (an empty value when its definition was linear). */
  nlOf(v: Var): Var {
    if (this.hasNl[v] === 1) return v;
    const t = this.lin.vars[v]!;
    if (!isEmpty(t)) internal(`transpose of ${this.lin.name}: nonlinear %${v} has no value`);
    return emitEmpty(this.b, erase(t));
  }

  /** Return the frame of the block defining `v`. */
  frameOf(v: Var): Frame {
    const f = this.frames[this.a.depth[v]! - 1];
    if (f === undefined) internal(`transpose of ${this.lin.name}: %${v} is not in an open block`);
    return f;
  }

  /** Return the accumulator of linear value `v`, creating it at the start of its block. */
  refFor(v: Var): Var {
    let r = this.acc[v]!;
    if (r < 0) {
      const t = erase(this.lin.vars[v]!);
      const shape = this.b.fresh(t);
      r = this.b.fresh(refTy(t));
      this.frameOf(v).accs.push(
        { var: shape, expr: { kind: 'zero' } },
        { var: r, expr: { kind: 'accum', shape } },
      );
      this.acc[v] = r;
    }
    return r;
  }

  /** Add `ct` into the cotangent of `v` (nothing when `v` is nonlinear). */
  contribute(v: Var, ct: Var): void {
    if (!this.isLinear(v)) return;
    if (this.isAccParam[v] === 1) {
      this.b.add(this.acc[v]!, ct);
      return;
    }
    if (this.frameOf(v) === this.frame()) {
      // summed at v's definition: no accumulator unless a nested block or a callee adds too
      if (this.firstCt[v]! < 0) this.firstCt[v] = ct;
      else {
        const more = this.moreCts[v];
        if (more === undefined) this.moreCts[v] = [ct];
        else more.push(ct);
      }
    } else this.b.add(this.refFor(v), ct);
  }

  /** Return the cotangent of linear `v` at its definition, or undefined when it has none. */
  ctOf(v: Var): Var | undefined {
    const { b } = this;
    const first = this.firstCt[v]!;
    const r = this.acc[v]!;
    const more = this.moreCts[v];
    if (more === undefined && r < 0) return first < 0 ? undefined : first;
    const terms = first < 0 ? [] : [first];
    if (more !== undefined) for (const x of more) terms.push(x);
    if (r >= 0) terms.push(b.resolve(r));
    if (terms.length <= 1) return terms[0];
    const t = erase(this.lin.vars[v]!);
    if (t.kind === 'real') return terms.reduce((x, y) => real(this, 'add', [x, y]));
    const sum = b.accum(b.zero(t));
    for (const x of terms) b.add(sum, x);
    return b.resolve(sum);
  }

  /** Return the cotangent value of linear ref `r`, or undefined when nothing flows into it. */
  ctRefOf(r: Var): Var | undefined {
    for (let k = this.frames.length - 1; k >= 0; k--) {
      const ct = this.frames[k]!.ctRef.get(r);
      if (ct !== undefined) return ct;
    }
    const e = this.a.def[r]?.expr;
    if (e === undefined || (e.kind !== 'slice' && e.kind !== 'field')) return undefined;
    const parent = this.ctRefOf(e.ref);
    if (parent === undefined) return undefined;
    const ct =
      e.kind === 'slice'
        ? this.b.index(parent, this.nlOf(e.index))
        : this.b.member(parent, e.member);
    this.frame().ctRef.set(r, ct);
    return ct;
  }

  /** `z = h(args)`: call `transpose(h)` with the args' accumulators or cotangent values and ct. */
  call(v: Var, e: ExprOf<'call'>): void {
    const h = e.func;
    if (h.kind !== 'transparent') return internal(`transpose: opaque ${h.name} on tangents`);
    const ct = this.ctOf(v);
    const refCts = e.args.map((x, k) => {
      const t = h.paramTypes[k]!;
      return t.kind === 'ref' && hasTan(t) ? this.ctRefOf(x) : undefined;
    });
    // a linear callee with zero cotangents flowing in adds only zeros
    if (ct === undefined && refCts.every((c) => c === undefined)) return;
    const { b } = this;
    const args = e.args.map((x, k) => {
      const t = h.paramTypes[k]!;
      if (!hasTan(t)) return this.nlOf(x);
      if (t.kind === 'ref') return refCts[k] ?? b.zero(erase(t.inner));
      return this.refFor(x);
    });
    b.call(transpose(h), [...args, ct ?? b.zero(erase(h.retType))]);
  }

  /** `z = for i: body`: a loop over the same indices running the body's transpose. */
  loop(v: Var, e: ExprOf<'for'>): void {
    const { b } = this;
    const ct = this.ctOf(v);
    const t = this.lin.vars[v]!;
    if (t.kind !== 'vec') return internal(`transpose: for loop of type ${t.kind}`);
    const index = e.index;
    this.hasNl[index] = 1;
    b.beginBlock();
    const emitted = this.block(e.body, () => {
      // the element's cotangent is ct[i]
      if (ct !== undefined && this.isLinear(e.ret)) this.contribute(e.ret, b.index(ct, index));
    });
    const ret = b.unit();
    const body = b.endBlock();
    if (emitted) b.emit({ kind: 'for', index, body, ret }, vecTy(t.size, UNIT));
  }
}
