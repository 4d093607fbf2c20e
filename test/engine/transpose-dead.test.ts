/**
 * @file Tests that `transpose` leaves no dead code in `bwd` whether `prune` walked it or was
 * skipped (reads recorded as `bwd` is emitted), and the helpers that bookkeeping relies on:
 * `Uses` (reads counted once, declarations discounting earlier reads) and `Scratch` (pooled
 * arrays handed out filled, reference arrays cleared when given back).
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, fn, mul, sin, sum, tanh, vec } from '../../engine/index.ts';
import type { Block, TransparentFunc } from '../../engine/ir/types.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { prune } from '../../engine/transforms/linearity.ts';
import { Scratch } from '../../engine/transforms/scratch.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';
import { Uses } from '../../engine/transforms/uses.ts';
import { fixtures } from './reverse-fixtures.ts';

/** Return every instruction of a block, nested bodies included. */
function allInstrs(block: Block): Block {
  return block.flatMap((i) => (i.expr.kind === 'for' ? [i, ...allInstrs(i.expr.body)] : [i]));
}

/** Return the backward pass of `f` (in JVP form) and expect a liveness walk to find it clean. */
function expectCleanBwd(f: TransparentFunc): TransparentFunc {
  const bwd = transpose(unzip(f).lin);
  expect(prune({ ...bwd }).body).toBe(bwd.body);
  return bwd;
}

describe('transpose leaves no dead code', () => {
  for (const { name, f } of fixtures()) it(name, () => expectCleanBwd(f));

  it('in programs with sums, calls, vec comprehensions and repeated reads', () => {
    const step = fn([Real, Real], Real, (a, x) => tanh(add(mul(a, 0.5), sin(x))));
    const g = fn([Vec(4, Real)], Real, (v) => {
      const s = sum(4, (i) => mul(sin(v[i]!), v[0]!));
      const w = vec(4, Real, (i) => mul(v[i]!, s));
      return step(step(s, w[1]!), mul(v[2]!, v[2]!));
    });
    const bwd = expectCleanBwd(jvp(funcOf(g, 'g')));
    expect(allInstrs(bwd.body).some((i) => i.expr.kind === 'call')).toBe(true);
    expect(allInstrs(bwd.body).some((i) => i.expr.kind === 'for')).toBe(true);
  });

  it('when a loop has nothing to transpose (its copies are dropped)', () => {
    // the sum is unused: lin keeps its loop (it adds into an accumulator), but no cotangent
    // reaches that accumulator, so the loop's transpose adds nothing and is dropped
    const g = fn([Vec(3, Real)], Real, (v) => {
      sum(3, (i) => sin(v[i]!));
      return mul(v[0]!, v[1]!);
    });
    const f = jvp(funcOf(g, 'g'));
    expect(unzip(f).lin.body.some((i) => i.expr.kind === 'for')).toBe(true);
    const bwd = expectCleanBwd(f);
    expect(allInstrs(bwd.body).some((i) => i.expr.kind === 'for')).toBe(false);
  });
});

describe('Uses', () => {
  it('discounts the reads of a variable declared after they were recorded', () => {
    const uses = new Uses(4);
    uses.read(2); // a loop index read in the body before the loop is emitted
    uses.read(1);
    uses.declare(2);
    uses.declare(2);
    uses.read(2);
    expect(uses.mayHaveDead(1)).toBe(false);
    expect(uses.mayHaveDead(2)).toBe(true);
  });
});

describe('Scratch', () => {
  it('hands out filled arrays, also when it reuses a released buffer', () => {
    const n = 100_000;
    const first = new Scratch();
    const a = first.i32(n, 7);
    a.fill(3);
    const u = first.u8(n);
    u.fill(9);
    first.release();
    const second = new Scratch();
    const b = second.i32(n, -1);
    const v = second.u8(n);
    expect(b.length).toBe(n);
    expect(b.every((x) => x === -1)).toBe(true);
    expect(v.length).toBe(n);
    expect(v.every((x) => x === 0)).toBe(true);
    second.release();
  });

  it('clears reference arrays when they are given back', () => {
    const n = 50_000;
    const first = new Scratch();
    const refs = first.refs<object>(n);
    refs[0] = {};
    refs[n - 1] = {};
    first.release();
    expect(refs[0]).toBeUndefined();
    expect(refs[n - 1]).toBeUndefined();
    const second = new Scratch();
    const again = second.refs<object>(n);
    expect(again.length).toBeGreaterThanOrEqual(n);
    expect(again.slice(0, n).every((x) => x === undefined)).toBe(true);
    second.release();
  });

  it('never hands out an array that is still taken', () => {
    const s = new Scratch();
    const a = s.i32(70_000);
    const b = s.i32(70_000);
    expect(a.buffer).not.toBe(b.buffer);
    a.fill(1);
    expect(b.every((x) => x === 0)).toBe(true);
    s.release();
  });
});
