/**
 * @file rose@0.4.10 on one workload, with its `compile` (Rose has no other fast path). The
 * objective comes from `rose-workloads.ts`; the value-and-gradient function is the idiom of
 * Rose's README (`vjp(f)(x)`, then `grad(1)`). Timed: setup (trace, vjp, compile, first call),
 * the value-and-gradient call, the primal call, and the cost of converting JS arrays at the
 * call boundary. `node --import ./scripts/ts-register.mjs bench/rose.ts <workload>`
 */
import { Real, Vec, compile, fn, vjp, type Fn } from 'rose';
import {
  Laps,
  WARM_WASM,
  main,
  time,
  toNumbers,
  warmSetupNote,
  type Marshal,
  type Measured,
} from './harness.ts';
import { ROSE_WORKLOADS } from './rose-workloads.ts';
import { inputOf, type WorkloadId } from './workloads.ts';

/** A compiled Rose function: JS values in, JS values out. */
type Callable = (...args: unknown[]) => unknown;

/** Compile `f` with Rose (a fresh wasm memory per function). */
const compileAny = async (f: Fn): Promise<Callable> => (await compile(f as never)) as Callable;

/** Return `{ value, grad }` of the real-valued `f` of one `Vec(n, Real)`, as a Rose `fn`. */
function valueAndGrad(f: Fn, n: number): Fn {
  const g = f as Fn & ((x: unknown) => Real);
  return fn([Vec(n, Real)], { value: Real, grad: Vec(n, Real) }, (x) => {
    const { ret, grad } = vjp(g)(x);
    return { value: ret, grad: grad(1) as never };
  });
}

/**
 * Time the conversion of JS arrays of `n` numbers at Rose's call boundary: a scalar function
 * (the call's fixed cost), `v => v[0]` (n numbers in) and `v => v` (n in, n out).
 */
async function marshalCost(n: number): Promise<Marshal> {
  const scalar = await compileAny(fn([Real], Real, (x) => x));
  const input = await compileAny(fn([Vec(n, Real)], Real, (v) => v[0]!));
  const both = await compileAny(fn([Vec(n, Real)], Vec(n, Real), (v) => v));
  const x = Array.from({ length: n }, (_, i) => i / n);
  const warm = { minMs: 1000, maxMs: 2000 };
  const t0 = time(() => scalar(0.5), 300, warm).us;
  const tIn = time(() => input(x), 300, warm).us;
  const tBoth = time(() => both(x), 300, warm).us;
  return { inNs: ((tIn - t0) * 1000) / n, outNs: ((tBoth - tIn) * 1000) / n };
}

/** Measure rose@0.4.10 on `w`. */
async function run(w: WorkloadId): Promise<Measured> {
  const x = inputOf(w);
  // Setup to first gradient: trace, vjp (eager in Rose), compile, call once.
  const laps = new Laps();
  const f = ROSE_WORKLOADS[w]();
  laps.lap('trace');
  const vg = valueAndGrad(f, x.length);
  laps.lap('autodiff');
  const gradient = await compileAny(vg);
  laps.lap('compile');
  const first = gradient(x) as { value: number; grad: number[] };
  laps.lap('first call');
  const primal = await compileAny(ROSE_WORKLOADS[w]());
  const grad = time(() => gradient(x), 1000, WARM_WASM);
  return {
    setupMs: laps.total,
    setupParts: laps.parts,
    grad,
    primal: time(() => primal(x), 1000, WARM_WASM),
    value: first.value,
    gradient: toNumbers(first.grad),
    marshal: { ...(await marshalCost(x.length)), convenienceUs: grad.us },
    notes: [await warmSetupNote(async () => (await compileAny(valueAndGrad(ROSE_WORKLOADS[w](), x.length)))(x))],
  };
}

void main('rose@0.4.10', run);
