/**
 * @file `<rose-plot>`: contour, curve, loss and trace plots of Rose Kit models. Thin: the
 * `PlotController` checks attributes, samples objectives with compiled wasm and paints the canvas
 * once per frame; this element holds the properties and renders the SVG axes, the legend, the
 * screen-reader description and errors, and turns pointer input into `rose-pick` events.
 */
import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import type { Fn } from '../../engine/trace/fn.ts';
import { emit } from '../shared/events.ts';
import type { ModelSource } from '../shared/model-source.ts';
import { errorBox, hostStyles } from '../shared/styles.ts';
import { axesTemplate } from './axes.ts';
import { PlotController } from './plot-controller.ts';
import { plotStyles } from './styles.ts';

/** Read a list of numbers from an attribute (`"1 0.5"`); absent or empty gives undefined. */
const numberList = {
  fromAttribute: (v: string | null): number[] | undefined =>
    v === null || v.trim() === '' ? undefined : v.trim().split(/[\s,]+/).map(Number),
  toAttribute: (v: readonly number[] | undefined): string | null => (v ? v.join(' ') : null),
};

/**
 * A plot of a function, an optimizer's path, its loss or its parameters.
 *
 * ```html
 * <rose-plot kind="contour" expression="(1-x)^2 + 100*(y-x^2)^2" params="x y"
 *            x-range="-2 2" y-range="-1 3" log></rose-plot>
 * <rose-plot kind="loss" for="opt"></rose-plot>
 * ```
 *
 * Size it with CSS (default height 320px, full width). Data comes from the `fn` property or the
 * `expression` attribute (contour, curve), the `path` / `point` / `loss` properties, or a model
 * source named by `for` (an optimizer), in that order of precedence.
 *
 * @attr kind - `contour` (two parameters), `curve` (one), `loss` (against iteration, log scale) or `trace` (parameters against iteration).
 * @attr for - Id of a model source (an optimizer element) to follow.
 * @attr expression - The function, in the markup expression language.
 * @attr params - Parameter names of the expression, in order (`"x y"`); default x, y.
 * @attr x-param - The parameter on the x axis (default the first); with more parameters than axes, the others stay at the current point.
 * @attr y-param - The parameter on the y axis of a contour (default the second).
 * @attr x-range - Range of the x-axis parameter, `"-2 2"` (default: the source's bounds, else -2 2).
 * @attr y-range - Range of the second parameter (contour) or of the values (curve).
 * @attr levels - About how many contour levels (default 12).
 * @attr log - Space contour levels and colours logarithmically (for positive functions with a deep valley).
 * @attr point - The current point, `"1 0.5"` (also a property); default: the source's current point.
 * @attr x-label - Title of the x axis (default: the parameter, or "iteration").
 * @attr y-label - Title of the y axis.
 * @attr label - Accessible name of the plot (default: from the kind).
 * @fires rose-pick - `{ x, y, phase }` in data coordinates when the reader presses or drags on a contour or curve.
 * @fires rose-render - `{ kind, frame }` after each painted frame.
 * @fires rose-error - `{ code, message }` for bad attributes, expressions or functions (also shown in the element).
 * @csspart frame - The box holding the canvas and the axes.
 * @csspart canvas - The canvas (heatmap, lines, path).
 * @csspart axes - The SVG of the axes, ticks and titles.
 * @csspart legend - The legend of a trace plot.
 * @csspart description - The visually hidden text alternative.
 * @csspart error - The error message box.
 * @cssprop --rose-line-color - Curve and loss line colour.
 * @cssprop --rose-accent - Tangent colour.
 * @cssprop --rose-path-color - Colour of the path of iterates.
 * @cssprop --rose-point-color - Colour of the current point on a contour.
 * @cssprop --rose-contour-color - Contour line colour.
 * @cssprop --rose-series-1 - Trace colours, `--rose-series-1` to `--rose-series-6`.
 * @cssprop --rose-area-background - Background of the plot area.
 * @cssprop --rose-grid-color - Grid line colour.
 * @cssprop --rose-axis-color - Axis and tick colour.
 * @cssprop --rose-muted - Tick label colour.
 * @cssprop --rose-text - Axis title colour.
 * @cssprop --rose-font - Font family.
 * @cssprop --rose-label-font - Font of axis titles and legend names (default serif italic).
 */
export class RosePlot extends LitElement {
  static override properties = {
    kind: { type: String, reflect: true },
    htmlFor: { type: String, attribute: 'for' },
    expression: { type: String },
    params: { type: String },
    xParam: { type: String, attribute: 'x-param' },
    yParam: { type: String, attribute: 'y-param' },
    xRange: { type: String, attribute: 'x-range' },
    yRange: { type: String, attribute: 'y-range' },
    levels: { type: Number },
    log: { type: Boolean },
    point: { converter: numberList },
    xLabel: { type: String, attribute: 'x-label' },
    yLabel: { type: String, attribute: 'y-label' },
    label: { type: String },
    fn: { attribute: false },
    source: { attribute: false },
    path: { attribute: false },
    loss: { attribute: false },
  };

  static override styles = [hostStyles, plotStyles];

  /** The kind of plot. */
  kind = 'contour';
  /** Id of the model source to follow (the `for` attribute). */
  htmlFor: string | null = null;
  /** The function as expression text. */
  expression: string | undefined = undefined;
  /** Parameter names of the expression. */
  params: string | undefined = undefined;
  /** The parameter on the x axis (default the first). */
  xParam: string | undefined = undefined;
  /** The parameter on the y axis of a contour (default the second). */
  yParam: string | undefined = undefined;
  /** The `x-range` attribute. */
  xRange: string | undefined = undefined;
  /** The `y-range` attribute. */
  yRange: string | undefined = undefined;
  /** About how many contour levels. */
  levels = 12;
  /** Logarithmic contour levels and colours. */
  log = false;
  /** The current point (contour: `[x, y]`; curve: `[x]`). */
  point: number[] | undefined = undefined;
  /** Axis titles. */
  xLabel: string | undefined = undefined;
  yLabel: string | undefined = undefined;
  /** Accessible name. */
  label: string | undefined = undefined;
  /** The function to plot: a Real-valued `Fn` of one `Vec(n, Real)` or of n Reals. */
  fn: Fn | undefined = undefined;
  /** A model source to follow directly (instead of `for`). */
  source: ModelSource | undefined = undefined;
  /** Iterates to draw (contour path, trace lines), each an array of parameter values. */
  path: (readonly number[])[] | undefined = undefined;
  /** Loss values against iteration (loss plots). */
  loss: number[] | undefined = undefined;

  readonly #plot = new PlotController(this);
  #dragging = false;

  /** The canvas in the shadow root. */
  get canvas(): HTMLCanvasElement | null {
    return this.renderRoot?.querySelector('canvas') ?? null;
  }

  /** The error shown in the element, if any. */
  get error(): { code: string; message: string } | undefined {
    return this.#plot.error;
  }

  /** The text alternative of the last painted frame. */
  get description(): string {
    return this.#plot.painted?.description ?? '';
  }

  /** The controller (frames drawn, observers), for tests. */
  get controller(): PlotController {
    return this.#plot;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.size > 0) this.#plot.configure(new Set(changed.keys()));
  }

  protected override firstUpdated(): void {
    this.#plot.size.observe(this.renderRoot.querySelector('.frame')!);
  }

  protected override render(): unknown {
    const painted = this.#plot.painted;
    const error = this.#plot.error;
    const interactive = this.kind === 'contour' || this.kind === 'curve';
    const name = this.label ?? `${this.kind} plot`;
    return html`
      <div
        part="frame"
        class="frame ${interactive ? 'interactive' : ''}"
        role="img"
        aria-label=${name}
        aria-describedby="description"
        @pointerdown=${this._onPointerDown}
        @pointermove=${this._onPointerMove}
        @pointerup=${this._onPointerUp}
        @pointercancel=${this._onPointerUp}
      >
        <svg part="axes" aria-hidden="true">${painted && !error ? axesTemplate(painted.axes) : svg``}</svg>
        <canvas part="canvas" aria-hidden="true"></canvas>
        ${painted?.legend.length && !error
          ? html`<ul part="legend" class="legend" aria-hidden="true">
              ${painted.legend.map((l) => html`<li><i style="background:${l.color}"></i>${l.name}</li>`)}
            </ul>`
          : nothing}
      </div>
      <p part="description" id="description" class="visually-hidden">${error ? error.message : this.description}</p>
      ${errorBox(error)}
    `;
  }

  #pick(e: PointerEvent, phase: 'start' | 'move' | 'end'): void {
    const box = (e.currentTarget as HTMLElement).getBoundingClientRect();
    const at = this.#plot.dataAt(e.clientX - box.left, e.clientY - box.top, phase !== 'start');
    if (at) emit(this, 'rose-pick', { x: at.x, y: at.y, phase });
    if (phase === 'start' && at) {
      this.#dragging = true;
      (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
    }
  }

  private _onPointerDown(e: PointerEvent): void {
    if ((this.kind === 'contour' || this.kind === 'curve') && e.button === 0 && !this.error) this.#pick(e, 'start');
  }

  private _onPointerMove(e: PointerEvent): void {
    if (this.#dragging) this.#pick(e, 'move');
  }

  private _onPointerUp(e: PointerEvent): void {
    if (!this.#dragging) return;
    this.#pick(e, 'end');
    this.#dragging = false;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'rose-plot': RosePlot;
  }
}
