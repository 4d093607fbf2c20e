/**
 * @file Vite configuration for `npm start`: a dev server for the gallery (`index.html`) and the
 * demos under `demos/`, which import the engine straight from its TypeScript sources.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: '.',
  base: './',
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { target: 'es2022', outDir: 'dist/site', emptyOutDir: true },
});
