/// <reference types="mocha" />
/**
 * @file Browser: the live side of `<rose-optimizer>` and its sessions: dragging a parameter
 * while the optimizer runs (and after it converged), the `model` property with engine
 * functions, the main-thread path of a model with an opaque function, sessions released in the
 * worker when the element leaves the page, and the session API on its own.
 */
import { expect } from 'chai';
import '../../../../components/index.ts';
import { Dual, Real, Vec, add, div, fn, mul, opaque, sub } from '../../../../engine/index.ts';
import { makeProblem } from '../../../../engine/optim/problem.ts';
import { createSession, type SessionState } from '../../../../engine/optim/session.ts';
import { workerSessionCount } from '../../../../engine/runtime/session-client.ts';
import type { RoseParam } from '../../../../components/rose-param/rose-param.ts';
import { drag, frames, mountOptimizer, nextEvent, until, untilState } from './helpers.ts';

/**
 * A slow run: gradient descent with a tiny step on a quadratic bowl centred at (1, 2), far from
 * converging within a test on any machine (a fast worker does hundreds of thousands of
 * iterations a second), and with the value and step rules off, so only a drag changes its course.
 */
const SLOW = `
  <rose-optimizer method="gd" learning-rate="1e-9" max-iterations="1000000000" gradient-tolerance="1e-14"
    value-tolerance="1e-300" step-tolerance="1e-300">
    <rose-param name="x" value="0" min="-5" max="5"></rose-param>
    <rose-param name="y" value="0" min="-5" max="5"></rose-param>
    <rose-objective>(x - 1)^2 + (y - 2)^2</rose-objective>
  </rose-optimizer>`;

describe('<rose-optimizer> live', () => {
  afterEach(() => document.body.replaceChildren());

  it('a parameter dragged while running is held there, and the run continues from it', async () => {
    const el = mountOptimizer(SLOW);
    await nextEvent(el, 'rose-compiled');
    el.start();
    await nextEvent(el, 'rose-step', (d) => d.iteration > 100);
    const [px, py] = [...el.querySelectorAll<RoseParam>('rose-param')] as [RoseParam, RoseParam];
    // the values follow the run
    await frames(2);
    expect(px.value).to.equal(el.current!.x[0]);
    drag(py, -3);
    const held = await nextEvent(el, 'rose-step', (d) => d.parameters['y'] === -3);
    expect(held.running).to.equal(true);
    drag(py, -4);
    const moved = await nextEvent(el, 'rose-step', (d) => d.parameters['y'] === -4);
    // while dragged, y stays where the reader put it and x keeps descending (waited for by x
    // itself: a drag restarts the iteration count, so iteration numbers do not order the states)
    const later = await nextEvent(el, 'rose-step', (d) => d.parameters['x']! > moved.parameters['x']! + 1e-4);
    expect(later.parameters['y']).to.equal(-4);
    expect(later.parameters['x']).to.be.greaterThan(moved.parameters['x']!);
    expect(py.value).to.equal(-4);
    // released: y moves again, from -4 towards 2
    drag(py, -4, true);
    const freed = await nextEvent(el, 'rose-step', (d) => d.parameters['y']! > -4);
    expect(freed.running).to.equal(true);
    expect(el.state).to.equal('running');
    el.stop();
  });

  it('dragging a fixed parameter after convergence moves the solution (the run continues)', async () => {
    const el = mountOptimizer(`
      <rose-optimizer autostart>
        <rose-param name="x" value="0"></rose-param>
        <rose-param name="target" value="1" min="-3" max="3" fixed></rose-param>
        <rose-objective>(x - target)^2 + 0.1*x^2</rose-objective>
      </rose-optimizer>`);
    const first = await nextEvent(el, 'rose-converged');
    expect(first.parameters['x']).to.be.closeTo(1 / 1.1, 1e-6);
    const target = el.querySelectorAll<RoseParam>('rose-param')[1]!;
    drag(target, 2.2);
    drag(target, 2.2, true);
    const second = await nextEvent(el, 'rose-converged');
    expect(second.parameters['target']).to.equal(2.2);
    expect(second.parameters['x']).to.be.closeTo(2.2 / 1.1, 1e-6);
    await untilState(el, 'converged');
  });

  it('dragging while idle moves the start point (and the plot source restarts there)', async () => {
    const el = mountOptimizer(SLOW);
    await nextEvent(el, 'rose-compiled');
    const px = el.querySelector<RoseParam>('rose-param')!;
    drag(px, 3);
    drag(px, 3, true);
    await nextEvent(el, 'rose-step', (d) => d.parameters['x'] === 3);
    await frames(2);
    expect(el.state).to.equal('idle');
    expect(el.modelSource.x).to.deep.equal([3, 0]);
    expect(el.modelSource.path).to.deep.equal([[3, 0]]);
  });

  it('takes a model written with the engine API from its model property', async () => {
    const el = mountOptimizer('<rose-optimizer></rose-optimizer>');
    const objective = fn([Vec(2, Real)], Real, (v) => {
      const a = sub(v[0]!, 3);
      const b = sub(v[1]!, mul(v[0]!, 0.5));
      return add(mul(a, a), mul(b, b));
    });
    const compiled = nextEvent(el, 'rose-compiled');
    el.model = { parameters: [{ name: 'a', value: 0 }, { name: 'b', value: 0 }], objective };
    expect((await compiled).parameters).to.deep.equal(['a', 'b']);
    expect(el.session!.ranOn).to.equal('worker');
    el.start();
    const done = await nextEvent(el, 'rose-converged');
    expect(done.parameters['a']).to.be.closeTo(3, 1e-6);
    expect(done.parameters['b']).to.be.closeTo(1.5, 1e-6);
    // a malformed model is an error shown in the element
    el.model = { parameters: [{ name: 'a', value: 0 }], objective };
    const error = await nextEvent(el, 'rose-error');
    expect(error.code).to.equal('invalid-value');
    expect(error.message).to.contain('length');
    await el.updateComplete;
    expect(el.state).to.equal('error');
  });

  it('runs a model with an opaque function on the main thread, time-sliced, and says so', async () => {
    const ln = opaque([Real], Real, Math.log);
    ln.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: ln(x), du: div(dx, x) }));
    const objective = fn([Vec(2, Real)], Real, (x) => add(sub(x[0]!, ln(x[0]!)), mul(sub(x[1]!, 2), sub(x[1]!, 2))));
    const el = mountOptimizer('<rose-optimizer autostart></rose-optimizer>');
    const compiled = nextEvent(el, 'rose-compiled');
    el.model = { parameters: [{ name: 'x', value: 3, min: 0.01, max: 10 }, { name: 'y', value: 0 }], objective };
    const c = await compiled;
    expect(c.ranOn).to.equal('main');
    expect(c.note).to.contain('opaque');
    expect(c.note).to.contain('log');
    const done = await nextEvent(el, 'rose-converged');
    expect(done.parameters['x']).to.be.closeTo(1, 1e-5);
    expect(done.parameters['y']).to.be.closeTo(2, 1e-5);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="note"]')!.textContent).to.contain('main thread');
  });

  it('releases its session in the worker when removed from the page', async () => {
    const before = await workerSessionCount();
    const el = mountOptimizer(SLOW);
    await nextEvent(el, 'rose-compiled');
    el.start();
    await nextEvent(el, 'rose-step', (d) => d.iteration > 0);
    expect(await workerSessionCount()).to.equal(before + 1);
    const session = el.session!;
    el.remove();
    expect(session.closed).to.equal(true);
    await until(async () => (await workerSessionCount()) === before, 'the worker to free the session');
    expect(el.state).to.equal('idle');
    // back on the page, it compiles again
    const compiled = nextEvent(el, 'rose-compiled');
    document.body.append(el);
    await compiled;
    expect(await workerSessionCount()).to.equal(before + 1);
    el.remove();
    await until(async () => (await workerSessionCount()) === before, 'the worker to free the session again');
  });
});

describe('OptimizerSession', () => {
  const quadratic = fn([Vec(2, Real)], Real, (v) => add(mul(sub(v[0]!, 1), sub(v[0]!, 1)), mul(sub(v[1]!, 2), sub(v[1]!, 2))));

  for (const runIn of ['worker', 'main'] as const) {
    it(`runs, converges, steps, resets and is set (${runIn})`, async () => {
      const problem = makeProblem(quadratic, [0, 0], { runIn }, 'test');
      const states: SessionState[] = [];
      let converged: SessionState | undefined;
      const session = createSession(problem, { onState: (s) => states.push(s), onConverged: (s) => (converged = s) });
      expect(session.ranOn).to.equal(runIn);
      const first = await session.ready;
      expect(first.cause).to.equal('ready');
      expect(Array.from(first.x)).to.deep.equal([0, 0]);
      session.step();
      await until(() => states.at(-1)!.cause === 'step', 'a step');
      expect(states.at(-1)!.iteration).to.equal(1);
      session.reset();
      await until(() => states.at(-1)!.cause === 'reset', 'a reset');
      expect(states.at(-1)!.iteration).to.equal(0);
      session.setParameter(0, 5);
      session.freeze(0, true);
      session.start();
      await until(() => converged !== undefined, 'convergence');
      expect(converged!.x[0]).to.equal(5);
      expect(converged!.x[1]).to.be.closeTo(2, 1e-6);
      session.dispose();
      expect(session.closed).to.equal(true);
      const n = states.length;
      session.start();
      await frames(3);
      expect(states.length).to.equal(n);
    });
  }

  it('reports a worker that dies as worker-failed', async () => {
    const { workerClient } = await import('../../../../engine/runtime/client.ts');
    const problem = makeProblem(quadratic, [0, 0], {}, 'test');
    let failure: { code: string } | undefined;
    const session = createSession(problem, { onError: (e) => (failure = e) });
    await session.ready;
    workerClient().terminate('killed by the test');
    await until(() => failure !== undefined, 'the error');
    expect(failure!.code).to.equal('worker-failed');
    expect(session.closed).to.equal(true);
  });
});
