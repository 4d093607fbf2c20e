/**
 * @file Tests of `tidy` (engine/transforms/tidy.ts): members of struct literals forwarded, dead
 * instructions dropped at every depth while additions into accumulators stay; on generated
 * programs and their jvp, unzip and transpose outputs, results and accumulators unchanged bit for
 * bit and the output valid.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accumulator, interpret } from '../../engine/interp/interp.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import { REAL, UNIT, refTy, structTy, type TransparentFunc } from '../../engine/ir/types.ts';
import { forEachInstr } from '../../engine/ir/visit.ts';
import { tidy } from '../../engine/transforms/tidy.ts';
import { GEN_VARIANTS, buildProgram, programArb } from '../helpers/gen.ts';
import { argsOf, reverseStages, sameValue } from '../helpers/agree.ts';
import { checkProperty, poolArb } from '../helpers/gradcheck.ts';

/** Return the kinds of `f`'s instructions at every depth, in program order. */
function kinds(f: TransparentFunc): string[] {
  const out: string[] = [];
  forEachInstr(f.body, ({ expr }) => out.push(expr.kind));
  return out;
}

describe('tidy', () => {
  it('reads members of struct literals directly and drops what nothing reads', () => {
    const b = new FuncBuilder('f');
    const [x, y] = [b.param(REAL), b.param(REAL)];
    const pair = b.struct([x, b.prim('mul', [x, y])], structTy(['a', 'b'], [REAL, REAL]));
    b.prim('sin', [y]); // dead
    const f = b.finish(b.prim('add', [b.member(pair, 1), b.real(1)]));
    const t = tidy(f);
    check(t);
    expect(kinds(t)).toEqual(['prim', 'lit', 'prim']);
    expect(interpret(t, [2, 3])).toBe(7);
  });

  it('keeps additions into accumulators, in order, also inside a cond whose result nothing reads', () => {
    const b = new FuncBuilder('f');
    const [x, acc] = [b.param(REAL), b.param(refTy(REAL))];
    const c = b.prim('gt', [x, b.real(0)]);
    const u = b.unit();
    b.beginBlock();
    b.add(acc, b.prim('mul', [x, x]));
    b.prim('cos', [x]); // dead inside the block
    const then = b.endBlock();
    b.emit({ kind: 'cond', cond: c, then, thenRet: u, els: [], elsRet: u }, UNIT);
    b.add(acc, x);
    const f = b.finish(u);
    const t = tidy(f);
    check(t);
    expect(kinds(t).filter((k) => k === 'add')).toHaveLength(2);
    expect(kinds(t)).not.toContain('struct');
    expect(pprint(t)).not.toContain('cos');
    const a = accumulator(REAL, 0);
    interpret(t, [3, a]);
    expect(a.get()).toBe(12);
  });

  it.each(GEN_VARIANTS)('preserves results of generated programs%s and of their jvp, unzip and transpose', (_, gen) => {
    checkProperty(
      fc.tuple(programArb(gen), poolArb()),
      ([spec, pool]) => {
        for (const g of reverseStages(buildProgram(spec).root)) {
          const t = tidy(g);
          check(t);
          const args = argsOf(g, pool);
          const [a0, a1] = [args(), args()];
          const [r0, r1] = [interpret(g, a0), interpret(t, a1)];
          expect(sameValue(r0, r1) && sameValue(a0, a1), `${g.name}: results or accumulators differ`).toBe(true);
        }
      },
      ([spec]) => pprint(buildProgram(spec).root),
    );
  });
});
