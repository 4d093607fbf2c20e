/**
 * @file Programs of any size: unrolled programs of 300,000 and 1,000,000 operations (and the
 * gradient of one) compile with few locals per wasm function (a few dozen; for the gradient,
 * about as many as a chunk's running cotangent sums), split into functions of bounded size, and
 * run to the interpreter's results; forced splitting changes nothing; programs that need more
 * memory than wasm32 addresses are refused with their size.
 */
import { describe, expect, it } from 'vitest';
import { FuncBuilder } from '../../../engine/ir/builder.ts';
import { REAL, finTy, structTy, vecTy, type TransparentFunc } from '../../../engine/ir/types.ts';
import { RoseError } from '../../../engine/errors.ts';
import { generate, type FunctionStats } from '../../../engine/wasm/codegen.ts';
import { LOAD_CACHE } from '../../../engine/wasm/codegen-emit.ts';
import { gradWrapper } from '../../helpers/reverse.ts';
import { build, checkAgainstInterp, compile } from './codegen-harness.ts';

/**
 * Return a fully unrolled Penrose-like energy of `ops` operations over `n` reals:
 * sum over k of 1 / ((x[a_k] - x[b_k])^2 + 0.5), five operations per term.
 */
function unrolled(ops: number, n = 100): TransparentFunc {
  const b = new FuncBuilder(`unrolled${ops}`);
  const x = b.param(vecTy(n, REAL));
  const xs = Array.from({ length: n }, (_, i) => b.index(x, b.lit(i, finTy(n))));
  let acc = b.real(0);
  for (let k = 0; 5 * k < ops; k++) {
    const d = b.prim('sub', [xs[k % n]!, xs[(k * 7 + 3) % n]!]);
    const t = b.prim('div', [b.real(1), b.prim('add', [b.prim('mul', [d, d]), b.real(0.5)])]);
    acc = b.prim('add', [acc, t]);
  }
  return b.finish(acc);
}

const point = (n: number) => Array.from({ length: n }, (_, i) => Math.sin(i + 1));

describe('programs of any size', () => {
  it('compiles and runs 300,000 unrolled operations with a few locals per function', () => {
    const f = unrolled(300_000);
    const stats: FunctionStats[] = [];
    const t0 = performance.now();
    generate(f, { stats });
    const ms = performance.now() - t0;
    // a few for values, plus the locals of the load cache (scalars loaded once, read again)
    expect(Math.max(...stats.map((s) => s.locals))).toBeLessThanOrEqual(8 + LOAD_CACHE);
    expect(stats.length).toBeGreaterThan(10); // split into chunks
    expect(Math.max(...stats.map((s) => s.bytes))).toBeLessThan(1_000_000);
    checkAgainstInterp(f, [point(100)]);
    expect(ms).toBeLessThan(30_000);
  });

  it('compiles and runs the gradient of 300,000 unrolled operations', () => {
    const g = gradWrapper(unrolled(300_000));
    const stats: FunctionStats[] = [];
    generate(g, { stats });
    // the cotangents of the 100 inputs are running sums, live from start to end: a chunk holds
    // those it adds to, so its locals are bounded by the chunk, not by the program's length
    const small: FunctionStats[] = [];
    generate(gradWrapper(unrolled(30_000)), { stats: small });
    const most = Math.max(...stats.map((s) => s.locals));
    expect(most).toBeLessThanOrEqual(1.1 * Math.max(...small.map((s) => s.locals))); // 10x the ops
    expect(most).toBeLessThan(1000); // V8 allows 50,000
    expect(Math.max(...stats.map((s) => s.bytes))).toBeLessThan(2_000_000); // V8 refuses bodies over 7,654,321 bytes
    checkAgainstInterp(g, [point(100), 1]);
  });

  it('compiles and runs 1,000,000 unrolled operations', () => {
    const f = unrolled(1_000_000);
    const c = compile(f);
    expect(c.artifact.bytes.length).toBeGreaterThan(1_000_000);
    checkAgainstInterp(f, [point(100)], {}, c);
  });

  it('grows compile time about linearly', () => {
    const time = (ops: number) => {
      const f = unrolled(ops);
      generate(f); // warm up
      const t0 = performance.now();
      generate(f);
      return performance.now() - t0;
    };
    const small = Math.max(time(50_000), 1);
    const large = time(200_000);
    expect(large / small).toBeLessThan(10); // 4x the work; generous for noisy machines
  });
});

describe('function splitting', () => {
  it('gives identical results when forced on small programs with loops, calls and accumulators', () => {
    const sq = build('sq', [REAL], (b, x) => b.prim('mul', [x!, x!]));
    const f = build('mixed', [vecTy(4, REAL), REAL], (b, v, y) => {
      const acc = b.accum(b.zero(vecTy(4, REAL)));
      const total = b.accum(b.real(0));
      const m = b.forLoop(4, (i) => {
        const e = b.index(v!, i);
        const s = b.call(sq, [e]);
        b.add(b.slice(acc, i), s);
        b.add(total, b.prim('mul', [s, y!]));
        return b.struct([s, b.prim('sin', [e])], structTy(['a', 'b'], [REAL, REAL]));
      });
      return b.struct([m, b.resolve(acc), b.resolve(total)], structTy(['m', 'acc', 't'], [b.typeOf(m), vecTy(4, REAL), REAL]));
    });
    const args = [[0.5, -1, 2, 3], 0.25];
    const plain = compile(f).call(args);
    for (const splitThreshold of [1, 2, 5, 12]) {
      const stats: FunctionStats[] = [];
      generate(f, { splitThreshold, stats });
      expect(stats.length).toBeGreaterThan(2);
      const got = checkAgainstInterp(f, args, { splitThreshold });
      expect(got).toEqual(plain);
    }
    const g = gradWrapper(f);
    checkAgainstInterp(g, [...args, [[[1, 2], [3, 4], [5, 6], [7, 8]], [1, 1, 1, 1], 2]], { splitThreshold: 4 });
  });
});

describe('memory limits', () => {
  it('refuses a value larger than wasm32 can address, giving its size', () => {
    const f = build('huge', [REAL], (b) => b.zero(vecTy(2 ** 30, REAL)));
    expect(() => generate(f)).toThrow(RoseError);
    expect(() => generate(f)).toThrow(/8589934592 bytes \(8192 MiB\)/);
    try {
      generate(f);
    } catch (err) {
      expect((err as RoseError).code).toBe('unsupported');
      expect((err as RoseError).message).toMatch(/function huge/);
    }
  });

  it('refuses a frame that adds up to more than 4 GiB', () => {
    const pair = structTy(['a', 'b'], [REAL, REAL]);
    // 2^27 elements of 16 bytes = 2 GiB each, three of them alive together
    const f = build('frames', [REAL], (b, x) => {
      const parts = [0, 1, 2].map(() => b.forLoop(2 ** 27, () => b.struct([x!, x!], pair)));
      const firsts = parts.map((p) => b.member(b.index(p, b.lit(0, finTy(2 ** 27))), 0));
      return b.prim('add', [b.prim('add', [firsts[0]!, firsts[1]!]), firsts[2]!]);
    });
    expect(() => generate(f)).toThrow(/more than the 4294967296 bytes/);
  });

  it('honours a lower engine limit', () => {
    const f = build('small', [REAL], (b, x) => b.forLoop(1000, () => x!));
    expect(() => generate(f, { maxMemoryBytes: 4000 })).toThrow(/8000 bytes/);
    expect(generate(f, { maxMemoryBytes: 8000 }).frameSize).toBe(8000);
  });
});
