/**
 * @file Compile in the worker, instantiate here: what `compile` and `compileValueAndGrad` do in a
 * browser window. The main thread traced the function; it hashes the IR, and unless the module
 * cache already holds a module for that hash, posts the IR (without opaque implementations, see
 * wire.ts) to the worker, which runs the transforms still needed, generates the code and compiles
 * it. The `WebAssembly.Module` comes back and is instantiated here, in the caller's runtime
 * memory, with the opaque functions' JS implementations as its imports.
 */
import type { Func } from '../ir/types.ts';
import { DEFAULT_LEVEL, type OptimizeLevel } from '../wasm/optimize.ts';
import type { Runtime } from '../wasm/runtime.ts';
import { PromiseCache } from './cache.ts';
import { abortError, throwIfAborted, workerClient } from './client.ts';
import type { CompileMode, CompileRequest, CompiledModule } from './protocol.ts';
import { toWire, transfers, wireHash } from './wire.ts';

/** Options of a compile in the worker. */
export interface RemoteOptions {
  readonly optimize?: boolean | OptimizeLevel;
  readonly signal?: AbortSignal;
}

/** A module compiled in the worker and instantiated on this thread. */
export interface RemoteInstance {
  readonly instance: WebAssembly.Instance;
  readonly compiled: CompiledModule;
}

const modules = new PromiseCache<CompiledModule>();

/** Return how often the module cache answered without the worker (hits) and with it (misses). */
export function moduleCacheStats(): { hits: number; misses: number; size: number } {
  return { hits: modules.hits, misses: modules.misses, size: modules.size };
}

/** Return the optimize option as posted: `false` or a level. */
function levelOf(optimize: RemoteOptions['optimize']): false | OptimizeLevel {
  if (optimize === undefined || optimize === false) return false;
  return optimize === true ? DEFAULT_LEVEL : { level: optimize.level, shrink: optimize.shrink };
}

/** Return `p`, or reject as soon as `signal` aborts. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, where: string): Promise<T> {
  if (signal === undefined) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal, where));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Compile `func` (with `mode`) in the worker, or take its module from the cache, and instantiate
 * it in `rt`. Rejects with the worker's `RoseError`s, `worker-failed` or `aborted`.
 */
export async function instantiateRemote(
  func: Func,
  mode: CompileMode,
  rt: Runtime,
  options: RemoteOptions,
  where: string,
): Promise<RemoteInstance> {
  const { signal } = options;
  throwIfAborted(signal, where);
  const optimize = levelOf(options.optimize);
  const { program, opaques } = toWire(func);
  const key = `${mode} ${optimize === false ? '-' : `${optimize.level}.${optimize.shrink}`} ${wireHash({ program, opaques })}`;
  const request = (): Promise<CompiledModule> => {
    const body: Omit<CompileRequest, 'id'> = { type: 'compile', program, mode, optimize, where };
    return workerClient().request<CompiledModule>(body, { where, transfer: transfers(program) });
  };
  // one compile serves every caller with the same IR; each caller cancels only its own wait
  const compiled = await abortable(modules.get(key, request), signal, where);
  const fns: Record<string, (...xs: number[]) => number> = {};
  compiled.importSlots.forEach((slot, k) => (fns[String(k)] = opaques[slot]!.impl));
  const instance = await WebAssembly.instantiate(compiled.module, { m: { '': rt.memory }, '': fns });
  throwIfAborted(signal, where);
  return { instance, compiled };
}
