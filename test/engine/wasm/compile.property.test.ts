/**
 * @file The public `compileSync` versus `interp` on generated programs (test/helpers/gen.ts) and
 * their gradient functions: arguments go in as plain JS values (structs with bool and index
 * leaves, vectors, matrices), so this exercises the JS marshalling end to end. Results agree bit
 * for bit when the program uses only exactly rounded operations.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { pprint } from '../../../engine/ir/pprint.ts';
import type { Func } from '../../../engine/ir/types.ts';
import { grad } from '../../../engine/trace/autodiff.ts';
import { funcOf, makeFn } from '../../../engine/trace/fn.ts';
import { fromVal, runFunc } from '../../../engine/trace/run.ts';
import { compileSync } from '../../../engine/wasm/compile.ts';
import { GEN_VARIANTS, buildProgram, programArb, type ProgramSpec } from '../../helpers/gen.ts';
import { argsFromPool, checkProperty, poolArb, type Pool } from '../../helpers/gradcheck.ts';
import { sameValue, survey } from './compile-harness.ts';

type Case = [ProgramSpec, Pool];
const describeCase = ([spec]: Case) => pprint(buildProgram(spec).root);

/** Run `func` compiled and interpreted on the JS values of `pool`; compare the results. */
function same(func: Func, pool: Pool): void {
  const args = argsFromPool(func.paramTypes, pool).map((v, i) => fromVal(func.paramTypes[i]!, v, 'test'));
  const want = runFunc(func, args);
  const got = (compileSync(makeFn(func) as never) as (...a: unknown[]) => unknown)(...args);
  sameValue(got, want, survey(func).exact ? 0 : 1e-9);
}

describe.each(GEN_VARIANTS)('compileSync = interp on generated programs%s', (_, gen) => {
  it('primal programs', () => {
    const arb: fc.Arbitrary<Case> = fc.tuple(programArb(gen), poolArb());
    checkProperty(arb, ([spec, pool]) => same(buildProgram(spec).root, pool), describeCase, { numRuns: 100 });
  });

  it('gradient functions of real-valued programs', () => {
    const realArb: fc.Arbitrary<Case> = fc.tuple(programArb({ ...gen, rootOut: 'real' }), poolArb());
    checkProperty(
      realArb,
      ([spec, pool]) => {
        const { root } = buildProgram(spec);
        same(funcOf(grad(makeFn(root) as never, 0), 'test'), pool);
      },
      describeCase,
      { numRuns: 60 },
    );
  });
});
