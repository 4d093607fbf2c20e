/**
 * @file Tests of the wasm math library: special values equal `Math.*` bit for bit, ulp errors against
 * decimal.js references (at most 1 ulp; the maxima are printed) over several ranges per function,
 * determinism, the constant tables, and the module's independence (no imports, no memory).
 */
import { describe, expect, it } from 'vitest';
import { Code, F64, ModuleBuilder, Op } from '../../../engine/wasm/encoder.ts';
import { MATH_FNS, MathLibrary, type MathFn } from '../../../engine/wasm/math/index.ts';
import { CODY_WAITE, PIO2_HI, PIO2_LO, TWO_OVER_PI_WORDS } from '../../../engine/wasm/math/reduce.ts';
import { SAMPLES, SPECIAL_PAIRS, SPECIALS } from './math-samples.ts';
import { D, REFERENCE, bitsOf, buildMath, exact, ulpError } from './math-ref.ts';

const UNARY = MATH_FNS.filter((f) => f !== 'atan2' && f !== 'pow' && f !== 'hypot');
const BINARY = ['atan2', 'pow', 'hypot'] as const;
const { bytes, exports: wasm } = buildMath();
const js = Math as unknown as { readonly [F in MathFn]: (...a: number[]) => number };

/** Return the largest ulp error of `name` over `points`, with the worst point. */
function maxUlp(name: MathFn, points: readonly (readonly number[])[]) {
  let worst = { err: 0, at: [] as readonly number[] };
  for (const p of points) {
    const err = ulpError(wasm[name](...p), REFERENCE[name](...p));
    if (!(err <= worst.err)) worst = { err, at: p };
  }
  return worst;
}

describe('special values equal Math.* bit for bit', () => {
  for (const name of UNARY) {
    it(name, () => {
      for (const x of [...SPECIALS.common, ...(SPECIALS[name] ?? [])]) {
        const got = wasm[name](x);
        if (!Object.is(got, js[name](x))) expect.fail(`${name}(${x}) = ${got}, Math.${name} gives ${js[name](x)}`);
      }
    });
  }
  for (const name of BINARY) {
    it(name, () => {
      for (const [a, b] of SPECIAL_PAIRS[name]) {
        const got = wasm[name](a, b);
        const want = js[name](a, b);
        if (!Object.is(got, want)) expect.fail(`${name}(${a}, ${b}) = ${got}, Math.${name} gives ${want}`);
      }
    });
  }
});

describe('within 1 ulp of the true value', () => {
  const report: string[] = [];
  for (const name of MATH_FNS) {
    it(name, () => {
      const rows = Object.entries(SAMPLES[name]).map(([range, points]) => ({ range, ...maxUlp(name, points) }));
      report.push(`${name}: ${rows.map((r) => `${r.range} ${r.err.toFixed(3)}`).join(', ')}`);
      for (const r of rows) {
        if (!(r.err <= 1)) expect.fail(`${name} on ${r.range}: ${r.err} ulp at (${r.at.join(', ')})`);
      }
    });
  }
  it('reports the maxima', () => {
    console.log(`max ulp error per range:\n  ${report.join('\n  ')}`);
    expect(report.length).toBe(MATH_FNS.length);
  });
});

describe('determinism and independence', () => {
  it('builds the same bytes and gives the same bits in a second module', () => {
    const again = buildMath();
    expect(again.bytes).toEqual(bytes);
    for (const name of MATH_FNS) {
      for (const p of Object.values(SAMPLES[name]).flat().slice(0, 300)) {
        expect(bitsOf(again.exports[name](...p))).toBe(bitsOf(wasm[name](...p)));
        expect(bitsOf(wasm[name](...p))).toBe(bitsOf(wasm[name](...p)));
      }
    }
  });
  it('works in a module with imports and its own functions, each function emitted once', () => {
    const m = new ModuleBuilder();
    const unary = m.type([F64], [F64]);
    const imported = m.importFunc('env', 'f', unary);
    m.importMemory('env', 'memory', 1);
    const lib = new MathLibrary(m);
    const sin = lib.get('sin');
    expect(lib.get('sin')).toBe(sin);
    const before = m.nextFuncIndex();
    const cos = lib.get('cos'); // shares the reduction helpers emitted with sin
    expect(m.nextFuncIndex() - before).toBe(1);
    // g(x) = sin(f(x)) + cos(x)
    const code = new Code().localGet(0).call(imported).call(sin).localGet(0).call(cos).op(Op.f64_add);
    m.export('g', 'func', m.func({ type: unary, locals: [], code }));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const imports = { env: { f: (x: number) => 2 * x, memory } };
    const { g } = new WebAssembly.Instance(new WebAssembly.Module(m.finish()), imports).exports as {
      g: (x: number) => number;
    };
    for (const x of [0.5, 3, 1e6, 1e300]) expect(Math.abs(g(x) - (Math.sin(2 * x) + Math.cos(x)))).toBeLessThan(1e-15);
  });
  it('needs no imports, memory or globals', () => {
    const mod = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.imports(mod)).toEqual([]);
    expect(WebAssembly.Module.exports(mod).every((e) => e.kind === 'function')).toBe(true);
  });
  it('emits each function once, with helpers shared, and stays small', () => {
    const sizes = MATH_FNS.map((name) => [name, buildMath([name]).bytes.length] as const);
    console.log(`bytes per function (with its helpers): ${sizes.map(([n, s]) => `${n} ${s}`).join(', ')}`);
    for (const [, size] of sizes) expect(size).toBeLessThan(4096);
    expect(bytes.length).toBeLessThan(sizes.reduce((a, [, s]) => a + s, 0));
  });
});

describe('constants', () => {
  it('holds the bits of 2/pi (checked against decimal.js)', () => {
    const P = D.clone({ precision: 420 });
    const twoOverPi = P.acos(-1).pow(-1).times(2);
    let bits = 0n;
    for (const w of TWO_OVER_PI_WORDS) bits = (bits << 64n) | w;
    const scaled = twoOverPi.times(new P(2).pow(64 * (TWO_OVER_PI_WORDS.length - 1))).floor();
    expect(new P(bits.toString()).toFixed()).toBe(scaled.toFixed());
  });
  it('splits pi/2 exactly enough', () => {
    const saved = D.precision;
    D.set({ precision: 90 });
    try {
      const pio2 = D.acos(-1).div(2);
      expect(exact(PIO2_HI).plus(exact(PIO2_LO)).minus(pio2).abs().lt(1e-32)).toBe(true);
      let sum = new D(0);
      for (const [p, pt] of CODY_WAITE) {
        expect(bitsOf(p) & 0xfffffn).toBe(0n); // at most 33 significant bits
        expect(sum.plus(exact(p)).plus(exact(pt)).minus(pio2).abs().lt(exact(pt).abs().times(2 ** -52))).toBe(true);
        sum = sum.plus(exact(p));
      }
    } finally {
      D.set({ precision: saved });
    }
  });
});
