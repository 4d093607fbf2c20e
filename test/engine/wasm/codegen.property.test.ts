/**
 * @file Compiled versus interpreted on generated programs (test/helpers/gen.ts): primal programs,
 * their gradient wrappers (fwd + bwd with accumulators and ref params across calls) and their
 * JVPs, with and without forced function splitting. Results must agree bit for bit: the math
 * primitives are computed by `Math.*` on both sides until the wasm math library lands.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import type { Val } from '../../../engine/interp/interp.ts';
import { pprint } from '../../../engine/ir/pprint.ts';
import { erase, tangentTy, type Func } from '../../../engine/ir/types.ts';
import { jvp } from '../../../engine/transforms/jvp.ts';
import { GEN_VARIANTS, buildProgram, programArb, type ProgramSpec } from '../../helpers/gen.ts';
import { argsFromPool, checkProperty, floatCount, poolArb, unflattenAll, unitsArb, type Pool } from '../../helpers/gradcheck.ts';
import { gradWrapper } from '../../helpers/reverse.ts';
import { checkAgainstInterp } from './codegen-harness.ts';

type Case = [ProgramSpec, Pool, number[]];
const describeCase = ([spec]: Case) => pprint(buildProgram(spec).root);

/** Compare `f` compiled (with `splitThreshold`) and interpreted on `args`. */
function same(f: Func, args: readonly Val[], splitThreshold?: number): void {
  checkAgainstInterp(f, args, splitThreshold === undefined ? {} : { splitThreshold });
}

describe.each(GEN_VARIANTS)('compiled = interpreted on generated programs%s', (_, gen) => {
  const arb: fc.Arbitrary<Case> = fc.tuple(programArb(gen), poolArb(), unitsArb());
  for (const split of [undefined, 3]) {
    const label = split === undefined ? '' : ' (split into chunks)';
    it(`primal programs${label}`, () => {
      checkProperty(arb, ([spec, pool]) => {
        const { root } = buildProgram(spec);
        same(root, argsFromPool(root.paramTypes, pool), split);
      }, describeCase, { numRuns: 100 });
    });

    it(`gradients (fwd + bwd)${label}`, () => {
      checkProperty(arb, ([spec, pool, units]) => {
        const { root } = buildProgram(spec);
        const g = gradWrapper(root);
        const x = argsFromPool(root.paramTypes, pool);
        const [ct] = unflattenAll([erase(root.retType)], units.slice(0, floatCount(root.retType)));
        same(g, [...x, ct!], split);
      }, describeCase, { numRuns: 100 });
    });

    it(`JVPs${label}`, () => {
      checkProperty(arb, ([spec, pool, units]) => {
        const { root } = buildProgram(spec);
        const d = jvp(root);
        const x = argsFromPool(root.paramTypes, pool);
        const ts = root.paramTypes.map(tangentTy);
        const dx = unflattenAll(ts, units.slice(0, ts.reduce((n, t) => n + floatCount(t), 0)));
        same(d, [...x, ...dx], split);
      }, describeCase, { numRuns: 100 });
    });
  }
});
