/**
 * @file hypot and cbrt. hypot scales both operands by a power of two when they are huge or tiny,
 * forms x^2 + y^2 exactly as a double-double (Dekker products), and corrects sqrt of the high part with
 * one Newton step, so the result is rounded once. cbrt (fdlibm's design) divides the exponent by 3 in
 * the bits for a 5-bit start, improves it to 23 bits with a polynomial in r = t^3/x, rounds that away
 * from zero to 23 bits so t^2 is exact, and finishes with one Newton step (error below 0.67 ulp).
 */
import { F64, I32 } from '../encoder.ts';
import {
  type Expr, type Fn, abs, add, and, bits, div, eq, extendU, f64Bits, fastTwoSum, fromBits, ge, gt, hiWord, le, lit,
  lt, max, min, mul, ne, or, pow2, select, shl, sqrt, sub, twoSquare,
} from './dsl.ts';

/** hypot(x, y) = sqrt(x^2 + y^2) without overflow or underflow. */
export function buildHypot(fn: Fn): void {
  const x = fn.param(0);
  const y = fn.param(1);
  const ax = fn.let(abs(x));
  const ay = fn.let(abs(y));
  fn.if(or(eq(ax, Infinity), eq(ay, Infinity)), () => fn.ret(lit(Infinity, F64))); // even with NaN
  fn.if(or(ne(x, x), ne(y, y)), () => fn.ret(lit(NaN, F64)));
  const a = fn.let(max(ax, ay));
  const b = fn.let(min(ax, ay));
  // b below 2^-60 a (or zero) changes nothing: sqrt(a^2 + b^2) = a (1 + b^2/(2a^2))
  fn.if(le(mul(b, pow2(60)), a), () => fn.ret(add(a, b)));
  // scale into [2^-500, 2^500] so the squares neither overflow nor underflow
  const huge = fn.let(gt(a, pow2(500)));
  const tiny = fn.let(lt(b, pow2(-500)));
  const up = fn.let(select(huge, pow2(600), select(tiny, pow2(-600), 1)));
  const down = fn.let(select(huge, pow2(-600), select(tiny, pow2(600), 1)));
  const sa = fn.let(mul(a, down));
  const sb = fn.let(mul(b, down));
  const [a2, a2e] = twoSquare(fn, sa);
  const [b2, b2e] = twoSquare(fn, sb);
  const [sh, se] = fastTwoSum(fn, a2, b2);
  const sl = fn.let(add(add(se, a2e), b2e));
  // one Newton step: r + (s - r^2)/(2r), with r^2 exact
  const r = fn.let(sqrt(sh));
  const [rr, rre] = twoSquare(fn, r);
  const corr = div(add(sub(sub(sh, rr), rre), sl), mul(2, r));
  fn.ret(mul(add(r, corr), up));
}

/** cbrt start: the exponent divided by 3 with a bias tuned for the smallest error (fdlibm's B1, B2). */
const B1 = 715094163; // (1023 - 1023/3 - 0.03306235651) 2^20
const B2 = 696219795; // (1023 - 1023/3 - 54/3 - 0.03306235651) 2^20
/** cbrt(x) ~ t P(t^3/x) to 23 bits, for the 5-bit start t (fdlibm's P0..P4). */
const CBRT_P = [
  f64Bits(0x3ffe03e6_0f61e692n), f64Bits(0xbffe28e0_92f02420n), f64Bits(0x3ff9f160_4a49d6c2n),
  f64Bits(0xbfe844cb_bee751d9n), f64Bits(0x3fc2b000_d4e4edd7n),
];

/** Return a double with high word `hi` and low word 0. */
const fromHi = (hi: Expr): Expr => fromBits(shl(extendU(hi), 32n));

/** cbrt(x). */
export function buildCbrt(fn: Fn): void {
  const x = fn.param(0);
  const hx = fn.let(and(hiWord(x), 0x7fffffff));
  const sign = fn.let(and(hiWord(x), lit(0x80000000, I32)));
  fn.if(ge(hx, 0x7ff00000), () => fn.ret(add(x, x))); // NaN, +-Inf
  const t = fn.local(F64);
  fn.if(
    lt(hx, 0x00100000),
    () => {
      fn.if(eq(x, 0), () => fn.ret(x)); // +-0
      // subnormal: scale by 2^54 first
      const h = and(hiWord(mul(x, pow2(54))), 0x7fffffff);
      fn.set(t, fromHi(or(sign, add(div(h, 3), B2))));
    },
    () => fn.set(t, fromHi(or(sign, add(div(hx, 3), B1)))),
  );
  // to 23 bits: t P(r), r = t^3/x
  const r = fn.let(mul(mul(t, t), div(t, x)));
  const [p0, p1, p2, p3, p4] = CBRT_P as [number, number, number, number, number];
  fn.set(t, mul(t, add(add(p0, mul(r, add(p1, mul(r, p2)))), mul(mul(mul(r, r), r), add(p3, mul(r, p4))))));
  // round away from zero to 23 bits, so t^2 is exact and t is above the root's 23-bit truncation
  fn.set(t, fromBits(and(add(bits(t), 0x80000000n), 0xffffffffc0000000n)));
  // one Newton step to 53 bits: t + t (x/t^2 - t)/(2t + x/t^2)
  const s = fn.let(mul(t, t));
  const q = fn.let(div(x, s));
  const w = fn.let(add(t, t));
  const rr = fn.let(div(sub(q, t), add(w, q)));
  fn.ret(add(t, mul(t, rr)));
}
