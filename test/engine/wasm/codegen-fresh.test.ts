/**
 * @file Fresh accumulators passed to callees (engine/wasm/codegen-fresh.ts): when every call of
 * a function passes a new, untouched accumulator for an aggregate `ref` parameter, the caller
 * does not fill it and the callee initializes it (its first add into each element adds to 0, the
 * other elements are zeroed at entry, or the whole is filled when the callee does more than add).
 * Checked: which parameters are fresh, the fills and loads that remain, and results equal to the
 * interpreter's bit for bit (signed zeros, NaN, infinities, orders of additions), including
 * callees called both with fresh and with used accumulators, calls in loops and gradients of a
 * step function called many times.
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, fn, grad, mul, sqrt, sub, add } from '../../../engine/index.ts';
import { FuncBuilder } from '../../../engine/ir/builder.ts';
import { REAL, finTy, refTy, structTy, vecTy, type Func, type TransparentFunc, type Var } from '../../../engine/ir/types.ts';
import { funcOf } from '../../../engine/trace/fn.ts';
import { generate } from '../../../engine/wasm/codegen.ts';
import { eliminateCommon } from '../../../engine/wasm/codegen-cse.ts';
import { findFreshAccumulators } from '../../../engine/wasm/codegen-fresh.ts';
import { checkAgainstInterp, countOps, useWasmText, wasmText } from './codegen-harness.ts';

useWasmText();

const V3 = vecTy(3, REAL);
const PAIR = structTy(['a', 'b'], [V3, V3]); // 48 bytes: over the unrolled-fill limit? see below
const SAMPLES = [0.5, -0, 1e16, -Infinity, NaN];

/**
 * Return `adds(acc: ref<{a: vec3, b: vec3}>, x) -> unit`: adds into some elements (one of them
 * twice, one with -x, so a -0 shows), never into b[1].
 */
function adder(): TransparentFunc {
  const b = new FuncBuilder('adds');
  const acc = b.param(refTy(PAIR));
  const x = b.param(REAL);
  const at = (m: number, k: number): Var => b.slice(b.field(acc, m), b.lit(k, finTy(3)));
  b.add(at(0, 0), x);
  b.add(at(0, 1), b.prim('mul', [x, x]));
  b.add(at(0, 0), b.real(1));
  b.add(at(0, 2), b.prim('neg', [x]));
  b.add(at(1, 0), b.prim('mul', [x, b.real(-0)]));
  b.add(at(1, 2), x);
  return b.finish(b.unit());
}

/** Return `f(x) -> {r0, r1}` calling `g` on two new accumulators, resolving each after. */
function caller(g: Func, touchFirst: boolean): TransparentFunc {
  const b = new FuncBuilder('caller');
  const x = b.param(REAL);
  const p = b.accum(b.zero(PAIR));
  const q = b.accum(b.zero(PAIR));
  if (touchFirst) b.add(b.slice(b.field(q, 1), b.lit(1, finTy(3))), b.real(2));
  b.call(g, [p, x]);
  b.call(g, [q, b.prim('mul', [x, b.real(3)])]);
  const out = b.struct([b.resolve(p), b.resolve(q)], structTy(['r0', 'r1'], [PAIR, PAIR]));
  return b.finish(out);
}

/** Return the fresh parameters found for `g` in the module of `f` (callees listed by `funcs`). */
function freshOf(funcs: readonly TransparentFunc[], g: Func): number[] {
  const numbered = new Map<Func, TransparentFunc>(funcs.map((h) => [h, eliminateCommon(h)]));
  const found = findFreshAccumulators(numbered).params.get(g);
  return found === undefined ? [] : [...found];
}

describe('fresh accumulators', () => {
  it('lets the callee initialize new accumulators: no fill, no load before the first adds', () => {
    const g = adder();
    const f = caller(g, false);
    expect(freshOf([g, f], g)).toEqual([1, 0]);
    for (const x of SAMPLES) checkAgainstInterp(f, [x]);
    const text = wasmText(generate(f).bytes);
    expect(text.split('(memory.fill').length - 1).toBe(0);
    // the callee loads only for the second add into a[0] (after the first, in a run: none)
    const callee = text.slice(text.indexOf('\n (func $0 '), text.indexOf('\n (func $1 '));
    expect(callee.split('(f64.load').length - 1).toBe(0);
    // b[1] is never added to: zeroed at entry by the callee
    expect(callee).toContain('(i64.store offset=32');
  });

  it('keeps add runs into a fresh accumulator open across adds through other pointers', () => {
    // a fresh parameter is new storage of the caller's: it aliases no other pointer parameter
    const b = new FuncBuilder('interleaved');
    const acc = b.param(refTy(V3));
    const other = b.param(refTy(V3));
    const x = b.param(REAL);
    const at = (r: Var, k: number): Var => b.slice(r, b.lit(k, finTy(3)));
    for (let k = 0; k < 3; k++) {
      b.add(at(acc, 0), x);
      b.add(at(other, k), x);
      b.add(at(acc, 0), b.prim('mul', [x, b.real(k + 1)]));
    }
    const g = b.finish(b.unit());
    const c = new FuncBuilder('caller3');
    const y = c.param(REAL);
    const p = c.param(refTy(V3));
    const q = c.accum(c.zero(V3));
    c.call(g, [q, p, y]);
    const f = c.finish(c.resolve(q));
    expect(freshOf([g, f], g)).toEqual([1, 0, 0]);
    const text = wasmText(generate(f).bytes);
    const callee = text.slice(text.indexOf('\n (func $0 '), text.indexOf('\n (func $1 '));
    // acc[0]: one run, no load, one store; other[k]: a load and a store each
    expect(callee.split('(f64.load').length - 1).toBe(3);
    expect(callee.split('(f64.store').length - 1).toBe(4);
  });

  it('keeps the fill when some call passes an accumulator already added to', () => {
    const g = adder();
    const f = caller(g, true);
    expect(freshOf([g, f], g)).toEqual([]);
    for (const x of SAMPLES) checkAgainstInterp(f, [x]);
  });

  it('fills at entry when the callee passes the accumulator on, adds in a loop, or resolves it', () => {
    const inner = adder();
    const b = new FuncBuilder('passes');
    const acc = b.param(refTy(PAIR));
    const x = b.param(REAL);
    b.add(b.slice(b.field(acc, 1), b.lit(1, finTy(3))), x);
    b.call(inner, [acc, x]); // passed on: inner's parameter is not fresh (this call's is used)
    b.forLoop(3, (i) => b.add(b.slice(b.field(acc, 0), i), b.real(0.25)));
    const seen = b.resolve(acc);
    const g = b.finish(b.index(b.member(seen, 0), b.lit(2, finTy(3))));
    const c = new FuncBuilder('caller2');
    const y = c.param(REAL);
    const p = c.accum(c.zero(PAIR));
    const r = c.call(g, [p, y]);
    const f = c.finish(c.struct([r, c.resolve(p)], structTy(['r', 'p'], [REAL, PAIR])));
    expect(freshOf([inner, g, f], g)).toEqual([1, 0]);
    expect(freshOf([inner, g, f], inner)).toEqual([]);
    expect(countOps(f, 'memory.fill') + countOps(f, 'i64.store')).toBeGreaterThan(0);
    for (const x0 of SAMPLES) checkAgainstInterp(f, [x0]);
  });

  it('passes an accumulator fresh only in its own block, and only once per call', () => {
    const g = adder();
    const two = new FuncBuilder('two');
    const a1 = two.param(refTy(PAIR));
    const a2 = two.param(refTy(PAIR));
    const z = two.param(REAL);
    two.call(g, [a1, z]);
    two.call(g, [a2, two.prim('neg', [z])]);
    const twoF = two.finish(two.unit());
    const b = new FuncBuilder('loops');
    const x = b.param(REAL);
    const outside = b.accum(b.zero(PAIR));
    const each = b.forLoop(2, () => {
      const inside = b.accum(b.zero(PAIR));
      b.call(g, [inside, x]); // fresh each iteration
      b.call(g, [outside, x]); // the same accumulator every iteration: not fresh
      return b.resolve(inside);
    });
    const same = b.accum(b.zero(PAIR));
    b.call(twoF, [same, same, x]); // twice in one call: not fresh
    const out = b.struct([each, b.resolve(outside), b.resolve(same)], structTy(['e', 'o', 's'], [vecTy(2, PAIR), PAIR, PAIR]));
    const f = b.finish(out);
    expect(freshOf([g, twoF, f], g)).toEqual([]);
    expect(freshOf([g, twoF, f], twoF)).toEqual([]);
    for (const x0 of SAMPLES) checkAgainstInterp(f, [x0]);
  });

  it('gives gradients through a step function called many times equal to the interpreter', () => {
    const S = Vec(3, Real);
    const step = fn([{ p: S, v: S }, Real], { p: S, v: S }, (s, k) => {
      const d = sub(s.p[1]!, s.p[0]!);
      const len = sqrt(add(mul(d, d), 1));
      const f = mul(k, len);
      const v = [add(s.v[0]!, f), sub(s.v[1]!, f), s.v[2]!];
      return { p: [add(s.p[0]!, mul(0.1, v[0]!)), add(s.p[1]!, mul(0.1, v[1]!)), s.p[2]!], v };
    });
    const loss = fn([Real], Real, (k) => {
      let s: { p: unknown; v: unknown } = { p: [0, 1, 2], v: [0, 0, 0] };
      for (let t = 0; t < 6; t++) s = step(s as never, k) as never;
      const p = (s as { p: Real[] }).p;
      return add(mul(p[0]!, p[1]!), p[2]!);
    });
    const g = funcOf(grad(loss), 'test');
    const text = wasmText(generate(g).bytes);
    expect(text.split('(memory.fill').length - 1).toBeLessThanOrEqual(1);
    for (const k of [0.3, -2, 0, -0]) checkAgainstInterp(g, [k]);
  });
});
