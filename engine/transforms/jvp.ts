/**
 * @file Forward mode: `jvp(f, active)` rewrites a function to compute tangents beside primals.
 * (STUB: contract only; implemented by the jvp task.)
 */
import { internal } from '../errors.ts';
import type { Func, TransparentFunc } from '../ir/types.ts';

/**
 * Return the JVP of `f`, memoized per (f, active).
 *
 * Contract:
 * - `active[i]` (default: true for every param) says whether param i gets a tangent input.
 * - Params: `[...erase(paramTypes), ...tangentTy(paramTypes[i]) for each active i]`.
 * - Result: `struct {du: tangentTy(retType), re: erase(retType)}` (keys `['du', 're']`).
 * - Input `tan` types are read as `real` (erasure). Output tangents have type `tan`; statically
 *   zero tangents are tracked symbolically (not computed) and emitted as `zero` only where needed.
 * - Calls stay calls: a call of g becomes a call of `jvp(g, mask of args with nonzero tangents)`.
 * - `customJvp` (Rose dual layout) is used when present; an opaque function without one throws
 *   RoseError code 'no-jvp' whose message contains "no JVP provided for opaque function".
 */
export function jvp(f: Func, active?: readonly boolean[]): TransparentFunc {
  return internal(`jvp not implemented (${f.name}, ${active?.length})`);
}
