/**
 * @file The zero-copy entry for optimizer hot loops: `compileValueAndGrad(f)` for a Real-valued
 * `f` of one `Vec(n, Real)` parameter. The parameters `x` and the `gradient` are `Float64Array`
 * views of a pinned region of wasm memory that no other call writes; `evaluate()` runs the
 * compiled `valueAndGrad(f)` on `x` in place (passed by address, never copied), with the
 * gradient accumulated straight into `gradient`, and returns the value. Per call it creates no
 * arrays and no objects.
 *
 * ```ts
 * const h = compileValueAndGradSync(rosenbrock); // or: await compileValueAndGrad(rosenbrock)
 * h.x.set(start);
 * for (let k = 0; k < 1000; k++) {
 *   const value = h.evaluate();            // writes h.gradient
 *   const x = h.x, g = h.gradient;          // re-read the views each iteration (see below)
 *   for (let i = 0; i < h.n; i++) x[i] -= 1e-3 * g[i]!;
 * }
 * h.dispose(); // frees the pinned region now (otherwise when `h` is garbage collected)
 * ```
 *
 * Where the result goes: the compiled root takes the destinations of its result's members
 * (export 'g', codegen.ts), so `evaluate()` passes the pinned gradient and a pinned cell for the
 * value, and nothing is copied; `gradient` stays valid until the next `evaluate()` of this object,
 * whatever else runs (an `evaluate()` that throws leaves it unspecified). Where the root has no
 * such export (n = 0), the result is built in the scratch frame shared by every function of the
 * runtime and the gradient is copied out of it.
 *
 * Views: growing a wasm memory (compiling a bigger function into it) detaches every view of the
 * old buffer. The `x` and `gradient` getters notice that and return fresh views, so read them
 * after anything that may compile, or simply every iteration (it is a field read when nothing
 * changed). Keep the object alive while using its views: once it is disposed or collected, its
 * region is reused.
 */
import { RoseError, formatMessage } from '../errors.ts';
import { erase, type Func, type StructTy } from '../ir/types.ts';
import { valueAndGrad } from '../trace/autodiff.ts';
import { funcOf, type Fn, type Typed } from '../trace/fn.ts';
import { showTy, type Vecs, type Reals } from '../trace/types.ts';
import { throwIfAborted } from '../runtime/client.ts';
import { instantiateRemote } from '../runtime/remote.ts';
import {
  entryOf,
  inWorker,
  instantiate,
  instantiateSync,
  runError,
  type CompileOptions,
  type WasmEntry,
} from './compile.ts';
import { memberOffset } from './layout.ts';
import { runtimeFor, type Runtime } from './runtime.ts';

/** A compiled value-and-gradient of a function of `n` reals, working in place in wasm memory. */
export interface CompiledValueAndGrad {
  /** The number of parameters. */
  readonly n: number;
  /** The point to evaluate at: write parameters here (a view of wasm memory, length `n`). */
  readonly x: Float64Array;
  /** The gradient at `x` after the last `evaluate()` (a view of wasm memory, length `n`). */
  readonly gradient: Float64Array;
  /** Compute the value and gradient at `x`; write the gradient into `gradient`; return the value. */
  evaluate(): number;
  /** Free the pinned memory now. Later calls throw; `dispose` itself may be called again. */
  dispose(): void;
  /** The wasm memory the views belong to. */
  readonly memory: WebAssembly.Memory;
}

/** A pinned region to free when its object is collected. */
interface Held {
  readonly rt: Runtime;
  readonly ptr: number;
}

const registry = new FinalizationRegistry<Held>(({ rt, ptr }) => rt.unpin(ptr));

/** The object behind `CompiledValueAndGrad`. */
class ValueAndGrad implements CompiledValueAndGrad {
  readonly n: number;
  readonly memory: WebAssembly.Memory;
  readonly #rt: Runtime;
  readonly #entry: WasmEntry;
  /** The root taking the destinations of the gradient and the value (see `directEntry`). */
  readonly #direct: WasmEntry | undefined;
  readonly #where: string;
  /** Pinned region: x (n reals), then the gradient (n reals), then the value. */
  #ptr: number;
  /** Offsets, in reals, of the value and of the gradient inside the result struct. */
  readonly #valueAt: number;
  readonly #gradAt: number;
  #buffer: ArrayBufferLike | undefined;
  #x = new Float64Array(0);
  #g = new Float64Array(0);

  constructor(rt: Runtime, instance: WebAssembly.Instance, frameSize: number, n: number, ret: StructTy, where: string) {
    this.n = n;
    this.memory = rt.memory;
    this.#rt = rt;
    this.#entry = entryOf(instance);
    this.#direct = directEntry(instance, ret);
    this.#where = where;
    rt.needScratch(frameSize, where);
    this.#ptr = rt.pin(16 * n + 8, where);
    this.#valueAt = memberOffset(ret, ret.keys.indexOf('value')) / 8;
    this.#gradAt = memberOffset(ret, ret.keys.indexOf('grad')) / 8;
    registry.register(this, { rt, ptr: this.#ptr }, this);
  }

  get x(): Float64Array {
    this.#rt.sync();
    if (this.#buffer !== this.#rt.buffer) this.#views();
    return this.#x;
  }

  get gradient(): Float64Array {
    this.#rt.sync();
    if (this.#buffer !== this.#rt.buffer) this.#views();
    return this.#g;
  }

  /** Make fresh views of the pinned region (after growth detached the old ones). */
  #views(): void {
    this.#live();
    const b = this.#rt.buffer;
    this.#buffer = b;
    this.#x = new Float64Array(b, this.#ptr, this.n);
    this.#g = new Float64Array(b, this.#ptr + 8 * this.n, this.n);
  }

  evaluate(): number {
    if (this.#ptr < 0) this.#live();
    const rt = this.#rt;
    rt.enter(this.#where);
    if (this.#direct !== undefined) {
      // the gradient is accumulated in place, the value written after it: nothing to copy
      const p = this.#ptr;
      this.#call(rt, this.#direct, p + 8 * this.n, p + 16 * this.n);
      rt.leave();
      rt.sync();
      return rt.f64[(p >>> 3) + 2 * this.n]!;
    }
    const r = this.#call(rt, this.#entry);
    rt.leave();
    rt.sync();
    const f = rt.f64;
    const at = r >>> 3;
    const n = this.n;
    const src = at + this.#gradAt;
    const dst = (this.#ptr >>> 3) + n;
    // a loop beats the copyWithin builtin's call overhead on short vectors
    if (n <= 64) for (let i = 0; i < n; i++) f[dst + i] = f[src + i]!;
    else f.copyWithin(dst, src, src + n);
    return f[at + this.#valueAt]!;
  }

  /** Call `entry` on x, then the destinations of the gradient and the value if given, then `sp`. */
  #call(rt: Runtime, entry: WasmEntry, grad = -1, value = -1): number {
    try {
      return grad < 0 ? entry(this.#ptr, rt.heapTop) : entry(this.#ptr, grad, value, rt.heapTop);
    } catch (e) {
      rt.leave();
      throw runError(e, this.#where);
    }
  }

  dispose(): void {
    if (this.#ptr < 0) return;
    registry.unregister(this);
    this.#rt.unpin(this.#ptr);
    this.#ptr = -1;
    this.#buffer = undefined;
  }

  /** Throw if the object was disposed. */
  #live(): void {
    if (this.#ptr < 0)
      throw new RoseError(
        'invalid-value',
        formatMessage('invalid value: this compiled object was disposed', this.#where),
      );
  }
}

/**
 * Return the export 'g' of a compiled `valueAndGrad` when it takes the gradient's and the
 * value's destinations, `(x, grad, value, sp) -> ()` (codegen.ts), else undefined.
 */
function directEntry(instance: WebAssembly.Instance, ret: StructTy): WasmEntry | undefined {
  const g = instance.exports['g'];
  const order = ret.keys.length === 2 && ret.keys[0] === 'grad' && ret.keys[1] === 'value';
  return typeof g === 'function' && g.length === 4 && order ? (g as WasmEntry) : undefined;
}

/** Return `n` for a Real-valued `f` of one `Vec(n, Real)`; throw `unsupported` otherwise. */
function paramCount(f: Fn, where: string): number {
  const func = funcOf(f, where);
  const p = func.paramTypes.length === 1 ? erase(func.paramTypes[0]!) : undefined;
  if (p?.kind === 'vec' && p.elem.kind === 'real' && erase(func.retType).kind === 'real')
    return p.size;
  throw new RoseError(
    'unsupported',
    formatMessage(
      `${where} needs a function from Vec(n, Real) to Real; ${func.name} takes ` +
        `(${func.paramTypes.map(showTy).join(', ')}) and returns ${showTy(func.retType)}`,
      where,
      'Wrap it: fn([Vec(n, Real)], Real, (x) => f(...)), or use compile(valueAndGrad(f))',
    ),
  );
}

/** The IR function a zero-copy object runs: `valueAndGrad(f)`, and its result type. */
function target(f: Fn, where: string): { n: number; vg: Func; ret: StructTy } {
  const n = paramCount(f, where);
  const vg = funcOf(valueAndGrad(f as Fn & Typed<[Vecs<number, Reals>], Reals>), where);
  return { n, vg, ret: vg.retType as StructTy };
}

/**
 * Compile the value and gradient of `f`, a Real-valued function of one `Vec(n, Real)`, into a
 * zero-copy object for hot loops (see the file comment). Options as for `compile`: in a browser
 * window only `f` is traced here; `valueAndGrad`, code generation and compilation run in the
 * worker.
 */
export async function compileValueAndGrad(
  f: Fn,
  options: CompileOptions = {},
): Promise<CompiledValueAndGrad> {
  const where = 'compileValueAndGrad(f)';
  const rt = runtimeFor(options.memory);
  if (inWorker(options)) {
    const n = paramCount(f, where);
    const func = funcOf(f, where);
    const { instance, compiled } = await instantiateRemote(func, 'value-and-grad', rt, options, where);
    const ret = compiled.retType as StructTy;
    const name = `compiled value and gradient of ${func.name}`;
    return new ValueAndGrad(rt, instance, compiled.frameSize, n, ret, name);
  }
  throwIfAborted(options.signal, where);
  const { n, vg, ret } = target(f, where);
  const { instance, artifact } = await instantiate(vg, rt, options.optimize, where);
  throwIfAborted(options.signal, where);
  return new ValueAndGrad(rt, instance, artifact.frameSize, n, ret, `compiled value and gradient of ${vg.name}`);
}

/** Return `compileValueAndGrad(f, options)` synchronously (see `compileSync` for the caveat). */
export function compileValueAndGradSync(
  f: Fn,
  options: CompileOptions = {},
): CompiledValueAndGrad {
  const where = 'compileValueAndGradSync(f)';
  throwIfAborted(options.signal, where);
  const { n, vg, ret } = target(f, where);
  const rt = runtimeFor(options.memory);
  const { instance, artifact } = instantiateSync(vg, rt, options.optimize, where);
  return new ValueAndGrad(rt, instance, artifact.frameSize, n, ret, `compiled value and gradient of ${vg.name}`);
}
