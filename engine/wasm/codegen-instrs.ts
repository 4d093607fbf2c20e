/**
 * @file Code for each expression kind except primitives (codegen-prims.ts): literals, element
 * and member access (bounds-checked where the index is not known to be in range), `select`,
 * calls (with the inout convention for `ref<real>` parameters), loops, conds, and accumulators.
 */
import { internal } from '../errors.ts';
import type { Block, Expr, Ty, Var } from '../ir/types.ts';
import { hasFloat, isLeaf, primOperands } from '../ir/types.ts';
import { F64, I32, Op, VOID, type ValType } from './encoder.ts';
import { type Emitter } from './codegen-emit.ts';
import { copy, copyUnlessSame, fillZero, loadLeaf, offsetAddr, pushAddr } from './codegen-mem.ts';
import { DST, type FuncAbi, hasValue, refInner } from './codegen-abi.ts';
import { constIndex } from './codegen-sites.ts';
import { splitLiteral, storeParts } from './codegen-condparts.ts';
import { computePrim, emitPrim, pushFolded } from './codegen-prims.ts';
import { memberOffset, strideOf } from './layout.ts';
import { HAS_VALUE, LEAF, addsSomething, hasCopiedLeaf, indexIsSafe } from './liveness.ts';

/** Emit `v = e`. */
export function emitInstr(em: Emitter, v: Var, e: Expr): void {
  switch (e.kind) {
    case 'lit':
      return; // constants are rematerialized at each use
    case 'zero':
      if (em.plan.home[v]!.k === 'frame') fillZero(em.code, em.ptr(v), em.ty(v));
      return;
    case 'vec':
    case 'struct':
      return literal(em, v, e.kind === 'vec' ? e.elems : e.members);
    case 'index':
    case 'slice':
      return element(em, v, e.kind === 'index' ? e.vec : e.ref, e.index);
    case 'member':
    case 'field':
      return member(em, v, e.kind === 'member' ? e.struct : e.ref, e.member);
    case 'prim':
      return emitPrim(em, v, e.prim, primOperands(e));
    case 'select':
      return em.value(v, () => {
        em.push(e.then);
        em.push(e.els);
        em.push(e.cond);
        em.code.op(Op.select);
      });
    case 'call':
      return call(em, v, e);
    case 'for':
      return loop(em, v, e);
    case 'cond':
      return branch(em, v, e);
    case 'accum':
      return accum(em, v, e.shape);
    case 'add':
      return add(em, v, e.ref, e.addend);
    case 'resolve':
      return resolve(em, v, e.ref);
  }
}

/** Push the value of inlined `v = e` (a primitive or a select of scalars) where it is read. */
export function emitInline(em: Emitter, v: Var, e: Expr): void {
  if (e.kind === 'prim') return computePrim(em, v, e.prim, primOperands(e));
  if (e.kind !== 'select') internal(`inlined ${e.kind}`);
  em.push(e.then);
  em.push(e.els);
  em.push(e.cond);
  em.code.op(Op.select);
}

/** A vec or struct literal: store each member not already written in place. */
function literal(em: Emitter, v: Var, xs: readonly Var[]): void {
  const cond = em.plan.splitLits.size > 0 ? em.plan.splitLits.get(v) : undefined;
  if (cond !== undefined) return splitLiteral(em, v, cond, xs); // the result of a split cond's block
  const h = em.plan.home[v]!;
  if (h.k !== 'frame') return;
  const t = em.ty(v);
  const base = em.ptr(v);
  const covered = em.plan.covered.get(v);
  const dsts = em.plan.abi.dsts;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k]!;
    if (covered?.has(k)) continue;
    // the members of a split result go to their own destinations
    if (v === em.plan.splitRet) {
      em.storeInto(em.at({ base: DST - dsts.findIndex((d) => d.member === k), off: 0 }), x);
      continue;
    }
    const off = t.kind === 'vec' ? k * strideOf(t.elem) : memberOffset(t as never, k);
    const dst = offsetAddr(base, off);
    // a param a caller may have built right here (FuncAbi.paramAt): no copy onto itself
    if (em.plan.shape.def[x] === undefined && !isLeaf(em.ty(x)) && hasValue(em.ty(x))) copyUnlessSame(em.code, dst, em.ptr(x), em.ty(x));
    else em.storeInto(dst, x);
  }
}

/** `vec[i]` or `&ref[i]`: a load, a pointer, or nothing (derived); checked unless `i` is safe. */
function element(em: Emitter, v: Var, vec: Var, i: Var): void {
  const s = em.plan.shape;
  const vt = refInner(em.ty(vec));
  if (vt.kind !== 'vec') internal(`element of a ${vt.kind}`);
  const h = em.plan.home[v]!;
  if (h.k === 'derived') return em.earlyCopy(v);
  const n = vt.size;
  const c = constIndex(s, i);
  if (c !== undefined && c >= n) return em.value(v, () => em.code.op(Op.unreachable));
  if (!indexIsSafe(s, i, n)) {
    // trap when i >= n (unsigned); the JS side reports it as an out-of-range index
    em.push(i);
    em.code.i32Const(n).op(Op.i32_ge_u).begin(Op.if).op(Op.unreachable).end();
  }
  const stride = strideOf(vt.elem);
  const t = em.ty(v);
  const leaf = (em.plan.shape.tyBits[v]! & LEAF) !== 0; // isLeaf(t)
  if (c !== undefined && leaf)
    return em.value(v, () => {
      const a = em.ptr(vec);
      a.push();
      loadLeaf(em.code, t, a.off + c * stride);
    });
  em.value(v, () => {
    const a = em.ptr(vec);
    a.push();
    em.push(i);
    if (stride !== 1) em.code.i32Const(stride).op(Op.i32_mul);
    em.code.op(Op.i32_add);
    if (leaf) loadLeaf(em.code, t, a.off);
    else if (a.off !== 0) em.code.i32Const(a.off).op(Op.i32_add);
  });
}

/** `struct.k` or `&ref.k`: a load of a scalar member, else a derived pointer (no code). */
function member(em: Emitter, v: Var, base: Var, k: number): void {
  if (em.plan.site[v] === 'part') return; // the call or cond built it there
  const h = em.plan.home[v]!;
  if (h.k === 'derived') return em.earlyCopy(v);
  const st = refInner(em.ty(base));
  if (st.kind !== 'struct') internal(`member of a ${st.kind}`);
  const t = em.ty(v);
  em.value(v, () => {
    const a = offsetAddr(em.ptr(base), memberOffset(st, k));
    a.push();
    loadLeaf(em.code, t, a.off);
  });
}

/**
 * A call: arguments, then the callee's frame pointer. A `value` callee returns each inout
 * accumulator's new f64 after its result; a `ptr` callee (aliased accumulators) gets pointers,
 * with f64-held accumulators stored into frame cells around the call.
 */
function call(em: Emitter, v: Var, e: Extract<Expr, { kind: 'call' }>): void {
  const c = em.code;
  const g = e.func;
  const cells = em.plan.ptrCalls.get(v);
  const abi = em.ctx.abiOf(g, cells ? 'ptr' : 'value');
  if (g.kind === 'opaque')
    return em.value(v, () => {
      for (let k = 0; k < e.args.length; k++) em.push(e.args[k]!);
      c.call(abi.index);
    });
  // Map.forEach, not for-of: no iterator and entry array per cell while this code is cold
  if (cells !== undefined) cells.forEach((off, a) => (em.pushSp(), c.localGet(em.accLocal(a)).mem(Op.f64_store, 3, off)));
  if (em.plan.shape.tyBits[v]! & HAS_VALUE && !abi.retInDst) em.value(v, () => callTransparent(em, v, e, abi, cells));
  else callTransparent(em, v, e, abi, cells);
}

/** The call of a transparent function, from its arguments to the new values of f64-held accumulators. */
function callTransparent(em: Emitter, v: Var, e: Extract<Expr, { kind: 'call' }>, abi: FuncAbi, cells: ReadonlyMap<Var, number> | undefined): void {
  const c = em.code;
  for (let k = 0; k < abi.params.length; k++) {
    const rep = abi.params[k]!;
    const a = e.args[k]!;
    if (rep === 'none') continue;
    if (rep === 'inout') accRead(em, a);
    else {
      const cell = cells?.get(a);
      if (cell === undefined) em.push(a);
      else em.pushSp(), c.i32Const(cell).op(Op.i32_add);
    }
  }
  if (abi.retInDst) {
    // each part where its member instruction wants it, or in the call's storage
    const parts = em.plan.parts.get(v);
    for (let j = 0; j < abi.dsts.length; j++) {
      const d = abi.dsts[j]!;
      const m = parts?.get(d.member);
      pushAddr(c, m !== undefined ? em.ptr(m) : offsetAddr(em.ptr(v), d.off));
    }
  }
  em.pushSp();
  if (em.plan.callArea !== 0) c.i32Const(em.plan.callArea).op(Op.i32_add);
  c.call(abi.index);
  // the results are [ret?, inout...]: take the inout values off the top, last first
  for (let j = abi.inout.length - 1; j >= 0; j--) accWrite(em, e.args[abi.inout[j]!]!);
  if (cells !== undefined) cells.forEach((off, a) => (em.pushSp(), c.mem(Op.f64_load, 3, off).localSet(em.accLocal(a))));
}

/** Push the current f64 of a `ref<real>` accumulator. */
function accRead(em: Emitter, a: Var): void {
  if (em.plan.localAcc[a]) return void em.code.localGet(em.accLocal(a));
  const p = em.ptr(a);
  p.push();
  em.code.mem(Op.f64_load, 3, p.off);
}

/** Pop an f64 as the new value of `ref<real>` accumulator `a`. */
function accWrite(em: Emitter, a: Var): void {
  const c = em.code;
  if (em.plan.localAcc[a]) return void c.localSet(em.accLocal(a));
  const tmp = em.slots.alloc(F64);
  const p = em.ptr(a);
  c.localSet(tmp);
  p.push();
  c.localGet(tmp).mem(Op.f64_store, 3, p.off);
  em.slots.release(tmp);
}

/**
 * A `for`: a counted loop writing each element at `result + i * stride` (nothing for n = 0).
 * When the element is built in place, its address is computed at the start of each iteration
 * (and stored for the chunks of a split body); otherwise the element is stored or copied there
 * at the end of the iteration.
 */
function loop(em: Emitter, v: Var, e: Extract<Expr, { kind: 'for' }>): void {
  const s = em.plan.shape;
  const it = em.ty(e.index);
  if (it.kind !== 'fin') internal('loop index is not an index');
  const n = it.size;
  if (n === 0) return;
  if (em.plan.home[v]!.k === 'derived') return em.earlyCopy(v); // a projection of another vec
  const c = em.code;
  const ih = em.plan.home[e.index]!;
  const res = em.plan.home[v]!.k === 'frame' ? em.ptr(v) : undefined;
  const elem = em.ty(e.ret);
  const stride = strideOf(elem);
  const inPlace = em.plan.elemSpill.has(v);
  const elemAt = inPlace ? em.slots.alloc(I32) : -1;
  const counter = n > 1 ? em.slots.alloc(I32) : -1;
  // compute the address of element `counter` into a local
  const address = (local: number): void => {
    pushAddr(c, res!);
    if (counter >= 0) {
      c.localGet(counter);
      if (stride !== 1) c.i32Const(stride).op(Op.i32_mul);
      c.op(Op.i32_add);
    }
    c.localSet(local);
  };
  em.forgetLoads();
  if (counter >= 0) {
    if (ih.k === 'local') em.slot[e.index] = counter;
    c.i32Const(0).localSet(counter);
    c.begin(Op.loop);
    if (ih.k === 'spill') em.pushSp(), c.localGet(counter).mem(Op.i32_store, 2, ih.off);
  }
  if (inPlace) {
    address(elemAt);
    em.elemLocal.set(v, elemAt);
    const spill = em.plan.elemSpill.get(v)!;
    if (spill >= 0) em.pushSp(), c.localGet(elemAt).mem(Op.i32_store, 2, spill);
  }
  em.block(v, e.body);
  if (res !== undefined && hasValue(elem) && !inPlace) {
    const tmp = em.slots.alloc(I32);
    address(tmp);
    em.storeInto({ push: () => c.localGet(tmp), off: 0 }, e.ret);
    em.slots.release(tmp);
  }
  em.release(s.forBodyEnd[v]!);
  em.forgetLoads();
  if (counter >= 0) {
    c.localGet(counter).i32Const(1).op(Op.i32_add).localTee(counter).i32Const(n).op(Op.i32_ne).brIf(0);
    c.end();
    em.slot[e.index] = -1;
    em.slots.release(counter);
  }
  if (inPlace) {
    em.elemLocal.delete(v);
    em.slots.release(elemAt);
  }
}

/**
 * A `cond`: `if ... else ... end` on the condition, so only the block it picks runs. A used
 * scalar result is the value of the `if`; an aggregate one is stored by each block into the
 * cond's storage, or into its parts when split (codegen-condparts.ts); an unused one (a cond
 * kept for its adds) is not produced.
 */
function branch(em: Emitter, v: Var, e: Extract<Expr, { kind: 'cond' }>): void {
  const bits = em.plan.shape.tyBits[v]!;
  const used = em.plan.used[v] === 1 && (bits & HAS_VALUE) !== 0;
  if (used && bits & LEAF) return em.value(v, () => arms(em, v, e, em.valType(v)));
  arms(em, v, e, VOID);
}

/** Emit the `if` of cond `v`, of block type `type` (VOID: no value on the stack). */
function arms(em: Emitter, v: Var, e: Extract<Expr, { kind: 'cond' }>, type: ValType | typeof VOID): void {
  const s = em.plan.shape;
  const parts = em.plan.parts.size > 0 ? em.plan.parts.get(v) : undefined;
  const res = type === VOID && em.plan.used[v] && parts === undefined && em.plan.home[v]!.k === 'frame' ? em.ptr(v) : undefined;
  const arm = (id: number, block: Block, ret: Var, end: number): void => {
    const mark = em.branchStart();
    em.block(id, block); // its instructions, or calls of its chunks
    const built = em.plan.place[ret]?.into === v; // in the cond's storage or parts
    if (type !== VOID) em.push(ret);
    else if (res !== undefined && !built) em.storeInto(res, ret);
    else if (parts !== undefined && !built) storeParts(em, v, ret);
    em.release(end);
    em.branchEnd(mark);
  };
  em.push(e.cond);
  em.code.begin(Op.if, type);
  arm(v, e.then, e.thenRet, s.forBodyEnd[v]!);
  em.code.op(Op.else);
  arm(s.elseId(v), e.els, e.elsRet, s.pos[v]! - 1);
  em.code.end();
}

/** A new accumulator: an f64 local at 0, or frame storage initialized from the shape. */
function accum(em: Emitter, v: Var, shape: Var): void {
  if (em.plan.localAcc[v]) return; // it starts at 0 just before its first reader (plan.startAt)
  if (em.plan.home[v]!.k !== 'frame') return;
  const t = refInner(em.ty(v));
  const dst = em.ptr(v);
  if (!hasCopiedLeaf(t)) return em.plan.unfilled?.has(v) ? undefined : fillZero(em.code, dst, t); // else the callee does
  if (isLeaf(t)) return em.storeInto(dst, shape);
  if (!hasFloat(t)) return copy(em.code, dst, em.ptr(shape), t);
  em.ctx.helpers.accOp(em.code, 'accInit', t, dst, em.ptr(shape));
}

/**
 * `ref += addend` (instruction `v`): float leaves add, others are unchanged. A scalar in memory
 * is loaded, added to and stored; in an add run (codegen-runs.ts) the sum is kept in a local
 * from the run's first add (which loads) to its last (which stores).
 */
function add(em: Emitter, v: Var, ref: Var, addend: Var): void {
  const t = refInner(em.ty(ref));
  if (!addsSomething(t)) return;
  const c = em.code;
  if (em.plan.localAcc[ref]) {
    const l = em.accLocal(ref);
    c.localGet(l);
    addTerm(em, addend);
    c.localSet(l);
    return;
  }
  const dst = em.ptr(ref);
  if (!isLeaf(t)) return em.ctx.helpers.accOp(c, 'add', t, dst, em.ptr(addend));
  const first = em.plan.runOf?.[v] ?? -1;
  const sum = first >= 0 && first !== v ? em.runLocal.get(first)! : -1;
  const last = first < 0 || em.plan.runEnds![v] === 1;
  if (last) dst.push();
  if (sum >= 0) c.localGet(sum);
  else if (em.plan.firstAdd?.[v] === 1) c.f64Const(0); // fresh: 0 + a (codegen-fresh.ts)
  else {
    dst.push();
    c.mem(Op.f64_load, 3, dst.off);
  }
  addTerm(em, addend);
  if (last) {
    c.mem(Op.f64_store, 3, dst.off);
    if (sum >= 0) em.slots.release(sum), em.runLocal.delete(first);
  } else if (sum >= 0) c.localSet(sum);
  else {
    const l = em.slots.alloc(F64);
    c.localSet(l);
    em.runLocal.set(v, l);
  }
}

/**
 * Add `x` to the f64 on the stack: `f64.sub` of `y` when `x` is in negative form, `neg y` or
 * `neg y * z` (`a + -b` is `a - b`, and `-y * z` is `-(y * z)`, exactly; codegen-negs.ts).
 */
function addTerm(em: Emitter, x: Var): void {
  em.code.op(pushFolded(em, x) ? Op.f64_sub : Op.f64_add);
}

/** The contents of an accumulator: its f64, a load, its storage (final), or a copy. */
function resolve(em: Emitter, v: Var, ref: Var): void {
  const t: Ty = em.ty(v);
  if (!hasValue(t)) return;
  if (em.plan.localAcc[ref]) return em.value(v, () => em.code.localGet(em.accLocal(ref)));
  const h = em.plan.home[v]!;
  if (h.k === 'derived') return em.earlyCopy(v);
  const src = em.ptr(ref);
  if (isLeaf(t))
    return em.value(v, () => {
      src.push();
      loadLeaf(em.code, t, src.off);
    });
  if (h.k === 'frame') copy(em.code, em.ptr(v), src, t);
}
