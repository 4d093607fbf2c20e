/**
 * @file Rose 0.4.10's own test suite of its public API (`rose/dist/index.test.js`, as published
 * on npm), run unchanged against Rose Kit: its `import ... from "./index.js"` (Rose itself) is
 * replaced by engine/index.ts. This is the porting promise taken literally: code written for
 * `rose` runs on `rose-kit`. (vitest.config.ts inlines the `rose` package, so the mock applies.)
 */
import { expect, test, vi } from 'vitest';
import * as kit from '../../engine/index.ts';

vi.mock('../../node_modules/rose/dist/index.js', () => import('../../engine/index.ts'));

test('the suite below runs against Rose Kit, not against Rose itself', async () => {
  const index = await import('../../node_modules/rose/dist/index.js');
  expect(index.fn).toBe(kit.fn);
  expect('grad' in index).toBe(true); // Rose has no `grad`
});

await import('../../node_modules/rose/dist/index.test.js');
