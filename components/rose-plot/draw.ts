/**
 * @file Painting the pixels of `<rose-plot>` on a 2D canvas: the heatmap of a sampled field,
 * its contour lines, paths and points on top, and polylines for curves and series. Coordinates
 * are CSS pixels; `prepareCanvas` sets the backing store to device pixels and the transform.
 */
import type { Area } from './axes.ts';
import { VIRIDIS, colorIndex } from './colormap.ts';
import type { FieldExtent, Normalizer } from './levels.ts';
import { contourSegments } from './marching-squares.ts';
import type { Scale } from './scales.ts';

/** A field sampled on a grid: `values[j * nx + i]` at `(xs[i], ys[j])`. */
export interface Field {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly values: Float64Array;
  /** Computed once per sampling (it sorts the values). */
  readonly extent: FieldExtent;
}

/**
 * An offscreen canvas holding a layer that changes rarely (a heatmap with its contours), redrawn
 * only when its key changes; frames that only move a path or a point just copy it.
 */
export class Layer {
  #canvas: HTMLCanvasElement | undefined;
  #key: readonly unknown[] = [];

  /** Return the layer for `key`, painting it with `paint` first if the key changed. */
  get(key: readonly unknown[], width: number, height: number, dpr: number, paint: (ctx: CanvasRenderingContext2D) => void): HTMLCanvasElement {
    this.#canvas ??= document.createElement('canvas');
    const same = key.length === this.#key.length && key.every((k, i) => Object.is(k, this.#key[i]));
    if (!same) {
      const ctx = prepareCanvas(this.#canvas, width, height, dpr);
      if (ctx) paint(ctx);
      this.#key = key;
    }
    return this.#canvas;
  }

  /** Free the pixels (the element left the page). */
  release(): void {
    if (this.#canvas) this.#canvas.width = this.#canvas.height = 0;
    this.#canvas = undefined;
    this.#key = [];
  }
}

/** Colours read from the element's `--rose-*` custom properties. */
export interface Theme {
  readonly line: string;
  readonly accent: string;
  readonly path: string;
  readonly contour: string;
  readonly point: string;
  readonly series: readonly string[];
}

/** Size the canvas for `width` x `height` CSS pixels at `dpr`, clear it, and return its context. */
export function prepareCanvas(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  dpr: number,
): CanvasRenderingContext2D | null {
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Clip further drawing to the plot area. */
export function clipTo(ctx: CanvasRenderingContext2D, area: Area): void {
  ctx.beginPath();
  ctx.rect(area.left, area.top, area.width, area.height);
  ctx.clip();
}

let scratch: HTMLCanvasElement | undefined;

/** Paint the field as a viridis heatmap, one smoothly scaled texel per grid point. */
export function drawHeatmap(ctx: CanvasRenderingContext2D, field: Field, norm: Normalizer, x: Scale, y: Scale): void {
  const nx = field.xs.length;
  const ny = field.ys.length;
  scratch ??= document.createElement('canvas');
  scratch.width = nx;
  scratch.height = ny;
  const small = scratch.getContext('2d')!;
  const image = small.createImageData(nx, ny);
  const data = image.data;
  for (let j = 0; j < ny; j++) {
    const row = (ny - 1 - j) * nx; // image rows run top-down, grid rows bottom-up
    for (let i = 0; i < nx; i++) {
      const k = colorIndex(norm.norm(field.values[j * nx + i]!));
      const p = (row + i) * 4;
      if (k < 0) continue; // not finite: leave transparent
      data[p] = VIRIDIS[k * 3]!;
      data[p + 1] = VIRIDIS[k * 3 + 1]!;
      data[p + 2] = VIRIDIS[k * 3 + 2]!;
      data[p + 3] = 255;
    }
  }
  small.putImageData(image, 0, 0);
  // grid points sit at texel centres: extend the image by half a cell on each side
  const x0 = x.map(field.xs[0]!);
  const x1 = x.map(field.xs[nx - 1]!);
  const y0 = y.map(field.ys[ny - 1]!);
  const y1 = y.map(field.ys[0]!);
  const hx = (x1 - x0) / (nx - 1) / 2;
  const hy = (y1 - y0) / (ny - 1) / 2;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(scratch, x0 - hx, y0 - hy, x1 - x0 + 2 * hx, y1 - y0 + 2 * hy);
}

/** Stroke the contour lines of `field` at `levels`. */
export function drawContours(
  ctx: CanvasRenderingContext2D,
  field: Field,
  levels: readonly number[],
  x: Scale,
  y: Scale,
  color: string,
): void {
  const nx = field.xs.length;
  const ny = field.ys.length;
  const px0 = x.map(field.xs[0]!);
  const pxk = (x.map(field.xs[nx - 1]!) - px0) / (nx - 1);
  const py0 = y.map(field.ys[0]!);
  const pyk = (y.map(field.ys[ny - 1]!) - py0) / (ny - 1);
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  for (const level of levels) {
    const s = contourSegments(field.values, nx, ny, level);
    for (let k = 0; k < s.length; k += 4) {
      ctx.moveTo(px0 + s[k]! * pxk, py0 + s[k + 1]! * pyk);
      ctx.lineTo(px0 + s[k + 2]! * pxk, py0 + s[k + 3]! * pyk);
    }
  }
  ctx.stroke();
}

/** Draw a path of points (iterates): a line through them, small dots, a hollow start. */
export function drawPath(
  ctx: CanvasRenderingContext2D,
  points: readonly (readonly [number, number])[],
  x: Scale,
  y: Scale,
  color: string,
): void {
  if (points.length === 0) return;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 2;
  ctx.lineJoin = 'round';
  polyline(ctx, points.map((p) => x.map(p[0])), points.map((p) => y.map(p[1])));
  const dots = points.length <= 200;
  for (let k = 1; k < points.length && dots; k++) {
    ctx.beginPath();
    ctx.arc(x.map(points[k]![0]), y.map(points[k]![1]), 2.25, 0, 2 * Math.PI);
    ctx.fill();
  }
  const [sx, sy] = points[0]!;
  ctx.beginPath();
  ctx.arc(x.map(sx), y.map(sy), 4.5, 0, 2 * Math.PI);
  ctx.fillStyle = 'white';
  ctx.fill();
  ctx.stroke();
}

/** Draw the current point: a filled disc with a white ring. */
export function drawPoint(ctx: CanvasRenderingContext2D, px: number, py: number, color: string): void {
  if (!Number.isFinite(px) || !Number.isFinite(py)) return;
  ctx.beginPath();
  ctx.arc(px, py, 6, 0, 2 * Math.PI);
  ctx.fillStyle = color;
  ctx.fill();
  ctx.lineWidth = 2.5;
  ctx.strokeStyle = 'white';
  ctx.stroke();
}

/** Stroke a polyline through pixel coordinates, broken wherever a coordinate is not finite. */
export function polyline(ctx: CanvasRenderingContext2D, px: ArrayLike<number>, py: ArrayLike<number>): void {
  ctx.beginPath();
  let pen = false;
  for (let k = 0; k < px.length; k++) {
    const a = px[k]!;
    const b = py[k]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(a, b);
    else ctx.moveTo(a, b);
    pen = true;
  }
  ctx.stroke();
}

/** Stroke the line `value + slope * (t - x0)` across the x range (a tangent), dashed. */
export function drawTangent(
  ctx: CanvasRenderingContext2D,
  t: { x: number; value: number; slope: number },
  x: Scale,
  y: Scale,
  color: string,
): void {
  const [a, b] = x.domain;
  ctx.save();
  ctx.setLineDash([6, 4]);
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.75;
  ctx.beginPath();
  ctx.moveTo(x.map(a), y.map(t.value + t.slope * (a - t.x)));
  ctx.lineTo(x.map(b), y.map(t.value + t.slope * (b - t.x)));
  ctx.stroke();
  ctx.restore();
}
