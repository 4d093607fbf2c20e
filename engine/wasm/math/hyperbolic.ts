/**
 * @file sinh, cosh and tanh, within one ulp: built on `expCore` (e^x = 2^k (1 + p) with p a
 * double-double), so e^x and e^-x are combined in double-double and rounded once. Near 0, sinh uses
 * its Taylor series (no cancellation) and tanh uses T/(T + 2) with T = e^(2|x|) - 1 exact to the
 * kernel's precision; beyond 22 the small exponential is below the last bit.
 */
import { F64, I32 } from '../encoder.ts';
import {
  type Expr, type Fn, type Local, abs, add, copysign, div, eq, fastTwoSum, gt, horner, lit, lt, mul, ne, neg, scaleOf, sub,
  twoProd, twoSum,
} from './dsl.ts';
import { expCore } from './exp-log.ts';
import type { MathContext } from './index.ts';

/** Above this |x|, sinh and cosh overflow. */
const OVERFLOW = 710.4758600739439;

/** Taylor coefficients 1/n! for odd n = 3..17: sinh x = x + x^3 (1/3! + x^2/5! + ...). */
const SINH_TAYLOR = Array.from({ length: 8 }, (_, i) => {
  let f = 1;
  for (let n = 2; n <= 2 * i + 3; n++) f *= n;
  return 1 / f;
});

/** Call expCore(v) and return k and u = 1 + p as a double-double (uh, ul): e^v = 2^k (uh + ul). */
function expParts(fn: Fn, ctx: MathContext, v: Local): [Local, Local, Local] {
  const k = fn.local(I32);
  const ph = fn.local(F64);
  const pl = fn.local(F64);
  fn.callInto(expCore(ctx), [v], [k, ph, pl]);
  const [uh, ue] = fastTwoSum(fn, fn.let(1), ph);
  return [k, uh, fn.let(add(ue, pl))];
}

/** Return (qh, ql) ~ (nh + nl)/(dh + dl) with a relative error near 2^-100. */
function ddDiv(fn: Fn, nh: Local, nl: Local | number, dh: Local, dl: Local): [Local, Local] {
  const qh = fn.let(div(nh, dh));
  const [p, pe] = twoProd(fn, qh, dh);
  // nh - p is exact (Sterbenz); the rest of the remainder is small
  const rem = sub(add(sub(sub(nh, p), pe), nl), mul(qh, dl));
  return [qh, fn.let(div(rem, dh))];
}

/** Return 2^k y for k <= 1025 (y < 2): two exact scalings, so overflow happens only at the end. */
function scaleUp(k: Local, y: Local) {
  return mul(mul(y, scaleOf(sub(k, 2))), 4);
}

/** Return (e^|x| + sign e^-|x|)/2, passed through `finish`, for |x| <= OVERFLOW (0.5 <= |x| for sinh). */
function combine(fn: Fn, ctx: MathContext, ax: Local, sign: 1 | -1, finish: (v: Expr) => Expr): void {
  const [k, uh, ul] = expParts(fn, ctx, ax);
  fn.if(gt(ax, 22), () => {
    // e^-|x| is below the last bit: (e^|x|)/2 = 2^(k-1) u
    fn.ret(finish(scaleUp(k, fn.let(mul(add(uh, ul), 0.5)))));
  });
  // 1/u as a double-double, then 2^k u +- 2^-k / u, rounded once
  const [vh, vl] = ddDiv(fn, fn.let(1), 0, uh, ul);
  const up = fn.let(scaleOf(k));
  const down = fn.let(scaleOf(sub(0, k)));
  const a = fn.let(mul(up, uh));
  const b = fn.let(mul(down, sign === 1 ? vh : sub(0, vh)));
  const [dh, dl] = twoSum(fn, a, b);
  const low = add(dl, sign === 1 ? add(mul(up, ul), mul(down, vl)) : sub(mul(up, ul), mul(down, vl)));
  fn.ret(finish(mul(add(dh, low), 0.5)));
}

/** sinh(x). */
export function buildSinh(fn: Fn, ctx: MathContext): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  fn.if(lt(ax, 0.5), () => {
    const s = fn.let(mul(x, x));
    fn.ret(add(x, mul(mul(x, s), horner(s, SINH_TAYLOR))));
  });
  fn.if(ne(x, x), () => fn.ret(x));
  fn.if(gt(ax, OVERFLOW), () => fn.ret(copysign(lit(Infinity, F64), x)));
  combine(fn, ctx, ax, -1, (v) => copysign(v, x));
}

/** cosh(x). */
export function buildCosh(fn: Fn, ctx: MathContext): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  fn.if(lt(ax, 2 ** -27), () => fn.ret(lit(1, F64)));
  fn.if(ne(x, x), () => fn.ret(x));
  fn.if(gt(ax, OVERFLOW), () => fn.ret(lit(Infinity, F64)));
  combine(fn, ctx, ax, 1, (v) => v);
}

/** tanh(x). */
export function buildTanh(fn: Fn, ctx: MathContext): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  fn.if(ne(x, x), () => fn.ret(x));
  fn.if(gt(ax, 22), () => fn.ret(copysign(lit(1, F64), x)));
  fn.if(lt(ax, 2 ** -28), () => fn.ret(x));
  const [k, uh, ul] = expParts(fn, ctx, fn.let(mul(2, ax))); // e^(2|x|) = 2^k (uh + ul)
  fn.if(eq(k, 0), () => {
    // tanh = T/(T + 2) with T = e^(2|x|) - 1 = (uh - 1) + ul, exact subtraction
    const th = fn.let(sub(uh, 1));
    const [dh, de] = fastTwoSum(fn, fn.let(2), th);
    const [qh, ql] = ddDiv(fn, th, ul, dh, fn.let(add(de, ul)));
    fn.ret(copysign(add(qh, ql), x));
  });
  // tanh = 1 - 2/(E + 1), E = 2^k u
  const up = fn.let(scaleOf(k));
  const [dh, de] = twoSum(fn, fn.let(mul(up, uh)), fn.let(1));
  const [qh, ql] = ddDiv(fn, fn.let(2), 0, dh, fn.let(add(de, mul(up, ul))));
  const [s, se] = fastTwoSum(fn, fn.let(1), fn.let(neg(qh))); // 1 - qh is not exact below qh = 1/2
  fn.ret(copysign(add(s, sub(se, ql)), x));
}
