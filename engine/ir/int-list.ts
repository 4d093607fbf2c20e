/**
 * @file Growable typed arrays for the dense IR's builder (dense-builder.ts): a list of int32s
 * with spare room, and the trimming and growing of typed-array columns.
 */

/** A growable list of int32s: a typed array with spare room, and its used length. */
export class IntList {
  data: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(8, capacity));
  }

  /** Append `x`. */
  push(x: number): void {
    if (this.length === this.data.length) this.reserve(1);
    this.data[this.length++] = x;
  }

  /** Make room for `n` more entries. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.data.length) return;
    const grown = new Int32Array(Math.max(need, 2 * this.data.length));
    grown.set(this.data.subarray(0, this.length));
    this.data = grown;
  }

  /** Append the first `n` entries of `xs`; return where they start. */
  pushAll(xs: ArrayLike<number>, n = xs.length): number {
    const at = this.length;
    this.reserve(n);
    const data = this.data;
    for (let k = 0; k < n; k++) data[at + k] = xs[k]!;
    this.length = at + n;
    return at;
  }

  /** Return the used part (see `trimmed`). */
  trimmed(): Int32Array {
    return trimmed(this.data, this.length);
  }
}

/**
 * Return the first `n` entries of `arr`: `arr` itself, or a view while at most half of it is
 * spare, else a copy (so that a large spare part is not kept with the function). Copying costs
 * more than the spare memory: a size hint a quarter over (jvp's) made copies a seventh of jvp.
 */
export function trimmed<T extends Int32Array | Uint8Array | Float64Array>(arr: T, n: number): T {
  const spare = arr.length - n;
  return (spare === 0 ? arr : spare <= n ? arr.subarray(0, n) : arr.slice(0, n)) as T;
}

/** Return `arr` grown (zero-filled) to at least `n` entries. */
export function grownTo<T extends Int32Array | Uint8Array>(arr: T, n: number): T {
  if (n <= arr.length) return arr;
  const out = new (arr.constructor as new (n: number) => T)(Math.max(n, 2 * arr.length));
  out.set(arr);
  return out;
}
