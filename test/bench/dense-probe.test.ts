/**
 * @file The dense-layout probe of the scaling bench (bench/dense-probe.ts) computes what the
 * engine computes: the same straight-line programs, the same instruction count, and the same
 * value and gradient as the engine's interpreted `grad`, so its timings compare like with like.
 */
import { describe, expect, it } from 'vitest';
import { WIDTH, countInstrs, probeStraightLine, straightLine } from '../../bench/engine-scaling.ts';
import { probeGradient, probeOps, probeTrace } from '../../bench/dense-probe.ts';
import { interp, valueAndGrad } from '../../engine/index.ts';
import { funcOf } from '../../engine/trace/fn.ts';

describe('dense-layout probe', () => {
  it.each([8, 64, 1000])('traces the straight-line program of %i ops to as many instructions as the engine', (n) => {
    const f = probeStraightLine(n);
    expect(f.length - f.params.length).toBe(countInstrs(funcOf(straightLine(n), 'bench')));
  });

  it.each([8, 64, 1000])('gives the engine value and gradient of the %i-op program', (n) => {
    const x = Array.from({ length: WIDTH }, (_, i) => 0.3 * i - 0.9);
    const probe = probeGradient(probeStraightLine(n), x);
    const { value, grad } = interp(valueAndGrad(straightLine(n)))(x) as { value: number; grad: number[] };
    expect(probe.value).toBe(value);
    // the probe sums cotangents in another order than the engine: equal up to rounding
    probe.gradient.forEach((g, i) => expect(g).toBeCloseTo(grad[i]!, 12));
    expect(probe.gradient.some((g) => g !== 0)).toBe(true);
  });

  it('rejects values of another trace and non-numbers, as the engine does', () => {
    let escaped: unknown;
    probeTrace(WIDTH, (v) => (escaped = v[0]!));
    expect(() => probeTrace(WIDTH, (v) => probeOps.add(v[0]!, escaped as never))).toThrow(/foreign/);
    expect(() => probeTrace(WIDTH, (v) => probeOps.add(v[0]!, '1' as never))).toThrow(/foreign/);
    expect(() => probeTrace(WIDTH, (v) => v[WIDTH]!)).toThrow(/index/);
  });
});
