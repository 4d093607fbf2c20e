/**
 * @file The plot gallery: `<rose-plot>` and `<rose-param>` on their own. Rosenbrock is minimised
 * live by a few lines of gradient descent with momentum (compiled value and gradient), feeding a
 * `ModelState` that three plots follow; Himmelblau shows a path recomputed from the picked start;
 * the curve's tangent follows a slider; the loss and trace plots show synthetic data.
 */
import '../../components/index.ts';
import { ModelState } from '../../components/index.ts';
import { compileValueAndGradSync, lowerObjective, type CompiledValueAndGrad } from '../../engine/index.ts';

const ROSENBROCK = '(1-x)^2 + 100*(y-x^2)^2';
const HIMMELBLAU = '(x^2 + y - 11)^2 + (x + y^2 - 7)^2';

/** Return the element with id `id`, typed by its tag. */
function byId<K extends keyof HTMLElementTagNameMap>(id: string, _tag: K): HTMLElementTagNameMap[K] {
  return document.getElementById(id) as HTMLElementTagNameMap[K];
}

/** Run gradient descent with momentum from `start`; return the iterates and their values. */
function descend(h: CompiledValueAndGrad, start: readonly number[], rate: number, steps: number) {
  const path: number[][] = [];
  const losses: number[] = [];
  const velocity = [0, 0];
  const x = [...start];
  for (let k = 0; k <= steps; k++) {
    h.x.set(x);
    const value = h.evaluate();
    path.push([...x]);
    losses.push(value);
    if (!Number.isFinite(value) || value < 1e-14) break;
    const g = h.gradient;
    for (let i = 0; i < 2; i++) {
      velocity[i] = 0.9 * velocity[i]! - rate * g[i]!;
      x[i]! += velocity[i]!;
    }
  }
  return { path, losses };
}

// --- Rosenbrock: a live run that three plots follow through one ModelState --------------------

const rosenbrock = compileValueAndGradSync(lowerObjective(ROSENBROCK, ['x', 'y']));
const state = new ModelState();
let run = descend(rosenbrock, [-1.2, 1], 1.5e-4, 1500);
let shown = 0;

/** Start the live run again from `start`. */
function restart(start: readonly number[]): void {
  run = descend(rosenbrock, start, 1.5e-4, 1500);
  shown = 0;
  state.setModel({ parameters: ['x', 'y'], expression: ROSENBROCK, x: run.path[0]!, loss: run.losses[0]! });
}

/** Reveal a few more iterates each frame, as an optimizer streaming its steps would. */
function animate(): void {
  const target = Math.min(run.path.length - 1, shown + 6);
  while (shown < target) {
    shown++;
    state.record(run.path[shown]!, run.losses[shown]!);
  }
  requestAnimationFrame(animate);
}

restart([-1.2, 1]);
for (const id of ['rosenbrock', 'rosenbrock-loss', 'rosenbrock-trace']) byId(id, 'rose-plot').source = state;
byId('rosenbrock', 'rose-plot').addEventListener('rose-pick', (e) => restart([e.detail.x, e.detail.y]));
byId('restart', 'button').addEventListener('click', () => restart([-1.2, 1]));
requestAnimationFrame(animate);

// --- Himmelblau: a path from the picked start ------------------------------------------------

const himmelblau = compileValueAndGradSync(lowerObjective(HIMMELBLAU, ['x', 'y']));
const himmelblauPlot = byId('himmelblau', 'rose-plot');
const showHimmelblau = (start: readonly number[]) => {
  himmelblauPlot.path = descend(himmelblau, start, 2e-3, 400).path;
};
showHimmelblau([-0.4, -4.2]);
himmelblauPlot.addEventListener('rose-pick', (e) => showHimmelblau([e.detail.x, e.detail.y]));

// --- A curve whose tangent follows a slider -------------------------------------------------

const curve = byId('curve', 'rose-plot');
const slider = byId('curve-x', 'rose-param');
const readout = byId('curve-readout', 'p');
const showTangent = (x: number) => {
  curve.point = [x];
  slider.value = x;
};
slider.addEventListener('rose-input', (e) => showTangent(e.detail.value));
curve.addEventListener('rose-pick', (e) => showTangent(Math.round(e.detail.x * 100) / 100));
curve.addEventListener('rose-render', () => {
  readout.textContent = /At x = .*$/.exec(curve.description)?.[0] ?? '';
});

// --- Synthetic loss and traces ---------------------------------------------------------------

const losses: number[] = [];
for (let k = 0; k < 120; k++) {
  const clean = 40 * 0.72 ** k;
  const noise = 1e-15 * (1 + Math.sin(k * 2.3) ** 2);
  losses.push(k === 70 || k === 95 ? 0 : clean + noise);
}
byId('synthetic-loss', 'rose-plot').loss = losses;

const targets = [1.5, -0.8, 0.4];
const trace: number[][] = [];
for (let k = 0; k < 80; k++)
  trace.push(targets.map((t, i) => t + (i - 1.2) * Math.exp(-k / (9 + 5 * i)) * Math.cos(k / (3 + i))));
byId('synthetic-trace', 'rose-plot').path = trace;
