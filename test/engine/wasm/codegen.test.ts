/**
 * @file Wasm codegen against the interpreter, bit for bit (the interpreter runs the same wasm math
 * functions, see codegen-harness.ts): every primitive on special values
 * (signed zeros, NaN, infinities, huge and tiny numbers), every type through parameters, results
 * and literals (bool, every fin storage size, units, nested vecs and structs), every expression
 * kind, bounds traps, and determinism of the emitted bytes.
 */
import { describe, expect, it } from 'vitest';
import { PRIMS, PRIM_NAMES, type Prim } from '../../../engine/ir/prims.ts';
import { BOOL, REAL, UNIT, finTy, structTy, vecTy, type Ty } from '../../../engine/ir/types.ts';
import { interpret, type Val } from '../../../engine/interp/interp.ts';
import { RoseError } from '../../../engine/errors.ts';
import { generate } from '../../../engine/wasm/codegen.ts';
import { build, checkAgainstInterp, compile } from './codegen-harness.ts';

const SPECIAL = [0, -0, 1, -1, 0.5, -0.5, 2.5, -3.5, 0.1, 1e-310, -1e-310, 1e300, -1e300, 710, -745, Math.PI, Infinity, -Infinity, NaN];

describe('primitives', () => {
  const unary = PRIM_NAMES.filter((p) => PRIMS[p].family === 'unary');
  const binary = PRIM_NAMES.filter((p) => PRIMS[p].family === 'binary' || PRIMS[p].family === 'compare');

  it.each(unary)('%s matches the interpreter bit for bit', (p) => {
    const f = build(p, [REAL], (b, x) => b.prim(p, [x!]));
    const c = compile(f);
    for (const x of SPECIAL) checkAgainstInterp(f, [x], {}, c);
  });

  it.each(binary)('%s matches the interpreter bit for bit', (p) => {
    const f = build(p, [REAL, REAL], (b, x, y) => b.prim(p, [x!, y!]));
    const c = compile(f);
    for (const x of SPECIAL) for (const y of SPECIAL) checkAgainstInterp(f, [x, y], {}, c);
  });

  it('computes math primitives inside wasm (no imports), close to Math.*', () => {
    const math = PRIM_NAMES.filter((p) => (Math as unknown as Record<string, unknown>)[p] !== undefined && !['abs', 'sign', 'ceil', 'floor', 'trunc', 'sqrt', 'min', 'max'].includes(p));
    expect(math.length).toBe(17);
    for (const p of math) {
      const binary = PRIMS[p].arity === 2;
      const f = build(p, [REAL, REAL], (b, x, y) => b.prim(p, binary ? [x!, y!] : [x!]));
      const c = compile(f);
      expect(c.artifact.imports).toEqual([]);
      const ref = (Math as unknown as Record<string, (...xs: number[]) => number>)[p]!;
      for (const [x, y] of [[0.3, 1.7], [0.9, -0.4], [2.5, 3], [-0.7, 0.2]] as const) {
        const want = binary ? ref(x, y) : ref(x);
        const got = c.call([x, y]) as number;
        if (Number.isNaN(want)) expect(got, `${p}(${x}, ${y})`).toBeNaN();
        else expect(Math.abs(got - want), `${p}(${x}, ${y})`).toBeLessThanOrEqual(4e-16 * Math.abs(want));
      }
    }
  });

  it('min, max and sign agree with Math on signed zeros and NaN', () => {
    const f = build('mm', [REAL, REAL], (b, x, y) =>
      b.vec([b.prim('min', [x!, y!]), b.prim('max', [x!, y!]), b.prim('sign', [x!])], vecTy(3, REAL)),
    );
    const c = compile(f);
    expect(c.call([-0, 0])).toEqual([-0, 0, -1]);
    expect(c.call([0, -0])).toEqual([-0, 0, 1]);
    expect(c.call([NaN, 1])).toEqual([NaN, NaN, NaN]);
    expect(Object.is((c.call([-0, -0]) as number[])[2], -1)).toBe(true);
  });

  it('logic primitives on every combination', () => {
    for (const p of ['and', 'or', 'iff', 'xor'] as const) {
      const f = build(p, [BOOL, BOOL], (b, x, y) => b.prim(p, [x!, y!]));
      const c = compile(f);
      for (const x of [false, true]) for (const y of [false, true]) checkAgainstInterp(f, [x, y], {}, c);
    }
    const not = build('not', [BOOL], (b, x) => b.prim('not', [x!]));
    for (const x of [false, true]) checkAgainstInterp(not, [x]);
  });

  it('index comparisons are unsigned, on every storage size', () => {
    for (const n of [2, 256, 257, 65537, 2 ** 32]) {
      const t = finTy(n);
      for (const p of ['ieq', 'ineq', 'ilt', 'ileq', 'igt', 'igeq'] as const) {
        const f = build(p, [t, t], (b, x, y) => b.prim(p, [x!, y!]));
        const c = compile(f);
        const vals = [0, 1, n - 1, Math.floor(n / 2)];
        for (const x of vals) for (const y of vals) checkAgainstInterp(f, [x, y], {}, c);
      }
    }
  });

  it('iadd and imod, including sizes 1 and results of another index type', () => {
    const f = build('ia', [finTy(300), finTy(300)], (b, x, y) => {
      const s = b.prim('iadd', [x!, y!]);
      return b.struct(
        [b.prim('imod', [s], finTy(7)), b.prim('imod', [x!], finTy(1)), b.prim('imod', [s], finTy(300))],
        structTy(['a', 'b', 'c'], [finTy(7), finTy(1), finTy(300)]),
      );
    });
    const c = compile(f);
    for (const [x, y] of [[0, 0], [299, 299], [150, 149], [7, 13]] as const) checkAgainstInterp(f, [x, y], {}, c);
  });

  it('refuses iadd on index types above 2^31 (sums may not fit 32 bits); allows 2^31', () => {
    const sumOf = (n: number) =>
      build('wide', [finTy(n), finTy(n)], (b, x, y) => b.prim('imod', [b.prim('iadd', [x!, y!])], finTy(7)));
    const wide = sumOf(2 ** 32);
    expect(() => compile(wide)).toThrow(RoseError);
    expect(() => compile(wide)).toThrow(/iadd on index type fin<4294967296>.*at most 2\^31 values/);
    expect(interpret(wide, [2 ** 32 - 1, 2 ** 32 - 1])).toBe((2 ** 33 - 2) % 7);
    for (const [x, y] of [[2 ** 31 - 1, 2 ** 31 - 1], [5, 9]] as const) checkAgainstInterp(sumOf(2 ** 31), [x, y]);
  });

  it('imod of a sum of in-range indices (compare and subtract) wraps like the interpreter', () => {
    const f = build('wrap', [vecTy(5, REAL)], (b, v) =>
      b.forLoop(5, (i) => {
        const j = b.prim('imod', [b.prim('iadd', [i, b.lit(3, finTy(5))])], finTy(5));
        const k = b.prim('imod', [b.prim('iadd', [i, i])], finTy(5));
        return b.prim('add', [b.index(v!, j), b.prim('mul', [b.index(v!, k), b.real(10)])]);
      }),
    );
    checkAgainstInterp(f, [[1, 2, 3, 4, 5]]);
  });

  it('argmax and argmin: first extreme, NaN counts as extreme, signed zeros tie', () => {
    for (const p of ['argmax', 'argmin'] as const) {
      const f = build(p, [vecTy(5, REAL)], (b, v) => b.prim(p, [v!]));
      const c = compile(f);
      const cases = [[1, 5, 5, -2, 0], [3, 2, 1, 0, -1], [-0, 0, 0, -0, 0], [1, NaN, 9, NaN, -9], [NaN, 1, 2, 3, 4], [-Infinity, Infinity, 0, 1, 2]];
      for (const v of cases) checkAgainstInterp(f, [v], {}, c);
      const one = build(p, [vecTy(1, REAL)], (b, v) => b.prim(p, [v!]));
      checkAgainstInterp(one, [[NaN]]);
      const empty = build(p, [vecTy(0, REAL)], (b, v) => b.prim(p, [v!]));
      checkAgainstInterp(empty, [[]]); // interpreter throws, wasm traps
    }
  });

  it('covers every primitive in the table above', () => {
    const covered = new Set<Prim>([
      ...PRIM_NAMES.filter((p) => ['unary', 'binary', 'compare'].includes(PRIMS[p].family)),
      'and', 'or', 'iff', 'xor', 'not', 'ieq', 'ineq', 'ilt', 'ileq', 'igt', 'igeq', 'iadd', 'imod', 'argmax', 'argmin',
    ]);
    expect(PRIM_NAMES.filter((p) => !covered.has(p))).toEqual([]);
  });
});

/** Types covering every leaf storage and nesting. */
const MIXED = structTy(['b', 'k', 'u', 'x'], [BOOL, finTy(300), UNIT, REAL]);
const TYPES: [string, Ty, Val][] = [
  ['bool', BOOL, true],
  ['fin 1', finTy(1), 0],
  ['fin 2', finTy(2), 1],
  ['fin 256', finTy(256), 255],
  ['fin 257', finTy(257), 256],
  ['fin 65536', finTy(65536), 65535],
  ['fin 65537', finTy(65537), 65536],
  ['fin 2^32', finTy(2 ** 32), 2 ** 32 - 1],
  ['real', REAL, -0],
  ['unit', UNIT, null],
  ['empty vec', vecTy(0, REAL), []],
  ['vec of units', vecTy(3, UNIT), [null, null, null]],
  ['vec of bools', vecTy(3, BOOL), [true, false, true]],
  ['matrix', vecTy(2, vecTy(3, REAL)), [[1, 2, 3], [4, NaN, -0]]],
  ['mixed struct', MIXED, [false, 299, null, 2.5]],
  ['vec of structs', vecTy(2, MIXED), [[true, 1, null, 1], [false, 2, null, -1]]],
  ['nested struct', structTy(['in', 'v'], [MIXED, vecTy(2, finTy(70000))]), [[true, 7, null, 3], [69999, 0]]],
  ['empty struct', structTy([], []), []],
];

describe('types', () => {
  it.each(TYPES)('%s passes through params and results', (_, t, v) => {
    checkAgainstInterp(build('id', [t], (_b, x) => x!), [v]);
  });

  it.each(TYPES)('%s: zero, select, and literals wrapping it', (_, t, v) => {
    const pair = structTy(['p', 'q'], [t, t]);
    const f = build('wrap', [t, BOOL], (b, x, c) => {
      const z = b.zero(t);
      const s = b.select(c!, x!, z);
      const lit = b.struct([s, z], pair);
      return b.vec([lit, b.struct([x!, x!], pair)], vecTy(2, pair));
    });
    const c = compile(f);
    checkAgainstInterp(f, [v, true], {}, c);
    checkAgainstInterp(f, [v, false], {}, c);
  });

  it.each(TYPES)('%s: elements by constant, dynamic and loop index', (_, t, v) => {
    const vt = vecTy(3, t);
    const f = build('elems', [t, finTy(3)], (b, x, i) => {
      const vec = b.vec([b.zero(t), x!, x!], vt);
      const dyn = b.index(vec, i!);
      const first = b.index(vec, b.lit(0, finTy(3)));
      const copied = b.forLoop(3, (j) => b.index(vec, j));
      return b.struct([dyn, first, copied], structTy(['d', 'f', 'l'], [t, t, vt]));
    });
    const c = compile(f);
    for (const k of [0, 1, 2]) checkAgainstInterp(f, [v, k], {}, c);
  });
});

describe('expressions', () => {
  it('members of nested structs, as loads and as pointers', () => {
    const inner = structTy(['a', 'b'], [REAL, vecTy(2, BOOL)]);
    const outer = structTy(['i', 'n', 'z'], [inner, finTy(9), REAL]);
    const f = build('members', [outer], (b, s) => {
      const i = b.member(s!, 0);
      return b.struct([b.member(i, 1), b.member(i, 0), b.member(s!, 1)], structTy(['bs', 'r', 'n'], [vecTy(2, BOOL), REAL, finTy(9)]));
    });
    checkAgainstInterp(f, [[[1.5, [true, false]], 8, -2]]);
  });

  it('loops: nested, yielding outer values, aggregates, and n = 1', () => {
    const f = build('loops', [vecTy(3, REAL), REAL], (b, v, y) => {
      const m = b.forLoop(4, (i) =>
        b.forLoop(3, (j) => b.prim('mul', [b.index(v!, j), b.prim('add', [y!, b.real(0.5)])])),
      );
      const outer = b.forLoop(2, () => y!); // yields a value defined outside
      const single = b.forLoop(1, (k) => b.struct([b.index(m, b.lit(2, finTy(4))), k], structTy(['r', 'k'], [vecTy(3, REAL), finTy(1)])));
      return b.struct([m, outer, single], structTy(['m', 'o', 's'], [b.typeOf(m), b.typeOf(outer), b.typeOf(single)]));
    });
    checkAgainstInterp(f, [[1, -2, 3], 0.25]);
  });

  it('never runs the body of an empty loop (an opaque counter is not called)', () => {
    let calls = 0;
    const counter = {
      kind: 'opaque' as const, id: 900001, name: 'counter', paramTypes: [REAL], retType: REAL,
      impl: (x: number) => (calls++, x + 1),
    };
    const f = build('empty', [REAL], (b, x) => {
      const none = b.forLoop(0, () => b.call(counter, [x!]));
      const two = b.forLoop(2, () => b.call(counter, [x!]));
      return b.struct([none, two], structTy(['n', 't'], [vecTy(0, REAL), vecTy(2, REAL)]));
    });
    const c = compile(f);
    calls = 0;
    expect(c.call([1])).toEqual([[], [2, 2]]);
    expect(calls).toBe(2);
  });

  it('calls opaque functions with several arguments, and an opaque root', () => {
    const hyp = { kind: 'opaque' as const, id: 900002, name: 'h', paramTypes: [REAL, REAL, REAL], retType: REAL, impl: (a: number, b: number, c: number) => a * b - c };
    const f = build('useOpaque', [REAL], (b, x) => b.call(hyp, [x!, b.real(3), b.prim('neg', [x!])]));
    checkAgainstInterp(f, [2]);
    checkAgainstInterp(hyp, [2, 3, 4]);
    expect(generate(f).imports).toEqual([hyp]);
  });

  it('accumulators: scalars, slices, fields, mixed leaves copied from the shape', () => {
    const S = structTy(['k', 'p', 'v'], [finTy(5), BOOL, vecTy(3, REAL)]);
    const f = build('accs', [S, finTy(3), REAL], (b, s, i, x) => {
      const acc = b.accum(s!);
      const v = b.field(acc, 2);
      b.add(b.slice(v, i!), x!);
      b.add(b.slice(v, b.lit(0, finTy(3))), b.prim('mul', [x!, x!]));
      b.add(acc, s!);
      b.forLoop(3, (j) => b.add(b.slice(v, j), b.real(0.125)));
      const r = b.accum(b.real(7)); // a ref<real> held in a local
      b.add(r, x!);
      b.forLoop(2, () => b.add(r, b.real(1)));
      return b.struct([b.resolve(acc), b.resolve(r)], structTy(['a', 'r'], [S, REAL]));
    });
    const c = compile(f);
    for (const k of [0, 2]) checkAgainstInterp(f, [[4, true, [1, -0, NaN]], k, 0.3], {}, c);
  });

  it('resolves copy when adds may follow (a resolve inside the loop that adds)', () => {
    const f = build('partial', [REAL], (b, x) => {
      const acc = b.accum(b.zero(vecTy(2, REAL)));
      return b.forLoop(3, (i) => {
        b.add(b.slice(acc, b.prim('imod', [i], finTy(2))), x!);
        return b.resolve(acc);
      });
    });
    checkAgainstInterp(f, [1.5]);
  });
});

describe('bounds', () => {
  it('traps on an index out of range from iadd, a parameter, or a literal', () => {
    const v3 = vecTy(3, REAL);
    const viaIadd = build('iadd', [v3, finTy(3), finTy(3)], (b, v, i, j) => b.index(v!, b.prim('iadd', [i!, j!])));
    const c = compile(viaIadd);
    checkAgainstInterp(viaIadd, [[1, 2, 3], 1, 1], {}, c);
    expect(() => c.call([[1, 2, 3], 2, 1])).toThrow(WebAssembly.RuntimeError);
    checkAgainstInterp(viaIadd, [[1, 2, 3], 2, 2], {}, c); // interpreter throws too
    const viaParam = build('param', [v3, finTy(3)], (b, v, i) => b.index(v!, i!));
    expect(() => compile(viaParam).call([[1, 2, 3], 3])).toThrow(WebAssembly.RuntimeError);
    const viaSlice = build('slice', [finTy(4), REAL], (b, i, x) => {
      const acc = b.accum(b.zero(v3));
      b.add(b.slice(acc, b.prim('imod', [i!], finTy(3))), x!);
      b.add(b.slice(acc, b.prim('iadd', [b.prim('imod', [i!], finTy(3)), b.lit(1, finTy(3))])), x!);
      return b.resolve(acc);
    });
    checkAgainstInterp(viaSlice, [1, 2]);
    checkAgainstInterp(viaSlice, [2, 2]);
    const literal = build('lit', [v3], (b, v) => b.index(v!, b.lit(5, finTy(3))));
    checkAgainstInterp(literal, [[1, 2, 3]]);
  });
});

describe('determinism', () => {
  it('emits the same bytes for the same IR', () => {
    const f = build('det', [vecTy(4, REAL)], (b, v) => {
      const acc = b.accum(b.real(0));
      b.forLoop(4, (i) => b.add(acc, b.prim('exp', [b.index(v!, i)])));
      return b.resolve(acc);
    });
    expect(generate(f).bytes).toEqual(generate(f).bytes);
  });
});
