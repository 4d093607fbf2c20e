/**
 * @file The calculus explorer page: the expression editor (presets, inline parse errors), the
 * main contour plot with its draggable point and arrows, the readout panel, Newton's method, and
 * the close-up pair (f and its quadratic model). Each expression is traced and compiled once
 * (in the worker); moving the point only evaluates compiled code, at most once per frame.
 */
import '../../components/index.ts';
import { ExpressionError } from '../../engine/index.ts';
import {
  analyse,
  compileFunction,
  newton,
  prefersLogLevels,
  quadraticArguments,
  quadraticModel,
  type CompiledFunction,
  type LocalPicture,
} from './analysis.ts';
import { ArrowOverlay } from './overlay.ts';
import { formatNumber, showExpressionError, showPicture } from './panel.ts';
import { PRESETS, type Preset } from './presets.ts';

/** Return the element with id `id`, typed by its tag. */
function byId<K extends keyof HTMLElementTagNameMap>(id: string, _tag: K): HTMLElementTagNameMap[K] {
  const el = document.getElementById(id);
  if (!el) throw new Error(`calculus explorer: no element #${id}`);
  return el as HTMLElementTagNameMap[K];
}

const editor = byId('expression', 'textarea');
const errorBox = byId('expression-error', 'div');
const mainPlot = byId('main-plot', 'rose-plot');
const nearPlot = byId('near-plot', 'rose-plot');
const modelPlot = byId('model-plot', 'rose-plot');
const panel = document.querySelector<HTMLElement>('.panel')!;
const inputX = byId('point-x', 'input');
const inputY = byId('point-y', 'input');
const newtonNote = byId('newton-note', 'p');
const overlay = new ArrowOverlay(mainPlot, document.getElementById('arrows') as unknown as SVGSVGElement);

/** What the page shows. */
const view = {
  fn: undefined as CompiledFunction | undefined,
  box: [-2, 2, -1, 3] as [number, number, number, number],
  point: [-1.2, 1] as [number, number],
  zoom: 0.1,
  picture: undefined as LocalPicture | undefined,
  /** Bumped per expression; a compile that finishes after a newer one started is dropped. */
  generation: 0,
  frame: 0,
};

const scratch = new Float64Array(4);
modelPlot.fn = quadraticModel();

/** Load `text` (with the window, point and level spacing of a preset, if given). */
function load(text: string, preset?: Preset): void {
  const generation = ++view.generation;
  markPreset(preset ?? PRESETS.find((p) => p.text === text));
  let compiled;
  try {
    compiled = compileFunction(text);
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    showExpressionError(errorBox, e);
    editor.setAttribute('aria-invalid', 'true');
    return;
  }
  showExpressionError(errorBox, undefined);
  editor.removeAttribute('aria-invalid');
  if (preset) {
    view.box = [...preset.box];
    view.point = [...preset.start];
  }
  compiled.ready.then(
    (fn) => {
      if (generation !== view.generation) return;
      view.fn = fn;
      setWindow(preset ? preset.log : prefersLogLevels(fn, view.box));
      mainPlot.path = undefined;
      mainPlot.fn = fn.fn;
      nearPlot.fn = fn.fn;
      schedule();
    },
    (e: unknown) => {
      if (generation === view.generation) showFailure(e);
    },
  );
}

/** Show a compile failure (not a parse error) in the error box. */
function showFailure(e: unknown): void {
  errorBox.replaceChildren(Object.assign(document.createElement('p'), {
    className: 'error-title',
    textContent: e instanceof Error ? e.message : String(e),
  }));
  errorBox.hidden = false;
}

/** Apply the window and level spacing to the main plot. */
function setWindow(log: boolean): void {
  const [x0, x1, y0, y1] = view.box;
  mainPlot.xRange = `${x0} ${x1}`;
  mainPlot.yRange = `${y0} ${y1}`;
  mainPlot.log = log;
}

/** Move the point (clamped into the window); the views follow on the next frame. */
function moveTo(x: number, y: number): void {
  const [x0, x1, y0, y1] = view.box;
  view.point = [Math.min(x1, Math.max(x0, x)), Math.min(y1, Math.max(y0, y))];
  schedule();
}

/** Update every view once, on the next animation frame. */
function schedule(): void {
  if (view.frame) return;
  view.frame = requestAnimationFrame(() => {
    view.frame = 0;
    update();
  });
}

/** Evaluate at the point and update the plots, the panel and the arrows. */
function update(): void {
  const fn = view.fn;
  if (!fn) return;
  const [x, y] = view.point;
  const p = analyse(fn, x, y, scratch);
  view.picture = p;
  mainPlot.point = [x, y];
  const [x0, x1, y0, y1] = view.box;
  const rx = view.zoom * (x1 - x0);
  const ry = view.zoom * (y1 - y0);
  for (const plot of [nearPlot, modelPlot]) {
    plot.xRange = `${x - rx} ${x + rx}`;
    plot.yRange = `${y - ry} ${y + ry}`;
  }
  nearPlot.point = [x, y];
  modelPlot.point = quadraticArguments(p);
  showPicture(panel, p);
  if (document.activeElement !== inputX) inputX.value = String(round(x));
  if (document.activeElement !== inputY) inputY.value = String(round(y));
  overlay.draw(p);
}

/** Return `v` rounded to 4 decimals (for the coordinate inputs). */
function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/** Run Newton's method from the point and show where it went. */
function runNewton(): void {
  const fn = view.fn;
  if (!fn) return;
  const result = newton(fn, view.point[0], view.point[1], view.box);
  if (result.converged) {
    view.point = [result.x, result.y];
    mainPlot.path = result.path.map((q) => [...q]);
    const steps = result.iterations === 1 ? '1 step' : `${result.iterations} steps`;
    newtonNote.textContent = `Converged in ${steps} to (${formatNumber(result.x)}, ${formatNumber(result.y)}).`;
  } else {
    newtonNote.textContent = 'Newton’s method did not settle inside the window from here; try another start.';
  }
  schedule();
}

/** Highlight the button of `preset` (none for a custom expression). */
function markPreset(preset: Preset | undefined): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('#presets button'))
    b.setAttribute('aria-pressed', String(b.dataset['preset'] === preset?.id));
}

/** Create the preset buttons. */
function buildPresets(): void {
  const group = byId('presets', 'div');
  for (const p of PRESETS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = p.name;
    b.dataset['preset'] = p.id;
    b.addEventListener('click', () => {
      editor.value = p.text;
      fitEditor();
      newtonNote.textContent = '';
      load(p.text, p);
    });
    group.append(b);
  }
}

/** Grow the editor to its content (one to six lines). */
function fitEditor(): void {
  editor.rows = Math.min(6, Math.max(1, editor.value.split('\n').length));
}

let typing = 0;
editor.addEventListener('input', () => {
  fitEditor();
  clearTimeout(typing);
  // typing a preset's text exactly gives its window, like its button
  typing = window.setTimeout(() => load(editor.value, PRESETS.find((p) => p.text === editor.value)), 220);
});
mainPlot.addEventListener('rose-pick', (e) => {
  mainPlot.path = undefined;
  newtonNote.textContent = '';
  moveTo(e.detail.x, e.detail.y);
});
for (const plot of [nearPlot, modelPlot])
  plot.addEventListener('rose-pick', (e) => {
    if (e.detail.phase === 'start') moveTo(e.detail.x, e.detail.y);
  });
mainPlot.addEventListener('rose-render', () => overlay.draw(view.picture));
for (const input of [inputX, inputY])
  input.addEventListener('change', () => {
    const x = Number(inputX.value);
    const y = Number(inputY.value);
    if (Number.isFinite(x) && Number.isFinite(y)) moveTo(x, y);
  });
byId('newton', 'button').addEventListener('click', runNewton);
for (const b of document.querySelectorAll<HTMLButtonElement>('#zoom button'))
  b.addEventListener('click', () => {
    view.zoom = Number(b.dataset['zoom']);
    for (const o of document.querySelectorAll('#zoom button')) o.setAttribute('aria-pressed', String(o === b));
    schedule();
  });

buildPresets();
editor.value = PRESETS[0]!.text;
fitEditor();
load(PRESETS[0]!.text, PRESETS[0]);

/** For tests and the console: the explorer's state. */
(window as unknown as { explorer: unknown }).explorer = { view, moveTo, runNewton, load };
