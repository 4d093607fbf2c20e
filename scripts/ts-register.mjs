/**
 * @file Register the TypeScript loader hooks of `ts-hooks.mjs`, so Node 20 runs `.ts` files:
 * `node --import ./scripts/ts-register.mjs bench/engine.bench.ts`.
 */
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
