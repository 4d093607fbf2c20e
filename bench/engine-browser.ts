/**
 * @file The page script of the engine scaling bench in Chromium (`engine-browser.html`, opened
 * by `engine.bench.ts` through the Vite dev server): exposes `roseEngineScaling(maxOps)`, which
 * measures and returns the same tables as the Node run.
 */
import { scalingTables } from './engine-scaling.ts';

Object.assign(globalThis, { roseEngineScaling: (maxOps: number) => scalingTables(maxOps) });
