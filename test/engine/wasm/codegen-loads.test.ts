/**
 * @file The load cache (engine/wasm/codegen-emit.ts): a scalar loaded from memory where it is
 * read (a spilled value, a member or element) and read again is kept in a local, a few at a time,
 * and forgotten at loop boundaries (a load inside a loop body may not run before a use after it,
 * nor a load before the loop in each iteration's local). Checked: fewer loads, results equal to
 * the interpreter's, with loops of zero and more iterations and with split functions.
 */
import { describe, expect, it } from 'vitest';
import { FuncBuilder } from '../../../engine/ir/builder.ts';
import { REAL, finTy, vecTy, type TransparentFunc, type Var } from '../../../engine/ir/types.ts';
import { generate, type GenerateOptions } from '../../../engine/wasm/codegen.ts';
import { checkAgainstInterp, useWasmText, wasmText } from './codegen-harness.ts';

useWasmText();

/**
 * Return `f(x: vec<n>) -> real` reading the elements `x[0]` and `x[1]` (and, for the cache's
 * limit, `x[2..5]`) many times: before a loop of `loop` iterations, inside it, and after it.
 */
function reader(n: number, loop: number): TransparentFunc {
  const b = new FuncBuilder('reader');
  const x = b.param(vecTy(n, REAL));
  const at = (k: number): Var => b.index(x, b.lit(k, finTy(n)));
  const a = at(0);
  const c = at(1);
  let acc = b.prim('mul', [a, c]);
  for (let k = 0; k < 6; k++) acc = b.prim('add', [acc, b.prim('mul', [at(k % 6), a])]);
  acc = b.prim('sub', [acc, c]);
  // in the body: a (cached before the loop), then more cached elements than the cache holds, then a again
  const inner = b.forLoop(loop, (i) => {
    let t = b.prim('add', [b.prim('mul', [b.index(x, b.prim('imod', [i], finTy(n))), a]), c]);
    for (let k = 2; k < 6; k++) t = b.prim('add', [t, b.prim('mul', [at(k), at(k)])]);
    return b.prim('mul', [t, a]);
  });
  for (let k = 0; k < loop; k++) acc = b.prim('add', [acc, b.index(inner, b.lit(k, finTy(loop)))]);
  for (let k = 0; k < 8; k++) acc = b.prim('add', [b.prim('mul', [acc, a]), b.prim('div', [c, at(k % 6)])]);
  return b.finish(acc);
}

/** Return the number of `f64.load`s in the module of `f`. */
function loads(f: TransparentFunc, options: GenerateOptions = {}): number {
  return wasmText(generate(f, options).bytes).split('(f64.load').length - 1;
}

const X = [1.5, -2.25, 3, 1e-3, -7, 0.125, 9];

describe('load cache', () => {
  it('loads an element read many times once per straight-line stretch', () => {
    const f = reader(7, 3);
    checkAgainstInterp(f, [X]);
    // x[0] and x[1] are read 20 times; each is loaded once before, in and after the loop
    expect(loads(f)).toBeLessThan(20);
  });

  it('gives the interpreter results with loops of zero, one and more iterations', () => {
    for (const n of [0, 1, 4]) checkAgainstInterp(reader(7, n), [X]);
  });

  it('gives the interpreter results when a loop body replaces cached values, split or not', () => {
    const b = new FuncBuilder('evict');
    const x = b.param(vecTy(8, REAL));
    const at = (k: number): Var => b.index(x, b.lit(k, finTy(8)));
    const before = b.prim('mul', [at(0), at(1)]); // the cache: x[0], x[1]
    const body = b.forLoop(3, (i) => {
      let t = b.prim('add', [at(0), b.prim('mul', [b.index(x, b.prim('imod', [i], finTy(8))), at(7)])]);
      for (let k = 2; k < 7; k++) t = b.prim('add', [t, b.prim('mul', [at(k), at(k)])]); // replaces x[0]
      return b.prim('add', [t, b.prim('mul', [at(0), at(1)])]);
    });
    let acc = before;
    for (let k = 0; k < 3; k++) acc = b.prim('add', [acc, b.index(body, b.lit(k, finTy(3)))]);
    const f = b.finish(acc);
    // split, so that the elements are read by other units: loaded where read, and cached
    for (const splitThreshold of [undefined, 10, 16, 24, 40]) {
      checkAgainstInterp(f, [[1, 2, 3, 4, 5, 6, 7, 8]], { splitThreshold });
      checkAgainstInterp(f, [[-0.5, 1e10, 3, -4, 0.25, 6, 7e-5, 8]], { splitThreshold });
    }
  });

  it('gives the interpreter results in split functions (spilled values read by chunks)', () => {
    const f = reader(7, 4);
    checkAgainstInterp(f, [X], { splitThreshold: 12 });
    checkAgainstInterp(f, [X.map((v) => -v)], { splitThreshold: 30 });
  });
});
