/** @file Shared element infrastructure without a DOM: the frame scheduler, model state, sampler. */
import { describe, expect, it } from 'vitest';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { FrameScheduler, type FrameClock } from '../../components/shared/frame-scheduler.ts';
import { ModelState, isModelSource, modelSourceOf } from '../../components/shared/model-source.ts';
import {
  asVectorObjective,
  gridSize,
  linspace,
  sampleCurve,
  sampleGrid,
  valueAndGradientAt,
} from '../../components/rose-plot/sampler.ts';
import { Real, Vec, add, fn, interp, mul, sub, Bool } from '../../engine/index.ts';
import { RoseError } from '../../engine/errors.ts';

/** A controller host that only records its controllers. */
function fakeHost(): ReactiveControllerHost & { controllers: ReactiveController[] } {
  const controllers: ReactiveController[] = [];
  return {
    controllers,
    addController: (c) => controllers.push(c),
    removeController: () => {},
    requestUpdate: () => {},
    updateComplete: Promise.resolve(true),
  };
}

/** A manual frame clock: `tick()` runs the callbacks requested so far. */
function manualClock(): FrameClock & { tick(): void; pending: Map<number, () => void> } {
  const pending = new Map<number, () => void>();
  let next = 1;
  return {
    pending,
    request: (cb) => (pending.set(next, () => cb(0)), next++),
    cancel: (h) => void pending.delete(h),
    tick() {
      const due = [...pending.values()];
      pending.clear();
      due.forEach((cb) => cb());
    },
  };
}

describe('FrameScheduler', () => {
  it('draws once per frame however often it is asked', () => {
    const host = fakeHost();
    const clock = manualClock();
    let draws = 0;
    const s = new FrameScheduler(host, () => draws++, clock);
    host.controllers.forEach((c) => c.hostConnected?.());
    for (let k = 0; k < 100; k++) s.schedule();
    expect(clock.pending.size).toBe(1);
    clock.tick();
    expect(draws).toBe(1);
    s.schedule();
    clock.tick();
    expect(draws).toBe(2);
    expect(s.frames).toBe(2);
  });

  it('cancels its frame when the host disconnects and ignores requests until reconnected', () => {
    const host = fakeHost();
    const clock = manualClock();
    let draws = 0;
    const s = new FrameScheduler(host, () => draws++, clock);
    s.schedule(); // not connected yet
    expect(s.pending).toBe(false);
    host.controllers.forEach((c) => c.hostConnected?.());
    s.schedule();
    host.controllers.forEach((c) => c.hostDisconnected?.());
    expect(clock.pending.size).toBe(0);
    expect(s.pending).toBe(false);
    s.schedule();
    clock.tick();
    expect(draws).toBe(0);
  });
});

describe('ModelState', () => {
  it('is a model source and fires model-change then steps', () => {
    const state = new ModelState();
    const seen: string[] = [];
    state.addEventListener('rose-model-change', () => seen.push('model'));
    state.addEventListener('rose-model-step', (e) => seen.push(`step ${(e as CustomEvent).detail.iteration}`));
    state.setModel({ parameters: ['x', 'y'], x: [-1.2, 1], loss: 24.2 });
    state.record([-1, 1], 4, 2);
    state.record([0.5, 0.3], 0.3);
    expect(seen).toEqual(['model', 'step 1', 'step 2']);
    expect(state.path).toEqual([[-1.2, 1], [-1, 1], [0.5, 0.3]]);
    expect(state.lossHistory).toEqual([24.2, 4, 0.3]);
    expect(state.bounds).toEqual([{}, {}]);
    state.setPoint([1, 1], 0);
    expect(state.path).toEqual([[1, 1]]);
    expect(isModelSource(state)).toBe(true);
    expect(isModelSource({ isRoseModelSource: true })).toBe(false);
    expect(modelSourceOf(undefined)).toBeUndefined();
  });
});

describe('sampler', () => {
  const rosen = fn([Vec(2, Real)], Real, ([x, y]) =>
    add(mul(sub(1, x), sub(1, x)), mul(100, mul(sub(y, mul(x, x)), sub(y, mul(x, x))))),
  );
  const twoReals = fn([Real, Real], Real, (x, y) => add(mul(x, x), mul(3, y)));

  it('fills a grid with the interpreter values, row-major', async () => {
    const xs = linspace(-2, 2, 5);
    const ys = linspace(-1, 3, 4);
    const values = await sampleGrid(asVectorObjective(rosen, 'test'), { ix: 0, iy: 1 }, xs, ys, new Float64Array(2));
    for (let j = 0; j < 4; j++)
      for (let i = 0; i < 5; i++)
        expect(values[j * 5 + i]).toBe(interp(rosen)([xs[i]!, ys[j]!]));
  });

  it('takes functions of n Reals and slices through the other parameters', async () => {
    const obj = asVectorObjective(twoReals, 'test');
    expect(obj.n).toBe(2);
    const xs = linspace(0, 2, 3);
    const curve = await sampleCurve(obj, { ix: 0 }, xs, Float64Array.from([0, 1]));
    expect(Array.from(curve)).toEqual([3, 4, 7]);
    const alongY = await sampleCurve(obj, { ix: 1 }, xs, Float64Array.from([2, 0]));
    expect(Array.from(alongY)).toEqual([4, 7, 10]);
    const { value, grad } = await valueAndGradientAt(obj, Float64Array.from([1, 5]));
    expect(value).toBe(16);
    expect(grad).toEqual([2, 3]);
  });

  it('refuses functions that are not Real-valued functions of reals', () => {
    const notReal = fn([Real], Bool, () => true);
    expect(() => asVectorObjective(notReal, 'test')).toThrowError(RoseError);
    try {
      asVectorObjective(notReal, '<rose-plot>');
    } catch (e) {
      expect((e as RoseError).code).toBe('type-mismatch');
      expect((e as RoseError).message).toContain('<rose-plot>');
    }
  });

  it('rounds grid sizes to multiples of 32 between 32 and 256', () => {
    expect(gridSize(10)).toBe(32);
    expect(gridSize(500)).toBe(192);
    expect(gridSize(5000)).toBe(256);
  });
});
