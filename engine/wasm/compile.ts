/**
 * @file `compile` and `compileSync`: run an `Fn` as WebAssembly with Rose's calling semantics
 * (rose-reference §3.10). The returned function takes and returns the same JS values as
 * `interp(f)`, rejects bad arguments with the same `RoseError`s, and shares one wasm memory with
 * every function compiled into the same runtime.
 *
 * A call writes its aggregate arguments (vectors, structs) at the start of the runtime's scratch
 * region, passes scalars as wasm values, passes the address after the arguments as the frame
 * pointer, and decodes the result before returning. The scratch region is shared, so calls are
 * not re-entrant: an opaque JS function must not call a compiled function of the same memory
 * (this is detected and refused). Compiled modules are cached per IR function.
 */
import { RoseError, formatMessage } from '../errors.ts';
import { FuncBuilder } from '../ir/builder.ts';
import type { Func, TransparentFunc } from '../ir/types.ts';
import { checkArity, funcOf, type Fn, type Typed } from '../trace/fn.ts';
import type { JsParams } from '../trace/run.ts';
import { showTy, type Js } from '../trace/types.ts';
import { generate, type WasmArtifact } from './codegen.ts';
import {
  argPlan,
  encodeSlow,
  flatRealCount,
  resultDecoder,
  scalarValue,
  type ArgPlan,
} from './marshal.ts';
import { DEFAULT_LEVEL, loadOptimizer, optimizeModule, type OptimizeLevel } from './optimize.ts';
import { runtimeFor, type Runtime } from './runtime.ts';
import { throwIfAborted } from '../runtime/client.ts';
import { instantiateRemote } from '../runtime/remote.ts';
import { workersAvailable } from '../runtime/spawn.ts';

/** Options of `compile` and `compileSync`. */
export interface CompileOptions {
  /**
   * The memory to run in, shared with everything else compiled into it (Rose's `{ memory }`).
   * It is grown by exactly the pages the function needs. Default: the engine's own memory, one
   * per JS realm, shared by all functions compiled without this option.
   */
  readonly memory?: WebAssembly.Memory;
  /**
   * Run binaryen's optimizer on the module (the optional tier, engine/wasm/optimize.ts): for
   * functions called many times. binaryen is an optional dependency (`npm install binaryen`),
   * loaded on first use by `compile`; the synchronous compiles need `await loadOptimizer()`
   * first. The optimizer runs on the calling thread (tens of ms to seconds); results are
   * identical, bit for bit. `true` is binaryen's `-O2`; an `OptimizeLevel` picks another.
   * Default: false.
   */
  readonly optimize?: boolean | OptimizeLevel;
  /**
   * Cancels `compile`: it rejects with a `RoseError` of code `aborted` (the signal's reason is
   * its `cause`). A compile already running in the worker finishes there, unused (its module is
   * still cached). The synchronous compiles only check it before starting.
   */
  readonly signal?: AbortSignal;
  /**
   * Where `compile` does its work in a browser window: `true` (the default there) runs the
   * transforms, code generation and `WebAssembly.compile` in a module worker, so the main thread
   * only traces and instantiates; `false` does everything on the calling thread. Ignored in Node
   * and inside workers (always in-process) and by the synchronous compiles.
   */
  readonly worker?: boolean;
}

/**
 * A compiled function: call it like `interp(f)`. Results are fresh JS values (arrays, objects),
 * decoded before the call returns, so later calls never change them.
 */
export type Compiled<P extends readonly unknown[], R> = ((...args: JsParams<P>) => Js<R>) & {
  /**
   * Call the function and write its result, a vector of reals (nested vectors flattened row-major),
   * into `out` instead of allocating an array; return `out`. `out.length` must equal the number
   * of reals. Throws `invalid-type` for other result types.
   */
  into(out: Float64Array, ...args: JsParams<P>): Float64Array;
  /** The wasm memory the function runs in. */
  readonly memory: WebAssembly.Memory;
};

// ---------------------------------------------------------------------------------------------
// Module cache

/** Generated code of one IR function, and its compiled module once known. */
interface Prepared {
  readonly artifact: WasmArtifact;
  module?: WebAssembly.Module;
  pending?: Promise<WebAssembly.Module>;
  /** The same code optimized by binaryen, per level (`-O2` is `'2.0'`), once asked for. */
  optimized?: Map<string, Prepared>;
}

const prepared = new WeakMap<Func, Prepared>();
const wrappers = new WeakMap<Func, TransparentFunc>();

/** Return the function to generate code for: `func`, or a wrapper calling it if it is opaque. */
function rootOf(func: Func): Func {
  if (func.kind !== 'opaque') return func;
  let w = wrappers.get(func);
  if (w === undefined) {
    const b = new FuncBuilder(func.name);
    const params = func.paramTypes.map((t) => b.param(t));
    wrappers.set(func, (w = b.finish(b.call(func, params))));
  }
  return w;
}

/** Return the generated code of `func` (memoized; throws generate's `RoseError`s). */
export function prepare(func: Func): Prepared {
  let p = prepared.get(func);
  if (p === undefined) prepared.set(func, (p = { artifact: generate(rootOf(func)) }));
  return p;
}

/** Return `p`, or with `optimize` its binaryen-optimized twin (binaryen must be loaded). */
function variant(p: Prepared, optimize: CompileOptions['optimize'], where: string): Prepared {
  if (optimize === undefined || optimize === false) return p;
  const level = optimize === true ? DEFAULT_LEVEL : optimize;
  const key = `${level.level}.${level.shrink}`;
  p.optimized ??= new Map();
  let q = p.optimized.get(key);
  if (q === undefined) {
    q = { artifact: { ...p.artifact, bytes: optimizeModule(p.artifact.bytes, where, level) } };
    p.optimized.set(key, q);
  }
  return q;
}

/** Return the compiled module of `p`, compiling it synchronously if needed. */
function moduleSync(p: Prepared): WebAssembly.Module {
  p.module ??= new WebAssembly.Module(p.artifact.bytes);
  return p.module;
}

/**
 * Return the compiled module of `func` and its generated code; with `optimize`, loading binaryen
 * and optimizing first (the compile worker's work, and `instantiate`'s).
 */
export async function compileModule(
  func: Func,
  optimize: CompileOptions['optimize'],
  where: string,
): Promise<{ module: WebAssembly.Module; artifact: WasmArtifact }> {
  if (optimize !== undefined && optimize !== false) await loadOptimizer();
  const p = variant(prepare(func), optimize, where);
  return { module: await moduleAsync(p), artifact: p.artifact };
}

/** Return the compiled module of `p`, compiling it asynchronously if needed. */
async function moduleAsync(p: Prepared): Promise<WebAssembly.Module> {
  if (p.module !== undefined) return p.module;
  p.pending ??= WebAssembly.compile(p.artifact.bytes).then((m) => (p.module = m));
  return p.pending;
}

/** Return the import object of `artifact` running in `rt`. */
function importsOf(rt: Runtime, artifact: WasmArtifact): WebAssembly.Imports {
  const fns: Record<string, (...xs: number[]) => number> = {};
  artifact.imports.forEach((o, k) => (fns[String(k)] = o.impl));
  return { m: { '': rt.memory }, '': fns };
}

/** A wasm export `f`: scalar arguments, then `sp`; returns a number (or nothing). */
export type WasmEntry = (...args: number[]) => number;

/** Return the export `f` of an instance of `module`. */
export function entryOf(instance: WebAssembly.Instance): WasmEntry {
  return instance.exports['f'] as WasmEntry;
}

/**
 * Instantiate `func`'s module in `rt` synchronously and return its entry; with `optimize`, the
 * optimized module (throws `unsupported` unless binaryen is loaded; `where` names the caller).
 */
export function instantiateSync(
  func: Func,
  rt: Runtime,
  optimize?: CompileOptions['optimize'],
  where = 'compileSync(f)',
): { entry: WasmEntry; artifact: WasmArtifact; instance: WebAssembly.Instance } {
  const p = variant(prepare(func), optimize, where);
  const instance = new WebAssembly.Instance(moduleSync(p), importsOf(rt, p.artifact));
  return { entry: entryOf(instance), artifact: p.artifact, instance };
}

/** Instantiate `func`'s module in `rt` and return its entry; with `optimize`, loading binaryen. */
export async function instantiate(
  func: Func,
  rt: Runtime,
  optimize?: CompileOptions['optimize'],
  where = 'compile(f)',
): Promise<{ entry: WasmEntry; artifact: WasmArtifact; instance: WebAssembly.Instance }> {
  const { module, artifact } = await compileModule(func, optimize, where);
  const instance = await WebAssembly.instantiate(module, importsOf(rt, artifact));
  return { entry: entryOf(instance), artifact, instance };
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * Return the error to throw for `e`, raised while running compiled code: the `unreachable` trap
 * means a dynamic index out of range; other traps are engine bugs; errors thrown by opaque JS
 * functions pass through unchanged, as in `interp`.
 */
export function runError(e: unknown, where: string): unknown {
  if (!(e instanceof WebAssembly.RuntimeError)) return e;
  if (/unreachable/.test(e.message))
    return new RoseError(
      'invalid-value',
      formatMessage(
        'invalid value: index out of range: an index value (an argument, or a result of iadd) ' +
          'was not below the size of the vector it indexed',
        where,
        'Keep index values below their index type',
      ),
      { cause: e },
    );
  return new RoseError('internal', `internal: wasm trap in ${where}: ${e.message}`, { cause: e });
}

// ---------------------------------------------------------------------------------------------
// Calling

/** Return a function calling `entry` with `args` and returning its raw wasm result. */
function invoker(
  rt: Runtime,
  func: Func,
  entry: WasmEntry,
  plan: ArgPlan,
  where: string,
): (args: readonly unknown[]) => number {
  const params = plan.params;
  const n = params.length;
  const vals: number[] = [];
  for (const p of params) if (p.kind !== 'none') vals.push(0);
  vals.push(0); // sp
  const spAt = vals.length - 1;
  const call = caller(entry, vals);
  return (args) => {
    if (args.length !== n) checkArity(func, args.length, where);
    rt.sync();
    rt.enter(where);
    try {
      const base = rt.heapTop;
      let k = 0;
      for (let i = 0; i < n; i++) {
        const p = params[i]!;
        const x = args[i];
        const at = base + p.offset;
        if (!p.enc(x, at)) encodeSlow(rt, p.ty, x, at, p.where);
        if (p.kind === 'ptr') vals[k++] = at;
        else if (p.kind !== 'none') vals[k++] = scalarValue(x);
      }
      vals[spAt] = base + plan.bytes;
      return call();
    } catch (e) {
      throw runError(e, where);
    } finally {
      rt.leave();
      rt.sync(); // an opaque function may have grown the memory
    }
  };
}

/** Return a function calling `entry` on the current contents of `vals` (fixed arity for speed). */
function caller(entry: WasmEntry, vals: number[]): () => number {
  switch (vals.length) {
    case 1:
      return () => entry(vals[0]!);
    case 2:
      return () => entry(vals[0]!, vals[1]!);
    case 3:
      return () => entry(vals[0]!, vals[1]!, vals[2]!);
    case 4:
      return () => entry(vals[0]!, vals[1]!, vals[2]!, vals[3]!);
    default:
      return () => Reflect.apply(entry, undefined, vals) as number;
  }
}

/**
 * Return the compiled JS function of `func`, instantiated as `entry` in `rt`; `frameSize` is the
 * scratch its module needs (`WasmArtifact.frameSize`).
 */
function compiled(rt: Runtime, func: Func, entry: WasmEntry, frameSize: number): Compiled<never, never> {
  const where = `compiled ${func.name}`;
  const plan = argPlan(rt, func.paramTypes, where);
  rt.needScratch(plan.bytes + frameSize, where);
  const invoke = invoker(rt, func, entry, plan, where);
  const decode = resultDecoder(rt, func.retType);
  const g = (...args: unknown[]): unknown => decode(invoke(args));
  const count = flatRealCount(func.retType);
  const into = (out: Float64Array, ...args: unknown[]): Float64Array => {
    if (count === undefined)
      throw new RoseError(
        'invalid-type',
        formatMessage(
          `invalid type: into(out, ...) needs a result of reals or vectors of reals, ` +
            `${func.name} returns ${showTy(func.retType)}`,
          `${where}.into`,
        ),
      );
    if (!(out instanceof Float64Array) || out.length !== count)
      throw new RoseError(
        'invalid-value',
        formatMessage(
          `invalid value: into(out, ...) needs a Float64Array of length ${count}`,
          `${where}.into`,
        ),
      );
    const r = invoke(args);
    if (func.retType.kind === 'real' || func.retType.kind === 'tan') out[0] = r;
    else copyReals(rt, r >>> 0, out, count);
    return out;
  };
  Object.defineProperty(g, 'name', { value: func.name });
  Object.defineProperties(g, { into: { value: into }, memory: { value: rt.memory } });
  return g as unknown as Compiled<never, never>;
}

/** Copy `n` reals from address `addr` of `rt`'s memory into `out`. */
function copyReals(rt: Runtime, addr: number, out: Float64Array, n: number): void {
  const f = rt.f64;
  const b = addr >>> 3;
  if (n > 32) out.set(f.subarray(b, b + n));
  else for (let i = 0; i < n; i++) out[i] = f[b + i]!;
}

/** Return true when a compile with `options` should run in the worker (see `CompileOptions.worker`). */
export function inWorker(options: CompileOptions): boolean {
  return options.worker !== false && workersAvailable();
}

/**
 * Compile `f` to WebAssembly and return a JS function that runs it (Rose's `compile`). Resolves
 * after the module is compiled and instantiated; rejects with a `RoseError` if `f` cannot be
 * compiled (for example, if it needs more memory than 32-bit wasm can address). In a browser
 * window the heavy work runs in a worker (`CompileOptions.worker`), and modules are cached by
 * a hash of their IR; a worker that dies rejects with `worker-failed`, a `signal` with `aborted`.
 */
export async function compile<const P extends readonly unknown[], const R>(
  f: Fn & Typed<P, R>,
  options: CompileOptions = {},
): Promise<Compiled<P, R>> {
  const where = 'compile(f)';
  const func = funcOf(f, where);
  const rt = runtimeFor(options.memory);
  if (inWorker(options)) {
    const { instance, compiled: m } = await instantiateRemote(func, 'fn', rt, options, where);
    return compiled(rt, func, entryOf(instance), m.frameSize) as unknown as Compiled<P, R>;
  }
  throwIfAborted(options.signal, where);
  const { entry, artifact } = await instantiate(func, rt, options.optimize);
  throwIfAborted(options.signal, where);
  return compiled(rt, func, entry, artifact.frameSize) as unknown as Compiled<P, R>;
}

/**
 * Compile `f` synchronously (`compile` without the promise). Fine in Node and in workers. In a
 * browser's main thread, Chromium refuses synchronous compilation and instantiation of modules
 * larger than 8 MB (`new WebAssembly.Module` / `Instance` throw a RangeError): use `compile`
 * there for large (unrolled) programs. With `optimize: true`, call `await loadOptimizer()` first.
 */
export function compileSync<const P extends readonly unknown[], const R>(
  f: Fn & Typed<P, R>,
  options: CompileOptions = {},
): Compiled<P, R> {
  const func = funcOf(f, 'compileSync(f)');
  throwIfAborted(options.signal, 'compileSync(f)');
  const rt = runtimeFor(options.memory);
  const { entry, artifact } = instantiateSync(func, rt, options.optimize);
  return compiled(rt, func, entry, artifact.frameSize) as unknown as Compiled<P, R>;
}
