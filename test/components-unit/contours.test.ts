/** @file Marching squares, contour levels and the viridis table of `<rose-plot>`. */
import { describe, expect, it } from 'vitest';
import { VIRIDIS, colorIndex, cssColor, luminance, parseHex } from '../../components/rose-plot/colormap.ts';
import { contourLevels, fieldExtent, normalizer, robustExtent } from '../../components/rose-plot/levels.ts';
import { contourSegments, crossing } from '../../components/rose-plot/marching-squares.ts';

/** Return the grid of `f` at integer points (i, j), row-major. */
function grid(nx: number, ny: number, f: (i: number, j: number) => number): Float64Array {
  const out = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) out[j * nx + i] = f(i, j);
  return out;
}

/** Return the segments as a list of [x0, y0, x1, y1]. */
function segments(flat: Float64Array): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < flat.length; k += 4) out.push(Array.from(flat.subarray(k, k + 4)));
  return out;
}

describe('contourSegments', () => {
  it('puts a vertical line where a linear ramp crosses the level', () => {
    const values = grid(5, 3, (i) => i); // value = column
    const segs = segments(contourSegments(values, 5, 3, 2.5));
    expect(segs).toHaveLength(2); // one per row of cells
    for (const [x0, , x1] of segs) {
      expect(x0).toBeCloseTo(2.5);
      expect(x1).toBeCloseTo(2.5);
    }
  });

  it('traces a circle whose points lie on the level set', () => {
    const n = 41;
    const c = (n - 1) / 2;
    const values = grid(n, n, (i, j) => Math.hypot(i - c, j - c));
    const flat = contourSegments(values, n, n, 10);
    expect(flat.length).toBeGreaterThan(40 * 4);
    for (let k = 0; k < flat.length; k += 2)
      expect(Math.abs(Math.hypot(flat[k]! - c, flat[k + 1]! - c) - 10)).toBeLessThan(0.05);
  });

  it('resolves saddles by the centre value', () => {
    // corners a=1 (i,j), b=0, c=1, d=0: case 5 (a and c above 0.5)
    const below = Float64Array.from([1, 0, 0, 1]); // rows: [a, b], [d, c]
    const centreAbove = Float64Array.from([3, 0, 0, 3]);
    const low = segments(contourSegments(below, 2, 2, 0.6)); // centre 0.5 < 0.6: a and c isolated
    const high = segments(contourSegments(centreAbove, 2, 2, 1)); // centre 1.5 > 1: b and d isolated
    expect(low).toHaveLength(2);
    expect(high).toHaveLength(2);
    // isolating corner a (0, 0) means a segment from the left edge to the bottom edge
    expect(low[0]).toEqual([0, expect.closeTo(0.4), expect.closeTo(0.4), 0]);
    // isolating corner d (0, 1) means a segment from the left edge to the top edge
    expect(high[0]).toEqual([0, expect.closeTo(2 / 3), expect.closeTo(1 / 3), 1]);
  });

  it('skips cells with non-finite corners and levels outside the field', () => {
    const values = grid(4, 4, (i) => (i === 1 ? NaN : i));
    const segs = segments(contourSegments(values, 4, 4, 2.5));
    expect(segs).toHaveLength(3); // only the cells between columns 2 and 3
    expect(contourSegments(values, 4, 4, 99)).toHaveLength(0);
  });

  it('interpolates crossings and handles flat edges', () => {
    expect(crossing(0, 4, 1)).toBe(0.25);
    expect(crossing(2, 2, 2)).toBe(0.5);
  });
});

describe('levels', () => {
  it('finds the finite extent and where the minimum is', () => {
    expect(fieldExtent([3, NaN, -1, Infinity, 7])).toEqual({ min: -1, max: 7, argmin: 2 });
    expect(fieldExtent([NaN]).argmin).toBe(-1);
  });

  it('gives round linear levels strictly inside the extent', () => {
    expect(contourLevels({ min: 0, max: 10, argmin: 0 }, 5, false)).toEqual([2, 4, 6, 8]);
    expect(contourLevels({ min: 1, max: 1, argmin: 0 }, 5, false)).toEqual([]);
  });

  it('spaces log levels geometrically for a positive field over many decades', () => {
    const levels = contourLevels({ min: 1e-3, max: 2500, argmin: 0 }, 10, true);
    expect(levels).toHaveLength(10);
    const ratios = levels.slice(1).map((v, k) => v / levels[k]!);
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0]!, 9);
    expect(ratios[0]).toBeGreaterThan(1);
    const fromZero = contourLevels({ min: 0, max: 2500, argmin: 0 }, 12, true);
    expect(fromZero[0]).toBeGreaterThan(0);
    expect(fromZero[0]).toBeLessThan(2); // detail in the valley
    for (let k = 1; k < fromZero.length; k++) expect(fromZero[k]!).toBeGreaterThan(fromZero[k - 1]!);
  });

  it('takes a robust low end, so one near-zero point does not stretch a log scale', () => {
    const values = Float64Array.from({ length: 1000 }, (_, k) => 1 + k);
    values[500] = 1e-9;
    const e = robustExtent(values, 0.01);
    expect(e.min).toBe(1e-9);
    expect(e.low).toBe(10);
    const n = normalizer(e, true);
    expect(n.norm(10)).toBe(0);
    expect(n.norm(1e-9)).toBe(0);
    expect(n.norm(1000)).toBe(1);
    expect(n.norm(100)).toBeCloseTo(0.5, 2);
  });

  it('normalises log fields that reach zero or below without NaN', () => {
    const n = normalizer({ min: -3, max: 5, argmin: 0 }, true);
    expect(n.norm(-3)).toBe(0);
    expect(n.norm(5)).toBe(1);
    expect(n.norm(0)).toBeGreaterThan(0);
    expect(n.norm(NaN)).toBeNaN();
    expect(n.value(n.norm(1))).toBeCloseTo(1);
  });
});

describe('viridis', () => {
  it('runs from dark purple to yellow, getting lighter', () => {
    expect(cssColor(VIRIDIS, 0)).toBe('rgb(68, 1, 84)');
    expect(cssColor(VIRIDIS, 1)).toBe('rgb(253, 231, 37)');
    for (let t = 0.1; t <= 1; t += 0.1)
      expect(luminance(VIRIDIS, t)).toBeGreaterThan(luminance(VIRIDIS, t - 0.1));
  });

  it('clamps and flags NaN', () => {
    expect(colorIndex(-1)).toBe(0);
    expect(colorIndex(2)).toBe(255);
    expect(colorIndex(NaN)).toBe(-1);
    expect(parseHex('#21918c')).toEqual([0x21, 0x91, 0x8c]);
  });
});
