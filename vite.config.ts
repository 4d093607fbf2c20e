/**
 * @file Vite configuration. `npm start` serves the gallery (`index.html`) and the demos under
 * `demos/`, which import the engine straight from its TypeScript sources. `vite build` writes a
 * static copy of the same pages to `dist/site/` (for `vite preview`; not part of the package).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** The demo pages under demos/ (a page still being written is left out until its index.html exists). */
const DEMOS = ['calculus-explorer', 'optimizer-race', 'constrained-toy', 'plot-gallery', 'engine-live'];

/** Return the build inputs: the gallery and every demo page present. */
function pages(): Record<string, string> {
  const input: Record<string, string> = { gallery: resolve(import.meta.dirname, 'index.html') };
  for (const name of DEMOS) {
    const page = resolve(import.meta.dirname, 'demos', name, 'index.html');
    if (existsSync(page)) input[name] = page;
  }
  return input;
}

export default defineConfig({
  root: '.',
  base: './',
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: {
    target: 'es2022',
    outDir: 'dist/site',
    emptyOutDir: true,
    rolldownOptions: {
      input: pages(),
    },
  },
  // the compile worker is an ES module (binaryen, loaded lazily inside it, uses top-level await)
  worker: { format: 'es' },
});
