/**
 * @file `<rose-objective>`: the function a `<rose-optimizer>` minimizes, as text in the markup
 * expression language. Shown as compact math unless `hidden`.
 */
import type { ExpressionKind } from '../../engine/expr/parser.ts';
import { ExpressionElement } from './expression-element.ts';

/**
 * The objective of an optimizer, in the expression language (numbers, parameter names,
 * `+ - * / ^`, parentheses, built-in functions such as `exp`, `sin`, `sqrt`).
 *
 * ```html
 * <rose-objective>(1 - x)^2 + 100*(y - x^2)^2</rose-objective>
 * ```
 *
 * @tag rose-objective
 * @attr label - A name for the objective, used in error messages and shown beside it.
 * @attr hidden - Hide the rendering (the optimizer still reads it).
 * @attr invalid - Set by the optimizer while this text has an error.
 * @slot - The expression text (not shown as is: it is rendered as math).
 * @csspart keyword - The word "minimize".
 * @csspart expression - The rendered expression (or the raw text if it does not parse).
 * @csspart label - The label.
 * @cssprop --rose-math-font - Font of the rendered expression (default a serif).
 * @cssprop --rose-keyword-width - Width of the keyword column (default 5.5em).
 * @cssprop --rose-muted - Colour of the keyword and label.
 * @cssprop --rose-error - Colour of the underline of an invalid expression.
 */
export class RoseObjective extends ExpressionElement {
  protected readonly kind: ExpressionKind = 'objective';
  protected readonly keyword = 'minimize';
}

declare global {
  interface HTMLElementTagNameMap {
    'rose-objective': RoseObjective;
  }
}
