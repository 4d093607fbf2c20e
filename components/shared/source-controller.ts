/**
 * @file `SourceController`: binds a viewer element to a `ModelSource`, given directly (a
 * property) or by the id in its `for` attribute. The id is looked up in the viewer's root (the
 * document, or the shadow root it lives in); if no such element exists yet, a MutationObserver
 * waits for it to appear, so markup order does not matter. The controller listens to the
 * source's `rose-model-change` and `rose-model-step` events and calls back the viewer; everything is
 * released when the host disconnects.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { modelSourceOf, type ModelSource } from './model-source.ts';

/** What the viewer is told. */
export interface SourceCallbacks {
  /** The source changed (another source, or its model changed): re-read everything. */
  onModel(source: ModelSource | undefined): void;
  /** The source's state advanced: re-read the point, path and history. */
  onStep(source: ModelSource): void;
}

/** Follows one model source for a viewer element. */
export class SourceController implements ReactiveController {
  readonly #host: ReactiveControllerHost & Element;
  readonly #callbacks: SourceCallbacks;
  #direct: ModelSource | undefined;
  #id: string | null = null;
  #source: ModelSource | undefined;
  #waiting: MutationObserver | undefined;
  #connected = false;

  constructor(host: ReactiveControllerHost & Element, callbacks: SourceCallbacks) {
    this.#host = host;
    this.#callbacks = callbacks;
    host.addController(this);
  }

  /** The source currently followed. */
  get source(): ModelSource | undefined {
    return this.#source;
  }

  /** True while listening to a source or waiting for one (for tests of removal). */
  get active(): boolean {
    return this.#source !== undefined || this.#waiting !== undefined;
  }

  /** Follow `direct` if given, else the element whose id is `id`; re-resolves only on change. */
  bind(direct: ModelSource | undefined, id: string | null): void {
    if (direct === this.#direct && id === this.#id) return;
    this.#direct = direct;
    this.#id = id;
    if (this.#connected) this.#resolve();
  }

  /** Resolve the source when the host enters a document. */
  hostConnected(): void {
    this.#connected = true;
    this.#resolve();
  }

  /** Stop listening and stop waiting. */
  hostDisconnected(): void {
    this.#connected = false;
    this.#stopWaiting();
    this.#follow(undefined, false);
  }

  #resolve(): void {
    this.#stopWaiting();
    let source = this.#direct;
    if (!source && this.#id) {
      const root = this.#host.getRootNode() as Document | ShadowRoot;
      const el = root.getElementById?.(this.#id);
      source = modelSourceOf(el);
      if (!source) this.#waitFor(root);
      if (!source && el && el.localName.includes('-') && !customElements.get(el.localName)) {
        const id = this.#id;
        customElements.whenDefined(el.localName).then(() => {
          if (this.#connected && this.#id === id && !this.#source) this.#resolve();
        });
      }
    }
    this.#follow(source, true);
  }

  #follow(source: ModelSource | undefined, notify: boolean): void {
    if (source !== this.#source) {
      this.#source?.removeEventListener('rose-model-change', this.#onModel);
      this.#source?.removeEventListener('rose-model-step', this.#onStep);
      this.#source = source;
      source?.addEventListener('rose-model-change', this.#onModel);
      source?.addEventListener('rose-model-step', this.#onStep);
    }
    if (notify) this.#callbacks.onModel(source);
  }

  #waitFor(root: Document | ShadowRoot): void {
    this.#waiting = new MutationObserver(() => {
      const found = modelSourceOf(root.getElementById?.(this.#id ?? ''));
      if (!found) return;
      this.#stopWaiting();
      this.#follow(found, true);
    });
    this.#waiting.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['id'] });
  }

  #stopWaiting(): void {
    this.#waiting?.disconnect();
    this.#waiting = undefined;
  }

  readonly #onModel = (): void => this.#callbacks.onModel(this.#source);
  readonly #onStep = (): void => {
    if (this.#source) this.#callbacks.onStep(this.#source);
  };
}
