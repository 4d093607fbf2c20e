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
 * The size of the buffers touched: above glibc's largest threshold for serving an allocation
 * from its own mapping (32 MB), so that every buffer is memory fresh from the system. Smaller
 * ones may be served from memory freed before, which does not fault (one run priced a fault at
 * 1.1 ms that way: nearly no faults over the time of zeroing the reused memory).
 */
const BUFFER = 64 << 20;

/**
 * Return the median time in microseconds of one minor page fault: buffers of BUFFER bytes, fresh
 * from the system, touched one page at a time, over `rounds` rounds. A round counts only when at
 * least half of its pages faulted; NaN when none did (huge pages, say, or memory not fresh).
 */
export function faultCost(count: () => number = minorFaults, rounds = 7): number {
  const perFault: number[] = [];
  const pages = BUFFER / PAGE;
  for (let r = 0; r < rounds; r++) {
    const f0 = count();
    const t0 = performance.now();
    const buffer = new Uint8Array(BUFFER);
    for (let i = 0; i < buffer.length; i += PAGE) buffer[i] = 1;
    const ms = performance.now() - t0;
    const faults = count() - f0;
    if (faults >= pages / 2 && buffer[BUFFER - PAGE] === 1) perFault.push((ms * 1000) / faults);
  }
  if (perFault.length === 0) return NaN;
  perFault.sort((a, b) => a - b);
  return perFault[Math.floor(perFault.length / 2)]!;
}

/** Return the fault meter of this process: its counter and the cost of a fault, measured now. */
export function faultMeter(): FaultMeter {
  return { count: minorFaults, costUs: faultCost() };
}
