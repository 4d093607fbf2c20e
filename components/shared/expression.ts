/**
 * @file The adapter between elements and the markup expression language (engine/expr): turn
 * the text of an `expression` attribute and the parameter names into an engine `Fn` from
 * `Vec(n, Real)` to `Real`, parameter `k` being entry `k`. This is the only place elements touch
 * engine/expr. Lowered functions are cached by text and names, so re-rendering an element with
 * the same expression reuses the traced function and its compiled code.
 */
import { lowerExpression } from '../../engine/expr/lower.ts';
import { parseExpression } from '../../engine/expr/parser.ts';
import type { Fn } from '../../engine/trace/fn.ts';

/** A lowered expression and its parameter names, in order. */
export interface ExpressionObjective {
  readonly fn: Fn;
  readonly parameters: readonly string[];
}

/** The order given to inferred parameters with the usual names. */
const USUAL_ORDER = ['x', 'y', 'z', 't', 'u', 'v', 'w', 'a', 'b', 'c'];
const MAX_CACHED = 64;
const cache = new Map<string, ExpressionObjective>();

/**
 * Return the objective of `text` over `parameters`; without `parameters`, every unknown name is a
 * parameter, ordered x, y, z, t, u, v, w, a, b, c first and then by first appearance. Throws the
 * expression language's errors (`syntax`, `unknown-name`, `arity`) with line and column.
 */
export function expressionToFn(
  text: string,
  parameters: readonly string[] | undefined,
  label = 'the expression',
): ExpressionObjective {
  const key = `${parameters?.join(' ') ?? '*'}\n${label}\n${text}`;
  const known = cache.get(key);
  if (known) return known;
  let names = parameters;
  if (!names) {
    const found = parseExpression(text, { kind: 'objective', label }).params;
    names = [...found].sort((a, b) => rank(a, found) - rank(b, found));
  }
  const parsed = parseExpression(text, { params: names, kind: 'objective', label });
  const result = { fn: lowerExpression(parsed, 'expression'), parameters: parsed.params };
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}

/** Return the sort rank of `name`: usual names first, in the usual order, then by appearance. */
function rank(name: string, found: readonly string[]): number {
  const usual = USUAL_ORDER.indexOf(name);
  return usual >= 0 ? usual : USUAL_ORDER.length + found.indexOf(name);
}
