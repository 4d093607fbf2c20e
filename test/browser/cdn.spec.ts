/// <reference types="mocha" />
/**
 * @file Browser: the published bundle (rollup.config.js, built by web-test-runner.config.mjs)
 * loaded from ANOTHER origin, as from a CDN. Module workers must be same-origin, so the engine
 * starts its worker through a same-origin `blob:` module importing the CDN's worker.js; compile
 * has no fallback, so a compile that resolves proves the worker ran.
 */
import { expect } from 'chai';

type Engine = typeof import('../../engine/index.ts');

/** Return the engine bundle imported from the second origin, and that origin. */
async function engineFromCdn(file: string): Promise<{ rose: Engine; origin: string }> {
  const origin = await (await fetch('/__cdn__/origin')).text();
  const rose = (await import(/* @vite-ignore */ `${origin}/engine/${file}`)) as Engine;
  return { rose, origin };
}

describe('the bundle from another origin (CDN)', () => {
  for (const file of ['index.js', 'index.min.js']) {
    it(`${file}: compile and compileValueAndGrad run in the worker`, async () => {
      const { rose, origin } = await engineFromCdn(file);
      expect(new URL(origin).origin).to.not.equal(location.origin);
      // (descriptors read off the namespace: destructuring would widen their unique symbol types)
      const { add, mul, sin, interp, valueAndGrad } = rose;
      const f = rose.fn([rose.Vec(3, rose.Real)], rose.Real, (x) =>
        add(mul(x[0]!, sin(x[1]!)), mul(x[2]!, x[2]!)),
      );
      const g = await rose.compile(f);
      expect(g([1, 2, 3])).to.equal(interp(f)([1, 2, 3]));
      const h = await rose.compileValueAndGrad(f);
      h.x.set([0.5, -1, 2]);
      const want = interp(valueAndGrad(f))([0.5, -1, 2]) as { value: number; grad: number[] };
      expect(h.evaluate()).to.equal(want.value);
      expect([...h.gradient]).to.deep.equal(want.grad);
    });
  }

  it('errors from the bundled worker keep their code', async () => {
    const { rose } = await engineFromCdn('index.js');
    const noJvp = rose.opaque([rose.Real], rose.Real, Math.cos);
    const f = rose.fn([rose.Vec(1, rose.Real)], rose.Real, (x) => noJvp(x[0]!));
    let code = '';
    await rose.compileValueAndGrad(f).catch((e: { code: string }) => (code = e.code));
    expect(code).to.equal('no-jvp');
  });
});
