/**
 * @file The engine's scaling measurements, shared by the Node bench (`engine.bench.ts`) and its
 * Chromium page (`engine-browser.html`): generated straight-line programs of 10k, 100k and 1M
 * operations (IR instructions; and 2M, beyond the sizes) and a loop-heavy and a
 * call-heavy one of 100k, each traced, differentiated (jvp, unzip, transpose) and interpreted,
 * reported in nanoseconds per primal IR instruction (the `ops` column counts them). Each figure
 * is the median of several repetitions in one process (or page). The straight-line programs
 * also go through the dense-layout probe (dense-probe.ts), for comparison. Uses nothing but the
 * engine, the probe and `performance`, so it runs unchanged in Node and in a browser; given a
 * page-fault meter (page-faults.ts, Node only), every row also counts the faults of its steps.
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
import { materialize } from '../engine/ir/dense-convert.ts';
import { funcOf } from '../engine/trace/fn.ts';
import { denseJvp } from '../engine/transforms/jvp.ts';
import { denseTransposed } from '../engine/transforms/transpose.ts';
import { denseUnzip } from '../engine/transforms/unzip.ts';
import type { Func, TransparentFunc } from '../engine/ir/types.ts';
import { probeJvp, probeOps, probeTrace, probeTranspose, probeUnzip } from './dense-probe.ts';
import type { FaultMeter } from './page-faults.ts';

/** The length of the programs' input vector. */
export const WIDTH = 8;

/**
 * A program generator: traces a program of about `n` IR instructions (the `ops` column counts
 * them exactly) over a vec of WIDTH reals. An operation is one IR instruction: the issue's
 * "10k, 100k and 1M operations" are programs of that many instructions.
 */
export type Program = (n: number) => Fn;

/** The operations of the straight-line program, on symbolic values `V` (the engine's or the probe's). */
export interface StraightOps<V> {
  add(x: V, y: V | number): V;
  sub(x: V, y: V): V;
  mul(x: V, y: V | number): V;
  sin(x: V): V;
  cos(x: V): V;
  tanh(x: V): V;
}

/** Return the straight-line program's result on `v` (a vec of WIDTH): 8 instructions per step. */
export function straightSteps<V>(ops: StraightOps<V>, v: readonly V[], n: number): V {
  let acc = v[0] as V;
  for (let k = 0; k < n; k += 8) {
    const x = v[(k >> 3) % WIDTH] as V;
    acc = ops.add(ops.mul(acc, 0.5), ops.sin(x));
    acc = ops.sub(acc, ops.mul(ops.cos(acc), 0.25));
    acc = ops.tanh(acc);
  }
  return acc;
}

const ENGINE_OPS: StraightOps<Real> = { add, sub, mul, sin, cos, tanh };

/** A straight-line program: arithmetic in one block, 8 instructions per step. */
export const straightLine: Program = (n) =>
  fn([Vec(WIDTH, Real)], Real, (v) => straightSteps(ENGINE_OPS, v, n));

/** A loop-heavy program: a chain of small `sum` loops over the input vector, 8 instructions each. */
export const loopHeavy: Program = (n) =>
  fn([Vec(WIDTH, Real)], Real, (v) => {
    let acc = v[0]!;
    for (let k = 0; k < n; k += 8) {
      const a = acc;
      acc = tanh(sum(WIDTH, (i) => mul(sin(v[i]!), a)));
    }
    return acc;
  });

/** A call-heavy program: a chain of calls of one small function, 2 instructions each. */
export const callHeavy: Program = (n) => {
  const step = fn([Real, Real], Real, (a, x) => tanh(add(mul(a, 0.5), sin(x))));
  return fn([Vec(WIDTH, Real)], Real, (v) => {
    let acc = v[0]!;
    for (let k = 0; k < n; k += 2) acc = step(acc, v[(k >> 1) % WIDTH]!);
    return acc;
  });
};

/** Count the instructions of `f` and of every function it calls, once each. */
export function countInstrs(f: Func, seen = new Set<Func>()): number {
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

/** The page faults of the steps (Node only: see page-faults.ts); none counts nothing. */
const NO_FAULTS = (): number => 0;

/**
 * One repetition of the four steps: their times in ms (trace, jvp, unzip, transpose, and for the
 * engine a fifth, materializing fwd and bwd as object IR), and faults.
 */
interface StepTimes {
  readonly times: readonly number[];
  readonly faults: number;
}

/**
 * Return the times of trace, jvp, unzip and transpose (the dense passes) on a fresh trace of
 * `ops` operations, then of materializing `fwd` and `bwd` as object IR (what the grad path does
 * for the passes after these, which still read the object IR); and the page faults the four
 * steps took (`faults` counts them). A function of its own, so nothing of one repetition stays
 * reachable (e.g. in a loop's stack slots) while the next one runs: at 1M operations two sets
 * of IR do not fit the default heap.
 */
function timeSteps(program: Program, ops: number, faults = NO_FAULTS): StepTimes {
  const f0 = faults();
  const t0 = performance.now();
  const traced = program(ops);
  const tr = performance.now() - t0;
  const g = funcOf(traced, 'bench'); // a lookup, not part of any step
  const t1 = performance.now();
  const j = denseJvp(g);
  const t2 = performance.now();
  const u = denseUnzip(j);
  const t3 = performance.now();
  const bwd = denseTransposed(u.lin).bwd;
  const t4 = performance.now();
  const stepFaults = faults() - f0;
  materialize(u.fwd);
  materialize(bwd);
  const times = [tr, t2 - t1, t3 - t2, t4 - t3, performance.now() - t4];
  return { times, faults: stepFaults };
}

/**
 * Run `once` `reps` times; return the median of each step's times, and the mean faults per
 * repetition.
 */
function medianSteps(reps: number, once: () => StepTimes): { steps: number[]; faults: number } {
  const runs: number[][] = [[], [], [], [], []];
  let faults = 0;
  for (let r = 0; r < reps; r++) {
    const run = once();
    run.times.forEach((t, k) => runs[k]!.push(t));
    faults += run.faults;
  }
  return { steps: runs.map(median), faults: faults / reps };
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
 * Return the table row for `program` at `ops` operations (with the page-fault cells when `meter`
 * is given). Each repetition traces afresh, as each pass is memoized per function; only the IR
 * of one repetition is alive at a time.
 */
function measure(program: Program, ops: number, meter?: FaultMeter): (number | string)[] {
  const reps = repetitions(ops);
  const n = countInstrs(funcOf(program(ops), 'bench'));
  const { steps, faults } = medianSteps(reps, () => timeSteps(program, ops, meter?.count));
  const run = timeInterp(program, ops, reps);
  const cells = [n, ...stepCells(n, steps), ...[steps[4]!, run.f, run.grad].map((ms) => perInstr(ms, n))];
  return meter === undefined ? cells : [...cells, ...faultCells(faults / n, meter)];
}

/**
 * Return the page-fault cells of a row: faults per primal instruction in trace+ad (the mean of
 * the repetitions), and what they cost at the meter's price, in ns per instruction.
 */
function faultCells(perInstruction: number, meter: FaultMeter): string[] {
  const ns = perInstruction * meter.costUs * 1000;
  return [perInstruction.toFixed(3), Number.isNaN(ns) ? 'n/a' : String(Math.round(ns))];
}

/**
 * Return how many repetitions the figures of a program of `ops` operations are medians of: more
 * for the small programs, whose repetitions take milliseconds and vary the most (in Chromium the
 * 10k row was sometimes slower than the 100k one with 7).
 */
function repetitions(ops: number): number {
  if (ops >= 1_000_000) return 3;
  return ops > 10_000 ? 7 : 25;
}

/** Return `ms` for `n` instructions in ns per instruction, rounded. */
function perInstr(ms: number, n: number): number {
  return Math.round((ms * 1e6) / n);
}

/**
 * Return the cells both tables have, per instruction, from the times in ms of trace, jvp, unzip
 * and transpose on `n` instructions: each step, then ad total and trace+ad.
 */
function stepCells(n: number, [tr, tj, tu, tt]: readonly number[]): number[] {
  return [tr!, tj!, tu!, tt!, tj! + tu! + tt!, tr! + tj! + tu! + tt!].map((ms) => perInstr(ms, n));
}

/** The straight-line program, traced by the dense-layout probe (dense-probe.ts). */
export const probeStraightLine = (n: number) => probeTrace(WIDTH, (v) => straightSteps(probeOps, v, n));

/** Return the probe's times of trace, jvp, unzip and transpose, and their page faults. */
function timeProbe(ops: number, faults = NO_FAULTS): StepTimes {
  const f0 = faults();
  const t0 = performance.now();
  const f = probeStraightLine(ops);
  const t1 = performance.now();
  const j = probeJvp(f);
  const t2 = performance.now();
  const { lin } = probeUnzip(j);
  const t3 = performance.now();
  probeTranspose(lin);
  const times = [t1 - t0, t2 - t1, t3 - t2, performance.now() - t3];
  return { times, faults: faults() - f0 };
}

/**
 * Return the probe's row at `ops` operations: instructions, then each step's median, per
 * instruction (and the page-fault cells when `meter` is given).
 */
function measureProbe(ops: number, meter?: FaultMeter): (number | string)[] {
  const f = probeStraightLine(ops);
  const n = f.length - f.params.length;
  const { steps, faults } = medianSteps(repetitions(ops), () => timeProbe(ops, meter?.count));
  const cells = [n, ...stepCells(n, steps)];
  return meter === undefined ? cells : [...cells, ...faultCells(faults / n, meter)];
}

/** The warm-up runs at least this long (ms): V8's optimizing tiers need more rounds in Chromium. */
const WARM_UP_MS = 3000;
/** The size (instructions) of the programs run to warm up. */
const WARM_UP_SIZE = 40_000;

/**
 * Run every step (trace, each pass, interpretation) of every program several times at a small
 * size, for at least `WARM_UP_MS`, so that the engine's code is compiled by the JIT before
 * anything is timed.
 */
function warmUp(): void {
  const t0 = performance.now();
  for (let round = 0; round < 5 || performance.now() - t0 < WARM_UP_MS; round++) {
    for (const program of [straightLine, loopHeavy, callHeavy]) {
      timeSteps(program, WARM_UP_SIZE);
      if (round % 5 === 0) timeInterp(program, WARM_UP_SIZE, 3);
    }
    // the probe's steps are each one loop: Chromium's optimizing tier needs more calls of them
    for (let k = 0; k < 8; k++) timeProbe(WARM_UP_SIZE);
  }
}

/** Return one table row: the first cell right-aligned in 10 columns, the others in 14. */
function row(cells: (string | number)[]): string {
  return cells.map((c, i) => String(c).padStart(i === 0 ? 10 : 14)).join(' ');
}

/**
 * The columns of both tables: the four steps (the dense passes), their totals, then the time
 * of materializing fwd and bwd as object IR for the passes after them (not part of trace+ad),
 * and interpretation.
 */
const HEADER = [
  ...['ops', 'trace', 'jvp', 'unzip', 'transpose'],
  ...['ad total', 'trace+ad', 'to objects', 'interp f', 'interp grad'],
];

/** The page-fault columns (with a `FaultMeter`): faults per instruction, their cost in ns. */
const FAULT_HEADER = ['faults', 'fault ns'];

/**
 * Warm up, then measure every program; return the lines of the three tables (straight-line
 * programs of the 10k, 100k and 1M instructions, and 2M beyond them, up to `maxOps`; the
 * loop-heavy and call-heavy ones of 100k; the dense-layout probe on the straight-line programs,
 * measured first). With `meter` (Node), every row also gives the page faults of trace+ad per
 * instruction and their cost. The engine's large programs are measured last: the garbage of
 * their gigabytes of IR would otherwise be collected, at the cost of a full collection of a large
 * heap, while the smaller programs run.
 */
export function scalingTables(maxOps = Infinity, meter?: FaultMeter): string[] {
  warmUp();
  const sizes = [10_000, 100_000, 1_000_000, 2_000_000].filter((n) => n <= maxOps);
  // the probe first: measured after the engine's large programs, it took 1.5-3x its time alone
  // in Chromium (the heap those leave behind)
  const probe = sizes.map((n) => measureProbe(n, meter));
  const straight = sizes.filter((n) => n < 1_000_000).map((n) => measure(straightLine, n, meter));
  const loops = row(measure(loopHeavy, 100_000, meter));
  const calls = row(measure(callHeavy, 100_000, meter));
  for (const n of sizes) if (n >= 1_000_000) straight.push(measure(straightLine, n, meter));
  // engine/probe: the ratio of their trace+ad columns (6) on the same program
  const ratio = (k: number) => (Number(straight[k]![6]) / Number(probe[k]![6])).toFixed(1);
  const header = meter === undefined ? HEADER : [...HEADER, ...FAULT_HEADER];
  const probeHeader = [...HEADER.slice(0, 7), 'engine/probe', ...(meter ? FAULT_HEADER : [])];
  const faultNote =
    meter === undefined
      ? []
      : [
          `faults: minor page faults per primal instruction in trace+ad (mean); fault ns: their ` +
            `cost, at ${meter.costUs.toFixed(2)} us per fault (measured now by page-faults.ts, in Node)`,
        ];
  return [
    row(header),
    ...straight.map(row),
    ...faultNote,
    '',
    'Loop-heavy (chained sum loops) and call-heavy (chained calls) programs, 100k ops',
    `${''.padEnd(6)}${row(header)}`,
    `${'loops'.padEnd(6)}${loops}`,
    `${'calls'.padEnd(6)}${calls}`,
    '',
    'Dense-layout probe (bench/dense-probe.ts, not the engine): the straight-line programs through',
    'the same four steps on an IR of typed arrays; engine/probe = ratio of the trace+ad columns',
    row(probeHeader),
    ...probe.map((cells, k) => row([...cells.slice(0, 7), ratio(k), ...cells.slice(7)])),
  ];
}
