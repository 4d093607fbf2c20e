/**
 * @file `SessionController`: drives the optimizer session of a `<rose-optimizer>`
 * (engine/optim/session.ts): (re)creates it when the model or the method changes, runs the
 * element's `start`/`stop`/`step`/`reset`, and on every state (at most one per animation frame)
 * feeds the `ModelState` that plots follow, pushes the live values into the `<rose-param>`
 * children, updates the reflected status and fires `rose-compiled`, `rose-step`,
 * `rose-converged` and `rose-error`. A parameter the reader drags is frozen and set while
 * dragged, and released when the drag ends (unless it is `fixed`), so the run continues from
 * there. The session is disposed when the element leaves the page (its worker state is freed).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { RoseError, formatMessage } from '../../engine/errors.ts';
import { makeProblem } from '../../engine/optim/problem.ts';
import { asRoseError, createSession, restartsPath, type OptimizerSession, type SessionState } from '../../engine/optim/session.ts';
import type { ModelState } from '../shared/model-source.ts';
import { errorDetail, errorView, type ErrorView } from './error-view.ts';
import { emitOptimizer, type OptimizerStatus, type OptimizerStepDetail } from './events.ts';
import type { ParamElement } from './model-controller.ts';
import type { BuiltModel } from './model-spec.ts';
import type { OptimizerConfig } from './options.ts';

/** What the controller needs from its element. */
export interface SessionHost extends ReactiveControllerHost, HTMLElement {
  readonly modelSource: ModelState;
  /** Set by the controller; the element reflects it as the `state` attribute. */
  state: OptimizerStatus;
}

/** A model ready to run, with its configuration. */
interface Loaded {
  readonly model: BuiltModel;
  readonly params: readonly (ParamElement | undefined)[];
  readonly config: OptimizerConfig;
}

const WHERE = '<rose-optimizer>';

/** Drives one optimizer session at a time; see the file comment. */
export class SessionController implements ReactiveController {
  readonly #host: SessionHost;
  #loaded: Loaded | undefined;
  #session: OptimizerSession | undefined;
  #startWhenReady = false;
  #recorded = -1;
  readonly #dragging = new Set<number>();
  #error: ErrorView | undefined;
  #errorKey = '';
  /** The newest state. */
  last: SessionState | undefined;

  constructor(host: SessionHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The session (for tests and diagnostics). */
  get session(): OptimizerSession | undefined {
    return this.#session;
  }

  /** The error shown, if any. */
  get error(): ErrorView | undefined {
    return this.#error;
  }

  /** The parameter names of the loaded model. */
  get names(): readonly string[] {
    return this.#loaded?.model.names ?? [];
  }

  /** Run `model` with `config`: a new session (compiling), started when ready if `autostart` or it was running. */
  load(model: BuiltModel, params: readonly (ParamElement | undefined)[], config: OptimizerConfig, autostart: boolean): void {
    const wasRunning = this.#host.state === 'running' || this.#startWhenReady;
    this.#close();
    this.#loaded = { model, params, config };
    let problem;
    try {
      const bounds = model.bounds.map((b) => [b.min ?? -Infinity, b.max ?? Infinity] as [number, number]);
      const options = { ...config.options, bounds, constraints: model.constraints, runIn: config.runIn };
      problem = makeProblem(model.objective, model.x0, options, WHERE);
    } catch (e) {
      return this.fail(asRoseError(e, WHERE));
    }
    this.#clearError();
    this.#startWhenReady = autostart || wasRunning;
    this.#recorded = -1;
    this.#setStatus('compiling');
    const session: OptimizerSession = createSession(problem, {
      onState: (s) => session === this.#session && this.#onState(s),
      onConverged: (s) => session === this.#session && emitOptimizer(this.#host, 'rose-converged', this.#detail(s)),
      onError: (e) => session === this.#session && this.fail(e),
    }, { runIn: config.runIn });
    this.#session = session;
    model.fixed.forEach((fixed, i) => fixed && session.freeze(i, true));
  }

  /** Start (or continue) running; after a finished run, start again from the start point. */
  start(): void {
    const s = this.#session;
    if (!s || s.closed) return this.#reloadAfterRunError(true);
    if (this.#host.state === 'compiling') return void (this.#startWhenReady = true);
    if (this.last?.done) s.reset();
    s.start();
    this.#setStatus('running');
  }

  /** Stop running; the current point stays. */
  stop(): void {
    this.#startWhenReady = false;
    if (!this.#session || this.#session.closed) return;
    this.#session.stop();
    if (this.#host.state === 'running') this.#setStatus('idle');
  }

  /** Do one iteration. */
  step(): void {
    this.#startWhenReady = false;
    if (this.#session && !this.#session.closed) this.#session.step();
  }

  /** Go back to the start point. */
  reset(): void {
    this.#startWhenReady = false;
    if (this.#session && !this.#session.closed) return this.#session.reset();
    this.#reloadAfterRunError(false);
  }

  /** A parameter element was dragged (`commit` false) or released (`commit` true) at `value`. */
  paramInput(target: EventTarget | null, value: number, commit: boolean): void {
    const loaded = this.#loaded;
    const session = this.#session;
    const i = loaded ? loaded.params.indexOf(target as ParamElement) : -1;
    if (!loaded || !session || session.closed || i < 0 || !Number.isFinite(value)) return;
    const fixed = loaded.model.fixed[i];
    if (!commit && !this.#dragging.has(i)) {
      this.#dragging.add(i);
      if (!fixed) session.freeze(i, true);
    }
    session.setParameter(i, value);
    if (commit) {
      this.#dragging.delete(i);
      if (!fixed) session.freeze(i, false);
    }
  }

  /** Show `error` (at `element` of the markup, if known): state `error`, `rose-error` if new. */
  fail(error: RoseError, element?: Element): void {
    this.#close();
    this.#error?.element?.removeAttribute('invalid');
    const view = errorView(error, element);
    this.#error = view;
    element?.setAttribute('invalid', '');
    this.#setStatus('error');
    const key = `${view.code}\n${view.message}`;
    if (key !== this.#errorKey) {
      this.#errorKey = key;
      emitOptimizer(this.#host, 'rose-error', errorDetail(view));
    }
  }

  hostDisconnected(): void {
    this.#close();
    if (this.#host.state !== 'error') this.#setStatus('idle');
  }

  /** After a failed run (not a mistake in the markup), load the same model again. */
  #reloadAfterRunError(start: boolean): void {
    if (!this.#loaded || this.#host.state !== 'error' || this.#error?.element) return;
    const { model, params, config } = this.#loaded;
    this.load(model, params, config, start);
  }

  #close(): void {
    this.#session?.dispose();
    this.#session = undefined;
    this.#dragging.clear();
    this.last = undefined;
  }

  #clearError(): void {
    this.#error?.element?.removeAttribute('invalid');
    this.#error = undefined;
    this.#errorKey = '';
  }

  #setStatus(status: OptimizerStatus): void {
    if (this.#host.state !== status) this.#host.state = status;
    this.#host.requestUpdate();
  }

  #onState(s: SessionState): void {
    this.last = s;
    if (s.cause === 'ready') return this.#onReady(s);
    this.#follow(s);
    this.#push(s);
    if (s.done && s.reason.startsWith('non-finite')) return this.#nonFinite(s);
    this.#setStatus(s.running ? 'running' : s.done && s.converged ? 'converged' : 'idle');
    if (s.cause !== 'start' && s.cause !== 'stop') emitOptimizer(this.#host, 'rose-step', this.#detail(s));
  }

  #onReady(s: SessionState): void {
    const { model } = this.#loaded!;
    const session = this.#session!;
    this.#host.modelSource.setModel({
      parameters: model.names,
      objective: model.objective,
      expression: model.expression,
      bounds: model.bounds,
      x: Array.from(s.x),
      loss: s.value,
    });
    this.#recorded = s.iteration;
    this.#push(s);
    this.#setStatus('idle');
    emitOptimizer(this.#host, 'rose-compiled', { parameters: model.names, ranOn: session.ranOn, note: session.note });
    if (this.#startWhenReady && this.#session === session) {
      this.#startWhenReady = false;
      this.start();
    }
  }

  /** Feed the model source: new iterates, or a new path after a reset or a moved parameter. */
  #follow(s: SessionState): void {
    const source = this.#host.modelSource;
    const x = Array.from(s.x);
    if (s.cause === 'freeze' && !s.running) source.setPoint(x, s.value);
    else if (restartsPath(s.cause)) {
      // a reset or a moved parameter: the path starts again there (with what ran since)
      const [first, ...rest] = [...s.trail, s];
      source.reset(Array.from(first!.x), first!.value);
      for (const p of rest) source.record(p.x, p.value, p.gradientNorm);
    } else if (s.iteration !== this.#recorded) {
      for (const p of s.trail) source.record(p.x, p.value, p.gradientNorm);
      source.record(x, s.value, s.gradientNorm);
    }
    this.#recorded = s.iteration;
  }

  /** Put the values of `s` into the parameter elements (except those being dragged). */
  #push(s: SessionState): void {
    const params = this.#loaded?.params ?? [];
    params.forEach((el, i) => {
      if (el && !this.#dragging.has(i) && el.value !== s.x[i]) el.value = s.x[i]!;
    });
  }

  #nonFinite(s: SessionState): void {
    const at = this.#loaded!.model.names.map((name, i) => `${name} = ${s.x[i]}`).join(', ');
    const error = new RoseError(
      'invalid-value',
      formatMessage(
        `the run stopped: ${s.reason} (at ${at})`,
        WHERE,
        'The objective or its gradient is not finite there: add bounds (min and max on <rose-param>), or start elsewhere',
      ),
    );
    emitOptimizer(this.#host, 'rose-step', this.#detail(s));
    this.fail(error);
  }

  #detail(s: SessionState): OptimizerStepDetail {
    const names = this.#loaded?.model.names ?? [];
    const x = Array.from(s.x);
    const parameters: Record<string, number> = {};
    names.forEach((name, i) => (parameters[name] = x[i]!));
    return {
      iteration: s.iteration,
      loss: s.value,
      gradientNorm: s.gradientNorm,
      parameters,
      x,
      running: s.running,
      reason: s.reason,
      ...(s.multipliers && { multipliers: Array.from(s.multipliers), violation: s.violation }),
    };
  }
}
