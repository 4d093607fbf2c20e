/// <reference types="mocha" />
/**
 * @file Browser: `minimize` in the compile worker (the default in a window): the same answer as
 * on the main thread, progress at most once per animation frame, cancellation that resolves with
 * the iterate reached, constrained problems, worker death; and the main-thread path of a model
 * with an opaque function, which says why it ran there.
 */
import { expect } from 'chai';
import {
  Dual,
  Real,
  RoseError,
  Vec,
  add,
  div,
  fn,
  minimize,
  mul,
  opaque,
  sub,
  type MinimizerState,
} from '../../engine/index.ts';
import { workerClient } from '../../engine/runtime/client.ts';

/** Return the Rosenbrock function of `n` variables. */
function rosenbrock(n: number) {
  return fn([Vec(n, Real)], Real, (x) => {
    let s: Real | number = 0;
    for (let i = 0; i + 1 < n; i++) {
      const d = sub(x[i + 1]!, mul(x[i]!, x[i]!));
      const e = sub(1, x[i]!);
      s = add(s, add(mul(100, mul(d, d)), mul(e, e)));
    }
    return s;
  });
}

/** Count animation frames until `stop()` is called; return the counter. */
function frameCounter(): { frames: number; stop(): void } {
  const c = { frames: 0, running: true, stop: () => void (c.running = false) };
  const tick = (): void => {
    if (!c.running) return;
    c.frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  return c;
}

describe('minimize in the worker', () => {
  it('finds the Rosenbrock minimum, as the main thread does', async () => {
    const posted = workerClient().posted;
    const inWorker = await minimize(rosenbrock(2), [-1.2, 1]);
    expect(workerClient().posted).to.be.greaterThan(posted);
    expect(inWorker.ranOn).to.equal('worker');
    expect(inWorker.converged).to.equal(true);
    expect(Math.abs(inWorker.x[0]! - 1)).to.be.lessThan(1e-5);
    expect(Math.abs(inWorker.x[1]! - 1)).to.be.lessThan(1e-5);
    const onMain = await minimize(rosenbrock(2), [-1.2, 1], { runIn: 'main' });
    expect(onMain.ranOn).to.equal('main');
    expect(onMain.iterations).to.equal(inWorker.iterations);
    expect([...onMain.x]).to.deep.equal([...inWorker.x]);
  });

  it('streams progress at most once per animation frame', async () => {
    const states: MinimizerState[] = [];
    const counter = frameCounter();
    const r = await minimize(rosenbrock(60), new Float64Array(60).fill(-1), {
      method: 'gd',
      learningRate: 1e-4,
      maxIterations: 20000,
      onStep: (s) => states.push(s),
    });
    counter.stop();
    expect(r.ranOn).to.equal('worker');
    expect(states.length).to.be.greaterThan(0);
    expect(states.length).to.be.at.most(counter.frames + 1);
    for (let k = 1; k < states.length; k++)
      expect(states[k]!.iteration).to.be.greaterThan(states[k - 1]!.iteration);
    expect(states[0]!.x).to.be.instanceOf(Float64Array);
  });

  it('an AbortSignal stops the run, which resolves with the iterate reached', async () => {
    const ctl = new AbortController();
    let steps = 0;
    const r = await minimize(rosenbrock(80), new Float64Array(80).fill(-1), {
      method: 'gd',
      learningRate: 1e-5,
      maxIterations: 1e9,
      gradientTolerance: 1e-300,
      stepTolerance: 1e-300,
      valueTolerance: 1e-300,
      signal: ctl.signal,
      onStep: () => {
        if (++steps === 2) ctl.abort();
      },
    });
    expect(r.ranOn).to.equal('worker');
    expect(r.reason).to.equal('aborted');
    expect(r.converged).to.equal(false);
    expect(r.iterations).to.be.greaterThan(0);
    expect(r.x).to.have.length(80);
  });

  it('solves a constrained problem and returns its multipliers', async () => {
    // minimize x^2 + y^2 subject to x + y = 1: x = y = 1/2, multiplier -1
    const f = fn([Vec(2, Real)], Real, (x) => add(mul(x[0]!, x[0]!), mul(x[1]!, x[1]!)));
    const c = fn([Vec(2, Real)], Real, (x) => sub(add(x[0]!, x[1]!), 1));
    const r = await minimize(f, [3, -2], { constraints: [{ type: 'eq', fn: c }] });
    expect(r.ranOn).to.equal('worker');
    expect(r.converged).to.equal(true);
    expect(Math.abs(r.x[0]! - 0.5)).to.be.lessThan(1e-5);
    expect(Math.abs(r.x[1]! - 0.5)).to.be.lessThan(1e-5);
    expect(r.multipliers).to.have.length(1);
    expect(Math.abs(Math.abs(r.multipliers[0]!) - 1)).to.be.lessThan(1e-4);
  });

  it('a worker killed mid-run rejects the run with worker-failed; the next run works', async () => {
    const client = workerClient();
    const running = minimize(rosenbrock(50), new Float64Array(50).fill(-1), {
      method: 'gd',
      learningRate: 1e-5,
      maxIterations: 1e9,
      onStep: () => client.terminate('killed by the test'),
    });
    let error: unknown;
    await running.catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(RoseError);
    expect((error as RoseError).code).to.equal('worker-failed');
    expect((error as RoseError).message).to.contain('killed by the test');
    const r = await minimize(rosenbrock(2), [0, 0]);
    expect(r.converged).to.equal(true);
  });

  it('bad input is a RoseError before anything is posted', async () => {
    const posted = workerClient().posted;
    let error: unknown;
    await minimize(rosenbrock(2), [Number.NaN, 0]).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(RoseError);
    expect(workerClient().posted).to.equal(posted);
  });
});

describe('minimize on the main thread', () => {
  it('runs a model with an opaque function here, in time slices, and says why', async () => {
    const ln = opaque([Real], Real, Math.log);
    ln.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: ln(x), du: div(dx, x) }));
    // minimum of x - ln x at x = 1, and (y - 2)^2 at y = 2
    const f = fn([Vec(2, Real)], Real, (x) => add(sub(x[0]!, ln(x[0]!)), mul(sub(x[1]!, 2), sub(x[1]!, 2))));
    const posted = workerClient().posted;
    const r = await minimize(f, [3, 0], { bounds: [[0.01, 10], [-10, 10]] });
    // the loop ran here; its compiles still went to the worker (opaque impls reattached here)
    expect(workerClient().posted).to.be.greaterThan(posted);
    expect(r.ranOn).to.equal('main');
    expect(r.note).to.contain('opaque');
    expect(r.note).to.contain('log');
    expect(r.converged).to.equal(true);
    expect(Math.abs(r.x[0]! - 1)).to.be.lessThan(1e-5);
    expect(Math.abs(r.x[1]! - 2)).to.be.lessThan(1e-5);
  });
});
