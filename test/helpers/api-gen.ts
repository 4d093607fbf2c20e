/**
 * @file Random programs written with the public API, the way users write them, each run two ways
 * from one description: traced into a Rose Kit `fn` (symbolic values, proxies, literals) and
 * evaluated as plain JavaScript numbers (the reference, independent of the engine).
 *
 * fast-check generates an `ApiProgramSpec` (small naturals). `programBody` reads it against an
 * `Ops` implementation: `symbolicOps` calls the engine's exported functions, `numericOps` does
 * the same arithmetic on numbers with `Math.*`, in the same order. The programs take
 * `(x: Vec(3, Real), p: {a: Real, b: Vec(2, Real)}, k: index 3, s: Real)` and return a Real;
 * their steps cover the real math of the API, `select` and `cond` on comparisons, literal,
 * parameter and loop indices (`iadd`, `imod`), destructuring, `vec`, `sum`, `max`/`min`
 * reductions, struct members, calls of an inner `fn` with a struct argument, `grad`,
 * `valueAndGrad` and `vjp` of an inner function used inside the body (with `argnums`), `vjp` of
 * a vector function with a vector cotangent, an `opaque` function with a custom JVP, and any of
 * these inside a loop body. The reference uses the inner functions' analytic partial
 * derivatives, so derivatives of the whole program check second-order differentiation too.
 */
import fc from 'fast-check';
import * as rk from '../../engine/index.ts';
import type { Nat, Real as RealValue } from '../../engine/index.ts';

/** One step: `op` picks what it computes, `a`, `b`, `c` its operands in the pool, `v` a variant. */
export interface ApiStep {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly v: number;
}

/** A generated program: its steps and the inner function (0-2) its calls use. */
export interface ApiProgramSpec {
  readonly inner: number;
  readonly steps: readonly ApiStep[];
}

/** A comparison result: symbolic `Bool` or a JS boolean. */
type Cond = unknown;

/**
 * The operations a program uses, over values `T` (a symbolic Real or a number) and indices `I`
 * (a symbolic index or a number). Both implementations compute the same expression tree.
 */
export interface Ops<T, I> {
  readonly unary: Readonly<Record<(typeof UNARY)[number], (x: T) => T>>;
  /** Binary operations; a JS number operand is a literal (as users write `mul(x, 2)`). */
  readonly binary: Readonly<Record<(typeof BINARY)[number], (x: T | number, y: T | number) => T>>;
  lt(x: T, y: T): Cond;
  gt(x: T, y: T): Cond;
  both(p: Cond, q: Cond): Cond;
  either(p: Cond, q: Cond): Cond;
  not(p: Cond): Cond;
  select(p: Cond, x: T, y: T): T;
  cond(p: Cond, then: () => T, els: () => T): T;
  /** `(k + 1) mod 3` by `iadd` and `imod`. */
  nextIndex(k: I): I;
  /** `f(0) + f(1) + f(2)`. */
  sum3(f: (i: I) => T): T;
  /** The vector `[f(0), f(1), f(2)]`. */
  vec3(f: (i: I) => T): readonly T[];
  /** The largest (`max`) or smallest of `f(0..2)`. */
  reduce3(kind: 'max' | 'min', f: (i: I) => T): T;
  /** The inner function `g(a, b)`, called as a `fn`. */
  call(a: T, b: T): T;
  /** `[dg/da, dg/db]` at `(a, b)`, by `grad` with `argnums` (`which` picks the form). */
  gradients(a: T, b: T, which: number): readonly [T, T];
  /** `[g(a, b), ct dg/da, ct dg/db]` by `vjp`. */
  pullback(a: T, b: T, ct: T): readonly [T, T, T];
  /**
   * `[h0, h1, J^T c]` of the vector function `h(a, b) = [sin(a) b, a + b^2]` by `vjp`, its
   * argument a JS array `[a, b]`, with the vector cotangent `c = [c, 0.5]`.
   */
  vecPullback(a: T, b: T, c: T): readonly T[];
  /** `s(u) = u^2 / 2 + sin u`, an opaque JS function with a custom JVP. */
  opaque(u: T): T;
  /** `{a, b: [b0, b1]}` through a `fn` taking that struct: `a * b0 + tanh(b1)`. */
  structCall(a: T, b0: T, b1: T): T;
}

/** The unary operations, with domain-safe wrappers applied by `programBody`. */
export const UNARY = [
  'sin', 'cos', 'tanh', 'atan', 'neg', 'exp', 'log', 'sqrt', 'log1p', 'expm1',
  'cbrt', 'asin', 'acos', 'sinh', 'cosh', 'tan', 'abs',
] as const;

/** The binary operations; `div` and `pow` get safe operands from `programBody`. */
export const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'atan2', 'hypot', 'min', 'max'] as const;

/** The inner functions `g(a, b)`: value and partial derivatives, written over `Ops`. */
const INNER: readonly (<T, I>(o: Ops<T, I>, a: T, b: T) => [T, T, T])[] = [
  // sin(a) b + a^2: (cos(a) b + 2a, sin a)
  (o, a, b) => {
    const { add, mul } = o.binary;
    return [add(mul(o.unary.sin(a), b), mul(a, a)), add(mul(o.unary.cos(a), b), mul(a, 2)), o.unary.sin(a)];
  },
  // tanh(a b): (b (1 - t^2), a (1 - t^2))
  (o, a, b) => {
    const { mul, sub } = o.binary;
    const t = o.unary.tanh(mul(a, b));
    const d = sub(1, mul(t, t));
    return [t, mul(b, d), mul(a, d)];
  },
  // log(a^2 + b^2 + 1): (2a / q, 2b / q)
  (o, a, b) => {
    const { add, mul, div } = o.binary;
    const q = add(add(mul(a, a), mul(b, b)), 1);
    return [o.unary.log(q), div(mul(a, 2), q), div(mul(b, 2), q)];
  },
];

/** Return the inner function `g` of `spec` as its value and partials over `o`. */
export function innerOf(spec: ApiProgramSpec): <T, I>(o: Ops<T, I>, a: T, b: T) => [T, T, T] {
  return INNER[spec.inner % INNER.length]!;
}

/** Apply unary `name` to `x` with a wrapper that keeps it in its domain and away from poles. */
function safeUnary<T, I>(o: Ops<T, I>, name: (typeof UNARY)[number], x: T): T {
  const { add, mul } = o.binary;
  const u = o.unary;
  const squashed = (scale: number) => mul(u.tanh(x), scale);
  switch (name) {
    case 'log':
    case 'sqrt':
    case 'cbrt':
      return u[name](add(mul(x, x), 1));
    case 'log1p':
      return u.log1p(mul(x, x));
    case 'exp':
    case 'expm1':
    case 'sinh':
    case 'cosh':
      return u[name](squashed(2));
    case 'asin':
    case 'acos':
      return u[name](squashed(0.9));
    case 'tan':
      return u.tan(squashed(1.2));
    default:
      return u[name](x);
  }
}

/** Apply binary `name` to `x`, `y`, with operands kept where it is defined and smooth enough. */
function safeBinary<T, I>(o: Ops<T, I>, name: (typeof BINARY)[number], x: T, y: T): T {
  const { add, mul } = o.binary;
  const positive = add(mul(y, y), 0.5);
  switch (name) {
    case 'div':
    case 'atan2':
      return o.binary[name](x, positive);
    case 'pow':
      return o.binary.pow(add(mul(x, x), 0.5), o.unary.tanh(y));
    case 'hypot':
      return o.binary.hypot(x, positive);
    default:
      return o.binary[name](x, y);
  }
}

/**
 * Run `spec` over `o` on parameters `x` (3 reals), `p` (`{a, b}`), `k` (an index below 3) and `s`;
 * return the result. Every value computed flows into the result with its own weight.
 */
export function programBody<T, I>(
  o: Ops<T, I>,
  spec: ApiProgramSpec,
  x: readonly T[] & { readonly [i: number]: T },
  p: { readonly a: T; readonly b: readonly T[] },
  k: I,
  s: T,
): T {
  const { add, mul, sub } = o.binary;
  const [x0, x1, x2] = x; // destructuring a vector proxy
  const at = (v: readonly T[], i: I): T => (v as unknown as Record<string, T>)[i as never]!;
  const pool: T[] = [x0!, x1!, x2!, p.a, p.b[1]!, s, at(x, k)];
  const pick = (n: number): T => pool[n % pool.length] as T;
  for (const st of spec.steps) {
    const [a, b, c] = [pick(st.a), pick(st.b), pick(st.c)];
    const out = stepValue(o, spec, st, a, b, c, { x, p, k, at });
    pool.push(...out);
  }
  // fold everything in with distinct weights, so no step is dead
  let acc = pool[0] as T;
  for (let i = 1; i < pool.length; i++) acc = add(acc, mul(pool[i] as T, 1 + 0.37 * i));
  return sub(acc, mul(s, 0.25));
}

/** The parameters a step may read besides its operands. */
interface Scope<T, I> {
  readonly x: readonly T[];
  readonly p: { readonly a: T; readonly b: readonly T[] };
  readonly k: I;
  readonly at: (v: readonly T[], i: I) => T;
}

/** Return the value(s) one step computes from operands `a`, `b`, `c`. */
function stepValue<T, I>(o: Ops<T, I>, spec: ApiProgramSpec, st: ApiStep, a: T, b: T, c: T, sc: Scope<T, I>): T[] {
  const { add, mul } = o.binary;
  const v = st.v;
  switch (st.op % 17) {
    case 15:
    case 16: {
      // another step inside a loop body, reading element i of x (loops in loops when it is one)
      const inner = { ...st, op: v % 15, v: Math.floor(v / 15) };
      const body = (i: I) => stepValue(o, spec, inner, mul(sc.at(sc.x, i), a), b, c, sc);
      return [o.sum3((i) => body(i).reduce((acc, y) => add(acc, y)))];
    }
    case 0:
    case 1:
      return [safeUnary(o, UNARY[v % UNARY.length]!, a)];
    case 2:
    case 3:
      return [safeBinary(o, BINARY[v % BINARY.length]!, a, b)];
    case 4: {
      const p1 = v % 2 ? o.lt(a, b) : o.gt(a, c);
      const p2 = [p1, o.not(p1), o.both(p1, o.lt(b, c)), o.either(p1, o.gt(c, a))][(v >> 1) % 4];
      return [o.select(p2, mul(b, c), o.unary.sin(c))];
    }
    case 5:
      // the untaken branch would be NaN: sqrt of a negative number
      return [o.cond(o.gt(a, b), () => o.unary.sqrt(o.binary.sub(a, b)), () => mul(c, 0.5))];
    case 6: {
      const i = v % 2 ? sc.k : o.nextIndex(sc.k);
      return [mul(sc.at(sc.x, i), a), sc.p.b[v % 2] as T];
    }
    case 7:
      return [o.sum3((i) => safeUnary(o, UNARY[v % UNARY.length]!, mul(sc.at(sc.x, i), a)))];
    case 8: {
      const w = o.vec3((i) => add(mul(sc.at(sc.x, i), b), a));
      return [sc.at(w, sc.k), o.sum3((i) => mul(sc.at(w, i), sc.at(sc.x, i)))];
    }
    case 9:
      return [o.reduce3(v % 2 ? 'max' : 'min', (i) => o.unary.sin(add(sc.at(sc.x, i), mul(a, 1 + (v % 3)))))];
    case 10:
      return [o.call(a, b)];
    case 11:
      return [...o.gradients(a, b, v)];
    case 12:
      return [...o.pullback(a, b, c)];
    case 13:
      return v % 2 ? [o.opaque(a)] : [o.structCall(a, b, c)];
    default: // 14
      return [...o.vecPullback(a, b, c)];
  }
}

/** The unary operations on numbers (`Math.*`), by name. */
export const JS_UNARY: Readonly<Record<(typeof UNARY)[number], (x: number) => number>> = {
  sin: Math.sin, cos: Math.cos, tanh: Math.tanh, atan: Math.atan, neg: (x) => -x, exp: Math.exp,
  log: Math.log, sqrt: Math.sqrt, log1p: Math.log1p, expm1: Math.expm1, cbrt: Math.cbrt,
  asin: Math.asin, acos: Math.acos, sinh: Math.sinh, cosh: Math.cosh, tan: Math.tan, abs: Math.abs,
};

/** The binary operations on numbers, by name. */
export const JS_BINARY: Readonly<Record<(typeof BINARY)[number], (x: number, y: number) => number>> = {
  add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
  pow: Math.pow, atan2: Math.atan2, hypot: Math.hypot, min: Math.min, max: Math.max,
};

/**
 * Return an arbitrary of `n` floats in about [-1.5, 1.6] for the programs' inputs. Each float has
 * its own offset, so shrunk points (towards 0) do not put comparisons exactly at a tie, where a
 * derivative picks one side while the function along a line through the point follows the other.
 */
export function floatsArb(n: number): fc.Arbitrary<number[]> {
  const float = (i: number) => fc.double({ min: -1.5, max: 1.5, noNaN: true }).map((v) => v + 0.0137 * (i + 1) ** 1.5);
  return fc.tuple(...Array.from({ length: n }, (_, i) => float(i)));
}

/** Return `ops` on plain numbers: the reference evaluation (the inner function's `g` is `inner`). */
export function numericOps(spec: ApiProgramSpec): Ops<number, number> {
  const inner = innerOf(spec);
  const self: Ops<number, number> = {
    unary: JS_UNARY,
    binary: JS_BINARY,
    lt: (x, y) => x < y,
    gt: (x, y) => x > y,
    both: (p, q) => Boolean(p) && Boolean(q),
    either: (p, q) => Boolean(p) || Boolean(q),
    not: (p) => !p,
    select: (p, x, y) => (p ? x : y),
    cond: (p, then, els) => (p ? then() : els()),
    nextIndex: (k) => (k + 1) % 3,
    sum3: (f) => f(0) + f(1) + f(2),
    vec3: (f) => [f(0), f(1), f(2)],
    reduce3: (kind, f) => Math[kind](f(0), f(1), f(2)),
    call: (a, b) => inner(self, a, b)[0],
    gradients: (a, b) => {
      const [, da, db] = inner(self, a, b);
      return [da, db];
    },
    pullback: (a, b, ct) => {
      const [g, da, db] = inner(self, a, b);
      return [g, ct * da, ct * db];
    },
    // J = [[cos(a) b, sin a], [1, 2b]]; J^T [c, 0.5]
    vecPullback: (a, b, c) => [Math.sin(a) * b, a + b * b, c * Math.cos(a) * b + 0.5, c * Math.sin(a) + b],
    opaque: (u) => (u * u) / 2 + Math.sin(u),
    structCall: (a, b0, b1) => a * b0 + Math.tanh(b1),
  };
  return self;
}

type R = RealValue;

/** The opaque function `s(u) = u^2 / 2 + sin u` with its custom JVP `du (u + cos u)`. */
function makeOpaque() {
  const s = rk.opaque([rk.Real], rk.Real, (u: number) => (u * u) / 2 + Math.sin(u));
  s.jvp = rk.fn([rk.Dual], rk.Dual, ({ re, du }) => ({ re: s(re), du: rk.mul(du, rk.add(re, rk.cos(re))) }));
  return s;
}

/** The struct parameter type of the programs and of `structCall`'s function. */
export const P_TYPE = rk.struct({ a: rk.Real, b: rk.Vec(2, rk.Real) });

/** Return `ops` that trace with the public API (their inner functions are made once per call). */
export function symbolicOps(spec: ApiProgramSpec): Ops<R, Nat> {
  const innerG = innerOf(spec);
  // the partials `innerG` also computes are dead code in g's IR, which every pass must drop
  const makeG = (o: Ops<R, Nat>) => rk.fn([rk.Real, rk.Real], rk.Real, (a, b) => innerG(o, a, b)[0]);
  // traced when made, with the finished `self`: assigned last, used only when a program runs
  let g!: ReturnType<typeof makeG>;
  const sOp = makeOpaque();
  const byStruct = rk.fn([P_TYPE], rk.Real, ({ a, b }) => rk.add(rk.mul(a, b[0]!), rk.tanh(b[1]!)));
  const V2 = rk.Vec(2, rk.Real);
  const h = rk.fn([V2], V2, ([a, b]) => [rk.mul(rk.sin(a!), b!), rk.add(a!, rk.mul(b!, b!))]);
  const bool = (p: Cond) => p as rk.Bool;
  const self: Ops<R, Nat> = {
    unary: {
      sin: rk.sin, cos: rk.cos, tanh: rk.tanh, atan: rk.atan, neg: rk.neg, exp: rk.exp, log: rk.log,
      sqrt: rk.sqrt, log1p: rk.log1p, expm1: rk.expm1, cbrt: rk.cbrt, asin: rk.asin, acos: rk.acos,
      sinh: rk.sinh, cosh: rk.cosh, tan: rk.tan, abs: rk.abs,
    },
    binary: {
      add: rk.add, sub: rk.sub, mul: rk.mul, div: rk.div, pow: rk.pow, atan2: rk.atan2,
      hypot: rk.hypot, min: (x, y) => rk.min(x, y), max: (x, y) => rk.max(x, y),
    },
    lt: rk.lt,
    gt: rk.gt,
    both: (p, q) => rk.and(bool(p), bool(q)),
    either: (p, q) => rk.or(bool(p), bool(q)),
    not: (p) => rk.not(bool(p)),
    select: (p, x, y) => rk.select(bool(p), rk.Real, x, y),
    cond: (p, then, els) => rk.cond(bool(p), rk.Real, then, els),
    nextIndex: (k) => rk.imod(3, rk.iadd(3, k, 1)),
    sum3: (f) => rk.sum(3, f),
    vec3: (f) => rk.vec(3, rk.Real, f),
    reduce3: (kind, f) => (kind === 'max' ? rk.max(3, f) : rk.min(3, f)),
    call: (a, b) => g(a, b),
    gradients: (a, b, which) => {
      switch (which % 3) {
        case 0:
          return [rk.grad(g)(a, b), rk.grad(g, 1)(a, b)];
        case 1: {
          const [da, db] = rk.grad(g, [0, 1])(a, b) as R[];
          return [da!, db!];
        }
        default: {
          const r = rk.valueAndGrad(g, [1, 0])(a, b);
          const [db, da] = r.grad as R[];
          return [da!, db!];
        }
      }
    },
    pullback: (a, b, ct) => {
      const r = rk.vjp(g)(a, b);
      const [da, db] = r.grad(ct) as R[];
      return [r.ret, da!, db!];
    },
    vecPullback: (a, b, c) => {
      const r = rk.vjp(h)([a, b]);
      const g = r.grad([c, 0.5]);
      return [r.ret[0]!, r.ret[1]!, g[0]!, g[1]!];
    },
    opaque: (u) => sOp(u),
    structCall: (a, b0, b1) => byStruct({ a, b: [b0, b1] }),
  };
  g = makeG(self);
  return self;
}

/** The parameter types of the generated programs. */
export const API_PARAMS = [rk.Vec(3, rk.Real), P_TYPE, 3, rk.Real] as const;

/** Return the traced program of `spec`. */
export function traceProgram(spec: ApiProgramSpec) {
  const o = symbolicOps(spec);
  return rk.fn(API_PARAMS, rk.Real, (x, p, k, s) => programBody(o, spec, x, p, k, s));
}

/** Return the reference evaluation of `spec` at `(x, p, k, s)`. */
export function referenceProgram(
  spec: ApiProgramSpec,
): (x: number[], p: { a: number; b: number[] }, k: number, s: number) => number {
  const o = numericOps(spec);
  return (x, p, k, s) => programBody(o, spec, x, p, k, s);
}

/** Return an arbitrary `ApiProgramSpec` of 1 to `maxSteps` steps (lengths spread over the whole range). */
export function apiProgramArb(maxSteps = 16): fc.Arbitrary<ApiProgramSpec> {
  const n = fc.nat(1000);
  const step = fc.record({ op: n, a: n, b: n, c: n, v: n });
  const steps = fc.array(step, { minLength: 1, maxLength: maxSteps, size: 'max' });
  return fc.record({ inner: fc.nat(2), steps });
}
