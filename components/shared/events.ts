/**
 * @file The events of Rose Kit's elements: names, `detail` types, and `emit`, which dispatches
 * them the same way everywhere (`bubbles` and `composed`, so they cross shadow roots and can be
 * handled on `document`). `HTMLElementEventMap` is augmented, so
 * `el.addEventListener('rose-change', (e) => e.detail.value)` is typed.
 */

/** `rose-input` (while dragging) and `rose-change` (committed): a parameter's new value. */
export interface RoseValueDetail {
  /** The parameter's name (`name` attribute). */
  readonly name: string;
  readonly value: number;
}

/** `rose-pick`: a point of a plot picked by pointer, in data coordinates. */
export interface RosePickDetail {
  readonly x: number;
  readonly y: number;
  /** `start` on pointer down, `move` while dragging, `end` on release. */
  readonly phase: 'start' | 'move' | 'end';
}

/** `rose-error`: a user mistake shown inside the element (bad attribute, bad expression ...). */
export interface RoseErrorDetail {
  /** A stable `RoseErrorCode` (engine/errors.ts). */
  readonly code: string;
  readonly message: string;
}

/**
 * `rose-model-step`: a model source advanced (an optimizer iteration, or a parameter set by
 * hand). Fired on the source (e.g. `<rose-optimizer>`'s `modelSource`), not on an element: an
 * element's `rose-step` is `<rose-optimizer>`'s own event, with parameters by name.
 */
export interface RoseModelStepDetail {
  readonly iteration: number;
  /** The objective at `parameters` (NaN when not known). */
  readonly loss: number;
  /** The norm of the gradient at `parameters` (NaN when not known). */
  readonly gradientNorm: number;
  readonly parameters: readonly number[];
}

/** `rose-model-change`: a model source's parameters or objective changed, or it was reset. */
export interface RoseModelChangeDetail {
  readonly parameters: readonly string[];
}

/** `rose-render`: a plot drew a frame (useful to wait for in tests and screenshots). */
export interface RoseRenderDetail {
  readonly kind: string;
  /** Frames drawn so far by this element. */
  readonly frame: number;
}

/** Every Rose Kit event by name. */
export interface RoseEventMap {
  'rose-input': RoseValueDetail;
  'rose-change': RoseValueDetail;
  'rose-pick': RosePickDetail;
  'rose-error': RoseErrorDetail;
  'rose-model-step': RoseModelStepDetail;
  'rose-model-change': RoseModelChangeDetail;
  'rose-render': RoseRenderDetail;
}

/** Dispatch the Rose event `name` with `detail` from `target` (bubbling, composed); return its result. */
export function emit<K extends keyof RoseEventMap>(
  target: EventTarget,
  name: K,
  detail: RoseEventMap[K],
): boolean {
  return target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

/** Every Rose Kit event by name, as the DOM delivers it. */
export type RoseDomEventMap = { readonly [K in keyof RoseEventMap]: CustomEvent<RoseEventMap[K]> };

declare global {
  /** The Rose events, typed for `addEventListener` on any element. */
  interface HTMLElementEventMap extends RoseDomEventMap {}
}
