/**
 * @file The workloads written with Rose Kit, the way a user would write them: each one a `fn` of
 * one flat parameter vector returning a Real. `bench/rose-workloads.ts` is the same code for
 * rose@0.4.10, line for line where the two APIs agree (they share names and semantics); the
 * differences are Rose Kit's built-in math (`sin`, `cos`, `tanh`) where Rose needs `opaque`
 * functions with custom JVPs, and `cond` where Rose needs `select` (the layout's pair penalty).
 * Each builder traces when called, so timing a call times the trace.
 */
import {
  Real,
  Vec,
  add,
  cond,
  cos,
  div,
  fn,
  gt,
  iadd,
  ilt,
  imod,
  lt,
  mul,
  select,
  sin,
  sqrt,
  sub,
  sum,
  tanh,
  type Fn,
} from '../engine/index.ts';
import { CHAIN, MLP, PAIRWISE, ROSENBROCK, SPRING, type WorkloadId } from './workloads.ts';

/** A Rose Kit scalar: a symbolic Real or a JS number (a constant). */
type R = Real;

/** Return `max(0, x)^2`: written with `select` so it reads the same as the Rose version. */
const hinge2 = (x: R): R => {
  const h = select(gt(x, 0), Real, x, 0);
  return mul(h, h);
};

// ---------------------------------------------------------------------------------------------
// 1. Pairwise layout energy

/**
 * The overlap penalty of circles i and j: `reach` is r_i + r_j + margin. Rose has only `select`,
 * which computes and differentiates both sides; here `cond` runs the penalty, and its gradient,
 * only for the pairs that overlap (as the hand-written code's `if` does).
 */
const pairPenalty = (xi: R, yi: R, xj: R, yj: R, reach: R): R => {
  const dx = sub(xi, xj);
  const dy = sub(yi, yj);
  const d2 = add(mul(dx, dx), mul(dy, dy));
  return cond(lt(d2, mul(reach, reach)), Real, () => {
    const overlap = sub(reach, sqrt(d2));
    return mul(overlap, overlap);
  }, () => 0);
};

/** The boundary penalty of one coordinate `c` of a circle of radius `r`: both sides of the box. */
const wallPenalty = (c: R, r: number): R =>
  add(hinge2(sub(r, c)), hinge2(sub(add(c, r), PAIRWISE.box)));

/** Layout energy of the centers `[x0, y0, x1, y1, ...]`; with `calls`, the pair term is a `fn`. */
function pairwise(calls: boolean): Fn {
  const { n, radii, margin } = PAIRWISE;
  // (a) one reusable function, called for every pair; (b) the same body inlined at trace time.
  const pair = calls ? fn([Real, Real, Real, Real, Real], Real, pairPenalty) : pairPenalty;
  return fn([Vec(2 * n, Real)], Real, (p) => {
    let e: R = 0;
    for (let i = 0; i < n; i++) {
      const [xi, yi, ri] = [p[2 * i]!, p[2 * i + 1]!, radii[i]!];
      for (let j = i + 1; j < n; j++)
        e = add(e, pair(xi, yi, p[2 * j]!, p[2 * j + 1]!, ri + radii[j]! + margin));
      e = add(e, add(wallPenalty(xi, ri), wallPenalty(yi, ri)));
    }
    return e;
  });
}

// ---------------------------------------------------------------------------------------------
// 2. Mass-spring chain

/** A vector of reals while tracing: a JS array, or a symbolic vector. */
type Indexable = Vec<R> | readonly R[];

/** The chain's state: positions and velocities of every mass. */
interface State {
  readonly px: Indexable;
  readonly py: Indexable;
  readonly vx: Indexable;
  readonly vy: Indexable;
}

/** Advance the chain by one semi-implicit Euler step (forces, then velocities, then positions). */
function stepBody(s: State, rest: Indexable): { px: R[]; py: R[]; vx: R[]; vy: R[] } {
  const { masses: m, dt, stiffness: k, gravity } = SPRING;
  const fx: R[] = Array.from({ length: m }, () => 0);
  const fy: R[] = Array.from({ length: m }, () => 0);
  for (let i = 0; i < m; i++) {
    // Spring i joins mass i - 1 (the anchor at the origin for i = 0) to mass i.
    const dx = i > 0 ? sub(s.px[i]!, s.px[i - 1]!) : s.px[i]!;
    const dy = i > 0 ? sub(s.py[i]!, s.py[i - 1]!) : s.py[i]!;
    const len = sqrt(add(mul(dx, dx), mul(dy, dy)));
    const f = div(mul(k, sub(len, rest[i]!)), len); // tension per unit of displacement
    fx[i] = sub(fx[i]!, mul(f, dx));
    fy[i] = sub(fy[i]!, mul(f, dy));
    if (i > 0) {
      fx[i - 1] = add(fx[i - 1]!, mul(f, dx));
      fy[i - 1] = add(fy[i - 1]!, mul(f, dy));
    }
  }
  const each = (g: (i: number) => R) => Array.from({ length: m }, (_, i) => g(i));
  const vx = each((i) => add(s.vx[i]!, mul(dt, fx[i]!)));
  const vy = each((i) => add(s.vy[i]!, mul(dt, add(fy[i]!, gravity))));
  const px = each((i) => add(s.px[i]!, mul(dt, vx[i]!)));
  const py = each((i) => add(s.py[i]!, mul(dt, vy[i]!)));
  return { px, py, vx, vy };
}

/** Loss of the rest lengths after 100 steps; with `calls`, `step` is a `fn` called each time. */
function spring(calls: boolean): Fn {
  const { masses: m, steps, x0, y0, targetX, targetY } = SPRING;
  const S = Vec(m, Real);
  const StateType = { px: S, py: S, vx: S, vy: S };
  // (a) a step function called 100 times; (b) its body inlined 100 times at trace time.
  const step: (s: State, rest: Indexable) => State = calls
    ? fn([StateType, S], StateType, stepBody)
    : stepBody;
  return fn([S], Real, (rest) => {
    const zeros = Array.from({ length: m }, () => 0);
    let s: State = { px: x0, py: y0, vx: zeros, vy: zeros };
    for (let t = 0; t < steps; t++) s = step(s, rest);
    let loss: R = 0;
    for (let i = 0; i < m; i++) {
      const ex = sub(s.px[i]!, targetX[i]!);
      const ey = sub(s.py[i]!, targetY[i]!);
      loss = add(loss, add(mul(ex, ex), mul(ey, ey)));
    }
    return loss;
  });
}

// ---------------------------------------------------------------------------------------------
// 3. Rosenbrock

/** Chained Rosenbrock over N variables as one `sum` over the index type (one loop in the IR). */
function rosenbrockVec(): Fn {
  const N = ROSENBROCK.n;
  return fn([Vec(N, Real)], Real, (x) =>
    sum(N, (i) => {
      const j = imod(N, iadd(N, i, 1)); // i + 1, wrapped to 0 for the last i (masked below)
      const a = sub(x[j]!, mul(x[i]!, x[i]!));
      const b = sub(1, x[i]!);
      return select(ilt(N, i, N - 1), Real, add(mul(100, mul(a, a)), mul(b, b)), 0);
    }),
  );
}

/** The same function with its 999 terms inlined at trace time. */
function rosenbrockUnrolled(): Fn {
  const N = ROSENBROCK.n;
  return fn([Vec(N, Real)], Real, (x) => {
    let f: R = 0;
    for (let i = 0; i + 1 < N; i++) {
      const a = sub(x[i + 1]!, mul(x[i]!, x[i]!));
      const b = sub(1, x[i]!);
      f = add(f, add(mul(100, mul(a, a)), mul(b, b)));
    }
    return f;
  });
}

// ---------------------------------------------------------------------------------------------
// 4. MLP

/** The network's output at input (x0, x1): layers unrolled in JS over literal weight indices. */
function network(w: { readonly [k: number]: R }, x0: R, x1: R): R {
  let h: R[] = [x0, x1];
  for (const l of MLP.layers) {
    const next: R[] = [];
    for (let j = 0; j < l.outputs; j++) {
      let z: R = w[l.biases + j]!;
      for (let k = 0; k < l.inputs; k++) z = add(z, mul(w[l.weights + j * l.inputs + k]!, h[k]!));
      next.push(l.tanh ? tanh(z) : z);
    }
    h = next;
  }
  return h[0]!;
}

/** Mean squared error of the network over the data set: one `sum` over the 64 points. */
function mlp(): Fn {
  const { params, points, xs, ys } = MLP;
  const Data = [Vec(points, Vec(2, Real)), Vec(points, Real)] as const;
  const loss = fn([Vec(params, Real), ...Data], Real, (w, x, y) => {
    const squaredErrors = sum(points, (p) => {
      const e = sub(network(w, x[p]![0]!, x[p]![1]!), y[p]!);
      return mul(e, e);
    });
    return div(squaredErrors, points);
  });
  // The objective closes over the data: a function of the weights alone.
  return fn([Vec(params, Real)], Real, (w) => loss(w, xs, ys));
}

// ---------------------------------------------------------------------------------------------
// 5. Long chain

/** 15000 rounds of a few math operations on an accumulator: about 120k IR operations. */
function chain(): Fn {
  const { width, rounds } = CHAIN;
  return fn([Vec(width, Real)], Real, (v) => {
    let acc: R = v[0]!;
    for (let r = 0; r < rounds; r++) {
      const a = add(mul(acc, 0.5), sin(v[r % width]!));
      acc = tanh(sub(a, mul(cos(a), 0.25)));
    }
    return acc;
  });
}

// ---------------------------------------------------------------------------------------------

/** Trace the objective of each workload (a `fn` of one `Vec(n, Real)` returning a Real). */
export const ROSE_KIT_WORKLOADS: { [W in WorkloadId]: () => Fn } = {
  'pairwise-calls': () => pairwise(true),
  'pairwise-unrolled': () => pairwise(false),
  'spring-calls': () => spring(true),
  'spring-unrolled': () => spring(false),
  'rosenbrock-vec': rosenbrockVec,
  'rosenbrock-unrolled': rosenbrockUnrolled,
  mlp,
  chain,
};
