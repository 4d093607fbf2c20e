/**
 * @file The optimizers (issue 4, sections 3 and 4), run by `npm run bench` (skip with
 * `--no-optim`) or alone: `node --import ./scripts/ts-register.mjs bench/optim.bench.ts`.
 *
 * (a) Augmented Lagrangian against Penrose's quadratic penalty method (weight 1e3 growing 10x
 *     per round, L-BFGS m = 17, Armijo 1e-3, Wolfe 0.9) on HS6, HS7, HS71 and circle packing:
 *     accuracy (|f - f*|, largest constraint violation), gradient evaluations, iterations. f* of
 *     the circle layouts comes from a run with tolerances 1e-12.
 * (b) L-BFGS overhead per iteration (everything but the objective and its gradient) as a
 *     fraction of one gradient evaluation, for n = 10 ... 10,000, on three compiled objectives:
 *     the Rosenbrock chain (about 10 flops per entry: the cheapest gradient there is), a smooth
 *     chain with an exp and a log per entry, and a Penrose-like all-pairs layout energy (the
 *     target is judged on this one; on the chains the two-loop recursion's 40 n flops alone
 *     exceed the gradient). overhead = wall time per iteration minus the time inside the
 *     objective's evaluations (a clock read around each; it includes copying x into and the
 *     gradient out of wasm memory), divided by the median time of one raw `evaluate()`. The
 *     `(subtracted)` column estimates the same as iteration time - evaluations x median gradient.
 *
 * Options: `--sizes=10,100` (part b), `--part=a` or `--part=b`. Noisy shared machines: compare
 * within one run.
 */
import { performance } from 'node:perf_hooks';
import {
  Real,
  Vec,
  add,
  compileValueAndGradSync,
  createMinimizer,
  div,
  exp,
  iadd,
  ilt,
  imod,
  log,
  minimize,
  mul,
  select,
  sub,
  sum,
  objectiveFromCompiled,
  fn,
  type Fn,
  type Objective,
} from '../engine/index.ts';
import { HS6, HS7, HS71, circlePacking, rosenbrock, type ConstrainedProblem } from '../test/engine/optim/problems.ts';
import { WARM_WASM, time } from './harness.ts';
import { table } from './report.ts';

/** Return the value of `--name=value` on the command line, if given. */
function option(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** Format a number with 2 significant digits in exponent form. */
const sci = (v: number) => (v === 0 ? '0' : v.toExponential(1));

// ---------------------------------------------------------------------------------------------
// (a) augmented Lagrangian vs penalty

/** One constrained run's figures. */
interface Row {
  readonly error: number;
  readonly violation: number;
  readonly evaluations: number;
  readonly iterations: number;
  readonly reason: string;
}

/** Run `p` with `method`; return its figures against `fStar`. */
async function run(p: ConstrainedProblem, method: 'augmented-lagrangian' | 'penalty', fStar: number): Promise<Row> {
  const r = await minimize(p.f, p.x0, { constraints: p.constraints, bounds: p.bounds, constraintMethod: method });
  return {
    error: Math.abs(r.value - fStar),
    violation: r.violation,
    evaluations: r.evaluations,
    iterations: r.iterations,
    reason: r.reason,
  };
}

/** Return f* of `p`: known, or from a tight augmented-Lagrangian run. */
async function reference(p: ConstrainedProblem): Promise<number> {
  if (!Number.isNaN(p.fStar)) return p.fStar;
  const r = await minimize(p.f, p.x0, {
    constraints: p.constraints,
    gradientTolerance: 1e-12,
    constraintTolerance: 1e-12,
    maxIterations: 100000,
    maxOuterIterations: 200,
  });
  return r.value;
}

/** Print part (a); return true when the augmented Lagrangian met the target on every problem. */
async function partA(): Promise<boolean> {
  console.log('\n## Constrained: augmented Lagrangian (AL) vs Penrose quadratic penalty (PEN)');
  const rows = [['problem', 'method', '|f - f*|', 'max violation', 'grad evals', 'iterations', 'reason']];
  const verdicts: string[] = [];
  let met = true;
  for (const p of [HS6, HS7, HS71, circlePacking(6), circlePacking(8)]) {
    const fStar = await reference(p);
    const al = await run(p, 'augmented-lagrangian', fStar);
    const pen = await run(p, 'penalty', fStar);
    for (const [name, r] of [['AL', al], ['PEN', pen]] as const)
      rows.push([p.name, name, sci(r.error), sci(r.violation), `${r.evaluations}`, `${r.iterations}`, r.reason]);
    // same or better: within a factor 2 of the penalty method's error/violation or below 1e-6
    const asGood = (a: number, b: number) => a <= Math.max(2 * b, 1e-6);
    const ok = al.evaluations < pen.evaluations && asGood(al.error, pen.error) && asGood(al.violation, pen.violation);
    met &&= ok;
    verdicts.push(
      `${p.name}: AL ${al.evaluations} vs PEN ${pen.evaluations} gradient evaluations ` +
        `(${(pen.evaluations / al.evaluations).toFixed(1)}x fewer), ${ok ? 'met' : 'MISSED'}`,
    );
  }
  console.log(table(rows));
  console.log(`\ntarget (same or better accuracy in fewer gradient evaluations):\n  ${verdicts.join('\n  ')}`);
  return met;
}

// ---------------------------------------------------------------------------------------------
// (b) L-BFGS overhead

/** A smooth chain: sum of exp(0.1 (x_i - 1)) - 0.1 x_i + log(1 + (x_{i+1} - x_i)^2). Minimum at 1. */
function smoothChain(n: number): Fn {
  return fn([Vec(n, Real)], Real, (x) =>
    sum(n, (i) => {
      const j = imod(n, iadd(n, i, 1));
      const d = sub(x[j]!, x[i]!);
      const coupling = select(ilt(n, i, n - 1), Real, log(add(1, mul(d, d))), 0);
      return add(sub(exp(mul(0.1, sub(x[i]!, 1))), mul(0.1, x[i]!)), coupling);
    }),
  );
}

/**
 * A Penrose-like layout energy of k = n/2 points in the plane: all-pairs repulsion
 * 1 / (1 + |p_i - p_j|^2) plus a weak pull to the origin (O(n^2) work per gradient).
 */
function pairwise(n: number): Fn {
  const k = n / 2;
  const energy = fn([Vec(k, Vec(2, Real))], Real, (p) => {
    const repulsion = sum(k, (i) =>
      sum(k, (j) => {
        const dx = sub(p[i]![0]!, p[j]![0]!);
        const dy = sub(p[i]![1]!, p[j]![1]!);
        return select(ilt(k, i, j), Real, div(1, add(1, add(mul(dx, dx), mul(dy, dy)))), 0);
      }),
    );
    const pull = sum(k, (i) => add(mul(p[i]![0]!, p[i]![0]!), mul(p[i]![1]!, p[i]![1]!)));
    return add(repulsion, mul(0.01, pull));
  });
  // the flat parameters as k points (index types differ, so the reshape is a literal)
  return fn([Vec(n, Real)], Real, (x) => energy(Array.from({ length: k }, (_, t) => [x[2 * t]!, x[2 * t + 1]!])));
}

/** Overhead figures of one objective at one size. */
interface Overhead {
  readonly gradUs: number;
  readonly iterUs: number;
  readonly evalsPerIter: number;
  /** Time per iteration outside the objective's evaluations, measured around each of them. */
  readonly overheadUs: number;
  /** The same, estimated as iteration time - evaluations x median gradient time. */
  readonly subtractedUs: number;
}

/**
 * Measure the L-BFGS overhead on `f` of `n` parameters, from `start`: run iterations (restarting
 * when a run ends) for about 2 s after a warm-up, with a clock read around every evaluation.
 */
function overhead(f: Fn, n: number, start: number[]): Overhead {
  const h = compileValueAndGradSync(f);
  h.x.set(start);
  const grad = time(() => h.evaluate(), 1500, WARM_WASM);
  const inner = objectiveFromCompiled(h);
  let inside = 0;
  const timed: Objective = {
    n,
    evaluate(x, g) {
      const t = performance.now();
      const v = inner.evaluate(x, g);
      inside += performance.now() - t;
      return v;
    },
  };
  const m = createMinimizer(timed, start, {
    gradientTolerance: 1e-300,
    stepTolerance: 1e-300,
    valueTolerance: 1e-300,
    maxIterations: 1e9,
  });
  const run = (ms: number, minIterations: number) => {
    let [iterations, evaluations] = [0, 0];
    let s0 = m.state;
    const t0 = performance.now();
    inside = 0;
    for (let calls = 0; performance.now() - t0 < ms || calls < minIterations; calls++) {
      if (m.advance()) continue;
      const s = m.state;
      iterations += s.iteration - s0.iteration;
      evaluations += s.evaluations - s0.evaluations;
      m.reset();
      s0 = m.state;
    }
    const s = m.state;
    iterations += s.iteration - s0.iteration;
    evaluations += s.evaluations - s0.evaluations;
    return { ms: performance.now() - t0, iterations, evaluations, inside };
  };
  run(500, 3);
  const r = run(2000, 5);
  h.dispose();
  const iterUs = (1000 * r.ms) / r.iterations;
  const evalsPerIter = r.evaluations / r.iterations;
  return {
    gradUs: grad.us,
    iterUs,
    evalsPerIter,
    overheadUs: (1000 * (r.ms - r.inside)) / r.iterations,
    subtractedUs: iterUs - evalsPerIter * grad.us,
  };
}

/**
 * Print part (b); return true when the overhead is at most 10% on the pairwise layout at every
 * size. On the chains it cannot be: the two-loop recursion alone is 4 m n = 40 n flops in 2m + 1
 * passes over the vectors, against about 10-30 n flops for those gradients.
 */
function partB(): boolean {
  const sizes = option('sizes')?.split(',').map(Number) ?? [10, 100, 1000, 10000];
  console.log('\n## L-BFGS overhead per iteration (m = 10), as a fraction of one gradient evaluation');
  const head = ['objective', 'n', 'grad us', 'iteration us', 'evals/iter', 'overhead us', '(subtracted)', 'overhead/grad'];
  const rows = [head];
  let met = true;
  const verdicts: string[] = [];
  for (const [name, make, start] of [
    ['Rosenbrock chain', rosenbrock, (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1.2))],
    ['exp-log chain', smoothChain, (n: number) => Array.from({ length: n }, (_, i) => Math.cos(i))],
    ['pairwise layout', pairwise, (n: number) => Array.from({ length: n }, (_, i) => 10 * Math.sin(i * 1.7))],
  ] as const) {
    for (const n of sizes) {
      const o = overhead(make(n), n, start(n));
      const fraction = o.overheadUs / o.gradUs;
      rows.push([
        name,
        `${n}`,
        o.gradUs.toFixed(2),
        o.iterUs.toFixed(2),
        o.evalsPerIter.toFixed(2),
        o.overheadUs.toFixed(2),
        o.subtractedUs.toFixed(2),
        `${(100 * fraction).toFixed(1)}%`,
      ]);
      if (name === 'pairwise layout') {
        met &&= fraction <= 0.1;
        verdicts.push(`n = ${n}: ${(100 * fraction).toFixed(1)}% ${fraction <= 0.1 ? 'met' : 'MISSED'}`);
      }
      process.stderr.write(`  ${name} n=${n} done\n`);
    }
  }
  console.log(table(rows));
  console.log(`\ntarget (overhead <= 10% of the gradient time, pairwise layout): ${verdicts.join(', ')}`);
  return met;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const part = option('part');
  console.log(`# Optimizers: ${process.version}`);
  const a = part === 'b' ? true : await partA();
  const b = part === 'a' ? true : partB();
  console.log(`\noptim bench: constrained target ${a ? 'met' : 'MISSED'}, overhead target ${b ? 'met' : 'MISSED'}, ` +
    `${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

void main();
