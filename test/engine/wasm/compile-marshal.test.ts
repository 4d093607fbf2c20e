/**
 * @file Marshalling between JS values and wasm memory, without any wasm: encoders and decoders
 * round-trip every kind of type, agree with layout.ts byte for byte, and reject bad values with
 * exactly the errors `interp` gives.
 */
import { describe, expect, it } from 'vitest';
import { Bool, Dual, Null, Real, Tan, Vec, struct } from '../../../engine/index.ts';
import { RoseError } from '../../../engine/errors.ts';
import { REAL, type StructTy, type Ty } from '../../../engine/ir/types.ts';
import { toVal } from '../../../engine/trace/run.ts';
import { toTy } from '../../../engine/trace/types.ts';
import { tupleTy } from '../../../engine/trace/values.ts';
import { memberOffset, sizeOf } from '../../../engine/wasm/layout.ts';
import {
  argPlan,
  decoder,
  encodeSlow,
  encoder,
  flatRealCount,
  resultDecoder,
} from '../../../engine/wasm/marshal.ts';
import { Runtime } from '../../../engine/wasm/runtime.ts';

/** Return a runtime with one page of memory. */
function fresh(): Runtime {
  const rt = new Runtime(new WebAssembly.Memory({ initial: 0 }));
  rt.reserve(65536, 'test');
  return rt;
}

/** Encode `x` of type `t` at `addr` (fast path, then the slow one), and decode it back. */
function roundTrip(rt: Runtime, t: Ty, x: unknown, addr = 64): unknown {
  if (!encoder(rt, t)(x, addr)) encodeSlow(rt, t, x, addr, 'test');
  return decoder(rt, t)(addr);
}

const cases: [string, unknown, unknown][] = [
  ['Null', Null, null],
  ['Bool', Bool, true],
  ['Real', Real, -2.5],
  ['Tan', Tan, 1e300],
  ['fin 1 (zero-size)', 1, 0],
  ['fin 256 (u8)', 256, 255],
  ['fin 300 (u16)', 300, 299],
  ['fin 70000 (u32)', 70000, 69999],
  ['vector of reals', Vec(4, Real), [1, -0, NaN, Infinity]],
  ['vector of bools', Vec(3, Bool), [true, false, true]],
  ['vector of nulls', Vec(2, Null), [null, null]],
  ['empty vector', Vec(0, Real), []],
  ['matrix', Vec(2, Vec(3, Real)), [[1, 2, 3], [4, 5, 6]]],
  ['Dual', Dual, { re: 3, du: 4 }],
  ['mixed struct', struct({ b: Bool, i: 300, x: Real, n: Null }), { b: true, i: 7, x: 0.5, n: null }],
  ['nested', Vec(2, struct({ p: Vec(2, 3), q: struct({ z: Real }) })), [{ p: [2, 1], q: { z: 1 } }, { p: [0, 0], q: { z: -1 } }]],
  ['zero-size struct', struct({ a: Null, b: 0, c: 1 }), { a: null, b: 0, c: 0 }],
];

describe('round trips', () => {
  for (const [name, desc, x] of cases) {
    it(`encodes and decodes ${name}`, () => {
      const rt = fresh();
      const got = roundTrip(rt, toTy(desc), x);
      expect(got).toEqual(x);
      if (typeof x === 'number') expect(Object.is(got, x)).toBe(true);
    });
  }

  it('keeps -0 and NaN in vectors of reals', () => {
    const rt = fresh();
    const got = roundTrip(rt, toTy(Vec(2, Real)), [-0, NaN]) as number[];
    expect(Object.is(got[0], -0)).toBe(true);
    expect(got[1]).toBeNaN();
  });

  it('accepts Float64Array for vectors of reals and of indices', () => {
    const rt = fresh();
    expect(roundTrip(rt, toTy(Vec(3, Real)), new Float64Array([1, 2, 3]))).toEqual([1, 2, 3]);
    expect(roundTrip(rt, toTy(Vec(2, 5)), new Float64Array([4, 0]))).toEqual([4, 0]);
  });

  it('accepts struct keys in any order', () => {
    const rt = fresh();
    const t = toTy(struct({ x: Real, y: Real }));
    expect(roundTrip(rt, t, { y: 2, x: 1 })).toEqual({ x: 1, y: 2 });
  });

  it('reads and writes tuples as arrays', () => {
    const rt = fresh();
    const t = tupleTy([REAL, toTy(Vec(2, Real)), REAL, REAL, REAL, REAL, REAL, REAL, REAL, REAL, REAL]);
    const x = [0, [1, 2], 3, 4, 5, 6, 7, 8, 9, 10, 11];
    expect(roundTrip(rt, t, x)).toEqual(x);
  });
});

describe('layout agreement', () => {
  it('writes members at their layout offsets', () => {
    const rt = fresh();
    const t = toTy(struct({ b: Bool, i: 300, x: Real })) as StructTy;
    const base = 128;
    expect(encoder(rt, t)({ b: true, i: 513, x: 1.25 }, base)).toBe(true);
    expect(rt.u8[base + memberOffset(t, 0)]).toBe(1);
    expect(rt.u16[(base + memberOffset(t, 1)) / 2]).toBe(513);
    expect(rt.f64[(base + memberOffset(t, 2)) / 8]).toBe(1.25);
  });

  it('writes vector elements at their stride', () => {
    const rt = fresh();
    const t = toTy(Vec(3, struct({ k: 256, x: Real })));
    const base = 64;
    encoder(rt, t)([{ k: 1, x: 10 }, { k: 2, x: 20 }, { k: 3, x: 30 }], base);
    const stride = sizeOf(t) / 3;
    expect(stride).toBe(16);
    expect([0, 1, 2].map((i) => rt.f64[(base + i * stride) / 8])).toEqual([10, 20, 30]);
  });

  it('plans arguments: scalars as values, aggregates at aligned offsets', () => {
    const rt = fresh();
    const tys = [Real, Vec(3, Bool), Bool, struct({ x: Real }), Null, 5].map((d) => toTy(d));
    const plan = argPlan(rt, tys, 'f');
    expect(plan.params.map((p) => p.kind)).toEqual(['f64', 'ptr', 'i32', 'ptr', 'none', 'i32']);
    expect(plan.params[1]!.offset).toBe(0);
    expect(plan.params[3]!.offset).toBe(8);
    expect(plan.bytes).toBe(16);
    expect(plan.params[4]!.where).toBe('argument 4 of f');
  });

  it('decodes results: f64 as is, bools, unsigned indices and pointers', () => {
    const rt = fresh();
    expect(resultDecoder(rt, toTy(Bool))(1)).toBe(true);
    expect(resultDecoder(rt, toTy(70000))(-1)).toBe(0xffffffff);
    expect(resultDecoder(rt, toTy(Null))(0)).toBe(null);
    expect(resultDecoder(rt, toTy(Vec(2, Null)))(0)).toEqual([null, null]);
    rt.f64[3] = 7;
    expect(resultDecoder(rt, toTy(Vec(1, Real)))(24)).toEqual([7]);
  });

  it('counts the reals of flat real results', () => {
    expect(flatRealCount(toTy(Real))).toBe(1);
    expect(flatRealCount(toTy(Vec(2, Vec(3, Real))))).toBe(6);
    expect(flatRealCount(toTy(Vec(2, Bool)))).toBeUndefined();
    expect(flatRealCount(toTy(Dual))).toBeUndefined();
  });
});

describe('bad values', () => {
  const bad: [string, unknown, unknown][] = [
    ['null for Real', Real, null],
    ['boolean for Real', Real, true],
    ['number for Bool', Bool, 1],
    ['string', Real, 'x'],
    ['undefined', Real, undefined],
    ['negative index', 3, -1],
    ['fractional index', 3, 1.5],
    ['short array', Vec(3, Real), [1, 2]],
    ['array element', Vec(2, Real), [1, 'x']],
    ['Float64Array length', Vec(3, Real), new Float64Array(2)],
    ['Float32Array', Vec(2, Real), new Float32Array(2)],
    ['missing key', struct({ x: Real, y: Real }), { x: 1 }],
    ['extra key', struct({ x: Real }), { x: 1, y: 2 }],
    ['array for struct', struct({ x: Real }), [1]],
    ['object for vector', Vec(1, Real), { 0: 1 }],
    ['nested member', struct({ v: Vec(2, Bool) }), { v: [true, 0] }],
  ];
  for (const [name, desc, x] of bad) {
    it(`rejects ${name} exactly as interp does`, () => {
      const rt = fresh();
      const t = toTy(desc);
      expect(encoder(rt, t)(x, 64)).toBe(false);
      let want: unknown;
      try {
        toVal(t, x, 'argument 0 of f');
      } catch (e) {
        want = e;
      }
      expect(want).toBeInstanceOf(RoseError);
      expect(() => encodeSlow(rt, t, x, 64, 'argument 0 of f')).toThrow(want as Error);
      try {
        encodeSlow(rt, t, x, 64, 'argument 0 of f');
      } catch (e) {
        expect((e as RoseError).code).toBe((want as RoseError).code);
      }
    });
  }

  it('refuses indices too large for their storage, though interp accepts them', () => {
    const rt = fresh();
    const t = toTy(3);
    expect(encoder(rt, t)(256, 64)).toBe(false);
    expect(() => encodeSlow(rt, t, 256, 64, 'argument 0 of f')).toThrow(/out of range for index type 3/);
    expect(encoder(rt, t)(255, 64)).toBe(true); // representable: kept like interp
  });
});
