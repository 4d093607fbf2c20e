/**
 * @file Canvas plot of the live engine demo: a curve f, optionally its derivative, the tangent
 * line at the current point, axes with tick labels. Pure drawing: no engine calls.
 */

/** What to draw: samples of f (and f') over [x0, x1], and the point with its slope. */
export interface PlotData {
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly dys?: readonly number[];
  readonly x: number;
  readonly y: number;
  readonly slope: number;
}

/** Colours, read from CSS custom properties of the canvas so the page can theme the plot. */
interface Palette {
  curve: string;
  deriv: string;
  tangent: string;
  axis: string;
  grid: string;
  text: string;
}

/** Read the palette from the canvas's computed style, with fallbacks. */
function palette(canvas: HTMLCanvasElement): Palette {
  const css = getComputedStyle(canvas);
  const get = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    curve: get('--plot-curve', '#2563eb'),
    deriv: get('--plot-deriv', '#9ca3af'),
    tangent: get('--plot-tangent', '#e11d48'),
    axis: get('--plot-axis', '#6b7280'),
    grid: get('--plot-grid', '#e5e7eb'),
    text: get('--plot-text', '#374151'),
  };
}

/** Return about `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 6): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
    out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return out;
}

/** Return a y range [lo, hi] covering the finite values of `ys`, padded by 8%. */
function yRange(ys: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const y of ys) {
    if (Number.isFinite(y)) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  }
  if (!Number.isFinite(lo)) return [-1, 1];
  if (hi - lo < 1e-9) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

/** Format a tick label compactly. */
function label(t: number): string {
  return Math.abs(t) >= 1e4 || (t !== 0 && Math.abs(t) < 1e-3) ? t.toExponential(0) : String(+t.toPrecision(4));
}

/** Draw `data` into `canvas`, sized to its CSS box at the device pixel ratio. */
export function drawPlot(canvas: HTMLCanvasElement, data: PlotData): void {
  const dpr = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx || width === 0 || height === 0) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const colors = palette(canvas);

  const m = { left: 52, right: 16, top: 30, bottom: 30 };
  const x0 = data.xs[0] ?? 0;
  const x1 = data.xs[data.xs.length - 1] ?? 1;
  const [y0, y1] = yRange(data.ys);
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (y: number) => height - m.bottom - ((y - y0) / (y1 - y0)) * (height - m.top - m.bottom);

  drawAxes(ctx, colors, { x0, x1, y0, y1, px, py, width, height, m });
  ctx.save();
  ctx.beginPath();
  ctx.rect(m.left, m.top, width - m.left - m.right, height - m.top - m.bottom);
  ctx.clip();
  if (data.dys) drawCurve(ctx, data.xs, data.dys, px, py, colors.deriv, [5, 4]);
  drawCurve(ctx, data.xs, data.ys, px, py, colors.curve, []);
  // Tangent line: y = f(x) + f'(x) (t - x), drawn across the whole x range.
  ctx.strokeStyle = colors.tangent;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(px(x0), py(data.y + data.slope * (x0 - data.x)));
  ctx.lineTo(px(x1), py(data.y + data.slope * (x1 - data.x)));
  ctx.stroke();
  ctx.fillStyle = colors.tangent;
  ctx.beginPath();
  ctx.arc(px(data.x), py(data.y), 5, 0, 2 * Math.PI);
  ctx.fill();
  ctx.restore();
  const entries: [string, string, number[]][] = [['f', colors.curve, []]];
  if (data.dys) entries.push(['f′', colors.deriv, [5, 4]]);
  entries.push(['tangent at x', colors.tangent, []]);
  drawLegend(ctx, colors, entries, width - m.right, 14);
}

/** Draw the legend in one row in the top margin, right-aligned to `right`: line sample + label. */
function drawLegend(
  ctx: CanvasRenderingContext2D,
  colors: Palette,
  entries: readonly [string, string, number[]][],
  right: number,
  y: number,
): void {
  ctx.font = '12px system-ui, sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  let x = right - entries.reduce((w, [text]) => w + 30 + ctx.measureText(text).width + 14, 0);
  for (const [text, color, dash] of entries) {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    line(ctx, x, y, x + 22, y);
    ctx.setLineDash([]);
    ctx.fillStyle = colors.text;
    ctx.fillText(text, x + 28, y);
    x += 30 + ctx.measureText(text).width + 14;
  }
}

/** Geometry shared by the drawing helpers. */
interface Frame {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  px: (x: number) => number;
  py: (y: number) => number;
  width: number;
  height: number;
  m: { left: number; right: number; top: number; bottom: number };
}

/** Draw grid lines, the axes through zero (when visible) and tick labels. */
function drawAxes(ctx: CanvasRenderingContext2D, colors: Palette, f: Frame): void {
  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  ctx.fillStyle = colors.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of ticks(f.x0, f.x1)) {
    ctx.strokeStyle = colors.grid;
    line(ctx, f.px(t), f.m.top, f.px(t), f.height - f.m.bottom);
    ctx.fillText(label(t), f.px(t), f.height - f.m.bottom + 6);
  }
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of ticks(f.y0, f.y1, 5)) {
    ctx.strokeStyle = colors.grid;
    line(ctx, f.m.left, f.py(t), f.width - f.m.right, f.py(t));
    ctx.fillText(label(t), f.m.left - 6, f.py(t));
  }
  ctx.strokeStyle = colors.axis;
  if (f.y0 <= 0 && f.y1 >= 0) line(ctx, f.m.left, f.py(0), f.width - f.m.right, f.py(0));
  if (f.x0 <= 0 && f.x1 >= 0) line(ctx, f.px(0), f.m.top, f.px(0), f.height - f.m.bottom);
}

/** Stroke one straight segment. */
function line(ctx: CanvasRenderingContext2D, ax: number, ay: number, bx: number, by: number): void {
  ctx.beginPath();
  ctx.moveTo(ax, ay);
  ctx.lineTo(bx, by);
  ctx.stroke();
}

/** Stroke a sampled curve, breaking it at non-finite values. */
function drawCurve(
  ctx: CanvasRenderingContext2D,
  xs: readonly number[],
  ys: readonly number[],
  px: (x: number) => number,
  py: (y: number) => number,
  color: string,
  dash: number[],
): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.setLineDash(dash);
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i]!;
    if (!Number.isFinite(y)) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(px(xs[i]!), py(y));
    else ctx.moveTo(px(xs[i]!), py(y));
    pen = true;
  }
  ctx.stroke();
  ctx.setLineDash([]);
}
