/**
 * @file The optional optimizing tier: binaryen's optimizer run on the module codegen emits, for
 * functions that will be called many times (an optimizer loop). `compile(f, { optimize: true })`
 * loads binaryen on first use; `compileSync(f, { optimize: true })` needs it loaded already
 * (`await loadOptimizer()`). binaryen is an optional peer dependency (`npm install binaryen`,
 * 2.6 MB gzip, 0.35-1 s to load): it is imported lazily with a dynamic `import('binaryen')`, so
 * the engine's bundle never contains it and programs that never ask for it never load it.
 *
 * What it costs and what it gains (bench/optimize.bench.ts, Node 20, gradients): loading binaryen
 * takes 0.35-0.75 s once; the optimizer then runs on the calling thread, its first run in a
 * process taking 0.1-0.5 s for a 1 KB module (Rosenbrock with `sum`), 0.6-1.9 s for 20-150 KB
 * ones (the MLP, the spring chain) and 2-3.5 s for 400 KB ones (the pairwise energy, a 20k-op
 * unrolled chain); later runs take about half as long (binaryen's own code is warm). V8's
 * optimizing tier already does most of what binaryen does, so most gradients run no faster
 * (within 3%: Rosenbrock with `sum`, the MLP, the spring chain, the unrolled chain). The
 * exception is many calls of a small `fn` (the pairwise energy's pair function, 1770 calls):
 * binaryen inlines them from -O2 on (V8 in Node 20 does not inline wasm calls); the gradient
 * runs 17-24% faster, which repays the optimizer after about 0.7-1.5 million calls (minutes of
 * an optimizer loop). So: leave it off unless a function calls small `fn`s many times and runs
 * long, and measure. `-O2` is the level: `-O1` gains less, and `-O3` or any shrink level took
 * 10-40x longer (30-90 s on those 400 KB modules) for no more speed.
 *
 * Semantics are unchanged, bit for bit: fast-math stays off, so binaryen only rewrites floats
 * in ways IEEE 754 makes exact (`x*2/2` -> `(x+x)*0.5`, `x - 0` -> `x + -0`; never `x + 0` -> `x`
 * or reassociation), up to NaN payloads (`x*-1` -> `-0 - x`), which wasm itself leaves
 * unspecified; traps are kept (an out-of-range index still fails); nothing is assumed of the
 * contents of memory.
 */
import { RoseError, formatMessage, internal } from '../errors.ts';

/** The part of binaryen's API the optimizer uses (typed here: binaryen is optional). */
interface Binaryen {
  readonly Features: { readonly [name: string]: number };
  readBinary(data: Uint8Array, features?: number): BinaryenModule;
  getOptimizeLevel(): number;
  setOptimizeLevel(level: number): number;
  getShrinkLevel(): number;
  setShrinkLevel(level: number): number;
  getFastMath(): boolean;
  setFastMath(on: boolean): void;
}

/** A binaryen module (the methods used here). */
interface BinaryenModule {
  validate(): number;
  optimize(): void;
  /** A fresh copy of the bytes (binaryen's own typing says `Uint8Array`: toolchain §2.4c). */
  emitBinary(): Uint8Array<ArrayBuffer>;
  dispose(): void;
}

/** How hard binaryen optimizes: `-O<level>` with shrink level `shrink` (`-Os` is 2, 1). */
export interface OptimizeLevel {
  readonly level: 0 | 1 | 2 | 3 | 4;
  readonly shrink: 0 | 1 | 2;
}

/** The level `optimize: true` uses (`-O2`; the file comment gives the measurements). */
export const DEFAULT_LEVEL: OptimizeLevel = { level: 2, shrink: 0 };

/**
 * The wasm features of our modules: what codegen emits (bulk memory, saturating truncation,
 * multi-value results) plus sign extension and mutable globals, which every engine that runs
 * the rest has. binaryen may use these and no others in its output.
 */
const FEATURES = [
  'MutableGlobals',
  'NontrappingFPToInt',
  'BulkMemory',
  'BulkMemoryOpt',
  'SignExt',
  'Multivalue',
] as const;

/** How to import binaryen: returns its module namespace (or its default export). */
export type OptimizerImport = () => Promise<unknown>;

/** `import('binaryen')`: a bare specifier, left for the user's bundler or import map to resolve. */
const importBinaryen: OptimizerImport = () => import('binaryen');

let loaded: Binaryen | undefined;
let loading: Promise<Binaryen> | undefined;

/** Return whether binaryen is loaded (so `compileSync(f, { optimize: true })` can run). */
export function optimizerLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * Load binaryen for `optimize: true` (once; later calls return at once). `compile` calls it
 * itself; call it before `compileSync(f, { optimize: true })`. `from` replaces the default
 * `import('binaryen')`, for example to load it from a URL:
 * `loadOptimizer(() => import('https://cdn.example/binaryen@132/index.js'))`.
 * Rejects with a `RoseError` (`unsupported`) if binaryen cannot be loaded.
 */
export async function loadOptimizer(from: OptimizerImport = importBinaryen): Promise<void> {
  if (loaded !== undefined) return;
  loading ??= importWith(from);
  try {
    loaded = await loading;
  } finally {
    loading = undefined; // after a failure, the next call tries again
  }
}

/** Import binaryen with `from`; check it looks like binaryen. */
async function importWith(from: OptimizerImport): Promise<Binaryen> {
  let ns: unknown;
  try {
    ns = await from();
  } catch (e) {
    throw missing(e instanceof Error ? e.message : String(e), e);
  }
  const b = (ns as { default?: unknown } | null)?.default ?? ns;
  if (!isBinaryen(b)) throw missing('the module loaded is not binaryen.js');
  return b;
}

/** Return whether `b` has the functions `optimizeModule` calls. */
function isBinaryen(b: unknown): b is Binaryen {
  const x = b as Partial<Record<keyof Binaryen, unknown>> | null;
  return (
    typeof x?.readBinary === 'function' &&
    typeof x.setOptimizeLevel === 'function' &&
    typeof x.setFastMath === 'function' &&
    typeof x.Features === 'object'
  );
}

/** The error for a binaryen that could not be loaded. */
function missing(why: string, cause?: unknown): RoseError {
  return new RoseError(
    'unsupported',
    formatMessage(
      `optimize: true needs binaryen, an optional dependency, which could not be loaded: ${why}`,
      'loadOptimizer()',
      'Install it (npm install binaryen), or compile without { optimize: true }',
    ),
    { cause },
  );
}

/** Return binaryen if loaded; throw the `unsupported` error of a synchronous compile otherwise. */
function ready(where: string): Binaryen {
  if (loaded !== undefined) return loaded;
  throw new RoseError(
    'unsupported',
    formatMessage(
      'optimize: true in a synchronous compile needs binaryen loaded first',
      where,
      'Call `await loadOptimizer()` once before, or use the async compile',
    ),
  );
}

/** Throw `invalid-value` unless `l` is a level binaryen has (`-O0`..`-O4`, shrink 0..2). */
function checkLevel(l: OptimizeLevel, where: string): void {
  const ok = (x: unknown, max: number) =>
    typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max;
  if (typeof l === 'object' && l !== null && ok(l.level, 4) && ok(l.shrink, 2)) return;
  throw new RoseError(
    'invalid-value',
    formatMessage(
      'invalid value: optimize must be true, false or { level: 0-4, shrink: 0-2 }, ' +
        `not ${JSON.stringify(l)}`,
      where,
    ),
  );
}

/**
 * Return `bytes` (a module from codegen) optimized by binaryen at `level`, validated. binaryen
 * must be loaded (`loadOptimizer`); `where` names the compile for the error otherwise. Imports
 * and the export `f` keep their names and types (unused imports may be removed), so the
 * optimized module instantiates with the same import object.
 */
export function optimizeModule(
  bytes: Uint8Array<ArrayBuffer>,
  where: string,
  level: OptimizeLevel = DEFAULT_LEVEL,
): Uint8Array<ArrayBuffer> {
  checkLevel(level, where);
  const b = ready(where);
  let features = 0;
  for (const name of FEATURES) features |= b.Features[name] ?? internal(`binaryen lacks ${name}`);
  const saved = {
    level: b.getOptimizeLevel(),
    shrink: b.getShrinkLevel(),
    fastMath: b.getFastMath(),
  };
  let m: BinaryenModule | undefined;
  try {
    m = b.readBinary(bytes, features);
    if (!m.validate()) internal(`binaryen rejects the module codegen emitted (${where})`);
    // binaryen's options are global: set ours, restore the caller's afterwards
    b.setOptimizeLevel(level.level);
    b.setShrinkLevel(level.shrink);
    b.setFastMath(false); // binaryen's fast-math rewrites (x*1 -> x, x*-1 -> -x) change NaN bits
    m.optimize();
    if (!m.validate()) internal(`binaryen's optimized module is invalid (${where})`);
    return m.emitBinary();
  } catch (e) {
    if (e instanceof RoseError) throw e;
    const message = `internal: binaryen failed on ${where}: ${String(e)}`;
    throw new RoseError('internal', message, { cause: e });
  } finally {
    m?.dispose();
    b.setOptimizeLevel(saved.level);
    b.setShrinkLevel(saved.shrink);
    b.setFastMath(saved.fastMath);
  }
}
