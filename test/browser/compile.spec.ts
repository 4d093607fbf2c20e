/// <reference types="mocha" />
/** @file Browser: compiled functions agree with the interpreter in Chromium's main thread. */
import { expect } from 'chai';
import { Real, Vec, add, compile, compileSync, fn, interp, mul, sin, sum } from '../../engine/index.ts';

const dot = fn([Vec(3, Real), Vec(3, Real)], Real, (u, v) => sum(3, (i) => mul(u[i]!, v[i]!)));
const wave = fn([Real], Real, (x) => add(mul(x, x), sin(x)));

describe('compile in the browser', () => {
  it('gives the interpreter results', async () => {
    const f = await compile(dot);
    expect(f([1, 2, 3], [4, 5, 6])).to.equal(interp(dot)([1, 2, 3], [4, 5, 6]));
    const g = await compile(wave);
    for (const x of [-2, 0, 0.5, 3]) expect(g(x)).to.equal(interp(wave)(x));
  });

  it('compileSync works on the main thread for small modules', () => {
    const g = compileSync(wave);
    expect(g(1.25)).to.equal(interp(wave)(1.25));
  });
});
