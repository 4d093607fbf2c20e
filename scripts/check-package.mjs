/**
 * @file `npm run test:package`: check the published package the way a user gets it. Packs the
 * repository (`npm pack`, which builds through `prepack`) into a temporary folder, installs the
 * tarball into a fresh project there, and checks that: the tarball holds the entry points and
 * declarations; the script-tag bundle `dist/rose-kit.js` and every file it loads (its shared
 * chunks and its worker chunk, followed through its imports) are in the tarball, with the
 * Custom Elements Manifest that package.json's `customElements` names; an ES module consumer
 * imports `rose-kit` and `rose-kit/min` and computes with them, and `rose-kit/elements` resolves to
 * the bundle; a TypeScript consumer type-checks against the declarations of `rose-kit` and of
 * `rose-kit/elements` (moduleResolution nodenext and bundler) and a wrong type is reported; the
 * bundle, served from the unpacked tarball, runs a markup optimizer and a plot in Chromium.
 * Prints `N passed, N failed` last; exits 1 on failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseAst } from 'rollup/parseAst';
import { reachableFiles } from './bundle-size.mjs';
import { loadBundlePage } from './check-bundle-page.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

const ESM_CHECK = `
import { fn, Real, interp, mul, grad } from 'rose-kit';
import * as min from 'rose-kit/min';
const sq = fn([Real], Real, (x) => mul(x, x));
const got = [interp(sq)(3), interp(grad(sq))(3)];
const sqMin = min.fn([min.Real], min.Real, (x) => min.mul(x, x));
got.push(min.interp(min.grad(sqMin))(5));
if (got.join() !== '9,6,10') throw new Error('wrong results: ' + got.join());
const elements = import.meta.resolve('rose-kit/elements');
if (!elements.endsWith('/node_modules/rose-kit/dist/rose-kit.js')) throw new Error('rose-kit/elements -> ' + elements);
`;
const TS_ELEMENTS = `
import { RoseOptimizer, RosePlot, RoseParam, fn, Real, mul, compile } from 'rose-kit/elements';
const plot: RosePlot = document.createElement('rose-plot');
const param: RoseParam = document.createElement('rose-param');
export const value: number = param.value;
export const kind: string = plot.kind;
export const optimizer: typeof RoseOptimizer = RoseOptimizer;
export const later: Promise<(x: number) => number> = compile(fn([Real], Real, (x) => mul(x, x)));
plot.addEventListener('rose-render', (e) => e.detail.frame.toFixed());
`;
const TS_OK = `
import { fn, Real, interp, mul, grad, RoseError, type Fn } from 'rose-kit';
const sq = fn([Real], Real, (x) => mul(x, x));
const f: Fn = grad(sq);
export const nine: number = interp(sq)(3) + interp(grad(sq))(0) * 0;
export const isError: boolean = new RoseError('internal', 'x') instanceof Error && f !== undefined;
`;
const TS_BAD = `
import { fn, Real, interp, mul } from 'rose-kit';
export const s: string = interp(fn([Real], Real, (x) => mul(x, x)))(3);
`;

/**
 * Return what in the module source `code` would stop it from loading everywhere: a top-level
 * `await` (outside every function), a direct `eval(...)` or a `new Function(...)`.
 */
function forbiddenConstructs(code) {
  const found = [];
  const walk = (node, inFunction) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inFunction));
    if (typeof node.type !== 'string') return;
    if (!inFunction && (node.type === 'AwaitExpression' || (node.type === 'ForOfStatement' && node.await))) found.push(`top-level await at ${node.start}`);
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'eval') found.push(`eval at ${node.start}`);
    if ((node.type === 'NewExpression' || node.type === 'CallExpression') && node.callee.type === 'Identifier' && node.callee.name === 'Function') found.push(`Function constructor at ${node.start}`);
    const fn = /Function(Expression|Declaration)$|^ArrowFunctionExpression$/.test(node.type);
    for (const [key, child] of Object.entries(node)) if (key !== 'type') walk(child, inFunction || fn);
  };
  walk(parseAst(code), false);
  return found;
}

/** Return the tags components/index.ts defines (`define('rose-plot', RosePlot)`). */
function definedTags() {
  const source = readFileSync(join(ROOT, 'components', 'index.ts'), 'utf8');
  return [...source.matchAll(/define\(\s*['"](rose-[a-z-]+)['"]/g)].map((m) => m[1]);
}

/** Run a command in `cwd`; return its output, throwing with the output on failure. */
function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

/**
 * Type-check `file` in `dir` as a consumer would; return the compiler's exit status and output.
 * The consumer has the DOM lib: the API names WebAssembly types (`compile(f, { memory })`), which
 * TypeScript declares in lib.dom / lib.webworker only (the README says so).
 */
function typecheck(dir, file, resolution) {
  const module = resolution === 'nodenext' ? 'nodenext' : 'esnext';
  const args = ['--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022',
    '--lib', 'es2022,dom', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'),
    '--module', module, '--moduleResolution', resolution, '--ignoreConfig', file];
  try {
    execFileSync(TSC, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, output: '' };
  } catch (err) {
    return { status: err.status ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'rose-kit-package-'));
const results = [];
/** Run one named check (its body may be async) and record its outcome. */
async function check(name, body) {
  try {
    await body();
    results.push(true);
    process.stdout.write(`  ok    ${name}\n`);
  } catch (err) {
    results.push(false);
    process.stdout.write(`  FAIL  ${name}\n${String(err?.message ?? err).replace(/^/gm, '        ')}\n`);
  }
}

/** Pack, install and check the package (see the file comment). */
async function main() {
  try {
    let tarball = '';
    await check('npm pack builds and packs the package', () => {
      run('npm', ['pack', '--silent', '--pack-destination', dir], ROOT);
      tarball = readdirSync(dir).find((f) => f.endsWith('.tgz')) ?? '';
      if (!tarball) throw new Error('no tarball written');
    });
    await check('the tarball holds the entry points and declarations', () => {
      const files = run('tar', ['-tzf', join(dir, tarball)], dir);
      const wanted = ['dist/engine/index.js', 'dist/engine/index.min.js', 'dist/engine/worker.js',
        'dist/types/engine/index.d.ts', 'dist/rose-kit.js', 'dist/rose-kit-worker.js',
        'dist/types/components/rose-kit.d.ts', 'dist/custom-elements.json', 'README.md'];
      for (const f of wanted) {
        if (!files.includes(`package/${f}`)) throw new Error(`missing ${f}`);
      }
    });
    await check('the script-tag bundle, its chunks and worker chunk (no top-level await, no eval), and the manifest are in the tarball', () => {
      const unpacked = join(dir, 'unpacked');
      mkdirSync(unpacked);
      run('tar', ['-xzf', join(dir, tarball), '-C', unpacked], dir);
      const pkg = join(unpacked, 'package');
      // throws on the first file the bundle imports (statically, dynamically or as its worker) that is missing
      const { files } = reachableFiles(join(pkg, 'dist', 'rose-kit.js'));
      const names = files.map((f) => relative(pkg, f.file).split('\\').join('/'));
      if (!names.includes('dist/rose-kit-worker.js')) throw new Error(`no worker chunk among ${names.join(', ')}`);
      if (!names.some((n) => n.startsWith('dist/chunks/'))) throw new Error(`no shared chunk among ${names.join(', ')}`);
      for (const f of files) {
        const bad = forbiddenConstructs(readFileSync(f.file, 'utf8'));
        if (bad.length > 0) throw new Error(`${relative(pkg, f.file)}: ${bad.join(', ')}`);
      }
      const worker = readFileSync(join(pkg, 'dist', 'rose-kit-worker.js'), 'utf8');
      if (!/from\s*["']\.\/chunks\//.test(worker)) throw new Error('the worker chunk does not import the shared chunk');
      const manifestPath = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).customElements;
      const manifest = JSON.parse(readFileSync(join(pkg, manifestPath), 'utf8'));
      const tags = manifest.modules.flatMap((m) => m.declarations.map((d) => d.tagName));
      for (const tag of definedTags()) {
        if (!tags.includes(tag)) throw new Error(`${manifestPath} has no <${tag}> (it has ${tags.join(', ')})`);
      }
    });
    await check('the bundle runs from the same origin in Chromium: elements defined, optimizer converges, plot paints', async () => {
      const seen = await loadBundlePage(join(dir, 'unpacked', 'package'), definedTags());
      if (seen.errors.length > 0) throw new Error(`page errors: ${seen.errors.join('; ')}`);
      if (seen.undefinedTags.length > 0) throw new Error(`not defined: ${seen.undefinedTags.join(', ')}`);
      if (seen.state !== 'converged') throw new Error(`the optimizer ended in state ${seen.state}`);
      if (Math.abs(seen.values.x - 1) > 1e-5 || Math.abs(seen.values.y - 1) > 1e-5) throw new Error(`converged to ${JSON.stringify(seen.values)}`);
      if (!seen.workers.includes('/dist/rose-kit-worker.js')) throw new Error(`workers started: ${seen.workers.join(', ')}`);
      if (seen.painted < seen.pixels / 2) throw new Error(`the plot painted ${seen.painted} of ${seen.pixels} pixels`);
    });
    const app = join(dir, 'app');
    await check('the tarball installs into a fresh project', () => {
      run('mkdir', ['-p', app], dir);
      writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
      run('npm', ['install', '--silent', '--no-audit', '--no-fund', join(dir, tarball)], app);
    });
    await check('an ES module imports rose-kit and rose-kit/min and computes; rose-kit/elements resolves', () => {
      writeFileSync(join(app, 'check.mjs'), ESM_CHECK);
      run(process.execPath, ['check.mjs'], app);
    });
    writeFileSync(join(app, 'ok.ts'), TS_OK);
    writeFileSync(join(app, 'bad.ts'), TS_BAD);
    writeFileSync(join(app, 'elements.ts'), TS_ELEMENTS);
    for (const resolution of ['nodenext', 'bundler']) {
      await check(`a TypeScript consumer type-checks (moduleResolution ${resolution})`, () => {
        const { status, output } = typecheck(app, 'ok.ts', resolution);
        if (status !== 0) throw new Error(output);
      });
      await check(`a TypeScript consumer of rose-kit/elements type-checks (moduleResolution ${resolution})`, () => {
        const { status, output } = typecheck(app, 'elements.ts', resolution);
        if (status !== 0) throw new Error(output);
      });
    }
    await check('a TypeScript consumer gets type errors from the declarations', () => {
      const { status, output } = typecheck(app, 'bad.ts', 'nodenext');
      if (status === 0 || !output.includes('TS2322')) throw new Error(`expected TS2322, got:\n${output}`);
    });
    await check('document.createElement of a Rose Kit tag is typed as its class', () => {
      // a RosePlot's kind is a string: assigning it to a number must be rejected
      writeFileSync(join(app, 'bad-elements.ts'), `import 'rose-kit/elements';\nexport const k: number = document.createElement('rose-plot').kind;\n`);
      const { status, output } = typecheck(app, 'bad-elements.ts', 'nodenext');
      if (status === 0 || !output.includes('TS2322')) throw new Error(`expected TS2322, got:\n${output}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(() => {
  const passed = results.filter(Boolean).length;
  const failed = results.length - passed;
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
});
