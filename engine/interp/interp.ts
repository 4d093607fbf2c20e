/**
 * @file The reference interpreter: the semantics every other execution path is tested against.
 * (STUB: contract only; implemented by the interpreter task.)
 */
import { internal } from '../errors.ts';
import type { Func } from '../ir/types.ts';

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

/** Run `f` on `args` (one Val per param) and return its result. */
export function interpret(f: Func, args: readonly Val[]): Val {
  return internal(`interpret not implemented (${f.name}, ${args.length})`);
}
