/**
 * @file Test helpers for the wasm math library: a module exporting all the functions, exact decimal
 * values of doubles, high-precision reference values (decimal.js), ulp errors against them, a seeded
 * random generator and the sample ranges per function.
 */
import Decimal from 'decimal.js';
import { ModuleBuilder } from '../../../engine/wasm/encoder.ts';
import { MATH_FNS, type MathFn, MathLibrary } from '../../../engine/wasm/math/index.ts';

/** The math functions of one instantiated module, by name. */
export type MathExports = { readonly [F in MathFn]: (...args: number[]) => number };

/** Return the bytes of a module exporting `names` (all by default), and the exports. */
export function buildMath(names: readonly MathFn[] = MATH_FNS): {
  bytes: Uint8Array<ArrayBuffer>;
  exports: MathExports;
} {
  const m = new ModuleBuilder();
  const lib = new MathLibrary(m);
  for (const name of names) m.export(name, 'func', lib.get(name));
  const bytes = m.finish();
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as MathExports;
  return { bytes, exports };
}

/** Decimal arithmetic for references: 45 significant digits by default, ties to even. */
export const D = Decimal.clone({ precision: 45, rounding: Decimal.ROUND_HALF_EVEN, maxE: 9e15, minE: -9e15 });
type Dec = InstanceType<typeof D>;

const view = new DataView(new ArrayBuffer(8));

/** Return the bits of x. */
export function bitsOf(x: number): bigint {
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

/** Return the double with bits b. */
export function fromBitsOf(b: bigint): number {
  view.setBigUint64(0, BigInt.asUintN(64, b));
  return view.getFloat64(0);
}

/** Return the exact value of a finite double as a Decimal (every digit of its binary expansion). */
export function exact(x: number): Dec {
  const b = bitsOf(x);
  const sign = b >> 63n ? '-' : '';
  const e = Number((b >> 52n) & 0x7ffn);
  let m = b & 0xfffffffffffffn;
  if (e > 0) m |= 1n << 52n;
  const p = (e > 0 ? e : 1) - 1075; // x = m * 2^p
  if (p >= 0) return new D(sign + (m << BigInt(p)).toString());
  const digits = (m * 5n ** BigInt(-p)).toString().padStart(-p + 1, '0');
  return new D(`${sign}${digits.slice(0, digits.length + p)}.${digits.slice(digits.length + p)}`);
}

/** Run `f` with `digits` significant digits of working precision. */
function withPrecision<T>(digits: number, f: () => T): T {
  const saved = D.precision;
  D.set({ precision: digits });
  try {
    return f();
  } finally {
    D.set({ precision: saved });
  }
}

/** Extra digits needed when a result is much smaller than its argument (cancellation). */
const extra = (x: number) => (x === 0 ? 0 : Math.max(0, Math.ceil(-Math.log10(Math.abs(x)))));

/** Extra digits needed when a result y is much smaller than its argument x (periodic functions). */
function shrink(x: number, y: number): number {
  const digits = Math.ceil(Math.log10(Math.abs(x / y)));
  return Number.isFinite(digits) ? Math.min(Math.max(digits, 0), 400) : 0;
}

/** High-precision reference values (at least 40 correct significant digits). */
export const REFERENCE: { readonly [F in MathFn]: (...a: number[]) => Dec } = {
  exp: (x) => exact(x).exp(),
  log: (x) => exact(x).ln(),
  expm1: (x) => withPrecision(45 + extra(x), () => exact(x).exp().minus(1)),
  log1p: (x) => withPrecision(45 + extra(x), () => exact(x).plus(1).ln()),
  sin: (x) => withPrecision(60 + shrink(x, Math.sin(x)), () => exact(x).sin()),
  cos: (x) => withPrecision(60 + shrink(x, Math.cos(x)), () => exact(x).cos()),
  tan: (x) => withPrecision(60 + shrink(x, Math.tan(x)), () => exact(x).tan()),
  asin: (x) => exact(x).asin(),
  acos: (x) => exact(x).acos(),
  atan: (x) => exact(x).atan(),
  atan2: (y, x) => D.atan2(exact(y), exact(x)),
  sinh: (x) => withPrecision(45 + extra(x), () => exact(x).sinh()),
  cosh: (x) => exact(x).cosh(),
  tanh: (x) => withPrecision(45 + extra(x), () => exact(x).tanh()),
  pow: (x, y) => withPrecision(50, () => exact(x).pow(exact(y))),
  hypot: (x, y) => D.hypot(exact(x), exact(y)),
  cbrt: (x) => exact(x).cbrt(),
};

const MAX = exact(Number.MAX_VALUE);
const HALF_ULP_MAX = exact(2 ** 970);

/**
 * Return |got - ref| in units in the last place of ref (the spacing of doubles at |ref|, 2^-1074 for
 * subnormals). An infinite `got` is exact when ref rounds to infinity, and infinitely wrong otherwise.
 */
export function ulpError(got: number, ref: Dec): number {
  if (ref.isNaN() || Number.isNaN(got)) return ref.isNaN() && Number.isNaN(got) ? 0 : Infinity;
  const overflow = ref.abs().gte(MAX.plus(HALF_ULP_MAX));
  if (!Number.isFinite(got) || overflow) {
    return overflow && got === (ref.isNeg() ? -Infinity : Infinity) ? 0 : Infinity;
  }
  if (ref.isZero()) return got === 0 ? 0 : Infinity;
  // the exponent of |ref|: from its nearest double, corrected at a power of two it rounded up to
  const near = Math.abs(ref.toNumber());
  let e = near === 0 ? -1075 : Math.floor(Math.log2(near));
  if (near !== 0 && 2 ** e > near) e--;
  if (near !== 0 && 2 ** (e + 1) <= near) e++;
  if (near !== 0 && near === 2 ** e && ref.abs().lt(exact(near))) e--;
  const ulp = exact(2 ** Math.max(e - 52, -1074));
  return withPrecision(40, () => exact(got).minus(ref).abs().div(ulp).toNumber());
}

/** Return a deterministic pseudo-random generator of numbers in [0, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Return n points uniform in [lo, hi]. */
export function uniform(r: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Return n points log-uniform in magnitude between 2^e0 and 2^e1, with random signs if `signed`. */
export function logUniform(r: () => number, n: number, e0: number, e1: number, signed = true): number[] {
  return Array.from({ length: n }, () => {
    const x = Math.min(2 ** (e0 + (e1 - e0) * r()) * (1 + r() * 1e-3), Number.MAX_VALUE);
    return signed && r() < 0.5 ? -x : x;
  });
}

/** Return n points within a few hundred ulps of k * c (c = pi/2 or pi/4) for random integers k < kMax. */
export function nearMultiples(r: () => number, n: number, c: number, kMax: number): number[] {
  return Array.from({ length: n }, () => {
    const k = 1 + Math.floor(r() * kMax);
    const x = k * c;
    const b = bitsOf(x) + BigInt(Math.floor((r() - 0.5) * 400));
    return fromBitsOf(b);
  });
}
