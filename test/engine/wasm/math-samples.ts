/**
 * @file Sample points for the wasm math tests: special values per function (compared bit for bit with
 * `Math.*`) and, per function, named ranges of seeded random points (compared with decimal.js).
 */
import type { MathFn } from '../../../engine/wasm/math/index.ts';
import { REFERENCE, exact, logUniform, nearMultiples, rng, uniform } from './math-ref.ts';

/** The double closest to a multiple of pi/2 (6381956970095103 * 2^797: the remainder is 2^-60.9). */
const PAYNE_HANEK_WORST = 6381956970095103 * 2 ** 797;
const MIN_NORMAL = 2.2250738585072014e-308;
const MAX = Number.MAX_VALUE;
const TINY = 5e-324;

/** Special inputs: `common` for every unary function, plus exact or limit cases per function. */
export const SPECIALS: { readonly common: readonly number[] } & { readonly [F in MathFn]?: readonly number[] } = {
  common: [
    NaN, Infinity, -Infinity, 0, -0, TINY, -TINY, 1e-310, -1e-310, MIN_NORMAL, -MIN_NORMAL, MAX, -MAX, 2 ** -60,
    -(2 ** -60),
  ],
  exp: [709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, -708.5, -740, 1000, -1000],
  log: [1, 2, 0.5],
  expm1: [709.782712893384, 709.7827128933841, -38, -40, -1000, 1000],
  log1p: [-1, -1 + 2 ** -53, -2, 2 ** 53, 2 ** 60],
  sin: [], cos: [], tan: [],
  asin: [1, -1, 1 + 2 ** -52, -1 - 2 ** -52, 2, -2],
  acos: [1, -1, 1 + 2 ** -52, -1 - 2 ** -52, 2, -2],
  atan: [1e300, -1e300, 2 ** 66, -(2 ** 66)],
  sinh: [710.4758600739439, 710.475860073944, -710.475860073944, 1000, -1000, 22, 30, -30],
  cosh: [710.4758600739439, 710.475860073944, -710.475860073944, 1000, -1000],
  tanh: [22, -22, 30, -30, 1000, -1000],
  cbrt: [1, -1, 8, -8, 27, 0.125, 1e300],
};

const EDGE = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, TINY, -TINY, MAX, -MAX];
const EDGE_Y = [0.5, 1.5, -1.5, 2.5, 1e10, -1e10, 2 ** 53, -(2 ** 53), 1e300, -1e300];
const EDGE_X = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1 - 2 ** -53, 1 + 2 ** -52, -2, 0.5];

/** Candidate pairs of edge values for the binary functions. */
const EDGE_PAIRS: { readonly [F in Binary]: readonly (readonly [number, number])[] } = {
  atan2: EDGE.flatMap((y) => EDGE.map((x) => [y, x] as const)),
  hypot: EDGE.flatMap((a) => EDGE.map((b) => [a, b] as const)),
  pow: [
    ...EDGE.flatMap((a) => EDGE.map((b) => [a, b] as const)),
    ...EDGE_Y.flatMap((b) => EDGE_X.map((a) => [a, b] as const)),
    [2, 1023], [2, 1024], [2, -1074], [2, -1075], [-2, 1023], [-2, 1024], [-2, -1075], [3, 20], [-3, 21],
    [10, 22], [10, -5], [7, 18], [-7, 17], [1.5, 2], [0.1, 2], [2, 0.5], [-8, 1 / 3], [1e300, 2], [1e-300, 2],
    [2 ** -1074, 0.5], [2 ** -1074, -0.5], [2 ** -1074, 1 / 1074], [MAX, 1.0000001], [1 + 2 ** -52, 2 ** 62],
  ],
};

type Binary = 'atan2' | 'pow' | 'hypot';

/**
 * True when the result at (a, b) is determined: an argument is NaN, infinite or zero, the result
 * overflows or underflows to zero, or `Math` gives the exact true value (integer powers, for instance).
 * These must match `Math.*` bit for bit; the other edge pairs are checked for accuracy.
 */
function determined(name: Binary, a: number, b: number): boolean {
  if ([a, b].some((v) => Number.isNaN(v) || !Number.isFinite(v) || v === 0)) return true;
  const want = Math[name](a, b);
  return !Number.isFinite(want) || want === 0 || REFERENCE[name](a, b).eq(exact(want));
}

/** Special pairs for the binary functions (compared bit for bit with `Math.*`). */
export const SPECIAL_PAIRS = {
  atan2: EDGE_PAIRS.atan2.filter(([a, b]) => determined('atan2', a, b)),
  hypot: EDGE_PAIRS.hypot.filter(([a, b]) => determined('hypot', a, b)),
  pow: EDGE_PAIRS.pow.filter(([a, b]) => determined('pow', a, b)),
};

/** The other edge pairs, for the accuracy tests. */
const edgeSamples = (name: Binary) => EDGE_PAIRS[name].filter(([a, b]) => !determined(name, a, b));

const r = rng(0x5eed);
const one = (xs: number[]) => xs.map((x) => [x] as const);
const N = 300;
/** Fewer points where decimal.js is slow (inverse trig; sin/cos/tan of huge arguments). */
const FEW = 160;

/** Named ranges of sample points per function (about 2000 points each). */
export const SAMPLES: { readonly [F in MathFn]: Readonly<Record<string, readonly (readonly number[])[]>> } = {
  exp: {
    tiny: one(logUniform(r, N, -60, -10)),
    'around 0': one(uniform(r, N, -1, 1)),
    moderate: one(uniform(r, N, -50, 50)),
    large: one(uniform(r, N, -745, 709.78)),
    'near limits': one([...uniform(r, N / 2, 700, 709.78), ...uniform(r, N / 2, -745.13, -700)]),
  },
  log: {
    subnormal: one(logUniform(r, N, -1074, -1023, false)),
    'around 1': one(uniform(r, N, 0.5, 2)),
    'near 1': one(uniform(r, N, 1 - 1e-6, 1 + 1e-6)),
    small: one(logUniform(r, N, -1022, 0, false)),
    large: one(logUniform(r, N, 0, 1024, false)),
  },
  expm1: {
    tiny: one(logUniform(r, N, -60, -10)),
    'around 0': one(uniform(r, N, -1, 1)),
    moderate: one(uniform(r, N, -40, 40)),
    large: one(uniform(r, N, 40, 709.78)),
    'near ln2 multiples': one(nearMultiples(r, N, Math.LN2, 60).map((x, i) => (i % 2 ? -x : x))),
  },
  log1p: {
    tiny: one(logUniform(r, N, -60, -10)),
    'around 0': one(uniform(r, N, -0.5, 1)),
    'near -1': one(uniform(r, N, -1, -0.5)),
    moderate: one(uniform(r, N, 1, 1000)),
    large: one(logUniform(r, N, 10, 1023, false)),
  },
  ...trigSamples(),
  asin: inverseSamples(),
  acos: inverseSamples(),
  atan: {
    tiny: one(logUniform(r, FEW, -60, -10)),
    'around 0': one(uniform(r, FEW, -2, 2)),
    'reduction edges': one(
      [7 / 16, 11 / 16, 19 / 16, 39 / 16].flatMap((c) => uniform(r, FEW / 4, c * (1 - 1e-3), c * (1 + 1e-3))),
    ),
    moderate: one(uniform(r, FEW, -100, 100)),
    large: one(logUniform(r, FEW, 5, 70)),
  },
  atan2: {
    'unit square': uniform(r, N, -1, 1).map((y) => [y, uniform(r, 1, -1, 1)[0]!]),
    'near the axes': logUniform(r, N, -30, 0).map((y) => [y, r() < 0.5 ? -1 : 1]),
    'wide magnitudes': logUniform(r, N, -1000, 1000).map((y) => [y, logUniform(r, 1, -1000, 1000)[0]!]),
    'near diagonals': uniform(r, N, -100, 100).map((y) => [y, (r() < 0.5 ? -y : y) * (1 + (r() - 0.5) * 1e-6)]),
    'x negative': logUniform(r, N, -3, 3).map((y) => [y, -Math.abs(logUniform(r, 1, -3, 3)[0]!)]),
    'edge values': edgeSamples('atan2'),
  },
  sinh: hyperbolicSamples(710.47),
  cosh: hyperbolicSamples(710.47),
  tanh: hyperbolicSamples(25),
  pow: {
    'around 1': uniform(r, N, 0.5, 2).map((x) => [x, uniform(r, 1, -50, 50)[0]!]),
    'wide x': logUniform(r, N, -1000, 1000, false).map((x) => [x, uniform(r, 1, -1, 1)[0]!]),
    'near over/underflow': logUniform(r, N, -8, 8, false).map((x) => [x, (r() < 0.5 ? 1074 : 1023.9) / Math.log2(x)]),
    'negative x, integer y': uniform(r, N, -10, -0.1).map((x) => [x, Math.round(uniform(r, 1, -300, 300)[0]!)]),
    'x near 1, large y': uniform(r, N, 1 - 1e-9, 1 + 1e-9).map((x) => [x, uniform(r, 1, -1e11, 1e11)[0]!]),
    'edge values': edgeSamples('pow'),
  },
  hypot: {
    'unit square': uniform(r, N, -1, 1).map((a) => [a, uniform(r, 1, -1, 1)[0]!]),
    'wide magnitudes': logUniform(r, N, -1074, 1023).map((a) => [a, logUniform(r, 1, -1074, 1023)[0]!]),
    'similar magnitudes': logUniform(r, N, -1070, 1020).map((a) => [a, a * uniform(r, 1, 0.25, 4)[0]!]),
    subnormal: logUniform(r, N, -1074, -1023).map((a) => [a, logUniform(r, 1, -1074, -1023)[0]!]),
    huge: logUniform(r, N, 1015, 1023).map((a) => [a, logUniform(r, 1, 1015, 1023)[0]!]),
    'edge values': edgeSamples('hypot'),
  },
  cbrt: {
    subnormal: one(logUniform(r, N, -1074, -1023)),
    'around 1': one(uniform(r, N, -2, 2)),
    moderate: one(uniform(r, N, -1000, 1000)),
    small: one(logUniform(r, N, -1022, 0)),
    large: one(logUniform(r, N, 0, 1024)),
  },
};

/** Samples for sin, cos and tan. */
function trigSamples() {
  const ranges = () => ({
    tiny: one(logUniform(r, N, -60, -10)),
    'around 0': one(uniform(r, N, -4, 4)),
    moderate: one(uniform(r, N, -1e6, 1e6)),
    huge: one([...logUniform(r, FEW / 2, 20, 1024), PAYNE_HANEK_WORST, -PAYNE_HANEK_WORST, 1e300, 1e22]),
    'near multiples of pi/2': one([
      ...nearMultiples(r, N / 2, Math.PI / 2, 100),
      ...nearMultiples(r, N / 2, Math.PI / 2, 1e6),
    ]),
  });
  return { sin: ranges(), cos: ranges(), tan: ranges() };
}

/** Samples for asin and acos. */
function inverseSamples() {
  return {
    tiny: one(logUniform(r, FEW, -60, -10)),
    'around 0': one(uniform(r, FEW, -0.5, 0.5)),
    middle: one(uniform(r, FEW, -1, 1)),
    'near 1': one(uniform(r, FEW, 0.97, 1)),
    'near -1': one(uniform(r, FEW, -1, -0.97)),
  };
}

/** Samples for sinh, cosh and tanh up to |x| = top. */
function hyperbolicSamples(top: number) {
  return {
    tiny: one(logUniform(r, N, -60, -10)),
    'around 0': one(uniform(r, N, -1, 1)),
    moderate: one(uniform(r, N, -25, 25)),
    large: one(uniform(r, N, -top, top)),
    'range edges': one([Math.LN2 / 4, 0.5, 2, 22].flatMap((c) => uniform(r, N / 4, -c * 1.01, -c * 0.99))),
  };
}
