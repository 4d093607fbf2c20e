/**
 * @file sin, cos and tan: reduction to [-pi/4, pi/4] (reduce.ts), then the kernels on the reduced
 * argument y0 + y1: odd and even minimax polynomials for sin and cos (the tail y1 enters to first
 * order), and for tan an odd polynomial with tan(pi/4 - t) = (1 - tan t)/(1 + tan t) above 0.67 and a
 * careful -1/tan for odd quadrants. Coefficients are fdlibm's published minimax fits.
 */
import { F64, I32 } from '../encoder.ts';
import {
  type Expr, type Fn, type Local, abs, add, and, bits, div, eq, estrin, f64Bits, f64OfI32, flipSign, fromBits, ge,
  hiWord, le, lit, lt, mul, neg, shl, shrU, sub, xor,
} from './dsl.ts';
import type { MathContext } from './index.ts';
import { reducePio2 } from './reduce.ts';

/** sin x ~ x + x^3 (S1 + x^2 S2 + ...) on [-pi/4, pi/4]. */
const S = [
  -1.66666666666666324348e-1, 8.33333333332248946124e-3, -1.98412698298579493134e-4, 2.75573137070700676789e-6,
  -2.50507602534068634195e-8, 1.58969099521155010221e-10,
];
/** cos x ~ 1 - x^2/2 + x^4 (C1 + x^2 C2 + ...) on [-pi/4, pi/4]. */
const C = [
  4.16666666666666019037e-2, -1.38888888888741095749e-3, 2.48015872894767294178e-5, -2.75573143513906633035e-7,
  2.08757232129817482790e-9, -1.13596475577881948265e-11,
];
/** tan x ~ x + x^3 (T0 + x^2 T1 + ...) on [-0.67434, 0.67434]. */
const T = [
  3.33333333333334091986e-1, 1.33333333333201242699e-1, 5.39682539762260521377e-2, 2.18694882948595424599e-2,
  8.86323982359930005737e-3, 3.59207910759131235356e-3, 1.45620945432529025516e-3, 5.88041240820264096874e-4,
  2.46463134818469906812e-4, 7.81794442939557092300e-5, 7.14072491382608190305e-5, -1.85586374855275456654e-5,
  2.59073051863633712884e-5,
];
const PIO4_HI = f64Bits(0x3fe921fb_54442d18n);
const PIO4_LO = f64Bits(0x3c81a626_33145c07n);
/** Up to this high word (a little above pi/4) the kernels apply without reduction. */
const PIO4_HIGH = 0x3fe921fb;

/** Return sin(x + y) for |x| <= ~pi/4 and |y| <= ulp(x)/2 (y omitted: 0). */
function sinKernel(fn: Fn, x: Local, y?: Local): Expr {
  const z = fn.let(mul(x, x));
  const v = fn.let(mul(z, x));
  const r = fn.let(estrin(fn, z, S.slice(1)));
  if (!y) return add(x, mul(v, add(S[0]!, mul(z, r))));
  // x + (x^3 S1 + x^5 r) + y (1 - x^2/2), with the small terms summed first
  return sub(x, sub(sub(mul(z, sub(mul(0.5, y), mul(v, r))), y), mul(v, S[0]!)));
}

/** Return cos(x + y) for |x| <= ~pi/4 and |y| <= ulp(x)/2. */
function cosKernel(fn: Fn, x: Local, y: Expr): Expr {
  const z = fn.let(mul(x, x));
  const r = fn.let(mul(z, estrin(fn, z, C)));
  const hz = fn.let(mul(0.5, z));
  const w = fn.let(sub(1, hz));
  // w + ((1 - w) - hz): the rounding error of 1 - hz, recovered exactly
  return add(w, add(sub(sub(1, w), hz), sub(mul(z, r), mul(x, y))));
}

/** Return finish(tan(x + y)) (odd = 0) or finish(-1/tan(x + y)) (odd = 1) for |x| <= ~pi/4, |y| <= ulp(x)/2. */
function tanKernel(fn: Fn, x0: Local, y0: Local, odd: Expr, finish: (v: Expr) => Expr): void {
  const x = fn.let(x0);
  const y = fn.let(y0);
  const big = fn.let(ge(hiWord(abs(x)), 0x3fe59428)); // above ~0.6744 use tan(pi/4 - t)
  fn.if(big, () => {
    fn.if(lt(x0, 0), () => {
      fn.set(x, neg(x));
      fn.set(y, neg(y));
    });
    fn.set(x, add(sub(PIO4_HI, x), sub(PIO4_LO, y)));
    fn.set(y, 0);
  });
  const z = fn.let(mul(x, x));
  const w = fn.let(mul(z, z));
  // odd and even coefficients in w = x^4, summed: T1 + x^2 T2 + x^4 T3 + ...
  const ro = estrin(fn, w, [T[1]!, T[3]!, T[5]!, T[7]!, T[9]!, T[11]!]);
  const re = mul(z, estrin(fn, w, [T[2]!, T[4]!, T[6]!, T[8]!, T[10]!, T[12]!]));
  const s = fn.let(mul(z, x));
  const r = fn.let(add(y, mul(z, add(mul(s, add(ro, re)), y))));
  fn.set(r, add(r, mul(T[0]!, s)));
  const t = fn.let(add(x, r)); // tan(x + y) ~ x + r
  const sign = fn.let(f64OfI32(sub(1, shl(and(odd, 1), 1)))); // 1 or -1
  fn.if(big, () => {
    // tan(pi/4 - u) = 1 - 2 tan(u)/(1 + tan(u)), and -1/tan likewise
    const v = sub(sign, mul(2, sub(x, sub(div(mul(t, t), add(t, sign)), r))));
    fn.ret(finish(flipSign(v, lt(x0, 0))));
  });
  fn.if(eq(odd, 0), () => fn.ret(finish(t)));
  // -1/(x + r) to full accuracy: a = -1/t, corrected with t split as th + tl (th, a's top halves)
  const th = fn.let(fromBits(and(bits(t), 0xffffffff00000000n)));
  const tl = fn.let(sub(r, sub(th, x)));
  const a = fn.let(div(-1, t));
  const ah = fn.let(fromBits(and(bits(a), 0xffffffff00000000n)));
  const e = fn.let(add(1, mul(ah, th))); // 1 + ah th, exact
  fn.ret(finish(add(ah, mul(a, add(e, mul(ah, tl))))));
}

/** sin(x) = sign(x) sin|x|. */
export function buildSin(fn: Fn, ctx: MathContext): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  const ix = fn.let(hiWord(ax));
  fn.if(le(ix, PIO4_HIGH), () => {
    fn.if(lt(ix, 0x3e500000), () => fn.ret(x)); // |x| < 2^-26: sin x = x, keeping -0
    fn.ret(sinKernel(fn, x));
  });
  fn.if(ge(ix, 0x7ff00000), () => fn.ret(lit(NaN, F64))); // Inf or NaN
  const [n, y0, y1] = reducePio2(fn, ctx, ax, ix);
  const res = fn.local(F64);
  fn.if(and(n, 1), () => fn.set(res, cosKernel(fn, y0, y1)), () => fn.set(res, sinKernel(fn, y0, y1)));
  // negative in quadrants 2 and 3 of |x|, and flipped for negative x
  fn.ret(flipSign(res, xor(shrU(and(n, 2), 1), lt(x, 0))));
}

/** cos(x) = cos|x|. */
export function buildCos(fn: Fn, ctx: MathContext): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  const ix = fn.let(hiWord(ax));
  fn.if(le(ix, PIO4_HIGH), () => fn.ret(cosKernel(fn, x, lit(0, F64))));
  fn.if(ge(ix, 0x7ff00000), () => fn.ret(lit(NaN, F64)));
  const [n, y0, y1] = reducePio2(fn, ctx, ax, ix);
  const res = fn.local(F64);
  fn.if(and(n, 1), () => fn.set(res, sinKernel(fn, y0, y1)), () => fn.set(res, cosKernel(fn, y0, y1)));
  // quadrants 1 and 2 are negative
  fn.ret(flipSign(res, shrU(and(add(n, 1), 2), 1)));
}

/** tan(x) = sign(x) tan|x|. */
export function buildTan(fn: Fn, ctx: MathContext): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  const ix = fn.let(hiWord(ax));
  fn.if(le(ix, PIO4_HIGH), () => {
    fn.if(lt(ix, 0x3e300000), () => fn.ret(x)); // |x| < 2^-28
    tanKernel(fn, x, fn.let(0), lit(0, I32), (v) => v);
  });
  fn.if(ge(ix, 0x7ff00000), () => fn.ret(lit(NaN, F64)));
  const [n, y0, y1] = reducePio2(fn, ctx, ax, ix);
  tanKernel(fn, y0, y1, and(n, 1), (v) => flipSign(v, lt(x, 0)));
}
