/**
 * @file The module cache of the worker runtime: compiled modules (or their pending compiles) by
 * key, the hash of the program's binary form (`wireHash` in wire.ts) with the compile mode.
 */

/**
 * A cache of settled or pending results by key; a rejected entry is dropped, so a failure (or a
 * cancellation) is retried by the next request. Counts hits and misses for tests and diagnostics.
 */
export class PromiseCache<T> {
  readonly #entries = new Map<string, Promise<T>>();
  hits = 0;
  misses = 0;

  /** Return the cached promise for `key`, or store and return `make()`. */
  get(key: string, make: () => Promise<T>): Promise<T> {
    const known = this.#entries.get(key);
    if (known !== undefined) {
      this.hits++;
      return known;
    }
    this.misses++;
    const p = make();
    this.#entries.set(key, p);
    p.catch(() => {
      if (this.#entries.get(key) === p) this.#entries.delete(key);
    });
    return p;
  }

  /** Forget every entry. */
  clear(): void {
    this.#entries.clear();
  }

  /** Return the number of entries. */
  get size(): number {
    return this.#entries.size;
  }
}
