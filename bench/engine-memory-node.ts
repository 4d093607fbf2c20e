/**
 * @file One program of `engine-memory.ts` measured in this Node process, printed as one JSON
 * line: `node --expose-gc --import ./scripts/ts-register.mjs bench/engine-memory-node.ts <program>`
 * (`engine.bench.ts` runs it once per program, each in a process of its own).
 */
import { retained } from './engine-memory.ts';

console.log(JSON.stringify(await retained(process.argv[2] ?? 'straight')));
