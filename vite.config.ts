/**
 * @file Vite configuration. `npm start` serves the gallery (`index.html`) and the demos under
 * `demos/`, which import the engine straight from its TypeScript sources. `vite build` writes a
 * static copy of the same pages to `dist/site/` (for `vite preview`; not part of the package).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

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
      input: {
        gallery: resolve(import.meta.dirname, 'index.html'),
        'engine-live': resolve(import.meta.dirname, 'demos/engine-live/index.html'),
      },
    },
  },
});
