/**
 * @file Page faults in the engine bench (Node only): a counter of this process's minor page
 * faults, and what one costs on this machine. Every byte of IR a pass keeps is on memory the heap
 * took fresh from the system, so each new page of it is a fault; on the virtual machines the
 * benches run on, a fault costs microseconds, and the faults are a large share of the passes'
 * time. The engine bench prints both, so a run shows how much of its figures they are.
 */
import { resourceUsage } from 'node:process';

/** Return the number of minor page faults of this process so far. */
export const minorFaults = (): number => resourceUsage().minorPageFault;

/** What page faults cost here, for the engine-scaling tables. */
export interface FaultMeter {
  /** The count of faults so far (the tables difference it around each step). */
  readonly count: () => number;
  /** Microseconds per fault (`faultCost`); NaN when not measurable. */
  readonly costUs: number;
}

/** The size of a page on the machines the benches run on (x86-64 Linux). */
const PAGE = 4096;

/**
 * Return the median time in microseconds of one minor page fault: memory fresh from the system
 * (buffers of 4 MB, allocated and dropped in turn) touched one page at a time, over `rounds`
 * rounds. NaN when touching fresh memory caused no faults (huge pages, say).
 */
export function faultCost(count: () => number = minorFaults, rounds = 9): number {
  const perFault: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const f0 = count();
    const t0 = performance.now();
    let sum = 0;
    for (let k = 0; k < 16; k++) {
      const buffer = new Uint8Array(4 << 20);
      for (let i = 0; i < buffer.length; i += PAGE) buffer[i] = 1;
      sum += buffer[buffer.length - PAGE]!;
    }
    const ms = performance.now() - t0;
    const faults = count() - f0;
    if (faults > 0 && sum > 0) perFault.push((ms * 1000) / faults);
  }
  if (perFault.length === 0) return NaN;
  perFault.sort((a, b) => a - b);
  return perFault[Math.floor(perFault.length / 2)]!;
}

/** Return the fault meter of this process: its counter and the cost of a fault, measured now. */
export function faultMeter(): FaultMeter {
  return { count: minorFaults, costUs: faultCost() };
}
