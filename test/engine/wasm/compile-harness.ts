/**
 * @file A drop-in replacement of `interp` that runs functions compiled to wasm (`compileSync`),
 * used to run the API test files under the compiler (see api-compiled.test.ts). When the program
 * calls no opaque JS function (whose side effects must run once), every call is also run by the
 * interpreter and the two results are compared: bit for bit (`Object.is` on every leaf) when the
 * program uses only exactly-rounded operations, within 1e-12 relative otherwise (the math
 * library in wasm is within 1 ulp of correct rounding, `Math.*` is not specified that tightly).
 */
import { expect } from 'vitest';
import type { Func } from '../../../engine/ir/types.ts';
import { directCallees, forEachInstr, postOrder } from '../../../engine/ir/visit.ts';
import { funcOf, type Fn } from '../../../engine/trace/fn.ts';
import { interp } from '../../../engine/trace/run.ts';
import { compileSync } from '../../../engine/wasm/compile.ts';

/** Counters, so the harness test can check it was really used. */
export const stats = { compiled: 0, calls: 0, compared: 0, exact: 0 };

/** Primitives whose wasm and `Math.*` results may differ in the last bit. */
const INEXACT = new Set([
  'exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'log1p',
  'expm1', 'cbrt', 'atan2', 'pow', 'hypot',
]);

/** Return what `func` (and everything it calls) uses: opaque functions, inexact primitives. */
export function survey(func: Func): { opaque: boolean; exact: boolean } {
  let opaque = false;
  let exact = true;
  for (const g of postOrder(func, directCallees)) {
    if (g.kind === 'opaque') {
      opaque = true;
      continue;
    }
    forEachInstr(g.body, ({ expr: e }) => {
      if (e.kind === 'prim' && INEXACT.has(e.prim)) exact = false;
    });
  }
  return { opaque, exact };
}

/** Assert that `got` equals `want` leaf by leaf: `Object.is`, or within `tol` relative. */
export function sameValue(got: unknown, want: unknown, tol: number, path = 'result'): void {
  if (typeof want === 'number') {
    expect(typeof got, path).toBe('number');
    const g = got as number;
    if (tol === 0 || !Number.isFinite(want)) {
      if (!Object.is(g, want)) expect.fail(`${path}: compiled ${g}, interpreted ${want} (bit for bit)`);
    } else if (!(Math.abs(g - want) <= tol * Math.max(1, Math.abs(want)))) {
      expect.fail(`${path}: compiled ${g}, interpreted ${want} (relative ${tol})`);
    }
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got), path).toBe(true);
    expect((got as unknown[]).length, path).toBe(want.length);
    want.forEach((w, i) => sameValue((got as unknown[])[i], w, tol, `${path}[${i}]`));
    return;
  }
  if (typeof want === 'object' && want !== null) {
    expect(Object.keys(got as object).sort(), path).toEqual(Object.keys(want).sort());
    for (const [k, w] of Object.entries(want))
      sameValue((got as Record<string, unknown>)[k], w, tol, `${path}.${k}`);
    return;
  }
  expect(got, path).toBe(want);
}

/** Return `interp(f)`'s replacement: the compiled function, checked against the interpreter. */
export function compiledInterp(f: Fn): (...args: unknown[]) => unknown {
  const run = compileSync(f) as unknown as (...args: unknown[]) => unknown;
  stats.compiled++;
  const { opaque, exact } = survey(funcOf(f, 'compiledInterp'));
  if (opaque) return (...args) => (stats.calls++, run(...args));
  const ref = interp(f as never) as (...args: unknown[]) => unknown;
  return (...args) => {
    stats.calls++;
    const got = run(...args);
    sameValue(got, ref(...args), exact ? 0 : 1e-12);
    stats.compared++;
    if (exact) stats.exact++;
    return got;
  };
}
