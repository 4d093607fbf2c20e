/**
 * @file The engine bench's page-fault meter (bench/page-faults.ts): the counter counts this
 * process's faults, and the cost per fault is the time of touching fresh pages over the faults
 * that took, or NaN when nothing faulted.
 */
import { describe, expect, it } from 'vitest';
import { faultCost, minorFaults } from '../../bench/page-faults.ts';

describe('page-fault meter', () => {
  it('counts the faults of touching fresh memory', () => {
    const before = minorFaults();
    const pages = new Uint8Array(8 << 20);
    for (let i = 0; i < pages.length; i += 4096) pages[i] = 1;
    // 2048 fresh pages of 4 KB: at most one fault each (fewer with huge pages), and some other
    // faults of this process (the test runner's threads) may fall in between
    const faults = minorFaults() - before;
    expect(faults).toBeGreaterThan(0);
    expect(faults).toBeLessThan(2048 + 1024);
  });

  it('prices a fault at the time of the faulting rounds over their faults', () => {
    let calls = 0;
    // a counter that reports 20000 faults per round (each round reads it twice): more than
    // half of a round's 16384 pages
    const fake = () => (calls++ % 2 === 0 ? 0 : 20000);
    const t0 = performance.now();
    const us = faultCost(fake, 3);
    const elapsedUs = (performance.now() - t0) * 1000;
    expect(us).toBeGreaterThan(0);
    // three rounds of 20000 faults each took `elapsed` in all: one round's price is below it
    expect(us).toBeLessThanOrEqual(elapsedUs / 20000);
  });

  it('gives NaN, not Infinity or a crash, when touching memory causes no faults', () => {
    expect(faultCost(() => 42, 2)).toBeNaN();
  });

  it('ignores rounds where most pages did not fault (memory that was not fresh)', () => {
    let calls = 0;
    // 100 faults for 16384 pages: the time would be that of zeroing reused memory, not faults
    expect(faultCost(() => (calls++ % 2 === 0 ? 0 : 100), 2)).toBeNaN();
  });

  it('measures a positive, finite cost on this machine', () => {
    const us = faultCost(minorFaults, 3);
    expect(Number.isFinite(us)).toBe(true);
    expect(us).toBeGreaterThan(0);
  });
});
