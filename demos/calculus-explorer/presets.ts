/**
 * @file The explorer's preset functions: each with the window it is best seen in, a starting
 * point that shows something (a saddle, a ridge, a valley), and whether its contour levels are
 * logarithmic.
 */

/** A preset function of x and y. */
export interface Preset {
  readonly id: string;
  readonly name: string;
  readonly text: string;
  /** `[x0, x1, y0, y1]`. */
  readonly box: readonly [number, number, number, number];
  readonly start: readonly [number, number];
  readonly log: boolean;
}

/** The presets, in the order of their buttons. */
export const PRESETS: readonly Preset[] = [
  {
    id: 'rosenbrock',
    name: 'Rosenbrock',
    text: '(1 - x)^2 + 100*(y - x^2)^2',
    box: [-2, 2, -1, 3],
    start: [-1.2, 1],
    log: true,
  },
  {
    id: 'himmelblau',
    name: 'Himmelblau',
    text: '(x^2 + y - 11)^2 + (x + y^2 - 7)^2',
    box: [-5, 5, -5, 5],
    start: [-0.9, -0.1],
    log: true,
  },
  { id: 'saddle', name: 'Saddle', text: 'x^2 - y^2', box: [-2, 2, -2, 2], start: [0.9, 0.6], log: false },
  {
    id: 'egg-crate',
    name: 'sin · cos',
    text: 'sin(x)*cos(y)',
    box: [-4, 4, -4, 4],
    start: [0.8, 0.9],
    log: false,
  },
  {
    id: 'monkey',
    name: 'Monkey saddle',
    text: 'x^3 - 3*x*y^2',
    box: [-1.5, 1.5, -1.5, 1.5],
    start: [0.6, 0.5],
    log: false,
  },
  {
    id: 'peaks',
    name: 'Peaks',
    text: '3*(1 - x)^2*exp(-x^2 - (y + 1)^2)\n  - 10*(x/5 - x^3 - y^5)*exp(-x^2 - y^2)\n  - exp(-(x + 1)^2 - y^2)/3',
    box: [-3, 3, -3, 3],
    start: [0.3, 0.2],
    log: false,
  },
];
