/**
 * @file The zero-copy value-and-gradient entry: results equal the interpreter's
 * `valueAndGrad` bit for bit, `x` is read in place and never changed, the gradient survives other
 * compiled calls, views follow memory growth, signatures are checked, `dispose` frees.
 */
import { describe, expect, it } from 'vitest';
import {
  Real,
  RoseError,
  Vec,
  add,
  compileSync,
  compileValueAndGrad,
  compileValueAndGradSync,
  fn,
  interp,
  mul,
  sub,
  sum,
  valueAndGrad,
  vec,
  type Real as RealValue,
} from '../../../engine/index.ts';
import { runtimeFor } from '../../../engine/wasm/runtime.ts';

/** Rosenbrock in n variables, unrolled (literal indices). */
function rosenbrock(n: number) {
  return fn([Vec(n, Real)], Real, (x) => {
    let s: RealValue = 0;
    for (let k = 0; k + 1 < n; k++) {
      const a = x[k]!;
      const d = sub(x[k + 1]!, mul(a, a));
      s = add(s, add(mul(100, mul(d, d)), mul(sub(1, a), sub(1, a))));
    }
    return s;
  });
}

/** A sum of squares over a loop (not unrolled). */
const norm2 = (n: number) => fn([Vec(n, Real)], Real, (x) => sum(n, (i) => mul(x[i]!, x[i]!)));

/** Assert `h` at `x0` equals the interpreter's valueAndGrad bit for bit. */
function matchesInterp(h: ReturnType<typeof compileValueAndGradSync>, f: Parameters<typeof valueAndGrad>[0], x0: number[]): void {
  h.x.set(x0);
  const value = h.evaluate();
  const want = interp(valueAndGrad(f) as never)(x0) as { value: number; grad: number[] };
  expect(Object.is(value, want.value)).toBe(true);
  expect([...h.gradient]).toEqual(want.grad);
  expect([...h.gradient].every((g, i) => Object.is(g, want.grad[i]))).toBe(true);
}

describe('compileValueAndGrad', () => {
  it('computes value and gradient like interp(valueAndGrad(f)), bit for bit', () => {
    const f = rosenbrock(12);
    const h = compileValueAndGradSync(f);
    expect(h.n).toBe(12);
    matchesInterp(h, f, Array.from({ length: 12 }, (_, i) => Math.cos(i) * 1.3));
    matchesInterp(h, f, Array.from({ length: 12 }, () => 1));
    const g = norm2(1000);
    matchesInterp(compileValueAndGradSync(g), g, Array.from({ length: 1000 }, (_, i) => i / 7 - 50));
  });

  it('works asynchronously, and into a given memory', async () => {
    const memory = new WebAssembly.Memory({ initial: 0 });
    const h = await compileValueAndGrad(norm2(3), { memory });
    expect(h.memory).toBe(memory);
    expect(h.x.buffer).toBe(memory.buffer);
    h.x.set([1, 2, 3]);
    expect(h.evaluate()).toBe(14);
    expect([...h.gradient]).toEqual([2, 4, 6]);
  });

  it('reads x in place without changing it', () => {
    const h = compileValueAndGradSync(rosenbrock(5));
    const x0 = [0.1, -0.2, 0.3, -0.4, 0.5];
    h.x.set(x0);
    for (let k = 0; k < 3; k++) h.evaluate();
    expect([...h.x]).toEqual(x0);
  });

  it('keeps the gradient when other compiled functions run in the same memory', () => {
    const h = compileValueAndGradSync(norm2(4));
    const other = compileSync(fn([Vec(4, Real)], Vec(4, Real), (v) => vec(4, Real, (i) => mul(v[i]!, 1000))));
    h.x.set([1, 2, 3, 4]);
    h.evaluate();
    expect(other([9, 9, 9, 9])).toEqual([9000, 9000, 9000, 9000]);
    const h2 = compileValueAndGradSync(norm2(4));
    h2.x.set([-1, -1, -1, -1]);
    h2.evaluate();
    expect([...h.gradient]).toEqual([2, 4, 6, 8]);
    expect([...h.x]).toEqual([1, 2, 3, 4]);
    expect([...h2.gradient]).toEqual([-2, -2, -2, -2]);
  });

  it('refreshes its views after the memory grows', () => {
    const memory = new WebAssembly.Memory({ initial: 0 });
    const h = compileValueAndGradSync(norm2(3), { memory });
    const x = h.x;
    x.set([1, 2, 3]);
    h.evaluate();
    const g = h.gradient;
    compileSync(fn([Vec(50000, Real)], Real, (v) => v[0]!), { memory }); // grows the memory
    expect(x.length).toBe(0); // detached: the old views are empty
    expect(g.length).toBe(0);
    expect([...h.x]).toEqual([1, 2, 3]);
    expect([...h.gradient]).toEqual([2, 4, 6]);
    h.x[0] = 5;
    expect(h.evaluate()).toBe(25 + 4 + 9);
    expect([...h.gradient]).toEqual([10, 4, 6]);
  });

  it('has no parameters for n = 0', () => {
    const h = compileValueAndGradSync(fn([Vec(0, Real)], Real, () => 7));
    expect(h.evaluate()).toBe(7);
    expect(h.x.length).toBe(0);
    expect(h.gradient.length).toBe(0);
  });

  it('refuses other signatures', async () => {
    const bad = [
      fn([Real], Real, (x) => x),
      fn([Vec(2, Real), Real], Real, (v) => v[0]!),
      fn([Vec(2, Real)], Vec(2, Real), (v) => v),
      fn([Vec(2, 2)], Real, () => 1),
    ];
    for (const f of bad) {
      expect(() => compileValueAndGradSync(f as never)).toThrow(/needs a function from Vec\(n, Real\) to Real/);
      await expect(compileValueAndGrad(f as never)).rejects.toThrow(RoseError);
    }
    expect(() => compileValueAndGradSync(3 as never)).toThrow(RoseError);
  });

  it('frees its region on dispose and refuses use afterwards', () => {
    const memory = new WebAssembly.Memory({ initial: 0 });
    const rt = runtimeFor(memory);
    const h = compileValueAndGradSync(norm2(3), { memory });
    expect(rt.pinnedCount).toBe(1);
    h.dispose();
    h.dispose();
    expect(rt.pinnedCount).toBe(0);
    expect(rt.heapTop).toBe(0);
    expect(() => h.evaluate()).toThrow(/disposed/);
    expect(() => h.x).toThrow(/disposed/);
    expect(() => h.gradient).toThrow(/disposed/);
  });
});
