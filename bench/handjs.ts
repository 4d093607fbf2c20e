/**
 * @file Hand-written plain JS: each workload's primal, and its gradient by reverse mode written
 * out by hand (a forward sweep that keeps what the backward sweep needs, then the adjoints in
 * reverse order). This is the practical speed limit the other systems are measured against, and
 * the reference their gradients are checked against; it checks itself against central finite
 * differences. `node --import ./scripts/ts-register.mjs bench/handjs.ts <workload>`
 */
import { main, stopwatch, time, toNumbers, type Measured } from './harness.ts';
import { CHAIN, MLP, PAIRWISE, SPRING, inputOf, type WorkloadId } from './workloads.ts';

/** A workload by hand: `primal(x)`, and `gradient(x, g)` that writes dx into `g` and returns f(x). */
interface Hand {
  readonly primal: (x: Float64Array) => number;
  readonly gradient: (x: Float64Array, g: Float64Array) => number;
}

// ---------------------------------------------------------------------------------------------
// 1. Pairwise layout energy

const pairwise: Hand = (() => {
  const { n, box, margin, radii } = PAIRWISE;
  const r = Float64Array.from(radii);
  /** Add the energy of `x`; with `g`, also add its gradient into `g`. */
  const energy = (x: Float64Array, g: Float64Array | null): number => {
    let e = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = x[2 * i]! - x[2 * j]!;
        const dy = x[2 * i + 1]! - x[2 * j + 1]!;
        const dist = Math.sqrt(dx * dx + dy * dy);
        const overlap = r[i]! + r[j]! + margin - dist;
        if (overlap <= 0) continue;
        e += overlap * overlap;
        if (g === null) continue;
        // d(overlap^2) = -2 overlap d(dist), d(dist) = (dx d(dx) + dy d(dy)) / dist
        const s = (-2 * overlap) / dist;
        g[2 * i]! += s * dx;
        g[2 * i + 1]! += s * dy;
        g[2 * j]! -= s * dx;
        g[2 * j + 1]! -= s * dy;
      }
    }
    for (let k = 0; k < 2 * n; k++) {
      const rk = r[k >> 1]!;
      const lo = rk - x[k]!; // pokes out below 0
      const hi = x[k]! + rk - box; // pokes out above the box
      if (lo > 0) {
        e += lo * lo;
        if (g !== null) g[k]! -= 2 * lo;
      }
      if (hi > 0) {
        e += hi * hi;
        if (g !== null) g[k]! += 2 * hi;
      }
    }
    return e;
  };
  return {
    primal: (x) => energy(x, null),
    gradient: (x, g) => {
      g.fill(0);
      return energy(x, g);
    },
  };
})();

// ---------------------------------------------------------------------------------------------
// 2. Mass-spring chain

const spring: Hand = (() => {
  const { masses: m, steps, dt, stiffness: k, gravity, x0, y0, targetX, targetY } = SPRING;
  // The state after every step: positions and velocities (the tape of the backward sweep).
  const px = new Float64Array((steps + 1) * m);
  const py = new Float64Array((steps + 1) * m);
  const fx = new Float64Array(m);
  const fy = new Float64Array(m);
  /** Step the state at `t` (offset t * m) with rest lengths `rest`, writing the state at t + 1. */
  const step = (t: number, vx: Float64Array, vy: Float64Array, rest: Float64Array) => {
    const o = t * m;
    fx.fill(0);
    fy.fill(0);
    for (let s = 0; s < m; s++) {
      const dx = px[o + s]! - (s > 0 ? px[o + s - 1]! : 0);
      const dy = py[o + s]! - (s > 0 ? py[o + s - 1]! : 0);
      const len = Math.sqrt(dx * dx + dy * dy);
      const f = (k * (len - rest[s]!)) / len;
      fx[s]! -= f * dx;
      fy[s]! -= f * dy;
      if (s > 0) {
        fx[s - 1]! += f * dx;
        fy[s - 1]! += f * dy;
      }
    }
    for (let i = 0; i < m; i++) {
      vx[i]! += dt * fx[i]!;
      vy[i]! += dt * (fy[i]! + gravity);
      px[o + m + i] = px[o + i]! + dt * vx[i]!;
      py[o + m + i] = py[o + i]! + dt * vy[i]!;
    }
  };
  const vx = new Float64Array(m);
  const vy = new Float64Array(m);
  /** Run all steps from the initial state; return the loss. */
  const forward = (rest: Float64Array): number => {
    px.set(x0);
    py.set(y0);
    vx.fill(0);
    vy.fill(0);
    for (let t = 0; t < steps; t++) step(t, vx, vy, rest);
    let loss = 0;
    for (let i = 0; i < m; i++) {
      const ex = px[steps * m + i]! - targetX[i]!;
      const ey = py[steps * m + i]! - targetY[i]!;
      loss += ex * ex + ey * ey;
    }
    return loss;
  };
  // Adjoints of the positions and velocities, and of the forces.
  const bx = new Float64Array(m);
  const by = new Float64Array(m);
  const bvx = new Float64Array(m);
  const bvy = new Float64Array(m);
  const bfx = new Float64Array(m);
  const bfy = new Float64Array(m);
  /** Add the adjoint of step `t`: from the adjoints of the state at t + 1 to those at t. */
  const backStep = (t: number, rest: Float64Array, g: Float64Array) => {
    const o = t * m;
    for (let i = 0; i < m; i++) {
      // p' = p + dt v', v' = v + dt F  =>  bar v' += dt bar p', bar F = dt bar v'
      bvx[i]! += dt * bx[i]!;
      bvy[i]! += dt * by[i]!;
      bfx[i] = dt * bvx[i]!;
      bfy[i] = dt * bvy[i]!;
    }
    for (let s = 0; s < m; s++) {
      const dx = px[o + s]! - (s > 0 ? px[o + s - 1]! : 0);
      const dy = py[o + s]! - (s > 0 ? py[o + s - 1]! : 0);
      const len = Math.sqrt(dx * dx + dy * dy);
      const f = (k * (len - rest[s]!)) / len;
      // The spring pulls mass s by -f (dx, dy) and mass s - 1 by +f (dx, dy).
      const gx = (s > 0 ? bfx[s - 1]! : 0) - bfx[s]!;
      const gy = (s > 0 ? bfy[s - 1]! : 0) - bfy[s]!;
      // f = k (1 - rest / len): df = k rest / len^2 d(len) - k / len d(rest)
      const bf = gx * dx + gy * dy;
      g[s]! -= (bf * k) / len;
      const blen = (bf * k * rest[s]!) / (len * len);
      // d(len) = (dx d(dx) + dy d(dy)) / len
      const bdx = gx * f + (blen * dx) / len;
      const bdy = gy * f + (blen * dy) / len;
      bx[s]! += bdx;
      by[s]! += bdy;
      if (s > 0) {
        bx[s - 1]! -= bdx;
        by[s - 1]! -= bdy;
      }
    }
  };
  return {
    primal: forward,
    gradient: (rest, g) => {
      const loss = forward(rest);
      for (let i = 0; i < m; i++) {
        bx[i] = 2 * (px[steps * m + i]! - targetX[i]!);
        by[i] = 2 * (py[steps * m + i]! - targetY[i]!);
      }
      bvx.fill(0);
      bvy.fill(0);
      g.fill(0);
      for (let t = steps - 1; t >= 0; t--) backStep(t, rest, g);
      return loss;
    },
  };
})();

// ---------------------------------------------------------------------------------------------
// 3. Rosenbrock

const rosenbrock: Hand = {
  primal: (x) => {
    let f = 0;
    for (let i = 0; i + 1 < x.length; i++) {
      const a = x[i + 1]! - x[i]! * x[i]!;
      const b = 1 - x[i]!;
      f += 100 * a * a + b * b;
    }
    return f;
  },
  gradient: (x, g) => {
    g.fill(0);
    let f = 0;
    for (let i = 0; i + 1 < x.length; i++) {
      const a = x[i + 1]! - x[i]! * x[i]!;
      const b = 1 - x[i]!;
      f += 100 * a * a + b * b;
      // d(100 a^2 + b^2) = 200 a (dx[i+1] - 2 x[i] dx[i]) - 2 b dx[i]
      g[i]! += -400 * a * x[i]! - 2 * b;
      g[i + 1]! += 200 * a;
    }
    return f;
  },
};

// ---------------------------------------------------------------------------------------------
// 4. MLP

const mlp: Hand = (() => {
  const { layers, points, xs, ys } = MLP;
  const inputs = Float64Array.from(xs.flat());
  const L = layers.length;
  // Activations of every layer for one point (acts[0] = the input), and their adjoints.
  const acts = [2, ...layers.map((l) => l.outputs)].map((size) => new Float64Array(size));
  const bars = acts.map((a) => new Float64Array(a.length));
  /** out = act(W h + b) for the layer whose weights start at `wo` and biases at `bo`. */
  const dense = (w: Float64Array, wo: number, bo: number, h: Float64Array, out: Float64Array, act: boolean) => {
    const n = h.length;
    for (let j = 0; j < out.length; j++) {
      const row = wo + j * n;
      let z = w[bo + j]!;
      for (let k = 0; k < n; k++) z += w[row + k]! * h[k]!;
      out[j] = act ? Math.tanh(z) : z;
    }
  };
  /** Add the layer's weight and bias adjoints into `g` and write its input adjoint `bh`. */
  const denseBack = (
    w: Float64Array,
    g: Float64Array,
    wo: number,
    bo: number,
    h: Float64Array,
    out: Float64Array,
    act: boolean,
    bout: Float64Array,
    bh: Float64Array,
  ) => {
    const n = h.length;
    bh.fill(0);
    for (let j = 0; j < out.length; j++) {
      // d(tanh z) = (1 - tanh(z)^2) dz
      const bz = act ? bout[j]! * (1 - out[j]! * out[j]!) : bout[j]!;
      // z = W h + b: bar b += bar z, bar W += bar z h^T, bar h += W^T bar z
      g[bo + j]! += bz;
      const row = wo + j * n;
      for (let k = 0; k < n; k++) {
        g[row + k]! += bz * h[k]!;
        bh[k]! += bz * w[row + k]!;
      }
    }
  };
  /** Run the network on point `p`; leave the activations in `acts`; return the output. */
  const forward = (w: Float64Array, p: number): number => {
    acts[0]![0] = inputs[2 * p]!;
    acts[0]![1] = inputs[2 * p + 1]!;
    for (let l = 0; l < L; l++) {
      const { weights, biases, tanh } = layers[l]!;
      dense(w, weights, biases, acts[l]!, acts[l + 1]!, tanh);
    }
    return acts[L]![0]!;
  };
  /** Add the gradient of `scale * output` at the activations in `acts` into `g`. */
  const backward = (w: Float64Array, g: Float64Array, scale: number) => {
    bars[L]![0] = scale;
    for (let l = L - 1; l >= 0; l--) {
      const { weights, biases, tanh } = layers[l]!;
      denseBack(w, g, weights, biases, acts[l]!, acts[l + 1]!, tanh, bars[l + 1]!, bars[l]!);
    }
  };
  return {
    primal: (w) => {
      let loss = 0;
      for (let p = 0; p < points; p++) {
        const e = forward(w, p) - ys[p]!;
        loss += e * e;
      }
      return loss / points;
    },
    gradient: (w, g) => {
      g.fill(0);
      let loss = 0;
      for (let p = 0; p < points; p++) {
        const e = forward(w, p) - ys[p]!;
        loss += e * e;
        backward(w, g, (2 * e) / points);
      }
      return loss / points;
    },
  };
})();

// ---------------------------------------------------------------------------------------------
// 5. Long chain

const chain: Hand = (() => {
  const { width, rounds } = CHAIN;
  // Per round: acc after `acc * 0.5 + sin(x)` and after the tanh (the backward sweep's tape).
  const mids = new Float64Array(rounds);
  const outs = new Float64Array(rounds);
  return {
    primal: (v) => {
      let acc = v[0]!;
      for (let r = 0; r < rounds; r++) {
        const a = acc * 0.5 + Math.sin(v[r % width]!);
        acc = Math.tanh(a - Math.cos(a) * 0.25);
      }
      return acc;
    },
    gradient: (v, g) => {
      let acc = v[0]!;
      for (let r = 0; r < rounds; r++) {
        const a = acc * 0.5 + Math.sin(v[r % width]!);
        mids[r] = a;
        outs[r] = acc = Math.tanh(a - Math.cos(a) * 0.25);
      }
      g.fill(0);
      let bar = 1;
      for (let r = rounds - 1; r >= 0; r--) {
        // d(tanh u) = (1 - tanh^2) du; d(a - cos(a) / 4) = (1 + sin(a) / 4) da
        const ba = bar * (1 - outs[r]! * outs[r]!) * (1 + Math.sin(mids[r]!) * 0.25);
        g[r % width]! += ba * Math.cos(v[r % width]!);
        bar = ba * 0.5;
      }
      g[0]! += bar;
      return acc;
    },
  };
})();

// ---------------------------------------------------------------------------------------------

/** The hand-written code of each workload (the calls/unrolled variants compute the same thing). */
const HAND: { [W in WorkloadId]: Hand } = {
  'pairwise-calls': pairwise,
  'pairwise-unrolled': pairwise,
  'spring-calls': spring,
  'spring-unrolled': spring,
  'rosenbrock-vec': rosenbrock,
  'rosenbrock-unrolled': rosenbrock,
  mlp,
  chain,
};

/** Return the largest gap between `g` and central differences of `f` (relative to max |g|). */
function finiteDifferenceError(f: (x: Float64Array) => number, x: Float64Array, g: Float64Array): number {
  const scale = Math.max(...g.map(Math.abs), 1e-12);
  const picks = [...new Set([0, 1, x.length >> 1, x.length - 2, x.length - 1])].filter((i) => i >= 0);
  let worst = 0;
  for (const i of picks) {
    const h = 1e-6 * Math.max(1, Math.abs(x[i]!));
    const xp = Float64Array.from(x);
    const xm = Float64Array.from(x);
    xp[i]! += h;
    xm[i]! -= h;
    worst = Math.max(worst, Math.abs((f(xp) - f(xm)) / (2 * h) - g[i]!) / scale);
  }
  return worst;
}

/** Measure the hand-written primal and gradient of `w`. */
function run(w: WorkloadId): Measured {
  const { primal, gradient } = HAND[w];
  const x = Float64Array.from(inputOf(w));
  const g = new Float64Array(x.length);
  const first = stopwatch(() => gradient(x, g));
  const fd = finiteDifferenceError(primal, x, g);
  const value = first.result;
  const gradientCopy = toNumbers(g);
  return {
    setupMs: first.ms,
    grad: time(() => gradient(x, g)),
    primal: time(() => primal(x)),
    value,
    gradient: gradientCopy,
    notes: [`setup is the first (cold) gradient call; finite-difference check of the hand gradient: ${fd.toExponential(1)}`],
  };
}

void main('hand JS', run);
