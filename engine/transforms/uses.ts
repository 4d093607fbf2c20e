/**
 * @file `Uses`: which variables of a function being built are read, recorded while a transform
 * emits it, so that `prune` can skip its walk when every instruction's result is read.
 *
 * Sound only in one direction: a read must be recorded only when an emitted instruction (or the
 * function's return) really reads the variable. A read left unrecorded merely makes `prune` walk.
 */
import type { Var } from '../ir/types.ts';

/** The variables read so far in a function being built, counted once each. */
export class Uses {
  #read: Uint8Array;
  #count = 0;
  /** The results of instructions kept for their effect (an `add`, a loop with one). */
  readonly #effects = new Set<Var>();

  /** Start with room for `capacity` variables (it grows as needed). */
  constructor(capacity: number) {
    this.#read = new Uint8Array(Math.max(16, capacity));
  }

  /** Record that `v` is read (by an emitted instruction, or returned). */
  read(v: Var): void {
    const read = this.#room(v);
    if (read[v] === 0) {
      read[v] = 1;
      this.#count++;
    }
  }

  /** Record that the instruction defining `v` is kept for its effect (counts as a read). */
  keep(v: Var): void {
    this.read(v);
    this.#effects.add(v);
  }

  /** Return true when the instruction defining `v` was kept for its effect (see `keep`). */
  hasEffect(v: Var): boolean {
    return this.#effects.has(v);
  }

  /** Declare `v` defined by no instruction (a param, a loop index): its reads are not counted. */
  declare(v: Var): void {
    this.#room(v)[v] = 1;
  }

  /**
   * Return true when the function may hold an unread instruction result: fewer distinct
   * instruction results are read than `defs`, the number of instructions that define one.
   */
  mayHaveDead(defs: number): boolean {
    return this.#count !== defs;
  }

  /** Return the flags, grown to hold `v`. */
  #room(v: Var): Uint8Array {
    let read = this.#read;
    if (v >= read.length) {
      const grown = new Uint8Array(Math.max(2 * read.length, v + 1));
      grown.set(read);
      this.#read = read = grown;
    }
    return read;
  }
}
