/**
 * @file pow(x, y) with JavaScript's special cases (`Math.pow(1, NaN)` is NaN, `x ** ±0` is 1 even for NaN
 * x, negative x needs an integer y) and the classic accurate core (fdlibm's design): log2|x| as an
 * extended-precision pair t1 + t2 (x scaled near 1 or 1.5, s = (x - c)/(x + c), a minimax series in s^2
 * with the leading terms split into high halves whose products are exact), then y log2|x| as p_h + p_l
 * with y split the same way, then 2^(p_h + p_l) = 2^n 2^f by a rational form in f ln2. Results are
 * correctly rounded in practice (about 0.5 ulp); integer powers of integers are exact.
 */
import { F64, I32 } from '../encoder.ts';
import {
  type Expr, type Fn, type Local, abs, add, and, bits, copysign, div, eq, eqz, estrin, extendU, f64Bits, f64OfI32,
  flipSign, fromBits, ge, gt, hiWord, i32OfF64, le, lit, lt, ltU, mul, ne, or, pow2, scaleOf, select, shl, shrS, sqrt,
  sub, trunc,
} from './dsl.ts';
import { EXP_P } from './exp-log.ts';

/** Minimax coefficients for (3/2)(log(x) - 2s - (2/3)s^3)/s^5 in s^2 ... (fdlibm's L1..L6). */
const L = [
  5.99999999999994648725e-1, 4.28571428578550184252e-1, 3.33333329818377432918e-1, 2.72728123808534006489e-1,
  2.30660745775561754067e-1, 2.06975017800338417784e-1,
];
const LG2 = f64Bits(0x3fe62e42_fefa39efn);
const LG2_H = f64Bits(0x3fe62e43_00000000n);
const LG2_L = f64Bits(0xbe205c61_0ca86c39n);
/** 2/(3 ln2) and its split. */
const CP = f64Bits(0x3feec709_dc3a03fdn);
const CP_H = f64Bits(0x3feec709_e0000000n);
const CP_L = f64Bits(0xbe3e2fe0_145b01f5n);
/** 1/ln2 and its split (24 bits high). */
const IVLN2 = f64Bits(0x3ff71547_652b82fen);
const IVLN2_H = f64Bits(0x3ff71547_60000000n);
const IVLN2_L = f64Bits(0x3e54ae0b_f85ddf44n);
/** log2(1.5) split. */
const DP_H = f64Bits(0x3fe2b803_40000000n);
const DP_L = f64Bits(0x3e4cfdeb_43cfd006n);
/** -(1024 - log2(largest double + half an ulp)). */
const OVT = 8.0085662595372944372e-17;

/** Return x with its low 32 bits cleared. */
const clearLow = (x: Expr): Expr => fromBits(and(bits(x), 0xffffffff00000000n));

/** Return a double whose high word is the i32 `hi` and low word 0. */
const fromHi = (hi: Expr): Expr => fromBits(shl(extendU(hi), 32n));

/** pow(x, y). */
export function buildPow(fn: Fn): void {
  const x = fn.param(0);
  const y = fn.param(1);
  const ax = fn.let(abs(x));
  const ay = fn.let(abs(y));
  const negResult = fn.let(lit(0, I32)); // (negative x)^(odd integer)
  const signed = (v: Expr) => flipSign(v, negResult);
  const hugeExp = fn.let(lit(0, I32)); // |y| > 2^31: log2 x by its series near 1, else overflow
  // the common case skips the special cases: x positive, normal and finite, |y| < 2^31 (not NaN)
  const hx = hiWord(x);
  const fast = and(ltU(sub(hx, 0x00100000), 0x7fe00000), ltU(and(hiWord(y), 0x7fffffff), 0x41e00000));
  fn.if(eqz(fast), () => {
    specialCases(fn, x, y, ax, ay, negResult, signed);
    fn.set(hugeExp, gt(ay, pow2(31)));
  });
  // exact shortcuts, tested only when y is a power of two (y = 0.5 means x > 0 here)
  fn.if(eqz(and(bits(y), 0x000fffffffffffffn)), () => {
    fn.if(eq(y, 2), () => fn.ret(mul(x, x)));
    fn.if(eq(y, 0.5), () => fn.ret(sqrt(x)));
    fn.if(eq(y, 1), () => fn.ret(x));
    fn.if(eq(y, -1), () => fn.ret(div(1, x)));
  });
  const t1 = fn.local(F64);
  const t2 = fn.local(F64);
  fn.if(hugeExp, () => hugeY(fn, ax, y, signed, t1, t2), () => log2Parts(fn, ax, t1, t2));
  exp2Parts(fn, y, t1, t2, signed);
}

/** Return the special cases' results (JavaScript's rules); else set negResult, x being finite and nonzero. */
function specialCases(
  fn: Fn, x: Local, y: Local, ax: Local, ay: Local, negResult: Local, signed: (v: Expr) => Expr,
): void {
  fn.if(eq(y, 0), () => fn.ret(lit(1, F64))); // even for NaN x
  fn.if(or(ne(x, x), ne(y, y)), () => fn.ret(lit(NaN, F64))); // even for x = 1
  // y an integer? odd? (|y| >= 2^53 is an even integer)
  const isInt = fn.let(eq(trunc(y), y));
  const half = mul(y, 0.5);
  const odd = select(lt(ay, pow2(53)), ne(trunc(half), half), lit(0, I32));
  const xNeg = fn.let(lt(bits(x), 0n)); // sign bit: -0 and -Inf count
  fn.set(negResult, and(and(xNeg, odd), isInt));
  fn.if(eq(ay, Infinity), () => {
    fn.if(eq(ax, 1), () => fn.ret(lit(NaN, F64)));
    fn.ret(select(eq(gt(ax, 1), gt(y, 0)), Infinity, 0));
  });
  fn.if(or(eq(ax, Infinity), eq(x, 0)), () => {
    fn.ret(signed(select(eq(eq(ax, Infinity), gt(y, 0)), Infinity, 0)));
  });
  fn.if(and(xNeg, eqz(isInt)), () => fn.ret(lit(NaN, F64)));
  fn.if(eq(ax, 1), () => fn.ret(signed(lit(1, F64))));
}

/** |y| > 2^31: over- or underflow unless x is within 2^-20 of 1, else log2 x by its series. */
function hugeY(fn: Fn, ax: Local, y: Local, signed: (v: Expr) => Expr, t1: Local, t2: Local): void {
  const over = signed(lit(Infinity, F64));
  const under = signed(lit(0, F64));
  const ix = hiWord(ax);
  fn.if(lt(ix, 0x3fefffff), () => fn.ret(select(lt(y, 0), over, under)));
  fn.if(gt(ix, 0x3ff00000), () => fn.ret(select(gt(y, 0), over, under)));
  fn.if(gt(abs(y), pow2(64)), () => fn.ret(select(eq(lt(ax, 1), lt(y, 0)), over, under)));
  // log(1 + t) = t - t^2/2 + t^3/3 - t^4/4, t = x - 1 exact with 20 trailing zeros
  const t = fn.let(sub(ax, 1));
  const w = mul(mul(t, t), sub(0.5, mul(t, sub(0.3333333333333333333333, mul(t, 0.25)))));
  const u = fn.let(mul(IVLN2_H, t));
  const v = fn.let(sub(mul(t, IVLN2_L), mul(w, IVLN2)));
  fn.set(t1, clearLow(add(u, v)));
  fn.set(t2, sub(v, sub(t1, u)));
}

/** Set t1 + t2 = log2(ax) to about 2^-64 relatively, t1 with its low word cleared. */
function log2Parts(fn: Fn, ax0: Local, t1: Local, t2: Local): void {
  const ax = fn.let(ax0);
  const n = fn.let(lit(0, I32));
  const hi = fn.let(hiWord(ax));
  fn.if(lt(hi, 0x00100000), () => {
    // subnormal
    fn.set(ax, mul(ax, pow2(53)));
    fn.set(hi, hiWord(ax));
    fn.set(n, -53);
  });
  fn.set(n, add(n, sub(shrS(hi, 20), 0x3ff)));
  const j = fn.let(and(hi, 0xfffff));
  // mantissa in [1, sqrt(3/2)) -> c = 1; in [sqrt(3/2), sqrt(3)) -> c = 1.5; above: halve, c = 1
  const k = fn.let(select(le(j, 0x3988e), lit(0, I32), select(lt(j, 0xbb67a), lit(1, I32), lit(0, I32))));
  const ix = fn.let(or(j, 0x3ff00000));
  fn.if(ge(j, 0xbb67a), () => {
    fn.set(n, add(n, 1));
    fn.set(ix, sub(ix, 0x00100000));
  });
  const m = fn.let(fromBits(or(and(bits(ax), 0xffffffffn), shl(extendU(ix), 32n))));
  const kf = fn.let(f64OfI32(k)); // 0 or 1: the constants below are chosen by multiplication
  const bp = fn.let(add(1, mul(0.5, kf)));
  // s = s_h + s_l = (m - bp)/(m + bp), with m + bp = t_h + t_l (t_h: high word only)
  const u = fn.let(sub(m, bp));
  const v = fn.let(div(1, add(m, bp)));
  const ss = fn.let(mul(u, v));
  const sh = fn.let(clearLow(ss));
  const th = fn.let(fromHi(add(add(or(shrS(ix, 1), 0x20000000), 0x00080000), shl(k, 18))));
  const tl = fn.let(sub(m, sub(th, bp)));
  const sl = fn.let(mul(v, sub(sub(u, mul(sh, th)), mul(sh, tl))));
  // log(m/bp) = 2s + (2/3)s^3 + s^5 L(s^2); the first two terms in extended precision
  const s2 = fn.let(mul(ss, ss));
  const r = fn.let(add(mul(mul(s2, s2), estrin(fn, s2, L)), mul(sl, add(sh, ss))));
  const sh2 = fn.let(mul(sh, sh));
  const th2 = fn.let(clearLow(add(add(3, sh2), r)));
  const tl2 = fn.let(sub(r, sub(sub(th2, 3), sh2)));
  const uu = fn.let(mul(sh, th2));
  const vv = fn.let(add(mul(sl, th2), mul(tl2, ss)));
  const ph = fn.let(clearLow(add(uu, vv)));
  const pl = fn.let(sub(vv, sub(ph, uu)));
  // times 2/(3 ln2), plus log2(bp) and n
  const zh = fn.let(mul(CP_H, ph));
  const zl = fn.let(add(add(mul(CP_L, ph), mul(pl, CP)), mul(kf, DP_L)));
  const dph = fn.let(mul(kf, DP_H));
  const tn = fn.let(f64OfI32(n));
  fn.set(t1, clearLow(add(add(add(zh, zl), dph), tn)));
  fn.set(t2, sub(zl, sub(sub(sub(t1, tn), dph), zh)));
}

/** Return 2^(y (t1 + t2)) with the result's sign, handling overflow and underflow. */
function exp2Parts(fn: Fn, y: Local, t1: Local, t2: Local, signed: (v: Expr) => Expr): void {
  const y1 = fn.let(clearLow(y));
  const pl = fn.let(add(mul(sub(y, y1), t1), mul(y, t2)));
  const ph = fn.let(mul(y1, t1));
  const z = fn.let(add(pl, ph));
  const over = signed(lit(Infinity, F64));
  const under = signed(lit(0, F64));
  fn.if(ge(z, 1024), () => {
    fn.if(gt(z, 1024), () => fn.ret(over));
    fn.if(gt(add(pl, OVT), sub(z, ph)), () => fn.ret(over));
  });
  fn.if(le(z, -1075), () => {
    fn.if(lt(z, -1075), () => fn.ret(under));
    fn.if(le(pl, sub(z, ph)), () => fn.ret(under));
  });
  // z = n + f, n = z's high part rounded half away from zero (|f| <= 1/2 + tiny)
  const zh = fn.let(clearLow(z));
  const nf = fn.let(trunc(add(zh, copysign(0.5, zh))));
  fn.set(ph, sub(ph, nf));
  // 2^f = e^(f ln2), with f ln2 = zz + w in extended precision
  const t = fn.let(clearLow(add(pl, ph)));
  const u = fn.let(mul(t, LG2_H));
  const v = fn.let(add(mul(sub(pl, sub(t, ph)), LG2), mul(t, LG2_L)));
  const zz = fn.let(add(u, v));
  const w = fn.let(sub(v, sub(zz, u)));
  const tt = fn.let(mul(zz, zz));
  const c = fn.let(sub(zz, mul(tt, estrin(fn, tt, EXP_P))));
  const r = sub(div(mul(zz, c), sub(c, 2)), add(w, mul(zz, w)));
  const e = fn.let(sub(1, sub(r, zz)));
  const n = fn.let(i32OfF64(nf));
  const n1 = fn.let(shrS(n, 1));
  fn.ret(signed(mul(mul(e, scaleOf(n1)), scaleOf(sub(n, n1)))));
}
