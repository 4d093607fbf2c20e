/**
 * @file `Uses`: which variables of a function being built are read, recorded while a transform
 * emits it, so that `prune` can skip its walk when every instruction's result is read.
 *
 * Sound only in one direction: a read must be recorded only when an emitted instruction (or the
 * function's return) really reads the variable. A read left unrecorded merely makes `prune` walk.
 */
import type { Var } from '../ir/types.ts';
import type { Scratch } from './scratch.ts';

/** Flag of `Uses.#read`: the variable is read (or needs no reading: see `declare`). */
const READ = 1;
/** Flag of `Uses.#read`: the instruction defining the variable is kept for its effect. */
const EFFECT = 2;
/** Flag of `Uses.#read`: the variable is defined by no instruction (see `declare`). */
const DECLARED = 4;

/** The variables read so far in a function being built, counted once each. */
export class Uses {
  /** Per variable, `READ` and `EFFECT` flags. */
  #read: Uint8Array;
  #count = 0;

  /** Start with room for `capacity` variables (it grows as needed), from `scratch` if given. */
  constructor(capacity: number, scratch?: Scratch) {
    const n = Math.max(16, capacity);
    this.#read = scratch?.u8(n) ?? new Uint8Array(n);
  }

  /** `read`, bound once (an operand visitor). */
  readonly reader = (v: Var): void => this.read(v);

  /** Record that `v` is read (by an emitted instruction, or returned). */
  read(v: Var): void {
    const read = this.#room(v);
    if ((read[v]! & READ) === 0) {
      read[v] = read[v]! | READ;
      this.#count++;
    }
  }

  /** Record that the instruction defining `v` is kept for its effect (counts as a read). */
  keep(v: Var): void {
    this.read(v);
    this.#read[v] = this.#read[v]! | EFFECT;
  }

  /** Return true when the instruction defining `v` was kept for its effect (see `keep`). */
  hasEffect(v: Var): boolean {
    return v < this.#read.length && (this.#read[v]! & EFFECT) !== 0;
  }

  /**
   * Declare `v` defined by no instruction (a param, a loop index): its reads are not counted,
   * whether they are recorded before or after this.
   */
  declare(v: Var): void {
    const read = this.#room(v);
    const flags = read[v]!;
    if ((flags & DECLARED) !== 0) return;
    if ((flags & READ) !== 0) this.#count--; // a read counted before the declaration
    read[v] = flags | READ | DECLARED;
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
