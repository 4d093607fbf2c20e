/** @file Styles of `<rose-optimizer>`: a quiet card holding the model, the controls, notes and errors. */
import { css } from 'lit';

/** The element's styles (after the shared host styles). */
export const optimizerStyles = css`
  :host {
    display: block;
    box-sizing: border-box;
    padding: 12px 16px;
    border: 1px solid var(--rose-border, #e2e8f0);
    border-radius: var(--rose-radius, 10px);
    background: var(--rose-surface, #ffffff);
  }
  .model {
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    margin-top: 10px;
    padding-top: 10px;
    border-top: 1px solid var(--rose-border, #e2e8f0);
  }
  button {
    font: inherit;
    font-size: 0.9em;
    padding: 4px 12px;
    border-radius: 6px;
    border: 1px solid var(--rose-border-strong, #cbd5e1);
    background: var(--rose-button-background, #f8fafc);
    color: inherit;
    cursor: pointer;
  }
  button:hover:not(:disabled) {
    border-color: var(--rose-accent, #e11d48);
  }
  button:focus-visible {
    outline: 2px solid var(--rose-accent, #e11d48);
    outline-offset: 1px;
  }
  button.primary {
    min-width: 4.5em;
    background: var(--rose-accent, #e11d48);
    border-color: var(--rose-accent, #e11d48);
    color: var(--rose-on-accent, #ffffff);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .status {
    margin-left: auto;
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    gap: 2px 12px;
    white-space: nowrap;
    align-items: baseline;
    color: var(--rose-muted, #475569);
    font-size: 0.9em;
    font-variant-numeric: tabular-nums;
  }
  .badge {
    padding: 1px 8px;
    border-radius: 999px;
    background: var(--rose-badge-background, #f1f5f9);
    color: var(--rose-text, #0f172a);
    font-size: 0.85em;
  }
  :host([state='running']) .badge {
    background: #dbeafe;
    color: #1e3a8a;
  }
  :host([state='converged']) .badge {
    background: #dcfce7;
    color: #14532d;
  }
  :host([state='error']) .badge {
    background: #fee2e2;
    color: #7f1d1d;
  }
  .note {
    margin: 8px 0 0;
    color: var(--rose-muted, #475569);
    font-size: 0.85em;
  }
  .error {
    margin-top: 10px;
    /* the box's parts are blocks: the template's line breaks between them are not text */
    white-space: normal;
  }
  .error .headline,
  .error .hint {
    white-space: pre-wrap;
  }
  .error .where {
    margin-top: 2px;
    font-size: 0.95em;
  }
  .error .hint {
    margin-top: 4px;
  }
  .excerpt {
    margin: 6px 0 0;
    padding: 6px 8px;
    background: var(--rose-error-excerpt-background, #fff7f7);
    border-radius: 4px;
    font-family: var(--rose-mono, ui-monospace, Menlo, Consolas, monospace);
    font-size: 0.95em;
    white-space: pre;
    overflow-x: auto;
  }
`;
