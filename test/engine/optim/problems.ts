/**
 * @file Test problems with known solutions, as engine functions: Rosenbrock (any n), Beale,
 * Himmelblau, a convex quadratic, Hock-Schittkowski 6, 7 and 71, and a circle-packing layout.
 * Shared by the optimizer tests and bench/optim.bench.ts.
 */
import {
  Real,
  Vec,
  add,
  fn,
  iadd,
  ilt,
  imod,
  log,
  select,
  mul,
  sub,
  sum,
  type Fn,
} from '../../../engine/index.ts';
import type { Constraint } from '../../../engine/optim/problem.ts';

type R = Real;
const sq = (a: R): R => mul(a, a);

/** The Rosenbrock chain in n dimensions; minimum 0 at (1, ..., 1). */
export function rosenbrock(n: number): Fn {
  return fn([Vec(n, Real)], Real, (x) =>
    sum(n, (i) => {
      const j = imod(n, iadd(n, i, 1)); // i + 1, wrapped to 0 for the last i (masked below)
      const a = x[i]!;
      const term = add(sq(sub(1, a)), mul(100, sq(sub(x[j]!, mul(a, a)))));
      return select(ilt(n, i, n - 1), Real, term, 0);
    }),
  );
}

/** The usual start of Rosenbrock: (-1.2, 1, -1.2, 1, ...). */
export function rosenbrockStart(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
}

/** Beale's function; minimum 0 at (3, 0.5). */
export const beale: Fn = fn([Vec(2, Real)], Real, ([x, y]) => {
  const t1 = sub(1.5, sub(x!, mul(x!, y!)));
  const t2 = sub(2.25, sub(x!, mul(x!, mul(y!, y!))));
  const t3 = sub(2.625, sub(x!, mul(x!, mul(y!, mul(y!, y!)))));
  return add(sq(t1), add(sq(t2), sq(t3)));
});

/** Himmelblau's function; minimum 0 at four points. */
export const himmelblau: Fn = fn([Vec(2, Real)], Real, ([x, y]) =>
  add(sq(sub(add(mul(x!, x!), y!), 11)), sq(sub(add(x!, mul(y!, y!)), 7))),
);
export const HIMMELBLAU_MINIMA: readonly (readonly [number, number])[] = [
  [3, 2],
  [-2.805118, 3.131312],
  [-3.77931, -3.283186],
  [3.584428, -1.848126],
];

/** A convex quadratic 0.5 x'Ax - b'x with A = tridiag(-1, 4, -1) (n x n); solution A^-1 b. */
export function quadratic(n: number, b: (i: number) => number): Fn {
  return fn([Vec(n, Real)], Real, (x) => {
    let total: R = 0;
    for (let i = 0; i < n; i++) {
      let ax: R = mul(4, x[i]!);
      if (i > 0) ax = sub(ax, x[i - 1]!);
      if (i + 1 < n) ax = sub(ax, x[i + 1]!);
      total = add(total, sub(mul(0.5, mul(x[i]!, ax)), mul(b(i), x[i]!)));
    }
    return total;
  });
}

/** A constrained test problem with its solution. */
export interface ConstrainedProblem {
  readonly name: string;
  readonly f: Fn;
  readonly constraints: readonly Constraint[];
  readonly x0: readonly number[];
  readonly bounds?: readonly (readonly [number, number])[];
  readonly xStar: readonly number[];
  readonly fStar: number;
}

/** HS6: min (1 - x1)^2 s.t. 10 (x2 - x1^2) = 0; x* = (1, 1), f* = 0. */
export const HS6: ConstrainedProblem = {
  name: 'HS6',
  f: fn([Vec(2, Real)], Real, ([x1]) => sq(sub(1, x1!))),
  constraints: [{ type: 'eq', fn: fn([Vec(2, Real)], Real, ([x1, x2]) => mul(10, sub(x2!, mul(x1!, x1!)))) }],
  x0: [-1.2, 1],
  xStar: [1, 1],
  fStar: 0,
};

/** HS7: min log(1 + x1^2) - x2 s.t. (1 + x1^2)^2 + x2^2 - 4 = 0; x* = (0, sqrt 3), f* = -sqrt 3. */
export const HS7: ConstrainedProblem = {
  name: 'HS7',
  f: fn([Vec(2, Real)], Real, ([x1, x2]) => sub(log(add(1, mul(x1!, x1!))), x2!)),
  constraints: [
    {
      type: 'eq',
      fn: fn([Vec(2, Real)], Real, ([x1, x2]) => sub(add(sq(add(1, mul(x1!, x1!))), mul(x2!, x2!)), 4)),
    },
  ],
  x0: [2, 2],
  xStar: [0, Math.sqrt(3)],
  fStar: -Math.sqrt(3),
};

/**
 * HS71: min x1 x4 (x1 + x2 + x3) + x3 s.t. x1 x2 x3 x4 >= 25, sum x_i^2 = 40, 1 <= x_i <= 5;
 * x* = (1, 4.7429996, 3.8211500, 1.3794083), f* = 17.0140173.
 */
export const HS71: ConstrainedProblem = {
  name: 'HS71',
  f: fn([Vec(4, Real)], Real, ([a, b, c, d]) => add(mul(mul(a!, d!), add(a!, add(b!, c!))), c!)),
  constraints: [
    { type: 'ineq', fn: fn([Vec(4, Real)], Real, ([a, b, c, d]) => sub(25, mul(mul(a!, b!), mul(c!, d!)))) },
    {
      type: 'eq',
      fn: fn([Vec(4, Real)], Real, ([a, b, c, d]) => sub(add(add(mul(a!, a!), mul(b!, b!)), add(mul(c!, c!), mul(d!, d!))), 40)),
    },
  ],
  x0: [1, 5, 5, 1],
  bounds: [
    [1, 5],
    [1, 5],
    [1, 5],
    [1, 5],
  ],
  xStar: [1, 4.742999637, 3.821149984, 1.379408293],
  fStar: 17.0140172891,
};

/** Radii of the circle-packing layout. */
export const RADII: readonly number[] = [1, 0.8, 0.6, 0.9, 0.5, 0.7, 0.4, 1.1];

/** The index pairs (i < j) of `k` circles. */
export function pairs(k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) out.push([i, j]);
  return out;
}

/**
 * Circle packing: k circles (centers x = [x0, y0, x1, y1, ...]) pulled toward the origin
 * (sum r_i^2 |p_i|^2), subject to no overlap: (r_i + r_j)^2 - |p_i - p_j|^2 <= 0 for each pair,
 * one vector-valued constraint. Starts with the circles overlapping on a small grid.
 */
export function circlePacking(k: number): ConstrainedProblem {
  const r = RADII.slice(0, k);
  const all = pairs(k);
  const f = fn([Vec(2 * k, Real)], Real, (x) => {
    let total: R = 0;
    for (let i = 0; i < k; i++) total = add(total, mul(r[i]! * r[i]!, add(sq(x[2 * i]!), sq(x[2 * i + 1]!))));
    return total;
  });
  const overlap = fn([Vec(2 * k, Real)], Vec(all.length, Real), (x) =>
    all.map(([i, j]) => {
      const dx = sub(x[2 * i]!, x[2 * j]!);
      const dy = sub(x[2 * i + 1]!, x[2 * j + 1]!);
      return sub((r[i]! + r[j]!) ** 2, add(sq(dx), sq(dy)));
    }),
  );
  const x0 = Array.from({ length: 2 * k }, (_, t) => 0.3 * ((t >> 1) % 3) + (t % 2) * 0.25 * (t >> 2));
  return { name: `circles-${k}`, f, constraints: [{ type: 'ineq', fn: overlap }], x0, xStar: [], fStar: NaN };
}

/** Return the largest overlap (r_i + r_j - |p_i - p_j|, positive when overlapping) of a layout. */
export function largestOverlap(x: ArrayLike<number>, k: number): number {
  let worst = -Infinity;
  for (const [i, j] of pairs(k)) {
    const d = Math.hypot(x[2 * i]! - x[2 * j]!, x[2 * i + 1]! - x[2 * j + 1]!);
    worst = Math.max(worst, RADII[i]! + RADII[j]! - d);
  }
  return worst;
}
