/**
 * @file Loops over an index type: `vec` (array comprehension, one IR `for`), `sum` (an
 * accumulator added to in a loop, as in Rose) and the `max`/`min` reductions (beyond Rose), which
 * also serve as the two-argument `max(x, y)` / `min(x, y)`.
 */
import { REAL, vecTy, type Var } from '../ir/types.ts';
import { getCtx, type TraceContext } from './context.ts';
import { indexSize, primOp } from './ops.ts';
import { toTy, type Nat, type Real, type SizedVec, type Symbolic, type Value } from './types.ts';
import { fin, symbolic, valId } from './values.ts';

/**
 * Emit a loop over `fin(n)` whose body is the trace of `body(i)`; return the loop variable
 * (a vector of the body's results). The body's variables go out of scope when it ends.
 */
function traceLoop(
  ctx: TraceContext,
  n: number,
  body: (i: unknown) => unknown,
  elem: (x: unknown) => Var,
): Var {
  const b = ctx.b;
  let index = -1;
  const { block, ret } = ctx.traceBlock(() => {
    index = b.fresh(fin(n));
    return elem(body(symbolic(ctx, index)));
  });
  return b.emit({ kind: 'for', index, body: block, ret }, vecTy(n, b.typeOf(ret)));
}

/** Return the vector `[f(0), ..., f(n-1)]` of type `Vec(index, elem)`. */
export function vec<const I, const T>(
  index: I,
  elem: T,
  f: (i: Symbolic<I>) => Value<T>,
): SizedVec<I, Symbolic<T>> {
  const where = 'vec(...)';
  const ctx = getCtx(where);
  const n = indexSize(index, where);
  const t = toTy(elem, where);
  const v = traceLoop(ctx, n, f as (i: unknown) => unknown, (x) =>
    valId(ctx, t, x, `the body of ${where}`),
  );
  return symbolic(ctx, v) as SizedVec<I, Symbolic<T>>;
}

/** Return `f(0) + ... + f(n-1)` for `n` the size of index type `index`. */
export function sum<const I>(index: I, f: (i: Symbolic<I>) => Real): Real {
  const where = 'sum(...)';
  const ctx = getCtx(where);
  const n = indexSize(index, where);
  const b = ctx.b;
  const acc = b.accum(valId(ctx, REAL, 0, where));
  traceLoop(ctx, n, f as (i: unknown) => unknown, (x) =>
    b.add(acc, valId(ctx, REAL, x, `the body of ${where}`)),
  );
  return symbolic(ctx, b.resolve(acc)) as Real;
}

/** Emit the reduction `prim` of `f(i)` over index type `index`: the element at argmax/argmin. */
function reduce(prim: 'argmax' | 'argmin', index: unknown, f: (i: Nat) => Real): Real {
  const where = `${prim === 'argmax' ? 'max' : 'min'}(n, i => ...)`;
  const ctx = getCtx(where);
  const n = indexSize(index, where);
  const xs = traceLoop(ctx, n, f as (i: unknown) => unknown, (x) =>
    valId(ctx, REAL, x, `the body of ${where}`),
  );
  return symbolic(ctx, ctx.b.index(xs, ctx.b.prim(prim, [xs]))) as Real;
}

/** Return the larger of `x` and `y`, or with a function, the largest `f(i)` over index type `n`. */
export function max(x: Real, y: Real): Real;
export function max<const I>(index: I, f: (i: Symbolic<I>) => Real): Real;
export function max(x: unknown, y: unknown): Real {
  if (typeof y === 'function') return reduce('argmax', x, y as (i: Nat) => Real);
  return primOp('max', [x, y]) as Real;
}

/** Return the smaller of `x` and `y`, or with a function, the smallest `f(i)` over index type `n`. */
export function min(x: Real, y: Real): Real;
export function min<const I>(index: I, f: (i: Symbolic<I>) => Real): Real;
export function min(x: unknown, y: unknown): Real {
  if (typeof y === 'function') return reduce('argmin', x, y as (i: Nat) => Real);
  return primOp('min', [x, y]) as Real;
}
