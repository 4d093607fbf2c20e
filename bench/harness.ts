/**
 * @file What every system's process shares: timing by medians of batches, the JSON result it
 * prints for the runner, and the entry point that runs one workload and reports it (or reports
 * why the system cannot run it). One process measures one system on one workload, so JIT state,
 * garbage and wasm memory never leak from one measurement into the next.
 */
import { performance } from 'node:perf_hooks';
import { workloadId, type WorkloadId } from './workloads.ts';

/** The line prefix the runner looks for on a child's stdout. */
export const RESULT_TAG = 'BENCH_RESULT ';

/** The median time of one call, from batches of calls. */
export interface Timing {
  /** Median over batches of (batch time / batch size), in microseconds. */
  readonly us: number;
  /** Fastest batch, per call, in microseconds. */
  readonly minUs: number;
  /** Calls measured (after warm-up). */
  readonly calls: number;
}

/** Marshalling costs of a system's convenience call, per number converted. */
export interface Marshal {
  /** Nanoseconds per number passed in as a JS array. */
  readonly inNs: number;
  /** Nanoseconds per number returned as a JS array. */
  readonly outNs: number;
  /** The value-and-gradient call with JS arrays in and out, and with the zero-copy entry. */
  readonly convenienceUs?: number;
  readonly zeroCopyUs?: number;
}

/** What one system reports for one workload. */
export interface Result {
  readonly system: string;
  readonly workload: WorkloadId;
  /** Could the system run the workload? If not, `reason` says why. */
  readonly ok: boolean;
  readonly reason?: string;
  /** Trace + transform + compile + the first value-and-gradient call, in milliseconds. */
  readonly setupMs?: number;
  /** The same, phase by phase (for example trace, autodiff, compile, first call). */
  readonly setupParts?: Record<string, number>;
  /** One value-and-gradient call (the median). */
  readonly grad?: Timing;
  /** One primal call (the median). */
  readonly primal?: Timing;
  /** The primal value and the gradient at the workload's input. */
  readonly value?: number;
  readonly gradient?: number[];
  readonly marshal?: Marshal;
  /** Anything worth printing under the table. */
  readonly notes?: string[];
}

/** What a system's workload function returns; the harness adds the names. */
export type Measured = Omit<Result, 'system' | 'workload' | 'ok'>;

/** A value the timed calls feed, so that no call can be optimized away. */
let sink = 0;

/** Feed `x` (a number, an array or an object of them) to the sink. */
function consume(x: unknown): void {
  if (typeof x === 'number') sink += x;
  else if (x !== null && typeof x === 'object') sink += 1;
}

/** How long to warm a function up before timing it. */
export interface Warm {
  /** Keep calling for at least this long (ms): V8 moves a wasm function from its baseline
   * compiler (Liftoff) to TurboFan only after it has run a while, 1-2 s for our modules. */
  readonly minMs: number;
  /** Stop after this long (ms) even if calls are still getting faster. */
  readonly maxMs: number;
}

/** Warm-up for JS (the JIT settles within a few hundred ms) and for WebAssembly. */
export const WARM_JS: Warm = { minMs: 0, maxMs: 4000 };
export const WARM_WASM: Warm = { minMs: 2500, maxMs: 12000 };

/**
 * Warm `call` up until it has stopped getting faster and runs steadily: rounds of about 50 ms,
 * for at least `warm.minMs`, then until eight rounds in a row bring no gain of 3% over the
 * fastest call so far and the last round's mean is within 2x of that fastest call (while V8
 * compiles a big wasm function with TurboFan in the background, calls on a 2-core machine
 * alternate between fast and 10-20x slower for seconds), or until `warm.maxMs`. Return the mean
 * time of one call in the last round, in ms.
 */
function warmUp(call: () => unknown, warm: Warm): number {
  const start = performance.now();
  let best = Infinity;
  let stale = 0;
  let mean = Infinity;
  for (;;) {
    const elapsed = performance.now() - start;
    const settled = stale >= 8 && mean <= 2 * best;
    if (elapsed >= warm.maxMs || (elapsed >= warm.minMs && settled)) break;
    const t0 = performance.now();
    let n = 0;
    let fastest = Infinity;
    do {
      const c0 = performance.now();
      consume(call());
      fastest = Math.min(fastest, performance.now() - c0);
      n++;
    } while (performance.now() - t0 < 50);
    mean = (performance.now() - t0) / n;
    if (fastest < 0.97 * best) {
      best = fastest;
      stale = 0;
    } else stale++;
  }
  return mean;
}

/**
 * Time `call`: warm it up (see `warmUp`), then run batches sized so that a batch takes at least
 * a millisecond (3 to 61 batches, about `budgetMs` in all), and return the median per-call time
 * over the batches.
 */
export function time(call: () => unknown, budgetMs = 1200, warm: Warm = WARM_JS): Timing {
  const estimate = warmUp(call, warm);
  const batch = Math.max(1, Math.ceil(1 / estimate));
  const batches = Math.max(3, Math.min(61, Math.floor(budgetMs / (batch * estimate))));
  const perCall: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let k = 0; k < batch; k++) consume(call());
    perCall.push(((performance.now() - t0) * 1000) / batch);
  }
  perCall.sort((a, b) => a - b);
  return { us: perCall[perCall.length >> 1]!, minUs: perCall[0]!, calls: batch * batches };
}

/** Return the wall time of `work()` in milliseconds, and its result. */
export function stopwatch<T>(work: () => T): { ms: number; result: T } {
  const t0 = performance.now();
  const result = work();
  return { ms: performance.now() - t0, result };
}

/** A stopwatch with laps: `lap(name)` records the time since the previous lap under `name`. */
export class Laps {
  readonly parts: Record<string, number> = {};
  #last = performance.now();

  /** Record the milliseconds since the previous lap (or since construction) as `name`. */
  lap(name: string): void {
    const now = performance.now();
    this.parts[name] = (this.parts[name] ?? 0) + now - this.#last;
    this.#last = now;
  }

  /** Return the sum of all laps in milliseconds. */
  get total(): number {
    return Object.values(this.parts).reduce((a, b) => a + b, 0);
  }
}

/** How many times `warmSetup` repeats a setup (the first runs warm up the JIT). */
const WARM_SETUP_RUNS = 6;

/**
 * Return the milliseconds of `setup` (trace, autodiff, compile, one call) once the system's own
 * code is warm: the median of the last 3 of `WARM_SETUP_RUNS` runs in this process. An app that
 * builds several models, or rebuilds one as the user edits it, pays this after the first.
 */
async function warmSetup(setup: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < WARM_SETUP_RUNS; r++) {
    const t0 = performance.now();
    await setup();
    times.push(performance.now() - t0);
  }
  return times.slice(-3).sort((a, b) => a - b)[1]!;
}

/** Measure `setup` with `warmSetup` and return the note that reports it. */
export async function warmSetupNote(setup: () => unknown): Promise<string> {
  const ms = await warmSetup(setup);
  return (
    `warm setup: ${ms.toFixed(1)} ms (the same setup once the JIT has compiled the system's own code: ` +
    `the median of runs ${WARM_SETUP_RUNS - 2}-${WARM_SETUP_RUNS}, each on a fresh trace, in this process)`
  );
}

/** Return the first line of an error's message (or the thrown value as text). */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 160);
}

/** Return `xs` as a plain array of numbers (from an array, a typed array or an array-like). */
export function toNumbers(xs: ArrayLike<number>): number[] {
  return Array.from(xs, Number);
}

/**
 * Run one workload of one system, named by the command line (`<workload>`), and print its
 * result as one JSON line for the runner. Failures are reported as `ok: false`, not thrown.
 */
export async function main(system: string, run: (w: WorkloadId) => Measured | Promise<Measured>): Promise<void> {
  let workload: WorkloadId;
  try {
    workload = workloadId(process.argv[2]);
  } catch (err) {
    console.error(reasonOf(err));
    process.exitCode = 2;
    return;
  }
  let result: Result;
  try {
    result = { system, workload, ok: true, ...(await run(workload)) };
  } catch (err) {
    console.error(err);
    result = { system, workload, ok: false, reason: reasonOf(err) };
  }
  process.stdout.write(`${RESULT_TAG}${JSON.stringify(result)}\n`);
  if (sink === 0.5) console.error('(sink)'); // read the sink once so it stays observable
}
