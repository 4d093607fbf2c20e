/**
 * @file The wasm runtime's memory management: exact page growth, views refreshed after growth,
 * the pinned heap (first fit, coalescing, the top given back to scratch), re-entrancy refusal;
 * and memory use of compiled code: a million value-and-gradient calls grow nothing, a thousand
 * compile cycles keep the default memory bounded.
 */
import { execFileSync } from 'node:child_process';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import {
  Real,
  Vec,
  add,
  compile,
  compileSync,
  compileValueAndGradSync,
  fn,
  mul,
  sub,
  sum,
  vec,
  type Real as RealValue,
} from '../../../engine/index.ts';
import { RoseError } from '../../../engine/errors.ts';
import { ALIGN, PAGE, Runtime, defaultMemory, runtimeFor } from '../../../engine/wasm/runtime.ts';

/** Return a runtime over a fresh 0-page memory. */
function fresh(): Runtime {
  return new Runtime(new WebAssembly.Memory({ initial: 0 }));
}

describe('growth', () => {
  it('grows by exactly the pages needed, never shrinks', () => {
    const rt = fresh();
    rt.reserve(0, 'test');
    expect(rt.memory.buffer.byteLength).toBe(0);
    rt.reserve(16, 'test');
    expect(rt.memory.buffer.byteLength).toBe(PAGE);
    rt.reserve(PAGE, 'test');
    expect(rt.memory.buffer.byteLength).toBe(PAGE);
    rt.reserve(PAGE + 1, 'test');
    expect(rt.memory.buffer.byteLength).toBe(2 * PAGE);
    rt.reserve(10, 'test');
    expect(rt.memory.buffer.byteLength).toBe(2 * PAGE);
  });

  it('re-reads its views after growth, also growth by other code', () => {
    const rt = fresh();
    rt.reserve(8, 'test');
    rt.f64[0] = 1.5;
    const old = rt.f64;
    rt.memory.grow(1); // someone else sharing the memory
    expect(old.length).toBe(0); // the old buffer is detached
    rt.sync();
    expect(rt.f64.length).toBe((2 * PAGE) / 8);
    expect(rt.f64[0]).toBe(1.5);
  });

  it('refuses requests beyond 4 GiB with a RoseError giving the size', () => {
    const rt = fresh();
    expect(() => rt.reserve(2 ** 32 + 8, 'test')).toThrow(RoseError);
    expect(() => rt.reserve(2 ** 32 + 8, 'test')).toThrow(/4294967304 bytes/);
  });

  it('reports a memory whose maximum is too small as a RoseError', () => {
    const rt = new Runtime(new WebAssembly.Memory({ initial: 0, maximum: 1 }));
    expect(() => rt.reserve(PAGE + 1, 'test')).toThrow(/could not grow the wasm memory/);
  });

  it('keeps scratch room above the pinned heap for the largest function', () => {
    const rt = fresh();
    rt.needScratch(3 * PAGE, 'test');
    expect(rt.memory.buffer.byteLength).toBe(3 * PAGE);
    const p = rt.pin(PAGE, 'test');
    expect(p).toBe(0);
    expect(rt.heapTop).toBe(PAGE);
    expect(rt.memory.buffer.byteLength).toBe(4 * PAGE);
  });
});

describe('pinned heap', () => {
  it('aligns and zeroes regions', () => {
    const rt = fresh();
    const a = rt.pin(3, 'test');
    const b = rt.pin(17, 'test');
    expect(a % ALIGN).toBe(0);
    expect(b % ALIGN).toBe(0);
    expect(b).toBe(a + ALIGN);
    rt.u8.fill(7, b, b + 17);
    rt.unpin(b);
    const c = rt.pin(17, 'test');
    expect(c).toBe(b);
    expect([...rt.u8.subarray(c, c + 17)].every((x) => x === 0)).toBe(true);
  });

  it('reuses freed regions first fit and coalesces neighbours', () => {
    const rt = fresh();
    const [a, b, c, d] = [8, 16, 24, 8].map((n) => rt.pin(n, 'test')) as [number, number, number, number];
    rt.unpin(b);
    rt.unpin(a);
    // a and b coalesced: a 24-byte block at `a` fits c's size
    expect(rt.pin(24, 'test')).toBe(a);
    rt.unpin(c);
    expect(rt.pin(24, 'test')).toBe(c);
    expect(d).toBe(c + 24);
  });

  it('gives the top of the heap back to scratch', () => {
    const rt = fresh();
    const a = rt.pin(64, 'test');
    const b = rt.pin(64, 'test');
    expect(rt.heapTop).toBe(128);
    rt.unpin(a);
    expect(rt.heapTop).toBe(128);
    rt.unpin(b);
    expect(rt.heapTop).toBe(0);
    expect(rt.pinnedCount).toBe(0);
    rt.unpin(b); // twice: no-op
    expect(rt.heapTop).toBe(0);
  });

  it('stays bounded over many pin/unpin cycles of varying sizes', () => {
    const rt = fresh();
    const keep = rt.pin(100, 'test');
    let maxTop = 0;
    for (let k = 0; k < 2000; k++) {
      const ps = [1 + (k % 7) * 40, 8, 300].map((n) => rt.pin(n, 'test'));
      maxTop = Math.max(maxTop, rt.heapTop);
      for (const p of k % 2 ? ps : ps.reverse()) rt.unpin(p);
    }
    expect(rt.heapTop).toBe(104);
    expect(maxTop).toBeLessThan(1024);
    expect(rt.memory.buffer.byteLength).toBe(PAGE);
    rt.unpin(keep);
  });
});

describe('runtimes', () => {
  it('has one runtime per memory and a default one', () => {
    const m = new WebAssembly.Memory({ initial: 0 });
    expect(runtimeFor(m)).toBe(runtimeFor(m));
    expect(runtimeFor()).toBe(runtimeFor());
    expect(runtimeFor().memory).not.toBe(m);
    expect(() => runtimeFor({} as WebAssembly.Memory)).toThrow(/WebAssembly.Memory/);
  });

  it('refuses shared (SharedArrayBuffer) memories with a clear error', () => {
    const m = new WebAssembly.Memory({ initial: 0, maximum: 1, shared: true });
    expect(() => runtimeFor(m)).toThrow(/shared \(SharedArrayBuffer\)/);
  });

  it('refuses re-entrant use of the scratch region', () => {
    const rt = fresh();
    rt.enter('outer');
    expect(() => rt.enter('inner')).toThrow(/re-entrant/);
    rt.leave();
    rt.enter('again');
    rt.leave();
  });
});

/** Return how many garbage collections happened while `run` ran (synchronously). */
async function gcsDuring(run: () => void): Promise<number> {
  const seen: PerformanceEntry[] = [];
  const obs = new PerformanceObserver((list) => seen.push(...list.getEntries()));
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 20)); // let earlier collections report first
  seen.length = 0;
  const t0 = performance.now();
  run();
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 20));
  obs.disconnect();
  return seen.filter((e) => e.startTime >= t0 && e.startTime <= t1).length;
}

describe('compiled code', () => {
  it('runs a million value-and-gradient calls without growing wasm memory or the JS heap', async () => {
    const n = 8;
    const f = fn([Vec(n, Real)], Real, (x) => {
      let s: RealValue = 0;
      for (let k = 0; k + 1 < n; k++) {
        const d = sub(x[k + 1]!, mul(x[k]!, x[k]!));
        s = add(s, add(mul(100, mul(d, d)), mul(sub(1, x[k]!), sub(1, x[k]!))));
      }
      return s;
    });
    const h = compileValueAndGradSync(f);
    h.x.fill(0.5);
    // an optimizer step: a function called again and again (so it gets fully optimized)
    const steps = (m: number): number => {
      let t = 0;
      for (let k = 0; k < m; k++) t += h.evaluate();
      return t;
    };
    for (let k = 0; k < 50; k++) steps(2000); // warm up
    const bytes = h.memory.buffer.byteLength;
    const heap = process.memoryUsage().heapUsed;
    const gcs = await gcsDuring(() => {
      let total = 0;
      for (let j = 0; j < 10; j++) total += steps(100_000);
      expect(total).toBe(1_000_000 * 7 * 6.5);
    });
    const grown = process.memoryUsage().heapUsed - heap;
    expect(h.memory.buffer.byteLength).toBe(bytes);
    // the loop is synchronous, so only its own allocations can trigger a collection: 16 bytes
    // per call (one small array or boxed number) causes several per million calls
    expect(gcs).toBe(0);
    expect(grown).toBeLessThan(8 * 2 ** 20);
    h.dispose();
  });

  it('keeps the default memory bounded over a thousand compile cycles', async () => {
    const memory = defaultMemory();
    const rt = runtimeFor();
    const pinned = rt.pinnedCount;
    const norm = (k: number) => fn([Vec(4 + (k % 5), Real)], Real, (x) => sum(4 + (k % 5), (i) => mul(x[i]!, x[i]!)));
    let bytesAfterWarmup = 0;
    for (let k = 0; k < 1000; k++) {
      // a new function each cycle: its own module, instance, scratch need and pinned region
      const f = norm(k);
      const c = k % 2 ? compileSync(f) : await compile(f);
      expect(c(Array.from({ length: 4 + (k % 5) }, () => 2))).toBe(4 * (4 + (k % 5)));
      const h = compileValueAndGradSync(f);
      h.x.fill(1);
      expect(h.evaluate()).toBe(4 + (k % 5));
      h.dispose();
      if (k === 9) bytesAfterWarmup = memory.buffer.byteLength;
    }
    expect(memory.buffer.byteLength).toBe(bytesAfterWarmup);
    expect(rt.pinnedCount).toBe(pinned);
  });

  it('frees the pinned region of a zero-copy object that is garbage collected', () => {
    // a child process with --expose-gc: drop 100 objects without dispose, collect, check
    const script = `
      import { Real, Vec, compileValueAndGradSync, fn, mul, sum } from './engine/index.ts';
      import { runtimeFor } from './engine/wasm/runtime.ts';
      const f = fn([Vec(3, Real)], Real, (x) => sum(3, (i) => mul(x[i], x[i])));
      const keep = compileValueAndGradSync(f);
      for (let k = 0; k < 100; k++) compileValueAndGradSync(f).evaluate();
      const before = runtimeFor().pinnedCount;
      for (let k = 0; k < 50 && runtimeFor().pinnedCount > 1; k++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 5));
      }
      keep.x.fill(2);
      console.log(JSON.stringify([before, runtimeFor().pinnedCount, keep.evaluate()]));`;
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', './scripts/ts-register.mjs', '--input-type=module', '-e', script],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual([101, 1, 12]);
  });

  it('shares scratch between functions: memory is sized by the largest, not the sum', () => {
    const memory = new WebAssembly.Memory({ initial: 0 });
    const n = 4096; // 32 KiB argument + 32 KiB result: one page each time
    for (let k = 0; k < 20; k++)
      compileSync(fn([Vec(n, Real)], Vec(n, Real), (v) => vec(n, Real, (i) => add(v[i]!, k))), { memory });
    expect(memory.buffer.byteLength).toBe(PAGE);
  });
});
