/**
 * @file The differentiation API: `jvp` (Rose's dual layout), `vjp` (a closure used inside a
 * body, several parameters and `wrt` subsets allowed), `grad` / `valueAndGrad` (functions of
 * scalar-valued functions) and `hessian` (forward over reverse). These build IR with their own
 * `FuncBuilder`s, never through the user trace, so they may run while a body is being traced.
 */
import { RoseError, formatMessage } from '../errors.ts';
import { FuncBuilder } from '../ir/builder.ts';
import { TAN, erase, structTy, type Func, type Ty, type Var } from '../ir/types.ts';
import { DU, RE, dualTy, packDual, unpackDual } from '../transforms/dual.ts';
import { jvp as jvpPass } from '../transforms/jvp.ts';
import { emitBackward, emitForward, emitFusedGrad, gradPass, vjpFuncs } from '../transforms/vjp.ts';
import { getCtx } from './context.ts';
import {
  argVars,
  funcOf,
  makeFn,
  type Fn,
  type SymbolicParams,
  type Typed,
  type ValueParams,
} from './fn.ts';
import { showTy, type DualOf, type Symbolic, type Vecs } from './types.ts';
import { symbolic, traceError, tupleTy, valId } from './values.ts';

// ---------------------------------------------------------------------------------------------
// jvp

const jvpMemo = new WeakMap<Func, Fn>();

/** Return the forward derivative of `f` in Rose's dual layout: every float becomes `{re, du}`. */
export function jvp<const P extends readonly unknown[], const R>(
  f: Fn & Typed<P, R>,
): Fn &
  Typed<{ [K in keyof P]: DualOf<P[K]> }, DualOf<R>> &
  ((...args: ValueParams<{ [K in keyof P]: DualOf<P[K]> }>) => Symbolic<DualOf<R>>) {
  const func = funcOf(f, 'jvp(f)');
  if (func.customJvp) return makeFn(func.customJvp) as never;
  let g = jvpMemo.get(func);
  if (g === undefined) jvpMemo.set(func, (g = makeFn(dualJvp(func))));
  return g as never;
}

/** Return a function in Rose's dual layout that calls the `jvp` pass's derivative of `func`. */
function dualJvp(func: Func): Func {
  const d = jvpPass(func);
  const b = new FuncBuilder(`jvp_${func.name}`);
  const params = func.paramTypes.map((t) => b.param(dualTy(t)));
  const parts = params.map((p, i) => unpackDual(b, func.paramTypes[i]!, p));
  const r = b.call(d, [...parts.map((p) => p.primal), ...parts.map((p) => p.tangent)]);
  return b.finish(packDual(b, func.retType, b.member(r, RE), b.member(r, DU)));
}

// ---------------------------------------------------------------------------------------------
// Which parameters to differentiate

/** The parameters selected for differentiation, and how to shape the gradients. */
interface ArgSpec {
  /** Per parameter: differentiate it? */
  readonly mask: boolean[];
  /** The requested parameters, in the order the caller wants their gradients. */
  readonly order: number[];
  /** Return one gradient (not an array)? */
  readonly single: boolean;
}

/** Return the selection for `wrt` (a parameter index or an array of them) over `func`'s params. */
function argSpec(func: Func, wrt: unknown, where: string): ArgSpec {
  const n = func.paramTypes.length;
  const order = typeof wrt === 'number' ? [wrt] : Array.isArray(wrt) ? [...(wrt as unknown[])] : null;
  if (order === null || order.some((k) => typeof k !== 'number' || k >>> 0 !== k || k >= n))
    throw new RoseError(
      'invalid-value',
      formatMessage(
        `invalid value: parameters to differentiate must be indices below ${n}, ` +
          `got ${JSON.stringify(wrt)}`,
        where,
      ),
    );
  const idx = order as number[];
  const mask = func.paramTypes.map((_, i) => idx.includes(i));
  return { mask, order: idx, single: typeof wrt === 'number' };
}

/** Return the gradient variables of `spec.order` from the per-selected-param list `grads`. */
function pick(spec: ArgSpec, grads: readonly Var[]): Var[] {
  const slot: number[] = [];
  spec.mask.forEach((on, i) => {
    if (on) slot[i] = slot.filter((s) => s !== undefined).length;
  });
  return spec.order.map((k) => grads[slot[k]!]!);
}

// ---------------------------------------------------------------------------------------------
// vjp

/** What `vjp(f)(...args)` returns: the primal result and a function of the cotangent. */
export interface VjpResult<R, G> {
  readonly ret: R;
  grad(ct: unknown): G;
}

/** Return a closure that emits `f`'s forward pass and lets the body pull back cotangents. */
export function vjp<const P extends readonly unknown[], const R>(
  f: Fn & Typed<P, R>,
): (
  ...args: ValueParams<P>
) => VjpResult<Symbolic<R>, P extends readonly [infer A] ? Symbolic<A> : SymbolicParams<P>>;
export function vjp<const P extends readonly unknown[], const R, const W extends number>(
  f: Fn & Typed<P, R>,
  wrt: W,
): (...args: ValueParams<P>) => VjpResult<Symbolic<R>, Symbolic<P[W]>>;
export function vjp<const P extends readonly unknown[], const R>(
  f: Fn & Typed<P, R>,
  wrt: readonly number[],
): (...args: ValueParams<P>) => VjpResult<Symbolic<R>, unknown[]>;
export function vjp(
  f: Fn,
  wrt?: number | readonly number[],
): unknown {
  const func = funcOf(f, 'vjp(f)');
  const where = `vjp(${func.name})`;
  const all = func.paramTypes.map((_, i) => i);
  const spec =
    wrt === undefined
      ? { ...argSpec(func, all, where), single: all.length === 1 }
      : argSpec(func, wrt, where);
  vjpFuncs(func, spec.mask); // eager, as in Rose: a missing custom JVP fails here
  return (...args: unknown[]) => {
    const ctx = getCtx(where);
    const argv = argVars(ctx, func, args, where);
    const fwd = emitForward(ctx.b, func, argv, spec.mask);
    const grad = (ct: unknown): unknown => {
      const gw = `the grad closure of ${where}`;
      if (getCtx(gw) !== ctx)
        throw traceError(
          'escaped',
          'VJP closure escaped its context',
          'it was made in another body',
          gw,
        );
      for (const v of [...argv, fwd.ret, fwd.res])
        if (!ctx.inScope(v))
          throw traceError(
            'out-of-scope',
            'variable is out of scope',
            'the vjp was taken inside a `vec` or `sum` body that has ended',
            gw,
          );
      const ctv = valId(ctx, erase(func.retType), ct, `the cotangent of ${gw}`);
      const picked = pick(spec, emitBackward(ctx.b, func, argv, fwd, ctv, spec.mask));
      ctx.emptyResultCalls++; // the backward call (its result is empty): `fn` may merge the pair
      const out = picked.map((g) => symbolic(ctx, g));
      return spec.single ? out[0] : out;
    };
    return { ret: symbolic(ctx, fwd.ret), grad };
  };
}

// ---------------------------------------------------------------------------------------------
// grad, valueAndGrad

const gradMemo = new WeakMap<Func, Map<string, Fn>>();

/** Return `memo[func][key]`, computing it with `make` the first time. */
function memoized(func: Func, key: string, make: () => Func): Fn {
  let m = gradMemo.get(func);
  if (m === undefined) gradMemo.set(func, (m = new Map()));
  let g = m.get(key);
  if (g === undefined) m.set(key, (g = makeFn(make())));
  return g;
}

/** Throw `type-mismatch` unless `func` returns a real (or a tangent). */
function checkScalar(func: Func, where: string): void {
  if (erase(func.retType).kind !== 'real')
    throw new RoseError(
      'type-mismatch',
      formatMessage(
        `${where} needs a function that returns Real, ${func.name} returns ${showTy(func.retType)}`,
        where,
        'Use vjp(f) for functions with other results',
      ),
    );
}

/** Emit `func`'s value and gradients (one var per requested param) on fresh params of `b`. */
function emitGrad(b: FuncBuilder, func: Func, spec: ArgSpec): { value: Var; grads: Var[] } {
  const params = func.paramTypes.map((t) => b.param(t));
  const fused = gradPass(func, spec.mask);
  if (fused !== undefined) {
    const { value, grads } = emitFusedGrad(b, func, fused, params, b.real(1), spec.mask);
    return { value, grads: pick(spec, grads) };
  }
  const fwd = emitForward(b, func, params, spec.mask);
  const grads = pick(spec, emitBackward(b, func, params, fwd, b.real(1), spec.mask));
  return { value: fwd.ret, grads };
}

/** Emit one gradient, or a tuple of them (a JS array), as `spec` asks. */
function shapeGrads(b: FuncBuilder, spec: ArgSpec, grads: Var[]): Var {
  if (spec.single) return grads[0]!;
  const t = tupleTy(grads.map((g) => b.typeOf(g)));
  return b.struct(
    t.keys.map((k) => grads[Number(k)]!),
    t,
  );
}

/** Return the gradient function of a Real-valued `f` with respect to parameter(s) `argnums`. */
export function grad<const P extends readonly unknown[], const R, const W extends number = 0>(
  f: Fn & Typed<P, R>,
  argnums?: W,
): Fn & Typed<P, P[W]> & ((...args: ValueParams<P>) => Symbolic<P[W]>);
export function grad<const P extends readonly unknown[], const R>(
  f: Fn & Typed<P, R>,
  argnums: readonly number[],
): Fn & ((...args: ValueParams<P>) => unknown[]);
export function grad(f: Fn, argnums: number | readonly number[] = 0): Fn {
  const func = funcOf(f, 'grad(f)');
  const where = `grad(${func.name})`;
  checkScalar(func, where);
  const spec = argSpec(func, argnums, where);
  return memoized(func, `grad ${JSON.stringify(argnums)}`, () => {
    const b = new FuncBuilder(`grad_${func.name}`);
    return b.finish(shapeGrads(b, spec, emitGrad(b, func, spec).grads));
  });
}

/** Return a function of `f`'s arguments giving `{ value, grad }` for a Real-valued `f`. */
export function valueAndGrad<const P extends readonly unknown[], const R, const W extends number = 0>(
  f: Fn & Typed<P, R>,
  argnums?: W,
): Fn & ((...args: ValueParams<P>) => { value: Symbolic<R>; grad: Symbolic<P[W]> });
export function valueAndGrad<const P extends readonly unknown[], const R>(
  f: Fn & Typed<P, R>,
  argnums: readonly number[],
): Fn & ((...args: ValueParams<P>) => { value: Symbolic<R>; grad: unknown[] });
export function valueAndGrad(f: Fn, argnums: number | readonly number[] = 0): Fn {
  const func = funcOf(f, 'valueAndGrad(f)');
  const where = `valueAndGrad(${func.name})`;
  checkScalar(func, where);
  const spec = argSpec(func, argnums, where);
  return memoized(func, `valueAndGrad ${JSON.stringify(argnums)}`, () => {
    const b = new FuncBuilder(`value_and_grad_${func.name}`);
    const { value, grads } = emitGrad(b, func, spec);
    const g = shapeGrads(b, spec, grads);
    const t = structTy(['grad', 'value'], [b.typeOf(g), b.typeOf(value)]);
    return b.finish(b.struct([g, value], t));
  });
}

// ---------------------------------------------------------------------------------------------
// hessian

/** Return the Hessian function of a Real-valued `f` of one Real or `Vec(n, Real)` parameter. */
export function hessian<const P extends readonly [unknown], const R>(
  f: Fn & Typed<P, R>,
): Fn &
  ((
    ...args: ValueParams<P>
  ) => P[0] extends Vecs<infer K, unknown> ? Symbolic<Vecs<K, Vecs<K, R>>> : Symbolic<R>);
export function hessian(f: Fn): Fn {
  const func = funcOf(f, 'hessian(f)');
  const where = `hessian(${func.name})`;
  checkScalar(func, where);
  const pt = func.paramTypes.length === 1 ? erase(func.paramTypes[0]!) : undefined;
  const ok = pt !== undefined && (pt.kind === 'real' || (pt.kind === 'vec' && pt.elem.kind === 'real'));
  if (!ok)
    throw new RoseError(
      'unsupported',
      formatMessage(
        `${where} needs one parameter of type Real or Vec(n, Real)`,
        where,
        'Use vjp of a gradient function for other signatures',
      ),
    );
  return memoized(func, 'hessian', () => hessianFunc(func, pt!));
}

/** Build the Hessian of `func` (param type `pt`) as jvp(grad f) along each basis vector. */
function hessianFunc(func: Func, pt: Ty): Func {
  const jg = jvpPass(funcOf(grad(makeFn(func)), 'hessian(f)'));
  const b = new FuncBuilder(`hessian_${func.name}`);
  const x = b.param(func.paramTypes[0]!);
  // d(grad f)(x)[e] = H(x) e: the tangent part of jvp(grad f) along e
  const hvp = (e: Var): Var => b.member(b.call(jg, [x, e]), DU);
  if (pt.kind !== 'vec') return b.finish(hvp(b.lit(1, TAN)));
  const one = b.lit(1, TAN);
  const zero = b.lit(0, TAN);
  const rows = b.forLoop(pt.size, (j) =>
    hvp(b.forLoop(pt.size, (i) => b.select(b.prim('ieq', [i, j]), one, zero))),
  );
  return b.finish(rows);
}
