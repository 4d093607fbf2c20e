/**
 * @file sinh, cosh and tanh, within one ulp: built on the double-double kernel `expCore` (e^x =
 * 2^k (1 + p), p a double-double), so e^|x| and e^-|x| are combined in double-double and rounded once.
 * Below 1/2, sinh and cosh use their Taylor series (x^2 exact for cosh) and tanh uses T/(T + 2) with
 * T = e^(2|x|) - 1 from the kernel. From 2 up, e^-|x| (or 2/(e^2|x| + 1)) is small enough to be
 * rounded once on its own; from 22 up it is below the last bit.
 */
import { F64 } from '../encoder.ts';
import {
  type Expr, type Fn, type Local, abs, add, copysign, div, eq, estrin, fastTwoSum, gt, lit, lt, mul, ne, neg, scaleOf,
  sub, twoProd, twoSquare,
} from './dsl.ts';
import { expCore } from './exp-log.ts';

/** Above this |x|, sinh and cosh overflow. */
const OVERFLOW = 710.4758600739439;

/** Return [1/a!, 1/(a+2)!, ...] (count terms). */
function inverseFactorials(a: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => {
    let f = 1;
    for (let n = 2; n <= a + 2 * i; n++) f *= n;
    return 1 / f;
  });
}

/** sinh x = x + x^3 (1/3! + x^2/5! + ... + x^14/17!) for |x| < 1/2. */
const SINH_TAYLOR = inverseFactorials(3, 8);
/** cosh x = 1 + x^2/2 + x^4 (1/4! + x^2/6! + ... + x^10/14!) for |x| < 1/2. */
const COSH_TAYLOR = inverseFactorials(4, 6);

/** Emit expCore(v) and return k and u = 1 + p as a double-double (uh, ul): e^v = 2^k (uh + ul). */
function expParts(fn: Fn, v: Expr): [Local, Local, Local] {
  const [k, ph, pl] = expCore(fn, v);
  const [uh, ue] = fastTwoSum(fn, fn.let(1), ph);
  return [k, uh, fn.let(add(ue, pl))];
}

/** Return the correction ql with qh + ql ~ (nh + nl)/(dh + dl), given qh = fl(nh/dh) (error ~2^-100). */
function divTail(fn: Fn, qh: Local, nh: Local, nl: Expr, dh: Local, dl: Expr): Expr {
  const [p, pe] = twoProd(fn, qh, dh);
  // nh - p is exact (Sterbenz); the rest of the remainder is small
  return div(sub(add(sub(sub(nh, p), pe), nl), mul(qh, dl)), dh);
}

/** Return 2^k y for k <= 1025 and y < 2: exact scalings, so overflow happens only in the last one. */
const scaleUp = (k: Local, y: Expr): Expr => mul(mul(y, scaleOf(sub(k, 2))), 4);

/**
 * Emit the returns of (e^ax + sign e^-ax)/2 for 1/2 <= ax <= OVERFLOW, through `finish`: e^-ax as a
 * double-double below 2, rounded alone from 2 up, dropped from 22 up.
 */
function combine(fn: Fn, ax: Local, sign: 1 | -1, finish: (v: Expr) => Expr): void {
  const [k, uh, ul] = expParts(fn, ax);
  fn.if(gt(ax, 22), () => fn.ret(finish(scaleUp(k, mul(add(uh, ul), 0.5)))));
  const up = fn.let(scaleOf(k));
  const down = fn.let(scaleOf(sub(0, k)));
  const vh = fn.let(div(1, uh)); // 1/u = vh + vl
  const vl = fn.let(0);
  fn.if(lt(ax, 2), () => fn.set(vl, divTail(fn, vh, fn.let(1), lit(0, F64), uh, ul)));
  const a = fn.let(mul(up, uh));
  const b = fn.let(mul(down, sign === 1 ? vh : neg(vh)));
  const [dh, dl] = fastTwoSum(fn, a, b); // a > |b|
  const low = sign === 1 ? add(mul(up, ul), mul(down, vl)) : sub(mul(up, ul), mul(down, vl));
  fn.ret(finish(mul(add(dh, add(dl, low)), 0.5)));
}

/** Emit the returns for NaN (itself) and |x| > OVERFLOW (infinity with the sign `finish` gives). */
function limits(fn: Fn, x: Local, ax: Local, finish: (v: Expr) => Expr): void {
  fn.if(ne(x, x), () => fn.ret(x));
  fn.if(gt(ax, OVERFLOW), () => fn.ret(finish(lit(Infinity, F64))));
}

/** sinh(x). */
export function buildSinh(fn: Fn): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  fn.if(lt(ax, 0.5), () => {
    const s = fn.let(mul(x, x));
    fn.ret(add(x, mul(mul(x, s), estrin(fn, s, SINH_TAYLOR))));
  });
  const signed = (v: Expr) => copysign(v, x);
  limits(fn, x, ax, signed);
  combine(fn, ax, -1, signed);
}

/** cosh(x). */
export function buildCosh(fn: Fn): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  fn.if(lt(ax, 0.5), () => {
    // 1 + x^2/2 + x^4 Q(x^2), with x^2 = q + qe exact
    const [q, qe] = twoSquare(fn, ax);
    const [a, ae] = fastTwoSum(fn, fn.let(1), fn.let(mul(q, 0.5)));
    fn.ret(add(a, add(add(ae, mul(qe, 0.5)), mul(mul(q, q), estrin(fn, q, COSH_TAYLOR)))));
  });
  limits(fn, x, ax, (v) => v);
  combine(fn, ax, 1, (v) => v);
}

/** tanh(x). */
export function buildTanh(fn: Fn): void {
  const x = fn.param(0);
  const ax = fn.let(abs(x));
  fn.if(ne(x, x), () => fn.ret(x));
  fn.if(gt(ax, 22), () => fn.ret(copysign(lit(1, F64), x)));
  fn.if(lt(ax, 2 ** -28), () => fn.ret(x));
  const [k, uh, ul] = expParts(fn, mul(2, ax)); // e^(2|x|) = 2^k (uh + ul)
  fn.if(eq(k, 0), () => {
    // tanh = T/(T + 2) with T = e^(2|x|) - 1 = (uh - 1) + ul, the subtraction exact
    const th = fn.let(sub(uh, 1));
    const [dh, de] = fastTwoSum(fn, fn.let(2), th);
    const qh = fn.let(div(th, dh));
    fn.ret(copysign(add(qh, divTail(fn, qh, th, ul, dh, add(de, ul))), x));
  });
  // tanh = 1 - 2/(E + 1) with E = 2^k u; from 2 up, 2/(E + 1) < 0.04 is rounded alone
  const up = fn.let(scaleOf(k));
  const [dh, de] = fastTwoSum(fn, fn.let(mul(up, uh)), fn.let(1));
  const qh = fn.let(div(2, dh));
  const ql = fn.let(0);
  fn.if(lt(ax, 2), () => fn.set(ql, divTail(fn, qh, fn.let(2), lit(0, F64), dh, add(de, mul(up, ul)))));
  const [s, se] = fastTwoSum(fn, fn.let(1), fn.let(neg(qh))); // 1 - qh is not exact below qh = 1/2
  fn.ret(copysign(add(s, sub(se, ql)), x));
}
