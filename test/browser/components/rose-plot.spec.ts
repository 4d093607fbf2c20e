/// <reference types="mocha" />
/** @file Browser: `<rose-plot>` kinds, rendering, resize, high-DPI, errors, events and removal. */
import { expect } from 'chai';
import '../../../components/index.ts';
import { ModelState } from '../../../components/index.ts';
import type { RosePlot } from '../../../components/rose-plot/rose-plot.ts';
import { Real, Vec, add, fn, mul, sub } from '../../../engine/index.ts';
import { create, frames, inkOf, mount, nextEvent, pixelAt, record } from './helpers.ts';

const ROSENBROCK = '(1-x)^2 + 100*(y-x^2)^2';
const rosenbrock = fn([Vec(2, Real)], Real, ([x, y]) =>
  add(mul(sub(1, x), sub(1, x)), mul(100, mul(sub(y, mul(x, x)), sub(y, mul(x, x))))),
);

/** Mount a plot and resolve once it painted a frame satisfying `ready`. */
async function painted(el: RosePlot, ready: (el: RosePlot) => boolean = () => true, style?: string): Promise<RosePlot> {
  const done = new Promise<void>((resolve) => {
    const check = () => {
      if (!ready(el)) return;
      el.removeEventListener('rose-render', check);
      resolve();
    };
    el.addEventListener('rose-render', check);
  });
  mount(el, style);
  await done;
  await el.updateComplete;
  return el;
}

/** True once the contour's heatmap is on the canvas (its description names the grid minimum). */
const hasField = (el: RosePlot) => el.description.includes('Smallest value');

describe('<rose-plot kind="contour">', () => {
  afterEach(() => document.body.replaceChildren());

  it('paints a heatmap from an expression, with SVG axes and a description', async () => {
    const el = await painted(create('rose-plot', { kind: 'contour', expression: ROSENBROCK, 'x-range': '-2 2', 'y-range': '-1 3', log: '' }), hasField);
    const ink = inkOf(el.canvas!);
    expect(ink.painted).to.be.greaterThan(0.5 * el.canvas!.width * el.canvas!.height);
    expect(ink.colors).to.be.greaterThan(50); // a colour map, not a flat fill
    const labels = [...el.shadowRoot!.querySelectorAll('svg text')].map((t) => t.textContent);
    expect(labels).to.include.members(['\u22122', '0', '2', '3', 'x', 'y']);
    expect(el.description).to.match(/^Contour plot of \(1-x\)\^2 \+ 100\*\(y-x\^2\)\^2 over x from −2 to 2 and y from −1 to 3\./);
    // the grid minimum is near (1, 1)
    const [, mx, my] = /at x = (−?\d+(?:\.\d+)?), y = (−?\d+(?:\.\d+)?)/.exec(el.description)!;
    const num = (t: string) => Number(t.replace('\u2212', '-'));
    expect(Math.abs(num(mx!) - 1)).to.be.lessThan(0.1);
    expect(Math.abs(num(my!) - 1)).to.be.lessThan(0.1);
    const frame = el.shadowRoot!.querySelector('[part=frame]')!;
    expect(frame.getAttribute('role')).to.equal('img');
    expect(el.shadowRoot!.getElementById(frame.getAttribute('aria-describedby')!)!.textContent).to.equal(el.description);
  });

  it('paints low values dark and high values light (viridis)', async () => {
    const el = create('rose-plot', { kind: 'contour', 'x-range': '-2 2', 'y-range': '-1 3' });
    el.fn = rosenbrock;
    await painted(el, hasField);
    // plot area is 480 - 58 - 16 = 406 wide, 320 - 14 - 44 = 262 high; (1, 1) is the minimum
    const at = (x: number, y: number) => pixelAt(el.canvas!, 58 + ((x + 2) / 4) * 406, 14 + ((3 - y) / 4) * 262);
    const valley = at(1, 1);
    const wall = at(-1.95, -0.95); // about 0.9 of the way up a linear scale
    const lum = (c: number[]) => 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
    expect(lum(valley)).to.be.lessThan(lum(wall));
    expect(wall[0]).to.be.greaterThan(150); // the yellow-green end of viridis
    expect(wall[1]).to.be.greaterThan(180);
    expect(valley[2]).to.be.greaterThan(valley[1]!); // the blue-purple end
  });

  it('takes an engine fn of two Reals and draws the path and current point', async () => {
    const bowl = fn([Real, Real], Real, (x, y) => add(mul(x, x), mul(y, y)));
    const el = create('rose-plot', { kind: 'contour' });
    el.fn = bowl;
    el.path = [[-1.5, 1.5], [-0.5, 0.5], [0, 0]];
    await painted(el, hasField);
    expect(el.description).to.contain('A path of 3 points is drawn');
    expect(el.description).to.contain('Current point: x = 0, y = 0');
    // the path colour is on the canvas at the start point
    const [r, g, b] = pixelAt(el.canvas!, 58 + ((-1.5 + 2) / 4) * 406 + 4.5, 14 + ((2 - 1.5) / 4) * 262);
    expect(r! > 200 && g! < 120 && b! < 140).to.equal(true, `start ring is not rose: ${r} ${g} ${b}`);
  });

  it('fires rose-pick with data coordinates: start, move, end', async () => {
    const el = await painted(create('rose-plot', { kind: 'contour', expression: 'x^2 + y^2', 'x-range': '0 4', 'y-range': '0 2' }), hasField);
    const log = record(el, ['rose-pick']);
    const frame = el.shadowRoot!.querySelector('[part=frame]')!;
    const box = frame.getBoundingClientRect();
    const fire = (type: string, x: number, y: number) =>
      frame.dispatchEvent(new PointerEvent(type, { clientX: box.left + x, clientY: box.top + y, button: 0, pointerId: 1, bubbles: true }));
    fire('pointerdown', 58 + 406 / 4, 14 + 262 / 2); // x = 1, y = 1
    fire('pointermove', 58 + 406 / 2, 14 + 262); // x = 2, y = 0
    fire('pointerup', 58 + 406 * 2, 14); // outside: clamped to the area, x = 4, y = 2
    const details = log.map((e) => e.detail as { x: number; y: number; phase: string });
    expect(details.map((d) => d.phase)).to.deep.equal(['start', 'move', 'end']);
    expect(details[0]!.x).to.be.closeTo(1, 1e-9);
    expect(details[0]!.y).to.be.closeTo(1, 1e-9);
    expect(details[1]!.x).to.be.closeTo(2, 1e-9);
    expect(details[1]!.y).to.be.closeTo(0, 1e-9);
    expect(details[2]).to.deep.include({ x: 4, y: 2 });
    fire('pointerdown', 5, 5); // in the margin: no pick
    expect(log).to.have.length(3);
  });

  it('follows a model source given by `for`, even one that appears later', async () => {
    const el = create('rose-plot', { kind: 'contour', for: 'opt' });
    mount(el);
    await frames(2);
    expect(el.controller.source.source).to.equal(undefined);
    const state = new ModelState();
    const opt = Object.assign(document.createElement('div'), { id: 'opt', modelSource: state });
    state.setModel({ parameters: ['a', 'b'], objective: rosenbrock, expression: 'rosenbrock', x: [-1.2, 1], bounds: [{ min: -2, max: 2 }, { min: -1, max: 3 }] });
    const drawn = new Promise<void>((resolve) => el.addEventListener('rose-render', () => hasField(el) && resolve()));
    document.body.append(opt);
    await drawn;
    expect(el.controller.source.source).to.equal(state);
    expect(el.description).to.contain('Contour plot of rosenbrock over a from −2 to 2 and b from −1 to 3');
    const stepped = nextEvent(el, 'rose-render', () => el.description.includes('A path of 3 points'));
    state.record([-1, 1], 4);
    state.record([-0.9, 0.8], 3.6);
    await stepped;
    expect(el.description).to.contain('Current point: a = −0.9, b = 0.8, value 3.6');
  });

  it('slices a model of three parameters along x-param and y-param', async () => {
    const f = fn([Vec(3, Real)], Real, ([a, b, c]) => add(mul(a, a), add(mul(2, mul(b, b)), mul(3, mul(c, c)))));
    const state = new ModelState();
    state.setModel({ parameters: ['a', 'b', 'c'], objective: f, x: [0.5, 1, -0.5], bounds: [{}, {}, { min: -1, max: 1 }] });
    const el = create('rose-plot', { kind: 'contour', 'x-param': 'c', 'y-param': 'a', 'y-range': '-3 3' });
    el.source = state;
    await painted(el, hasField);
    expect(el.description).to.contain('over c from −1 to 1 and a from −3 to 3');
    // the slice holds b = 1, so the smallest value is 2 (at a = c = 0)
    expect(el.description).to.match(/Smallest value on the grid: 2\.0\d* at c = −?0(\.0\d*)?, a = −?0(\.\d*)?\./);
    expect(el.description).to.contain('Current point: c = −0.5, a = 0.5');
    const error = nextEvent(el, 'rose-error');
    el.setAttribute('y-param', 'q');
    const detail = await error;
    expect(detail.code).to.equal('unknown-name');
    expect(detail.message).to.contain('invalid y-param="q"');
    expect(detail.message).to.contain('Name one of a, b, c');
    const curve = create('rose-plot', { kind: 'curve', 'x-param': 'b' });
    curve.source = state;
    await painted(curve, (e) => e.description.includes('slope'));
    // along b at a = 0.5, c = -0.5: value 0.25 + 2 + 0.75 = 3, slope 4b = 4
    expect(curve.description).to.contain('At b = 1 the value is 3 and the slope of the tangent is 4.');
  });

  it('waits for the definition of a custom element named by `for`', async () => {
    const tag = `test-optimizer-${Math.floor(Math.random() * 1e9)}`;
    const holder = document.createElement('div');
    holder.innerHTML = `<${tag} id="late"></${tag}><rose-plot kind="loss" for="late"></rose-plot>`;
    document.body.append(holder);
    const el = holder.querySelector('rose-plot')!;
    await frames(2);
    expect(el.controller.source.source).to.equal(undefined);
    const state = new ModelState();
    state.setModel({ parameters: ['x'], x: [1], loss: 5 });
    customElements.define(tag, class extends HTMLElement {
      readonly modelSource = state;
    });
    await nextEvent(el, 'rose-render', () => el.controller.source.source === state);
    expect(el.description).to.contain('last loss 5');
  });
});

describe('<rose-plot> other kinds', () => {
  afterEach(() => document.body.replaceChildren());

  it('curve: draws the function and the tangent from valueAndGrad at the point', async () => {
    const el = create('rose-plot', { kind: 'curve', expression: 'x^3 - x', 'x-range': '-2 2', point: '0.5' });
    await painted(el, (e) => e.description.includes('slope'));
    // f(0.5) = -0.375, f'(0.5) = 3 * 0.25 - 1 = -0.25
    expect(el.description).to.contain('At x = 0.5 the value is −0.375 and the slope of the tangent is −0.25.');
    expect(inkOf(el.canvas!).painted).to.be.greaterThan(500);
    const moved = nextEvent(el, 'rose-render', () => el.description.includes('At x = 1 '));
    el.point = [1];
    await moved;
    expect(el.description).to.contain('the slope of the tangent is 2.');
  });

  it('loss: log scale, with zeros and negatives left out and said so', async () => {
    const el = create('rose-plot', { kind: 'loss' });
    el.loss = [100, 10, 1, 0, 0.01, -3, 1e-4, NaN];
    await painted(el);
    expect(el.description).to.contain('8 iterations');
    expect(el.description).to.contain('3 values that are zero, negative or not finite cannot be shown');
    const labels = [...el.shadowRoot!.querySelectorAll('svg text')].map((t) => t.textContent);
    expect(labels).to.include('loss');
    expect(labels.some((l) => l?.startsWith('10'))).to.equal(true);
    expect(inkOf(el.canvas!).painted).to.be.greaterThan(100);
  });

  it('loss: all values non-positive falls back to a linear scale', async () => {
    const el = create('rose-plot', { kind: 'loss' });
    el.loss = [0, -1, -2];
    await painted(el);
    expect(inkOf(el.canvas!).painted).to.be.greaterThan(50);
    expect(el.error).to.equal(undefined);
  });

  it('trace: one line per parameter, with a legend named by params', async () => {
    const el = create('rose-plot', { kind: 'trace', params: 'a b c' });
    el.path = [[0, 1, 2], [0.5, 1, 1.5], [1, 1, 1]];
    await painted(el);
    const legend = [...el.shadowRoot!.querySelectorAll('[part=legend] li')].map((li) => li.textContent);
    expect(legend).to.deep.equal(['a', 'b', 'c']);
    expect(el.description).to.contain('Latest: a = 1, b = 1, c = 1.');
    expect(inkOf(el.canvas!).colors).to.be.greaterThan(3);
  });
});

describe('<rose-plot> sizing, errors and removal', () => {
  afterEach(() => document.body.replaceChildren());

  it('follows its CSS size and the device pixel ratio', async () => {
    const el = await painted(create('rose-plot', { kind: 'loss' }));
    expect([el.canvas!.width, el.canvas!.height]).to.deep.equal([480 * devicePixelRatio, 320 * devicePixelRatio]);
    const resized = nextEvent(el, 'rose-render');
    el.style.width = '300px';
    el.style.height = '200px';
    await resized;
    expect([el.canvas!.width, el.canvas!.height]).to.deep.equal([300 * devicePixelRatio, 200 * devicePixelRatio]);
  });

  it('draws sharp pixels at devicePixelRatio 2', async () => {
    const original = Object.getOwnPropertyDescriptor(window, 'devicePixelRatio')!;
    Object.defineProperty(window, 'devicePixelRatio', { configurable: true, get: () => 2 });
    try {
      const el = await painted(create('rose-plot', { kind: 'contour', expression: 'x*y' }), hasField, 'width: 200px; height: 150px');
      expect([el.canvas!.width, el.canvas!.height]).to.deep.equal([400, 300]);
      expect(el.canvas!.getBoundingClientRect().width).to.equal(200);
    } finally {
      Object.defineProperty(window, 'devicePixelRatio', original);
    }
  });

  const badAttributes: [Record<string, string>, string, string][] = [
    [{ kind: 'pie' }, 'invalid-value', 'invalid kind="pie"'],
    [{ kind: 'contour', 'x-range': '2 -2' }, 'invalid-value', 'invalid x-range="2 -2"'],
    [{ kind: 'contour', 'y-range': 'a b' }, 'invalid-value', 'invalid y-range="a b"'],
    [{ kind: 'contour', levels: '0' }, 'invalid-value', 'invalid levels="0"'],
    [{ kind: 'contour', expression: '(1-x)^2 +' }, 'syntax', 'line 1'],
    [{ kind: 'contour', expression: 'x + q', params: 'x y' }, 'unknown-name', 'q'],
  ];
  for (const [attributes, code, text] of badAttributes) {
    it(`shows ${code} for ${JSON.stringify(attributes)} inside the element`, async () => {
      const el = create('rose-plot', attributes);
      const error = nextEvent(el, 'rose-error');
      mount(el);
      const detail = await error;
      expect(detail.code).to.equal(code);
      expect(detail.message).to.contain(text);
      await el.updateComplete;
      const box = el.shadowRoot!.querySelector('[part=error]')!;
      expect(box.getAttribute('role')).to.equal('alert');
      expect(box.textContent).to.contain(detail.message);
    });
  }

  it('recovers when a bad attribute is fixed', async () => {
    const el = create('rose-plot', { kind: 'pie' });
    mount(el);
    await el.updateComplete;
    expect(el.error?.code).to.equal('invalid-value');
    const drawn = nextEvent(el, 'rose-render');
    el.setAttribute('kind', 'loss');
    await drawn;
    expect(el.error).to.equal(undefined);
    expect(el.shadowRoot!.querySelector('[part=error]')).to.equal(null);
  });

  it('reports a fn of the wrong type', async () => {
    const el = create('rose-plot', { kind: 'contour' });
    el.fn = fn([Real], Vec(2, Real), (x) => [x, x]) as never;
    const error = nextEvent(el, 'rose-error');
    mount(el);
    const detail = await error;
    expect(detail.code).to.equal('type-mismatch');
    expect(detail.message).to.contain('must return a Real');
  });

  it('redraws at most once per frame however many updates arrive', async () => {
    const state = new ModelState();
    state.setModel({ parameters: ['x'], x: [0], loss: 1 });
    const el = create('rose-plot', { kind: 'loss' });
    el.source = state;
    await painted(el);
    const before = el.controller.scheduler.frames;
    for (let k = 1; k <= 50; k++) state.record([k], 1 / k);
    await frames(2);
    expect(el.controller.scheduler.frames - before).to.equal(1);
    expect(el.description).to.contain('51 iterations');
  });

  it('releases observers, frames and its source when removed', async () => {
    const state = new ModelState();
    state.setModel({ parameters: ['x', 'y'], objective: rosenbrock, x: [0, 0] });
    const el = create('rose-plot', { kind: 'contour' });
    el.source = state;
    await painted(el, hasField);
    const c = el.controller;
    expect(c.size.observing).to.equal(true);
    expect(c.source.active).to.equal(true);
    state.record([0.1, 0.1], 1); // requests a frame...
    el.remove(); // ...that removal cancels
    expect(c.scheduler.pending).to.equal(false);
    expect(c.size.observing).to.equal(false);
    expect(c.source.active).to.equal(false);
    const frames0 = c.scheduler.frames;
    state.record([0.2, 0.2], 1);
    await frames(3);
    expect(c.scheduler.frames).to.equal(frames0);
    // back on the page, it follows again
    const drawn = nextEvent(el, 'rose-render');
    mount(el);
    await drawn;
    expect(c.source.active).to.equal(true);
  });
});
