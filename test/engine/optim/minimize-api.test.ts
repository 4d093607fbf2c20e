/**
 * @file `minimize` as an API: abort, throttled progress, non-finite values during a run, the
 * problem as plain data (opaque functions detected), and a clear RoseError for each kind of bad
 * input.
 */
import { describe, expect, it } from 'vitest';
import {
  Dual,
  Real,
  RoseError,
  Vec,
  add,
  createMinimizer,
  fn,
  log,
  minimize,
  mul,
  objectiveFromJs,
  opaque,
  sqrt,
  sub,
  type MinimizeOptions,
} from '../../../engine/index.ts';
import { makeProblem } from '../../../engine/optim/problem.ts';
import { runMinimize } from '../../../engine/optim/minimize.ts';
import { HS71, rosenbrock, rosenbrockStart } from './problems.ts';

describe('abort', () => {
  it('resolves with reason aborted and the iterate so far', async () => {
    const controller = new AbortController();
    let steps = 0;
    const r = await minimize(rosenbrock(200), rosenbrockStart(200), {
      method: 'gd',
      learningRate: 1e-6,
      maxIterations: 1e9,
      signal: controller.signal,
      onStep: () => {
        if (++steps === 2) controller.abort();
      },
    });
    expect(r).toMatchObject({ reason: 'aborted', converged: false });
    expect(r.iterations).toBeGreaterThan(0);
    expect(r.x).toHaveLength(200);
  });

  it('an already aborted signal stops before the first iteration', async () => {
    const r = await minimize(rosenbrock(2), [-1.2, 1], { signal: AbortSignal.abort() });
    expect(r).toMatchObject({ reason: 'aborted', iterations: 0 });
    expect([...r.x]).toEqual([-1.2, 1]);
  });
});

describe('onStep', () => {
  it('is called at most once per 16 ms of (fake) time', async () => {
    let clock = 0;
    const times: number[] = [];
    const problem = makeProblem(rosenbrock(50), rosenbrockStart(50), { method: 'adam', maxIterations: 3000 }, 'test');
    const r = await runMinimize(problem, {
      now: () => (clock += 1), // every clock read advances a millisecond
      onStep: (s) => {
        times.push(clock);
        expect(s.iteration).toBeGreaterThan(0);
        expect(s.x).toHaveLength(50);
        expect(Number.isFinite(s.gradientNorm)).toBe(true);
      },
    });
    expect(r.iterations).toBe(3000);
    expect(times.length).toBeGreaterThan(2);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(16);
  });

  it('a tight run with the real clock: at most one call per 16 ms of the run', async () => {
    let calls = 0;
    const t0 = performance.now();
    const r = await minimize(rosenbrock(2), [-1.2, 1], {
      method: 'adam',
      learningRate: 0.01,
      maxIterations: 20000,
      onStep: () => calls++,
    });
    const elapsed = performance.now() - t0;
    expect(r.iterations).toBeGreaterThan(1000);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(1 + Math.floor(elapsed / 16));
  });
});

describe('non-finite values', () => {
  it('a NaN value stops the run and says at which iteration', () => {
    let evaluations = 0;
    const f = objectiveFromJs(2, (x, g) => {
      evaluations++;
      g[0] = 2 * x[0]!;
      g[1] = 2 * x[1]!;
      return evaluations >= 4 ? NaN : x[0]! * x[0]! + x[1]! * x[1]!;
    });
    const s = createMinimizer(f, [3, 4], { method: 'gd', learningRate: 0.01 }).step(100);
    expect(s).toMatchObject({ done: true, converged: false, reason: 'non-finite value at iteration 3' });
  });

  it('an infinite gradient entry is reported as such', () => {
    const f = objectiveFromJs(1, (x, g) => {
      g[0] = x[0]! < 0.5 ? Infinity : 1;
      return x[0]!;
    });
    const s = createMinimizer(f, [1], { method: 'adam', learningRate: 0.3 }).step(100);
    expect(s.reason).toBe('non-finite gradient at iteration 2');
  });

  it('a non-finite start is reported at iteration 0', async () => {
    const f = fn([Vec(1, Real)], Real, ([x]) => log(x!));
    const r = await minimize(f, [-1]);
    expect(r).toMatchObject({ reason: 'non-finite value at iteration 0', converged: false, iterations: 0 });
  });

  it('L-BFGS backs off a step into a non-finite region (compiled log)', async () => {
    // f = x - 2 log(x) has its minimum at x = 2; big steps to x <= 0 give NaN or -Infinity logs
    const f = fn([Vec(1, Real)], Real, ([x]) => sub(x!, mul(2, log(x!))));
    const r = await minimize(f, [0.05]);
    expect(r.converged, r.reason).toBe(true);
    expect(r.x[0]).toBeCloseTo(2, 6);
  });

  it('a NaN reached inside the compiled model during the run stops it', async () => {
    // sqrt(1 - x) is NaN past x = 1; gradient descent with a large rate jumps there
    const f = fn([Vec(1, Real)], Real, ([x]) => add(mul(-3, x!), sqrt(sub(1, x!))));
    const r = await minimize(f, [0], { method: 'gd', learningRate: 0.5, momentum: 0 });
    expect(r.reason).toMatch(/^non-finite (value|gradient) at iteration [1-9]/);
  });
});

describe('the problem as plain data', () => {
  it('is structured-clonable without opaque functions', () => {
    const p = makeProblem(HS71.f, HS71.x0, { constraints: HS71.constraints, bounds: HS71.bounds }, 'test');
    expect(p.needsMainThread).toBe(false);
    const copy = structuredClone(p);
    expect(copy.n).toBe(4);
    expect(copy.constraints.map((c) => [c.type, c.count])).toEqual([['ineq', 1], ['eq', 1]]);
  });

  it('detects opaque functions, runs on the main thread, and says why', async () => {
    const cube = opaque([Real], Real, function cube(x) {
      return x * x * x;
    });
    cube.jvp = fn([Dual], Dual, ({ re, du }) => ({ re: cube(re), du: mul(du, mul(3, mul(re, re))) }));
    const f = fn([Vec(1, Real)], Real, ([x]) => mul(sub(cube(x!), 8), sub(cube(x!), 8)));
    const p = makeProblem(f, [1], {}, 'test');
    expect(p.needsMainThread).toBe(true);
    expect(p.mainThreadReason).toMatch(/opaque JS function cube/);
    const r = await minimize(f, [1]);
    expect(r.x[0], r.reason).toBeCloseTo(2, 5);
    expect(r.ranOn).toBe('main');
    expect(r.note).toMatch(/main thread.*cube/);
  });
});

describe('bad input', () => {
  const f = rosenbrock(2);
  const reject = (promise: Promise<unknown>, pattern: RegExp, code = 'invalid-value') =>
    expect(promise).rejects.toSatisfy((e: unknown) => e instanceof RoseError && e.code === code && pattern.test(e.message));

  it('an objective that is not an fn, or of the wrong type', async () => {
    await reject(minimize((() => 1) as never, [0]), /expected a function made by `fn`/);
    const twoArgs = fn([Real, Real], Real, (a, b) => add(a, b));
    await reject(minimize(twoArgs, [0, 0]), /must take one Vec\(n, Real\)/, 'type-mismatch');
    const vecValued = fn([Vec(2, Real)], Vec(2, Real), (x) => x);
    await reject(minimize(vecValued, [0, 0]), /must return Real/, 'type-mismatch');
  });

  it('a start of the wrong length or with NaN / Infinity', async () => {
    await reject(minimize(f, [0]), /length 1, but the function takes Vec\(2, Real\)/);
    await reject(minimize(f, [0, NaN]), /NaN at index 1/);
    await reject(minimize(f, new Float64Array([Infinity, 0])), /Infinity at index 0/);
    await reject(minimize(f, 'ab' as never), /must be an array/);
  });

  it('bounds: infeasible, malformed, wrong count', async () => {
    await reject(minimize(f, [0, 0], { bounds: [[0, 1], [2, 1]] }), /bounds\[1\] is infeasible: lower 2 > upper 1/);
    await reject(minimize(f, [0, 0], { bounds: [[0, 1]] }), /array of 2 \[lower, upper\] pairs/);
    await reject(minimize(f, [0, 0], { bounds: [[0, 1], [0, NaN]] as never }), /bounds\[1\] must be a pair/);
  });

  it('constraints: unknown type, not an fn, wrong parameter or result type', async () => {
    const c = fn([Vec(2, Real)], Real, (x) => x[0]!);
    await reject(minimize(f, [0, 0], { constraints: [{ type: 'le', fn: c }] as never }), /'eq' or 'ineq', got "le"/);
    await reject(minimize(f, [0, 0], { constraints: [{ type: 'eq', fn: 3 }] as never }), /constraints\[0\]/);
    const wrongN = fn([Vec(3, Real)], Real, (x) => x[0]!);
    await reject(minimize(f, [0, 0], { constraints: [{ type: 'eq', fn: wrongN }] }), /must take Vec\(2, Real\)/, 'type-mismatch');
    const boolValued = fn([Vec(2, Real)], { a: Real }, (x) => ({ a: x[0]! }));
    await reject(minimize(f, [0, 0], { constraints: [{ type: 'ineq', fn: boolValued }] }), /must return Real or Vec/, 'type-mismatch');
    await reject(minimize(f, [0, 0], { constraints: c as never }), /constraints must be an array/);
  });

  it('options: unknown names and methods, bad values, another method\'s options', async () => {
    const bad = (o: unknown, pattern: RegExp) => reject(minimize(f, [0, 0], o as MinimizeOptions), pattern);
    await bad({ maxIter: 5 }, /unknown option "maxIter"/);
    await bad({ method: 'newton' }, /unknown method "newton"/);
    await bad({ gradientTolerance: 0 }, /invalid gradientTolerance: 0.*> 0/);
    await bad({ stepTolerance: -1 }, /invalid stepTolerance: -1/);
    await bad({ valueTolerance: NaN }, /invalid valueTolerance: NaN/);
    await bad({ maxIterations: 2.5 }, /invalid maxIterations: 2.5.*integer/);
    await bad({ history: 0 }, /invalid history: 0/);
    await bad({ learningRate: 0.1 }, /learningRate belongs to adam and gd, not to lbfgs/);
    await bad({ method: 'adam', momentum: 0.5 }, /momentum belongs to gd, not to adam/);
    await bad({ armijo: 0.5, curvature: 0.4 }, /curvature \(0.4\) must be larger than armijo/);
    await bad({ runIn: 'gpu' }, /runIn must be 'worker' or 'main'/);
    await bad({ constraintMethod: 'barrier' }, /unknown constraintMethod/);
    await bad(null, /options must be an object/);
  });

  it('the stepping API validates the same way', () => {
    const obj = objectiveFromJs(2, () => 0);
    expect(() => createMinimizer(obj, [0, 0], { method: 'bfgs' as never })).toThrow(RoseError);
    expect(() => createMinimizer(obj, [0], {})).toThrow(/length 1/);
    expect(() => createMinimizer(obj, [0, 0], { bounds: [[1, 0], [0, 1]] })).toThrow(/infeasible/);
  });
});
