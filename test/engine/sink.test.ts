/**
 * @file Sinking into cond blocks (engine/transforms/sink.ts): pure instructions used only inside
 * one block of a cond move into it, chains of them too; anything read elsewhere stays; results
 * are unchanged.
 */
import { describe, expect, it } from 'vitest';
import { Bool, Real, Vec, add, fn, lt, mul, sqrt, sub, sum } from '../../engine/index.ts';
import { interpret } from '../../engine/interp/interp.ts';
import { check } from '../../engine/ir/check.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import type { TransparentFunc } from '../../engine/ir/types.ts';
import { forEachInstr } from '../../engine/ir/visit.ts';
import { cond } from '../../engine/trace/cond.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { sinkIntoConds } from '../../engine/transforms/sink.ts';

/** Return the kinds of the top-level instructions of `f`. */
function topKinds(f: TransparentFunc): string[] {
  return f.body.map((i) => (i.expr.kind === 'prim' ? i.expr.prim : i.expr.kind));
}

/** Return the number of instructions of `f` at any depth. */
function size(f: TransparentFunc): number {
  let n = 0;
  forEachInstr(f.body, () => n++);
  return n;
}

describe('sinkIntoConds', () => {
  it('moves a chain used only in one block into it, in order, and keeps what the condition reads', () => {
    const f = funcOf(
      fn([Real, Real, Real], Real, (x, y, r) => {
        const dx = sub(x, y);
        const d2 = mul(dx, dx); // read by the condition: stays
        const far = mul(add(x, y), add(x, y)); // only in the then block: moves, with its operand
        return cond(lt(d2, mul(r, r)), Real, () => mul(sub(r, sqrt(d2)), far), () => 0);
      }),
      't',
    ) as TransparentFunc;
    const g = sinkIntoConds(f);
    check(g);
    expect(topKinds(g)).toEqual(['sub', 'mul', 'mul', 'lt', 'cond']);
    expect(size(g)).toBe(size(f));
    const c = g.body.find((i) => i.expr.kind === 'cond')!.expr;
    if (c.kind !== 'cond') throw new Error('no cond');
    expect(c.then.slice(0, 3).map((i) => (i.expr.kind === 'prim' ? i.expr.prim : ''))).toEqual(['add', 'add', 'mul']);
    for (const args of [[1, 2, 3], [0, 5, 1], [2, 2, 0.5]])
      expect(Object.is(interpret(g, args), interpret(f, args))).toBe(true);
  });

  it('leaves values read in both blocks, after the cond, or in a loop, and sinks in nested blocks', () => {
    const f = funcOf(
      fn([Vec(3, Real), Bool], Real, (xs, p) => {
        const both = mul(xs[0]!, 2);
        const after = mul(xs[1]!, 3);
        const s = cond(p, Real, () => both, () => add(both, 1));
        const t = sum(3, (i) => {
          const inner = mul(xs[i]!, xs[i]!);
          return cond(lt(xs[i]!, 0), Real, () => inner, () => 0);
        });
        return add(add(s, t), after);
      }),
      't',
    ) as TransparentFunc;
    const g = sinkIntoConds(f);
    check(g);
    expect(pprint(g)).not.toBe(pprint(f)); // `inner` moved into the loop's cond
    expect(topKinds(g).filter((k) => k === 'mul')).toHaveLength(2);
    expect(interpret(g, [[1, -2, 3], true])).toBe(interpret(f, [[1, -2, 3], true]));
    expect(interpret(g, [[1, -2, 3], false])).toBe(interpret(f, [[1, -2, 3], false]));
  });

  it('returns a function without conds as it is', () => {
    const f = funcOf(fn([Real], Real, (x) => mul(x, x)), 't') as TransparentFunc;
    expect(sinkIntoConds(f)).toBe(f);
  });
});
