/**
 * @file The base of `<rose-objective>` and `<rose-constraint>`: an element whose text content is
 * an expression of the markup language. It renders the expression as compact math (or, if the
 * text does not parse, as the plain text in monospace: the enclosing `<rose-optimizer>` shows
 * the error), follows edits of its text, and hides with the `hidden` attribute. The optimizer
 * reads `expression` (the tidied text) and `label`, and marks a faulty element `invalid`.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import { parseExpression, type ExpressionKind } from '../../engine/expr/parser.ts';
import { tidyText } from '../rose-optimizer/model-spec.ts';
import { hostStyles } from '../shared/styles.ts';
import { renderMath } from './math.ts';

/** Shared styles of the expression elements. */
export const expressionStyles = css`
  :host {
    display: flex;
    align-items: baseline;
    gap: 0.75em;
    padding: 0.2em 0;
    line-height: 1.6;
  }
  .keyword {
    flex: 0 0 var(--rose-keyword-width, 5.5em);
    color: var(--rose-muted, #475569);
    font-size: 0.85em;
    font-variant: small-caps;
    letter-spacing: 0.04em;
  }
  .math {
    font-family: var(--rose-math-font, 'Latin Modern Math', 'STIX Two Math', Cambria, Georgia, 'Times New Roman', serif);
    font-size: 1.15em;
    overflow-wrap: anywhere;
  }
  .math var {
    font-style: italic;
  }
  .math var.const,
  .math .fn,
  .math .num {
    font-style: normal;
  }
  .math .op {
    white-space: pre;
  }
  .math sup,
  .math sub {
    font-size: 0.7em;
    line-height: 0;
  }
  .radicand {
    border-top: 1px solid currentColor;
    padding-top: 0.05em;
  }
  .raw {
    font-family: var(--rose-mono, ui-monospace, Menlo, Consolas, monospace);
    white-space: pre-wrap;
  }
  .label {
    color: var(--rose-muted, #475569);
    font-size: 0.85em;
    margin-left: auto;
  }
  :host([invalid]) .math,
  :host([invalid]) .raw {
    text-decoration: wavy underline var(--rose-error, #dc2626);
    text-underline-offset: 0.25em;
  }
`;

/** An element holding an expression as its text. */
export abstract class ExpressionElement extends LitElement {
  static override properties = {
    label: { type: String },
    text: { state: true },
  };

  static override styles = [hostStyles, expressionStyles];

  /** A name for the expression, used in error messages and shown beside it. */
  label: string | undefined = undefined;
  /** The text content as last read. */
  protected text = '';
  readonly #observer = new MutationObserver(() => this.#read());

  /** What the text must be: an objective or a constraint. */
  protected abstract readonly kind: ExpressionKind;
  /** The word shown before the expression (`minimize`, `subject to`). */
  protected abstract readonly keyword: string;

  /** The expression: the text content without surrounding blank lines and common indentation. */
  get expression(): string {
    return tidyText(this.textContent ?? '');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#observer.observe(this, { childList: true, characterData: true, subtree: true });
    this.#read();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observer.disconnect();
  }

  protected override render(): unknown {
    return html`
      <span part="keyword" class="keyword">${this.keyword}</span>
      ${this.#renderExpression()}
      ${this.label ? html`<span part="label" class="label">${this.label}</span>` : nothing}
    `;
  }

  #renderExpression(): TemplateResult {
    const text = this.text;
    try {
      const parsed = parseExpression(text, { kind: this.kind });
      return html`<span part="expression" class="math" role="math" aria-label=${text}>${renderMath(parsed.root)}</span>`;
    } catch {
      return html`<code part="expression" class="raw">${text}</code>`;
    }
  }

  #read(): void {
    this.text = this.expression;
  }
}
