/**
 * @file Wasm locals of one function, allocated by liveness (see liveness.ts and codegen-emit.ts):
 * a local released when its value dies is reused for the next value of the same type, so a
 * function needs about as many locals as values live at once, not one per IR variable.
 */
import { internal } from '../errors.ts';
import { F64, I32, type ValType } from './encoder.ts';


/** Wasm locals of one function: reused through one free list per value type. */
export class Slots {
  /** Types of the locals after the parameters, by index. */
  readonly types: ValType[] = [];
  /** Released locals of each type (two arrays: no map lookup per local while this code is cold). */
  readonly #freeI32: number[] = [];
  readonly #freeF64: number[] = [];
  readonly #base: number;

  /** Locals are numbered after `nParams` parameters. */
  constructor(nParams: number) {
    this.#base = nParams;
  }

  /** Return a free local of type `t` (reused if one was released). */
  alloc(t: ValType): number {
    const reused = this.#freeOf(t).pop();
    if (reused !== undefined) return reused;
    this.types.push(t);
    return this.#base + this.types.length - 1;
  }

  /** Return local `index` to its free list. */
  release(index: number): void {
    const t = this.types[index - this.#base];
    if (t === undefined) internal(`release of local ${index}, not a slot`);
    this.#freeOf(t).push(index);
  }

  #freeOf(t: ValType): number[] {
    return t === F64 ? this.#freeF64 : t === I32 ? this.#freeI32 : internal(`local of type ${t}`);
  }

  /** Return the local declarations as runs of one type. */
  runs(): (readonly [number, ValType])[] {
    const out: [number, ValType][] = [];
    for (const t of this.types) {
      const last = out[out.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else out.push([1, t]);
    }
    return out;
  }
}
