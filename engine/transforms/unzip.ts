/**
 * @file Unzip: split a function in JVP form into a forward pass and its linear part.
 * (STUB: contract only; implemented by the reverse-mode task.)
 */
import { internal } from '../errors.ts';
import type { TransparentFunc } from '../ir/types.ts';

/** The two halves of an unzipped function. */
export interface Unzipped {
  /** `fwd(...primalPart(paramTypes))` returns `struct {res: R, ret: primalPart(retType)}` (keys `['res', 'ret']`). */
  readonly fwd: TransparentFunc;
  /** `lin(...linearPart(paramTypes), res: R)` returns `linearPart(retType)`. */
  readonly lin: TransparentFunc;
}

/** Return `f` split into `fwd` and `lin` (memoized per function). */
export function unzip(f: TransparentFunc): Unzipped {
  return internal(`unzip not implemented (${f.name})`);
}
