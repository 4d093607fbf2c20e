/**
 * @file The math library compiled into wasm modules: `exp, log, sin, cos, tan, asin, acos, atan, atan2,
 * sinh, cosh, tanh, pow, log1p, expm1, hypot, cbrt` as plain wasm functions (f64 -> f64, or
 * (f64, f64) -> f64 for `atan2(y, x)`, `pow(x, y)` and `hypot(x, y)`). They are deterministic (pure f64
 * arithmetic, no fused multiply-add, no imports), match `Math.*` on special values and stay within one
 * ulp of the true value. Functions are added to a module lazily, each once, with the internal helpers
 * they call; they need nothing from the module but function slots (no memory, globals or imports).
 */
import { F64, type ModuleBuilder, type ValType } from '../encoder.ts';
import { Fn } from './dsl.ts';
import { buildExp, buildExpm1, buildLog, buildLog1p } from './exp-log.ts';
import { buildCosh, buildSinh, buildTanh } from './hyperbolic.ts';
import { buildAcos, buildAsin, buildAtan, buildAtan2 } from './inverse-trig.ts';
import { buildCbrt, buildHypot } from './misc.ts';
import { buildPow } from './pow.ts';
import { buildCos, buildSin, buildTan } from './trig.ts';

/** The names of the math functions. */
export type MathFn =
  | 'exp' | 'log' | 'sin' | 'cos' | 'tan' | 'asin' | 'acos' | 'atan' | 'atan2'
  | 'sinh' | 'cosh' | 'tanh' | 'pow' | 'log1p' | 'expm1' | 'hypot' | 'cbrt';

/** A function body builder: emits the body into `fn`, asking `ctx` for the functions it calls. */
export type Builder = (fn: Fn, ctx: MathContext) => void;

/** What a function body builder may ask of the library: other functions, by name or helper key. */
export interface MathContext {
  /** Return the function index of `name`, emitting it on first use. */
  get(name: MathFn): number;
  /** Return the function index of the internal helper `key`, built by `build` on first use. */
  helper(key: string, params: readonly ValType[], results: readonly ValType[], build: Builder): number;
}

/** Each function's arity and body builder. */
const FUNCTIONS: { readonly [F in MathFn]: readonly [arity: 1 | 2, build: Builder] } = {
  exp: [1, buildExp],
  log: [1, buildLog],
  expm1: [1, buildExpm1],
  log1p: [1, buildLog1p],
  sin: [1, buildSin],
  cos: [1, buildCos],
  tan: [1, buildTan],
  asin: [1, buildAsin],
  acos: [1, buildAcos],
  atan: [1, buildAtan],
  atan2: [2, buildAtan2],
  sinh: [1, buildSinh],
  cosh: [1, buildCosh],
  tanh: [1, buildTanh],
  pow: [2, buildPow],
  hypot: [2, buildHypot],
  cbrt: [1, buildCbrt],
};

/** All math function names, in a stable order. */
export const MATH_FNS = Object.keys(FUNCTIONS) as readonly MathFn[];

/**
 * Lazily adds math functions to one module; each is emitted once, with its helpers. Functions are
 * defined as they are requested, so declare the module's imports first (the encoder wants imports
 * before functions).
 */
export class MathLibrary implements MathContext {
  readonly #module: ModuleBuilder;
  readonly #indices = new Map<string, number>();

  constructor(module: ModuleBuilder) {
    this.#module = module;
  }

  /** Return the function index of `name` in the module, emitting it (and what it calls) on first use. */
  get(name: MathFn): number {
    const [arity, build] = FUNCTIONS[name];
    return this.helper(name, arity === 1 ? [F64] : [F64, F64], [F64], build);
  }

  /** Return the function index of the internal helper `key`, emitting it on first use. */
  helper(key: string, params: readonly ValType[], results: readonly ValType[], build: Builder): number {
    const known = this.#indices.get(key);
    if (known !== undefined) return known;
    const index = this.#module.declareFunc(this.#module.type(params, results));
    this.#indices.set(key, index);
    const fn = new Fn(params);
    build(fn, this);
    this.#module.defineFunc(index, { locals: fn.locals(), code: fn.code });
    return index;
  }
}
