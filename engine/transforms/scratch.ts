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

/** Free pooled buffers (weakly held: see the file comment). */
const free: WeakRef<ArrayBuffer>[] = [];

/** Return a buffer of at least `bytes` bytes: the best-fitting free one, or a new one. */
function takeBuffer(bytes: number): ArrayBuffer {
  if (bytes < MIN_POOLED) return new ArrayBuffer(bytes);
  let best = -1;
  let bestSize = Infinity;
  for (let k = free.length - 1; k >= 0; k--) {
    const buf = free[k]!.deref();
    if (buf === undefined) {
      free.splice(k, 1); // collected
      if (best > k) best--;
      continue;
    }
    const size = buf.byteLength;
    if (size >= bytes && size <= MAX_SLACK * bytes && size < bestSize) {
      best = k;
      bestSize = size;
    }
  }
  if (best >= 0) return free.splice(best, 1)[0]!.deref()!;
  // rounded up to 1/8 of a power of two, so sizes that differ a little share buffers
  const step = 2 ** Math.max(0, Math.ceil(Math.log2(bytes)) - 3);
  return new ArrayBuffer(Math.ceil(bytes / step) * step);
}

/**
 * The scratch arrays of one pass: take them with `i32` / `u8`, give them all back with `release`
 * when the pass is done with them (a pass that throws just leaves them to the garbage collector).
 */
export class Scratch {
  readonly #taken: ArrayBuffer[] = [];

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

  /** Give every array taken back to the pool; none of them may be used afterwards. */
  release(): void {
    for (const buf of this.#taken) if (buf.byteLength >= MIN_POOLED) free.push(new WeakRef(buf));
    this.#taken.length = 0;
  }
}
