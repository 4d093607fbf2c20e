/**
 * @file First-order methods with a fixed learning rate: Adam (Kingma and Ba, with bias
 * correction) and gradient descent with (heavy-ball) momentum. Each step is projected onto the
 * box; held parameters (frozen, or on a bound with the gradient pointing out) do not move and
 * their moments are left alone. A step to a point with a non-finite value or gradient stops the
 * run (there is no line search to back off with).
 */
import { ITER_NON_FINITE, ITER_OK, type Method } from './method.ts';
import { FINITE, type Workspace } from './workspace.ts';

/** Settings of Adam. */
export interface AdamSettings {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

/** Settings of gradient descent. */
export interface GdSettings {
  readonly learningRate: number;
  /** Fraction of the previous step kept (0: plain gradient descent). */
  readonly momentum: number;
}

/** Adam over one workspace. */
export class Adam implements Method {
  readonly #m: Float64Array;
  readonly #v: Float64Array;
  readonly #settings: AdamSettings;
  /** Steps taken since the last reset (for the bias correction). */
  #t = 0;

  constructor(n: number, settings: AdamSettings) {
    this.#m = new Float64Array(n);
    this.#v = new Float64Array(n);
    this.#settings = settings;
  }

  reset(): void {
    this.#m.fill(0);
    this.#v.fill(0);
    this.#t = 0;
  }

  iterate(ws: Workspace): number {
    const { learningRate, beta1, beta2, epsilon } = this.#settings;
    const t = ++this.#t;
    const c1 = 1 / (1 - beta1 ** t);
    const c2 = 1 / (1 - beta2 ** t);
    const { n, x, g, xt } = ws;
    const m = this.#m;
    const v = this.#v;
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      if (ws.boxed && ws.held(i, gi)) {
        xt[i] = x[i]!;
        continue;
      }
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      const step = x[i]! - (learningRate * mi * c1) / (Math.sqrt(vi * c2) + epsilon);
      xt[i] = ws.boxed ? ws.clamp(i, step) : step;
    }
    if (ws.evaluateTrial() !== FINITE) return ITER_NON_FINITE;
    ws.accept();
    return ITER_OK;
  }
}

/** Gradient descent with momentum over one workspace. */
export class GradientDescent implements Method {
  readonly #velocity: Float64Array;
  readonly #settings: GdSettings;

  constructor(n: number, settings: GdSettings) {
    this.#velocity = new Float64Array(n);
    this.#settings = settings;
  }

  reset(): void {
    this.#velocity.fill(0);
  }

  iterate(ws: Workspace): number {
    const { learningRate, momentum } = this.#settings;
    const { n, x, g, xt } = ws;
    const v = this.#velocity;
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      if (ws.boxed && ws.held(i, gi)) {
        v[i] = 0;
        xt[i] = x[i]!;
        continue;
      }
      const vi = momentum * v[i]! - learningRate * gi;
      const step = x[i]! + vi;
      const next = ws.boxed ? ws.clamp(i, step) : step;
      // a clamped step keeps only the part of the velocity that was actually taken
      v[i] = next - x[i]!;
      xt[i] = next;
    }
    if (ws.evaluateTrial() !== FINITE) return ITER_NON_FINITE;
    ws.accept();
    return ITER_OK;
  }
}
