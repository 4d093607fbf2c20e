/**
 * @file Benchmark of the wasm math library: nanoseconds per call of each function (1) compiled into wasm
 * and called from a wasm loop summing f(x_i) over an array in memory, (2) the same loop calling
 * `Math.*` through a JS import, and (3) a JS loop calling `Math.*` over a Float64Array. Prints a table
 * with the code size of each function (with its helpers). Wasm is compiled by TurboFan directly (steady
 * state); each figure is the fastest of interleaved rounds after a warm-up. The machines are shared, so
 * compare ratios.
 * Run: `node --import ./scripts/ts-register.mjs bench/math.bench.ts` (env ROUNDS=n for more timing rounds,
 * ONLY=sin,cos for some functions). The row `sin huge` takes |x| log-uniform in [2^20, 2^1000] (Payne-Hanek).
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { Code, F64, I32, ModuleBuilder, Op } from '../engine/wasm/encoder.ts';
import { MATH_FNS, type MathFn, MathLibrary } from '../engine/wasm/math/index.ts';

// Compile wasm with TurboFan from the start: V8 otherwise runs it with its baseline compiler (Liftoff)
// first and tiers a function up only after a while (seconds on a busy machine). Steady state is measured.
setFlagsFromString('--no-liftoff');

/** Points per loop; the arrays of x (and y) fill the first pages of memory. */
const N = 4096;
/** Timing rounds per function (more give steadier minima on a busy machine). */
const ROUNDS = Number(process.env.ROUNDS ?? 30);
/** Only these functions, if the environment names some (comma-separated). */
const ONLY = process.env.ONLY?.split(',');
const BINARY = new Set<MathFn>(['atan2', 'pow', 'hypot']);

/** Typical input ranges per function: [x range, y range for the binary ones]. */
const RANGES: { readonly [F in MathFn]: readonly Range[] } = {
  exp: [[-20, 20]], log: [[1e-3, 1e3]], expm1: [[-2, 2]], log1p: [[-0.5, 2]],
  sin: [[-10, 10]], cos: [[-10, 10]], tan: [[-10, 10]],
  asin: [[-1, 1]], acos: [[-1, 1]], atan: [[-10, 10]], atan2: [[-10, 10], [-10, 10]],
  sinh: [[-5, 5]], cosh: [[-5, 5]], tanh: [[-5, 5]],
  pow: [[0.1, 10], [-5, 5]], hypot: [[-100, 100], [-100, 100]], cbrt: [[-1000, 1000]],
};

/** A range of inputs: uniform in [lo, hi], or with `log`, log-uniform magnitudes 2^lo..2^hi with random signs. */
type Range = readonly [lo: number, hi: number, log?: 'log'];

/** The rows of the table: each function on its typical range, plus sin of huge arguments. */
const CASES: readonly { label: string; name: MathFn; ranges: readonly Range[] }[] = [
  ...MATH_FNS.map((name) => ({ label: name, name, ranges: RANGES[name] })),
  { label: 'sin huge', name: 'sin', ranges: [[20, 1000, 'log']] },
];

/** Emit `loop(n) -> f64`: the sum of f(x[i]) (or f(x[i], y[i]) with y at byte offset 8N) for i < n. */
function loopCode(f: number, binary: boolean): Code {
  const [n, i, acc] = [0, 1, 2];
  const c = new Code();
  c.begin(Op.block).begin(Op.loop);
  c.localGet(i).localGet(n).op(Op.i32_ge_u).brIf(1);
  c.localGet(acc);
  c.localGet(i).i32Const(3).op(Op.i32_shl).mem(Op.f64_load, 3, 0);
  if (binary) c.localGet(i).i32Const(3).op(Op.i32_shl).mem(Op.f64_load, 3, 8 * N);
  c.call(f).op(Op.f64_add).localSet(acc);
  c.localGet(i).i32Const(1).op(Op.i32_add).localSet(i).br(0);
  c.end().end().localGet(acc);
  return c;
}

/** Return the wasm loop over `name`, computed in wasm or imported from `Math`, and its memory. */
function instantiate(name: MathFn, imported: boolean) {
  const m = new ModuleBuilder();
  const binary = BINARY.has(name);
  const type = m.type(binary ? [F64, F64] : [F64], [F64]);
  const f = imported ? m.importFunc('m', name, type) : new MathLibrary(m).get(name);
  m.memory(Math.ceil((16 * N) / 65536));
  m.export('memory', 'memory', 0);
  const code = loopCode(f, binary);
  m.export('loop', 'func', m.func({ type: m.type([I32], [F64]), locals: [[1, I32], [1, F64]], code }));
  const math = Math as unknown as Record<string, Function>;
  const imports: WebAssembly.Imports = imported ? { m: { [name]: math[name]! } } : {};
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.finish()), imports);
  const exp = inst.exports as { memory: WebAssembly.Memory; loop: (n: number) => number };
  return { loop: exp.loop, data: new Float64Array(exp.memory.buffer, 0, 2 * N) };
}

/** Fill x (and y) with seeded points of the ranges. */
function fill(ranges: readonly Range[], data: Float64Array): void {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  ranges.forEach(([lo, hi, log], k) => {
    for (let i = 0; i < N; i++) {
      const u = lo + (hi - lo) * rand();
      data[k * N + i] = log ? 2 ** u * (rand() < 0.5 ? -1 : 1) : u;
    }
  });
}

/**
 * Return the nanoseconds per call of each runner (each makes N calls): the runners are timed in
 * interleaved rounds after a warm-up, and each keeps its fastest round (the least disturbed by other
 * processes on a shared machine).
 */
function timePerCall(runners: readonly (() => number)[]): number[] {
  let sink = 0;
  for (const run of runners) {
    const until = performance.now() + 100;
    while (performance.now() < until) sink += run(); // let V8 tier the code up
  }
  const best = runners.map(() => Infinity);
  for (let round = 0; round < ROUNDS; round++) {
    runners.forEach((run, k) => {
      let reps = 0;
      const t0 = performance.now();
      let t1 = t0;
      while (t1 - t0 < 5) {
        sink += run();
        reps++;
        t1 = performance.now();
      }
      best[k] = Math.min(best[k]!, ((t1 - t0) * 1e6) / (reps * N));
    });
  }
  if (sink === 0.123456789) console.log(sink); // keep the results alive
  return best;
}

/** Return the JS loop calling Math[name] over the data. */
function jsLoop(name: MathFn, data: Float64Array): () => number {
  const f = (Math as unknown as Record<string, (...a: number[]) => number>)[name]!;
  if (BINARY.has(name)) {
    return () => {
      let acc = 0;
      for (let i = 0; i < N; i++) acc += f(data[i]!, data[N + i]!);
      return acc;
    };
  }
  return () => {
    let acc = 0;
    for (let i = 0; i < N; i++) acc += f(data[i]!);
    return acc;
  };
}

/** Return the module size of `name` with its helpers, minus an empty module's. */
function codeBytes(name: MathFn): number {
  const empty = new ModuleBuilder().finish().length;
  const m = new ModuleBuilder();
  new MathLibrary(m).get(name);
  return m.finish().length - empty;
}

const rows: string[][] = [['fn', 'wasm ns', 'import ns', 'JS ns', 'import/wasm', 'bytes']];
for (const { label, name, ranges } of CASES.filter((c) => !ONLY || ONLY.includes(c.name))) {
  const own = instantiate(name, false);
  const imp = instantiate(name, true);
  fill(ranges, own.data);
  fill(ranges, imp.data);
  const runners = [() => own.loop(N), () => imp.loop(N), jsLoop(name, own.data)];
  const [wasm, viaImport, js] = timePerCall(runners) as [number, number, number];
  if (own.loop(N) !== own.loop(N)) throw new Error(`${name}: not deterministic`);
  const ratio = (viaImport / wasm).toFixed(2);
  rows.push([label, wasm.toFixed(1), viaImport.toFixed(1), js.toFixed(1), ratio, String(codeBytes(name))]);
}
const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => r[k]!.length)));
const pad = (s: string, k: number) => (k === 0 ? s.padEnd(widths[k]!) : s.padStart(widths[k]!));
for (const r of rows) console.log(r.map(pad).join('  '));
