/**
 * @file Checks of user input shared by `minimize` and the stepping API: start points, bounds,
 * parameter indices and values. Each failure is a `RoseError` (`invalid-value`) that says what,
 * where and how to fix it.
 */
import { bad, describeValue } from './settings.ts';

/** Return `x0` as a fresh Float64Array of length `n`; throw on another length or a non-finite entry. */
export function checkStart(x0: unknown, n: number, where: string): Float64Array {
  if (!(Array.isArray(x0) || x0 instanceof Float64Array))
    throw bad(`the start point must be an array or Float64Array, got ${describeValue(x0)}`, where);
  if (x0.length !== n)
    throw bad(`the start point has length ${x0.length}, but the function takes Vec(${n}, Real)`, where, `Pass ${n} numbers`);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v: unknown = x0[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw bad(`the start point has ${describeValue(v)} at index ${i}`, where, 'Every entry must be a finite number');
    x[i] = v;
  }
  return x;
}

/** Return the lower and upper bounds of `n` parameters (infinite when `bounds` is absent). */
export function checkBounds(bounds: unknown, n: number, where: string): [Float64Array, Float64Array] {
  const lower = new Float64Array(n).fill(-Infinity);
  const upper = new Float64Array(n).fill(Infinity);
  if (bounds === undefined) return [lower, upper];
  if (!Array.isArray(bounds) || bounds.length !== n)
    throw bad(`bounds must be an array of ${n} [lower, upper] pairs`, where, 'Use [-Infinity, Infinity] for a free parameter');
  for (let i = 0; i < n; i++) {
    const pair: unknown = bounds[i];
    const ok = Array.isArray(pair) && pair.length === 2 && pair.every((v) => typeof v === 'number' && !Number.isNaN(v));
    if (!ok) throw bad(`bounds[${i}] must be a pair of numbers [lower, upper]`, where);
    const [lo, hi] = pair as [number, number];
    if (lo > hi)
      throw bad(`bounds[${i}] is infeasible: lower ${lo} > upper ${hi}`, where, 'Swap them, or widen the interval');
    if (lo === Infinity || hi === -Infinity)
      throw bad(`bounds[${i}] = [${lo}, ${hi}] leaves no finite value`, where);
    lower[i] = lo;
    upper[i] = hi;
  }
  return [lower, upper];
}

/** Throw unless `i` is an integer parameter index below `n`. */
export function checkIndex(i: unknown, n: number, where: string): void {
  if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= n)
    throw bad(`parameter index ${describeValue(i)} is out of range`, where, `Use 0 to ${n - 1}`);
}

/** Throw unless `v` is a finite number. */
export function checkValue(v: unknown, where: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw bad(`parameter value ${describeValue(v)} is not a finite number`, where);
}
