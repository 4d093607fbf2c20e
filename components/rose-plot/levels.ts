/**
 * @file Contour levels and colour normalisation of a sampled field. Linear levels are nice round
 * numbers; logarithmic levels are evenly spaced in log10 of the value above the field's floor,
 * which keeps functions like Rosenbrock (a narrow valley under steep walls) readable. Fields that
 * reach zero or below get a shifted log scale, so `log` never fails on them.
 */
import { niceTicks } from './scales.ts';

/** The finite extent of a field: its minimum and maximum and where the minimum is. */
export interface FieldExtent {
  readonly min: number;
  readonly max: number;
  /** Index in the grid of the smallest value, or -1 when no value is finite. */
  readonly argmin: number;
  /**
   * A robust low end for log scales (a low percentile): one grid point that happens to land
   * next to an exact zero would otherwise stretch the scale over decades nobody sees.
   */
  readonly low?: number;
}

/** Return the extent of `values` with `low` set to the value at `fraction` of the sorted finite values. */
export function robustExtent(values: ArrayLike<number>, fraction = 0.01): FieldExtent {
  const extent = fieldExtent(values);
  const finite = Float64Array.from(values as ArrayLike<number>).filter(Number.isFinite).sort();
  if (finite.length === 0) return extent;
  return { ...extent, low: finite[Math.min(finite.length - 1, Math.floor(finite.length * fraction))]! };
}

/** Return the extent of the finite values of `values`. */
export function fieldExtent(values: ArrayLike<number>): FieldExtent {
  let min = Infinity;
  let max = -Infinity;
  let argmin = -1;
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) {
      min = v;
      argmin = k;
    }
    if (v > max) max = v;
  }
  return { min, max, argmin };
}

/** A monotone map from field values to [0, 1] (for colours), linear or logarithmic. */
export interface Normalizer {
  readonly log: boolean;
  /** Return `v` mapped to [0, 1] (clamped); NaN for non-finite `v`. */
  norm(v: number): number;
  /** Return the field value at normalised position `t` (the inverse of `norm`). */
  value(t: number): number;
}

/**
 * Return a normaliser over `extent`. With `log`, values are mapped by log10(v - floor) from the
 * robust low end `extent.low` (values below it get the darkest colour), where the floor sits a
 * little below that low end: 0 when the low end is positive (a plain log scale), else
 * `low - (max - low) * 1e-4` (a shifted log scale with four decades of detail above the low end).
 */
export function normalizer(extent: FieldExtent, log: boolean): Normalizer {
  const { max } = extent;
  const min = lowEnd(extent, log);
  const span = max > min ? max - min : 1;
  if (!log) return { log, norm: (v) => clampUnit((v - min) / span), value: (t) => min + t * span };
  const floor = min > 0 ? 0 : min - span * 1e-4;
  const l0 = Math.log10(min - floor);
  const l1 = Math.log10(max - floor);
  const width = l1 > l0 ? l1 - l0 : 1;
  return {
    log,
    norm: (v) => clampUnit((Math.log10(Math.max(v - floor, Number.MIN_VALUE)) - l0) / width),
    value: (t) => floor + 10 ** (l0 + t * width),
  };
}

/** Return about `count` contour levels strictly inside the extent. */
export function contourLevels(extent: FieldExtent, count: number, log: boolean): number[] {
  const { max } = extent;
  const min = lowEnd(extent, log);
  if (!(max > min) || count < 1) return [];
  if (!log) return niceTicks(min, max, count).filter((v) => v > min && v < max);
  const n = normalizer(extent, true);
  const levels: number[] = [];
  for (let k = 1; k <= count; k++) levels.push(n.value(k / (count + 1)));
  return levels;
}

/** Return the low end of levels and colours: the robust `low` on a log scale, else `min`. */
function lowEnd(extent: FieldExtent, log: boolean): number {
  return log && extent.low !== undefined && extent.low < extent.max ? extent.low : extent.min;
}

/** Return `t` clamped to [0, 1]; NaN stays NaN. */
function clampUnit(t: number): number {
  return t < 0 ? 0 : t > 1 ? 1 : t;
}
