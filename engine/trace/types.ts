/**
 * @file Type descriptors ("types of types") of the public API, Rose-compatible: `Null`, `Bool`,
 * `Real`, `Tan`, numbers (index types), `Vec(index, elem)`, plain objects (structs) and `Dual`;
 * their conversion to IR types; and the TypeScript types that map descriptors to the symbolic
 * values a body sees (`Symbolic<T>`) and the values it may pass (`Value<T>`).
 */
import { RoseError, formatMessage } from '../errors.ts';
import {
  BOOL,
  REAL,
  TAN,
  UNIT,
  compareKeys,
  finTy,
  structTy,
  vecTy,
  type Ty,
} from '../ir/types.ts';

/** The unit type; its only value is `null`. */
export const Null: unique symbol = Symbol('Null');
/** The boolean type. */
export const Bool: unique symbol = Symbol('Bool');
/** The 64-bit floating-point type (a primal, nonlinear). */
export const Real: unique symbol = Symbol('Real');
/** The 64-bit floating-point tangent type (linear). */
export const Tan: unique symbol = Symbol('Tan');

/** Descriptor of the unit type. */
export type Nulls = typeof Null;
/** Descriptor of the boolean type. */
export type Bools = typeof Bool;
/** Descriptor of the float type. */
export type Reals = typeof Real;
/** Descriptor of the tangent type. */
export type Tans = typeof Tan;
/** Descriptor of an index type: its size `n` (the naturals `0 <= i < n`). */
export type Nats = number;

/** Property key of a vector descriptor's index type. */
const IND = Symbol('index');
/** Property key of a vector descriptor's element type. */
const ELM = Symbol('elem');

/** Descriptor of a vector type indexed by `K` with elements `V`. */
export interface Vecs<K, V> {
  readonly [IND]: K;
  readonly [ELM]: V;
}

/** Return the descriptor of vectors indexed by `index` (an index type) with elements `elem`. */
export function Vec<const K, const V>(index: K, elem: V): Vecs<K, V> {
  return Object.freeze({ [IND]: index, [ELM]: elem });
}

/** Return `t` itself: any plain object `{ key: type }` used as a type is a struct type. */
export function struct<const T extends Record<string, unknown>>(t: T): T {
  return t;
}

/** Descriptor of Rose's dual numbers: a primal `re` and its tangent `du`. */
export const Dual = Object.freeze({ re: Real, du: Tan } as const);

// ---------------------------------------------------------------------------------------------
// Descriptors -> IR types

const tyCache = new WeakMap<object, Ty>();

/** Return the IR type described by `desc`; throw `invalid-type` if it is not a descriptor. */
export function toTy(desc: unknown, where = 'a type descriptor'): Ty {
  if (desc === Null) return UNIT;
  if (desc === Bool) return BOOL;
  if (desc === Real) return REAL;
  if (desc === Tan) return TAN;
  if (typeof desc === 'number') {
    if (Number.isInteger(desc) && desc >= 0 && desc <= 0xffffffff) return finTy(desc);
    throw invalidType(`index type ${desc} is not a natural number`, where);
  }
  if (typeof desc !== 'object' || desc === null || Array.isArray(desc))
    throw invalidType(`${describe(desc)} is not a type`, where);
  let t = tyCache.get(desc);
  if (t === undefined) {
    t = objectTy(desc, where);
    tyCache.set(desc, t);
  }
  return t;
}

/** Return the IR type of a vector or struct descriptor. */
function objectTy(desc: object, where: string): Ty {
  if (IND in desc && ELM in desc) {
    const index = (desc as Vecs<unknown, unknown>)[IND];
    if (typeof index !== 'number')
      throw new RoseError(
        'invalid-type',
        formatMessage(
          'index type cannot be used as an index: a vector index must be a number (the size)',
          where,
          'Write `Vec(n, elem)` with `n` a non-negative integer',
        ),
      );
    const size = toTy(index, where);
    return vecTy((size as { size: number }).size, toTy((desc as Vecs<unknown, unknown>)[ELM], where));
  }
  const keys = Object.keys(desc).sort(compareKeys);
  const members = keys.map((k) => toTy((desc as Record<string, unknown>)[k], where));
  return structTy(keys, members);
}

/** Return the error for something that is not a type descriptor. */
function invalidType(what: string, where: string): RoseError {
  return new RoseError(
    'invalid-type',
    formatMessage(
      `invalid type: ${what}`,
      where,
      'Use Null, Bool, Real, Tan, a size n, Vec(n, T) or an object of types',
    ),
  );
}

/** Return a short description of a JS value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'symbol') return x.description ? `Symbol(${x.description})` : 'a symbol';
  if (typeof x === 'function') return 'a function';
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'bigint') return `${x}n`;
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return 'an object';
  return String(x);
}

/** Return a readable form of an IR type, for error messages. */
export function showTy(t: Ty): string {
  switch (t.kind) {
    case 'unit':
      return 'Null';
    case 'bool':
      return 'Bool';
    case 'real':
      return 'Real';
    case 'tan':
      return 'Tan';
    case 'fin':
      return `${t.size}`;
    case 'vec':
      return `Vec(${t.size}, ${showTy(t.elem)})`;
    case 'struct':
      return `{${t.keys.map((k, i) => `${k}: ${showTy(t.members[i]!)}`).join(', ')}}`;
    case 'ref':
      return `Ref(${showTy(t.inner)})`;
  }
}

// ---------------------------------------------------------------------------------------------
// TypeScript types of symbolic and accepted values

/** Property key of the trace information of a symbolic value. */
export const SYM = Symbol('rose.symbolic');

/** An abstract scalar (null, boolean, real or tangent) inside a `fn` body. */
export interface Var {
  readonly [SYM]: unknown;
}

/** An abstract unit value. */
export type Null = null | Var;
/** An abstract boolean. */
export type Bool = boolean | Var;
/** An abstract float. */
export type Real = number | Var;
/** An abstract tangent. */
export type Tan = number | Var;
/** An abstract natural number, usable as a vector index. */
export type Nat = number | symbol;
/** An abstract vector: index it with a number or an index symbol, or destructure it. */
export type Vec<T> = { [K: number]: T; [K: symbol]: T } & Iterable<T>;

/** A tuple of `N` elements of type `T` (never when `N` is not a literal up to 64). */
type TupleOf<N extends number, T, Acc extends readonly T[] = readonly []> = Acc['length'] extends N
  ? Acc
  : Acc['length'] extends 64
    ? never
    : TupleOf<N, T, readonly [...Acc, T]>;

/** A symbolic vector of statically known size `N`: a tuple type when `N` is a small literal. */
export type SizedVec<N, T> = N extends number
  ? number extends N
    ? Vec<T>
    : [TupleOf<N, T>] extends [never]
      ? Vec<T>
      : TupleOf<N, T> & { readonly [K: symbol]: T }
  : Vec<T>;

/** Map a descriptor to the symbolic values a body receives for it. */
export type Symbolic<T> = T extends Nulls
  ? Null
  : T extends Bools
    ? Bool
    : T extends Reals
      ? Real
      : T extends Tans
        ? Tan
        : T extends Nats
          ? Nat
          : T extends Vecs<infer N, infer V>
            ? SizedVec<N, Symbolic<V>>
            : { [K in keyof T]: Symbolic<T[K]> };

/** Map a descriptor to the values a body may pass for it (symbolic values or literals). */
export type Value<T> = T extends Nulls
  ? Null
  : T extends Bools
    ? Bool
    : T extends Reals
      ? Real
      : T extends Tans
        ? Tan
        : T extends Nats
          ? Nat
          : T extends Vecs<unknown, infer V>
            ? Vec<Value<V>> | readonly Value<V>[]
            : { [K in keyof T]: Value<T[K]> };

/** Map a descriptor to the plain JS values `interp` takes and returns for it. */
export type Js<T> = T extends Nulls
  ? null
  : T extends Bools
    ? boolean
    : T extends Reals | Tans | Nats
      ? number
      : T extends Vecs<unknown, infer V>
        ? Js<V>[] | (V extends Reals | Tans ? Float64Array : never)
        : { [K in keyof T]: Js<T[K]> };

/** Map a descriptor to its Rose dual layout: every float becomes `Dual`. */
export type DualOf<T> = T extends Reals | Tans
  ? typeof Dual
  : T extends Vecs<infer K, infer V>
    ? Vecs<K, DualOf<V>>
    : T extends Nulls | Bools | Nats
      ? T
      : { [K in keyof T]: DualOf<T[K]> };
