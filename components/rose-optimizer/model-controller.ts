/**
 * @file `ModelController`: collects the model of a `<rose-optimizer>` from its markup (the
 * `<rose-param>`, `<rose-objective>` and `<rose-constraint>` elements inside it, not those of a
 * nested optimizer) or takes its `model` property, builds it (model-spec.ts), and reports it to
 * the element. A MutationObserver follows edits of the markup (elements added or removed, text
 * edited, the attributes that matter changed); changes are debounced, and a model equal to the
 * last one (same names, values, bounds and texts) is not reported again, so a reader dragging a
 * slider or the optimizer updating values never triggers a recompile.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  buildMarkupModel,
  buildPropertyModel,
  isModelFailure,
  tidyText,
  type BuiltModel,
  type MarkupSpec,
  type ModelFailure,
  type ParamSpec,
  type TextSpec,
} from './model-spec.ts';
import { optionalNumber } from './options.ts';

/** A `<rose-param>` as far as the optimizer uses it. */
export type ParamElement = HTMLElement & { value: number };

/** What the controller reports: a model and its parameter elements, or why there is none. */
export type ModelResult =
  | { readonly ok: true; readonly model: BuiltModel; readonly params: readonly (ParamElement | undefined)[] }
  | { readonly ok: false; readonly failure: ModelFailure<Element> };

/** What the controller needs from its element. */
export interface ModelHost extends ReactiveControllerHost, HTMLElement {
  /** The `model` property (takes precedence over the markup). */
  readonly model: unknown;
}

/** Attributes of the markup whose changes change the model. */
const WATCHED = ['name', 'value', 'min', 'max', 'fixed', 'label'];
/** Quiet time before a change of the markup is collected, in ms. */
const DEBOUNCE_MS = 30;

/** Collects and builds an optimizer's model; see the file comment. */
export class ModelController implements ReactiveController {
  readonly #host: ModelHost;
  readonly #report: (result: ModelResult) => void;
  readonly #observer: MutationObserver;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #key: string | undefined;
  #modelVersion = 0;
  #lastModel: unknown;

  constructor(host: ModelHost, report: (result: ModelResult) => void) {
    this.#host = host;
    this.#report = report;
    this.#observer = new MutationObserver(() => this.schedule());
    host.addController(this);
  }

  hostConnected(): void {
    this.#observer.observe(this.#host, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: WATCHED,
    });
    this.#key = undefined;
    this.schedule();
  }

  hostDisconnected(): void {
    this.#observer.disconnect();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#key = undefined;
  }

  /** Collect again soon (debounced). */
  schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.collect(), DEBOUNCE_MS);
  }

  /** Collect now; report the result if it differs from the last one. */
  collect(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const model = this.#host.model;
    if (model !== this.#lastModel) {
      this.#lastModel = model;
      this.#modelVersion++;
    }
    const spec = model === undefined || model === null ? this.#markup() : undefined;
    const key = spec ? JSON.stringify(spec, (k, v: unknown) => (k === 'element' ? undefined : v)) : `model ${this.#modelVersion}`;
    if (key === this.#key) return;
    this.#key = key;
    this.#report(build(spec, model));
  }

  /** Return what the markup declares. */
  #markup(): MarkupSpec<Element> {
    const mine = (tag: string): HTMLElement[] =>
      [...this.#host.querySelectorAll<HTMLElement>(tag)].filter((el) => el.parentElement?.closest('rose-optimizer') === this.#host);
    const text = (el: HTMLElement): TextSpec<Element> => ({
      text: tidyText(el.textContent ?? ''),
      label: el.getAttribute('label') ?? undefined,
      element: el,
    });
    return {
      params: mine('rose-param').map(paramOf),
      objectives: mine('rose-objective').map(text),
      constraints: mine('rose-constraint').map(text),
    };
  }
}

/** Return the parameter a `<rose-param>` declares (from its attributes: the declared start). */
function paramOf(el: HTMLElement): ParamSpec<Element> {
  const number = (attr: string): number | undefined => optionalNumber.fromAttribute(el.getAttribute(attr));
  return {
    name: el.getAttribute('name') ?? '',
    value: number('value') ?? 0,
    min: number('min'),
    max: number('max'),
    fixed: el.hasAttribute('fixed'),
    element: el,
  };
}

/** Build the model of `spec` (markup) or of `model` (the property). */
function build(spec: MarkupSpec<Element> | undefined, model: unknown): ModelResult {
  try {
    if (spec === undefined) return { ok: true, model: buildPropertyModel(model), params: [] };
    const built = buildMarkupModel(spec);
    return { ok: true, model: built, params: spec.params.map((p) => p.element as ParamElement) };
  } catch (e) {
    if (isModelFailure(e)) return { ok: false, failure: e as ModelFailure<Element> };
    throw e;
  }
}
