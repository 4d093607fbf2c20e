/**
 * @file Anchors (engine/wasm/codegen-anchors.ts): pure values whose consumer is far away and
 * whose operands exist early (stored as residuals, loaded) are also stored into a frame slot
 * nothing reads, so V8 computes them where the program does. Checked: where anchors are placed
 * (the running sum of an unrolled forward pass, not short functions or values consumed nearby),
 * and results equal to the interpreter's bit for bit, also split into chunks and in loops.
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, cos, fn, mul, sin, sub, sum, valueAndGrad, vec, type Real as RealValue } from '../../../engine/index.ts';
import type { Func } from '../../../engine/ir/types.ts';
import { funcOf } from '../../../engine/trace/fn.ts';
import { vjpFuncs } from '../../../engine/transforms/vjp.ts';
import { generate, type FunctionStats } from '../../../engine/wasm/codegen.ts';
import { checkAgainstInterp } from './codegen-harness.ts';

const ir = (f: unknown): Func => funcOf(f, 'test');

/**
 * A Rosenbrock-like sum in `n` variables whose terms go through a sine and a cosine, so that its
 * gradient's fwd stores residuals per term (`lin` recomputes cheap arithmetic, not those).
 */
function rosenbrock(n: number) {
  return fn([Vec(n, Real)], Real, (x) => {
    let s: RealValue = 0;
    for (let i = 0; i + 1 < n; i++) {
      const a = sin(sub(x[i + 1]!, mul(x[i]!, x[i]!)));
      const c = cos(x[i]!);
      s = add(s, add(mul(100, mul(a, a)), mul(c, c)));
    }
    return s;
  });
}

/** Return the anchors of each function generated for `f`, by name (chunks summed). */
function anchors(f: Func, splitThreshold?: number): Map<string, number> {
  const stats: FunctionStats[] = [];
  generate(f, { stats, ...(splitThreshold ? { splitThreshold } : {}) });
  const by = new Map<string, number>();
  for (const s of stats) {
    const name = s.name.replace(/#\d+$/, '').replace(/_\d+$/, '');
    by.set(name, (by.get(name) ?? 0) + s.anchors);
  }
  return by;
}

describe('anchors', () => {
  it('anchors the running sum of an unrolled forward pass that stores its terms', () => {
    const n = 400;
    const g = ir(valueAndGrad(rosenbrock(n)));
    const fwd = [...anchors(g)].find(([name]) => name.startsWith('fwd'))![1];
    // one per tree of about four terms, except near the end where the sum is consumed
    expect(fwd).toBeGreaterThan(n / 8);
    expect(fwd).toBeLessThan(n / 2);
    const x = Array.from({ length: n }, (_, k) => Math.cos(k) * 1.3);
    checkAgainstInterp(g, [x]);
    checkAgainstInterp(g, [x], { splitThreshold: 300 });
  });

  it('places none in short functions and for values consumed nearby', () => {
    expect([...anchors(ir(valueAndGrad(rosenbrock(12))))].every(([, k]) => k === 0)).toBe(true);
    const f = fn([Vec(200, Real)], Vec(200, Real), (x) => vec(200, Real, (i) => mul(add(x[i]!, 1), x[i]!)));
    expect([...anchors(ir(valueAndGrad(fn([Vec(200, Real)], Real, (x) => sum(200, (i) => f(x)[i]!)))))].every(([, k]) => k === 0)).toBe(true);
  });

  it('places none where nothing between a value and its consumer writes memory', () => {
    // the plain unrolled Rosenbrock: lin recomputes its terms, so its forward pass alone stores
    // nothing; V8 may place loads and arithmetic freely there, and anchors would only add stores
    // (the gradient interleaves the backward pass's accumulations with it: those are writes)
    const plain = (n: number) =>
      fn([Vec(n, Real)], Real, (x) => {
        let s: RealValue = 0;
        for (let i = 0; i + 1 < n; i++) s = add(s, add(mul(100, mul(sub(x[i + 1]!, mul(x[i]!, x[i]!)), 2)), sub(1, x[i]!)));
        return s;
      });
    expect([...anchors(vjpFuncs(ir(plain(400))).fwd)].every(([, k]) => k === 0)).toBe(true);
    expect([...anchors(ir(plain(400)), 300)].every(([, k]) => k === 0)).toBe(true);
  });

  it('keeps results bit-identical with anchors inside split chunks and in loop bodies', () => {
    const m = 300;
    const g = fn([Vec(m, Real)], Real, (x) => {
      let s: RealValue = 0;
      for (let i = 0; i < m; i++) s = add(s, mul(sub(x[i]!, 0.5), x[(i * 7) % m]!));
      // the same in a loop body: its values are consumed inside it
      return add(s, sum(m, (i) => mul(x[i]!, x[i]!)));
    });
    const x = Array.from({ length: m }, (_, k) => Math.sin(k * 0.37));
    for (const splitThreshold of [undefined, 150, 1000]) {
      const opts = splitThreshold ? { splitThreshold } : {};
      checkAgainstInterp(ir(valueAndGrad(g)), [x], opts);
      checkAgainstInterp(ir(g), [x], opts);
    }
  });
});
