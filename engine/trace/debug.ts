/**
 * @file Debugging helpers of the public API: `pprint` of an `Fn` and everything it calls.
 */
import { pprint as pprintFunc } from '../ir/pprint.ts';
import { funcOf, type Fn } from './fn.ts';

/** Return the IR of `f` and of every function it calls, as text (for debugging). */
export function pprint(f: Fn): string {
  return pprintFunc(funcOf(f, 'pprint(f)'));
}
