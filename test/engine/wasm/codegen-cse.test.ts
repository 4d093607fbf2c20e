/**
 * @file Local value numbering before wasm codegen (codegen-cse.ts): which repeated computations
 * are dropped (same primitive and operands, equal constants as operands, commuted add/mul,
 * elements, members, slices, fields, struct literals rebuilding a value) and which are not (imod
 * of another result type, -0 against 0, values of a loop body outside it, values further apart
 * than the window, calls and accumulator operations), and that compiled results stay equal to
 * the interpreter's bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, fn, grad, mul, sub, sum } from '../../../engine/index.ts';
import { BOOL, REAL, finTy, refTy, structTy, vecTy, type Block, type Func, type TransparentFunc } from '../../../engine/ir/types.ts';
import { funcOf } from '../../../engine/trace/fn.ts';
import { eliminateCommon } from '../../../engine/wasm/codegen-cse.ts';
import { accOf, build, checkAgainstInterp } from './codegen-harness.ts';

const ir = (f: unknown): Func => funcOf(f, 'test');

/** Return the number of instructions of a block and its nested blocks. */
function count(block: Block): number {
  return block.reduce((n, { expr: e }) => n + 1 + (e.kind === 'for' ? count(e.body) : 0), 0);
}

describe('eliminateCommon', () => {
  it('drops repeated primitives (also commuted add/mul), elements and members; equal constants match', () => {
    const P = structTy(['a', 'b'], [REAL, REAL]);
    const f = build('f', [vecTy(3, REAL), P], (b, v, s) => {
      const i = b.lit(1, finTy(3));
      const x1 = b.index(v, i);
      const x2 = b.index(v, b.lit(1, finTy(3)));
      const m1 = b.prim('mul', [x1, b.member(s, 0)]);
      const m2 = b.prim('mul', [b.member(s, 0), x2]);
      const d1 = b.prim('sub', [m1, b.real(2)]);
      const d2 = b.prim('sub', [m2, b.real(2)]);
      const d3 = b.prim('sub', [b.real(2), m2]); // not commutative: kept
      return b.prim('add', [b.prim('add', [d1, d2]), d3]);
    });
    const g = eliminateCommon(f);
    // dropped: the second index (of another constant 1), member, mul and sub (of another constant 2)
    expect(count(g.body)).toBe(count(f.body) - 4);
    checkAgainstInterp(f, [[1, 2.5, 3], [0.5, -4]]);
  });

  it('returns the function itself when nothing repeats', () => {
    const f = build('f', [REAL, REAL], (b, x, y) => b.prim('mul', [b.prim('add', [x, y]), b.prim('sub', [x, y])]));
    expect(eliminateCommon(f)).toBe(f);
  });

  it('keeps imod of another result type, -0 next to 0, and repeated calls', () => {
    const sq = build('sq', [REAL], (b, x) => b.prim('mul', [x, x]));
    const T = structTy(['a', 'b', 'c', 'd', 'e'], [finTy(7), finTy(300), REAL, REAL, REAL]);
    const f = build('f', [finTy(300), REAL], (b, i, x) => {
      const s = b.prim('iadd', [i, i]);
      const p = b.prim('mul', [x, b.real(0)]);
      const q = b.prim('mul', [x, b.real(-0)]);
      return b.struct([b.prim('imod', [s], finTy(7)), b.prim('imod', [s], finTy(300)), p, q, b.prim('add', [b.call(sq, [x]), b.call(sq, [x])])], T);
    });
    const g = eliminateCommon(f);
    expect(g.body.filter((i) => i.expr.kind === 'prim' && i.expr.prim === 'imod')).toHaveLength(2);
    expect(g.body.filter((i) => i.expr.kind === 'call')).toHaveLength(2);
    expect(g.body.filter((i) => i.expr.kind === 'prim' && i.expr.prim === 'mul')).toHaveLength(2);
    checkAgainstInterp(f, [250, -3]);
    checkAgainstInterp(f, [3, 2]);
  });

  it('reuses values of the blocks around a loop body, never of a loop body outside it', () => {
    const f = build('f', [vecTy(4, REAL), REAL], (b, v, x) => {
      const outer = b.prim('mul', [x, x]);
      const loop = b.forLoop(4, (i) => {
        const inner = b.prim('mul', [x, x]); // the outer value
        const y = b.prim('add', [b.index(v, i), x]);
        return b.prim('mul', [b.prim('mul', [y, inner]), b.prim('add', [b.index(v, i), x])]);
      });
      const after = b.prim('add', [b.index(loop, b.lit(2, finTy(4))), x]);
      // the same expression as inside the body, but the body's value is not defined here
      const y2 = b.prim('add', [b.index(v, b.lit(2, finTy(4))), x]);
      return b.prim('add', [b.prim('add', [after, y2]), outer]);
    });
    const g = eliminateCommon(f);
    const body = (g.body.find((i) => i.expr.kind === 'for')!.expr as { body: Block }).body;
    expect(body.filter((i) => i.expr.kind === 'prim' && i.expr.prim === 'mul')).toHaveLength(2);
    expect(body.filter((i) => i.expr.kind === 'index')).toHaveLength(1);
    checkAgainstInterp(f, [[1, -2, 0.5, 3], 1.5]);
  });

  it('does not reuse a value defined more than the window away', () => {
    const f = build('f', [REAL], (b, x) => {
      const first = b.prim('sin', [x]);
      let acc = first;
      for (let k = 0; k < 600; k++) acc = b.prim('add', [acc, b.real(k)]);
      return b.prim('add', [acc, b.prim('sin', [x])]);
    });
    const g = eliminateCommon(f);
    expect(g.body.filter((i) => i.expr.kind === 'prim' && i.expr.prim === 'sin')).toHaveLength(2);
    checkAgainstInterp(f, [0.3]);
  });

  it('merges repeated slices and fields but never adds, accums or resolves', () => {
    const S = structTy(['p', 'q'], [REAL, BOOL]);
    const f = build('f', [refTy(vecTy(3, REAL)), refTy(S), REAL], (b, acc, st, x) => {
      const k = b.lit(1, finTy(3));
      b.add(b.slice(acc, k), x);
      b.add(b.slice(acc, b.lit(1, finTy(3))), x);
      b.add(b.field(st, 0), x);
      b.add(b.field(st, 0), x);
      return b.unit();
    });
    const g = eliminateCommon(f);
    expect(g.body.filter((i) => i.expr.kind === 'slice')).toHaveLength(1);
    expect(g.body.filter((i) => i.expr.kind === 'field')).toHaveLength(1);
    expect(g.body.filter((i) => i.expr.kind === 'add')).toHaveLength(4);
    checkAgainstInterp(f, [accOf(vecTy(3, REAL), [1, 2, 3]), accOf(S, [0.5, true]), 0.25]);
  });

  it('replaces a struct literal rebuilding a value member by member with that value', () => {
    const C = structTy(['du', 're'], [REAL, structTy([], [])]);
    const Q = structTy(['a', 'b'], [REAL, REAL]);
    const pass = build('pass', [C], (b, c) => b.prim('mul', [b.member(c, 0), b.real(2)]));
    const swap = build('swap', [Q], (b, q) => b.prim('sub', [b.member(q, 0), b.member(q, 1)]));
    const f = build('f', [C, Q, Q], (b, c, q, r) => {
      const same = b.struct([b.member(c, 0), b.member(c, 1)], C); // c itself
      const swapped = b.struct([b.member(q, 1), b.member(q, 0)], Q); // not q
      const mixed = b.struct([b.member(q, 0), b.member(r, 1)], Q); // neither
      const sum = (x: number, y: number) => b.prim('add', [x, y]);
      return sum(sum(b.call(pass, [same]), b.call(swap, [swapped])), b.call(swap, [mixed]));
    });
    const g = eliminateCommon(f);
    expect(g.body.filter((i) => i.expr.kind === 'struct')).toHaveLength(2);
    const call = g.body.find((i) => i.expr.kind === 'call' && i.expr.func === pass)!.expr as { args: readonly number[] };
    expect(call.args[0]).toBe(f.params[0]);
    checkAgainstInterp(f, [[1.5, []], [2, -3], [0.25, 4]]);
  });

  it('keeps gradients of unrolled programs bit-identical, with fewer instructions', () => {
    const n = 50;
    const rosen = fn([Vec(n, Real)], Real, (x) => {
      let f: Real = 0;
      for (let i = 0; i + 1 < n; i++) {
        const a = sub(x[i + 1]!, mul(x[i]!, x[i]!));
        const c = sub(1, x[i]!);
        f = add(f, add(mul(100, mul(a, a)), mul(c, c)));
      }
      return f;
    });
    const x = Array.from({ length: n }, (_, i) => Math.cos(i));
    const g = ir(grad(rosen)) as TransparentFunc;
    checkAgainstInterp(g, [x]);
    checkAgainstInterp(g, [x], { splitThreshold: 200 });
    const vsum = fn([Vec(n, Real)], Real, (v) => sum(n, (i) => mul(v[i]!, v[i]!)));
    checkAgainstInterp(ir(grad(vsum)), [x]);
  });
});
