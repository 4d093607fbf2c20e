/// <reference types="mocha" />
/**
 * @file Browser: the script-tag bundle `dist/rose-kit.js` as an author uses it, loaded by a plain
 * `<script type="module" src>` from ANOTHER origin (web-test-runner.config.mjs builds the
 * package's bundles into a private folder and serves them from a second origin with CORS, as a
 * CDN would). Nothing here imports the sources (the shared test helper only reads pixels): every
 * element and engine function comes from the bundle, so this checks what the build produced:
 * every tag that components/index.ts defines is defined, a contour plot and a markup optimizer work (their wasm compiled by the
 * bundle's worker chunk, started through the same-origin `blob:` trampoline), and the engine API
 * is exported and computes in the page.
 */
import { expect } from 'chai';
import { inkOf } from '../components/helpers.ts';

type Bundle = typeof import('../../../components/rose-kit.ts');

let origin = '';
let bundle: Bundle;
const pageErrors: string[] = [];

/** Append `<script type="module" src>` to the head; resolve when it ran, reject if it failed. */
function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.type = 'module';
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`the script ${src} failed to load`));
    document.head.append(script);
  });
}

/** Put `markup` in a fresh container in the body and return its first child element. */
function mount<E extends Element>(markup: string): E {
  const box = document.createElement('div');
  box.innerHTML = markup;
  document.body.append(box);
  return box.firstElementChild as E;
}

/** Resolve with the detail of the next `name` event on `target` (rejects after `ms`). */
function nextEvent<K extends keyof HTMLElementEventMap>(
  target: EventTarget,
  name: K,
  ms = 20000,
): Promise<HTMLElementEventMap[K] extends CustomEvent<infer D> ? D : never> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within ${ms} ms`)), ms);
    target.addEventListener(
      name,
      (e) => {
        clearTimeout(timer);
        resolve((e as CustomEvent).detail);
      },
      { once: true },
    );
  });
}

/** Return the tags components/index.ts defines (read from its source, so new elements count). */
async function tagsInComponentsIndex(): Promise<string[]> {
  const source = await (await fetch('/components/index.ts')).text();
  return [...source.matchAll(/define\(\s*['"](rose-[a-z-]+)['"]/g)].map((m) => m[1]!);
}

before(async () => {
  addEventListener('error', (e) => pageErrors.push(e.message));
  addEventListener('unhandledrejection', (e) => pageErrors.push(String(e.reason)));
  origin = await (await fetch('/__cdn__/origin')).text();
  await loadScript(`${origin}/rose-kit.js`);
  // the module the script tag ran (a second import of the same URL is the same instance)
  bundle = (await import(/* @vite-ignore */ `${origin}/rose-kit.js`)) as Bundle;
});

afterEach(() => {
  document.body.replaceChildren();
  expect(pageErrors).to.deep.equal([]);
});

describe('dist/rose-kit.js by a script tag from another origin', () => {
  it('comes from another origin', () => {
    expect(new URL(origin).origin).to.not.equal(location.origin);
  });

  it('defines every element of components/index.ts, with the classes it exports', async () => {
    const tags = await tagsInComponentsIndex();
    expect(tags).to.include.members(['rose-param', 'rose-plot']);
    const exported = new Set<unknown>(Object.values(bundle));
    for (const tag of tags) {
      const element = customElements.get(tag);
      expect(element, `<${tag}> is not defined`).to.be.a('function');
      expect(exported.has(element), `<${tag}>'s class is not exported by the bundle`).to.equal(true);
      expect(document.createElement(tag)).to.be.instanceOf(element!);
    }
  });

  it('exports the engine API, which computes in the page (compile runs in the worker chunk)', async () => {
    // (types read off the namespace: destructuring would widen their unique symbol types)
    const { fn, add, mul, sin, interp, compile, valueAndGrad, compileValueAndGrad } = bundle;
    for (const name of ['fn', 'opaque', 'vjp', 'jvp', 'grad', 'hessian', 'compileSync', 'minimize', 'pprint', 'RoseError']) {
      expect(bundle, name).to.have.property(name);
    }
    const f = fn([bundle.Vec(3, bundle.Real)], bundle.Real, (x) => add(mul(x[0]!, sin(x[1]!)), mul(x[2]!, x[2]!)));
    const compiled = await compile(valueAndGrad(f));
    const want = interp(valueAndGrad(f))([0.5, -1, 2]) as { value: number; grad: number[] };
    expect(compiled([0.5, -1, 2])).to.deep.equal(want);
    expect(want.grad[2]).to.equal(4);
    const h = await compileValueAndGrad(f);
    h.x.set([1, 2, 3]);
    expect(h.evaluate()).to.equal(Math.sin(2) + 9);
    expect([...h.gradient]).to.deep.equal([Math.sin(2), Math.cos(2), 6]);
  });

  it('errors keep their RoseError class and code across the bundle and its worker', async () => {
    const { fn, opaque, compileValueAndGrad, RoseError } = bundle;
    const noJvp = opaque([bundle.Real], bundle.Real, Math.cos);
    const f = fn([bundle.Vec(1, bundle.Real)], bundle.Real, (x) => noJvp(x[0]!));
    const error = await compileValueAndGrad(f).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RoseError);
    expect((error as InstanceType<typeof RoseError>).code).to.equal('no-jvp');
  });

  it('terminateWorker() rejects a pending compile with worker-failed; the next compile starts a new worker', async () => {
    const { fn, add, mul, compile, compileSync, terminateWorker, RoseError } = bundle;
    const big = fn([bundle.Vec(50, bundle.Real)], bundle.Real, (x) => {
      let acc = mul(x[0]!, x[0]!);
      for (let i = 1; i < 50; i++) acc = add(acc, mul(x[i]!, mul(x[i - 1]!, x[i]!)));
      return acc;
    });
    // compile posts its request before it returns, and the answer comes in a later task at the
    // earliest: the request is pending when terminateWorker() runs
    const pending = compile(big);
    terminateWorker();
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(RoseError);
    expect((error as InstanceType<typeof RoseError>).code).to.equal('worker-failed');
    expect((error as Error).message).to.contain('terminateWorker() was called');
    const input = Array.from({ length: 50 }, (_, i) => (i % 7) / 7 - 0.5);
    expect((await compile(big))(input)).to.equal(compileSync(big)(input));
    terminateWorker();
    terminateWorker(); // nothing running: a no-op
  });

  it('<rose-plot kind="contour" expression="x^2+y^2"> draws a heatmap', async () => {
    const plot = mount<HTMLElement & { canvas: HTMLCanvasElement | null; description: string }>(
      '<rose-plot kind="contour" expression="x^2+y^2" style="display: block; width: 320px; height: 240px"></rose-plot>',
    );
    while (!plot.description.includes('Smallest value')) await nextEvent(plot, 'rose-render');
    const canvas = plot.canvas!;
    const { painted, colors } = inkOf(canvas);
    expect(painted).to.be.greaterThan(0.5 * canvas.width * canvas.height);
    expect(colors).to.be.greaterThan(20);
  });

  it('a markup <rose-optimizer> converges on Rosenbrock', async () => {
    const opt = mount<HTMLElement>(`
      <rose-optimizer autostart>
        <rose-param name="x" value="-1.2"></rose-param>
        <rose-param name="y" value="1"></rose-param>
        <rose-objective>(1 - x)^2 + 100*(y - x^2)^2</rose-objective>
      </rose-optimizer>`);
    const done = await nextEvent(opt, 'rose-converged');
    expect(done.parameters['x']).to.be.closeTo(1, 1e-5);
    expect(done.parameters['y']).to.be.closeTo(1, 1e-5);
    expect(done.loss).to.be.lessThan(1e-10);
    expect(opt.getAttribute('state')).to.equal('converged');
  });
});
