/**
 * @file `<rose-param>`: a named parameter of a model, with an optional slider and a readout.
 * Thin: validation and formatting live in param-logic.ts. The `value` property is the live value;
 * an optimizer may set it many times per second (one Lit update per microtask, touching only the
 * slider position and the readout text). While the reader holds the slider, the reader wins:
 * values set by code are ignored until release, so the thumb never jumps under the pointer, and
 * the owner learns the reader's value from `rose-input`.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { ErrorReporter, toElementError } from '../shared/element-error.ts';
import { emit } from '../shared/events.ts';
import { errorBox, hostStyles } from '../shared/styles.ts';
import { formatParamValue, sliderStep, validateParam } from './param-logic.ts';

/** Read an optional number attribute: absent stays undefined, `any` too (for `step`). */
const optionalNumber = {
  fromAttribute: (v: string | null): number | undefined =>
    v === null || v.trim() === '' || v.trim() === 'any' ? undefined : Number(v),
  toAttribute: (v: number | undefined): string | null => (v === undefined ? null : String(v)),
};

/**
 * A named model parameter.
 *
 * ```html
 * <rose-param name="x" value="-1.2" min="-2" max="2" step="0.01"></rose-param>
 * ```
 *
 * @attr name - The parameter's name, as used in expressions (letters, digits, `_`).
 * @attr value - The initial value (default 0); the `value` property is live.
 * @attr min - Lower bound; with `max`, shows a slider.
 * @attr max - Upper bound; with `min`, shows a slider.
 * @attr step - Slider step (default: about 1/200 of the range); `any` for none.
 * @attr label - Text of the label (default: the name).
 * @fires rose-input - `{ name, value }` while the user drags or types (each change).
 * @fires rose-change - `{ name, value }` when the user commits a value (releases the slider).
 * @fires rose-error - `{ code, message }` when an attribute is invalid (also shown in the element).
 * @csspart label - The label text.
 * @csspart slider - The `<input type="range">`.
 * @csspart value - The numeric readout.
 * @csspart error - The error message box.
 * @cssprop --rose-accent - Slider colour (default #e11d48).
 * @cssprop --rose-text - Text colour.
 * @cssprop --rose-muted - Readout colour.
 * @cssprop --rose-font - Font family.
 * @cssprop --rose-param-label-width - Width of the label column (default auto).
 */
export class RoseParam extends LitElement {
  static override properties = {
    name: { type: String, reflect: true },
    value: { type: Number },
    min: { converter: optionalNumber },
    max: { converter: optionalNumber },
    step: { converter: optionalNumber },
    label: { type: String },
  };

  static override styles = [
    hostStyles,
    css`
      :host {
        display: flex;
        align-items: center;
        gap: 0.75em;
        min-height: 2em;
      }
      label {
        flex: 0 0 var(--rose-param-label-width, auto);
        font-style: italic;
        font-family: var(--rose-label-font, Georgia, 'Times New Roman', serif);
        font-size: 1.1em;
      }
      input {
        flex: 1 1 8em;
        min-width: 4em;
        margin: 0;
        accent-color: var(--rose-accent, #e11d48);
      }
      output {
        flex: 0 0 auto;
        min-width: 4.5em;
        text-align: right;
        font-variant-numeric: tabular-nums;
        color: var(--rose-muted, #475569);
      }
      .error {
        flex: 1 1 100%;
      }
    `,
  ];

  /** The parameter's name. */
  name = '';
  /** The live value. Setting it updates the slider and readout (cheaply); it fires no event. */
  value = 0;
  /** Lower bound, if any. */
  min: number | undefined = undefined;
  /** Upper bound, if any. */
  max: number | undefined = undefined;
  /** Slider step, if given. */
  step: number | undefined = undefined;
  /** Label text (default: the name). */
  label: string | undefined = undefined;

  readonly #errors = new ErrorReporter(this);
  /** The reader's value while they hold the slider (pointer down), else undefined. */
  #held: number | undefined;

  /** True when both bounds are set, so a slider is shown. */
  get hasSlider(): boolean {
    return this.min !== undefined && this.max !== undefined;
  }

  /** The error shown in the element, if any. */
  get error(): { code: string; message: string } | undefined {
    return this.#errors.current;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.#held !== undefined) this.value = this.#held; // the reader wins while holding
    if (changed.has('value') && changed.size === 1) return; // the hot path: attributes unchanged
    try {
      const problem = validateParam(this, (a) => this.getAttribute(a) ?? String(this[a as 'name']));
      this.#errors.set(problem && toElementError(problem, 'rose-param'));
    } catch (e) {
      this.#errors.set(toElementError(e, 'rose-param'));
    }
  }

  protected override render(): unknown {
    const error = this.#errors.current;
    const text = this.label || this.name;
    const readout = formatParamValue(this.value, this.step ?? (this.hasSlider ? sliderStep(this) : undefined));
    return html`
      <label part="label" for="slider" id="label">${text}</label>
      ${this.hasSlider && !error
        ? html`<input
            part="slider"
            id="slider"
            type="range"
            min=${this.min!}
            max=${this.max!}
            step=${sliderStep(this)}
            .value=${String(this.value)}
            aria-valuetext=${`${text} = ${readout}`}
            @input=${this._onInput}
            @change=${this._onChange}
            @pointerdown=${this._onHold}
            @pointerup=${this._onRelease}
            @pointercancel=${this._onRelease}
          />`
        : nothing}
      <output part="value" aria-labelledby="label">${readout}</output>
      ${errorBox(error)}
    `;
  }

  private _onHold(e: PointerEvent): void {
    this.#held = (e.target as HTMLInputElement).valueAsNumber;
    // a release outside the slider (no change, no pointerup on it) must end the hold too
    addEventListener('pointerup', this._onRelease, { once: true });
  }

  private _onRelease = (): void => {
    this.#held = undefined;
    removeEventListener('pointerup', this._onRelease);
  };

  private _onInput(e: Event): void {
    this.value = (e.target as HTMLInputElement).valueAsNumber;
    if (this.#held !== undefined) this.#held = this.value;
    emit(this, 'rose-input', { name: this.name, value: this.value });
  }

  private _onChange(e: Event): void {
    e.stopPropagation(); // the native change event does not cross the shadow root anyway
    this.#held = undefined;
    this.value = (e.target as HTMLInputElement).valueAsNumber;
    emit(this, 'rose-change', { name: this.name, value: this.value });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rose-param': RoseParam;
  }
}
