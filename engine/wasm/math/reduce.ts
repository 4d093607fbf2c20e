/**
 * @file Argument reduction modulo pi/2 for sin, cos and tan: `reducePio2` gives (n, y0, y1) with
 * |x| = n pi/2 + y0 + y1, |y0 + y1| <= pi/4 (a little more), and y0 + y1 accurate to about 2^-100
 * relatively. Below 2^20 it is Cody-Waite: pi/2 is split into 33-bit pieces so that n times each piece
 * is exact, and a second or third piece is subtracted only when the first cancellation is deep. From 2^20
 * up it is Payne-Hanek: x = m 2^e, and only a 192-bit window of the bits of 2/pi matters (earlier bits
 * give multiples of 4, later ones less than 2^-137); the window times m is computed in 64-bit integer
 * limbs, the two integer bits give n mod 4 and the fraction is turned into a double-double times pi/2.
 */
import { F64, I32, I64 } from '../encoder.ts';
import {
  type Expr, type Fn, type Local, add, and, bits, call, clz64, eqz, extendU, f64Bits, f64OfI64, f64OfU64,
  gt, hiWord, lit, lt, ltU, mul, neg, or, roundInt, scaleOf, select, shl, shrS, shrU, sub, wrap, xor,
} from './dsl.ts';
import type { MathContext } from './index.ts';

/**
 * The first 1216 bits of 2/pi in 64-bit words, after one zero word: word k >= 1 holds bits 64(k-1)+1 to
 * 64k after the binary point. Computed with Machin's formula in BigInt arithmetic; checked in the tests
 * against decimal.js.
 */
export const TWO_OVER_PI_WORDS: readonly bigint[] = [
  0x0000000000000000n, 0xa2f9836e4e441529n, 0xfc2757d1f534ddc0n, 0xdb6295993c439041n, 0xfe5163abdebbc561n,
  0xb7246e3a424dd2e0n, 0x06492eea09d1921cn, 0xfe1deb1cb129a73en, 0xe88235f52ebb4484n, 0xe99c7026b45f7e41n,
  0x3991d639835339f4n, 0x9c845f8bbdf9283bn, 0x1ff897ffde05980fn, 0xef2f118b5a0a6d1fn, 0x6d367ecf27cb09b7n,
  0x4f463f669e5fea2dn, 0x7527bac7ebe5f17bn, 0x3d0739f78a5292ean, 0x6bfb5fb11f8d5d08n, 0x56033046fc7b6babn,
];

/** pi/2 rounded to a double. */
export const PIO2_HI = f64Bits(0x3ff921fb_54442d18n);
/** pi/2 - PIO2_HI, rounded. */
export const PIO2_LO = f64Bits(0x3c91a626_33145c07n);
/** 2/pi. */
const INV_PIO2 = f64Bits(0x3fe45f30_6dc9c883n);

/** Cody-Waite pieces: P_k has at most 33 significant bits, P_kT = pi/2 - P_1 - ... - P_k rounded. */
export const CODY_WAITE = [
  [f64Bits(0x3ff921fb_54400000n), f64Bits(0x3dd0b461_1a626331n)],
  [f64Bits(0x3dd0b461_1a600000n), f64Bits(0x3ba3198a_2e037073n)],
  [f64Bits(0x3ba3198a_2e000000n), f64Bits(0x397b839a_252049c1n)],
] as const;

/** pi/2's high part split in 26 + 27 bits, for exact products a * PIO2_HI (Dekker). */
const PIO2_SPLIT = (() => {
  const c = PIO2_HI * 134217729;
  const hi = c - (c - PIO2_HI);
  return [hi, PIO2_HI - hi] as const;
})();

/**
 * Emit the reduction of a finite ax >= 0 (ix: its high word) and return locals (n, y0, y1) with
 * ax = n pi/2 + y0 + y1: Cody-Waite inline below 2^20, else a call of the Payne-Hanek helper.
 */
export function reducePio2(fn: Fn, ctx: MathContext, ax: Local, ix: Local): [Local, Local, Local] {
  const n = fn.local(I32);
  const y0 = fn.local(F64);
  const y1 = fn.local(F64);
  fn.if(
    lt(ix, 0x41300000), // 2^20
    () => codyWaite(fn, ax, ix, n, y0, y1),
    () => fn.callInto(ctx.helper('remPio2Large', [F64], [I32, F64, F64], buildPayneHanek), [ax], [n, y0, y1]),
  );
  return [n, y0, y1];
}

/** Set n, y0, y1 for 0 <= ax < 2^20 (n < 2^20, so n P_k is exact). */
function codyWaite(fn: Fn, ax: Local, ix: Local, n: Local, y0: Local, y1: Local): void {
  const expOf = (v: Expr) => and(shrU(hiWord(v), 20), 0x7ff);
  const [k, ki] = roundInt(fn, mul(ax, INV_PIO2));
  const [p1, p1t] = CODY_WAITE[0];
  const r = fn.let(sub(ax, mul(k, p1))); // exact (Sterbenz)
  const w = fn.let(mul(k, p1t));
  fn.set(y0, sub(r, w));
  const j = fn.let(shrU(ix, 20));
  // deep cancellation: subtract the next piece of pi/2 too (twice at most)
  for (const [i, limit] of [[1, 16], [2, 49]] as const) {
    fn.if(gt(sub(j, expOf(y0)), limit), () => {
      const [p, pt] = CODY_WAITE[i];
      const t = fn.let(r);
      fn.set(w, mul(k, p));
      fn.set(r, sub(t, w));
      fn.set(w, sub(mul(k, pt), sub(sub(t, r), w)));
      fn.set(y0, sub(r, w));
    });
  }
  fn.set(y1, sub(sub(r, y0), w));
  fn.set(n, ki);
}

/** Return locals (hi, lo) of the 128-bit product of m < 2^53 (given as halves mh, ml) and w. */
function mul64(fn: Fn, mh: Local, ml: Local, w: Expr): [Local, Local] {
  const m32 = 0xffffffffn;
  const wv = fn.let(w);
  const wh = fn.let(shrU(wv, 32n));
  const wl = fn.let(and(wv, m32));
  const ll = fn.let(mul(ml, wl));
  const lh = fn.let(mul(ml, wh));
  const hl = fn.let(mul(mh, wl));
  const mid = fn.let(add(add(shrU(ll, 32n), and(lh, m32)), and(hl, m32)));
  const lo = fn.let(or(shl(mid, 32n), and(ll, m32)));
  const hi = fn.let(add(add(add(mul(mh, wh), shrU(lh, 32n)), shrU(hl, 32n)), shrU(mid, 32n)));
  return [hi, lo];
}

/** Emit remPio2Large(ax) for ax >= 2^20 finite: Payne-Hanek reduction. */
function buildPayneHanek(fn: Fn, ctx: MathContext): void {
  const ax = fn.param(0);
  const u = fn.let(bits(ax));
  const m = fn.let(or(and(u, 0xfffffffffffffn), 1n << 52n)); // ax = m 2^(E - 1075)
  // the window starts at bit E - 1013 of the padded table (the bit worth 2^-(e-1) of 2/pi)
  const g0 = fn.let(sub(wrap(shrU(u, 52n)), 1013));
  const w = fn.let(shrS(g0, 6));
  const s = fn.let(extendU(and(g0, 63)));
  const rs = fn.let(sub(63n, s));
  const table = ctx.helper('twoOverPiWord', [I32], [I64], buildTable);
  const word = (i: number): Local => fn.let(call(table, I64, add(w, i)));
  const t0 = word(0);
  const t1 = word(1);
  const t2 = word(2);
  const t3 = word(3);
  const join = (a: Local, b: Local) => or(shl(a, s), shrU(shrU(b, 1n), rs));
  const mh = fn.let(shrU(m, 32n));
  const ml = fn.let(and(m, 0xffffffffn));
  const [ch, cl] = mul64(fn, mh, ml, join(t2, t3));
  const [bh, bl] = mul64(fn, mh, ml, join(t1, t2));
  // m times the window, mod 2^192 (higher bits are multiples of 4): limbs r2 r1 r0
  const r1 = fn.let(add(ch, bl));
  const r2 = fn.let(add(add(bh, mul(m, join(t0, t1))), extendU(ltU(r1, ch))));
  // the fraction, signed (rounding n to nearest), as 192 bits f2 f1 f0
  const f2 = fn.let(or(shl(r2, 2n), shrU(r1, 62n)));
  const f1 = fn.let(or(shl(r1, 2n), shrU(cl, 62n)));
  const f0 = fn.let(shl(cl, 2n));
  const negative = fn.let(lt(f2, 0n));
  const n = fn.let(add(wrap(shrU(r2, 62n)), negative));
  fn.if(negative, () => {
    // |f| = ~f up to one unit of 2^-192
    for (const l of [f2, f1, f0]) fn.set(l, xor(l, -1n));
  });
  const shift = fn.let(lit(0, I32)); // extra leading zero words (never needed for doubles; kept safe)
  fn.if(eqz(f2), () => {
    fn.set(f2, f1);
    fn.set(f1, f0);
    fn.set(f0, 0n);
    fn.set(shift, 64);
  });
  const lz = fn.let(clz64(f2));
  const hi = fn.let(or(shl(f2, lz), shrU(shrU(f1, 1n), sub(63n, lz))));
  const lo = fn.let(or(shl(f1, lz), shrU(shrU(f0, 1n), sub(63n, lz))));
  const e = fn.let(add(wrap(lz), shift));
  // fraction = a + b, a holding the top 53 bits exactly
  const a = fn.let(mul(f64OfI64(shrU(hi, 11n)), scaleOf(sub(-53, e))));
  const b = fn.let(mul(f64OfU64(or(shl(and(hi, 0x7ffn), 53n), shrU(lo, 11n))), scaleOf(sub(-117, e))));
  // y = (a + b) pi/2 with a * PIO2_HI exact (Dekker)
  const c = fn.let(mul(a, 134217729));
  const ah = fn.let(sub(c, sub(c, a)));
  const al = fn.let(sub(a, ah));
  const p = fn.let(mul(a, PIO2_HI));
  const [ph, pl] = PIO2_SPLIT;
  const err = add(add(add(sub(mul(ah, ph), p), mul(ah, pl)), mul(al, ph)), mul(al, pl));
  const tail = fn.let(add(err, add(mul(a, PIO2_LO), mul(b, PIO2_HI))));
  const y0 = fn.let(add(p, tail));
  const y1 = fn.let(sub(tail, sub(y0, p)));
  fn.ret(n, select(negative, neg(y0), y0), select(negative, neg(y1), y1));
}

/** Emit twoOverPiWord(i): word i of TWO_OVER_PI_WORDS (a br_table over constants). */
function buildTable(fn: Fn): void {
  fn.tableI64(fn.param(0), TWO_OVER_PI_WORDS);
}
