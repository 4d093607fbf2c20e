/**
 * @file Symbolic values of a trace and their conversion to IR variables. A body sees scalars as
 * opaque `Var` objects, index values as fresh JS symbols, vectors and structs as `Proxy`s whose
 * property reads emit `index` / `member` instructions. `valId` turns anything a body passes
 * (symbolic values or literals) into a variable of a given type, with Rose's checks and messages.
 */
import { RoseError, formatMessage, internal, type RoseErrorCode } from '../errors.ts';
import {
  REAL,
  compareKeys,
  erase,
  finTy,
  hasTan,
  structTy,
  tyEqual,
  type FinTy,
  type StructTy,
  type Ty,
  type Var,
  type VecTy,
} from '../ir/types.ts';
import { checkOwner, type TraceContext } from './context.ts';
import { SYM, describe, showTy } from './types.ts';

/** What a symbolic value knows about itself: its trace and its variable. */
interface SymInfo {
  readonly ctx: TraceContext;
  readonly v: Var;
}

/**
 * A symbolic scalar (unit, bool, real or tangent): one object per value, its own `SymInfo`.
 * The fields are private, so a body cannot retarget it; `[SYM]` and `toPrimitive` live on the
 * prototype, so making one allocates nothing else.
 */
class Scalar {
  readonly #ctx: TraceContext;
  readonly #v: Var;

  constructor(ctx: TraceContext, v: Var) {
    this.#ctx = ctx;
    this.#v = v;
  }

  /** Return the trace of `x` (a `Scalar`). */
  static ctxOf(x: Scalar): TraceContext {
    return x.#ctx;
  }

  /** Return the variable of `x` (a `Scalar`). */
  static varOf(x: Scalar): Var {
    return x.#v;
  }

  get [SYM](): SymInfo {
    return { ctx: this.#ctx, v: this.#v };
  }

  [Symbol.toPrimitive](): never {
    return noPrimitive();
  }
}
Object.freeze(Scalar.prototype);

/** Return an error with a Rose message `rose` (kept verbatim), extra detail, place and fix. */
export function traceError(
  code: RoseErrorCode,
  rose: string,
  detail: string,
  where: string,
  fix?: string,
): RoseError {
  return new RoseError(code, formatMessage(detail ? `${rose}: ${detail}` : rose, where, fix));
}

// ---------------------------------------------------------------------------------------------
// Tuples: structs with keys '0'..'n-1' that JS sees as arrays (gradients of several params)

const TUPLES = new WeakSet<Ty>();

/** Return a struct type with keys `'0'..'n-1'` that JS code reads and writes as an array. */
export function tupleTy(members: readonly Ty[]): StructTy {
  const order = members.map((_, i) => String(i)).sort(compareKeys);
  const t = structTy(
    order,
    order.map((k) => members[Number(k)]!),
  );
  TUPLES.add(t);
  return t;
}

/** Return true when `t` was made by `tupleTy` (its values are JS arrays). */
export function isTuple(t: Ty): boolean {
  return TUPLES.has(t);
}

/** Return the member number of tuple position `i` in tuple type `t`. */
export function tupleMember(t: StructTy, i: number): number {
  return t.keys.indexOf(String(i));
}

// ---------------------------------------------------------------------------------------------
// IR variables -> symbolic values

const finCache = new Map<number, FinTy>();
/** Return the (shared) index type `fin(n)`. */
export function fin(n: number): FinTy {
  let t = finCache.get(n);
  if (t === undefined) finCache.set(n, (t = finTy(n)));
  return t;
}

/** Return the symbolic scalar a body sees for variable `v` of `ctx`, of a scalar type. */
export function scalar(ctx: TraceContext, v: Var): unknown {
  return new Scalar(ctx, v);
}

/** Return the symbolic value a body sees for variable `v` of `ctx`. */
export function symbolic(ctx: TraceContext, v: Var): unknown {
  const t = ctx.b.typeOf(v);
  switch (t.kind) {
    case 'unit':
    case 'bool':
    case 'real':
    case 'tan':
      return new Scalar(ctx, v);
    case 'fin': {
      const s = Symbol();
      ctx.symbols.set(s, v);
      return s;
    }
    case 'vec':
      return vecProxy(ctx, v, t);
    case 'struct':
      if (isTuple(t)) {
        return t.keys.map((_, i) => symbolic(ctx, ctx.b.member(v, tupleMember(t, i))));
      }
      return structProxy(ctx, v, t);
    case 'ref':
      return internal(`symbolic value of a ref variable %${v}`);
  }
}

/** Throw: symbolic values have no JS number or string value (JS operators do not trace). */
function noPrimitive(): never {
  throw traceError(
    'type-mismatch',
    'invalid value',
    'a symbolic value was used with a JS operator, converted to a string or used as a vector ' +
      "index (a Real or Bool can't be represented by an unsigned integer)",
    'a JS expression',
    'Use the traced operations instead, e.g. add(x, y) for x + y and lt(x, y) for x < y, and ' +
      'index values (parameters or loop indices of an index type) as vector indices',
  );
}

/** Return a vector proxy: `p[k]` / `p[i]` emit `index`, and `[...p]` indexes 0..n-1. */
function vecProxy(ctx: TraceContext, v: Var, t: VecTy): unknown {
  const where = 'a vector access';
  const info: SymInfo = { ctx, v };
  const at = (i: unknown): unknown => {
    checkOwner(ctx, 'array', where);
    checkScope(ctx, v, where);
    return symbolic(ctx, ctx.b.index(v, valId(ctx, fin(t.size), i, where)));
  };
  return new Proxy(
    {},
    {
      get: (_target, prop) => {
        checkOwner(ctx, 'array', where);
        if (prop === SYM) return info;
        if (prop === Symbol.toPrimitive) return noPrimitive;
        if (prop === Symbol.iterator)
          return function* () {
            for (let k = 0; k < t.size; k++) yield at(k);
          };
        return at(typeof prop === 'string' ? parseInt(prop, 10) : prop);
      },
    },
  );
}

/** Return a struct proxy: `p.key` emits `member`; unknown keys and symbols throw. */
function structProxy(ctx: TraceContext, v: Var, t: StructTy): unknown {
  const where = 'a struct access';
  const info: SymInfo = { ctx, v };
  return new Proxy(
    {},
    {
      get: (_target, prop) => {
        checkOwner(ctx, 'struct', where);
        if (prop === SYM) return info;
        if (prop === Symbol.toPrimitive) return noPrimitive;
        if (typeof prop === 'symbol')
          throw traceError('invalid-value', 'unexpected symbol', `${describe(prop)}`, where);
        const k = t.keys.indexOf(prop);
        if (k < 0)
          throw traceError(
            'type-mismatch',
            'unexpected key',
            `${JSON.stringify(prop)} is not a key of ${showTy(t)}`,
            where,
          );
        checkScope(ctx, v, where);
        return symbolic(ctx, ctx.b.member(v, k));
      },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Values -> IR variables

/** Throw `out-of-scope` unless `v` may be used here. */
function checkScope(ctx: TraceContext, v: Var, where: string): void {
  if (!ctx.inScope(v))
    throw traceError(
      'out-of-scope',
      'variable is out of scope',
      'it was defined inside a `vec` or `sum` body, or a `cond` branch, that has ended',
      where,
      'Return it from that body instead',
    );
}

/** Return the variable behind a symbolic value, or undefined when `x` is a literal. */
export function symbolicVar(ctx: TraceContext, x: unknown, where: string): Var | undefined {
  if (typeof x === 'symbol') {
    const v = ctx.symbols.get(x);
    if (v === undefined)
      throw traceError(
        'invalid-value',
        'invalid value',
        'a symbol that is not an index of the function being traced',
        where,
        'Index symbols can only be used inside the body that received them',
      );
    checkScope(ctx, v, where);
    return v;
  }
  if (typeof x !== 'object' || x === null) return undefined;
  if (x instanceof Scalar) {
    // the usual case: a scalar, read without allocating
    const owner = Scalar.ctxOf(x);
    const v = Scalar.varOf(x);
    checkOwner(owner, 'variable', where);
    checkScope(ctx, v, where);
    return v;
  }
  const info = (x as { [SYM]?: SymInfo })[SYM];
  if (info === undefined) return undefined;
  checkOwner(info.ctx, 'variable', where);
  checkScope(ctx, info.v, where);
  return info.v;
}

/**
 * Return a variable of type `ty` holding `x` (a symbolic value or a literal), emitting literals
 * as needed. With `erased` (call boundaries), types only need to match up to `erase`: symbolic
 * values directly, literal aggregates by falling back to the erased type when their symbolic
 * members are reals where `ty` has tangents.
 */
export function valId(
  ctx: TraceContext,
  ty: Ty,
  x: unknown,
  where: string,
  erased = false,
): Var {
  const v = symbolicVar(ctx, x, where);
  if (v === undefined) {
    if (!erased || !hasTan(ty)) return literal(ctx, ty, x, where);
    try {
      return literal(ctx, ty, x, where);
    } catch (err) {
      if (!(err instanceof RoseError && err.code === 'type-mismatch')) throw err;
      return literal(ctx, erase(ty), x, where);
    }
  }
  const actual = ctx.b.typeOf(v);
  if (!(erased ? tyEqual(erase(actual), erase(ty)) : tyEqual(actual, ty)))
    throw traceError(
      'type-mismatch',
      // index values are JS symbols, which Rose looks up by type: one of another type is unknown
      typeof x === 'symbol' ? 'invalid value' : 'variable type mismatch',
      `expected ${showTy(ty)}, got ${typeof x === 'symbol' ? 'an index of type ' : ''}` +
        showTy(actual),
      where,
    );
  return v;
}

const NEG_ZERO = Symbol('-0');
const keyCache = new WeakMap<Ty, string>();

/** Return a string that identifies the type `t` structurally. */
function tyKey(t: Ty): string {
  let k = keyCache.get(t);
  if (k === undefined) keyCache.set(t, (k = (isTuple(t) ? 'tuple ' : '') + showTy(t)));
  return k;
}

/** Return the variable of literal `x` at type `ty`, reusing an in-scope earlier one. */
function literal(ctx: TraceContext, ty: Ty, x: unknown, where: string): Var {
  if (ty === REAL && typeof x === 'number' && !Object.is(x, -0)) {
    // the usual literal: a real constant, looked up without building a type key
    const cached = ctx.reals.get(x);
    if (cached !== undefined && ctx.inScope(cached)) return cached;
    const v = ctx.b.lit(x, REAL);
    ctx.reals.set(x, v);
    return v;
  }
  const tk = tyKey(ty);
  let map = ctx.literals.get(tk);
  if (map === undefined) ctx.literals.set(tk, (map = new Map()));
  const key = x === 0 && 1 / x < 0 ? NEG_ZERO : x;
  const cached = map.get(key);
  if (cached !== undefined && ctx.inScope(cached)) return cached;
  const v = emitLiteral(ctx, ty, x, where);
  map.set(key, v);
  return v;
}

/** Emit the literal `x` at type `ty`, checking that it fits (Rose's `valId` messages). */
function emitLiteral(ctx: TraceContext, ty: Ty, x: unknown, where: string): Var {
  const b = ctx.b;
  if (x === null) {
    if (ty.kind !== 'unit') throw expected('did not expect null', ty, where);
    return b.lit(null, ty);
  }
  if (typeof x === 'boolean') {
    if (ty.kind !== 'bool') throw expected('did not expect boolean', ty, where);
    return b.lit(x, ty);
  }
  if (typeof x === 'number') {
    if (ty.kind === 'real' || ty.kind === 'tan') return b.lit(x, ty);
    if (ty.kind !== 'fin') throw expected('type is not numeric', ty, where);
    checkNat(x, where);
    return b.lit(x, ty);
  }
  if (Array.isArray(x) || x instanceof Float64Array) {
    if (ty.kind === 'struct' && isTuple(ty)) {
      checkLength(x.length, ty.keys.length, where);
      const members = ty.keys.map((k, m) => valId(ctx, ty.members[m]!, x[Number(k)], where));
      return b.struct(members, ty);
    }
    if (ty.kind !== 'vec') throw expected('type is not an array', ty, where);
    checkLength(x.length, ty.size, where);
    // exactly sized: the array is kept in the IR (a grown one keeps its slack)
    const elems = new Array<Var>(ty.size);
    for (let i = 0; i < ty.size; i++) elems[i] = valId(ctx, ty.elem, x[i], where);
    return b.vec(elems, ty);
  }
  if (typeof x === 'object' && x !== null && !ArrayBuffer.isView(x)) {
    if (ty.kind !== 'struct') throw expected('type is not a struct', ty, where);
    checkKeys(Object.keys(x), ty, where);
    const obj = x as Record<string, unknown>;
    const members = ty.keys.map((k, m) => valId(ctx, ty.members[m]!, obj[k], where));
    return b.struct(members, ty);
  }
  throw traceError(
    'invalid-value',
    'invalid value',
    `${describe(x)} where a value of type ${showTy(ty)} was expected`,
    where,
    'Pass a symbolic value, or null, a boolean, a number, an array or an object',
  );
}

/** Return the error for a literal of the wrong kind for `ty`. */
function expected(rose: string, ty: Ty, where: string): RoseError {
  return traceError('invalid-value', rose, `the type is ${showTy(ty)}`, where);
}

/** Throw unless `x` is an unsigned 32-bit integer (an index literal). */
export function checkNat(x: number, where: string): void {
  if (x >>> 0 !== x)
    throw traceError(
      'invalid-value',
      "can't be represented by an unsigned integer",
      `${x} is not a valid index`,
      where,
      'Index values are integers 0 <= i < n',
    );
}

/**
 * Throw `wrong array size` unless the lengths agree. `rose`: Rose's message for the case, when it
 * is another (a JS argument to `interp`: `invalid value`), put first.
 */
export function checkLength(got: number, want: number, where: string, rose?: string): void {
  if (got !== want)
    throw valueError('wrong array size', `expected ${want} elements, got ${got}`, where, rose);
}

/** Throw `wrong struct keys` unless `keys` are the keys of `ty` (`rose`: see `checkLength`). */
export function checkKeys(
  keys: readonly string[],
  ty: StructTy,
  where: string,
  rose?: string,
): void {
  const sorted = [...keys].sort(compareKeys);
  if (sorted.length !== ty.keys.length || sorted.some((k, i) => k !== ty.keys[i])) {
    const detail = `expected {${ty.keys.join(', ')}}, got {${sorted.join(', ')}}`;
    throw valueError('wrong struct keys', detail, where, rose);
  }
}

/** Return an `invalid-value` error `what: detail`, after Rose's message `rose` when given. */
function valueError(what: string, detail: string, where: string, rose?: string): RoseError {
  return rose === undefined
    ? traceError('invalid-value', what, detail, where)
    : traceError('invalid-value', rose, `${what}: ${detail}`, where);
}
