/**
 * @file The optimizer race page: one lane per method (contour with its path, loss curve, numbers),
 * the problem switch, the restart button and the race clock; dragging on any contour moves the
 * common start and restarts the race. Each lane's state is reflected in its `data-state`
 * attribute (`running`, `converged`, `stopped`) for styles and tests.
 */
import '../../components/index.ts';
import type { RosePlot } from '../../components/index.ts';
import type { MethodName } from '../../engine/index.ts';
import { Race, PROBLEMS, type Problem, type Runner } from './race.ts';

/** Each lane's heading and the settings shown under it. */
const LANE_LABELS: Readonly<Record<MethodName, { name: string; settings: string }>> = {
  gd: { name: 'Gradient descent', settings: 'step 5×10⁻⁴, momentum 0.9' },
  adam: { name: 'Adam', settings: 'step 0.05, β₁ 0.9, β₂ 0.999' },
  lbfgs: { name: 'L-BFGS', settings: '10 pairs, Wolfe line search' },
};

/** Clone the lane template for `method` into the lanes row; return the lane's root. */
function buildLane(method: MethodName): HTMLElement {
  const template = document.getElementById('lane-template') as HTMLTemplateElement;
  const root = document.importNode(template.content.firstElementChild as HTMLElement, true);
  const { name, settings } = LANE_LABELS[method];
  const heading = root.querySelector('h2')!;
  heading.id = `${method}-title`;
  heading.append(name);
  root.dataset['method'] = method;
  root.setAttribute('aria-labelledby', heading.id);
  root.querySelector('[data-out="settings"]')!.textContent = settings;
  root.querySelector('rose-plot.contour')!.setAttribute('label', `Path of ${name}`);
  root.querySelector('rose-plot.loss')!.setAttribute('label', `Loss of ${name}`);
  document.getElementById('lanes')!.append(root);
  return root;
}

const race = new Race();
const lanes = race.runners.map((runner) => {
  const root = buildLane(runner.method);
  const contour = root.querySelector<RosePlot>('rose-plot.contour')!;
  const loss = root.querySelector<RosePlot>('rose-plot.loss')!;
  contour.source = runner.source;
  loss.source = runner.source;
  return { runner, root, contour };
});
const clock = document.getElementById('clock')!;
const objective = document.getElementById('objective')!;
let frame = 0;

/** Return `v` with 4 significant digits, exponent form when large or tiny, a real minus sign. */
function formatNumber(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  const a = Math.abs(v);
  const text = a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
  return text.replace(/-/g, '−');
}

/** Return the ordinal of a place in the ranking. */
function ordinal(place: number): string {
  return ['1st', '2nd', '3rd'][place] ?? `${place + 1}th`;
}

/** Write a lane's numbers and status. */
function showLane(root: HTMLElement, runner: Runner, place: number): void {
  const s = runner.state;
  const set = (name: string, text: string) => {
    const el = root.querySelector(`[data-out="${name}"]`);
    if (el && el.textContent !== text) el.textContent = text;
  };
  set('iterations', (s?.iteration ?? 0).toLocaleString('en'));
  set('evaluations', (s?.evaluations ?? 0).toLocaleString('en'));
  set('value', formatNumber(s?.value));
  set('gradient', formatNumber(s?.gradientNorm));
  let state = 'running';
  let status = 'running';
  if (s?.done && s.converged) {
    state = 'converged';
    status = place >= 0 ? `${ordinal(place)} · converged` : 'converged';
  } else if (s?.done) {
    state = 'stopped';
    status = `stopped: ${s.reason}`;
  }
  set('status', status);
  if (root.dataset['state'] !== state) root.dataset['state'] = state;
}

/** Show every lane and the clock. */
function show(): void {
  const ranking = race.ranking;
  for (const { root, runner } of lanes) showLane(root, runner, ranking.indexOf(runner));
  clock.textContent = Math.min(race.clock, Math.max(...race.runners.map((r) => r.state?.iteration ?? 0))).toLocaleString('en');
}

/** Advance the race by one frame and show it; keep going until every runner stopped. */
function tick(): void {
  frame = 0;
  race.tick();
  show();
  if (!race.finished) frame = requestAnimationFrame(tick);
}

/** Restart the race at `start` (default: the problem's start). */
function restart(start?: readonly number[]): void {
  race.restart(start ?? race.problem.start);
  show();
  if (!frame) frame = requestAnimationFrame(tick);
}

/** Switch to `problem`: plot windows, objective, and a new race from its start. */
async function choose(problem: Problem): Promise<void> {
  for (const b of document.querySelectorAll('#problems button'))
    b.setAttribute('aria-pressed', String((b as HTMLElement).dataset['problem'] === problem.id));
  objective.textContent = `f(x, y) = ${problem.text}`;
  const [x0, x1, y0, y1] = problem.box;
  const fn = race.objective(problem);
  for (const { contour } of lanes) {
    contour.fn = fn;
    contour.xRange = `${x0} ${x1}`;
    contour.yRange = `${y0} ${y1}`;
  }
  await race.load(problem);
  restart();
}

for (const p of PROBLEMS) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = p.name;
  b.dataset['problem'] = p.id;
  b.addEventListener('click', () => void choose(p));
  document.getElementById('problems')!.append(b);
}
for (const { contour } of lanes)
  contour.addEventListener('rose-pick', (e) => restart([e.detail.x, e.detail.y]));
document.getElementById('restart')!.addEventListener('click', () => restart(race.start));

void choose(PROBLEMS[0]!);

/** For tests and the console. */
(window as unknown as { race: Race }).race = race;
