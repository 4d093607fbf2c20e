/**
 * @file The engine's scaling measurements, shared by the Node bench (`engine.bench.ts`) and its
 * Chromium page (`engine-browser.html`): generated straight-line programs of 10k, 100k and 1M
 * operations and a loop-heavy and a call-heavy one of 100k, each traced, differentiated (jvp,
 * unzip, transpose) and interpreted, reported in nanoseconds per primal IR instruction (the `ops`
 * column counts them). Each figure is the median of several repetitions in one process (or page).
 * Uses nothing but the engine and `performance`, so it runs unchanged in Node and in a browser.
 */
import {
  Real,
  Vec,
  add,
  cos,
  fn,
  grad,
  interp,
  mul,
  sin,
  sub,
  sum,
  tanh,
  type Fn,
} from '../engine/index.ts';
import { funcOf } from '../engine/trace/fn.ts';
import { jvp } from '../engine/transforms/jvp.ts';
import { transpose } from '../engine/transforms/transpose.ts';
import { unzip } from '../engine/transforms/unzip.ts';
import type { Func, TransparentFunc } from '../engine/ir/types.ts';

const WIDTH = 8;

/** A program generator: traces a program of about `ops` operations over a vec of WIDTH reals. */
type Program = (ops: number) => Fn;

/** A straight-line program: about `ops` arithmetic operations in one block. */
const straightLine: Program = (ops) =>
  fn([Vec(WIDTH, Real)], Real, (v) => {
    let acc = v[0]!;
    for (let k = 0; k < ops; k += 4) {
      const x = v[k % WIDTH]!;
      acc = add(mul(acc, 0.5), sin(x));
      acc = sub(acc, mul(cos(acc), 0.25));
      acc = tanh(acc);
    }
    return acc;
  });

/** A loop-heavy program: a chain of small `sum` loops over the input vector. */
const loopHeavy: Program = (ops) =>
  fn([Vec(WIDTH, Real)], Real, (v) => {
    let acc = v[0]!;
    for (let k = 0; k < ops; k += 4 * WIDTH) {
      const a = acc;
      acc = tanh(sum(WIDTH, (i) => mul(sin(v[i]!), a)));
    }
    return acc;
  });

/** A call-heavy program: a chain of calls of one small function. */
const callHeavy: Program = (ops) => {
  const step = fn([Real, Real], Real, (a, x) => tanh(add(mul(a, 0.5), sin(x))));
  return fn([Vec(WIDTH, Real)], Real, (v) => {
    let acc = v[0]!;
    for (let k = 0; k < ops; k += 4) acc = step(acc, v[k % WIDTH]!);
    return acc;
  });
};

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

/** Return the median of `xs`. */
function median(xs: number[]): number {
  return xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Return the wall time in ms of `work` (its result is dropped when this returns). */
function timeOnce(work: () => unknown): number {
  const t0 = performance.now();
  work();
  return performance.now() - t0;
}

/**
 * Return the times in ms of jvp, unzip and transpose on a fresh trace of `ops` operations. A
 * function of its own, so nothing of one repetition stays reachable (e.g. in a loop's stack
 * slots) while the next one runs: at 1M operations two sets of IR do not fit the default heap.
 */
function timePasses(
  program: Program,
  ops: number,
): { jvp: number; unzip: number; transpose: number } {
  const g = funcOf(program(ops), 'bench');
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

/** Return the median times in ms of interpreting the primal and the gradient of a fresh trace. */
function timeInterp(program: Program, ops: number, reps: number): { f: number; grad: number } {
  const f = program(ops);
  const x = Array.from({ length: WIDTH }, (_, i) => 0.1 * (i + 1));
  const primal = interp(f);
  const gradient = interp(grad(f));
  const tf: number[] = [];
  const tg: number[] = [];
  for (let r = 0; r < reps; r++) tf.push(timeOnce(() => primal(x)));
  for (let r = 0; r < reps; r++) tg.push(timeOnce(() => gradient(x)));
  return { f: median(tf), grad: median(tg) };
}

/**
 * Return the table row for `program` at `ops` operations. Only the IR of the step being timed
 * is alive while it runs (no trace is kept across steps).
 */
function measure(program: Program, ops: number): (string | number)[] {
  const reps = ops >= 1_000_000 ? 3 : 7;
  const n = countInstrs(funcOf(program(ops), 'bench'));
  const traces: number[] = [];
  for (let r = 0; r < reps; r++) traces.push(timeOnce(() => program(ops)));
  // Each pass is memoized per function, so time it on a fresh trace every repetition.
  const passes = { jvp: [] as number[], unzip: [] as number[], transpose: [] as number[] };
  for (let r = 0; r < reps; r++) {
    const times = timePasses(program, ops);
    passes.jvp.push(times.jvp);
    passes.unzip.push(times.unzip);
    passes.transpose.push(times.transpose);
  }
  const [tr, tj, tu, tt] = [traces, passes.jvp, passes.unzip, passes.transpose].map(median) as [
    number,
    number,
    number,
    number,
  ];
  const run = timeInterp(program, ops, reps);
  const perOp = (ms: number) => ((ms * 1e6) / n).toFixed(0);
  return [
    n,
    perOp(tr),
    perOp(tj),
    perOp(tu),
    perOp(tt),
    perOp(tj + tu + tt),
    perOp(tr + tj + tu + tt),
    perOp(run.f),
    perOp(run.grad),
  ];
}

/**
 * Run every step (trace, each pass, interpretation) of every program a few times at a small size,
 * so that the engine's code is compiled by the JIT before anything is timed.
 */
function warmUp(): void {
  for (const program of [straightLine, loopHeavy, callHeavy]) {
    for (let r = 0; r < 5; r++) timePasses(program, 20_000);
    timeInterp(program, 20_000, 3);
  }
}

/** Return one table row: the first cell right-aligned in 10 columns, the others in 14. */
function row(cells: (string | number)[]): string {
  return cells.map((c, i) => String(c).padStart(i === 0 ? 10 : 14)).join(' ');
}

/** The columns of both tables. */
const HEADER = [
  ...['ops', 'trace', 'jvp', 'unzip', 'transpose'],
  ...['ad total', 'trace+ad', 'interp f', 'interp grad'],
];

/**
 * Warm up, then measure every program; return the lines of both tables (straight-line programs
 * up to `maxOps` operations, then the loop-heavy and call-heavy ones). The largest program is
 * measured last: the garbage of its gigabyte of IR would otherwise be collected, at the cost of
 * a full collection of a large heap, while the smaller programs run.
 */
export function scalingTables(maxOps = Infinity): string[] {
  warmUp();
  const sizes = [10_000, 100_000].filter((ops) => ops <= maxOps);
  const straight = sizes.map((ops) => row(measure(straightLine, ops)));
  const loops = row(measure(loopHeavy, 100_000));
  const calls = row(measure(callHeavy, 100_000));
  if (1_000_000 <= maxOps) straight.push(row(measure(straightLine, 1_000_000)));
  return [
    row(HEADER),
    ...straight,
    '',
    'Loop-heavy (chained sum loops) and call-heavy (chained calls) programs, 100k ops',
    `${''.padEnd(6)}${row(HEADER)}`,
    `${'loops'.padEnd(6)}${loops}`,
    `${'calls'.padEnd(6)}${calls}`,
  ];
}
