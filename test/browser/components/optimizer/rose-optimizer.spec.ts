/// <reference types="mocha" />
/**
 * @file Browser: `<rose-optimizer>` from markup: attributes and properties, the reflected state,
 * events and their order, convergence on Rosenbrock, constraints (closest point on an ellipse),
 * `step()` and `reset()`, recompiling when the markup or the method changes, and the model
 * source plots follow.
 */
import { expect } from 'chai';
import '../../../../components/index.ts';
import { ROSENBROCK, frames, mountOptimizer, nextEvent, record, untilState } from './helpers.ts';

describe('<rose-optimizer> from markup', () => {
  afterEach(() => document.body.replaceChildren());

  it('compiles, reflects its state and converges on Rosenbrock, events in order', async () => {
    const el = mountOptimizer(ROSENBROCK);
    const log = record(el, ['rose-compiled', 'rose-step', 'rose-converged']);
    const states: string[] = [];
    new MutationObserver(() => states.push(el.getAttribute('state') ?? '')).observe(el, { attributeFilter: ['state'] });
    const compiled = await nextEvent(el, 'rose-compiled');
    expect(compiled).to.deep.equal({ parameters: ['x', 'y'], ranOn: 'worker', note: '' });
    expect(el.state).to.equal('idle');
    el.start();
    const done = await nextEvent(el, 'rose-converged');
    await untilState(el, 'converged');
    expect(done.parameters['x']).to.be.closeTo(1, 1e-5);
    expect(done.parameters['y']).to.be.closeTo(1, 1e-5);
    expect(done.x).to.deep.equal([done.parameters['x'], done.parameters['y']]);
    expect(done.loss).to.be.lessThan(1e-10);
    expect(done.running).to.equal(false);
    expect(done.reason).to.equal('gradient-tolerance');
    // compiled first, steps after, converged last (right after the step of the same state)
    const names = log.map((e) => e.name);
    expect(names[0]).to.equal('rose-compiled');
    expect(names.at(-1)).to.equal('rose-converged');
    expect(names.at(-2)).to.equal('rose-step');
    expect(names.filter((n) => n === 'rose-converged')).to.have.length(1);
    expect(states).to.deep.equal(['idle', 'compiling', 'idle', 'running', 'converged']);
    expect(el.getAttribute('state')).to.equal('converged');
    // the live values were pushed into the parameters
    const [px, py] = [...el.querySelectorAll('rose-param')];
    expect(px!.value).to.equal(done.parameters['x']);
    expect(py!.value).to.equal(done.parameters['y']);
    expect(el.values).to.deep.equal(done.parameters);
  });

  it('autostart runs as soon as compiled; events bubble to the document', async () => {
    const seen = nextEvent(document, 'rose-converged');
    const el = mountOptimizer(ROSENBROCK.replace('<rose-optimizer id="opt">', '<rose-optimizer id="opt" autostart>'));
    const detail = await seen;
    expect(el.autostart).to.equal(true);
    expect(detail.parameters['x']).to.be.closeTo(1, 1e-5);
  });

  it('finds the closest point of an ellipse to a point (an equality constraint from markup)', async () => {
    const el = mountOptimizer(`
      <rose-optimizer autostart>
        <rose-param name="x" value="0.5"></rose-param>
        <rose-param name="y" value="0.5"></rose-param>
        <rose-param name="px" value="3" fixed></rose-param>
        <rose-param name="py" value="2" fixed></rose-param>
        <rose-objective>(x - px)^2 + (y - py)^2</rose-objective>
        <rose-constraint label="on the ellipse">x^2/4 + y^2 == 1</rose-constraint>
      </rose-optimizer>`);
    const done = await nextEvent(el, 'rose-converged');
    const { x, y, px, py } = done.parameters as Record<string, number>;
    expect(px).to.equal(3);
    expect(py).to.equal(2);
    expect(Math.abs(x! * x! / 4 + y! * y! - 1)).to.be.lessThan(1e-6);
    expect(done.violation).to.be.lessThan(1e-6);
    expect(done.multipliers).to.have.length(1);
    // the same point as a dense search along the ellipse
    let best = [0, 0, Infinity];
    for (let k = 0; k < 200000; k++) {
      const t = (2 * Math.PI * k) / 200000;
      const d = (2 * Math.cos(t) - 3) ** 2 + (Math.sin(t) - 2) ** 2;
      if (d < best[2]!) best = [2 * Math.cos(t), Math.sin(t), d];
    }
    expect(x).to.be.closeTo(best[0]!, 1e-4);
    expect(y).to.be.closeTo(best[1]!, 1e-4);
  });

  it('inequality constraints and bounds from markup', async () => {
    const el = mountOptimizer(`
      <rose-optimizer autostart>
        <rose-param name="a" value="0" min="-5" max="0.5"></rose-param>
        <rose-param name="b" value="0"></rose-param>
        <rose-objective>(a - 2)^2 + (b - 2)^2</rose-objective>
        <rose-constraint>a + b <= 1</rose-constraint>
      </rose-optimizer>`);
    const done = await nextEvent(el, 'rose-converged');
    // without the bound the answer is (0.5, 0.5) on the line; the bound a <= 0.5 is then active too
    expect(done.parameters['a']).to.be.closeTo(0.5, 1e-5);
    expect(done.parameters['b']).to.be.closeTo(0.5, 1e-5);
  });

  it('step() does one iteration, reset() goes back to the start', async () => {
    const el = mountOptimizer(ROSENBROCK);
    await nextEvent(el, 'rose-compiled');
    el.step();
    const first = await nextEvent(el, 'rose-step');
    expect(first.iteration).to.equal(1);
    expect(first.running).to.equal(false);
    expect(el.state).to.equal('idle');
    el.step();
    const second = await nextEvent(el, 'rose-step');
    expect(second.iteration).to.equal(2);
    expect(second.loss).to.be.lessThan(first.loss);
    expect(el.modelSource.path).to.have.length(3);
    el.reset();
    const back = await nextEvent(el, 'rose-step');
    expect(back.iteration).to.equal(0);
    expect(back.x).to.deep.equal([-1.2, 1]);
    expect(el.querySelector('rose-param')!.value).to.equal(-1.2);
    expect(el.modelSource.path).to.have.length(1);
    expect(el.state).to.equal('idle');
  });

  it('stop() stops a long run; start() continues it', async () => {
    const el = mountOptimizer(`
      <rose-optimizer method="gd" learning-rate="1e-7" max-iterations="100000000" gradient-tolerance="1e-14">
        <rose-param name="x" value="0"></rose-param>
        <rose-objective>(x - 1)^2</rose-objective>
      </rose-optimizer>`);
    await nextEvent(el, 'rose-compiled');
    el.start();
    expect(el.state).to.equal('running');
    const a = await nextEvent(el, 'rose-step', (d) => d.iteration > 0);
    el.stop();
    expect(el.state).to.equal('idle');
    await frames(4);
    const stoppedAt = el.current!.iteration;
    await frames(4);
    expect(el.current!.iteration).to.equal(stoppedAt);
    expect(stoppedAt).to.be.at.least(a.iteration);
    el.start();
    const b = await nextEvent(el, 'rose-step', (d) => d.iteration > stoppedAt);
    expect(b.running).to.equal(true);
    el.stop();
  });

  it('max-iterations stops the run (state idle, reason max-iterations)', async () => {
    const el = mountOptimizer(ROSENBROCK.replace('id="opt"', 'id="opt" max-iterations="5" autostart'));
    const last = await nextEvent(el, 'rose-step', (d) => !d.running && d.iteration === 5);
    expect(last.reason).to.equal('max-iterations');
    await untilState(el, 'idle');
    expect(el.maxIterations).to.equal(5);
  });

  it('adam and gd with a learning rate converge on a quadratic', async () => {
    for (const method of ['adam', 'gd']) {
      const el = mountOptimizer(`
        <rose-optimizer method="${method}" learning-rate="0.05" max-iterations="20000" autostart>
          <rose-param name="u" value="3"></rose-param>
          <rose-param name="v" value="-1"></rose-param>
          <rose-objective>(u + 1)^2 + 2*(v - 0.5)^2</rose-objective>
        </rose-optimizer>`);
      const done = await nextEvent(el, 'rose-converged');
      expect(el.method).to.equal(method);
      expect(done.parameters['u'], method).to.be.closeTo(-1, 1e-4);
      expect(done.parameters['v'], method).to.be.closeTo(0.5, 1e-4);
    }
  });

  it('recompiles when the objective text or the method changes, not when values move', async () => {
    const el = mountOptimizer(ROSENBROCK);
    await nextEvent(el, 'rose-compiled');
    const log = record(el, ['rose-compiled']);
    el.querySelector('rose-param')!.value = 0.3; // live value: no recompile
    el.querySelector('rose-objective')!.textContent = '(x - 0.5)^2 + (y + 0.25)^2';
    await nextEvent(el, 'rose-compiled');
    el.start();
    const done = await nextEvent(el, 'rose-converged');
    expect(done.parameters['x']).to.be.closeTo(0.5, 1e-6);
    expect(done.parameters['y']).to.be.closeTo(-0.25, 1e-6);
    el.setAttribute('method', 'adam');
    await nextEvent(el, 'rose-compiled');
    expect(log).to.have.length(2);
    expect(el.modelSource.expression).to.equal('(x - 0.5)^2 + (y + 0.25)^2');
  });

  it('is a model source that <rose-plot for> follows', async () => {
    document.body.insertAdjacentHTML('beforeend', '<rose-plot for="opt" kind="contour" style="display:block;width:300px;height:200px"></rose-plot>');
    const el = mountOptimizer(ROSENBROCK);
    await nextEvent(el, 'rose-compiled');
    const plot = document.querySelector('rose-plot')!;
    expect(el.modelSource.parameters).to.deep.equal(['x', 'y']);
    expect(el.modelSource.bounds).to.deep.equal([{ min: -2, max: 2 }, { min: -1, max: 3 }]);
    el.start();
    await nextEvent(el, 'rose-converged');
    await frames(3);
    expect(plot.controller.source.source).to.equal(el.modelSource);
    // every iterate is on the path, although states come once per frame (trails)
    expect(el.modelSource.path.length).to.be.greaterThan(20);
    expect(el.modelSource.iteration).to.equal(el.current!.iteration);
    expect(el.modelSource.lossHistory.length).to.equal(el.modelSource.path.length);
    expect(plot.error).to.equal(undefined);
  });
});
