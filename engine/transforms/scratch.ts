/**
 * @file Scratch typed arrays for the passes (per-variable flags and numbers), reused from one pass
 * to the next instead of allocated anew.
 *
 * Why: a typed array's memory lives outside the JS heap, and V8 starts a full garbage collection
 * whenever such "external" memory grows by a few tens of MB since the last one. A pass over a
 * function of millions of variables takes hundreds of MB of scratch arrays, so allocating them per
 * pass made each pass pay a full collection of the whole (GB-sized) IR heap. Reused buffers do not
 * grow external memory. They are held through `WeakRef`s, so an idle pool is given back to the
 * system by the next full collection.
 */

/** Buffers smaller than this are allocated per request (young, cheap) and never pooled. */
const MIN_POOLED = 1 << 16;
/** A free buffer serves a request only if it is at most this many times larger. */
const MAX_SLACK = 4;

/** Free pooled buffers and reference arrays (weakly held: see the file comment). */
const free: WeakRef<ArrayBuffer>[] = [];
const freeRefs: WeakRef<unknown[]>[] = [];

/** Remove and return the best-fitting free entry of at least `size` (by `sizeOf`), if any. */
function takeFree<T extends object>(
  list: WeakRef<T>[],
  size: number,
  sizeOf: (x: T) => number,
): T | undefined {
  let best = -1;
  let bestSize = Infinity;
  for (let k = list.length - 1; k >= 0; k--) {
    const x = list[k]!.deref();
    if (x === undefined) {
      list.splice(k, 1); // collected
      if (best > k) best--;
      continue;
    }
    const s = sizeOf(x);
    if (s >= size && s <= MAX_SLACK * size && s < bestSize) {
      best = k;
      bestSize = s;
    }
  }
  return best >= 0 ? list.splice(best, 1)[0]!.deref() : undefined;
}

/** Return a buffer of at least `bytes` bytes: the best-fitting free one, or a new one. */
function takeBuffer(bytes: number): ArrayBuffer {
  if (bytes < MIN_POOLED) return new ArrayBuffer(bytes);
  return takeFree(free, bytes, (b) => b.byteLength) ?? new ArrayBuffer(roundUp(bytes));
}

/** Return `n` rounded up to 1/8 of a power of two, so sizes that differ a little share buffers. */
function roundUp(n: number): number {
  const step = 2 ** Math.max(0, Math.ceil(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

/**
 * The scratch arrays of one pass: take them with `i32` / `u8`, give them all back with `release`
 * when the pass is done with them (a pass that throws just leaves them to the garbage collector).
 */
export class Scratch {
  readonly #taken: ArrayBuffer[] = [];
  /** Reference arrays taken, and how much of each was asked for (cleared on release). */
  readonly #takenRefs: unknown[][] = [];
  readonly #refLengths: number[] = [];

  /** Return an `Int32Array` of length `n` with every entry `fill`. */
  i32(n: number, fill = 0): Int32Array {
    const buf = takeBuffer(4 * n);
    this.#taken.push(buf);
    return new Int32Array(buf, 0, n).fill(fill);
  }

  /** Return a zeroed `Uint8Array` of length `n`. */
  u8(n: number): Uint8Array {
    const buf = takeBuffer(n);
    this.#taken.push(buf);
    return new Uint8Array(buf, 0, n).fill(0);
  }

  /**
   * Return a JS array of at least `n` entries, each `undefined` (it may be longer: use the first
   * `n`). Large ones are pooled too: a JS array that large is allocated outside the young
   * generation, and grows the old one towards its next full collection.
   */
  refs<T>(n: number): (T | undefined)[] {
    let out = n * 8 < MIN_POOLED ? undefined : takeFree(freeRefs, n, (a) => a.length);
    if (out === undefined) {
      out = [];
      out.length = n * 8 < MIN_POOLED ? n : roundUp(n);
      out.fill(undefined);
    }
    this.#takenRefs.push(out);
    this.#refLengths.push(n);
    return out as (T | undefined)[];
  }

  /** Give every array taken back to the pool; none of them may be used afterwards. */
  release(): void {
    for (const buf of this.#taken) if (buf.byteLength >= MIN_POOLED) free.push(new WeakRef(buf));
    this.#taken.length = 0;
    this.#takenRefs.forEach((refs, k) => {
      if (refs.length * 8 < MIN_POOLED) return;
      refs.fill(undefined, 0, this.#refLengths[k]); // hold on to nothing of the pass
      freeRefs.push(new WeakRef(refs));
    });
    this.#takenRefs.length = 0;
    this.#refLengths.length = 0;
  }
}
