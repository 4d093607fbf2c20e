/**
 * @file Cotangents that may be known zero in part, for `transpose`: a `Ct` is a var, `undefined`
 * (statically zero), or an array of member cotangents of a struct, some of them zero. A `Shape`
 * records which parts of a cotangent may be nonzero (a callee's transpose is specialized on it).
 */
import { internal } from '../errors.ts';
import type { DenseBuilder } from '../ir/dense-builder.ts';
import { PRIM_OP } from '../ir/dense.ts';
import { REAL, isEmpty, type Ty, type Var } from '../ir/types.ts';
import type { Scratch } from './scratch.ts';

/** A cotangent: a var, `undefined` when statically zero, or a struct's member cotangents. */
export type Ct = Var | undefined | readonly Ct[];

/** Which parts of a cotangent may be nonzero: 0 none, 1 all, or per struct member. */
export type Shape = 0 | 1 | readonly Shape[];

/** Return `parts` as a shape, collapsed to 0 or 1 when all non-empty members agree. */
function collapse(parts: readonly Shape[], t: Ty): Shape {
  if (t.kind !== 'struct') return internal(`cotangent shape of a ${t.kind}`);
  let zeros = true;
  let ones = true;
  parts.forEach((p, k) => {
    if (isEmpty(t.members[k]!)) return;
    if (p !== 0) zeros = false;
    if (p !== 1) ones = false;
  });
  return zeros ? 0 : ones ? 1 : parts;
}

/** Return the shape of `ct` (of erased type `t`). */
export function shapeOf(ct: Ct, t: Ty): Shape {
  if (ct === undefined) return 0;
  if (typeof ct === 'number') return 1;
  if (t.kind !== 'struct') return internal(`partial cotangent of a ${t.kind}`);
  return collapse(
    ct.map((c, k) => shapeOf(c, t.members[k]!)),
    t,
  );
}

/** Return the shape of a struct of type `t` whose member `k` has shape `s`, the others 0. */
export function memberShape(s: Shape, k: number, t: Ty): Shape {
  if (t.kind !== 'struct') return internal(`member shape of a ${t.kind}`);
  return collapse(
    t.members.map((_, j) => (j === k ? s : 0)),
    t,
  );
}

/** Return the union of two shapes of type `t` (a part may be nonzero when it may be in either). */
export function joinShape(a: Shape, c: Shape, t: Ty): Shape {
  if (a === 1 || c === 1 || a === 0) return a === 0 ? c : 1;
  if (c === 0) return a;
  if (t.kind !== 'struct') return internal(`partial shape of a ${t.kind}`);
  return collapse(
    a.map((p, k) => joinShape(p, c[k]!, t.members[k]!)),
    t,
  );
}

/** Return a memo key of `s`: `1` (the default), `0`, or `{...}` per member. */
export function shapeKey(s: Shape): string {
  return typeof s === 'number' ? String(s) : `{${s.map(shapeKey).join(',')}}`;
}

/** Return the parts of `v` that `s` says may be nonzero, as a cotangent (members emitted). */
export function fromShape(b: DenseBuilder, v: Var, s: Shape): Ct {
  if (s === 0) return undefined;
  if (s === 1) return v;
  return s.map((p, k) => (p === 0 ? undefined : fromShape(b, b.member(v, k), p)));
}

/** Return the cotangent of member `k` of a struct whose cotangent is `ct`. */
export function partOf(b: DenseBuilder, ct: Ct, k: number): Ct {
  if (ct === undefined) return undefined;
  return typeof ct === 'number' ? b.member(ct, k) : ct[k];
}

/**
 * Return `ct` (of erased type `t`) as one var, zero parts made by `zeroOf` (default: a new `zero`
 * emitted where needed).
 */
export function full(
  b: DenseBuilder,
  ct: Ct,
  t: Ty,
  zeroOf: (t: Ty) => Var = (z) => b.zero(z),
): Var {
  if (ct === undefined) return zeroOf(t);
  if (typeof ct === 'number') return ct;
  if (t.kind !== 'struct') return internal(`partial cotangent of a ${t.kind}`);
  return b.struct(
    ct.map((c, k) => full(b, c, t.members[k]!, zeroOf)),
    t,
  );
}

/** Emit `ref += ct` (of erased type `t`), skipping the parts known zero. */
export function addInto(b: DenseBuilder, ref: Var, ct: Ct, t: Ty): void {
  if (ct === undefined) return;
  if (typeof ct === 'number') {
    b.add(ref, ct);
    return;
  }
  if (t.kind !== 'struct') return internal(`partial cotangent of a ${t.kind}`);
  ct.forEach((c, k) => {
    if (c !== undefined) addInto(b, b.field(ref, k), c, t.members[k]!);
  });
}

/**
 * Return the sum of cotangents `terms` (of erased type `t`, none undefined): reals added, partial
 * structs member by member, anything else through an accumulator.
 */
export function sumCts(b: DenseBuilder, terms: readonly Ct[], t: Ty): Ct {
  if (terms.length <= 1) return terms[0];
  if (t.kind === 'real') {
    // cotangents of reals are reals: emit the sums without the builder's type inference
    let sum = terms[0] as Var;
    for (let k = 1; k < terms.length; k++)
      sum = b.emitOp(PRIM_OP.add, sum, terms[k] as Var, t);
    return sum;
  }
  if (t.kind === 'struct' && terms.every((c) => typeof c === 'object')) {
    const parts = t.members.map((m, k) => {
      const ks = terms.map((c) => (c as readonly Ct[])[k]).filter((c) => c !== undefined);
      return sumCts(b, ks, m);
    });
    return parts.every((c) => c === undefined) ? undefined : parts;
  }
  const sum = b.accum(b.zero(t));
  for (const c of terms) addInto(b, sum, c, t);
  return b.resolve(sum);
}

/**
 * How many contributions to a scalar make a partial sum, emitted as the last of them arrives
 * (see `CtLists.accumulate`).
 */
const RUNNING_SUM_FROM = 4;

/**
 * Per variable, the cotangent contributions made to it so far, in order. Lists live in typed
 * arrays (one entry per contribution, linked), not in one JS array per variable: a large function
 * has millions of variables, and a per-variable array of arrays costs a fill, a young-to-old
 * pointer store per list and a garbage object per list.
 */
export class CtLists {
  /** Per variable: its first and last entry (-1: no contribution). */
  readonly #head: Int32Array;
  readonly #tail: Int32Array;
  /** Per entry: the contribution (a var, or `-1 - k` for `#parts[k]`) and the next entry (-1). */
  #value: Int32Array;
  #next: Int32Array;
  #count = 0;
  /** The partial (per member) contributions, referenced from entries. */
  readonly #parts: (readonly Ct[])[] = [];

  /**
   * Start lists for `vars` variables, with room for `capacity` entries (it grows as needed),
   * taking the arrays from `scratch`.
   */
  constructor(vars: number, capacity: number, scratch: Scratch) {
    this.#head = scratch.i32(vars, -1);
    this.#tail = scratch.i32(vars);
    const room = Math.max(16, capacity);
    this.#value = scratch.i32(room);
    this.#next = scratch.i32(room);
  }

  /** Append contribution `ct` (not statically zero) to the list of `v`. */
  add(v: Var, ct: Var | readonly Ct[]): void {
    const k = this.#count++;
    if (k >= this.#value.length) this.#grow();
    this.#value[k] = typeof ct === 'number' ? ct : -this.#parts.push(ct); // -1 - its index
    this.#next[k] = -1;
    if (this.#head[v]! < 0) this.#head[v] = k;
    else this.#next[this.#tail[v]!] = k;
    this.#tail[v] = k;
  }

  /**
   * Add real contribution `ct` to the list of scalar `v`; when that makes `RUNNING_SUM_FROM`
   * entries, sum them here into one entry, the sum so far. So no more than
   * `RUNNING_SUM_FROM - 1` contributions wait for the sum at `v`'s definition, which adds them
   * left to right in order, as these partial sums do (the same bits). A value read in many
   * places (a coordinate used by every pair of a layout energy) no longer keeps all its
   * contributions live until then; a few may wait, as that schedule suits compiled code better
   * when they are few.
   */
  accumulate(v: Var, ct: Var, b: DenseBuilder): void {
    const first = this.#head[v]!;
    let n = 0;
    for (let k = first; k >= 0 && n < RUNNING_SUM_FROM; k = this.#next[k]!) n++;
    if (n + 1 < RUNNING_SUM_FROM) return this.add(v, ct);
    const sum =
      this.sumOfVars(v, b, REAL) ?? internal(`cotangent of scalar %${v} has a partial contribution`);
    this.#value[first] = b.emitOp(PRIM_OP.add, sum, ct, REAL);
    this.#next[first] = -1;
    this.#tail[v] = first;
  }

  /** Return true when `v` has no contribution. */
  isEmpty(v: Var): boolean {
    return this.#head[v]! < 0;
  }

  /** Return the contribution of `v` when it has exactly one, else undefined. */
  only(v: Var): Ct {
    const k = this.#head[v]!;
    return k >= 0 && this.#next[k]! < 0 ? this.#ct(k) : undefined;
  }

  /**
   * Return the sum of the contributions of `v` when there are some and all are whole (single-var)
   * reals of type `t`, emitted as `sumCts` would (left to right, in order), else undefined.
   */
  sumOfVars(v: Var, b: DenseBuilder, t: Ty): Var | undefined {
    const first = this.#head[v]!;
    if (first < 0) return undefined;
    for (let k = first; k >= 0; k = this.#next[k]!) if (this.#value[k]! < 0) return undefined;
    let sum = this.#value[first]!;
    for (let k = this.#next[first]!; k >= 0; k = this.#next[k]!)
      sum = b.emitOp(PRIM_OP.add, sum, this.#value[k]!, t);
    return sum;
  }

  /**
   * Return the contributions of `v`: its first whole (single-var) one first, then the others in
   * the order they were made.
   */
  terms(v: Var): Ct[] {
    const out: Ct[] = [];
    let first = -1;
    for (let k = this.#head[v]!; k >= 0; k = this.#next[k]!) {
      if (first < 0 && this.#value[k]! >= 0) first = k;
      else out.push(this.#ct(k));
    }
    if (first >= 0) out.unshift(this.#value[first]!);
    return out;
  }

  /** Return the contribution of entry `k`. */
  #ct(k: number): Ct {
    const x = this.#value[k]!;
    return x >= 0 ? x : this.#parts[-1 - x];
  }

  /** Double the entry storage. */
  #grow(): void {
    const value = new Int32Array(2 * this.#value.length);
    const next = new Int32Array(2 * this.#next.length);
    value.set(this.#value);
    next.set(this.#next);
    this.#value = value;
    this.#next = next;
  }
}
