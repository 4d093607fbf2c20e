/**
 * @file `FrameScheduler`: a reactive controller that coalesces redraw requests into at most one
 * callback per animation frame. Any number of `schedule()` calls before the frame runs the
 * callback once; a disconnected host cancels the pending frame, so a removed element never
 * draws again and holds no frame callback.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The frame functions the scheduler uses (injectable for tests and non-window hosts). */
export interface FrameClock {
  request(callback: (time: number) => void): number;
  cancel(handle: number): void;
}

/** Return the window's animation-frame clock. */
export function animationFrameClock(): FrameClock {
  return {
    request: (callback) => requestAnimationFrame(callback),
    cancel: (handle) => cancelAnimationFrame(handle),
  };
}

/** Runs `draw` at most once per frame, whatever the number of `schedule()` calls. */
export class FrameScheduler implements ReactiveController {
  readonly #draw: () => void;
  readonly #clock: FrameClock;
  #handle: number | undefined;
  #connected = false;
  /** How many times `draw` ran (for tests and diagnostics). */
  frames = 0;

  constructor(host: ReactiveControllerHost, draw: () => void, clock: FrameClock = animationFrameClock()) {
    this.#draw = draw;
    this.#clock = clock;
    host.addController(this);
  }

  /** True while a frame is requested and has not run yet. */
  get pending(): boolean {
    return this.#handle !== undefined;
  }

  /** Request a draw in the next frame; does nothing if one is already requested or the host is gone. */
  schedule(): void {
    if (this.#handle !== undefined || !this.#connected) return;
    this.#handle = this.#clock.request(() => {
      this.#handle = undefined;
      this.frames++;
      this.#draw();
    });
  }

  /** Start accepting requests. */
  hostConnected(): void {
    this.#connected = true;
  }

  /** Cancel the pending frame and refuse requests until connected again. */
  hostDisconnected(): void {
    this.#connected = false;
    if (this.#handle !== undefined) this.#clock.cancel(this.#handle);
    this.#handle = undefined;
  }
}
