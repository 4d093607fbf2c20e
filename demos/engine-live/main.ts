/**
 * @file Live engine demo: pick a preset function of x, drag x, and read f(x), f'(x) and f''(x)
 * computed by the engine (`interp(grad(f))`, `interp(grad(grad(f)))`), next to a central finite
 * difference as a check, with a plot of f, f' and the tangent line at x.
 * Mounts into any element with `data-engine-live` (the gallery and demos/engine-live/index.html).
 */
import { grad, interp } from '../../engine/index.ts';
import { drawPlot } from './plot.ts';
import { PRESETS, type Preset } from './presets.ts';
import { STYLE } from './style.ts';

const SAMPLES = 301;

/** A preset after tracing: evaluators for f, f', f'' and a sampled curve of f and f'. */
interface Loaded {
  readonly f: (x: number) => number;
  readonly df: (x: number) => number;
  readonly d2f: (x: number) => number;
  readonly xs: number[];
  readonly ys: number[];
  readonly dys: number[];
}

const loaded = new Map<string, Loaded>();

/** Trace and differentiate `p` once, and sample its curve; cached per preset. */
function load(p: Preset): Loaded {
  const cached = loaded.get(p.id);
  if (cached) return cached;
  const traced = p.make();
  const f = interp(traced);
  const df = interp(grad(traced));
  const d2f = interp(grad(grad(traced)));
  const [a, b] = p.range;
  const xs = Array.from({ length: SAMPLES }, (_, i) => a + ((b - a) * i) / (SAMPLES - 1));
  const result: Loaded = { f, df, d2f, xs, ys: xs.map((x) => f(x)), dys: xs.map((x) => df(x)) };
  loaded.set(p.id, result);
  return result;
}

/** Format a number for the readout. */
function show(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(5) : v.toFixed(6);
}

/** Describe an error for the page: `code: message` for engine errors, else the message. */
function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${err.name} [${code}]: ${err.message}` : `${err.name}: ${err.message}`;
  }
  return String(err);
}

/** Return the element matching `selector` inside `root`, or throw. */
function $<T extends Element>(root: ParentNode, selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`engine-live: missing ${selector}`);
  return el;
}

const TEMPLATE = `
  <div class="el-presets" role="radiogroup" aria-label="Function"></div>
  <pre class="el-source"><code></code></pre>
  <div class="el-main">
    <div class="el-side">
      <label class="el-x">
        <span>x</span>
        <input type="range" step="any" aria-label="x">
        <input type="number" step="0.01" aria-label="x value">
      </label>
      <dl class="el-values">
        <div><dt>f(x)</dt><dd data-v="f"></dd></div>
        <div><dt>f′(x)</dt><dd data-v="df"></dd></div>
        <div><dt>f″(x)</dt><dd data-v="d2f"></dd></div>
        <div class="el-check"><dt>finite diff.</dt><dd data-v="fd"></dd></div>
      </dl>
      <label class="el-toggle"><input type="checkbox" checked> show f′</label>
      <p class="el-error" role="alert" hidden></p>
    </div>
    <canvas class="el-plot" role="img"></canvas>
  </div>`;

/** Build the demo inside `root` and wire its controls. */
export function mount(root: HTMLElement): void {
  if (!document.getElementById('engine-live-style')) {
    const style = document.createElement('style');
    style.id = 'engine-live-style';
    style.textContent = STYLE;
    document.head.append(style);
  }
  root.classList.add('engine-live');
  root.innerHTML = TEMPLATE;
  const slider = $<HTMLInputElement>(root, 'input[type=range]');
  const number = $<HTMLInputElement>(root, 'input[type=number]');
  const toggle = $<HTMLInputElement>(root, 'input[type=checkbox]');
  const canvas = $<HTMLCanvasElement>(root, 'canvas');
  const error = $<HTMLParagraphElement>(root, '.el-error');
  const value = (name: string) => $<HTMLElement>(root, `[data-v="${name}"]`);
  const fromHash = PRESETS.find((p) => `#${p.id}` === location.hash);
  let preset: Preset = fromHash ?? PRESETS[0]!;
  let x = preset.start;

  const render = () => {
    try {
      const fns = load(preset);
      const y = fns.f(x);
      const slope = fns.df(x);
      const h = 1e-5 * Math.max(1, Math.abs(x));
      const fd = (fns.f(x + h) - fns.f(x - h)) / (2 * h);
      value('f').textContent = show(y);
      value('df').textContent = show(slope);
      value('d2f').textContent = show(fns.d2f(x));
      value('fd').textContent = `${show(fd)} (f′ − fd = ${(slope - fd).toExponential(1)})`;
      const dys = toggle.checked ? fns.dys : undefined;
      drawPlot(canvas, { xs: fns.xs, ys: fns.ys, dys, x, y, slope });
      canvas.setAttribute('aria-label', `Plot of ${preset.label}; at x = ${show(x)}, f = ${show(y)}, slope ${show(slope)}`);
      error.hidden = true;
      root.dataset.state = 'ready';
    } catch (err) {
      error.textContent = describe(err);
      error.hidden = false;
      root.dataset.state = 'error';
      console.error(err);
    }
  };

  const setX = (v: number) => {
    if (!Number.isFinite(v)) return;
    x = Math.min(preset.range[1], Math.max(preset.range[0], v));
    slider.value = String(x);
    number.value = String(+x.toFixed(4));
    render();
  };

  const choose = (p: Preset, remember: boolean) => {
    preset = p;
    if (remember) history.replaceState(null, '', `#${p.id}`);
    for (const b of root.querySelectorAll<HTMLButtonElement>('.el-presets button')) {
      b.setAttribute('aria-checked', String(b.dataset.id === p.id));
    }
    $<HTMLElement>(root, '.el-source code').textContent = p.source;
    for (const input of [slider, number]) {
      input.min = String(p.range[0]);
      input.max = String(p.range[1]);
    }
    slider.step = String((p.range[1] - p.range[0]) / 1000);
    setX(p.start);
  };

  const group = $<HTMLElement>(root, '.el-presets');
  for (const p of PRESETS) {
    const b = document.createElement('button');
    b.type = 'button';
    b.role = 'radio';
    b.dataset.id = p.id;
    b.textContent = p.label;
    b.addEventListener('click', () => choose(p, true));
    group.append(b);
  }
  slider.addEventListener('input', () => setX(slider.valueAsNumber));
  number.addEventListener('change', () => setX(number.valueAsNumber));
  toggle.addEventListener('change', render);
  new ResizeObserver(render).observe(canvas);
  choose(preset, false);
}

for (const el of document.querySelectorAll<HTMLElement>('[data-engine-live]')) mount(el);
