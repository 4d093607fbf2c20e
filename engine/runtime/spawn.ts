/**
 * @file Start the compile worker: a module worker whose script, `worker.js`, sits next to the
 * engine's module (engine/runtime/worker.ts in the sources, dist/engine/worker.js in the package).
 *
 * The URL is written `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`,
 * the pattern bundlers (Vite, webpack 5, Parcel) recognize to emit the worker as a chunk of its
 * own, so it works from node_modules and from a bundle as well as from the package's files.
 *
 * Module workers must be same-origin. When the engine was loaded from another origin (a CDN),
 * `worker.js` is too, and `new Worker(url)` would throw a SecurityError. Then, and only then,
 * the worker is started from a one-line same-origin `blob:` module that imports the absolute
 * worker URL (which needs CORS on the CDN, as the engine's own import did). Pages with a
 * Content-Security-Policy must then allow `worker-src blob:` (see README, "Workers").
 */

/** Return a `Worker` class that starts cross-origin scripts through a same-origin `blob:` module. */
function sameOriginWorkerClass(): typeof Worker {
  const NativeWorker = globalThis.Worker;
  return class SameOriginWorker extends NativeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(sameOriginUrl(url), options);
    }
  };
}

/** Return `url` if it is same-origin, else the URL of a `blob:` module that imports it. */
function sameOriginUrl(url: string | URL): string | URL {
  if (typeof location === 'undefined') return url;
  const absolute = new URL(String(url), location.href);
  if (absolute.origin === location.origin) return url;
  const source = `import ${JSON.stringify(absolute.href)};\n`;
  const blobUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  // the Worker constructor has resolved the blob URL by the time it returns, so freeing it on
  // the next task is safe (and frees the blob for the page's lifetime)
  setTimeout(() => URL.revokeObjectURL(blobUrl), 0);
  return blobUrl;
}

/** Return a new compile worker (a module worker running engine/runtime/worker.ts). */
export function spawnWorker(): Worker {
  const Worker = sameOriginWorkerClass();
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'rose-kit' });
}

/** Return true where `compile` should use a worker: a browser window that can start module workers. */
export function workersAvailable(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof document !== 'undefined' &&
    typeof globalThis.Worker === 'function'
  );
}
