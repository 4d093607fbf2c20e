/**
 * @file Scales and axis ticks of `<rose-plot>`: linear and logarithmic maps from data to pixels,
 * "nice" tick values (1, 2, 5 times a power of ten) and their labels. Pure functions, no DOM.
 */
import { formatNumber } from '../shared/format.ts';

/** A map from a data interval to a pixel interval, and back. */
export interface Scale {
  readonly kind: 'linear' | 'log';
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Return the pixel position of data value `v`. */
  map(v: number): number;
  /** Return the data value at pixel position `p`. */
  invert(p: number): number;
  /** Return tick values inside the domain, about `count` of them. */
  ticks(count: number): number[];
}

/** Return a linear scale from `domain` to `range`; a zero-width domain is widened by one unit. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  let [d0, d1] = domain;
  if (d0 === d1) [d0, d1] = [d0 - 1, d1 + 1];
  const [r0, r1] = range;
  const k = (r1 - r0) / (d1 - d0);
  return {
    kind: 'linear',
    domain: [d0, d1],
    range,
    map: (v) => r0 + (v - d0) * k,
    invert: (p) => d0 + (p - r0) / k,
    ticks: (count) => niceTicks(Math.min(d0, d1), Math.max(d0, d1), count),
  };
}

/**
 * Return a base-10 logarithmic scale from `domain` (both ends positive) to `range`.
 *
 * Non-positive domain ends are replaced by a positive floor a billion times below the other end.
 */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  let [d0, d1] = domain;
  const top = Math.max(d0, d1, Number.MIN_VALUE);
  if (!(d0 > 0)) d0 = top * 1e-9;
  if (!(d1 > 0)) d1 = top * 1e-9;
  if (d0 === d1) [d0, d1] = [d0 / 10, d1 * 10];
  const lo = Math.min(d0, d1);
  const exponents = linearScale([Math.log10(d0), Math.log10(d1)], range);
  return {
    kind: 'log',
    domain: [d0, d1],
    range,
    map: (v) => exponents.map(Math.log10(v > 0 ? v : lo)),
    invert: (p) => 10 ** exponents.invert(p),
    ticks: (count) => logTicks(lo, Math.max(d0, d1), count),
  };
}

/** Return the tick step for about `count` ticks over `span`: 1, 2 or 5 times a power of ten. */
export function tickStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  const factor = error >= 7.5 ? 10 : error >= 3.5 ? 5 : error >= 1.5 ? 2 : 1;
  return factor * power;
}

/** Return the multiples of a nice step inside `[lo, hi]`, about `count` of them. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) return Number.isFinite(lo) ? [lo] : [];
  const step = tickStep(hi - lo, count);
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const ticks: number[] = [];
  // multiply rather than accumulate, and drop float noise (3 * 0.05 is 0.15000000000000002)
  for (let i = first; i <= last; i++) ticks.push(cleanZero(Number((i * step).toPrecision(12))));
  return ticks;
}

/** Return powers of ten inside `[lo, hi]` (both positive), thinned or refined to about `count`. */
export function logTicks(lo: number, hi: number, count: number): number[] {
  const e0 = Math.ceil(Math.log10(lo) - 1e-9);
  const e1 = Math.floor(Math.log10(hi) + 1e-9);
  const decades = e1 - e0 + 1;
  if (decades < 2) {
    // less than a decade: 1-2-5 multiples, or plain linear ticks if even those are too few
    const ticks: number[] = [];
    for (let e = e0 - 1; e <= e1; e++)
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
      }
    return ticks.length >= 2 ? ticks : niceTicks(lo, hi, count);
  }
  const every = Math.max(1, Math.ceil(decades / Math.max(1, count)));
  const ticks: number[] = [];
  // exponents that are multiples of `every`, so thinned ticks stay on round decades
  for (let e = e0; e <= e1; e++) if (e % every === 0) ticks.push(Number(`1e${e}`));
  return ticks;
}

/**
 * Return a short label for tick value `v` among `ticks`: shared decimals, or powers of ten when
 * the ticks are huge or tiny (and on a `log` axis, when they span beyond 0.01 .. 1000).
 */
export function formatTick(v: number, ticks: readonly number[], log = false): string {
  if (v === 0) return '0';
  const magnitude = Math.max(...ticks.map((t) => Math.abs(t)));
  if (magnitude >= 1e5 || magnitude < 1e-3) return formatExponent(v);
  if (log && ticks.some((t) => t < 1e-2 || t > 1e3)) return formatExponent(v);
  if (log) return formatNumber(v);
  const step = ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : Math.abs(v);
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return v.toFixed(decimals).replace(/-/g, '\u2212');
}

/** Return `v` as mantissa x 10^exponent in plain text, e.g. `1e-6` -> `10⁻⁶`, `2e5` -> `2×10⁵`. */
export function formatExponent(v: number): string {
  const e = Math.floor(Math.log10(Math.abs(v)) + 1e-9);
  const m = Math.round((v / 10 ** e) * 100) / 100;
  const power = `10${superscript(e)}`;
  const sign = v < 0 ? '\u2212' : '';
  return Math.abs(m) === 1 ? `${sign}${power}` : `${sign}${Math.abs(m)}\u00d7${power}`;
}

const SUPERSCRIPTS = '\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079';

/** Return the integer `n` in superscript digits. */
function superscript(n: number): string {
  const digits = String(Math.abs(n)).split('').map((d) => SUPERSCRIPTS[Number(d)]).join('');
  return n < 0 ? `\u207b${digits}` : digits;
}

/** Return `v`, with -0 turned into 0 (so labels never read "-0"). */
function cleanZero(v: number): number {
  return v === 0 ? 0 : v;
}
