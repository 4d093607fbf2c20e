/**
 * @file `fn` and `opaque`: define IR functions from user code, and the callable `Fn` objects that
 * carry them. Calling an `Fn` inside a body emits a `call` (function boundaries are kept); its
 * setter-only `jvp` property registers a custom derivative, as in Rose.
 */
import { RoseError, formatMessage } from '../errors.ts';
import {
  REAL,
  callInstr,
  erase,
  freshFuncId,
  isEmpty,
  type Func,
  type OpaqueFunc,
  type Var,
} from '../ir/types.ts';
import { TraceContext, assertNoTrace, getCtx, withTrace } from './context.ts';
import { Real, toTy, type Symbolic, type Value } from './types.ts';
import { symbolic, valId } from './values.ts';
import { mergeTracedPairs } from '../transforms/traced-pairs.ts';

/** Property key of the IR function held by an `Fn`. */
const FUNC = Symbol('rose.func');

/** An abstract function: call it inside a `fn` body, run it with `interp`, differentiate it. */
export interface Fn {
  readonly [FUNC]: Func;
  /** Setter only: `f.jvp = g` registers `g` (Rose dual layout) as `f`'s derivative. */
  jvp?: Fn;
}

/** Phantom type information of an `Fn`: its parameter and result descriptors. */
export interface Typed<P, R> {
  readonly __types?: [P, R];
}

/** Map parameter descriptors to the symbolic values a body receives. */
export type SymbolicParams<P> = { -readonly [K in keyof P]: Symbolic<P[K]> };
/** Map parameter descriptors to the values a caller may pass. */
export type ValueParams<P> = { -readonly [K in keyof P]: Value<P[K]> };

/** The type of the `Fn` that `fn(params, ret, body)` returns. */
export type FnOf<P extends readonly unknown[], R> = Fn &
  Typed<P, R> &
  ((...args: ValueParams<P>) => Symbolic<R>);

const fnObjects = new WeakMap<Func, Fn>();

/** Return the `Fn` object of `func`, creating it once (so `jvp` can return custom JVPs verbatim). */
export function makeFn(func: Func): Fn {
  const known = fnObjects.get(func);
  if (known !== undefined) return known;
  const g = (...args: unknown[]): unknown => callFunc(func, args);
  Object.defineProperty(g, FUNC, { value: func });
  Object.defineProperty(g, 'jvp', {
    set(h: unknown) {
      func.customJvp = funcOf(h, `setting the custom JVP of ${func.name}`);
    },
  });
  fnObjects.set(func, g as unknown as Fn);
  return g as unknown as Fn;
}

/** Return the IR function of `f`; throw `invalid-value` if `f` is not an `Fn`. */
export function funcOf(f: unknown, where: string): Func {
  const func = typeof f === 'function' ? (f as Partial<Fn>)[FUNC] : undefined;
  if (func === undefined)
    throw new RoseError(
      'invalid-value',
      formatMessage(
        'invalid value: expected a function made by `fn`, `opaque`, `jvp` or `grad`',
        where,
      ),
    );
  return func;
}

/** Where-strings of calls of a function (for error messages), made once per function. */
const callPlaces = new WeakMap<Func, { call: string; args: string[] }>();

/** Return the where-strings of a call of `func` and of each of its arguments. */
function placesOf(func: Func): { call: string; args: string[] } {
  let places = callPlaces.get(func);
  if (places === undefined) {
    const call = `a call of ${func.name}`;
    callPlaces.set(func, (places = { call, args: argPlaces(func, call) }));
  }
  return places;
}

/** Return the where-string of each argument of `func` in `where` (e.g. a call of it). */
function argPlaces(func: Func, where: string): string[] {
  return func.paramTypes.map((_, i) => `argument ${i} of ${where}`);
}

/** Emit a call of `func` on `args` into the current body and return its symbolic result. */
export function callFunc(func: Func, args: readonly unknown[]): unknown {
  const places = placesOf(func);
  const ctx = getCtx(places.call);
  const vars = argVars(ctx, func, args, places.call, places.args);
  // tangent-ness does not cross call boundaries: the caller sees the result erased
  const r = ctx.b.append(callInstr(ctx.b.fresh(erase(func.retType)), func, vars));
  if (isEmpty(func.retType)) ctx.emptyResultCalls++;
  return symbolic(ctx, r);
}

/**
 * Return the argument variables of a call of `func`, checking count and types (up to erase);
 * `argWhere[i]` names argument `i` in error messages.
 */
export function argVars(
  ctx: TraceContext,
  func: Func,
  args: readonly unknown[],
  where: string,
  argWhere: readonly string[] = argPlaces(func, where),
): Var[] {
  checkArity(func, args.length, where);
  const vars = new Array<Var>(args.length);
  for (let i = 0; i < args.length; i++)
    vars[i] = valId(ctx, func.paramTypes[i]!, args[i], argWhere[i]!, true);
  return vars;
}

/** Throw `arity` unless `func` takes `n` arguments. */
export function checkArity(func: Func, n: number, where: string): void {
  const want = func.paramTypes.length;
  if (n !== want)
    throw new RoseError(
      'arity',
      formatMessage(
        `wrong number of arguments: ${func.name} takes ${want}, got ${n}`,
        where,
      ),
    );
}

/** Return the descriptors of `params` as an array, or throw `invalid-type`. */
function paramList(params: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(params))
    throw new RoseError(
      'invalid-type',
      formatMessage('invalid type: the parameter types must be an array', where),
    );
  return params;
}

/** Return an abstract function by running `body` once on symbolic arguments. */
export function fn<const P extends readonly unknown[], const R>(
  params: P,
  ret: R,
  body: (...args: SymbolicParams<P>) => Value<R>,
): FnOf<P, R> {
  const where = `fn ${body?.name || '(anonymous)'}`;
  assertNoTrace(where);
  if (typeof body !== 'function')
    throw new RoseError(
      'invalid-value',
      formatMessage('invalid value: the body must be a function', where),
    );
  const paramTys = paramList(params, where).map((p) => toTy(p, `a parameter type of ${where}`));
  const retTy = toTy(ret, `the return type of ${where}`);
  const ctx = new TraceContext(body.name || 'fn');
  const out = withTrace(ctx, () => {
    const args = paramTys.map((t) => symbolic(ctx, ctx.b.param(t)));
    const x = body(...(args as SymbolicParams<P>));
    return valId(ctx, retTy, x, `the return value of ${where}`);
  });
  const traced = ctx.b.finish(out);
  // a Rose-style `vjp(f)(x)` ... `grad(ct)` runs interleaved, as `grad` does (its backward call
  // has an empty result: without one there is no pair, and no walk over the body to find none)
  const merged = ctx.emptyResultCalls > 0 ? mergeTracedPairs(traced) : undefined;
  return makeFn(merged ?? traced) as FnOf<P, R>;
}

/** Return an opaque function of reals implemented by the JS function `impl`. */
export function opaque<const P extends readonly (typeof Real)[], const R extends typeof Real>(
  params: P,
  ret: R,
  impl: (...args: { [K in keyof P]: number }) => number,
): FnOf<P, R> {
  const where = `opaque ${impl?.name || '(anonymous)'}`;
  assertNoTrace(where);
  const list = paramList(params, where);
  if (list.some((p) => p !== Real) || ret !== Real)
    throw new RoseError(
      'invalid-type',
      formatMessage(
        'invalid type: opaque functions take and return only Real',
        where,
        'Write opaque([Real, ...], Real, jsFunction)',
      ),
    );
  if (typeof impl !== 'function')
    throw new RoseError(
      'invalid-value',
      formatMessage('invalid value: the implementation must be a function', where),
    );
  const func: OpaqueFunc = {
    kind: 'opaque',
    id: freshFuncId(),
    name: impl.name || 'opaque',
    paramTypes: list.map(() => REAL),
    retType: REAL,
    impl: impl as (...args: number[]) => number,
  };
  return makeFn(func) as FnOf<P, R>;
}
