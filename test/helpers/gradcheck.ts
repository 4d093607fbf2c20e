/**
 * @file Numerical helpers for derivative tests: values of a type to and from flat Float64 vectors
 * (float leaves only), inputs from pools of generated numbers, central finite differences with a
 * smoothness check, and tolerance comparisons.
 */
import fc from 'fast-check';
import { interpret, type Val } from '../../engine/interp/interp.ts';
import { tangentTy, type Func, type Ty } from '../../engine/ir/types.ts';

/** Return the number of float (`real`/`tan`) leaves of `t`. */
export function floatCount(t: Ty): number {
  switch (t.kind) {
    case 'real':
    case 'tan':
      return 1;
    case 'vec':
      return t.size * floatCount(t.elem);
    case 'struct':
      return t.members.reduce((n, m) => n + floatCount(m), 0);
    default:
      return 0;
  }
}

/** Append the float leaves of `v` (of type `t`) to `out`, in order; return `out`. */
export function flatten(t: Ty, v: Val, out: number[] = []): number[] {
  switch (t.kind) {
    case 'real':
    case 'tan':
      if (typeof v !== 'number') throw new Error(`flatten: expected a number, got ${show(v)}`);
      out.push(v);
      return out;
    case 'vec':
    case 'struct': {
      if (!Array.isArray(v)) throw new Error(`flatten: expected an array, got ${show(v)}`);
      const n = t.kind === 'vec' ? t.size : t.members.length;
      if (v.length !== n) throw new Error(`flatten: expected ${n} elements, got ${v.length}`);
      v.forEach((x, k) => flatten(t.kind === 'vec' ? t.elem : t.members[k]!, x, out));
      return out;
    }
    default:
      return out;
  }
}

/** Flatten several values of the given types into one vector. */
export function flattenAll(ts: readonly Ty[], vs: readonly Val[]): number[] {
  const out: number[] = [];
  ts.forEach((t, k) => flatten(t, vs[k]!, out));
  return out;
}

/**
 * Return a value of type `t` whose float leaves come from `next()` and whose other leaves come
 * from `template` (same shape) or, without one, are `null` (unit), `false` or 0.
 */
export function build(t: Ty, next: () => number, template?: Val): Val {
  switch (t.kind) {
    case 'real':
    case 'tan':
      return next();
    case 'unit':
      return null;
    case 'bool':
      return template === undefined ? false : template;
    case 'fin':
      return template === undefined ? 0 : template;
    case 'vec':
      return Array.from({ length: t.size }, (_, k) =>
        build(t.elem, next, (template as Val[] | undefined)?.[k]),
      );
    case 'struct':
      return t.members.map((m, k) => build(m, next, (template as Val[] | undefined)?.[k]));
    case 'ref':
      throw new Error('build: a ref type has no plain value');
  }
}

/** Return the values of types `ts` with float leaves taken in order from `xs` (all of it). */
export function unflattenAll(ts: readonly Ty[], xs: readonly number[], templates?: readonly Val[]): Val[] {
  let k = 0;
  const next = () => {
    if (k >= xs.length) throw new Error(`unflatten: ran out of floats (${xs.length})`);
    return xs[k++]!;
  };
  const out = ts.map((t, j) => build(t, next, templates?.[j]));
  if (k !== xs.length) throw new Error(`unflatten: ${xs.length - k} floats left over`);
  return out;
}

/** Generated numbers that inputs, directions and cotangents are read from. */
export interface Pool {
  readonly floats: readonly number[];
  readonly ints: readonly number[];
}

/** Size of the float part of a pool: enough for 3 params of up to 3 floats each, twice. */
export const POOL_FLOATS = 24;

/**
 * Return an arbitrary pool. Floats are `k/500 + 0.01414` for integer `k` in [-1000, 1000]: in
 * about [-2, 2], never 0 and never an integer, so kinks of abs/floor/sign at 0 or at integers
 * are never at a sample point.
 */
export function poolArb(): fc.Arbitrary<Pool> {
  return fc.record({
    floats: fc.array(fc.integer({ min: -1000, max: 1000 }).map((k) => k / 500 + 0.01414), {
      minLength: POOL_FLOATS,
      maxLength: POOL_FLOATS,
    }),
    ints: fc.array(fc.nat(1000), { minLength: 8, maxLength: 8 }),
  });
}

/** Return an arbitrary vector of `POOL_FLOATS` numbers in [-1, 1] (directions, cotangents). */
export function unitsArb(): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: -1000, max: 1000 }).map((k) => k / 1000), {
    minLength: POOL_FLOATS,
    maxLength: POOL_FLOATS,
  });
}

/** Return arguments of types `ts` read from `pool` (bools and indices from its integers). */
export function argsFromPool(ts: readonly Ty[], pool: Pool): Val[] {
  let fi = 0;
  let ii = 0;
  const nextInt = () => pool.ints[ii++ % pool.ints.length]!;
  const template = (t: Ty): Val | undefined => {
    switch (t.kind) {
      case 'bool':
        return nextInt() % 2 === 1;
      case 'fin':
        return t.size === 0 ? 0 : nextInt() % t.size;
      case 'vec':
        return Array.from({ length: t.size }, () => template(t.elem) ?? null);
      case 'struct':
        return t.members.map((m) => template(m) ?? null);
      default:
        return undefined;
    }
  };
  return ts.map((t) => build(t, () => pool.floats[fi++ % pool.floats.length]!, template(t)));
}

/** Return the tangent values (types `tangentTy(ts[i])`) of a flat direction `dx`. */
export function tangents(ts: readonly Ty[], dx: readonly number[]): Val[] {
  return unflattenAll(ts.map(tangentTy), dx);
}

/** Return the dot product of two vectors of equal length. */
export function dot(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length}`);
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
}

/** Return `x + s * d`. */
export function axpy(x: readonly number[], s: number, d: readonly number[]): number[] {
  return x.map((v, k) => v + s * d[k]!);
}

/** Return `f` as a map from the flat float leaves of its args to the flat float leaves of its result. */
export function flatFunction(f: Func, args: readonly Val[]): (x: readonly number[]) => number[] {
  return (x) => flatten(f.retType, interpret(f, unflattenAll(f.paramTypes, x, args)));
}

/** The result of a finite-difference estimate. */
export interface FiniteDiff {
  /** Central difference `(F(x + h d) - F(x - h d)) / 2h`, per output. */
  readonly fd: number[];
  /** False when F has a kink or jump within 2h of x along d (see `finiteDiff`). */
  readonly smooth: boolean;
  /** Absolute rounding noise of `fd` expected from the magnitude of F. */
  readonly noise: number;
  /** Largest |F| seen. */
  readonly scale: number;
}

/**
 * Return the directional derivative of `F` at `x` along `d` by central differences with step
 * `h = 1e-6 * max(1, |x|inf)`, and whether `F` looks smooth there. Per output, with one-sided
 * gaps `s(h) = fwd(h) - bwd(h) = (F(x+h) - 2F(x) + F(x-h)) / h` (about `h F''` when smooth):
 * - a kink at x (slope jump D, e.g. a tie of `max`) makes `s(h) = s(2h) = D`, while smooth F has
 *   `s(2h) = 2 s(h)`: require `|s(2h) - 2 s(h)| <= tau`;
 * - a kink or jump elsewhere within 2h makes the central differences at h and 2h differ:
 *   require `|c(h) - c(2h)| <= tau`;
 * with `tau = 1e-7 (1 + |c|) + 10 noise`, so an undetected kink moves `fd` by less than the
 * comparison tolerances used with it.
 */
export function finiteDiff(F: (x: readonly number[]) => number[], x: readonly number[], d: readonly number[]): FiniteDiff {
  const h = 1e-6 * Math.max(1, ...x.map(Math.abs));
  const f0 = F(x);
  const [p1, m1, p2, m2] = [h, -h, 2 * h, -2 * h].map((s) => F(axpy(x, s, d)));
  let scale = 0;
  f0.forEach((y0, k) => {
    for (const y of [y0, p1![k]!, m1![k]!, p2![k]!, m2![k]!]) scale = Math.max(scale, Math.abs(y));
  });
  const noise = (8 * Number.EPSILON * scale) / h;
  let smooth = Number.isFinite(scale);
  const fd = f0.map((y0, k) => {
    const [a, b, c, e] = [p1![k]!, m1![k]!, p2![k]!, m2![k]!];
    const c1 = (a - b) / (2 * h);
    const c2 = (c - e) / (4 * h);
    const s1 = (a - 2 * y0 + b) / h;
    const s2 = (c - 2 * y0 + e) / (2 * h);
    const tau = 1e-7 * (1 + Math.abs(c1)) + 10 * noise;
    if (!(Math.abs(s2 - 2 * s1) <= tau) || !(Math.abs(c1 - c2) <= tau)) smooth = false;
    return c1;
  });
  return { fd, smooth, noise, scale };
}

/** A comparison tolerance: pass when `|a - b| <= rtol * max(|a|, |b|) + atol`. */
export interface Tol {
  readonly rtol: number;
  readonly atol: number;
}

/** Return true when `a` and `b` are close (both NaN counts as close; one NaN does not). */
export function close(a: number, b: number, tol: Tol): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= tol.rtol * Math.max(Math.abs(a), Math.abs(b)) + tol.atol;
}

/** Throw a descriptive error unless `actual` and `expected` are elementwise close. */
export function assertClose(actual: readonly number[], expected: readonly number[], tol: Tol, what: string): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  const bad = actual.findIndex((a, k) => !close(a, expected[k]!, tol));
  if (bad >= 0)
    throw new Error(
      `${what}: entry ${bad} is ${actual[bad]}, expected ${expected[bad]} ` +
        `(rtol ${tol.rtol}, atol ${tol.atol})\n  actual:   [${actual.join(', ')}]\n  expected: [${expected.join(', ')}]`,
    );
}

/** Return true when every number in `xs` is finite and at most `limit` in magnitude. */
export function tame(xs: readonly number[], limit = 1e6): boolean {
  return xs.every((x) => Number.isFinite(x) && Math.abs(x) <= limit);
}

/** Return a short text of a value for messages. */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}

/** What a property body returns: nothing when it checked (and passed), `'skip'` when not applicable. */
export type Outcome = void | 'skip';

/** Options of `checkProperty`. */
export interface CheckOptions {
  /** Runs (default 200); env ROSE_FC_RUNS overrides it, to explore. */
  readonly numRuns?: number;
  /** Largest fraction of runs allowed to skip before the test fails (default 0.25). */
  readonly maxSkipFraction?: number;
}

/** The seed of every property run: fixed, or env ROSE_FC_SEED to explore. */
export const SEED = Number(process.env['ROSE_FC_SEED'] ?? 20240527);

/**
 * Run a fast-check property over `arb` with a fixed seed. `body` throws on a failed check and
 * returns `'skip'` when its precondition does not hold (e.g. not smooth at the sample); too many
 * skips fail too, so a property cannot pass by skipping. `describe` adds context (the program
 * text) to failure messages.
 */
export function checkProperty<T>(
  arb: fc.Arbitrary<T>,
  body: (value: T) => Outcome,
  describe: (value: T) => string,
  opts: CheckOptions = {},
): { runs: number; skipped: number } {
  const numRuns = Number(process.env['ROSE_FC_RUNS'] ?? opts.numRuns ?? 200);
  let runs = 0;
  let skipped = 0;
  const prop = fc.property(arb, (value) => {
    let out: Outcome;
    try {
      out = body(value);
    } catch (err) {
      const msg = err instanceof Error ? `${err.message}\n${err.stack?.split('\n').slice(1, 4).join('\n')}` : String(err);
      throw new Error(`${msg}\n--- program ---\n${describe(value)}`);
    }
    runs++;
    if (out === 'skip') skipped++;
  });
  fc.assert(prop, { seed: SEED, numRuns });
  if (process.env['ROSE_FC_STATS']) console.log(`property: ${runs} runs, ${skipped} skipped`);
  const max = opts.maxSkipFraction ?? 0.25;
  if (skipped > max * runs) throw new Error(`${skipped} of ${runs} runs skipped (more than ${max * 100}%)`);
  return { runs, skipped };
}

/**
 * Return the absolute tolerance of the transpose identity <u, J v> = <J^T u, v>: both sides are
 * exact up to rounding, relative to the sizes of the summed terms (`1e-10` of them), with a floor
 * of `1e-11 |u|_1 |v|_1` for sums that cancel (e.g. an exactly-zero derivative such as
 * `atan2(x, x)` computed as `v x - v x` on one side and in another order on the other).
 */
export function identityTol(u: readonly number[], ju: readonly number[], jtu: readonly number[], v: readonly number[]): number {
  let terms = 0;
  ju.forEach((x, k) => (terms += Math.abs(x * u[k]!)));
  jtu.forEach((x, k) => (terms += Math.abs(x * v[k]!)));
  const l1 = (xs: readonly number[]) => xs.reduce((a, x) => a + Math.abs(x), 0);
  return 1e-10 * terms + 1e-11 * l1(u) * l1(v) + 1e-300;
}

/**
 * Assert that two exact computations `a(x)` and `b(x)` of the same quantity agree up to rounding:
 * within `tol`, or else within `tol` plus ten times the rounding noise measured at `x`. Since the
 * true difference `a - b` is 0 everywhere, the noise is how much `d = a - b` moves when `x` is
 * scaled by `1 + s` for s = 1e-8, 1e-6, ±1e-5: enough to resample the rounding of large terms
 * that cancel (e.g. `1/x^2` terms near x = 0, whose cancellation error is quantized and can stay
 * put over relative steps of 1e-7), while a wrong formula gives a smooth nonzero `d` that such
 * small steps barely move.
 */
export function assertAgreeUpToRounding(
  compute: (x: readonly number[]) => { a: number[]; b: number[] },
  x: readonly number[],
  tol: Tol,
  what: string,
): void {
  const { a, b } = compute(x);
  if (a.length === b.length && a.every((v, k) => close(v, b[k]!, tol))) return;
  const noise = a.map(() => 0);
  for (const s of [1e-8, 1e-6, 1e-5, -1e-5]) {
    const r = compute(x.map((v) => v * (1 + s)));
    a.forEach((v, j) => {
      const moved = Math.abs(r.a[j]! - r.b[j]! - (v - b[j]!));
      noise[j] = Math.max(noise[j]!, Number.isNaN(moved) ? 0 : moved);
    });
  }
  a.forEach((v, j) => {
    const t = { rtol: tol.rtol, atol: tol.atol + 10 * noise[j]! };
    if (!close(v, b[j]!, t)) assertClose([v], [b[j]!], t, `${what} (entry ${j}, rounding noise ${noise[j]})`);
  });
}

/** Return the gradient of real-valued `f` at `x` by central differences of step `h`. */
export function centralGradient(f: (x: number[]) => number, x: readonly number[], h = 1e-6): number[] {
  return x.map((_, k) => {
    const up = x.slice();
    const down = x.slice();
    up[k]! += h;
    down[k]! -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}
