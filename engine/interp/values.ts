/**
 * @file Runtime values of the reference interpreter: zeros, deep copies, accumulators, and the
 * scalar helpers whose semantics differ from plain JS (`sign`, `argmax`, `argmin`).
 */
import { RoseError, formatMessage, internal } from '../errors.ts';
import type { Ty } from '../ir/types.ts';

/**
 * A runtime value: unit `null`, bool `boolean`, real/tan/fin `number`, vec `Val[]`,
 * struct `Val[]` (members by position, in `keys` order), ref `Accumulator`.
 */
export type Val = null | boolean | number | Val[] | Accumulator;

/** A mutable accumulator (the value of a `ref`): supports reading and adding. */
export interface Accumulator {
  readonly kind: 'acc';
  get(): Val;
  add(v: Val): void;
}

/** Return a fresh zero of `t`: 0, `false`, index 0, unit `null`; vecs have `size` elements. */
export function zeroOf(t: Ty): Val {
  switch (t.kind) {
    case 'unit':
      return null;
    case 'bool':
      return false;
    case 'real':
    case 'tan':
    case 'fin':
      return 0;
    case 'vec': {
      const out: Val[] = new Array(t.size);
      for (let i = 0; i < t.size; i++) out[i] = zeroOf(t.elem);
      return out;
    }
    case 'struct': {
      const out: Val[] = new Array(t.members.length);
      for (let k = 0; k < out.length; k++) out[k] = zeroOf(t.members[k]!);
      return out;
    }
    case 'ref':
      return internal('zero of a ref type');
  }
}

/** Return a deep copy of `v` that shares no array with it (leaves are immutable). */
export function copyVal(v: Val): Val {
  if (!Array.isArray(v)) return v;
  const out: Val[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = copyVal(v[i]!);
  return out;
}

/** Return a fresh copy of `shape` (of type `t`): real/tan leaves 0, other leaves kept. */
function zeroFloats(shape: Val, t: Ty): Val {
  switch (t.kind) {
    case 'real':
    case 'tan':
      return 0;
    case 'vec': {
      const src = shape as Val[];
      const out: Val[] = new Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = zeroFloats(src[i]!, t.elem);
      return out;
    }
    case 'struct': {
      const src = shape as Val[];
      const out: Val[] = new Array(src.length);
      for (let k = 0; k < src.length; k++) out[k] = zeroFloats(src[k]!, t.members[k]!);
      return out;
    }
    case 'ref':
      return internal('accumulator of a ref type');
    default:
      return shape;
  }
}

/** Add the real/tan leaves of `v` (of type `t`) into `holder[key]`, in place; others unchanged. */
function addInto(holder: Val[], key: number, v: Val, t: Ty): void {
  switch (t.kind) {
    case 'real':
    case 'tan':
      holder[key] = (holder[key] as number) + (v as number);
      return;
    case 'vec': {
      const dst = holder[key] as Val[];
      const src = v as Val[];
      const elem = t.elem;
      if (elem.kind === 'real' || elem.kind === 'tan') {
        for (let i = 0; i < dst.length; i++) dst[i] = (dst[i] as number) + (src[i] as number);
      } else {
        for (let i = 0; i < dst.length; i++) addInto(dst, i, src[i]!, elem);
      }
      return;
    }
    case 'struct': {
      const dst = holder[key] as Val[];
      const src = v as Val[];
      for (let k = 0; k < dst.length; k++) addInto(dst, k, src[k]!, t.members[k]!);
      return;
    }
    case 'ref':
      return internal('add into an accumulator of a ref type');
    default:
      return;
  }
}

/**
 * The interpreter's accumulator: the slot `holder[key]` of a mutable value tree of type `ty`.
 * `slice`/`field` return accumulators of a sub-slot of the same tree, so adds through them are
 * visible in the parent. Arrays of the tree are mutated in place, never replaced.
 */
export class Acc implements Accumulator {
  readonly kind = 'acc' as const;
  readonly holder: Val[];
  readonly key: number;
  readonly ty: Ty;

  constructor(holder: Val[], key: number, ty: Ty) {
    this.holder = holder;
    this.key = key;
    this.ty = ty;
  }

  /** Return a deep copy of the current contents (later adds do not show through it). */
  get(): Val {
    return copyVal(this.holder[this.key]!);
  }

  /** Add the float leaves of `v` into the contents. */
  add(v: Val): void {
    addInto(this.holder, this.key, v, this.ty);
  }

  /** Return the accumulator of element `i` (of type `elem`), aliasing this one; `i` is checked. */
  slice(i: number, elem: Ty, where: string): Acc {
    const arr = this.holder[this.key] as Val[];
    checkIndex(i, arr.length, where);
    return new Acc(arr, i, elem);
  }

  /** Return the accumulator of member `k` (of type `member`), aliasing this one. */
  field(k: number, member: Ty): Acc {
    return new Acc(this.holder[this.key] as Val[], k, member);
  }
}

/** Return a new accumulator of type `t` shaped like `shape`: floats 0, other leaves copied. */
export function accumulator(t: Ty, shape: Val): Acc {
  return new Acc([zeroFloats(shape, t)], 0, t);
}

/** Throw `invalid-value` unless `i` is an integer index in `[0, size)`. */
export function checkIndex(i: number, size: number, where: string): void {
  if (i >>> 0 !== i || i >= size)
    throw new RoseError(
      'invalid-value',
      formatMessage(`index ${i} out of range for a vector of size ${size}`, where),
    );
}

/** Return Rust's `f64::signum`: 1 for +0 and positives, -1 for -0 and negatives, NaN for NaN. */
export function signum(x: number): number {
  if (x > 0) return 1;
  if (x < 0) return -1;
  if (x === 0) return 1 / x > 0 ? 1 : -1;
  return NaN;
}

/** Return the position of the first maximum of `xs`; the first NaN counts as the maximum. */
export function argmax(xs: readonly Val[], where: string): number {
  if (xs.length === 0) throw emptyReduce('argmax', where);
  let best = 0;
  let m = xs[0] as number;
  if (m !== m) return 0;
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i] as number;
    if (x !== x) return i;
    if (x > m) {
      m = x;
      best = i;
    }
  }
  return best;
}

/** Return the position of the first minimum of `xs`; the first NaN counts as the minimum. */
export function argmin(xs: readonly Val[], where: string): number {
  if (xs.length === 0) throw emptyReduce('argmin', where);
  let best = 0;
  let m = xs[0] as number;
  if (m !== m) return 0;
  for (let i = 1; i < xs.length; i++) {
    const x = xs[i] as number;
    if (x !== x) return i;
    if (x < m) {
      m = x;
      best = i;
    }
  }
  return best;
}

/** Return the error for a reduction over an empty vector (its result type `fin(0)` is empty). */
function emptyReduce(prim: string, where: string): RoseError {
  return new RoseError(
    'invalid-value',
    formatMessage(`${prim} of an empty vector has no result`, where),
  );
}
