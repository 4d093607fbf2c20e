/**
 * @file IR across the worker boundary (engine/runtime/wire.ts), checked in Node with
 * `structuredClone`, the algorithm `postMessage` uses: the posted IR clones, and the revived
 * clone generates the very same wasm bytes, differentiates to the same results, and names its
 * imports by slot.
 */
import { describe, expect, it } from 'vitest';
import {
  Dual,
  Real,
  Vec,
  add,
  div,
  fn,
  interp,
  mul,
  opaque,
  sin,
  sum,
  valueAndGrad,
} from '../../../engine/index.ts';
import { REAL, type Func } from '../../../engine/ir/types.ts';
import { funcOf, makeFn, type Fn } from '../../../engine/trace/fn.ts';
import { hashFuncGraph, reachableFuncs } from '../../../engine/runtime/cache.ts';
import { opaquesIn, revive, toWire } from '../../../engine/runtime/wire.ts';
import { generate } from '../../../engine/wasm/codegen.ts';

/** Post `f` the way the runtime does: toWire, structured clone, revive. */
function roundTrip(f: Fn) {
  const func = funcOf(f, 'test');
  const wire = toWire(func);
  return { func, wire, revived: revive(structuredClone(wire.func)) };
}

/** Return a model calling an opaque function with a custom JVP that calls it again (a cycle). */
function withOpaque() {
  const ln = opaque([Real], Real, Math.log);
  ln.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: ln(x), du: div(dx, x) }));
  const cube = opaque([Real], Real, (x) => x * x * x);
  cube.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: cube(x), du: mul(dx, mul(3, mul(x, x))) }));
  const f = fn([Vec(2, Real)], Real, (x) => add(mul(ln(x[0]!), cube(x[1]!)), ln(x[1]!)));
  return { f, ln, cube };
}

describe('toWire and revive', () => {
  it('posts a program without opaque functions as it is', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    const f = fn([Vec(3, Real)], Real, (xs) => sum(3, (i) => sin(sq(xs[i]!))));
    const { func, wire, revived } = roundTrip(f);
    expect(wire.func).toBe(func);
    expect(wire.opaques).toEqual([]);
    expect(generate(revived.func).bytes).toEqual(generate(func).bytes);
  });

  it('strips opaque implementations, keeps slots, and leaves the original untouched', () => {
    const { f } = withOpaque();
    const func = funcOf(f, 'test');
    expect(() => structuredClone(func)).toThrow();
    const { wire, revived } = roundTrip(f);
    expect(wire.opaques.map((o) => o.name)).toEqual(opaquesIn(reachableFuncs(func)).map((o) => o.name));
    expect(reachableFuncs(func).filter((g) => g.kind === 'opaque' && typeof g.impl === 'function')).toHaveLength(2);
    const slots = [...revived.slots.values()].sort();
    expect(slots).toEqual([0, 1]);
    for (const [g, slot] of revived.slots) expect(g.name).toBe(wire.opaques[slot]!.name);
  });

  it('revives fresh ids and this realm\'s interned types', () => {
    const { func, revived } = roundTrip(withOpaque().f);
    const before = new Set(reachableFuncs(func).map((g) => g.id));
    for (const g of reachableFuncs(revived.func)) {
      expect(before.has(g.id)).toBe(false);
      if (g.kind === 'transparent') for (const t of g.vars) if (t.kind === 'real') expect(t).toBe(REAL);
    }
    expect(hashFuncGraph(revived.func)).toBe(hashFuncGraph(func));
  });

  it('generates the same bytes and names each import by its slot', () => {
    const { func, wire, revived } = roundTrip(withOpaque().f);
    const original = generate(func);
    const remote = generate(revived.func);
    expect(remote.bytes).toEqual(original.bytes);
    const slots = remote.imports.map((o) => revived.slots.get(o)!);
    expect(slots.map((s) => wire.opaques[s])).toEqual(original.imports);
  });

  it('differentiates the revived program to the same gradient code', () => {
    const { func, revived } = roundTrip(withOpaque().f);
    const vg = (g: Func) => funcOf(valueAndGrad(makeFn(g) as never), 'test');
    expect(generate(vg(revived.func)).bytes).toEqual(generate(vg(func)).bytes);
    const plain = fn([Vec(2, Real)], Real, (x) => mul(sin(x[0]!), x[1]!));
    const back = roundTrip(plain).revived.func;
    expect(interp(valueAndGrad(makeFn(back) as never))([0.5, 2])).toEqual(
      interp(valueAndGrad(plain as never))([0.5, 2]),
    );
  });
});
