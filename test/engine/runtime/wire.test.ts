/**
 * @file IR across the worker boundary (engine/runtime/wire.ts, engine/ir/serialize.ts), checked in
 * Node with `structuredClone` and transfer, what `postMessage` does: the encoded program clones,
 * its buffers transfer, and the revived program prints the same, generates the very same wasm
 * bytes, differentiates to the same results, and names its imports by slot. Also over generated
 * programs (fast-check) and the functions derived from them.
 */
import fc from 'fast-check';
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
import { pprint, reachableFuncs } from '../../../engine/ir/pprint.ts';
import { funcOf, makeFn, type Fn } from '../../../engine/trace/fn.ts';
import { jvp } from '../../../engine/transforms/jvp.ts';
import { transpose } from '../../../engine/transforms/transpose.ts';
import { unzip } from '../../../engine/transforms/unzip.ts';
import { revive, toWire, transfers, wireHash } from '../../../engine/runtime/wire.ts';
import { generate } from '../../../engine/wasm/codegen.ts';
import { GEN_VARIANTS, buildProgram, programArb } from '../../helpers/gen.ts';
import { REAL, varTypeList, type Func } from '../../../engine/ir/types.ts';

/** Post `func` the way the runtime does: toWire, structured clone with transfer, revive. */
function post(func: Func) {
  const wire = toWire(func);
  const hash = wireHash(wire);
  const received = structuredClone(wire.program, { transfer: transfers(wire.program) });
  return { func, wire, hash, revived: revive(received) };
}

/** Post the IR of `f`. */
function roundTrip(f: Fn) {
  return post(funcOf(f, 'test'));
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
  it('posts a program as transferable buffers that print and compile the same', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    const f = fn([Vec(3, Real)], Real, (xs) => sum(3, (i) => sin(sq(xs[i]!))));
    const { func, wire, revived } = roundTrip(f);
    expect(wire.opaques).toEqual([]);
    expect(wire.program.ints.buffer.byteLength).toBe(0); // transferred: detached here
    expect(pprint(revived.func)).toBe(pprint(func));
    expect(generate(revived.func).bytes).toEqual(generate(func).bytes);
  });

  it('strips opaque implementations, keeps slots, and leaves the original untouched', () => {
    const { f } = withOpaque();
    const func = funcOf(f, 'test');
    expect(() => structuredClone(func)).toThrow();
    const { wire, revived } = roundTrip(f);
    const opaques = reachableFuncs(func).filter((g) => g.kind === 'opaque');
    expect(wire.opaques).toEqual(opaques);
    expect(opaques.every((g) => typeof g.impl === 'function')).toBe(true);
    const slots = [...revived.slots.values()].sort();
    expect(slots).toEqual([0, 1]);
    for (const [g, slot] of revived.slots) expect(g.name).toBe(wire.opaques[slot]!.name);
    for (const g of revived.slots.keys()) if (g.kind === 'opaque') expect(() => g.impl(1)).toThrow(/internal:/);
  });

  it("revives fresh ids, this realm's interned types, and the same hash", () => {
    const { func, hash, revived } = roundTrip(withOpaque().f);
    const before = new Set(reachableFuncs(func).map((g) => g.id));
    for (const g of reachableFuncs(revived.func)) {
      expect(before.has(g.id)).toBe(false);
      if (g.kind === 'transparent') for (const t of varTypeList(g)) if (t.kind === 'real') expect(t).toBe(REAL);
    }
    expect(post(revived.func).hash).toBe(hash);
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

  it.each(GEN_VARIANTS)('round-trips generated programs%s and every pass of them (all expression kinds)', (_, gen) => {
    fc.assert(
      fc.property(programArb(gen), (spec) => {
        const root = buildProgram(spec).root;
        const lin = unzip(jvp(root)).lin;
        for (const g of [root, jvp(root), unzip(jvp(root)).fwd, lin, transpose(lin)]) {
          const { revived, hash } = post(g);
          expect(pprint(revived.func)).toBe(pprint(g));
          expect(post(revived.func).hash).toBe(hash);
        }
      }),
      { numRuns: 60 },
    );
  });
});
