/**
 * @file Second derivatives of generated real-valued programs: the Hessian by forward-over-reverse
 * (`jvp` of a gradient function built with `emitForward`/`emitBackward`) is symmetric and its
 * products match finite differences of reverse-mode gradients; reverse-over-reverse (the gradient
 * of `<grad f, v>`) agrees with forward-over-reverse.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { check } from '../../engine/ir/check.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import type { Func } from '../../engine/ir/types.ts';
import { GEN_VARIANTS, buildProgram, programArb, type ProgramOptions, type ProgramSpec } from '../helpers/gen.ts';
import {
  argsFromPool,
  assertAgreeUpToRounding,
  assertClose,
  checkProperty,
  finiteDiff,
  flatFunction,
  flattenAll,
  poolArb,
  tame,
  unflattenAll,
  unitsArb,
  type Pool,
} from '../helpers/gradcheck.ts';
import { gradFlat, gradWrapper, hvpForwardOverReverse, hvpReverseOverReverse } from '../helpers/reverse.ts';

const describeProgram = ([spec]: readonly [ProgramSpec, ...unknown[]]) => pprint(buildProgram(spec).root);

/** Smaller programs than the first-order tests: each Hessian costs n derivative runs. */
const programs = (gen: ProgramOptions) => programArb({ ...gen, rootOut: 'real', maxFuncs: 3, maxSteps: 6 });

/** Sample a point of real-valued `f`; undefined when f is not finite and moderate there. */
function sample(f: Func, pool: Pool) {
  const x = argsFromPool(f.paramTypes, pool);
  const x0 = flattenAll(f.paramTypes, x);
  const y = flatFunction(f, x)(x0);
  return tame(y) ? { x, x0 } : undefined;
}

/** Return the largest magnitude in a list (0 for an empty one). */
const maxAbs = (xs: readonly number[]) => xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe.each(GEN_VARIANTS)('generated programs%s: Hessians', (_, gen) => {
  it('forward-over-reverse Hessian is symmetric', () => {
    const stats = checkProperty(
      fc.tuple(programs(gen), poolArb()),
      ([spec, pool]) => {
        const f = buildProgram(spec).root;
        const s = sample(f, pool);
        if (!s) return 'skip';
        const n = s.x0.length;
        // columns H e_j, then the pairs (H[i][j], H[j][i]) below the diagonal
        const hessian = (x0: readonly number[]) => {
          const x = unflattenAll(f.paramTypes, x0, s.x);
          return Array.from({ length: n }, (_, j) => hvpForwardOverReverse(f, x, x0.map((_, k) => (k === j ? 1 : 0))));
        };
        const pairs = (x0: readonly number[]) => {
          const H = hessian(x0);
          const a: number[] = [];
          const b: number[] = [];
          for (let i = 0; i < n; i++)
            for (let j = 0; j < i; j++) {
              a.push(H[j]![i]!);
              b.push(H[i]![j]!);
            }
          return { a, b };
        };
        const all = hessian(s.x0).flat();
        if (!tame(all, 1e8)) return 'skip';
        assertAgreeUpToRounding(pairs, s.x0, { rtol: 1e-9, atol: 1e-9 * (1 + maxAbs(all)) }, 'H[i][j] vs H[j][i]');
      },
      describeProgram,
      { numRuns: 100 },
    );
    expect(stats.runs).toBeGreaterThan(0);
  });

  it('Hessian-vector products match finite differences of reverse-mode gradients', () => {
    checkProperty(
      fc.tuple(programs(gen), poolArb(), unitsArb()),
      ([spec, pool, dirs]) => {
        const f = buildProgram(spec).root;
        const s = sample(f, pool);
        if (!s) return 'skip';
        const v = dirs.slice(0, s.x0.length);
        const hv = hvpForwardOverReverse(f, s.x, v);
        const G = (x: readonly number[]) => gradFlat(f, unflattenAll(f.paramTypes, x, s.x));
        if (!tame(hv, 1e8) || !tame(G(s.x0), 1e8)) return 'skip';
        const fd = finiteDiff(G, s.x0, v);
        if (!fd.smooth) return 'skip';
        assertClose(hv, fd.fd, { rtol: 1e-5, atol: 1e-7 + 100 * fd.noise }, 'H v vs finite differences of gradients');
      },
      describeProgram,
      { numRuns: 100 },
    );
  });

  it('reverse-over-reverse agrees with forward-over-reverse', () => {
    checkProperty(
      fc.tuple(programs(gen), poolArb(), unitsArb()),
      ([spec, pool, dirs]) => {
        const f = buildProgram(spec).root;
        const s = sample(f, pool);
        if (!s) return 'skip';
        const v = dirs.slice(0, s.x0.length);
        for (const g of [gradWrapper(f), jvp(gradWrapper(f), [...f.paramTypes.map(() => true), false])]) check(g);
        const fo = hvpForwardOverReverse(f, s.x, v);
        if (!tame(fo, 1e8)) return 'skip';
        // the point and the direction are scaled together when the rounding noise is resampled:
        // scaling x alone leaves some cancellation errors put (e.g. atan2(x, x) near 0, whose
        // second-derivative terms ~v/x^2 cancel while the rest does not depend on x), scaling
        // the direction too moves every term's rounding, and a correct result only by (1 + s)
        const n = s.x0.length;
        assertAgreeUpToRounding(
          (xv) => {
            const x = unflattenAll(f.paramTypes, xv.slice(0, n), s.x);
            const dir = xv.slice(n);
            return { a: hvpReverseOverReverse(f, x, dir), b: hvpForwardOverReverse(f, x, dir) };
          },
          [...s.x0, ...v],
          { rtol: 1e-9, atol: 1e-9 * (1 + maxAbs(fo)) },
          'reverse-over-reverse vs forward-over-reverse',
        );
      },
      describeProgram,
      { numRuns: 100 },
    );
  });
});
