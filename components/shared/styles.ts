/**
 * @file Styles shared by Rose Kit elements: the `--rose-*` design tokens with their defaults,
 * the visually-hidden helper for screen-reader text, and the in-element error box.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import type { ElementError } from './element-error.ts';

/** Host defaults: font and colours read from `--rose-*` custom properties. */
export const hostStyles = css`
  :host {
    font-family: var(--rose-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--rose-font-size, 14px);
    color: var(--rose-text, #0f172a);
  }
  :host([hidden]) {
    display: none;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .error {
    box-sizing: border-box;
    padding: 8px 10px;
    border-left: 3px solid var(--rose-error, #dc2626);
    background: var(--rose-error-background, #fef2f2);
    color: var(--rose-error-text, #7f1d1d);
    font-size: 0.9em;
    line-height: 1.4;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .error code {
    font-family: var(--rose-mono, ui-monospace, Menlo, Consolas, monospace);
    font-weight: 600;
  }
`;

/** Return the in-element error box (`part="error"`, styled by `.error`) for `error`, or nothing. */
export function errorBox(error: ElementError | undefined): TemplateResult | typeof nothing {
  if (!error) return nothing;
  return html`<div part="error" class="error" role="alert"><code>${error.code}</code> ${error.message}</div>`;
}
