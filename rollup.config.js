/**
 * @file Rollup build of the published package, two products:
 *
 * 1. The engine for npm users (the package's `.` and `./min` exports): `engine/index.ts` as
 *    `dist/engine/index.js` (readable) and `dist/engine/index.min.js` (minified), each with a
 *    source map, and the compile worker `engine/runtime/worker.ts` as `dist/engine/worker.js`
 *    (minified, self-contained) next to them. Both entries find it the same way,
 *    `new URL('./worker.js', import.meta.url)` (engine/runtime/spawn.ts), which rollup leaves as
 *    it is, and which bundlers (Vite, webpack) that later bundle the package recognize.
 * 2. The script-tag bundle (`./elements` export): `components/rose-kit.ts` (every element and
 *    the whole engine API) as `dist/rose-kit.js`, and its worker as `dist/rose-kit-worker.js`.
 *    They are built together with code splitting: the code both need is in `dist/chunks/`, which
 *    the worker imports from the HTTP cache instead of downloading it a second time. The worker's
 *    URL is rewritten to the emitted chunk's (see `workerChunk`), relative to the module that
 *    holds spawn.ts, so the bundle works from any folder or origin.
 *
 * The bundle is minified by terser (smaller output than esbuild's minifier, which the engine's
 * `index.min.js` and `worker.js` keep); no property is mangled: IR fields and options are API.
 *
 * TypeScript is stripped by esbuild (TS 7 has no compiler API for rollup plugins); type
 * declarations come from `tsc -p tsconfig.build.json` (see `npm run build`).
 * binaryen (the optional optimizing tier, engine/wasm/optimize.ts) stays external: the bundles
 * keep its lazy `import('binaryen')` for the user's bundler, import map or node_modules.
 *
 * `ROSE_KIT_OUT` (default `dist/engine`) moves the engine's output folder; the script-tag
 * bundle goes to its parent (the browser tests build a private copy of both to load from a
 * second origin). `ROSE_KIT_ONLY=engine|bundle` builds one product only.
 */
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import terser from '@rollup/plugin-terser';
import esbuild, { minify } from 'rollup-plugin-esbuild';

const OUT = process.env.ROSE_KIT_OUT || 'dist/engine';
const BUNDLE_OUT = dirname(OUT);
const ONLY = process.env.ROSE_KIT_ONLY;

const WORKER_ENTRY = fileURLToPath(new URL('./engine/runtime/worker.ts', import.meta.url));
const SPAWN_MODULE = fileURLToPath(new URL('./engine/runtime/spawn.ts', import.meta.url));
const WORKER_URL = /new URL\(\s*(['"])\.\/worker\.js\1\s*,\s*import\.meta\.url\s*\)/;

const plugins = [
  nodeResolve({ extensions: ['.ts', '.js'] }),
  esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' }),
];

/**
 * Emit the compile worker as a chunk of the script-tag bundle and point spawn.ts at it: its
 * `new URL('./worker.js', import.meta.url)` becomes the URL rollup computes for the emitted
 * file, relative to whichever chunk spawn.ts lands in. Fails the build if the pattern is gone.
 */
function workerChunk(fileName) {
  let ref = '';
  return {
    name: 'rose-kit-worker-chunk',
    buildStart() {
      ref = this.emitFile({ type: 'chunk', id: WORKER_ENTRY, fileName });
    },
    transform(code, id) {
      if (id !== SPAWN_MODULE) return null;
      if (!WORKER_URL.test(code)) this.error(`${id}: new URL('./worker.js', import.meta.url) not found`);
      return { code: code.replace(WORKER_URL, `new URL(import.meta.ROLLUP_FILE_URL_${ref})`), map: null };
    },
  };
}

const engine = [
  {
    input: 'engine/index.ts',
    external: ['binaryen'],
    output: [
      { file: `${OUT}/index.js`, format: 'es', sourcemap: true },
      {
        file: `${OUT}/index.min.js`,
        format: 'es',
        sourcemap: true,
        plugins: [minify({ target: 'es2022' })],
      },
    ],
    plugins,
  },
  {
    input: 'engine/runtime/worker.ts',
    external: ['binaryen'],
    output: {
      file: `${OUT}/worker.js`,
      format: 'es',
      sourcemap: true,
      inlineDynamicImports: true,
      plugins: [minify({ target: 'es2022' })],
    },
    plugins,
  },
];

const bundle = [
  {
    input: { 'rose-kit': 'components/rose-kit.ts' },
    external: ['binaryen'],
    // the entry's exports are the public API: keep every one of them, named as written
    preserveEntrySignatures: 'strict',
    output: {
      dir: BUNDLE_OUT,
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/rose-kit-[hash].js',
      // terser, two passes: ~3.5 KB gzip smaller than esbuild's minifier on this bundle
      plugins: [terser({ ecma: 2020, module: true, compress: { passes: 2 } })],
    },
    plugins: [...plugins, workerChunk('rose-kit-worker.js')],
  },
];

export default ONLY === 'engine' ? engine : ONLY === 'bundle' ? bundle : [...engine, ...bundle];
