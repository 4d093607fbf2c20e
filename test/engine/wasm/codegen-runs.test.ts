/**
 * @file Add runs (engine/wasm/codegen-runs.ts): consecutive adds into one scalar element of an
 * accumulator in memory are summed in a local (one load, one store), and `acc += neg y` /
 * `acc += neg y * z` become subtractions, also when the negated value is read by several adds. Checked: the loads and stores that remain, results
 * equal to the interpreter's bit for bit with values where the order of additions shows, and
 * runs ended by everything that may touch the element in between (a resolve, a call, an add
 * through an index that may be the same element, an add through a pointer that may alias).
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, fn, grad, mul, sub, sum, valueAndGrad, ilt, imod, iadd, select } from '../../../engine/index.ts';
import { REAL, finTy, refTy, structTy, vecTy, type Func, type Var } from '../../../engine/ir/types.ts';
import type { FuncBuilder } from '../../../engine/ir/builder.ts';
import { funcOf } from '../../../engine/trace/fn.ts';
import { generate, type FunctionStats } from '../../../engine/wasm/codegen.ts';
import { accOf, build, checkAgainstInterp, countOps, useWasmText } from './codegen-harness.ts';

const ir = (f: unknown): Func => funcOf(f, 'test');

useWasmText();

const V3 = vecTy(3, REAL);
const at = (b: FuncBuilder, acc: Var, k: number) => b.slice(acc, b.lit(k, finTy(3)));

describe('add runs', () => {
  it('sums adds into the same constant element in a local, in the same order', () => {
    // ((0 + x) + 1) - x is 0 for x = 1e16 but 1 if the 1 were added last
    const f = build('runs', [REAL], (b, x) => {
      const acc = b.accum(b.zero(V3));
      b.add(at(b, acc, 0), x);
      b.add(at(b, acc, 1), b.real(2));
      b.add(at(b, acc, 0), b.real(1));
      b.add(at(b, acc, 2), x);
      b.add(at(b, acc, 0), b.prim('neg', [x]));
      b.add(at(b, acc, 1), x);
      return b.resolve(acc);
    });
    for (const x of [1e16, 0.5, -0, Infinity, NaN]) checkAgainstInterp(f, [x]);
    // elements 0 and 1 each: one load and one store; element 2: one of each (a single add)
    expect(countOps(f, 'f64.load')).toBe(3);
    expect(countOps(f, 'f64.store')).toBe(3);
    expect(countOps(f, 'f64.neg')).toBe(0); // the add of neg x is a subtraction
  });

  it('ends a run at a resolve of the accumulator and at a call reading it', () => {
    const peek = build('peek', [refTy(V3), REAL], (b, r, x) => {
      b.add(at(b, r, 0), x);
      return b.unit();
    });
    const f = build('ended', [REAL], (b, x) => {
      const acc = b.accum(b.zero(V3));
      b.add(at(b, acc, 0), x);
      const mid = b.resolve(acc); // must see the first add
      b.add(at(b, acc, 0), b.real(1));
      b.call(peek, [acc, b.real(3)]);
      b.add(at(b, acc, 0), b.prim('neg', [x]));
      return b.struct([mid, b.resolve(acc)], structTy(['mid', 'end'], [V3, V3]));
    });
    for (const x of [1e16, 0.25]) checkAgainstInterp(f, [x]);
  });

  it('ends a run at an add through a computed index or a pointer that may alias', () => {
    // i may be 0: the add through it lands between the two adds into element 0
    const viaIndex = build('viaIndex', [finTy(3), REAL], (b, i, x) => {
      const acc = b.accum(b.zero(V3));
      b.add(at(b, acc, 0), x);
      b.add(b.slice(acc, i), b.real(1));
      b.add(at(b, acc, 0), b.prim('neg', [x]));
      return b.resolve(acc);
    });
    for (const i of [0, 1, 2]) checkAgainstInterp(viaIndex, [i, 0.5]);
    // p and q are the same accumulator when called from `twice`
    const pair = build('pair', [refTy(V3), refTy(V3), REAL], (b, p, q, x) => {
      b.add(at(b, p, 0), x);
      b.add(at(b, q, 0), b.real(1));
      b.add(at(b, p, 0), b.prim('neg', [x]));
      b.add(at(b, q, 1), x);
      b.add(at(b, q, 1), x);
      return b.unit();
    });
    const twice = build('twice', [REAL], (b, x) => {
      const acc = b.accum(b.zero(V3));
      b.call(pair, [acc, acc, x]);
      return b.resolve(acc);
    });
    checkAgainstInterp(twice, [0.5]);
    checkAgainstInterp(pair, [accOf(V3, [1, 2, 3]), accOf(V3, [4, 5, 6]), 1e16]);
  });

  it('keeps runs of one element at a computed index in a loop body, ended by another index', () => {
    const N = 50;
    const f = fn([Vec(N, Real)], Real, (x) =>
      sum(N, (i) => {
        const j = imod(N, iadd(N, i, 1));
        const a = sub(x[j]!, mul(x[i]!, x[i]!));
        return select(ilt(N, i, N - 1), Real, add(mul(100, mul(a, a)), mul(sub(1, x[i]!), sub(1, x[i]!))), 0);
      }),
    );
    const x = Array.from({ length: N }, (_, k) => Math.cos(k) * 1.5);
    checkAgainstInterp(ir(valueAndGrad(f)), [x]);
    checkAgainstInterp(ir(grad(f)), [x]);
  });

  it('gives unrolled gradients a bounded number of locals, also when split into chunks', () => {
    const N = 600;
    const f = fn([Vec(N, Real)], Real, (x) => {
      let s: Real = 0 as never;
      for (let i = 0; i + 1 < N; i++) {
        const a = sub(x[i + 1]!, mul(x[i]!, x[i]!));
        s = add(s, add(mul(100, mul(a, a)), mul(sub(1, x[i]!), sub(1, x[i]!))));
      }
      return s;
    });
    const g = ir(valueAndGrad(f));
    const x = Array.from({ length: N }, (_, k) => Math.sin(k) * 1.2);
    checkAgainstInterp(g, [x]);
    checkAgainstInterp(g, [x], { splitThreshold: 200 });
    const stats: FunctionStats[] = [];
    generate(g, { stats });
    // about 5 locals without runs; a run holds one from its first add to its last; the residuals
    // bwd recomputes (unzip-recompute.ts) hold a few more
    expect(Math.max(...stats.filter((s) => s.name.startsWith('bwd')).map((s) => s.locals))).toBeLessThan(16);
  });

  it('turns adds of a negated product into subtractions, exactly', () => {
    const f = build('negs', [REAL, REAL, REAL], (b, x, y, z) => {
      const acc = b.accum(b.zero(V3));
      b.add(at(b, acc, 0), b.prim('mul', [b.prim('neg', [x]), y]));
      b.add(at(b, acc, 1), b.prim('mul', [z, b.prim('neg', [y])]));
      b.add(at(b, acc, 0), b.prim('neg', [z]));
      const r = b.accum(b.real(0));
      b.add(r, b.prim('neg', [b.prim('add', [x, y])]));
      b.add(r, b.prim('mul', [b.prim('neg', [b.prim('sub', [x, z])]), z]));
      return b.struct([b.resolve(acc), b.resolve(r)], structTy(['v', 'r'], [V3, REAL]));
    });
    expect(countOps(f, 'f64.neg')).toBe(0);
    const values = [0, -0, 1, -2.5, 1e308, -Infinity, NaN, 5e-324];
    for (const x of values) for (const y of values) for (const z of [0, -0, 3, -Infinity]) checkAgainstInterp(f, [x, y, z]);
  });

  it('keeps a negation read only by adds unnegated and subtracts it; keeps it when read otherwise', () => {
    const f = build('negated', [REAL, REAL], (b, x, y) => {
      const acc = b.accum(b.zero(V3));
      const t = b.prim('mul', [b.prim('neg', [x]), y]); // read by three adds: kept as x * y
      b.add(at(b, acc, 0), t);
      b.add(at(b, acc, 1), t);
      const r = b.accum(b.real(0));
      b.add(r, t);
      const n = b.prim('neg', [y]); // read by adds: kept as y
      b.add(at(b, acc, 2), n);
      b.add(r, n);
      const u = b.prim('mul', [x, b.prim('neg', [x])]); // also a member of the result: negated as usual
      b.add(at(b, acc, 2), u);
      b.add(r, u);
      return b.struct([b.resolve(acc), b.resolve(r), u], structTy(['v', 'r', 'u'], [V3, REAL, REAL]));
    });
    expect(countOps(f, 'f64.neg')).toBe(1);
    const values = [0, -0, 1.5, -3, 1e300, -Infinity, NaN];
    for (const x of values) for (const y of values) checkAgainstInterp(f, [x, y]);
  });
});
