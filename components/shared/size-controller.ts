/**
 * @file `SizeController`: a reactive controller that follows the CSS size of an element of the
 * host's shadow DOM (ResizeObserver) and the device pixel ratio (a `resolution` media query,
 * re-armed after every change, so moving the window to another screen or zooming redraws sharp
 * pixels). Both observers are released when the host disconnects.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** A size in CSS pixels, and the device pixels per CSS pixel. */
export interface Size {
  readonly width: number;
  readonly height: number;
  readonly dpr: number;
}

/** Tracks the size of one observed element and the device pixel ratio. */
export class SizeController implements ReactiveController {
  readonly #onChange: (size: Size) => void;
  #observer: ResizeObserver | undefined;
  #target: Element | undefined;
  #media: MediaQueryList | undefined;
  #size: Size = { width: 0, height: 0, dpr: 1 };

  constructor(host: ReactiveControllerHost, onChange: (size: Size) => void) {
    this.#onChange = onChange;
    host.addController(this);
  }

  /** The last measured size. */
  get size(): Size {
    return this.#size;
  }

  /** True while observers are attached (for tests of removal from the page). */
  get observing(): boolean {
    return this.#observer !== undefined || this.#media !== undefined;
  }

  /** Observe `target` (call after the first render, when the element exists). */
  observe(target: Element): void {
    if (this.#target === target && this.#observer) return;
    this.#observer?.disconnect();
    this.#target = target;
    this.#observer = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]!.contentRect;
      this.#update(box.width, box.height);
    });
    this.#observer.observe(target);
    this.#watchPixelRatio();
  }

  /** Re-attach the observers when the host comes back into a document. */
  hostConnected(): void {
    if (this.#target && !this.#observer) this.observe(this.#target);
  }

  /** Release the observers. */
  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#media?.removeEventListener('change', this.#onPixelRatio);
    this.#media = undefined;
  }

  #update(width: number, height: number): void {
    const dpr = globalThis.devicePixelRatio || 1;
    const s = this.#size;
    if (s.width === width && s.height === height && s.dpr === dpr) return;
    this.#size = { width, height, dpr };
    this.#onChange(this.#size);
  }

  #watchPixelRatio(): void {
    this.#media?.removeEventListener('change', this.#onPixelRatio);
    const dpr = globalThis.devicePixelRatio || 1;
    this.#media = matchMedia(`(resolution: ${dpr}dppx)`);
    this.#media.addEventListener('change', this.#onPixelRatio);
  }

  readonly #onPixelRatio = (): void => {
    this.#watchPixelRatio();
    this.#update(this.#size.width, this.#size.height);
  };
}
