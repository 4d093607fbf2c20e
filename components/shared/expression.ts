/**
 * @file The adapter between elements and the markup expression language (engine/expr): turn
 * the text of an `expression` attribute and a list of parameter names into an engine `Fn` from
 * `Vec(n, Real)` to `Real`, parameter `k` being entry `k`. This is the only place elements touch
 * engine/expr, so switching its API needs one edit here.
 */
import { RoseError, formatMessage } from '../../engine/errors.ts';
import type { Fn } from '../../engine/trace/fn.ts';

/** Return the objective `Fn` of `text` over `parameters` (throws `RoseError`s with line and column). */
export function expressionToFn(text: string, parameters: readonly string[]): Fn {
  void parameters;
  throw new RoseError(
    'unsupported',
    formatMessage(
      `expressions are not available in this build ("${text}")`,
      'the expression attribute',
      'Set the `fn` property to an engine function instead',
    ),
  );
}
