/**
 * @file `<rose-constraint>`: a constraint of a `<rose-optimizer>`, one comparison in the markup
 * expression language (`<=`, `>=` or `==`). Shown as compact math unless `hidden`.
 */
import type { ExpressionKind } from '../../engine/expr/parser.ts';
import { ExpressionElement } from '../rose-objective/expression-element.ts';

/**
 * A constraint: `a <= b` and `a >= b` are inequalities, `a == b` an equality (solved by the
 * augmented Lagrangian method).
 *
 * ```html
 * <rose-constraint label="on the ellipse">x^2/4 + y^2 == 1</rose-constraint>
 * ```
 *
 * @tag rose-constraint
 * @attr label - A name for the constraint, used in error messages and shown beside it.
 * @attr hidden - Hide the rendering (the optimizer still reads it).
 * @attr invalid - Set by the optimizer while this text has an error.
 * @slot - The constraint text (not shown as is: it is rendered as math).
 * @csspart keyword - The words "subject to".
 * @csspart expression - The rendered comparison (or the raw text if it does not parse).
 * @csspart label - The label.
 * @cssprop --rose-math-font - Font of the rendered expression (default a serif).
 * @cssprop --rose-keyword-width - Width of the keyword column (default 5.5em).
 * @cssprop --rose-muted - Colour of the keyword and label.
 * @cssprop --rose-error - Colour of the underline of an invalid constraint.
 */
export class RoseConstraint extends ExpressionElement {
  protected readonly kind: ExpressionKind = 'constraint';
  protected readonly keyword = 'subject to';
}

declare global {
  interface HTMLElementTagNameMap {
    'rose-constraint': RoseConstraint;
  }
}
