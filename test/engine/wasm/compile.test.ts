/**
 * @file `compile` / `compileSync` beyond Rose's tests: Float64Array arguments, results written
 * into caller arrays (`into`), interp's errors for bad arguments, index traps, opaque errors,
 * re-entrancy, memory growth during a call, and programs too large for wasm32.
 */
import { describe, expect, it } from 'vitest';
import {
  Bool,
  Real,
  RoseError,
  Vec,
  add,
  compile,
  compileSync,
  fn,
  interp,
  mul,
  opaque,
  struct,
  sum,
  vec,
} from '../../../engine/index.ts';
import { defaultMemory } from '../../../engine/wasm/runtime.ts';

/** Return the error `f()` throws (failing the test if it does not throw). */
function thrown(f: () => unknown): RoseError {
  try {
    f();
  } catch (e) {
    return e as RoseError;
  }
  return expect.fail('expected an error');
}

const norm2 = fn([Vec(3, Real)], Real, (v) => sum(3, (i) => mul(v[i]!, v[i]!)));
const scale = fn([Real, Vec(3, Real)], Vec(3, Real), (c, v) => vec(3, Real, (i) => mul(c, v[i]!)));
const outer = fn([Vec(2, Real), Vec(3, Real)], Vec(2, Vec(3, Real)), (u, v) =>
  vec(2, Vec(3, Real), (i) => vec(3, Real, (j) => mul(u[i]!, v[j]!))),
);

describe('values', () => {
  it('compiles synchronously and asynchronously to the same function', async () => {
    const a = compileSync(norm2);
    const b = await compile(norm2);
    expect(a([1, 2, 3])).toBe(14);
    expect(b([1, 2, 3])).toBe(14);
    expect(a.name).toBe(b.name);
  });

  it('accepts Float64Array arguments, also views of any buffer', () => {
    const f = compileSync(norm2);
    expect(f(new Float64Array([1, 2, 3]))).toBe(14);
    const big = new Float64Array([9, 1, 2, 3, 9]);
    expect(f(big.subarray(1, 4))).toBe(14);
  });

  it('returns fresh arrays that later calls do not change', () => {
    const f = compileSync(scale);
    const r1 = f(2, [1, 2, 3]);
    const r2 = f(3, [1, 2, 3]);
    expect(r1).toEqual([2, 4, 6]);
    expect(r2).toEqual([3, 6, 9]);
    r1[0] = 100;
    expect(f(2, [1, 2, 3])).toEqual([2, 4, 6]);
  });

  it('returns an argument passed through (a pointer into the argument area)', () => {
    const id = compileSync(fn([Real, struct({ v: Vec(2, Real), b: Bool })], struct({ v: Vec(2, Real), b: Bool }), (_, s) => s));
    expect(id(1, { v: [5, 6], b: true })).toEqual({ v: [5, 6], b: true });
  });

  it('writes vector results into a caller Float64Array with into', () => {
    const f = compileSync(scale);
    const out = new Float64Array(3);
    expect(f.into(out, 2, [1, 2, 3])).toBe(out);
    expect([...out]).toEqual([2, 4, 6]);
    const m = new Float64Array(6);
    compileSync(outer).into(m, [1, 2], new Float64Array([3, 4, 5]));
    expect([...m]).toEqual([3, 4, 5, 6, 8, 10]);
    const one = new Float64Array(1);
    compileSync(norm2).into(one, [1, 2, 3]);
    expect(one[0]).toBe(14);
  });

  it('writes long vector results with into', () => {
    const n = 1000;
    const f = compileSync(fn([Vec(n, Real)], Vec(n, Real), (v) => vec(n, Real, (i) => add(v[i]!, 1))));
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const out = new Float64Array(n);
    f.into(out, x);
    expect(out.every((y, i) => y === i + 1)).toBe(true);
  });

  it('refuses into for other results and wrong output arrays', () => {
    const f = compileSync(fn([Real], Vec(2, Bool), () => [true, false]));
    expect(thrown(() => f.into(new Float64Array(2), 1)).code).toBe('invalid-type');
    const g = compileSync(scale);
    expect(thrown(() => g.into(new Float64Array(2), 1, [1, 2, 3])).message).toMatch(/length 3/);
    expect(thrown(() => g.into([0, 0, 0] as never, 1, [1, 2, 3])).code).toBe('invalid-value');
  });
});

describe('errors', () => {
  /** Assert that compiled and interpreted `f` reject `args` with the same code and message. */
  function sameError(f: Parameters<typeof compileSync>[0], name: string, ...args: unknown[]): RoseError {
    const c = thrown(() => (compileSync(f) as (...a: unknown[]) => unknown)(...args));
    const i = thrown(() => (interp(f as never) as (...a: unknown[]) => unknown)(...args));
    expect(c).toBeInstanceOf(RoseError);
    expect(c.code).toBe(i.code);
    expect(c.message).toBe(i.message.replace(`interp(${name})`, `compiled ${name}`));
    return c;
  }

  it('rejects bad arguments with the same RoseErrors as interp', () => {
    const f = fn([Real, Vec(2, Bool), struct({ k: 3, x: Real })], Real, (x) => x);
    const name = 'fn';
    expect(sameError(f, name, 1, [true])).toHaveProperty('code', 'arity');
    expect(sameError(f, name, null, [true, false], { k: 0, x: 1 }).message).toMatch(/did not expect null/);
    expect(sameError(f, name, 1, [true, 1], { k: 0, x: 1 }).message).toMatch(/type is not numeric/);
    expect(sameError(f, name, 1, [true], { k: 0, x: 1 }).message).toMatch(/wrong array size/);
    expect(sameError(f, name, 1, [true, false], { k: 0 }).message).toMatch(/wrong struct keys/);
    expect(sameError(f, name, 1, [true, false], { k: -1, x: 1 }).message).toMatch(/unsigned integer/);
    expect(sameError(f, name, 'x', [true, false], { k: 0, x: 1 }).message).toMatch(/invalid value/);
    expect(sameError(f, name, 1, { 0: true, 1: false }, { k: 0, x: 1 }).message).toMatch(/type is not a struct/);
  });

  it('turns an out-of-range dynamic index into invalid-value, as interp does', () => {
    const f = fn([Vec(3, Real), 3], Real, (v, i) => v[i]!);
    const c = compileSync(f);
    expect(c([1, 2, 3], 2)).toBe(3);
    const e = thrown(() => c([1, 2, 3], 5));
    expect(e.code).toBe('invalid-value');
    expect(e.message).toMatch(/index out of range/);
    expect(thrown(() => interp(f)([1, 2, 3], 5)).code).toBe('invalid-value');
    expect(c([1, 2, 3], 0)).toBe(1); // the runtime is usable after a trap
  });

  it('lets errors thrown by opaque functions pass through unchanged', () => {
    const boom = new Error('boom');
    const bad = opaque([Real], Real, () => {
      throw boom;
    });
    const f = compileSync(fn([Real], Real, (x) => add(bad(x), 1)));
    expect(thrown(() => f(1))).toBe(boom);
  });

  it('refuses re-entrant calls through opaque functions, but not across memories', () => {
    const inner = compileSync(fn([Real], Real, (x) => mul(x, 2)));
    const viaSame = opaque([Real], Real, (x) => inner(x));
    const f = compileSync(fn([Real], Real, (x) => add(viaSame(x), 1)));
    const e = thrown(() => f(3));
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/re-entrant/);
    const own = compileSync(fn([Real], Real, (x) => mul(x, 2)), { memory: new WebAssembly.Memory({ initial: 0 }) });
    const viaOwn = opaque([Real], Real, (x) => own(x));
    expect(compileSync(fn([Real], Real, (x) => add(viaOwn(x), 1)))(3)).toBe(7);
  });

  it('rejects non-functions', async () => {
    expect(thrown(() => compileSync(3 as never)).code).toBe('invalid-value');
    await expect(compile({} as never)).rejects.toThrow(RoseError);
    expect(thrown(() => compileSync(norm2, { memory: {} as never })).message).toMatch(/WebAssembly.Memory/);
  });

  it('refuses programs needing more memory than wasm32 addresses, giving the size', async () => {
    const n = 2 ** 28; // 2 GiB per vector: the arguments alone pass 4 GiB
    const f = fn([Vec(n, Real), Vec(n, Real), Vec(n, Real)], Real, (u) => u[0]!);
    const memory = new WebAssembly.Memory({ initial: 0 });
    const e = thrown(() => compileSync(f, { memory }));
    expect(e).toBeInstanceOf(RoseError);
    expect(e.message).toMatch(/6442450944 bytes/);
    expect(memory.buffer.byteLength).toBe(0);
    const g = fn([Real], Vec(2 ** 30, Real), (x) => vec(2 ** 30, Real, () => x));
    await expect(compile(g, { memory })).rejects.toThrow(RoseError);
    expect(memory.buffer.byteLength).toBe(0);
  });
});

describe('memory', () => {
  it('shares the default memory between functions compiled without options', () => {
    expect(compileSync(norm2).memory).toBe(defaultMemory());
    expect(compileSync(scale).memory).toBe(defaultMemory());
    const memory = new WebAssembly.Memory({ initial: 0 });
    expect(compileSync(norm2, { memory }).memory).toBe(memory);
  });

  it('grows by exactly the pages needed, 0 bytes -> 0 pages', () => {
    const memory = new WebAssembly.Memory({ initial: 0 });
    compileSync(fn([Real], Real, (x) => add(x, 1)), { memory });
    expect(memory.buffer.byteLength).toBe(0);
    compileSync(fn([Vec(2, Real)], Real, (v) => add(v[0]!, v[1]!)), { memory });
    expect(memory.buffer.byteLength).toBe(65536);
    const n = 8192; // 64 KiB of argument + 64 KiB of result: 2 pages
    compileSync(fn([Vec(n, Real)], Vec(n, Real), (v) => vec(n, Real, (i) => v[i]!)), { memory });
    expect(memory.buffer.byteLength).toBe(2 * 65536);
  });

  it('re-reads its views when the memory grows during a call', () => {
    const memory = new WebAssembly.Memory({ initial: 0 });
    const big = fn([Vec(100000, Real)], Real, (v) => v[0]!);
    let grown = false;
    const grow = opaque([Real], Real, (x) => {
      if (!grown) compileSync(big, { memory }); // compiling (not calling) is allowed mid-call
      grown = true;
      return x;
    });
    const f = compileSync(fn([Vec(3, Real)], Vec(3, Real), (v) => vec(3, Real, (i) => grow(v[i]!))), { memory });
    const before = memory.buffer.byteLength;
    expect(f([1, 2, 3])).toEqual([1, 2, 3]);
    expect(memory.buffer.byteLength).toBeGreaterThan(before);
    expect(f([4, 5, 6])).toEqual([4, 5, 6]);
  });

  it('runs two functions compiled into one memory, interleaved (Rose PR #125)', async () => {
    const memory = new WebAssembly.Memory({ initial: 0 });
    const f = await compile(norm2, { memory });
    const g = await compile(outer, { memory });
    for (let k = 0; k < 3; k++) {
      expect(f([k, 1, 2])).toBe(k * k + 5);
      expect(g([k, 1], [1, 2, 3])).toEqual([[k, 2 * k, 3 * k], [1, 2, 3]]);
    }
  });
});
