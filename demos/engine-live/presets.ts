/**
 * @file The preset functions of the live engine demo, written with the engine API. Each preset
 * keeps its own source text for display: the page never evaluates user text (no `eval`).
 */
import { Real, add, cos, exp, fn, log, mul, sin, sqrt, sub, tanh } from '../../engine/index.ts';

/** One function of x to explore, with the x range to plot and its source for display. */
export interface Preset {
  readonly id: string;
  readonly label: string;
  readonly source: string;
  readonly range: readonly [number, number];
  readonly start: number;
  /** Trace the function (called once, lazily, when the preset is first shown). */
  readonly make: () => RealFn;
}

/** A traced function of one real returning a real. */
export type RealFn = ReturnType<typeof makeWave>;

/** Trace f(x) = x^2 sin x. */
function makeWave() {
  return fn([Real], Real, (x) => mul(mul(x, x), sin(x)));
}

// A tiny fixed network 1 -> 4 -> 1; the JS loop unrolls at trace time.
const W1 = [1.5, -2, 0.7, 3];
const B1 = [0.5, 1, -1, -2];
const W2 = [1, 0.8, -1.2, 0.5];

/** Trace a 1-4-1 tanh network with fixed weights. */
function makeMlp(): RealFn {
  return fn([Real], Real, (x) => {
    const unit = (i: number) => mul(tanh(add(mul(x, W1[i]!), B1[i]!)), W2[i]!);
    let y = add(unit(0), 0.1);
    for (let i = 1; i < W1.length; i++) y = add(y, unit(i));
    return y;
  });
}

/** Trace the Rosenbrock function on the slice y = 1: (1 - x)^2 + 100 (1 - x^2)^2. */
function makeRosenbrock(): RealFn {
  return fn([Real], Real, (x) => {
    const a = sub(1, x);
    const b = sub(1, mul(x, x));
    return add(mul(a, a), mul(100, mul(b, b)));
  });
}

/** Trace a Gaussian wave packet exp(-x^2 / 2) cos 4x. */
function makePacket(): RealFn {
  return fn([Real], Real, (x) => mul(exp(mul(-0.5, mul(x, x))), cos(mul(4, x))));
}

/** Trace softplus log(1 + e^x). */
function makeSoftplus(): RealFn {
  return fn([Real], Real, (x) => log(add(1, exp(x))));
}

/** Trace the pseudo-Huber loss sqrt(1 + x^2) - 1. */
function makeHuber(): RealFn {
  return fn([Real], Real, (x) => sub(sqrt(add(1, mul(x, x))), 1));
}

/** Every preset, in display order. */
export const PRESETS: readonly Preset[] = [
  {
    id: 'wave',
    label: 'x² sin x',
    source: `fn([Real], Real, (x) => mul(mul(x, x), sin(x)))`,
    range: [-7, 7],
    start: 2,
    make: makeWave,
  },
  {
    id: 'mlp',
    label: 'tanh network',
    source: `const W1 = [1.5, -2, 0.7, 3], B1 = [0.5, 1, -1, -2], W2 = [1, 0.8, -1.2, 0.5];
fn([Real], Real, (x) => {
  const unit = (i) => mul(tanh(add(mul(x, W1[i]), B1[i])), W2[i]);
  let y = add(unit(0), 0.1);
  for (let i = 1; i < 4; i++) y = add(y, unit(i));   // unrolled at trace time
  return y;
})`,
    range: [-3, 3],
    start: 0.3,
    make: makeMlp,
  },
  {
    id: 'rosenbrock',
    label: 'Rosenbrock, y = 1',
    source: `fn([Real], Real, (x) => {
  const a = sub(1, x), b = sub(1, mul(x, x));   // (1 - x)² + 100 (y - x²)², y = 1
  return add(mul(a, a), mul(100, mul(b, b)));
})`,
    range: [-1.5, 1.5],
    start: 0.6,
    make: makeRosenbrock,
  },
  {
    id: 'packet',
    label: 'wave packet',
    source: `fn([Real], Real, (x) => mul(exp(mul(-0.5, mul(x, x))), cos(mul(4, x))))`,
    range: [-4, 4],
    start: 0.5,
    make: makePacket,
  },
  {
    id: 'softplus',
    label: 'softplus',
    source: `fn([Real], Real, (x) => log(add(1, exp(x))))`,
    range: [-5, 5],
    start: 1,
    make: makeSoftplus,
  },
  {
    id: 'huber',
    label: 'pseudo-Huber',
    source: `fn([Real], Real, (x) => sub(sqrt(add(1, mul(x, x))), 1))`,
    range: [-4, 4],
    start: 1.5,
    make: makeHuber,
  },
];
