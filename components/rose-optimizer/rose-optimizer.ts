/**
 * @file `<rose-optimizer>`: a model declared in markup (or given as the `model` property) and an
 * optimizer that runs it live, in the worker by default. Thin: `ModelController` collects and
 * builds the model, `SessionController` drives the session and fires the events; this element
 * holds the attributes, renders the controls, the status and errors, and routes the reader's
 * drags of `<rose-param>` children to the session. It is a model source (`modelSource`) for
 * `<rose-plot for="...">`.
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import type { RoseError } from '../../engine/errors.ts';
import { asRoseError } from '../../engine/optim/session.ts';
import { ModelState } from '../shared/model-source.ts';
import { formatNumber } from '../shared/format.ts';
import { hostStyles } from '../shared/styles.ts';
import { errorTemplate, type ErrorView } from './error-view.ts';
import type { OptimizerStatus, RoseOptimizerEventMap } from './events.ts';
import { ModelController, type ModelResult } from './model-controller.ts';
import type { OptimizerModel } from './model-spec.ts';
import { optionalNumber, parseOptimizerConfig } from './options.ts';
import { SessionController } from './session-controller.ts';
import { optimizerStyles } from './styles.ts';

/** Properties whose change re-creates the session with the same model. */
const CONFIG_KEYS = ['method', 'maxIterations', 'gradientTolerance', 'stepTolerance', 'valueTolerance', 'constraintTolerance', 'learningRate', 'runIn'];

/**
 * An optimizer of a model declared in markup.
 *
 * ```html
 * <rose-optimizer id="opt" method="lbfgs" autostart>
 *   <rose-param name="x" value="-1.2" min="-2" max="2"></rose-param>
 *   <rose-param name="y" value="1" min="-1" max="3"></rose-param>
 *   <rose-objective>(1 - x)^2 + 100*(y - x^2)^2</rose-objective>
 * </rose-optimizer>
 * <rose-plot for="opt" kind="contour" log></rose-plot>
 * ```
 *
 * Parameters with `min`/`max` are bounded to that box; a `<rose-param fixed>` is held at its
 * value by the optimizer and moved only by the reader. Dragging a parameter while the optimizer
 * runs (or after it converged) sets it, and the run continues from there.
 *
 * @tag rose-optimizer
 * @attr method - `lbfgs` (default), `adam` or `gd` (gradient descent with momentum).
 * @attr autostart - Start running as soon as the model is compiled.
 * @attr max-iterations - Iterations at most (default 1000 for lbfgs, 10000 for adam and gd).
 * @attr gradient-tolerance - Stop when the largest gradient entry is below this times max(1, |f|) (default 1e-6).
 * @attr step-tolerance - Stop when no parameter moves more than this, relatively (default 1e-12).
 * @attr value-tolerance - Stop when the objective changes less than this, relatively (default 1e-12).
 * @attr constraint-tolerance - The largest constraint violation accepted (default 1e-6).
 * @attr learning-rate - Step size of adam and gd (default 1e-3); ignored by lbfgs.
 * @attr run-in - `worker` (default; models with opaque JS functions still run here, in time slices) or `main`.
 * @attr state - Reflected, read-only: `idle`, `compiling`, `running`, `converged` or `error`.
 * @prop model - A model written with the engine API: `{ parameters: [{ name, value, min?, max?, fixed? }], objective: Fn, constraints?: [{ type, fn }] }`; takes precedence over the markup.
 * @prop modelSource - The `ModelSource` that `<rose-plot for>` follows.
 * @fires rose-compiled - `{ parameters, ranOn, note }` when the model compiled and the optimizer is ready.
 * @fires rose-step - `{ iteration, loss, gradientNorm, parameters, x, running, reason }` per new state, at most once per frame.
 * @fires rose-converged - Same detail as `rose-step`, when the run converged.
 * @fires rose-error - `{ code, message, element?, line?, column?, excerpt? }` for a mistake in the model or a failed run (also shown in the element).
 * @slot - The model: `<rose-param>`, `<rose-objective>`, `<rose-constraint>` elements, and any other content.
 * @csspart model - The box around the slotted model.
 * @csspart controls - The row of buttons and status.
 * @csspart button - Each button (also `start`, `step`, `reset`).
 * @csspart status - The status (state, iteration, loss, gradient norm).
 * @csspart note - Where the loop runs, when not in the worker.
 * @csspart error - The error box.
 * @csspart excerpt - The expression line with a caret under the problem.
 * @cssprop --rose-accent - Colour of the start button and focus rings (default #e11d48).
 * @cssprop --rose-surface - Background (default white).
 * @cssprop --rose-border - Border colour (default #e2e8f0).
 * @cssprop --rose-radius - Corner radius (default 10px).
 * @cssprop --rose-text - Text colour.
 * @cssprop --rose-muted - Colour of the status and notes.
 * @cssprop --rose-font - Font family.
 * @cssprop --rose-error - Colour of error marks.
 */
export class RoseOptimizer extends LitElement {
  static override properties = {
    method: { type: String },
    autostart: { type: Boolean },
    maxIterations: { attribute: 'max-iterations', converter: optionalNumber },
    gradientTolerance: { attribute: 'gradient-tolerance', converter: optionalNumber },
    stepTolerance: { attribute: 'step-tolerance', converter: optionalNumber },
    valueTolerance: { attribute: 'value-tolerance', converter: optionalNumber },
    constraintTolerance: { attribute: 'constraint-tolerance', converter: optionalNumber },
    learningRate: { attribute: 'learning-rate', converter: optionalNumber },
    runIn: { type: String, attribute: 'run-in' },
    state: { type: String, reflect: true },
    model: { attribute: false },
  };

  static override styles = [hostStyles, optimizerStyles];

  /** The method: `lbfgs`, `adam` or `gd`. */
  method = 'lbfgs';
  /** Start when compiled. */
  autostart = false;
  maxIterations: number | undefined = undefined;
  gradientTolerance: number | undefined = undefined;
  stepTolerance: number | undefined = undefined;
  valueTolerance: number | undefined = undefined;
  constraintTolerance: number | undefined = undefined;
  learningRate: number | undefined = undefined;
  /** Where the loop runs: `worker` or `main`. */
  runIn = 'worker';
  /** The state (reflected); set by the optimizer, not by pages. */
  state: OptimizerStatus = 'idle';
  /** A model written with the engine API (takes precedence over the markup). */
  model: OptimizerModel | undefined = undefined;

  /** The model source plots follow. */
  readonly modelSource = new ModelState();
  readonly #session = new SessionController(this);
  readonly #models = new ModelController(this, (result) => this.#apply(result));
  #result: ModelResult | undefined;

  constructor() {
    super();
    this.addEventListener('rose-input', (e) => this.#session.paramInput(e.target, e.detail.value, false));
    this.addEventListener('rose-change', (e) => this.#session.paramInput(e.target, e.detail.value, true));
  }

  /** Run continuously until converged or stopped (after a finished run: again from the start). */
  start(): void {
    this.#session.start();
  }

  /** Stop running. */
  stop(): void {
    this.#session.stop();
  }

  /** Do one iteration. */
  step(): void {
    this.#session.step();
  }

  /** Go back to the start point (fixed and dragged-to values of fixed parameters stay). */
  reset(): void {
    this.#session.reset();
  }

  /** The current parameter values by name. */
  get values(): Record<string, number> {
    const x = this.modelSource.x;
    return Object.fromEntries(this.#session.names.map((name, i) => [name, x[i]!]));
  }

  /** The newest state of the session (iteration, value, gradient norm, x, ...), if compiled. */
  get current() {
    return this.#session.last;
  }

  /** The error shown in the element, if any. */
  get error(): ErrorView | undefined {
    return this.#session.error;
  }

  /** The running session (where it runs: `session.ranOn`, why: `session.note`), for diagnostics. */
  get session() {
    return this.#session.session;
  }

  /** Collect the markup now instead of after the debounce (tests, and pages that just edited it). */
  refresh(): void {
    this.#models.collect();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('model')) this.#models.schedule();
    if (this.#result && CONFIG_KEYS.some((k) => changed.has(k as keyof RoseOptimizer))) this.#apply(this.#result);
  }

  protected override render(): unknown {
    const state = this.state;
    const running = state === 'running';
    const blocked = state === 'compiling' || (state === 'error' && this.error?.element !== undefined) || !this.#result?.ok;
    const note = this.session?.note;
    return html`
      <div part="model" class="model"><slot></slot></div>
      <div part="controls" class="controls">
        <button part="button start" class="primary" ?disabled=${blocked && !running} @click=${this._onToggle}>${running ? 'Stop' : 'Start'}</button>
        <button part="button step" ?disabled=${blocked || running} @click=${this._onStep}>Step</button>
        <button part="button reset" ?disabled=${blocked} @click=${this._onReset}>Reset</button>
        <span part="status" class="status">${this.#status()}</span>
      </div>
      ${note ? html`<p part="note" class="note">${note[0]!.toUpperCase()}${note.slice(1)}.</p>` : nothing}
      ${this.error ? errorTemplate(this.error) : nothing}
    `;
  }

  #status(): unknown {
    const s = this.#session.last;
    const badge = html`<span class="badge" role="status">${this.state}</span>`;
    if (!s || this.state === 'compiling' || this.state === 'error') return badge;
    const stopped = s.done && !s.converged ? html`<span class="reason">stopped: ${s.reason}</span>` : nothing;
    return html`${badge}${stopped}<span>iteration ${s.iteration}</span><span><i>f</i> = ${formatNumber(s.value)}</span>${s.violation !== undefined
      ? html`<span>violation ${formatNumber(s.violation)}</span>`
      : html`<span>‖∇<i>f</i>‖ = ${formatNumber(s.gradientNorm)}</span>`}`;
  }

  #apply(result: ModelResult): void {
    this.#result = result;
    if (!result.ok) return this.#session.fail(result.failure.error, result.failure.element);
    let config;
    try {
      config = parseOptimizerConfig(this, (a) => this.getAttribute(a) ?? '');
    } catch (e) {
      return this.#session.fail(asRoseError(e, '<rose-optimizer>') as RoseError);
    }
    this.#session.load(result.model, result.params, config, this.autostart);
  }

  private _onToggle(): void {
    if (this.state === 'running') this.stop();
    else this.start();
  }

  private _onStep(): void {
    this.step();
  }

  private _onReset(): void {
    this.reset();
  }
}

/** Typed listeners for the optimizer's own events (their details extend the shared ones). */
export interface RoseOptimizer {
  addEventListener<K extends keyof RoseOptimizerEventMap>(
    type: K,
    listener: (this: RoseOptimizer, ev: RoseOptimizerEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: RoseOptimizer, ev: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'rose-optimizer': RoseOptimizer;
  }
}
