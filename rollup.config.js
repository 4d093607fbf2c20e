/**
 * @file Rollup build of the published package: the engine's ESM entry `engine/index.ts` as
 * `dist/engine/index.js` (readable) and `dist/engine/index.min.js` (minified), each with a
 * source map. TypeScript is stripped by esbuild (TS 7 has no compiler API for rollup plugins);
 * type declarations come from `tsc -p tsconfig.build.json` (see `npm run build`).
 * binaryen (the optional optimizing tier, engine/wasm/optimize.ts) stays external: the bundle
 * keeps its lazy `import('binaryen')` for the user's bundler, import map or node_modules.
 */
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild, { minify } from 'rollup-plugin-esbuild';

const plugins = [
  nodeResolve({ extensions: ['.ts', '.js'] }),
  esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' }),
];

export default [
  {
    input: 'engine/index.ts',
    external: ['binaryen'],
    output: [
      { file: 'dist/engine/index.js', format: 'es', sourcemap: true },
      {
        file: 'dist/engine/index.min.js',
        format: 'es',
        sourcemap: true,
        plugins: [minify({ target: 'es2022' })],
      },
    ],
    plugins,
  },
];
