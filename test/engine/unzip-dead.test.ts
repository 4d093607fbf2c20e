/**
 * @file Tests that `unzip` leaves no dead code in `fwd` and `lin`, whether `prune` walked them or
 * was skipped because every instruction's result was recorded as read (`Uses`).
 */
import { describe, expect, it } from 'vitest';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { REAL, TAN, finTy, type Block, type TransparentFunc } from '../../engine/ir/types.ts';
import { Real, Vec, add, fn, mul, sin, sum, tanh } from '../../engine/index.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { prune } from '../../engine/transforms/linearity.ts';
import { unzip } from '../../engine/transforms/unzip.ts';
import { Uses } from '../../engine/transforms/uses.ts';
import { DUAL, fixtures, pairTy } from './reverse-fixtures.ts';

/** Return every instruction of a block, nested bodies included. */
function allInstrs(block: Block): Block {
  return block.flatMap((i) => (i.expr.kind === 'for' ? [i, ...allInstrs(i.expr.body)] : [i]));
}

/** Expect a full liveness walk to find nothing dead in fwd and lin of `f`. */
function expectNoDeadCode(f: TransparentFunc): void {
  const { fwd, lin } = unzip(f);
  expect(prune({ ...fwd }).body).toBe(fwd.body);
  expect(prune({ ...lin }).body).toBe(lin.body);
}

/** `{du: dx * 2, re: x}`: the literal 2 is read only by the linear part. */
function scaleTangent(): TransparentFunc {
  const b = new FuncBuilder('scaleTangent');
  const x = b.param(DUAL);
  const two = b.real(2);
  const dy = b.prim('mul', [b.member(x, 0), two]);
  return b.finish(b.struct([dy, b.member(x, 1)], pairTy(TAN, REAL)));
}

/** A loop whose result is unused next to one that is returned. */
function unusedLoop(): TransparentFunc {
  const b = new FuncBuilder('unusedLoop');
  const x = b.param(DUAL);
  b.forLoop(3, () => b.prim('sin', [b.member(x, 1)]));
  const kept = b.forLoop(2, () => b.member(x, 0));
  return b.finish(b.struct([b.index(kept, b.lit(0, finTy(2))), b.member(x, 1)], DUAL));
}

describe('unzip leaves no dead code', () => {
  for (const { name, f } of fixtures()) it(name, () => expectNoDeadCode(f));

  it('drops a literal of fwd read only by the linear part', () => {
    const { fwd, lin } = unzip(scaleTangent());
    expect(allInstrs(fwd.body).some((i) => i.expr.kind === 'lit')).toBe(false);
    expect(allInstrs(lin.body).some((i) => i.expr.kind === 'lit')).toBe(true);
    expectNoDeadCode(scaleTangent());
  });

  it('drops unused loops', () => {
    const { fwd } = unzip(unusedLoop());
    expect(allInstrs(fwd.body).some((i) => i.expr.kind === 'prim')).toBe(false);
    expectNoDeadCode(unusedLoop());
  });

  it('keeps sums (loops adding into an accumulator) and calls of traced programs', () => {
    const step = fn([Real, Real], Real, (a, x) => tanh(add(mul(a, 0.5), sin(x))));
    const g = fn([Vec(3, Real)], Real, (v) => {
      const s = sum(3, (i) => mul(sin(v[i]!), v[0]!));
      return step(s, v[1]!);
    });
    const f = jvp(funcOf(g, 'x'));
    expectNoDeadCode(f);
    const { fwd, lin } = unzip(f);
    expect(allInstrs(fwd.body).some((i) => i.expr.kind === 'add')).toBe(true);
    expect(allInstrs(lin.body).some((i) => i.expr.kind === 'add')).toBe(true);
  });
});

describe('Uses', () => {
  it('counts distinct reads of instruction results only', () => {
    const uses = new Uses(2);
    uses.declare(0); // a param
    uses.read(0);
    uses.read(1);
    uses.read(1);
    expect(uses.mayHaveDead(1)).toBe(false);
    uses.keep(40); // grows past its capacity
    expect(uses.hasEffect(40)).toBe(true);
    expect(uses.hasEffect(1)).toBe(false);
    expect(uses.mayHaveDead(2)).toBe(false);
    expect(uses.mayHaveDead(3)).toBe(true);
  });
});
