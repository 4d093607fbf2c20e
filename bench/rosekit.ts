/**
 * @file Rose Kit on one workload, compiled to WebAssembly (the default) or interpreted
 * (`--interp`). The objective comes from `rosekit-workloads.ts`; this file only times it:
 * setup (trace, `valueAndGrad`, compile, first call), the value-and-gradient call, the primal
 * call, and for the compiled tier the cost of converting JS arrays at the call boundary.
 * `node --import ./scripts/ts-register.mjs bench/rosekit.ts <workload> [--interp]`
 */
import {
  Real,
  Vec,
  compileSync,
  compileValueAndGradSync,
  fn,
  interp,
  valueAndGrad,
  type Fn,
} from '../engine/index.ts';
import {
  Laps,
  WARM_JS,
  WARM_WASM,
  main,
  stopwatch,
  time,
  toNumbers,
  warmSetupNote,
  type Marshal,
  type Measured,
} from './harness.ts';
import { ROSE_KIT_WORKLOADS } from './rosekit-workloads.ts';
import { inputOf, type WorkloadId } from './workloads.ts';

/** A callable produced by `interp` or `compileSync`: JS values in, JS values out. */
type Callable = (...args: unknown[]) => unknown;

/** The value-and-gradient result of the convenience call. */
interface ValueAndGrad {
  readonly value: number;
  readonly grad: ArrayLike<number>;
}

/**
 * Time the conversion of JS arrays of `n` numbers at the compiled call boundary: a scalar
 * function (the call's fixed cost), `v => v[0]` (n numbers in) and `v => v` (n in, n out).
 */
function marshalCost(n: number): Marshal {
  const scalar = compileSync(fn([Real], Real, (x) => x));
  const input = compileSync(fn([Vec(n, Real)], Real, (v) => v[0]!));
  const both = compileSync(fn([Vec(n, Real)], Vec(n, Real), (v) => v));
  const x = Array.from({ length: n }, (_, i) => i / n);
  const warm = { minMs: 1000, maxMs: 2000 };
  const t0 = time(() => scalar(0.5), 300, warm).us;
  const tIn = time(() => input(x), 300, warm).us;
  const tBoth = time(() => both(x), 300, warm).us;
  return { inNs: ((tIn - t0) * 1000) / n, outNs: ((tBoth - tIn) * 1000) / n };
}

/** Measure Rose Kit on `w`, compiled or interpreted. */
async function run(w: WorkloadId, compiled: boolean): Promise<Measured> {
  const prepare = (f: Fn): Callable => (compiled ? compileSync(f as never) : interp(f as never)) as Callable;
  const x = inputOf(w);
  // Setup to first gradient: trace, differentiate, compile (or not), call once with a JS array.
  const laps = new Laps();
  const f = ROSE_KIT_WORKLOADS[w]();
  laps.lap('trace');
  const vg = valueAndGrad(f as never);
  laps.lap('autodiff');
  const gradient = prepare(vg);
  laps.lap(compiled ? 'compile' : 'interp prep');
  const first = gradient(x) as ValueAndGrad;
  laps.lap('first call');
  const setup = { setupMs: laps.total, setupParts: laps.parts };
  const primal = prepare(ROSE_KIT_WORKLOADS[w]());
  const xs = Float64Array.from(x); // the primal's fast path: a typed array in, a number out
  const budget = compiled ? 1000 : 2500;
  const warm = compiled ? WARM_WASM : WARM_JS;
  const convenience = time(() => gradient(x), budget, warm);
  if (!compiled) return { ...setup, grad: convenience, primal: time(() => primal(xs), budget, warm), ...answer(first) };
  // The hot-loop entry: parameters and gradient are views of wasm memory, nothing is converted.
  const zeroCopy = stopwatch(() => compileValueAndGradSync(ROSE_KIT_WORKLOADS[w]()));
  const h = zeroCopy.result;
  h.x.set(x);
  const value = h.evaluate();
  const gradientZc = toNumbers(h.gradient);
  const grad = time(() => h.evaluate(), budget, warm);
  const marshal = { ...marshalCost(x.length), convenienceUs: convenience.us, zeroCopyUs: grad.us };
  const notes = [
    `grad: the zero-copy entry (compileValueAndGradSync; setup ${zeroCopy.ms.toFixed(0)} ms); ` +
      `with JS arrays in and out: ${convenience.us.toFixed(1)} us`,
    await warmSetupNote(() => (compileSync(valueAndGrad(ROSE_KIT_WORKLOADS[w]() as never)) as Callable)(x)),
  ];
  const gap = maxGap([value, ...gradientZc], [first.value, ...toNumbers(first.grad)]);
  if (gap !== 0) notes.push(`!! the zero-copy entry and compileSync(valueAndGrad(f)) differ by ${gap.toExponential(2)}`);
  return { ...setup, grad, primal: time(() => primal(xs), budget, warm), value, gradient: gradientZc, marshal, notes };
}

/** Return the largest absolute difference between `a` and `b` (Infinity if lengths differ). */
function maxGap(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, ai, i) => Math.max(m, Math.abs(ai - b[i]!)), 0);
}

/** The value and gradient of the first call, as plain numbers. */
function answer(first: ValueAndGrad): { value: number; gradient: number[] } {
  return { value: first.value, gradient: toNumbers(first.grad) };
}

const interpreted = process.argv.includes('--interp');
void main(interpreted ? 'Rose Kit interp' : 'Rose Kit compiled', (w) => run(w, !interpreted));
