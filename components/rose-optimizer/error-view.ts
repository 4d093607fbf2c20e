/**
 * @file How `<rose-optimizer>` shows a mistake: the error's code and what is wrong, which
 * element of the markup it is in, the line and column in that element's expression with the
 * line and a caret under the problem, and how to fix it. Also the `rose-error` detail.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { RoseError } from '../../engine/errors.ts';
import { ExpressionError, caretExcerpt } from '../../engine/expr/diagnostics.ts';
import type { OptimizerErrorDetail } from './events.ts';

/** An error as the element shows it. */
export interface ErrorView extends OptimizerErrorDetail {
  /** What is wrong (for an expression error, without the place and the fix). */
  readonly headline: string;
  /** The markup element, described: `<rose-constraint label="rim">`. */
  readonly place?: string;
  /** How to fix it (expression errors). */
  readonly hint?: string;
}

/** Return the view of `error`, raised by `element` of the markup if known. */
export function errorView(error: RoseError, element?: Element): ErrorView {
  const base = { code: error.code, message: error.message, element, place: element && describeMarkup(element) };
  if (!(error instanceof ExpressionError)) return { ...base, headline: error.message };
  const { line, column, offset, length } = error.position;
  return {
    ...base,
    headline: error.problem,
    hint: error.hint,
    line,
    column,
    excerpt: caretExcerpt(error.source, offset, length),
  };
}

/** Return the `rose-error` detail of a view (without the display-only fields). */
export function errorDetail(view: ErrorView): OptimizerErrorDetail {
  const { headline: _h, place: _p, hint: _hint, ...detail } = view;
  return detail;
}

/** Return a short description of a markup element: its tag and its name or label. */
export function describeMarkup(el: Element): string {
  const tag = el.localName;
  for (const attr of ['name', 'label', 'id']) {
    const v = el.getAttribute(attr);
    if (v) return `<${tag} ${attr}="${v}">`;
  }
  const siblings = el.parentElement ? [...el.parentElement.children].filter((s) => s.localName === tag) : [el];
  return siblings.length > 1 ? `<${tag}> #${siblings.indexOf(el) + 1}` : `<${tag}>`;
}

/** Return the template of the error box. */
export function errorTemplate(view: ErrorView): TemplateResult {
  const where =
    view.place && view.line !== undefined
      ? `in ${view.place}, line ${view.line}, column ${view.column}`
      : view.place
        ? `in ${view.place}`
        : '';
  return html`<div part="error" class="error" role="alert">
    <div class="headline"><code>${view.code}</code> ${view.headline}</div>
    ${where ? html`<div class="where">${where}</div>` : nothing}
    ${view.excerpt ? html`<pre part="excerpt" class="excerpt">${view.excerpt}</pre>` : nothing}
    ${view.hint ? html`<div class="hint">${view.hint}</div>` : nothing}
  </div>`;
}
