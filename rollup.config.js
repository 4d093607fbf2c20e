/**
 * @file Rollup build of the published package: the engine's ESM entry `engine/index.ts` as
 * `dist/engine/index.js` (readable) and `dist/engine/index.min.js` (minified), each with a
 * source map, and the compile worker `engine/runtime/worker.ts` as `dist/engine/worker.js`
 * (minified, self-contained), next to them. Both entries find it the same way,
 * `new URL('./worker.js', import.meta.url)` (engine/runtime/spawn.ts), which rollup leaves as
 * it is, and which bundlers (Vite, webpack) that later bundle the package recognize.
 * TypeScript is stripped by esbuild (TS 7 has no compiler API for rollup plugins); type
 * declarations come from `tsc -p tsconfig.build.json` (see `npm run build`).
 * binaryen (the optional optimizing tier, engine/wasm/optimize.ts) stays external: the bundles
 * keep its lazy `import('binaryen')` for the user's bundler, import map or node_modules.
 *
 * `ROSE_KIT_OUT` (default `dist/engine`) moves the output folder (the browser tests build a
 * private copy of the bundles to load from a second origin).
 */
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild, { minify } from 'rollup-plugin-esbuild';

const OUT = process.env.ROSE_KIT_OUT || 'dist/engine';

const plugins = [
  nodeResolve({ extensions: ['.ts', '.js'] }),
  esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' }),
];

export default [
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
