/**
 * @file exp, log, expm1 and log1p, plus `expCore`, the double-double kernel behind expm1 and the
 * hyperbolic functions. The algorithms are the classic ones (fdlibm's design): exp reduces
 * x = k ln2 + r with ln2 split in two (the high part has trailing zeros, so k * LN2_HI is exact) and
 * evaluates e^r with a rational form in r^2; log extracts the exponent, scales the mantissa into
 * [sqrt(1/2), sqrt(2)) and evaluates log(1+f) through s = f/(2+f) with a minimax polynomial in s^2.
 */
import { F64, I32 } from '../encoder.ts';
import {
  type Expr, type Fn, type Local, abs, add, and, bits, div, eq, eqz, estrin, extendU, f64Bits, f64OfI32, fastTwoSum,
  fromBits, ge, geU, gt, hiWord, horner, lit, lt, mul, ne, or, pick, pow2, roundInt, scaleOf, select, shl, shrS, shrU,
  sub, twoSquare, twoSum, wrap, xor,
} from './dsl.ts';

/** ln 2 in two parts: the high part has 32 significant bits, so k * LN2_HI is exact for |k| < 2^21. */
const LN2_HI = f64Bits(0x3fe62e42_fee00000n);
const LN2_LO = f64Bits(0x3dea39ef_35793c76n);
/** 1/ln 2. */
const INV_LN2 = f64Bits(0x3ff71547_652b82fen);

/** Minimax coefficients of R(r^2) ~ r (e^r + 1)/(e^r - 1) - 2 on [-ln2/2, ln2/2] (fdlibm's P1..P5). */
export const EXP_P = [
  1.66666666666666019037e-1, -2.77777777770155933842e-3, 6.61375632143793436117e-5,
  -1.65339022054652515390e-6, 4.13813679705723846039e-8,
];

/** Minimax coefficients of (log(1+f) - 2s + s*f)/s with s = f/(2+f), in s^2 (fdlibm's Lg1..Lg7). */
const LOG_LG = [
  6.666666666666735130e-1, 3.999999999940941908e-1, 2.857142874366239149e-1, 2.222219843214978396e-1,
  1.818357216161805012e-1, 1.531383769920937332e-1, 1.479819860511658591e-1,
];

/** exp overflows above this and underflows to 0 below EXP_UNDER. */
const EXP_OVER = 7.09782712893383973096e2;
const EXP_UNDER = -7.45133219101941108420e2;

/** exp(x). */
export function buildExp(fn: Fn): void {
  const x = fn.param(0);
  // NaN and |x| >= 708 take the slow path: overflow, underflow, or scaling in two steps.
  const big = fn.let(eqz(lt(abs(x), 708)));
  fn.if(big, () => {
    fn.if(ne(x, x), () => fn.ret(x));
    fn.if(gt(x, EXP_OVER), () => fn.ret(lit(Infinity, F64)));
    fn.if(lt(x, EXP_UNDER), () => fn.ret(lit(0, F64)));
  });
  // x = k ln2 + r with r = hi - lo, |r| <= ln2/2
  const [k, ki] = roundInt(fn, mul(x, INV_LN2));
  const hi = fn.let(sub(x, mul(k, LN2_HI)));
  const lo = fn.let(mul(k, LN2_LO));
  const r = fn.let(sub(hi, lo));
  // e^r = 1 + r + r c / (2 - c), with c = r - r^2 R(r^2); hi and lo kept apart for accuracy
  const t = fn.let(mul(r, r));
  const c = fn.let(sub(r, mul(t, estrin(fn, t, EXP_P))));
  const y = fn.let(sub(1, sub(sub(lo, div(mul(r, c), sub(2, c))), hi)));
  fn.if(eqz(big), () => fn.ret(mul(y, scaleOf(ki))));
  // k in [-1075, 1024]: two exact scalings, one rounding (subnormal results round once)
  const k1 = fn.let(shrS(ki, 1));
  fn.ret(mul(mul(y, scaleOf(k1)), scaleOf(sub(ki, k1))));
}

/**
 * Emit the log(1+f) tail shared by log and log1p: return
 * k*ln2 + log(1+f) + c = k LN2_HI - ((hfsq - (s (hfsq + R) + (k LN2_LO + c))) - f).
 */
function logTail(fn: Fn, k: Local, f: Local, c?: Local): void {
  const hfsq = fn.let(mul(mul(0.5, f), f));
  const s = fn.let(div(f, add(2, f)));
  const z = fn.let(mul(s, s));
  const w = fn.let(mul(z, z));
  const odd = mul(w, horner(w, [LOG_LG[1]!, LOG_LG[3]!, LOG_LG[5]!]));
  const even = mul(z, horner(w, [LOG_LG[0]!, LOG_LG[2]!, LOG_LG[4]!, LOG_LG[6]!]));
  const R = fn.let(add(even, odd));
  const dk = fn.let(f64OfI32(k));
  const klo = c ? add(mul(dk, LN2_LO), c) : mul(dk, LN2_LO);
  fn.ret(sub(mul(dk, LN2_HI), sub(sub(hfsq, add(mul(s, add(hfsq, R)), klo)), f)));
}

/** log(x). */
export function buildLog(fn: Fn): void {
  const x = fn.param(0);
  const u = fn.let(bits(x));
  const hx = fn.let(wrap(shrU(u, 32n)));
  const k = fn.let(lit(0, I32));
  // not a positive normal finite number: zero, negative, subnormal, Inf or NaN
  fn.if(geU(sub(hx, 0x00100000), 0x7fe00000), () => {
    fn.if(eqz(ge(x, 0)), () => fn.ret(lit(NaN, F64))); // negative or NaN
    fn.if(eq(x, 0), () => fn.ret(lit(-Infinity, F64)));
    fn.if(eq(x, Infinity), () => fn.ret(x));
    fn.set(u, bits(mul(x, pow2(54)))); // subnormal
    fn.set(hx, wrap(shrU(u, 32n)));
    fn.set(k, -54);
  });
  // scale the mantissa into [sqrt(1/2), sqrt(2)): i = 0x100000 when the mantissa is >= sqrt(2)
  const i = fn.let(and(add(and(hx, 0xfffff), 0x95f64), 0x100000));
  fn.set(k, add(k, add(sub(shrU(hx, 20), 1023), shrU(i, 20))));
  const m = fromBits(or(and(u, 0x000fffffffffffffn), shl(extendU(xor(i, 0x3ff00000)), 32n)));
  const f = fn.let(sub(m, 1));
  logTail(fn, k, f);
}

/** log1p(x) = log(1 + x), accurate near 0: 1 + x is rounded, and its rounding error c is added back. */
export function buildLog1p(fn: Fn): void {
  const x = fn.param(0);
  fn.if(eqz(gt(x, -1)), () => fn.ret(select(eq(x, -1), -Infinity, NaN))); // also NaN
  fn.if(eq(x, Infinity), () => fn.ret(x));
  fn.if(lt(abs(x), pow2(-29)), () => fn.ret(sub(x, mul(mul(x, x), 0.5))));
  const k = fn.let(lit(0, I32));
  const f = fn.let(x);
  const c = fn.let(0);
  // outside [1/sqrt(2) - 1, sqrt(2) - 1): reduce 1 + x = 2^k m with m in [sqrt(1/2), sqrt(2))
  fn.if(or(ge(x, 0.41421356237309503), lt(x, -0.2928932188134524)), () => reduce1p(fn, x, k, f, c));
  logTail(fn, k, f, c);
}

/** Set k, f and c so that 1 + x = 2^k (1 + f) (1 + c), with c the rounding error of 1 + x. */
function reduce1p(fn: Fn, x: Local, k: Local, f: Local, c: Local): void {
  const u = fn.let(x);
  fn.if(lt(x, pow2(53)), () => {
    fn.set(u, add(1, x));
    const e = sub(shrU(hiWord(u), 20), 1023);
    // c = (1 + x - u) / u, with an exact numerator
    fn.set(c, div(pick(gt(e, 0), sub(1, sub(u, x)), sub(x, sub(u, 1))), u));
  });
  const hu = fn.let(and(hiWord(u), 0xfffff));
  const big = fn.let(geU(hu, 0x6a09e)); // mantissa >= sqrt(2): use m/2 and k + 1
  fn.set(k, add(sub(shrU(hiWord(u), 20), 1023), big));
  const top = select(big, lit(0x3fe00000, I32), 0x3ff00000);
  fn.set(f, sub(fromBits(or(and(bits(u), 0x000fffffffffffffn), shl(extendU(top), 32n))), 1));
}

/**
 * Emit the double-double exponential kernel and return locals (k, ph, pl) with e^x = 2^k (1 + ph + pl),
 * |ph| < 0.42 and ph + pl accurate to about 2^-58 absolutely, for finite |x| < 746 (callers filter the
 * rest). e^r - 1 = r + r^2/2 + d with r^2 exact and d = r^2 (c - 2rP)/(4 - 2c) from exp's rational form.
 */
export function expCore(fn: Fn, x: Expr): [Local, Local, Local] {
  const [kf, k] = roundInt(fn, mul(x, INV_LN2));
  // r + rt = x - k ln2 to ~2^-75: x - k LN2_HI is exact (Sterbenz), k LN2_LO is tiny
  const rh = fn.let(sub(x, mul(kf, LN2_HI)));
  const rl = fn.let(mul(kf, -LN2_LO));
  const [r, rt] = twoSum(fn, rh, rl);
  const [q, qe] = twoSquare(fn, r);
  const p = fn.let(estrin(fn, q, EXP_P));
  const c = fn.let(sub(r, mul(q, p)));
  const d = div(mul(q, sub(c, mul(mul(2, r), p))), sub(4, mul(2, c)));
  const [s, se] = fastTwoSum(fn, r, fn.let(mul(q, 0.5)));
  // e^(r + rt) - 1 ~ (e^r - 1) + (1 + r) rt
  const low = fn.let(add(add(add(se, mul(qe, 0.5)), d), mul(rt, add(1, r))));
  const [ph, pl] = fastTwoSum(fn, s, low);
  return [k, ph, pl];
}

/** expm1(x) = e^x - 1, from the double-double kernel: exact cancellation of the -1. */
export function buildExpm1(fn: Fn): void {
  const x = fn.param(0);
  fn.if(eqz(lt(abs(x), 38)), () => {
    fn.if(ne(x, x), () => fn.ret(x));
    fn.if(gt(x, EXP_OVER), () => fn.ret(lit(Infinity, F64)));
    fn.if(lt(x, 0), () => fn.ret(lit(-1, F64))); // e^x < 2^-54: the result rounds to -1
  });
  fn.if(lt(abs(x), pow2(-54)), () => fn.ret(x)); // keeps -0
  const [k, ph, pl] = expCore(fn, x);
  fn.if(eq(k, 0), () => fn.ret(add(ph, pl)));
  fn.if(gt(k, 53), () => {
    // the -1 is below the last bit but one: fold it into the low part, then scale in two steps
    const [s, e] = fastTwoSum(fn, fn.let(1), ph);
    const y = fn.let(add(s, add(e, sub(pl, scaleOf(select(lt(k, 1000), sub(0, k), -1000))))));
    fn.ret(mul(mul(y, scaleOf(sub(k, 1))), 2));
  });
  const t = fn.let(scaleOf(k));
  fn.if(lt(k, -53), () => fn.ret(sub(mul(t, add(1, ph)), 1)));
  // |k| <= 53: 2^k - 1 and 2^k ph are exact
  const [s, e] = twoSum(fn, fn.let(sub(t, 1)), fn.let(mul(t, ph)));
  fn.ret(add(s, add(e, mul(t, pl))));
}

