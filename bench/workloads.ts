/**
 * @file The benchmark's workloads: their names, sizes and inputs, shared by every system so that
 * each one computes the same function at the same point. Every workload is a real-valued function
 * of one flat parameter vector (its gradient has the same length); everything else (radii,
 * targets, training data) is a constant baked into the program when it is traced.
 * Inputs come from a seeded generator, so every process and every run sees the same numbers.
 */

/** The workloads, in the order the tables print them. */
export const WORKLOADS = [
  'pairwise-calls',
  'pairwise-unrolled',
  'spring-calls',
  'spring-unrolled',
  'rosenbrock-vec',
  'rosenbrock-unrolled',
  'mlp',
  'chain',
] as const;

/** A workload's name. */
export type WorkloadId = (typeof WORKLOADS)[number];

/** One line per workload for the tables. */
export const DESCRIPTIONS: { [W in WorkloadId]: string } = {
  'pairwise-calls': 'layout energy, 60 circles: a pair `fn` called for each of 1770 pairs',
  'pairwise-unrolled': 'layout energy, 60 circles: every pair inlined at trace time',
  'spring-calls': 'mass-spring chain, 16 masses: a `step` fn called 100 times',
  'spring-unrolled': 'mass-spring chain, 16 masses: 100 steps inlined at trace time',
  'rosenbrock-vec': 'Rosenbrock, 1000 variables: `sum` over the index type',
  'rosenbrock-unrolled': 'Rosenbrock, 1000 variables: 999 terms inlined at trace time',
  mlp: '2-16-16-1 tanh MLP, mean squared error over 64 points',
  chain: 'long unrolled chain: 15000 x (mul, add, sin, cos, mul, sub, tanh)',
};

/** Check that `name` is a workload; return it typed. */
export function workloadId(name: string | undefined): WorkloadId {
  const w = WORKLOADS.find((id) => id === name);
  if (w === undefined) throw new Error(`unknown workload ${name}; expected one of ${WORKLOADS.join(', ')}`);
  return w;
}

/** Return a deterministic uniform generator on [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Return `n` numbers uniform in [lo, hi) from `rand`. */
function uniform(rand: () => number, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

// ---------------------------------------------------------------------------------------------
// 1. Pairwise layout energy (Penrose-like)

/**
 * 60 circles of fixed radii in a 20 x 20 box. Parameters: the centers, `[x0, y0, x1, y1, ...]`.
 * Energy: for each pair, `max(0, r_i + r_j + margin - dist)^2` (overlap), plus for each circle
 * and each side of the box, `max(0, how far it pokes out)^2`. Centers are random, so many pairs
 * overlap and both sides of each `max` are exercised.
 */
export const PAIRWISE = (() => {
  const rand = random(1);
  const n = 60;
  const box = 20;
  const radii = uniform(rand, n, 0.5, 1.5);
  const centers = uniform(rand, 2 * n, -0.5, box + 0.5);
  return { n, box, margin: 0.1, radii, centers };
})();

// ---------------------------------------------------------------------------------------------
// 2. Mass-spring chain

/**
 * A chain of 16 unit masses hanging from an anchor at the origin, spring `s` joining mass `s - 1`
 * (the anchor for s = 0) to mass `s`. Starting horizontal and at rest, it falls under gravity for
 * 100 semi-implicit Euler steps. Parameters: the 16 springs' rest lengths. Loss: the squared
 * distance of the final positions to fixed targets.
 */
export const SPRING = (() => {
  const rand = random(2);
  const masses = 16;
  const x0 = Array.from({ length: masses }, (_, i) => i + 1);
  const y0 = Array.from({ length: masses }, () => 0);
  const targetX = Array.from({ length: masses }, (_, i) => 0.3 * (i + 1));
  const targetY = Array.from({ length: masses }, (_, i) => -0.6 * (i + 1));
  return {
    masses,
    steps: 100,
    dt: 0.01,
    stiffness: 50,
    gravity: -9.8,
    x0,
    y0,
    targetX,
    targetY,
    rest: uniform(rand, masses, 0.8, 1.2),
  };
})();

// ---------------------------------------------------------------------------------------------
// 3. Rosenbrock

/** The chained Rosenbrock function over 1000 variables, at a random point near its valley. */
export const ROSENBROCK = (() => {
  const rand = random(3);
  const n = 1000;
  return { n, x: uniform(rand, n, -1.2, 1.2) };
})();

// ---------------------------------------------------------------------------------------------
// 4. MLP

/** Layer sizes of the network: 2 inputs, two hidden tanh layers of 16, one linear output. */
const LAYERS = [2, 16, 16, 1] as const;

/** Where one layer's weights live in the flat parameter vector. */
export interface LayerSlice {
  /** Inputs and outputs of the layer. */
  readonly inputs: number;
  readonly outputs: number;
  /** Offset of the weight matrix, row-major `[outputs][inputs]`: `w[j][k]` at `weights + j * inputs + k`. */
  readonly weights: number;
  /** Offset of the `outputs` biases. */
  readonly biases: number;
  /** Does a tanh follow (hidden layers) or not (the output layer)? */
  readonly tanh: boolean;
}

/**
 * A 2-16-16-1 tanh network fitted by mean squared error to 64 points sampled from
 * `sin(2 x0) * cos(x1)`. Parameters: all 337 weights and biases, layer after layer, each
 * layer's row-major weight matrix followed by its biases.
 */
export const MLP = (() => {
  const rand = random(4);
  const layers: LayerSlice[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < LAYERS.length; l++) {
    const inputs = LAYERS[l]!;
    const outputs = LAYERS[l + 1]!;
    layers.push({ inputs, outputs, weights: offset, biases: offset + inputs * outputs, tanh: l + 2 < LAYERS.length });
    offset += inputs * outputs + outputs;
  }
  const points = 64;
  const xs = Array.from({ length: points }, () => uniform(rand, 2, -2, 2));
  const ys = xs.map(([a, b]) => Math.sin(2 * a!) * Math.cos(b!));
  const params = uniform(rand, offset, -0.5, 0.5);
  return { layers, params: offset, points, xs, ys, w: params };
})();

// ---------------------------------------------------------------------------------------------
// 5. A long unrolled chain

/**
 * A straight-line program like the engine scaling bench's: 15000 rounds of
 * `acc = tanh((acc * 0.5 + sin(x)) - cos(acc * 0.5 + sin(x)) * 0.25)`, `x` cycling through the
 * 8 parameters. About 120k IR operations once traced.
 */
export const CHAIN = { width: 8, rounds: 15_000, v: Array.from({ length: 8 }, (_, i) => 0.1 * (i + 1)) };

// ---------------------------------------------------------------------------------------------

/** Return the point every system evaluates the workload at (its flat parameter vector). */
export function inputOf(w: WorkloadId): number[] {
  switch (w) {
    case 'pairwise-calls':
    case 'pairwise-unrolled':
      return [...PAIRWISE.centers];
    case 'spring-calls':
    case 'spring-unrolled':
      return [...SPRING.rest];
    case 'rosenbrock-vec':
    case 'rosenbrock-unrolled':
      return [...ROSENBROCK.x];
    case 'mlp':
      return [...MLP.w];
    case 'chain':
      return [...CHAIN.v];
  }
}
