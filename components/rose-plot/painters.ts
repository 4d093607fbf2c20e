/**
 * @file One painter per plot kind: given the data of a frame (already sampled), draw the canvas
 * and return what the SVG and the screen-reader text need (axes, legend, description). Painters
 * never start computations; the controller passes what it has.
 */
import { type AxesSpec, type Area } from './axes.ts';
import {
  clipTo,
  drawContours,
  drawHeatmap,
  drawPath,
  drawPoint,
  drawTangent,
  polyline,
  type Field,
  type Layer,
  type Theme,
} from './draw.ts';
import { describeContour, describeCurve, describeLoss, describeTrace } from './describe.ts';
import { contourLevels, fieldExtent, normalizer } from './levels.ts';
import { linearScale, logScale, type Scale } from './scales.ts';

/** Where and how to paint one frame. */
export interface Canvas {
  readonly ctx: CanvasRenderingContext2D;
  readonly width: number;
  readonly height: number;
  readonly dpr: number;
  /** A cached layer for the slowly changing part of the picture. */
  readonly layer: Layer;
  readonly area: Area;
  readonly theme: Theme;
  readonly xTitle: string | undefined;
  readonly yTitle: string | undefined;
}

/** What a painter returns. */
export interface Painted {
  readonly axes: AxesSpec;
  readonly description: string;
  readonly legend: readonly { readonly name: string; readonly color: string }[];
}

/** Return the x and y scales of the area for the given domains (y grows upwards). */
function scales(area: Area, xDomain: readonly [number, number], y: (range: [number, number]) => Scale) {
  return {
    x: linearScale(xDomain, [area.left, area.left + area.width]),
    y: y([area.top + area.height, area.top]),
  };
}

/** Return the axes spec of a frame. */
function axesOf(c: Canvas, x: Scale, y: Scale, xTitle: string, yTitle: string, grid: boolean): AxesSpec {
  return { width: c.width, height: c.height, area: c.area, x, y, xTitle: c.xTitle ?? xTitle, yTitle: c.yTitle ?? yTitle, grid };
}

/** The data of a contour frame. */
export interface ContourData {
  readonly what: string;
  readonly names: readonly [string, string];
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  readonly field: Field | undefined;
  readonly levels: number;
  readonly log: boolean;
  readonly path: readonly (readonly [number, number])[];
  readonly point: readonly [number, number] | undefined;
  readonly pointValue: number | undefined;
}

/** Paint a heatmap with contour lines, the path and the current point. */
export function paintContour(c: Canvas, d: ContourData): Painted {
  const { x, y } = scales(c.area, d.xRange, (r) => linearScale(d.yRange, r));
  c.ctx.save();
  clipTo(c.ctx, c.area);
  let min: { at: readonly [number, number]; value: number } | undefined;
  if (d.field) {
    const field = d.field;
    const extent = field.extent;
    const key = [field, c.width, c.height, c.dpr, d.log, d.levels, c.theme.contour, ...d.xRange, ...d.yRange];
    const layer = c.layer.get(key, c.width, c.height, c.dpr, (ctx) => {
      clipTo(ctx, c.area);
      drawHeatmap(ctx, field, normalizer(extent, d.log), x, y);
      drawContours(ctx, field, contourLevels(extent, d.levels, d.log), x, y, c.theme.contour);
    });
    c.ctx.drawImage(layer, 0, 0, c.width, c.height);
    if (extent.argmin >= 0) {
      const nx = d.field.xs.length;
      const at = [d.field.xs[extent.argmin % nx]!, d.field.ys[Math.floor(extent.argmin / nx)]!] as const;
      min = { at, value: extent.min };
    }
  }
  drawPath(c.ctx, d.path, x, y, c.theme.path);
  if (d.point) drawPoint(c.ctx, x.map(d.point[0]), y.map(d.point[1]), c.theme.point);
  c.ctx.restore();
  const description = describeContour({
    what: d.what,
    names: d.names,
    xRange: d.xRange,
    yRange: d.yRange,
    ...(min ? { min } : {}),
    pathLength: d.path.length,
    ...(d.point ? { current: { at: d.point, ...(d.pointValue !== undefined ? { value: d.pointValue } : {}) } } : {}),
  });
  return { axes: axesOf(c, x, y, d.names[0], d.names[1], false), description, legend: [] };
}

/** The data of a curve frame. */
export interface CurveData {
  readonly what: string;
  readonly name: string;
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number] | undefined;
  readonly xs: Float64Array | undefined;
  readonly values: Float64Array | undefined;
  readonly tangent: { readonly x: number; readonly value: number; readonly slope: number } | undefined;
}

/** Paint a curve and its tangent at the current point. */
export function paintCurve(c: Canvas, d: CurveData): Painted {
  const yDomain = d.yRange ?? paddedExtent(d.values ?? [], 0.08) ?? [-1, 1];
  const { x, y } = scales(c.area, d.xRange, (r) => linearScale(yDomain, r));
  c.ctx.save();
  clipTo(c.ctx, c.area);
  if (d.xs && d.values) {
    c.ctx.strokeStyle = c.theme.line;
    c.ctx.lineWidth = 2.25;
    c.ctx.lineJoin = 'round';
    polyline(c.ctx, Array.from(d.xs, (v) => x.map(v)), Array.from(d.values, (v) => y.map(v)));
  }
  if (d.tangent) {
    drawTangent(c.ctx, d.tangent, x, y, c.theme.accent);
    drawPoint(c.ctx, x.map(d.tangent.x), y.map(d.tangent.value), c.theme.accent);
  }
  c.ctx.restore();
  const description = describeCurve({
    what: d.what,
    name: d.name,
    xRange: d.xRange,
    yRange: yDomain,
    ...(d.tangent ? { tangent: d.tangent } : {}),
  });
  return { axes: axesOf(c, x, y, d.name, `f(${d.name})`, true), description, legend: [] };
}

/** Paint loss against iteration on a log scale; values that cannot be shown leave gaps. */
export function paintLoss(c: Canvas, losses: readonly number[]): Painted {
  const n = losses.length;
  const positive = losses.filter((v) => Number.isFinite(v) && v > 0);
  const hidden = n - positive.length;
  const xDomain: [number, number] = [0, Math.max(1, n - 1)];
  const { x, y } =
    positive.length > 0
      ? scales(c.area, xDomain, (r) => logScale(logPadded(positive), r))
      : scales(c.area, xDomain, (r) => linearScale(paddedExtent(losses, 0.08) ?? [0, 1], r));
  c.ctx.save();
  clipTo(c.ctx, c.area);
  c.ctx.strokeStyle = c.theme.line;
  c.ctx.lineWidth = 2;
  c.ctx.lineJoin = 'round';
  const usable = (v: number) => Number.isFinite(v) && (y.kind === 'linear' || v > 0);
  polyline(c.ctx, losses.map((_, k) => x.map(k)), losses.map((v) => (usable(v) ? y.map(v) : NaN)));
  const last = losses[n - 1];
  if (last !== undefined && usable(last)) drawPoint(c.ctx, x.map(n - 1), y.map(last), c.theme.line);
  c.ctx.restore();
  return { axes: axesOf(c, x, y, 'iteration', 'loss', true), description: describeLoss(losses, hidden), legend: [] };
}

/** Paint one line per parameter against iteration, with a legend. */
export function paintTrace(c: Canvas, names: readonly string[], path: readonly (readonly number[])[]): Painted {
  const all = path.flatMap((p) => names.map((_, k) => p[k] ?? NaN));
  const yDomain = paddedExtent(all, 0.08) ?? [-1, 1];
  const { x, y } = scales(c.area, [0, Math.max(1, path.length - 1)], (r) => linearScale(yDomain, r));
  c.ctx.save();
  clipTo(c.ctx, c.area);
  const legend = names.map((name, k) => ({ name, color: c.theme.series[k % c.theme.series.length]! }));
  c.ctx.lineWidth = 2;
  c.ctx.lineJoin = 'round';
  names.forEach((_, k) => {
    c.ctx.strokeStyle = legend[k]!.color;
    polyline(c.ctx, path.map((_, i) => x.map(i)), path.map((p) => y.map(p[k] ?? NaN)));
  });
  c.ctx.restore();
  return { axes: axesOf(c, x, y, 'iteration', 'value', true), description: describeTrace(names, path), legend };
}

/** Return [min, max] of the finite values widened by `pad` of the span, or undefined if none. */
export function paddedExtent(values: ArrayLike<number>, pad: number): [number, number] | undefined {
  const { min: lo, max: hi } = fieldExtent(values);
  if (lo > hi) return undefined;
  const span = hi > lo ? hi - lo : Math.max(1, Math.abs(lo));
  return [lo - span * pad, hi + span * pad];
}

/** Return the positive extent of `values` widened by a tenth of a decade each side. */
function logPadded(values: readonly number[]): [number, number] {
  const [lo, hi] = paddedExtent(values, 0)!;
  return [lo / 10 ** 0.1, hi * 10 ** 0.1];
}
