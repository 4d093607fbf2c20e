/**
 * @file Compiled versus interpreted, bit for bit, on generated programs (test/helpers/gen.ts)
 * with conds put into every function (cond-wrap.ts): primal programs, their gradient wrappers
 * (fwd + bwd: adds into outer accumulators from blocks, accumulators passed to calls in blocks)
 * and their JVPs, with and without forced function splitting.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import type { Val } from '../../../engine/interp/interp.ts';
import { check } from '../../../engine/ir/check.ts';
import { pprint } from '../../../engine/ir/pprint.ts';
import { postOrder, directCallees } from '../../../engine/ir/visit.ts';
import { erase, tangentTy, type Func } from '../../../engine/ir/types.ts';
import { jvp } from '../../../engine/transforms/jvp.ts';
import { buildProgram, programArb, type ProgramSpec } from '../../helpers/gen.ts';
import { argsFromPool, checkProperty, floatCount, poolArb, unflattenAll, unitsArb, type Pool } from '../../helpers/gradcheck.ts';
import { gradWrapper } from '../../helpers/reverse.ts';
import { checkAgainstInterp } from './codegen-harness.ts';
import { withConds } from './cond-wrap.ts';

type Case = [ProgramSpec, Pool, number[], number];
const arb: fc.Arbitrary<Case> = fc.tuple(programArb(), poolArb(), unitsArb(), fc.nat());

/** Return `f` with conds (checked valid IR, every function). */
function conds(f: Func, seed: number): Func {
  const g = withConds(f, seed);
  for (const h of postOrder(g, directCallees)) if (h.kind === 'transparent') check(h);
  return g;
}

/** Describe a failing case: the program with its conds. */
const describeCase = ([spec, , , seed]: Case) => pprint(conds(buildProgram(spec).root, seed));

/** Compare `f` compiled (with `splitThreshold`) and interpreted on `args`. */
function same(f: Func, args: readonly Val[], splitThreshold?: number): void {
  checkAgainstInterp(f, args, splitThreshold === undefined ? {} : { splitThreshold });
}

describe('compiled = interpreted on generated programs with conds', () => {
  for (const split of [undefined, 3]) {
    const label = split === undefined ? '' : ' (split into chunks)';
    it(`primal programs${label}`, () => {
      checkProperty(arb, ([spec, pool, , seed]) => {
        const { root } = buildProgram(spec);
        const f = conds(root, seed);
        same(f, argsFromPool(root.paramTypes, pool), split);
      }, describeCase, { numRuns: 100 });
    });

    it(`gradients (fwd + bwd)${label}`, () => {
      checkProperty(arb, ([spec, pool, units, seed]) => {
        const { root } = buildProgram(spec);
        const g = conds(gradWrapper(root), seed);
        const x = argsFromPool(root.paramTypes, pool);
        const [ct] = unflattenAll([erase(root.retType)], units.slice(0, floatCount(root.retType)));
        same(g, [...x, ct!], split);
      }, describeCase, { numRuns: 100 });
    });

    it(`JVPs${label}`, () => {
      checkProperty(arb, ([spec, pool, units, seed]) => {
        const { root } = buildProgram(spec);
        const d = conds(jvp(root), seed);
        const x = argsFromPool(root.paramTypes, pool);
        const ts = root.paramTypes.map(tangentTy);
        const dx = unflattenAll(ts, units.slice(0, ts.reduce((n, t) => n + floatCount(t), 0)));
        same(d, [...x, ...dx], split);
      }, describeCase, { numRuns: 100 });
    });
  }
});
