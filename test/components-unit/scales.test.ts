/** @file Scales, ticks and number labels of `<rose-plot>` (components/rose-plot/scales.ts, components/shared/format.ts). */
import { describe, expect, it } from 'vitest';
import {
  formatExponent,
  formatTick,
  linearScale,
  logScale,
  logTicks,
  niceTicks,
  tickStep,
} from '../../components/rose-plot/scales.ts';
import { formatNumber } from '../../components/shared/format.ts';

describe('linearScale', () => {
  it('maps the domain onto the range and back, including flipped ranges', () => {
    const s = linearScale([-2, 2], [300, 0]);
    expect(s.map(-2)).toBe(300);
    expect(s.map(2)).toBe(0);
    expect(s.map(0)).toBe(150);
    expect(s.invert(75)).toBe(1);
  });

  it('widens an empty domain instead of dividing by zero', () => {
    const s = linearScale([3, 3], [0, 100]);
    expect(s.domain).toEqual([2, 4]);
    expect(s.map(3)).toBe(50);
  });
});

describe('logScale', () => {
  it('spaces decades evenly', () => {
    const s = logScale([1e-4, 1], [100, 0]);
    expect(s.map(1e-4)).toBeCloseTo(100);
    expect(s.map(1e-2)).toBeCloseTo(50);
    expect(s.invert(25)).toBeCloseTo(0.1);
  });

  it('replaces non-positive ends by a positive floor and maps non-positive values to it', () => {
    const s = logScale([0, 100], [0, 90]);
    expect(s.domain[0]).toBeGreaterThan(0);
    expect(Number.isFinite(s.map(-5))).toBe(true);
    expect(s.map(-5)).toBe(s.map(s.domain[0]));
  });
});

describe('ticks', () => {
  it('picks 1, 2 or 5 times a power of ten', () => {
    expect(tickStep(10, 5)).toBe(2);
    expect(tickStep(1, 10)).toBe(0.1);
    expect(tickStep(700, 4)).toBe(200);
    expect(tickStep(0.03, 3)).toBe(0.01);
  });

  it('returns round values inside the interval', () => {
    expect(niceTicks(-2, 2, 5)).toEqual([-2, -1, 0, 1, 2]);
    expect(niceTicks(-1, 3, 8)).toEqual([-1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3]);
    expect(niceTicks(0.1, 0.35, 5)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    expect(niceTicks(1, 1, 5)).toEqual([1]);
    expect(niceTicks(NaN, 1, 5)).toEqual([]);
  });

  it('puts log ticks on powers of ten, thinned when there are many decades', () => {
    expect(logTicks(1e-3, 10, 10)).toEqual([1e-3, 1e-2, 1e-1, 1, 10]);
    expect(logTicks(1e-12, 1e4, 4)).toEqual([1e-10, 1e-5, 1]);
    expect(logTicks(2, 60, 5)).toEqual([2, 5, 10, 20, 50]);
  });
});

describe('labels', () => {
  it('shares decimals between ticks and uses a real minus sign', () => {
    const ticks = [-0.5, 0, 0.5, 1];
    expect(ticks.map((t) => formatTick(t, ticks))).toEqual(['\u22120.5', '0', '0.5', '1.0']);
  });

  it('writes huge and tiny ticks as powers of ten', () => {
    expect(formatExponent(1e-6)).toBe('10\u207b\u2076');
    expect(formatExponent(2e5)).toBe('2\u00d710\u2075');
    expect(formatTick(1e-6, [1e-6, 1e-4])).toBe('10\u207b\u2076');
    expect(formatTick(1e-6, [1e-6, 1e-3, 1], true)).toBe('10\u207b\u2076');
    expect(formatTick(0.1, [0.1, 1, 10], true)).toBe('0.1');
  });

  it('formats readouts with 4 significant digits and names non-finite values', () => {
    expect(formatNumber(Math.PI)).toBe('3.142');
    expect(formatNumber(-0.000012345)).toBe('\u22121.23e\u22125');
    expect(formatNumber(Infinity)).toBe('\u221e');
    expect(formatNumber(NaN)).toBe('NaN');
  });
});
