/**
 * @file `npm run bench` (first version): how the engine itself scales. For generated straight-line
 * programs of 10k, 100k and 1M operations it times tracing, each autodiff pass (jvp, unzip,
 * transpose) and interpretation of the primal and of the gradient, and reports nanoseconds per
 * operation. Each figure is the median of several repetitions in one process; compare ratios, not
 * absolute times, because the machines are shared and noisy.
 */
import { performance } from 'node:perf_hooks';
import { Real, Vec, add, cos, fn, grad, interp, mul, sin, sub, tanh } from '../engine/index.ts';
import { funcOf } from '../engine/trace/fn.ts';
import { jvp } from '../engine/transforms/jvp.ts';
import { transpose } from '../engine/transforms/transpose.ts';
import { unzip } from '../engine/transforms/unzip.ts';
import type { Func, TransparentFunc } from '../engine/ir/types.ts';

const WIDTH = 8;

/** Trace a straight-line program of about `ops` operations over a vector of WIDTH reals. */
function traceProgram(ops: number) {
  return fn([Vec(WIDTH, Real)], Real, (v) => {
    let acc = v[0]!;
    for (let k = 0; k < ops; k += 4) {
      const x = v[k % WIDTH]!;
      acc = add(mul(acc, 0.5), sin(x));
      acc = sub(acc, mul(cos(acc), 0.25));
      acc = tanh(acc);
    }
    return acc;
  });
}

/** Count the instructions of `f` and of every function it calls, once each. */
function countInstrs(f: Func, seen = new Set<Func>()): number {
  if (seen.has(f) || f.kind !== 'transparent') return 0;
  seen.add(f);
  let n = 0;
  const walk = (block: TransparentFunc['body']) => {
    for (const instr of block) {
      n++;
      if (instr.expr.kind === 'for') walk(instr.expr.body);
      if (instr.expr.kind === 'call') n += countInstrs(instr.expr.func, seen);
    }
  };
  walk(f.body);
  return n;
}

/** Return the median wall time in ms of `reps` runs of `work`, and the last result. */
function time<T>(reps: number, work: () => T): { ms: number; result: T } {
  const times: number[] = [];
  let result!: T;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    result = work();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, result };
}

/**
 * Return the times in ms of jvp, unzip and transpose on a fresh trace of `ops` operations. A
 * function of its own, so nothing of one repetition stays reachable (e.g. in a loop's stack
 * slots) while the next one runs: at 1M operations two sets of IR do not fit the default heap.
 */
function timePasses(ops: number): { jvp: number; unzip: number; transpose: number } {
  const g = funcOf(traceProgram(ops), 'bench');
  let t0 = performance.now();
  const j = jvp(g);
  const tj = performance.now() - t0;
  t0 = performance.now();
  const u = unzip(j);
  const tu = performance.now() - t0;
  t0 = performance.now();
  transpose(u.lin);
  return { jvp: tj, unzip: tu, transpose: performance.now() - t0 };
}

function row(cells: (string | number)[]): string {
  return cells.map((c, i) => String(c).padStart(i === 0 ? 10 : 14)).join(' ');
}

/** Return the table row for programs of `ops` operations. */
function measure(ops: number): (string | number)[] {
  const reps = ops >= 1_000_000 ? 3 : 7;
  const traced = time(reps, () => traceProgram(ops));
  const n = countInstrs(funcOf(traced.result, 'bench'));
  // Each pass is memoized per function, so time it on a fresh trace every repetition.
  const passes = { jvp: [] as number[], unzip: [] as number[], transpose: [] as number[] };
  for (let r = 0; r < reps; r++) {
    const times = timePasses(ops);
    passes.jvp.push(times.jvp);
    passes.unzip.push(times.unzip);
    passes.transpose.push(times.transpose);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [tj, tu, tt] = [median(passes.jvp), median(passes.unzip), median(passes.transpose)];
  const x = Array.from({ length: WIDTH }, (_, i) => 0.1 * (i + 1));
  const primal = interp(traced.result);
  const runF = time(reps, () => primal(x));
  const gradient = interp(grad(traced.result));
  const runG = time(reps, () => gradient(x));
  const perOp = (ms: number) => ((ms * 1e6) / n).toFixed(0);
  return [
    n,
    perOp(traced.ms),
    perOp(tj),
    perOp(tu),
    perOp(tt),
    perOp(tj + tu + tt),
    perOp(traced.ms + tj + tu + tt),
    perOp(runF.ms),
    perOp(runG.ms),
  ];
}

function main(): void {
  console.log('Engine scaling: ns per traced operation (median of repetitions, one process)');
  console.log(
    row(['ops', 'trace', 'jvp', 'unzip', 'transpose', 'ad total', 'trace+ad', 'interp f', 'interp grad']),
  );
  for (const ops of [10_000, 100_000, 1_000_000]) console.log(row(measure(ops)));
  console.log('target: trace+ad <= 1000 ns per operation');
}

main();
