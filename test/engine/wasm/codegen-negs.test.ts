/**
 * @file Negations folded into sums (engine/wasm/codegen-negs.ts): `a + -b`, `-b + a` and
 * `a - -b` without an `f64.neg`, products with a negated factor summed by subtracting, and
 * negated locals (read by several sums, or as a factor of products that are summed) kept
 * without their sign. Checked: the negations that remain in the module, and results equal to
 * the interpreter's bit for bit on values where a sign or an order would show (signed zeros,
 * infinities, NaN, cancellation).
 */
import { describe, expect, it } from 'vitest';
import { Real, fn, grad, mul, sub } from '../../../engine/index.ts';
import { REAL, type Func } from '../../../engine/ir/types.ts';
import { funcOf } from '../../../engine/trace/fn.ts';
import { build, checkAgainstInterp, countOps, useWasmText } from './codegen-harness.ts';

useWasmText();

/** Values where a lost or doubled sign, or a changed order, would show. */
const SAMPLES = [0, -0, 1, -1.5, 1e16, -1e-300, Infinity, -Infinity, NaN];

/** Check `f` of three reals against the interpreter on combinations of the samples. */
function checkAll(f: Func): void {
  for (const x of SAMPLES) for (const y of SAMPLES) for (const z of [0.5, -0, 1e16]) checkAgainstInterp(f, [x, y, z]);
}

describe('negations folded into sums', () => {
  it('adds a negated operand on either side, and subtracts a negated subtrahend, without f64.neg', () => {
    const f = build('sums', [REAL, REAL, REAL], (b, x, y, z) => {
      const a = b.prim('add', [x, b.prim('neg', [y])]); // x - y
      const c = b.prim('add', [b.prim('neg', [z]), x]); // x - z
      const d = b.prim('sub', [a, b.prim('neg', [c])]); // a + c
      const e = b.prim('add', [d, b.prim('mul', [b.prim('neg', [x]), z])]); // d - x * z
      return b.prim('add', [b.prim('mul', [y, b.prim('neg', [z])]), e]); // e - y * z
    });
    expect(countOps(f, 'f64.neg')).toBe(0);
    checkAll(f);
  });

  it('keeps a negation read by several sums as its positive value', () => {
    const f = build('shared', [REAL, REAL, REAL], (b, x, y, z) => {
      const n = b.prim('neg', [b.prim('mul', [x, y])]); // read four times: a local
      const p = b.prim('add', [z, n]);
      const q = b.prim('sub', [p, n]);
      const r = b.prim('add', [n, b.prim('div', [q, y])]); // other operand not a product: n goes right
      const s = b.prim('add', [b.prim('mul', [n, z]), r]); // a factor of a summed product
      return b.prim('div', [s, b.prim('add', [x, z])]);
    });
    expect(countOps(f, 'f64.neg')).toBe(0);
    checkAll(f);
  });

  it('keeps the negation when a read needs the negative value', () => {
    const f = build('kept', [REAL, REAL, REAL], (b, x, y, z) => {
      const n = b.prim('neg', [b.prim('mul', [x, y])]);
      const p = b.prim('add', [z, n]);
      const q = b.prim('div', [n, z]); // reads the negative value
      return b.prim('add', [p, q]);
    });
    expect(countOps(f, 'f64.neg')).toBe(1);
    checkAll(f);
  });

  it('does not fold two negated operands of one sum into one subtraction', () => {
    const f = build('both', [REAL, REAL, REAL], (b, x, y, z) => {
      const m = b.prim('neg', [b.prim('mul', [x, z])]); // locals: read twice each
      const n = b.prim('neg', [b.prim('mul', [y, z])]);
      const p = b.prim('add', [m, n]); // -(xz) + -(yz): one sign must stay
      const q = b.prim('mul', [m, n]); // (-a)(-b): not a sum
      const r = b.prim('sub', [n, m]);
      return b.prim('add', [b.prim('add', [p, q]), r]);
    });
    checkAll(f);
  });

  it('keeps a negated factor of a product that is not summed', () => {
    const f = build('factor', [REAL, REAL, REAL], (b, x, y, z) => {
      const n = b.prim('neg', [x]);
      const p = b.prim('add', [y, b.prim('mul', [n, z])]); // summed: y - x * z
      const q = b.prim('div', [b.prim('mul', [n, y]), z]); // (-x * y) / z: the sign stays
      return b.prim('add', [p, q]);
    });
    checkAll(f);
  });

  it('gives compiled gradients of subtractions equal to the interpreter, with fewer negations', () => {
    const f = fn([Real, Real, Real], Real, (x, y, z) => {
      const d = sub(x, mul(y, z));
      const e = sub(mul(d, d), mul(x, sub(y, z)));
      return sub(mul(e, z), mul(d, e));
    });
    const g = funcOf(grad(f), 'test');
    expect(countOps(g, 'f64.neg')).toBeLessThanOrEqual(1);
    checkAll(g as Func);
  });
});
