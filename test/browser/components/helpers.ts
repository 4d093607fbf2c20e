/** @file Helpers of the element tests: mounting, awaiting events, reading canvas pixels. */
import type { RoseEventMap } from '../../../components/shared/events.ts';

/** Append `el` to a fresh container in the body and return it. */
export function mount<E extends HTMLElement>(el: E, style = 'width: 480px; height: 320px;'): E {
  el.setAttribute('style', `display: block; ${style}`);
  document.body.append(el);
  return el;
}

/** Create an element with attributes. */
export function create<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
  return el;
}

/** Resolve with the next `name` event on `target` whose detail satisfies `accept`. */
export function nextEvent<K extends keyof RoseEventMap>(
  target: EventTarget,
  name: K,
  accept: (detail: RoseEventMap[K]) => boolean = () => true,
): Promise<RoseEventMap[K]> {
  return new Promise((resolve) => {
    const listener = (e: Event) => {
      const detail = (e as CustomEvent<RoseEventMap[K]>).detail;
      if (!accept(detail)) return;
      target.removeEventListener(name, listener);
      resolve(detail);
    };
    target.addEventListener(name, listener);
  });
}

/** Record the names (and details) of the given events fired on `target`. */
export function record(target: EventTarget, names: readonly (keyof RoseEventMap)[]): { name: string; detail: unknown }[] {
  const log: { name: string; detail: unknown }[] = [];
  for (const name of names) target.addEventListener(name, (e) => log.push({ name, detail: (e as CustomEvent).detail }));
  return log;
}

/** Return how many pixels of `canvas` are not fully transparent, and how many distinct colours. */
export function inkOf(canvas: HTMLCanvasElement): { painted: number; colors: number } {
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  const colors = new Set<number>();
  for (let p = 0; p < data.length; p += 4) {
    if (data[p + 3] === 0) continue;
    painted++;
    colors.add((data[p]! << 16) | (data[p + 1]! << 8) | data[p + 2]!);
  }
  return { painted, colors: colors.size };
}

/** Return the RGBA of the canvas pixel under element-relative CSS pixel (x, y). */
export function pixelAt(canvas: HTMLCanvasElement, x: number, y: number): number[] {
  const scale = canvas.width / canvas.getBoundingClientRect().width;
  return Array.from(canvas.getContext('2d')!.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data);
}

/** Wait for two animation frames (a frame that should not draw has had its chance). */
export function frames(n = 2): Promise<void> {
  return new Promise((resolve) => {
    const step = (k: number) => (k === 0 ? resolve() : requestAnimationFrame(() => step(k - 1)));
    step(n);
  });
}
