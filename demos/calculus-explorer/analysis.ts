/**
 * @file The mathematics of the calculus explorer: a function of x and y compiled once (value and
 * gradient in place in wasm memory, Hessian into a reused buffer), its local picture at a point
 * (value, gradient, Hessian, eigenvalues, the shape of the quadratic model, the Newton step), the
 * quadratic model as an `Fn` whose coefficients are parameters (so moving the point never
 * recompiles it), and Newton's method to the nearest critical point.
 */
import {
  compile,
  compileValueAndGrad,
  hessian,
  lowerObjective,
  type CompiledValueAndGrad,
  type ExpressionFn,
} from '../../engine/index.ts';

/** The parameter names of explorer functions. */
const PARAMS = ['x', 'y'] as const;

/** A function of x and y, traced and compiled. */
export interface CompiledFunction {
  readonly text: string;
  /** The traced function of one `Vec(2, Real)` (what the plots sample). */
  readonly fn: ExpressionFn;
  readonly valueAndGrad: CompiledValueAndGrad;
  /** Write the Hessian at `[x, y]` row-major into `out` (length 4). */
  readonly hessianInto: (out: Float64Array, x: readonly number[]) => Float64Array;
}

/** Parse `text` (throws `ExpressionError`, synchronously) and compile it (in the worker). */
export function compileFunction(text: string): { fn: ExpressionFn; ready: Promise<CompiledFunction> } {
  const fn = lowerObjective(text, PARAMS, { label: 'f' });
  const ready = Promise.all([compileValueAndGrad(fn), compile(hessian(fn))]).then(([valueAndGrad, h]) => ({
    text,
    fn,
    valueAndGrad,
    hessianInto: (out: Float64Array, x: readonly number[]) => h.into(out, x as [number, number]),
  }));
  return { fn, ready };
}

/** The shape of a quadratic model, from the signs of the Hessian's eigenvalues. */
export type Shape = 'minimum' | 'maximum' | 'saddle' | 'degenerate' | 'undefined';

/** What the explorer shows about a point. */
export interface LocalPicture {
  readonly x: number;
  readonly y: number;
  readonly value: number;
  readonly gradient: readonly [number, number];
  readonly gradientNorm: number;
  /** Row-major `[hxx, hxy, hyx, hyy]`. */
  readonly hessian: readonly [number, number, number, number];
  /** Eigenvalues of the Hessian, smaller first. */
  readonly eigenvalues: readonly [number, number];
  /** Unit eigenvector of the smaller eigenvalue. */
  readonly eigenvector: readonly [number, number];
  readonly shape: Shape;
  /** True when the gradient vanishes to rounding: the shape names a critical point. */
  readonly critical: boolean;
  /** `-H^-1 g`, the step to the stationary point of the quadratic model (undefined if H is singular). */
  readonly newtonStep: readonly [number, number] | undefined;
}

/** Return the local picture of `f` at `(x, y)`; `scratch` (length 4) receives the Hessian. */
export function analyse(f: CompiledFunction, x: number, y: number, scratch = new Float64Array(4)): LocalPicture {
  const vg = f.valueAndGrad;
  const at = vg.x;
  at[0] = x;
  at[1] = y;
  const value = vg.evaluate();
  const g = vg.gradient;
  const gradient = [g[0]!, g[1]!] as const;
  const h = f.hessianInto(scratch, [x, y]);
  const hxx = h[0]!;
  const hxy = 0.5 * (h[1]! + h[2]!);
  const hyy = h[3]!;
  const { eigenvalues, eigenvector } = symmetricEigen(hxx, hxy, hyy);
  const gradientNorm = Math.hypot(gradient[0], gradient[1]);
  const scale = Math.max(1, Math.abs(value), Math.abs(eigenvalues[0]), Math.abs(eigenvalues[1]));
  return {
    x,
    y,
    value,
    gradient,
    gradientNorm,
    hessian: [hxx, h[1]!, h[2]!, hyy],
    eigenvalues,
    eigenvector,
    shape: shapeOf(eigenvalues, scale),
    critical: gradientNorm <= 1e-10 * scale,
    newtonStep: solve2(hxx, hxy, hyy, -gradient[0], -gradient[1]),
  };
}

/** Return the eigenvalues (ascending) and the first unit eigenvector of `[[a, b], [b, d]]`. */
function symmetricEigen(a: number, b: number, d: number) {
  const mean = 0.5 * (a + d);
  const radius = Math.hypot(0.5 * (a - d), b);
  const eigenvalues = [mean - radius, mean + radius] as const;
  // (b, lambda - a) and (lambda - d, b) are eigenvectors; use the longer for accuracy
  const l = eigenvalues[0];
  const u = [b, l - a] as const;
  const v = [l - d, b] as const;
  const w = Math.hypot(...u) >= Math.hypot(...v) ? u : v;
  const n = Math.hypot(w[0], w[1]);
  const eigenvector = (n > 0 ? [w[0] / n, w[1] / n] : [1, 0]) as readonly [number, number];
  return { eigenvalues, eigenvector };
}

/** Return the shape named by the eigenvalues' signs; `scale` sets what counts as zero. */
function shapeOf(eigenvalues: readonly [number, number], scale: number): Shape {
  const [lo, hi] = eigenvalues;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'undefined';
  const zero = 1e-9 * scale;
  if (Math.abs(lo) <= zero || Math.abs(hi) <= zero) return 'degenerate';
  if (lo > 0) return 'minimum';
  if (hi < 0) return 'maximum';
  return 'saddle';
}

/** Solve `[[a, b], [b, d]] s = (r0, r1)`; undefined when the matrix is (numerically) singular. */
function solve2(a: number, b: number, d: number, r0: number, r1: number): [number, number] | undefined {
  const det = a * d - b * b;
  const size = Math.max(Math.abs(a), Math.abs(b), Math.abs(d));
  if (!Number.isFinite(det) || Math.abs(det) <= 1e-12 * size * size || size === 0) return undefined;
  return [(d * r0 - b * r1) / det, (a * r1 - b * r0) / det];
}

/** How a Newton search ended. */
export interface NewtonResult {
  readonly x: number;
  readonly y: number;
  readonly converged: boolean;
  readonly iterations: number;
  /** The iterates, the start first. */
  readonly path: readonly (readonly [number, number])[];
}

/**
 * Run Newton's method for a critical point from `(x, y)`, which converges to a nearby minimum,
 * maximum or saddle alike: first plain steps `-H^-1 g` (fast, and allowed to leave the box
 * `[x0, x1] x [y0, y1]` on the way, as on Rosenbrock's valley); if they do not end inside the
 * box, steps halved until the gradient's norm shrinks, staying inside.
 */
export function newton(f: CompiledFunction, x: number, y: number, box: readonly number[]): NewtonResult {
  const [x0, x1, y0, y1] = box as [number, number, number, number];
  const inBox = (p: LocalPicture) => p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1;
  const plain = newtonSteps(f, x, y, [2 * x0 - x1, 2 * x1 - x0, 2 * y0 - y1, 2 * y1 - y0], false);
  if (plain.converged && inBox(analyse(f, plain.x, plain.y))) return plain;
  return newtonSteps(f, x, y, box, true);
}

/** Newton steps inside `box`; `damped` halves a step until the gradient's norm shrinks. */
function newtonSteps(f: CompiledFunction, x: number, y: number, box: readonly number[], damped: boolean): NewtonResult {
  const scratch = new Float64Array(4);
  const inside = (u: number, v: number) => u >= box[0]! && u <= box[1]! && v >= box[2]! && v <= box[3]!;
  let p = analyse(f, x, y, scratch);
  const path: [number, number][] = [[x, y]];
  for (let k = 0; k < 100; k++) {
    if (p.critical) return { x: p.x, y: p.y, converged: true, iterations: k, path };
    const s = p.newtonStep;
    if (!s || !Number.isFinite(s[0]) || !Number.isFinite(s[1])) break;
    let next: LocalPicture | undefined;
    for (let t = 1; t >= 1 / 1024 && !next; t /= 2) {
      const u = p.x + t * s[0];
      const v = p.y + t * s[1];
      if (!inside(u, v)) continue;
      const q = analyse(f, u, v, scratch);
      if (!damped || q.gradientNorm < (1 - 1e-4 * t) * p.gradientNorm) next = q;
      if (!damped) break;
    }
    if (!next) break;
    const moved = Math.hypot(next.x - p.x, next.y - p.y);
    p = next;
    path.push([p.x, p.y]);
    if (moved <= 1e-15 * Math.max(1, Math.hypot(p.x, p.y)))
      return { x: p.x, y: p.y, converged: true, iterations: k + 1, path };
  }
  return { x: p.x, y: p.y, converged: p.critical, iterations: path.length - 1, path };
}

/**
 * The quadratic model `q(x, y) = f0 + g.d + 1/2 d^T H d` with `d = (x - x0, y - y0)`, as a function
 * of one vector: the point, then its coefficients (`quadraticArguments`). A plot varies the first
 * two entries and takes the rest from its `point`, so the model is compiled once.
 */
export function quadraticModel(): ExpressionFn {
  return lowerObjective(
    'f0 + gx*(x - x0) + gy*(y - y0) + 0.5*(hxx*(x - x0)^2 + 2*hxy*(x - x0)*(y - y0) + hyy*(y - y0)^2)',
    ['x', 'y', 'x0', 'y0', 'f0', 'gx', 'gy', 'hxx', 'hxy', 'hyy'],
    { label: 'the quadratic model' },
  );
}

/** Return the arguments of `quadraticModel()` for the model at `p` (the point first). */
export function quadraticArguments(p: LocalPicture): number[] {
  const [hxx, hxy, , hyy] = p.hessian;
  return [p.x, p.y, p.x, p.y, p.value, p.gradient[0], p.gradient[1], hxx, hxy, hyy];
}

/** Return whether contour levels of `f` over the box should be logarithmic (a positive function with a deep valley). */
export function prefersLogLevels(f: CompiledFunction, box: readonly number[]): boolean {
  const vg = f.valueAndGrad;
  const values: number[] = [];
  const n = 24;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      vg.x[0] = box[0]! + ((box[1]! - box[0]!) * i) / (n - 1);
      vg.x[1] = box[2]! + ((box[3]! - box[2]!) * j) / (n - 1);
      const v = vg.evaluate();
      if (Number.isFinite(v)) values.push(v);
    }
  if (values.length < 10) return false;
  values.sort((a, b) => a - b);
  const min = values[0]!;
  const low = values[Math.floor(values.length / 10)]!;
  const max = values[values.length - 1]!;
  return min >= 0 && low - min < (max - min) / 25;
}
