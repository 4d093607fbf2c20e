/**
 * @file asin, acos, atan and atan2. asin and acos use a minimax rational R(t) ~ (asin(sqrt t) -
 * sqrt t)/sqrt t^3 below 1/2 and, above, asin x = pi/2 - 2 asin(sqrt((1 - x)/2)) with the square root
 * split so the subtraction loses nothing. atan reduces |x| to |t| <= 7/16 by atan x = atan c +
 * atan((x - c)/(1 + c x)) for c in {1/2, 1, 3/2, inf} and evaluates an odd minimax polynomial.
 * atan2 divides in double-double (the quotient's rounding error goes in to first order) and takes
 * pi - atan from constants pi - atan c held as double-doubles, which keeps it within one ulp.
 */
import { F64 } from '../encoder.ts';
import {
  type Expr, type Fn, type Local, abs, add, and, bits, copysign, div, eq, eqz, estrin, f64Bits, fromBits, ge, gt,
  hiWord, le, lit, lt, mul, ne, or, pick, pow2, select, shrS, sqrt, sub, twoProd,
} from './dsl.ts';
import { PIO2_HI, PIO2_LO } from './reduce.ts';

/** asin/acos rational: R(t) = t P(t) / Q(t), P = pS0..pS5, Q = 1 + t (qS1..qS4). */
const PS = [
  1.66666666666666657415e-1, -3.25565818622400915405e-1, 2.01212532134862925881e-1, -4.00555345006794114027e-2,
  7.91534994289814532176e-4, 3.47933107596021167570e-5,
];
const QS = [1, -2.40339491173441421878, 2.02094576023350569471, -6.88283971605453293030e-1, 7.70381505559019352791e-2];

/** atan x ~ x - x^3 (aT0 + x^2 aT1 + ...) on [-7/16, 7/16]. */
const AT = [
  3.33333333333329318027e-1, -1.99999999998764832476e-1, 1.42857142725034663711e-1, -1.11111104054623557880e-1,
  9.09088713343650656196e-2, -7.69187620504482999495e-2, 6.66107313738753120669e-2, -5.83357013379057348645e-2,
  4.97687799461593236017e-2, -3.65315727442169155270e-2, 1.62858201153657823623e-2,
];

const PI = f64Bits(0x400921fb_54442d18n);
const PIO4_HI = f64Bits(0x3fe921fb_54442d18n);

/** atan(c) as double-doubles for the reduction points c = 0 (none), 1/2, 1, 3/2, inf. */
const ATAN_C: readonly (readonly [number, number])[] = [
  [0, 0],
  [f64Bits(0x3fddac67_0561bb4fn), f64Bits(0x3c7a2b7f_222f65e2n)],
  [PIO4_HI, f64Bits(0x3c81a626_33145c07n)],
  [f64Bits(0x3fef730b_d281f69bn), f64Bits(0x3c700788_7af0cbbdn)],
  [PIO2_HI, PIO2_LO],
];
/** pi - atan(c) as double-doubles, for atan2 with x < 0. */
const PI_MINUS_ATAN_C: readonly (readonly [number, number])[] = [
  [PI, f64Bits(0x3ca1a626_33145c07n)],
  [f64Bits(0x40056c6e_7397f5aen), f64Bits(0x3ca660b6_4ece6f4bn)],
  [f64Bits(0x4002d97c_7f3321d2n), f64Bits(0x3c9a7939_4c9e8a0an)],
  [f64Bits(0x40014538_5fa3af71n), f64Bits(0x3cafa535_23b6428fn)],
  [PIO2_HI, PIO2_LO],
];

/** Return R(t) = t P(t)/Q(t) for asin and acos. */
function ratio(fn: Fn, t: Local): Local {
  return fn.let(div(mul(t, estrin(fn, t, PS)), estrin(fn, t, QS)));
}

/** Return x with the low 32 bits cleared (its top 21 mantissa bits: squares are exact). */
const clearLow = (x: Expr): Expr => fromBits(and(bits(x), 0xffffffff00000000n));

/** asin(x). */
export function buildAsin(fn: Fn): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  fn.if(eqz(lt(ax, 1)), () => fn.ret(select(eq(ax, 1), add(mul(x, PIO2_HI), mul(x, PIO2_LO)), NaN)));
  fn.if(lt(ax, 0.5), () => {
    fn.if(lt(ax, 2 ** -27), () => fn.ret(x));
    fn.ret(add(x, mul(x, ratio(fn, fn.let(mul(x, x))))));
  });
  // asin |x| = pi/2 - 2 asin(s), s = sqrt(t), t = (1 - |x|)/2
  const t = fn.let(mul(sub(1, ax), 0.5));
  const r = ratio(fn, t);
  const s = fn.let(sqrt(t));
  const res = fn.local(F64);
  fn.if(
    ge(and(hiWord(x), 0x7fffffff), 0x3fef3333), // |x| >= ~0.975
    () => fn.set(res, sub(PIO2_HI, sub(mul(2, add(s, mul(s, r))), PIO2_LO))),
    () => {
      // s = df + c exactly enough, so pi/4 - 2 df loses nothing
      const df = fn.let(clearLow(s));
      const c = fn.let(div(sub(t, mul(df, df)), add(s, df)));
      const p = sub(mul(mul(2, s), r), sub(PIO2_LO, mul(2, c)));
      const q = sub(PIO4_HI, mul(2, df));
      fn.set(res, sub(PIO4_HI, sub(p, q)));
    },
  );
  fn.ret(copysign(res, x));
}

/** acos(x). */
export function buildAcos(fn: Fn): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  fn.if(eqz(lt(ax, 1)), () => {
    fn.if(eq(x, 1), () => fn.ret(lit(0, F64)));
    fn.ret(select(eq(x, -1), add(PI, mul(2, PIO2_LO)), NaN));
  });
  fn.if(lt(ax, 0.5), () => {
    fn.if(le(ax, pow2(-57)), () => fn.ret(lit(PIO2_HI + PIO2_LO, F64)));
    const r = ratio(fn, fn.let(mul(x, x)));
    fn.ret(sub(PIO2_HI, sub(x, sub(PIO2_LO, mul(x, r)))));
  });
  fn.if(lt(x, 0), () => {
    // acos x = pi - 2 asin(sqrt((1 + x)/2))
    const z = fn.let(mul(add(1, x), 0.5));
    const s = fn.let(sqrt(z));
    const w = sub(mul(ratio(fn, z), s), PIO2_LO);
    fn.ret(sub(PI, mul(2, add(s, w))));
  });
  // acos x = 2 asin(sqrt((1 - x)/2)), with the square root split as df + c
  const z = fn.let(mul(sub(1, x), 0.5));
  const s = fn.let(sqrt(z));
  const df = fn.let(clearLow(s));
  const c = div(sub(z, mul(df, df)), add(s, df));
  fn.ret(mul(2, add(df, add(mul(ratio(fn, z), s), c))));
}

/**
 * Reduce 0 <= ax < 2^66 to t with |t| <= 7/16 and emit the polynomial: atan(ax) = C_k + t - poly with
 * C_k = atan(c_k) from `tables[i][k]` (each table: five double-doubles, one per reduction point).
 * Return t, poly and per table the chosen constant's (hi, lo) locals.
 */
function atanReduce(fn: Fn, ax: Local, tables: readonly (readonly (readonly [number, number])[])[]) {
  const t = fn.let(ax);
  const ix = fn.let(hiWord(ax)); // the thresholds have zero low words: compare high words
  const consts = tables.map((table) => [fn.let(table[0]![0]), fn.let(table[0]![1])] as const);
  const choose = (k: number, value: Expr) => {
    fn.set(t, value);
    for (const [i, [hi, lo]] of consts.entries()) {
      fn.set(hi, tables[i]![k]![0]);
      fn.set(lo, tables[i]![k]![1]);
    }
  };
  // large arguments first: the widest interval
  fn.if(
    ge(ix, 0x3ff30000), // 1.1875
    () => fn.if(
      ge(ix, 0x40038000), // 2.4375
      () => choose(4, div(-1, ax)),
      () => choose(3, div(sub(ax, 1.5), add(1, mul(1.5, ax)))),
    ),
    () => fn.if(
      ge(ix, 0x3fe60000), // 0.6875
      () => choose(2, div(sub(ax, 1), add(ax, 1))),
      () => fn.if(ge(ix, 0x3fdc0000), () => choose(1, div(sub(mul(2, ax), 1), add(2, ax)))), // 0.4375
    ),
  );
  // t^3 (a0 + t^2 a1 + ...), evaluated in pairs (Estrin) for a short dependency chain
  const z = fn.let(mul(t, t));
  const w = fn.let(mul(z, z));
  const v = fn.let(mul(w, w));
  const pair = (i: number, j: number) => add(AT[i]!, mul(w, AT[j]!));
  const s1 = mul(z, add(pair(0, 2), mul(v, add(pair(4, 6), mul(v, pair(8, 10))))));
  const s2 = mul(w, add(pair(1, 3), mul(v, add(pair(5, 7), mul(v, AT[9]!)))));
  const poly = fn.let(mul(t, add(s1, s2)));
  return { t, poly, consts };
}

/** atan(x). */
export function buildAtan(fn: Fn): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  const ix = fn.let(hiWord(ax));
  fn.if(ge(ix, 0x44100000), () => fn.ret(select(ne(x, x), x, copysign(lit(PIO2_HI + PIO2_LO, F64), x)))); // 2^66
  fn.if(lt(ix, 0x3e400000), () => fn.ret(x)); // 2^-27
  const { t, poly, consts } = atanReduce(fn, ax, [ATAN_C]);
  const [hi, lo] = consts[0]!;
  fn.ret(copysign(sub(hi, sub(sub(poly, lo), t)), x));
}

/** atan2(y, x): the angle of the point (x, y). */
export function buildAtan2(fn: Fn): void {
  const y = fn.param(0);
  const x = fn.param(1);
  const ay = fn.let(abs(y));
  const ax = fn.let(abs(x));
  const iy = fn.let(hiWord(ay));
  const ix = fn.let(hiWord(ax));
  const xNeg = fn.let(lt(bits(x), 0n)); // sign bit, so -0 counts as negative
  const angle = (pos: number, negX: number) => copysign(select(xNeg, negX, pos), y);
  // NaN, infinities and zeros
  fn.if(or(or(ge(iy, 0x7ff00000), ge(ix, 0x7ff00000)), or(eq(ay, 0), eq(ax, 0))), () => {
    fn.if(or(ne(x, x), ne(y, y)), () => fn.ret(add(x, y)));
    fn.if(eq(ay, 0), () => fn.ret(angle(0, PI)));
    fn.if(eq(ax, Infinity), () => fn.ret(select(eq(ay, Infinity), angle(PIO4_HI, 3 * PIO4_HI), angle(0, PI))));
    fn.ret(copysign(lit(PIO2_HI, F64), y)); // x = 0 or y infinite
  });
  // far from the axes' bisectors: |y/x| > 2^60 or < 2^-60
  const k = fn.let(sub(shrS(iy, 20), shrS(ix, 20)));
  fn.if(gt(k, 60), () => fn.ret(copysign(lit(PIO2_HI, F64), y)));
  fn.if(lt(k, -60), () => fn.ret(copysign(select(xNeg, PI, div(ay, ax)), y))); // atan q = q here
  // q + ql = |y/x| in double-double; scale first so the exact product cannot overflow or underflow
  const scale = fn.let(select(gt(iy, 0x5f300000), pow2(-600), select(lt(iy, 0x20b00000), pow2(600), 1)));
  const sy = fn.let(mul(ay, scale));
  const sx = fn.let(mul(ax, scale));
  const q = fn.let(div(sy, sx));
  const [p, pe] = twoProd(fn, q, sx);
  // atan(q + ql) = atan(q) + ql/(1 + q^2), ql = (sy - q sx)/sx, and sx (1 + q^2) ~ sx + q sy
  const corr = fn.let(div(sub(sub(sy, p), pe), add(sx, mul(q, sy))));
  const { t, poly, consts } = atanReduce(fn, q, [ATAN_C, PI_MINUS_ATAN_C]);
  const [hi, lo] = consts[0]!;
  const [mhi, mlo] = consts[1]!;
  // both quadrants' results, picked without a branch (the sign of x is often unpredictable)
  const left = sub(mhi, sub(add(sub(t, poly), corr), mlo));
  const right = sub(hi, sub(sub(poly, add(lo, corr)), t));
  fn.ret(copysign(pick(xNeg, left, right), y));
}
