/**
 * @file Every API behaviour test that runs under `interp` also runs under `compile`: this file
 * loads api-valid.test.ts and api-autodiff.test.ts with `interp` (from engine/index.ts) replaced
 * by the compiled-function harness of compile-harness.ts, so each of their tests runs its calls
 * compiled to wasm, with the results also compared to the interpreter's (bit for bit where the
 * operations are exact). Tests added to those files are covered here automatically.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.mock('../../../engine/index.ts', async (importOriginal) => {
  const engine = await importOriginal<typeof import('../../../engine/index.ts')>();
  const { compiledInterp } = await import('./compile-harness.ts');
  return { ...engine, interp: compiledInterp };
});

import '../api-valid.test.ts';
import '../api-autodiff.test.ts';
import { stats } from './compile-harness.ts';

describe('the compiled harness', () => {
  it('is what the API tests call instead of the interpreter', async () => {
    const engine = await import('../../../engine/index.ts');
    const { compiledInterp } = await import('./compile-harness.ts');
    expect(engine.interp).toBe(compiledInterp);
  });
});

afterAll(() => {
  // the API files compile well over a hundred functions; most results are cross-checked
  expect(stats.compiled).toBeGreaterThan(100);
  expect(stats.compared).toBeGreaterThan(100);
  expect(stats.exact).toBeGreaterThan(50);
});
