/**
 * @file The page script of the engine benches in Chromium (`engine-browser.html`, opened by
 * `engine.bench.ts` through the Vite dev server): exposes `roseEngineScaling({ maxOps, faults })`,
 * which measures and returns the same tables as the Node run (with the page faults of the
 * renderer processes when `faults` says where the bench answers with their count), and
 * `roseEngineMemory(program)`, the IR memory of one program (`engine-memory.ts`).
 */
import { retained } from './engine-memory.ts';
import { scalingTables } from './engine-scaling.ts';
import type { FaultMeter } from './page-faults.ts';

/** The page-fault count the bench offers the page: where to fetch it, and the price of a fault. */
interface RemoteFaults {
  readonly path: string;
  readonly costUs: number;
}

/**
 * Return a fault meter that fetches the count from `path` (the bench answers with the renderer
 * processes' faults), synchronously: the tables' code is synchronous, and runs between its timings.
 */
function remoteMeter({ path, costUs }: RemoteFaults): FaultMeter {
  const count = () => {
    const request = new XMLHttpRequest();
    request.open('GET', path, false);
    request.send();
    const n = Number(request.responseText);
    if (!Number.isFinite(n)) throw new Error(`engine bench: no fault count at ${path}: ${request.status}`);
    return n;
  };
  return { count, costUs };
}

Object.assign(globalThis, {
  roseEngineScaling: ({ maxOps, faults }: { maxOps: number; faults?: RemoteFaults }) =>
    scalingTables(maxOps, faults && remoteMeter(faults)),
  roseEngineMemory: (program: string) => retained(program),
});
