/**
 * @file Does the optional optimizing tier pay? For a few workloads, the gradient (the zero-copy
 * `compileValueAndGradSync`) compiled plainly and with binaryen's optimizer: what the optimizer
 * costs (binaryen's load, once per process; the optimizer's run, the first one in a process and
 * again), what it gains per call (median gradient time, steady state after V8's tier-up), the
 * break-even number of calls (optimizer time / gain per call), and the module size before and
 * after. Each workload runs in a fresh process, so every optimizer run starts as a user's first
 * one does. Optimized gradients are checked against the plain ones bit for bit.
 *
 * Run: `node --import ./scripts/ts-register.mjs bench/optimize.bench.ts` (about 2 minutes).
 * Options: `--workloads=rosenbrock-vec,mlp` (a subset), `--levels=1.0,2.0,3.0,2.1` (binaryen
 * `-O<level>` with shrink level; default `2.0`, what `optimize: true` uses). `-O3` takes 40+ s on
 * the pairwise workload. The machines are shared and noisy: compare within one run.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Real, Vec, add, cos, fn, mul, sin, sub, tanh, valueAndGrad, type Fn } from '../engine/index.ts';
import { funcOf } from '../engine/trace/fn.ts';
import { compileValueAndGradSync, type CompiledValueAndGrad } from '../engine/wasm/compile-grad.ts';
import { prepare } from '../engine/wasm/compile.ts';
import {
  DEFAULT_LEVEL,
  loadOptimizer,
  optimizeModule,
  type OptimizeLevel,
} from '../engine/wasm/optimize.ts';
import { WARM_WASM, time, type Timing } from './harness.ts';
import { table } from './report.ts';
import { ROSE_KIT_WORKLOADS } from './rosekit-workloads.ts';
import { CHAIN, inputOf } from './workloads.ts';

const TAG = 'OPTIMIZE_RESULT ';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

/** Gains smaller than this fraction of the plain time are within the machines' noise. */
const NOISE = 0.03;

/** Rounds of the unrolled chain: 7 operations each, about 20k operations in all. */
const CHAIN_ROUNDS = 2860;

/** The unrolled chain of the main benchmark (bench/workloads.ts), cut to `rounds` rounds. */
function chain(rounds: number): Fn {
  const { width } = CHAIN;
  return fn([Vec(width, Real)], Real, (v) => {
    let acc: Real = v[0]!;
    for (let r = 0; r < rounds; r++) {
      const a = add(mul(acc, 0.5), sin(v[r % width]!));
      acc = tanh(sub(a, mul(cos(a), 0.25)));
    }
    return acc;
  });
}

/** The workloads: a function of one flat vector, its input, and a line for the table. */
const WORKLOADS: Record<string, { make: () => Fn; input: () => number[]; what: string }> = {
  'rosenbrock-vec': {
    make: ROSE_KIT_WORKLOADS['rosenbrock-vec'],
    input: () => inputOf('rosenbrock-vec'),
    what: 'Rosenbrock, 1000 variables, `sum` over the index type',
  },
  'chain-20k': {
    make: () => chain(CHAIN_ROUNDS),
    input: () => inputOf('chain'),
    what: `unrolled chain, ${CHAIN_ROUNDS} x (mul, add, sin, cos, mul, sub, tanh): ~20k ops`,
  },
  'pairwise-calls': {
    make: ROSE_KIT_WORKLOADS['pairwise-calls'],
    input: () => inputOf('pairwise-calls'),
    what: 'layout energy, 60 circles, a pair `fn` called for 1770 pairs',
  },
  mlp: { make: ROSE_KIT_WORKLOADS.mlp, input: () => inputOf('mlp'), what: '2-16-16-1 tanh MLP, 64 points' },
  'spring-calls': {
    make: ROSE_KIT_WORKLOADS['spring-calls'],
    input: () => inputOf('spring-calls'),
    what: 'mass-spring chain, a `step` fn called 100 times',
  },
};

/** What one child process measures for one workload and one level. */
interface Row {
  readonly workload: string;
  readonly level: string;
  /** Trace + autodiff + codegen of the gradient, ms. */
  readonly prepareMs: number;
  /** `await loadOptimizer()`, ms (the first level of a process only). */
  readonly loadMs?: number;
  /** The optimizer's first run in this process, and a second run, ms. */
  readonly optimizeMs: number;
  readonly againMs: number;
  readonly bytes: number;
  readonly optBytes: number;
  readonly plain: Timing;
  readonly opt: Timing;
  /** Whether the optimized value and gradient equal the plain ones bit for bit. */
  readonly same: boolean;
}

// ---------------------------------------------------------------------------------------------
// Child: one workload, every level asked for

/** Return `[value, ...gradient]` of `h` at `x`. */
function evaluateAt(h: CompiledValueAndGrad, x: readonly number[]): number[] {
  h.x.set(x);
  const value = h.evaluate();
  return [value, ...h.gradient];
}

/** Time `plain` and `opt` alternately, twice; return the better median of each. */
function race(plain: CompiledValueAndGrad, opt: CompiledValueAndGrad): { plain: Timing; opt: Timing } {
  const rewarm = { minMs: 300, maxMs: 3000 };
  const runs = [
    time(() => plain.evaluate(), 1500, WARM_WASM),
    time(() => opt.evaluate(), 1500, WARM_WASM),
    time(() => plain.evaluate(), 1500, rewarm),
    time(() => opt.evaluate(), 1500, rewarm),
  ];
  const best = (a: Timing, b: Timing) => (a.us <= b.us ? a : b);
  return { plain: best(runs[0]!, runs[2]!), opt: best(runs[1]!, runs[3]!) };
}

/** Measure workload `name` at each of `levels`; print one tagged JSON line per level. */
async function child(name: string, levels: readonly OptimizeLevel[]): Promise<void> {
  const w = WORKLOADS[name] ?? fail(`unknown workload ${name}`);
  const x = w.input();
  let t0 = performance.now();
  const f = w.make();
  const bytes = prepare(funcOf(valueAndGrad(f as never), 'bench')).artifact.bytes;
  const prepareMs = performance.now() - t0;
  const plain = compileValueAndGradSync(f);
  const want = evaluateAt(plain, x);
  t0 = performance.now();
  await loadOptimizer();
  let loadMs: number | undefined = performance.now() - t0;
  for (const level of levels) {
    t0 = performance.now();
    const optBytes = optimizeModule(bytes, 'bench', level);
    const optimizeMs = performance.now() - t0;
    t0 = performance.now();
    const opt = compileValueAndGradSync(f, { optimize: level }); // optimizes again (not cached yet)
    const againMs = performance.now() - t0;
    const got = evaluateAt(opt, x);
    const same = got.length === want.length && got.every((g, i) => Object.is(g, want[i]));
    plain.x.set(x);
    const timings = race(plain, opt);
    opt.dispose();
    const row: Row = {
      workload: name,
      level: `${level.level}.${level.shrink}`,
      prepareMs,
      ...(loadMs === undefined ? {} : { loadMs }),
      optimizeMs,
      againMs,
      bytes: bytes.length,
      optBytes: optBytes.length,
      ...timings,
      same,
    };
    loadMs = undefined;
    process.stdout.write(`${TAG}${JSON.stringify(row)}\n`);
  }
  plain.dispose();
}

/** Throw `message` (for expressions). */
function fail(message: string): never {
  throw new Error(message);
}

// ---------------------------------------------------------------------------------------------
// Parent: one child per workload, then the table

/** Return the value of `--name=value` on the command line, if given. */
function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** Run this file for `workload` in a fresh process; resolve with its rows (or the error). */
function measure(workload: string, levels: string): Promise<Row[] | string> {
  return new Promise((resolve) => {
    const args = ['--import', './scripts/ts-register.mjs', SELF, '--child', workload, `--levels=${levels}`];
    const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('close', (code) => {
      const rows = out
        .split('\n')
        .filter((l) => l.startsWith(TAG))
        .map((l) => JSON.parse(l.slice(TAG.length)) as Row);
      const why = `exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`;
      resolve(code === 0 && rows.length > 0 ? rows : why);
    });
  });
}

/** Format milliseconds, microseconds and calls for the table. */
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const us = (t: Timing) => (t.us >= 100 ? t.us.toFixed(0) : t.us.toFixed(2));
const kb = (n: number) => `${(n / 1024).toFixed(1)}`;

/** Return the table row of `r`. */
function rowOf(r: Row): string[] {
  const gain = r.plain.us - r.opt.us;
  const breakEven = gain >= NOISE * r.plain.us ? Math.ceil((r.optimizeMs * 1000) / gain) : undefined;
  return [
    r.workload,
    `-O${r.level.replace('.', ' s')}`,
    r.loadMs === undefined ? '' : ms(r.loadMs),
    ms(r.optimizeMs),
    ms(r.againMs),
    `${kb(r.bytes)} -> ${kb(r.optBytes)}`,
    us(r.plain),
    us(r.opt),
    `${((100 * gain) / r.plain.us).toFixed(0)}%`,
    breakEven === undefined ? 'none (noise)' : breakEven.toLocaleString('en-US'),
    r.same ? 'yes' : 'NO',
  ];
}

/** Measure every workload asked for and print the table. */
async function parent(): Promise<void> {
  const names = option('workloads')?.split(',') ?? Object.keys(WORKLOADS);
  const levels = option('levels') ?? `${DEFAULT_LEVEL.level}.${DEFAULT_LEVEL.shrink}`;
  const header = [
    'workload', 'level', 'load ms', 'opt ms', 'again ms', 'size KB', 'grad us', 'opt us', 'gain',
    'break-even calls', 'same',
  ];
  const rows: string[][] = [header];
  const failures: string[] = [];
  for (const name of names) {
    process.stderr.write(`${name}...\n`);
    const result = await measure(name, levels);
    if (typeof result === 'string') failures.push(`${name}: ${result}`);
    else rows.push(...result.map(rowOf));
  }
  console.log(table(rows));
  console.log(
    '\nload: `await loadOptimizer()` (binaryen, once per process). opt: the optimizer on the gradient\n' +
      "module, the process's first run; again: the same through compileValueAndGradSync(f, { optimize })\n" +
      '(binaryen warm; includes V8 compiling the module). grad / opt us: median time of one\n' +
      'value-and-gradient call (zero-copy entry), plain and optimized, after V8 tier-up. break-even:\n' +
      `opt ms / gain per call (binaryen load not included; none if the gain is under ${NOISE * 100}%,\n` +
      'within the noise). same: bit-for-bit equal results.',
  );
  for (const name of names) if (WORKLOADS[name]) console.log(`  ${name}: ${WORKLOADS[name].what}`);
  for (const f of failures) console.log(`FAILED ${f}`);
  if (failures.length > 0 || rows.some((r) => r.at(-1) === 'NO')) process.exitCode = 1;
}

/** Parse `--levels=2.0,3.1` into levels. */
function levelsOf(text: string): OptimizeLevel[] {
  return text.split(',').map((s) => {
    const [level, shrink = 0] = s.split('.').map(Number);
    return { level, shrink } as OptimizeLevel;
  });
}

const at = process.argv.indexOf('--child');
void (at >= 0 ? child(process.argv[at + 1]!, levelsOf(option('levels') ?? '2.0')) : parent());
