/**
 * @file The text alternative of `<rose-plot>`: one or two sentences a screen reader speaks
 * instead of the pixels, saying what is plotted, over which ranges, the smallest value found,
 * and where the current point is. Pure string building.
 */
import { formatNumber } from '../shared/format.ts';

/** Return `lo` to `hi` in words. */
function span(name: string, range: readonly [number, number]): string {
  return `${name} from ${formatNumber(range[0])} to ${formatNumber(range[1])}`;
}

/** Return `x = 1, y = 2` for names and values. */
export function pointText(names: readonly string[], values: ArrayLike<number>): string {
  return names.map((n, k) => `${n} = ${formatNumber(values[k]!)}`).join(', ');
}

/** Facts about a contour plot. */
export interface ContourFacts {
  readonly what: string;
  readonly names: readonly [string, string];
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  readonly min?: { readonly at: readonly [number, number]; readonly value: number };
  readonly pathLength: number;
  readonly current?: { readonly at: readonly [number, number]; readonly value?: number };
}

/** Return the description of a contour plot. */
export function describeContour(f: ContourFacts): string {
  let text = `Contour plot of ${f.what} over ${span(f.names[0], f.xRange)} and ${span(f.names[1], f.yRange)}.`;
  if (f.min) text += ` Smallest value on the grid: ${formatNumber(f.min.value)} at ${pointText(f.names, f.min.at)}.`;
  if (f.pathLength > 1) text += ` A path of ${f.pathLength} points is drawn.`;
  if (f.current) {
    text += ` Current point: ${pointText(f.names, f.current.at)}`;
    text += f.current.value === undefined ? '.' : `, value ${formatNumber(f.current.value)}.`;
  }
  return text;
}

/** Facts about a curve plot. */
export interface CurveFacts {
  readonly what: string;
  readonly name: string;
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  readonly tangent?: { readonly x: number; readonly value: number; readonly slope: number };
}

/** Return the description of a curve plot. */
export function describeCurve(f: CurveFacts): string {
  let text = `Curve of ${f.what} for ${span(f.name, f.xRange)}; values from ${formatNumber(f.yRange[0])} to ${formatNumber(f.yRange[1])}.`;
  if (f.tangent)
    text += ` At ${f.name} = ${formatNumber(f.tangent.x)} the value is ${formatNumber(f.tangent.value)} and the slope of the tangent is ${formatNumber(f.tangent.slope)}.`;
  return text;
}

/** Return the description of a loss plot of `losses`. */
export function describeLoss(losses: readonly number[], hidden: number): string {
  if (losses.length === 0) return 'Loss plot: no iterations yet.';
  const last = losses[losses.length - 1]!;
  const best = losses.reduce((m, v) => (Number.isFinite(v) && v < m ? v : m), Infinity);
  let text = `Loss against iteration on a log scale, ${losses.length} iterations; last loss ${formatNumber(last)}, smallest ${formatNumber(best)}.`;
  if (hidden > 0) text += ` ${hidden} values that are zero, negative or not finite cannot be shown on a log scale.`;
  return text;
}

/** Return the description of a trace plot of `names` over `iterations`. */
export function describeTrace(names: readonly string[], path: readonly (readonly number[])[]): string {
  if (path.length === 0) return `Trace of ${names.join(', ')}: no iterations yet.`;
  const last = path[path.length - 1]!;
  return `Parameter values against iteration, ${path.length} iterations, one line each for ${names.join(', ')}. Latest: ${pointText(names, last)}.`;
}
