/**
 * @file Node module-loader hooks that strip TypeScript with esbuild (Node 20 has no type
 * stripping). Only `.ts` files are transformed; everything else loads untouched, so large
 * dependencies cost nothing extra. `./x.js` imported from a `.ts` file falls back to `./x.ts`.
 */
import { transform } from 'esbuild';

/** Resolve a specifier; retry a missing relative `.js` import from a `.ts` file as `.ts`. */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (relative && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
    throw err;
  }
}

/** Load a module; transpile `.ts` sources to ESM with an inline source map. */
export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const { source } = await nextLoad(url, { ...context, format: 'module' });
  const { code } = await transform(String(source), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcefile: new URL(url).pathname,
  });
  return { format: 'module', source: code, shortCircuit: true };
}
