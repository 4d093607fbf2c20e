/**
 * @file The generated programs of api-gen.ts written in Rose 0.4.10's style, over either library:
 * `libOps(lib, spec)` builds the `Ops` of api-gen.ts from the exports of `rose` or of `rose-kit`
 * alone (the same code for both), as a user porting from Rose would have written it:
 * - math functions are `opaque` JS functions with custom JVPs (Rose has no built-in `sin`);
 * - `min`/`max` and the index reductions are chains of `select`, `cond` is `select`;
 * - derivatives inside bodies use `vjp` of one-parameter functions (Rose has no `grad` and no
 *   `vjp` of several parameters).
 * A program is `fn([W], Real, ...)` of one struct `W = {x, p, k, s, on}` (Rose's `vjp` takes one).
 */
import type { Nat, Real as RealValue } from '../../engine/index.ts';
import { BINARY, JS_BINARY, JS_UNARY, UNARY, innerOf, programBody, type ApiProgramSpec, type Ops } from './api-gen.ts';

/** A symbolic value of either library (their types are distinct but alike). */
type Sym = RealValue;
/** A library function as seen from here: the two libraries' overloads differ in detail only. */
type Op = (...args: never[]) => unknown;

/** The exports this file uses, present (with Rose's semantics) in `rose` and in `rose-kit`. */
export interface RoseLike {
  readonly Real: unknown;
  readonly Dual: unknown;
  readonly Vec: Op;
  readonly fn: Op;
  readonly opaque: Op;
  readonly vjp: Op;
  readonly select: Op;
  readonly vec: Op;
  readonly sum: Op;
  readonly iadd: Op;
  readonly imod: Op;
  readonly [name: string]: unknown;
}

/** A loosely typed call of export `name` of `lib`. */
function call(lib: RoseLike, name: string, ...args: unknown[]): Sym {
  return (lib[name] as (...a: unknown[]) => Sym)(...args);
}

/** The JS implementations of the opaque math functions, by name. */
const JS_MATH: Readonly<Record<string, (...x: number[]) => number>> = { ...JS_UNARY, ...JS_BINARY };

/**
 * The derivative of each opaque math function at `re`, times `du`, written with `lib` and the
 * other opaques `m` (for the one-argument ones). Tangents stay on the left of `mul` and `div`,
 * as Rose requires.
 */
type Emit = (name: string, ...x: unknown[]) => Sym;
const JVP_1: Readonly<Record<string, (m: Record<string, Op>, a: Emit, re: Sym, du: Sym) => Sym>> = {
  sin: (m, a, re, du) => a('mul', du, (m.cos as (x: Sym) => Sym)(re)),
  cos: (m, a, re, du) => a('mul', du, a('neg', (m.sin as (x: Sym) => Sym)(re))),
  tanh: (m, a, re, du) => {
    const t = (m.tanh as (x: Sym) => Sym)(re);
    return a('mul', du, a('sub', 1, a('mul', t, t)));
  },
  atan: (_m, a, re, du) => a('div', du, a('add', 1, a('mul', re, re))),
  exp: (m, a, re, du) => a('mul', du, (m.exp as (x: Sym) => Sym)(re)),
  log: (_m, a, re, du) => a('div', du, re),
  log1p: (_m, a, re, du) => a('div', du, a('add', 1, re)),
  expm1: (m, a, re, du) => a('mul', du, a('add', (m.expm1 as (x: Sym) => Sym)(re), 1)),
  cbrt: (m, a, re, du) => {
    const c = (m.cbrt as (x: Sym) => Sym)(re);
    return a('div', du, a('mul', 3, a('mul', c, c)));
  },
  asin: (_m, a, re, du) => a('div', du, a('sqrt', a('sub', 1, a('mul', re, re)))),
  acos: (_m, a, re, du) => a('neg', a('div', du, a('sqrt', a('sub', 1, a('mul', re, re))))),
  sinh: (m, a, re, du) => a('mul', du, (m.cosh as (x: Sym) => Sym)(re)),
  cosh: (m, a, re, du) => a('mul', du, (m.sinh as (x: Sym) => Sym)(re)),
  tan: (m, a, re, du) => {
    const t = (m.tan as (x: Sym) => Sym)(re);
    return a('mul', du, a('add', 1, a('mul', t, t)));
  },
};

/** `{re, du}` of a dual argument. */
interface DualSym {
  readonly re: Sym;
  readonly du: Sym;
}

/** Return the opaque math functions of `lib`, each with its custom JVP. */
function opaqueMath(lib: RoseLike): Record<string, Op> {
  const a = (name: string, ...x: unknown[]) => call(lib, name, ...x);
  const m: Record<string, Op> = {};
  const R = lib.Real as never;
  for (const name of Object.keys(JVP_1)) m[name] = lib.opaque([R] as never, R, JS_MATH[name] as never) as Op;
  for (const name of Object.keys(JVP_1))
    (m[name] as { jvp?: unknown }).jvp = lib.fn([lib.Dual] as never, lib.Dual as never, ((d: DualSym) => ({
      re: (m[name] as (x: Sym) => Sym)(d.re),
      du: JVP_1[name]!(m, a, d.re, d.du),
    })) as never);
  const two = (name: string, d: (x: DualSym, y: DualSym, v: Sym) => Sym) => {
    const f = lib.opaque([R, R] as never, R, JS_MATH[name] as never) as Op & { jvp?: unknown };
    f.jvp = lib.fn([lib.Dual, lib.Dual] as never, lib.Dual as never, ((x: DualSym, y: DualSym) => {
      const v = (f as (p: Sym, q: Sym) => Sym)(x.re, y.re);
      return { re: v, du: d(x, y, v) };
    }) as never);
    m[name] = f;
  };
  // d(x^y) = y x^(y-1) dx + log(x) x^y dy
  const log = m.log as (z: Sym) => Sym;
  two('pow', (x, y, v) =>
    a('add', a('mul', x.du, a('mul', y.re, a('div', v, x.re))), a('mul', y.du, a('mul', log(x.re), v))),
  );
  // d atan2(y, x) = (x dy - y dx) / (x^2 + y^2), with (y, x) the arguments in order
  two('atan2', (y, x) => {
    const r2 = a('add', a('mul', x.re, x.re), a('mul', y.re, y.re));
    return a('div', a('sub', a('mul', y.du, x.re), a('mul', x.du, y.re)), r2);
  });
  two('hypot', (x, y, v) => a('div', a('add', a('mul', x.du, x.re), a('mul', y.du, y.re)), v));
  return m;
}

/** Return the `Ops` of api-gen.ts made from `lib`'s exports only, in Rose's style. */
export function libOps(lib: RoseLike, spec: ApiProgramSpec): Ops<Sym, Nat> {
  const a = (name: string, ...x: unknown[]) => call(lib, name, ...x);
  const m = opaqueMath(lib);
  const unaryOf = (name: (typeof UNARY)[number]) =>
    name === 'neg' || name === 'abs' || name === 'sqrt' ? (x: Sym) => a(name, x) : (m[name] as (x: Sym) => Sym);
  const pick = (kind: 'max' | 'min', x: Sym, y: Sym) =>
    a('select', a(kind === 'max' ? 'gt' : 'lt', x, y), lib.Real, x, y);
  const binaryOf = (name: (typeof BINARY)[number]) =>
    name === 'min' || name === 'max'
      ? (x: Sym | number, y: Sym | number) => pick(name, x as Sym, y as Sym)
      : name === 'pow' || name === 'atan2' || name === 'hypot'
        ? (m[name] as (x: Sym | number, y: Sym | number) => Sym)
        : (x: Sym | number, y: Sym | number) => a(name, x, y);
  const inner = innerOf(spec);
  const V2 = lib.Vec(2 as never, lib.Real as never);
  let g!: (ab: unknown) => Sym;
  const byStruct = lib.fn(
    [{ a: lib.Real, b: V2 }] as never,
    lib.Real as never,
    (({ a: x, b }: { a: Sym; b: Sym[] }) => a('add', a('mul', x, b[0]), m.tanh!(b[1] as never))) as never,
  ) as (w: unknown) => Sym;
  const sJs = (u: number) => (u * u) / 2 + Math.sin(u);
  const sOp = lib.opaque([lib.Real] as never, lib.Real as never, sJs as never) as Op & { jvp?: unknown };
  sOp.jvp = lib.fn([lib.Dual] as never, lib.Dual as never, (({ re, du }: DualSym) => ({
    re: (sOp as (x: Sym) => Sym)(re),
    du: a('mul', du, a('add', re, (m.cos as (x: Sym) => Sym)(re))),
  })) as never);
  /** `[g, ct dg/da, ct dg/db]` by `vjp` of `g` over the vector `[a, b]`. */
  const pull = (x: Sym, y: Sym, ct: Sym | number): [Sym, Sym, Sym] => {
    const r = (lib.vjp(g as never) as (ab: unknown) => { ret: Sym; grad: (ct: unknown) => Sym[] })([x, y]);
    const gr = r.grad(ct);
    return [r.ret, gr[0]!, gr[1]!];
  };
  const h = lib.fn([V2] as never, V2 as never, (([x, y]: Sym[]) => [
    a('mul', (m.sin as (z: Sym) => Sym)(x!), y),
    a('add', x, a('mul', y, y)),
  ]) as never);
  const self: Ops<Sym, Nat> = {
    unary: Object.fromEntries(UNARY.map((n) => [n, unaryOf(n)])) as Ops<Sym, Nat>['unary'],
    binary: Object.fromEntries(BINARY.map((n) => [n, binaryOf(n)])) as Ops<Sym, Nat>['binary'],
    lt: (x, y) => a('lt', x, y),
    gt: (x, y) => a('gt', x, y),
    both: (p, q) => a('and', p, q),
    either: (p, q) => a('or', p, q),
    not: (p) => a('not', p),
    select: (p, x, y) => a('select', p, lib.Real, x, y),
    // Rose has no cond: both branches run (the untaken one may be NaN, as in Rose)
    cond: (p, then, els) => a('select', p, lib.Real, then(), els()),
    nextIndex: (k) => a('imod', 3, a('iadd', 3, k, 1)) as unknown as Nat,
    sum3: (f) => a('sum', 3, f),
    vec3: (f) => a('vec', 3, lib.Real, f) as unknown as Sym[],
    reduce3: (kind, f) => {
      const v = a('vec', 3, lib.Real, f) as unknown as Sym[];
      return pick(kind, pick(kind, v[0]!, v[1]!), v[2]!);
    },
    call: (x, y) => g([x, y]),
    gradients: (x, y) => {
      const [, da, db] = pull(x, y, 1);
      return [da, db];
    },
    pullback: pull,
    vecPullback: (x, y, c) => {
      const r = (lib.vjp(h as never) as (xy: unknown) => { ret: Sym[]; grad: (ct: unknown) => Sym[] })([x, y]);
      const gr = r.grad([c, 0.5]);
      return [r.ret[0]!, r.ret[1]!, gr[0]!, gr[1]!];
    },
    opaque: (u) => (sOp as (x: Sym) => Sym)(u),
    structCall: (x, b0, b1) => byStruct({ a: x, b: [b0, b1] }),
  };
  const gBody = (ab: Sym[]) => inner(self, ab[0]!, ab[1]!)[0];
  g = lib.fn([V2] as never, lib.Real as never, gBody as never) as (ab: unknown) => Sym;
  return self;
}

/** Return the type `{x, p, k, s, on}` of the programs' one parameter in `lib`. */
export function paramType(lib: RoseLike): unknown {
  const V = (n: number) => lib.Vec(n as never, lib.Real as never);
  return { x: V(3), p: { a: lib.Real, b: V(2) }, k: 3, s: lib.Real, on: lib.Bool };
}

/**
 * Return the program of `spec` traced with `lib`: a `fn` of one struct `{x, p, k, s, on}`. After
 * the steps, it folds in Rose's rounding ops and `sign` of a signed zero (`sign(-0) = -1`), and
 * negates the result when the Bool `on` is false (so gradients have a Bool leaf to copy).
 */
export function traceWith(lib: RoseLike, spec: ApiProgramSpec): unknown {
  const o = libOps(lib, spec);
  const a = (name: string, ...x: unknown[]) => call(lib, name, ...x);
  type W = { x: Sym[]; p: { a: Sym; b: Sym[] }; k: Nat; s: Sym; on: unknown };
  return lib.fn([paramType(lib)] as never, lib.Real as never, (({ x, p, k, s, on }: W) => {
    const r = programBody(o, spec, x, p, k, s);
    const signedZero = a('mul', r, 0);
    const rounded = a('add', a('add', a('ceil', r), a('floor', r)), a('trunc', r));
    const signed = a('add', r, a('mul', a('sign', signedZero), 0.125));
    const total = a('add', signed, a('add', a('mul', rounded, 0.01), a('mul', a('abs', r), 0.3)));
    return a('select', on, lib.Real, total, a('neg', total));
  }) as never);
}
