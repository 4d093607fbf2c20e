/**
 * @file The page script of the engine benches in Chromium (`engine-browser.html`, opened by
 * `engine.bench.ts` through the Vite dev server): exposes `roseEngineScaling(maxOps)`, which
 * measures and returns the same tables as the Node run, and `roseEngineMemory(program)`, the IR
 * memory of one program (`engine-memory.ts`).
 */
import { retained } from './engine-memory.ts';
import { scalingTables } from './engine-scaling.ts';

Object.assign(globalThis, {
  roseEngineScaling: (maxOps: number) => scalingTables(maxOps),
  roseEngineMemory: (program: string) => retained(program),
});
