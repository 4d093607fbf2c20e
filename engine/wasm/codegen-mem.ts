/**
 * @file Memory operations on inline aggregates: loads and stores of scalar leaves, copies and
 * zero fills (unrolled when short, `memory.copy`/`memory.fill` otherwise), and the two
 * accumulator operations, `add` (float leaves add, others unchanged) and `accInit` (float leaves
 * 0, others copied from the shape). Those are unrolled for small types and otherwise call one
 * generated helper function `(dst, src) -> ()` per type, with loops over vecs. Also the
 * `argmax`/`argmin` helpers.
 */
import type { Ty } from '../ir/types.ts';
import { hasFloat } from '../ir/types.ts';
import { Code, F64, I32, ModuleBuilder, Op, OpFC, type ValType } from './encoder.ts';
import { alignOf, isZeroSize, memberOffset, sizeOf, storageOf, strideOf } from './layout.ts';
import { Slots } from './slots.ts';

/** An address: something that pushes a base pointer, plus a static byte offset. */
export interface Addr {
  readonly push: () => void;
  readonly off: number;
}

/** Return `a` moved by `d` bytes. */
export function offsetAddr(a: Addr, d: number): Addr {
  return d === 0 ? a : { push: a.push, off: a.off + d };
}

/** Emit a load of scalar leaf type `t` from the address on the stack plus `off`. */
export function loadLeaf(code: Code, t: Ty, off: number): void {
  switch (storageOf(t)) {
    case 'f64':
      code.mem(Op.f64_load, 3, off);
      return;
    case 'u8':
      code.mem(Op.i32_load8_u, 0, off);
      return;
    case 'u16':
      code.mem(Op.i32_load16_u, 1, off);
      return;
    case 'u32':
      code.mem(Op.i32_load, 2, off);
      return;
    case 'none':
      return;
  }
}

/** Emit a store of scalar leaf type `t` (stack: address, value) at `off`. */
export function storeLeaf(code: Code, t: Ty, off: number): void {
  switch (storageOf(t)) {
    case 'f64':
      code.mem(Op.f64_store, 3, off);
      return;
    case 'u8':
      code.mem(Op.i32_store8, 0, off);
      return;
    case 'u16':
      code.mem(Op.i32_store16, 1, off);
      return;
    case 'u32':
      code.mem(Op.i32_store, 2, off);
      return;
    case 'none':
      return;
  }
}

/** Most memory operations emitted inline before a bulk operation or helper call is used. */
const UNROLL = 16;

const PIECE_LOAD: Record<number, [number, number]> = {
  8: [Op.i64_load, 3],
  4: [Op.i32_load, 2],
  2: [Op.i32_load16_u, 1],
  1: [Op.i32_load8_u, 0],
};
const PIECE_STORE: Record<number, [number, number]> = {
  8: [Op.i64_store, 3],
  4: [Op.i32_store, 2],
  2: [Op.i32_store16, 1],
  1: [Op.i32_store8, 0],
};

/** Emit `dst + off` on the stack. */
export function pushAddr(code: Code, a: Addr): void {
  a.push();
  if (a.off !== 0) code.i32Const(a.off).op(Op.i32_add);
}

/** Copy the bytes of a value of type `t` from `src` to `dst`. */
export function copy(code: Code, dst: Addr, src: Addr, t: Ty): void {
  const size = sizeOf(t);
  if (size === 0) return;
  const piece = Math.min(alignOf(t), 8);
  const n = size / piece;
  if (n > UNROLL) {
    pushAddr(code, dst);
    pushAddr(code, src);
    code.i32Const(size).opFC(OpFC.memory_copy).byte(0).byte(0);
    return;
  }
  const [ld, la] = PIECE_LOAD[piece]!;
  const [st, sa] = PIECE_STORE[piece]!;
  for (let k = 0; k < n; k++) {
    dst.push();
    src.push();
    code.mem(ld, la, src.off + k * piece);
    code.mem(st, sa, dst.off + k * piece);
  }
}

/** Copy like `copy`, skipping it when `dst` and `src` are the same address. */
export function copyUnlessSame(code: Code, dst: Addr, src: Addr, t: Ty): void {
  code.begin(Op.block);
  pushAddr(code, dst);
  pushAddr(code, src);
  code.op(Op.i32_eq).brIf(0);
  copy(code, dst, src, t);
  code.end();
}

/** Zero the 8-byte words at byte offsets `offsets` from `dst`. */
export function zeroWords(code: Code, dst: Addr, offsets: readonly number[]): void {
  for (let k = 0; k < offsets.length; k++) {
    dst.push();
    code.i64Const(0n).mem(Op.i64_store, 3, dst.off + offsets[k]!);
  }
}

/** Fill the bytes of a value of type `t` at `dst` with zeros (the zero of every leaf type). */
export function fillZero(code: Code, dst: Addr, t: Ty): void {
  const size = sizeOf(t);
  if (size === 0) return;
  const piece = Math.min(alignOf(t), 8);
  const n = size / piece;
  if (n > UNROLL) {
    pushAddr(code, dst);
    code.i32Const(0).i32Const(size).opFC(OpFC.memory_fill).byte(0);
    return;
  }
  const [st, sa] = PIECE_STORE[piece]!;
  for (let k = 0; k < n; k++) {
    dst.push();
    if (piece === 8) code.i64Const(0n);
    else code.i32Const(0);
    code.mem(st, sa, dst.off + k * piece);
  }
}

/** The two accumulator operations on aggregates. */
export type AccOp = 'add' | 'accInit';

const leafCounts = { add: new WeakMap<Ty, number>(), accInit: new WeakMap<Ty, number>() };

/** Return how many leaf operations `op` does on a value of type `t`. */
function leafOps(op: AccOp, t: Ty): number {
  if (t.kind === 'vec' || t.kind === 'struct') {
    const memo = leafCounts[op];
    let n = memo.get(t);
    if (n === undefined) {
      n = t.kind === 'vec' ? t.size * leafOps(op, t.elem) : t.members.reduce((s, m) => s + leafOps(op, m), 0);
      memo.set(t, n);
    }
    return n;
  }
  if (isZeroSize(t)) return 0;
  const float = t.kind === 'real' || t.kind === 'tan';
  return op === 'add' ? (float ? 1 : 0) : 1;
}

/** Emit `op` on one leaf of type `t` at `dst`/`src`. */
function leaf(code: Code, op: AccOp, t: Ty, dst: Addr, src: Addr): void {
  const float = t.kind === 'real' || t.kind === 'tan';
  if (op === 'add') {
    if (!float) return;
    // acc += addend, leaf by leaf: dst = dst + src
    dst.push();
    dst.push();
    code.mem(Op.f64_load, 3, dst.off);
    src.push();
    code.mem(Op.f64_load, 3, src.off);
    code.op(Op.f64_add).mem(Op.f64_store, 3, dst.off);
    return;
  }
  dst.push();
  if (float) code.f64Const(0);
  else {
    src.push();
    loadLeaf(code, t, src.off);
  }
  storeLeaf(code, t, dst.off);
}

/** Emit `op` on a whole value of type `t`, fully unrolled. */
function unrolled(code: Code, op: AccOp, t: Ty, dst: Addr, src: Addr): void {
  if (leafOps(op, t) === 0) return;
  if (t.kind === 'struct') {
    t.members.forEach((m, k) => {
      const d = memberOffset(t, k);
      unrolled(code, op, m, offsetAddr(dst, d), offsetAddr(src, d));
    });
  } else if (t.kind === 'vec') {
    const stride = strideOf(t.elem);
    for (let i = 0; i < t.size; i++) unrolled(code, op, t.elem, offsetAddr(dst, i * stride), offsetAddr(src, i * stride));
  } else leaf(code, op, t, dst, src);
}

/** Generated helper functions, one per operation and type, shared by a module. */
export class Helpers {
  readonly #module: ModuleBuilder;
  readonly #funcs = new Map<string, number>();
  readonly #keys = new WeakMap<Ty, string>();

  constructor(module: ModuleBuilder) {
    this.#module = module;
  }

  /** Emit accumulator operation `op` on a value of type `t` (at `dst`, reading `src`). */
  accOp(code: Code, op: AccOp, t: Ty, dst: Addr, src: Addr): void {
    if (op === 'accInit' && !hasFloat(t)) return copy(code, dst, src, t);
    const n = leafOps(op, t);
    if (n === 0) return;
    if (n <= UNROLL) return unrolled(code, op, t, dst, src);
    pushAddr(code, dst);
    pushAddr(code, src);
    code.call(this.#helper(op, t));
  }

  /** Return the function index of the `argmax`/`argmin` helper `(ptr, n) -> i32`. */
  arg(which: 'argmax' | 'argmin'): number {
    let index = this.#funcs.get(which);
    if (index === undefined) {
      index = this.#module.func({ type: this.#module.type([I32, I32], [I32]), ...argBody(which) });
      this.#funcs.set(which, index);
    }
    return index;
  }

  #helper(op: AccOp, t: Ty): number {
    const key = `${op}:${this.#key(t)}`;
    let index = this.#funcs.get(key);
    if (index === undefined) {
      const code = new Code();
      const slots = new Slots(2);
      const local = (i: number): Addr => ({ push: () => code.localGet(i), off: 0 });
      looped(code, slots, op, t, local(0), local(1));
      const type = this.#module.type([I32, I32], []);
      index = this.#module.func({ type, locals: slots.runs(), code });
      this.#funcs.set(key, index);
    }
    return index;
  }

  /** Return a structural key of `t` (memoized). */
  #key(t: Ty): string {
    if (t.kind !== 'vec' && t.kind !== 'struct') return t.kind === 'fin' ? `f${t.size}` : t.kind[0]!;
    let k = this.#keys.get(t);
    if (k === undefined) {
      k = t.kind === 'vec' ? `v${t.size}(${this.#key(t.elem)})` : `s(${t.members.map((m) => this.#key(m)).join(',')})`;
      this.#keys.set(t, k);
    }
    return k;
  }
}

/** Emit `op` on a value of type `t`, with loops over vecs too long to unroll. */
function looped(code: Code, slots: Slots, op: AccOp, t: Ty, dst: Addr, src: Addr): void {
  const n = leafOps(op, t);
  if (n === 0) return;
  if (n <= UNROLL) return unrolled(code, op, t, dst, src);
  if (t.kind === 'struct') {
    t.members.forEach((m, k) => {
      const d = memberOffset(t, k);
      looped(code, slots, op, m, offsetAddr(dst, d), offsetAddr(src, d));
    });
    return;
  }
  if (t.kind !== 'vec') return unrolled(code, op, t, dst, src);
  // d and s walk the elements; the loop ends when d reaches end
  const stride = strideOf(t.elem);
  const [d, s, end] = [slots.alloc(I32), slots.alloc(I32), slots.alloc(I32)];
  pushAddr(code, dst);
  code.localTee(d).i32Const(t.size * stride).op(Op.i32_add).localSet(end);
  pushAddr(code, src);
  code.localSet(s);
  code.begin(Op.loop);
  looped(code, slots, op, t.elem, { push: () => code.localGet(d), off: 0 }, { push: () => code.localGet(s), off: 0 });
  code.localGet(s).i32Const(stride).op(Op.i32_add).localSet(s);
  code.localGet(d).i32Const(stride).op(Op.i32_add).localTee(d).localGet(end).op(Op.i32_ne).brIf(0);
  code.end();
  for (const l of [d, s, end]) slots.release(l);
}

/**
 * Return the body of `argmax`/`argmin` over `n` f64s at `p`: the position of the first maximum
 * (minimum); the first NaN counts as the maximum (minimum), as in the interpreter.
 */
function argBody(which: 'argmax' | 'argmin'): { locals: [number, ValType][]; code: Code } {
  const [p, n, best, i, m, x] = [0, 1, 2, 3, 4, 5];
  const c = new Code();
  c.localGet(p).mem(Op.f64_load, 3, 0).localTee(m).localGet(m).op(Op.f64_ne);
  c.begin(Op.if).i32Const(0).op(Op.return).end();
  c.i32Const(0).localSet(best).i32Const(1).localSet(i);
  c.begin(Op.block).begin(Op.loop);
  c.localGet(i).localGet(n).op(Op.i32_ge_u).brIf(1);
  c.localGet(p).localGet(i).i32Const(8).op(Op.i32_mul).op(Op.i32_add).mem(Op.f64_load, 3, 0).localTee(x);
  c.localGet(x).op(Op.f64_ne);
  c.begin(Op.if).localGet(i).op(Op.return).end();
  c.localGet(x).localGet(m).op(which === 'argmax' ? Op.f64_gt : Op.f64_lt);
  c.begin(Op.if).localGet(x).localSet(m).localGet(i).localSet(best).end();
  c.localGet(i).i32Const(1).op(Op.i32_add).localSet(i).br(0);
  c.end().end();
  c.localGet(best);
  return { locals: [[2, I32], [2, F64]], code: c };
}
