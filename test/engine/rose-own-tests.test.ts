/**
 * @file Rose 0.4.10's own test suite of its public API (`rose/dist/index.test.js`, as published
 * on npm), run unchanged against Rose Kit: its `import ... from "./index.js"` (Rose itself) is
 * replaced by engine/index.ts. This is the porting promise taken literally: code written for
 * `rose` runs on `rose-kit`.
 */
import { vi } from 'vitest';

vi.mock('../../node_modules/rose/dist/index.js', () => import('../../engine/index.ts'));

await import('../../node_modules/rose/dist/index.test.js');
