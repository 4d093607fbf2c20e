/**
 * @file `npm run test:package`: check the published package the way a user gets it. Packs the
 * repository (`npm pack`, which builds through `prepack`) into a temporary folder, installs the
 * tarball into a fresh project there, and checks that: the tarball holds the entry points and
 * declarations; an ES module consumer imports `rose-kit` and `rose-kit/min` and computes with them;
 * a TypeScript consumer type-checks against the declarations (moduleResolution nodenext and
 * bundler) and a wrong type is reported. Prints `N passed, N failed` last; exits 1 on failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
/** Run one named check and record its outcome. */
function check(name, body) {
  try {
    body();
    results.push(true);
    process.stdout.write(`  ok    ${name}\n`);
  } catch (err) {
    results.push(false);
    process.stdout.write(`  FAIL  ${name}\n${String(err?.message ?? err).replace(/^/gm, '        ')}\n`);
  }
}

try {
  let tarball = '';
  check('npm pack builds and packs the package', () => {
    run('npm', ['pack', '--silent', '--pack-destination', dir], ROOT);
    tarball = readdirSync(dir).find((f) => f.endsWith('.tgz')) ?? '';
    if (!tarball) throw new Error('no tarball written');
  });
  check('the tarball holds the entry points and declarations', () => {
    const files = run('tar', ['-tzf', join(dir, tarball)], dir);
    for (const f of ['dist/engine/index.js', 'dist/engine/index.min.js', 'dist/types/engine/index.d.ts', 'README.md']) {
      if (!files.includes(`package/${f}`)) throw new Error(`missing ${f}`);
    }
  });
  const app = join(dir, 'app');
  check('the tarball installs into a fresh project', () => {
    run('mkdir', ['-p', app], dir);
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
    run('npm', ['install', '--silent', '--no-audit', '--no-fund', join(dir, tarball)], app);
  });
  check('an ES module imports rose-kit and rose-kit/min and computes', () => {
    writeFileSync(join(app, 'check.mjs'), ESM_CHECK);
    run(process.execPath, ['check.mjs'], app);
  });
  writeFileSync(join(app, 'ok.ts'), TS_OK);
  writeFileSync(join(app, 'bad.ts'), TS_BAD);
  for (const resolution of ['nodenext', 'bundler']) {
    check(`a TypeScript consumer type-checks (moduleResolution ${resolution})`, () => {
      const { status, output } = typecheck(app, 'ok.ts', resolution);
      if (status !== 0) throw new Error(output);
    });
  }
  check('a TypeScript consumer gets type errors from the declarations', () => {
    const { status, output } = typecheck(app, 'bad.ts', 'nodenext');
    if (status === 0 || !output.includes('TS2322')) throw new Error(`expected TS2322, got:\n${output}`);
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const passed = results.filter(Boolean).length;
const failed = results.length - passed;
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 ? 1 : 0;
