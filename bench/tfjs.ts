/**
 * @file TensorFlow.js (tfjs-core 4.22, cpu backend) on one workload, in the vectorized style
 * it is meant for: tensors of all circles, all masses, all variables, matrix products for the
 * MLP. Only the long chain is scalar by nature, one tensor op per operation. tfjs has no float64
 * dtype, so everything runs in float32 and its gradients agree with the others to ~1e-6, not
 * ~1e-15. There is nothing to unroll in tfjs: the runner reuses the (a) variant's numbers.
 *
 * Node's ESM loader cannot load tfjs-core's ESM build (extensionless imports) and its CommonJS
 * build has no gradients registered, so this file first bundles tfjs-core, its gradients and the
 * cpu backend with esbuild, as a web bundler would, and loads the bundle (not timed).
 * `node --import ./scripts/ts-register.mjs bench/tfjs.ts <workload>`
 */
import type * as TF from '@tensorflow/tfjs-core';
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { main, stopwatch, time, toNumbers, type Measured } from './harness.ts';
import { CHAIN, MLP, PAIRWISE, ROSENBROCK, SPRING, inputOf, type WorkloadId } from './workloads.ts';

type Tf = typeof TF;
type T = TF.Tensor;

/** Bundle tfjs-core + gradients + cpu backend into one CommonJS file; load it; select 'cpu'. */
async function loadTf(): Promise<Tf> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const outfile = `${root}node_modules/.cache/rose-kit-bench/tfjs.cjs`;
  await build({
    stdin: {
      contents: [
        "export * from '@tensorflow/tfjs-core';",
        "import '@tensorflow/tfjs-core/dist/register_all_gradients';",
        "import '@tensorflow/tfjs-backend-cpu';",
      ].join('\n'),
      resolveDir: root,
    },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'error',
  });
  const tf = createRequire(import.meta.url)(outfile) as Tf;
  await tf.setBackend('cpu');
  return tf;
}

// ---------------------------------------------------------------------------------------------
// The workloads: each returns the objective as a function of the parameter tensor.

/** Layout energy: all pairs at once as 60 x 60 matrices, the upper triangle kept. */
function pairwise(tf: Tf): (x: T) => T {
  const { n, box, margin, radii } = PAIRWISE;
  const r = tf.tensor1d(radii);
  const reach = tf.add(tf.add(tf.reshape(r, [n, 1]), tf.reshape(r, [1, n])), margin);
  const upper = tf.tensor2d(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j > i ? 1 : 0))));
  // The diagonal's distance is 0 and sqrt'(0) is infinite: add 1 there (the mask drops it).
  const eye = tf.eye(n);
  const rCol = tf.reshape(r, [n, 1]);
  return (x) => {
    const p = tf.reshape(x, [n, 2]);
    const diff = tf.sub(tf.expandDims(p, 1), tf.expandDims(p, 0));
    const dist = tf.sqrt(tf.add(tf.sum(tf.square(diff), 2), eye));
    const overlap = tf.relu(tf.sub(reach, dist));
    const pairs = tf.sum(tf.mul(upper, tf.square(overlap)));
    const lo = tf.relu(tf.sub(rCol, p));
    const hi = tf.relu(tf.sub(tf.add(p, rCol), box));
    return tf.add(pairs, tf.add(tf.sum(tf.square(lo)), tf.sum(tf.square(hi))));
  };
}

/** Mass-spring chain: each step on vectors of all masses (springs via shifted copies). */
function spring(tf: Tf): (rest: T) => T {
  const { masses: m, steps, dt, stiffness: k, gravity, x0, y0, targetX, targetY } = SPRING;
  const zero = tf.zeros([1]);
  /** Shift right by one, the anchor (0) entering first: the mass before each mass. */
  const before = (v: T) => tf.concat([zero, tf.slice(v, 0, m - 1)]);
  /** Shift left by one, 0 entering last: the next spring's pull on each mass. */
  const after = (v: T) => tf.concat([tf.slice(v, 1, m - 1), zero]);
  return (rest) => {
    let [px, py, vx, vy] = [tf.tensor1d(x0), tf.tensor1d(y0), tf.zeros([m]), tf.zeros([m])];
    for (let t = 0; t < steps; t++) {
      const dx = tf.sub(px, before(px));
      const dy = tf.sub(py, before(py));
      const len = tf.sqrt(tf.add(tf.square(dx), tf.square(dy)));
      const f = tf.div(tf.mul(k, tf.sub(len, rest)), len);
      const [fx, fy] = [tf.mul(f, dx), tf.mul(f, dy)];
      vx = tf.add(vx, tf.mul(dt, tf.sub(after(fx), fx)));
      vy = tf.add(vy, tf.mul(dt, tf.add(tf.sub(after(fy), fy), gravity)));
      px = tf.add(px, tf.mul(dt, vx));
      py = tf.add(py, tf.mul(dt, vy));
    }
    return tf.add(tf.sum(tf.square(tf.sub(px, targetX))), tf.sum(tf.square(tf.sub(py, targetY))));
  };
}

/** Rosenbrock: the 999 terms as two shifted slices. */
function rosenbrock(tf: Tf): (x: T) => T {
  const n = ROSENBROCK.n;
  return (x) => {
    const head = tf.slice(x, 0, n - 1);
    const a = tf.sub(tf.slice(x, 1, n - 1), tf.square(head));
    return tf.sum(tf.add(tf.mul(100, tf.square(a)), tf.square(tf.sub(1, head))));
  };
}

/** MLP: each layer one matrix product over all 64 points. */
function mlp(tf: Tf): (w: T) => T {
  const { layers, xs, ys } = MLP;
  const X = tf.tensor2d(xs);
  const Y = tf.tensor2d(ys, [ys.length, 1]);
  return (w) => {
    let h: T = X;
    for (const l of layers) {
      const W = tf.reshape(tf.slice(w, l.weights, l.inputs * l.outputs), [l.outputs, l.inputs]);
      const z = tf.add(tf.matMul(h, W, false, true), tf.slice(w, l.biases, l.outputs));
      h = l.tanh ? tf.tanh(z) : z;
    }
    return tf.mean(tf.square(tf.sub(h, Y)));
  };
}

/** The long chain, one scalar tensor op per operation (there is nothing to vectorize). */
function chain(tf: Tf): (v: T) => T {
  const { width, rounds } = CHAIN;
  return (v) => {
    const xs = tf.unstack(v);
    let acc = xs[0]!;
    for (let r = 0; r < rounds; r++) {
      const a = tf.add(tf.mul(acc, 0.5), tf.sin(xs[r % width]!));
      acc = tf.tanh(tf.sub(a, tf.mul(tf.cos(a), 0.25)));
    }
    return acc;
  };
}

/** The tfjs objective of each workload (the unrolled variants are the runner's business). */
const TF_WORKLOADS: { [W in WorkloadId]: (tf: Tf) => (x: T) => T } = {
  'pairwise-calls': pairwise,
  'pairwise-unrolled': pairwise,
  'spring-calls': spring,
  'spring-unrolled': spring,
  'rosenbrock-vec': rosenbrock,
  'rosenbrock-unrolled': rosenbrock,
  mlp,
  chain,
};

// ---------------------------------------------------------------------------------------------

/** Measure tfjs on `w`: every call takes a JS array and returns JS numbers, like the others. */
async function run(w: WorkloadId): Promise<Measured> {
  const tf = await loadTf();
  const x = inputOf(w);
  // Setup to first gradient: build the constants and the gradient function, call once.
  const setup = stopwatch(() => {
    const f = TF_WORKLOADS[w](tf);
    const vg = tf.valueAndGrad(f);
    const gradient = () =>
      tf.tidy(() => {
        const { value, grad } = vg(tf.tensor1d(x));
        return { value: value.dataSync()[0]!, grad: grad.dataSync() };
      });
    return { f, gradient, first: gradient() };
  });
  const { f, gradient, first } = setup.result;
  const budget = w === 'chain' ? 3000 : 1500;
  return {
    setupMs: setup.ms,
    grad: time(gradient, budget),
    primal: time(() => tf.tidy(() => f(tf.tensor1d(x)).dataSync()[0]!), budget),
    value: first.value,
    gradient: toNumbers(first.grad),
    notes: ['float32 (tfjs has no float64)'],
  };
}

void main('TensorFlow.js', run);
