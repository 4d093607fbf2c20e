/**
 * @file The IR: plain data, typed SSA, one `Func` per traced `fn`. Everything here is
 * structured-clonable (except `OpaqueFunc.impl`, a JS function), so IR can be posted to workers.
 *
 * Glossary, used the same way in every file of the engine:
 * - primal: an ordinary value `x` of the program being differentiated.
 * - tangent: `dx`, a forward-mode perturbation of a primal; IR type `tan`. Linear.
 * - cotangent: `ct`, a reverse-mode sensitivity; flows backwards through the transposed program.
 * - residuals: `res`, primal values the forward pass keeps for the backward pass.
 * - fwd / lin / bwd: the three functions reverse mode builds from a JVP: `fwd` computes primals and
 *   residuals, `lin` is the linear (tangent) part, `bwd` is the transpose of `lin`.
 * - accumulator: `acc`, a value of `ref` type that cotangents are added into (`accum`/`add`/`resolve`).
 *
 * The `real`/`tan` distinction is meaningful only to `unzip` and `transpose` of the function that
 * holds it: `jvp` treats `tan` as `real` in its input ("erasure"), and `transpose` emits erased
 * (all-`real`) functions, so derived functions can be differentiated again.
 */

/** A variable id: an index into `TransparentFunc.vars`. Unique within one function. */
export type Var = number;

/** A type. Structural: two types are equal when `tyEqual` says so. */
export type Ty =
  | UnitTy
  | BoolTy
  | RealTy
  | TanTy
  | FinTy
  | VecTy
  | StructTy
  | RefTy;

/** The unit type: one value (`null`), zero bytes. Also the "empty part" of split types. */
export interface UnitTy {
  readonly kind: 'unit';
}
/** Booleans. */
export interface BoolTy {
  readonly kind: 'bool';
}
/** A nonlinear float64 (a primal). */
export interface RealTy {
  readonly kind: 'real';
}
/** A linear float64 (a tangent). Only linear operations may produce it (see prims.ts). */
export interface TanTy {
  readonly kind: 'tan';
}
/** Index type: the naturals `0 <= i < size`. `size` is a non-negative integer. */
export interface FinTy {
  readonly kind: 'fin';
  readonly size: number;
}
/** Fixed-size array indexed by `fin(size)`. `size` is a non-negative integer. */
export interface VecTy {
  readonly kind: 'vec';
  readonly size: number;
  readonly elem: Ty;
}
/**
 * A struct (also used for internal tuples). `members[k]` is the member named `keys[k]`.
 * Invariants: keys are distinct; user structs have keys in Rose order (`compareKeys`); `ref`
 * types never occur inside a struct.
 */
export interface StructTy {
  readonly kind: 'struct';
  readonly keys: readonly string[];
  readonly members: readonly Ty[];
}
/** An accumulator holding a value of type `inner`; never inside a vec or struct. */
export interface RefTy {
  readonly kind: 'ref';
  readonly inner: Ty;
}

export const UNIT: UnitTy = Object.freeze({ kind: 'unit' });
export const BOOL: BoolTy = Object.freeze({ kind: 'bool' });
export const REAL: RealTy = Object.freeze({ kind: 'real' });
export const TAN: TanTy = Object.freeze({ kind: 'tan' });

// Index, vec and ref types are interned: equal arguments give the same object, so the memo
// tables of the type functions below (keyed by type object) hit instead of growing with every
// loop or accumulator a pass creates. (Struct types are not: `tupleTy` marks its own objects.)
const finTypes = new Map<number, FinTy>();
const vecTypes = new WeakMap<Ty, Map<number, VecTy>>();
const refTypes = new WeakMap<Ty, RefTy>();

/** Return the index type `fin(size)`. */
export function finTy(size: number): FinTy {
  let t = finTypes.get(size);
  if (t === undefined) finTypes.set(size, (t = { kind: 'fin', size }));
  return t;
}
/** Return the type `vec(size, elem)`. */
export function vecTy(size: number, elem: Ty): VecTy {
  let bySize = vecTypes.get(elem);
  if (bySize === undefined) vecTypes.set(elem, (bySize = new Map()));
  let t = bySize.get(size);
  if (t === undefined) bySize.set(size, (t = { kind: 'vec', size, elem }));
  return t;
}
/** Return a struct type; `keys` and `members` are paired by position. */
export function structTy(keys: readonly string[], members: readonly Ty[]): StructTy {
  return { kind: 'struct', keys, members };
}
/** Return the accumulator type of `inner`. */
export function refTy(inner: Ty): RefTy {
  let t = refTypes.get(inner);
  if (t === undefined) refTypes.set(inner, (t = { kind: 'ref', inner }));
  return t;
}

/** Compare struct keys the way Rose orders them (`localeCompare`), fixed to a locale-free order. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Return true when the two types are structurally equal. */
export function tyEqual(a: Ty, b: Ty): boolean {
  if (a === b) return true;
  switch (a.kind) {
    case 'unit':
    case 'bool':
    case 'real':
    case 'tan':
      return a.kind === b.kind;
    case 'fin':
      return b.kind === 'fin' && a.size === b.size;
    case 'vec':
      return b.kind === 'vec' && a.size === b.size && tyEqual(a.elem, b.elem);
    case 'ref':
      return b.kind === 'ref' && tyEqual(a.inner, b.inner);
    case 'struct':
      return (
        b.kind === 'struct' &&
        a.keys.length === b.keys.length &&
        a.keys.every((k, i) => k === b.keys[i] && tyEqual(a.members[i]!, b.members[i]!))
      );
  }
}

/** Return a type with every leaf replaced by `leaf(t)` (leaves: unit, bool, real, tan, fin). */
export function mapLeaves(t: Ty, leaf: (t: Ty) => Ty): Ty {
  return mapChildren(t, leaf, (c) => mapLeaves(c, leaf));
}

/** Return `t` with its children mapped by `rec` (or `leaf(t)` for a leaf); `t` itself if unchanged. */
function mapChildren(t: Ty, leaf: (t: Ty) => Ty, rec: (t: Ty) => Ty): Ty {
  switch (t.kind) {
    case 'vec': {
      const elem = rec(t.elem);
      return elem === t.elem ? t : vecTy(t.size, elem);
    }
    case 'struct': {
      const members = t.members.map(rec);
      return members.every((m, i) => m === t.members[i]) ? t : structTy(t.keys, members);
    }
    case 'ref': {
      const inner = rec(t.inner);
      return inner === t.inner ? t : refTy(inner);
    }
    default:
      return leaf(t);
  }
}

/** Return true when some leaf of `t` satisfies `pred`. */
export function someLeaf(t: Ty, pred: (t: Ty) => boolean): boolean {
  switch (t.kind) {
    case 'vec':
      return someLeaf(t.elem, pred);
    case 'struct':
      return t.members.some((m) => someLeaf(m, pred));
    case 'ref':
      return someLeaf(t.inner, pred);
    default:
      return pred(t);
  }
}

/**
 * Return a memoized "some leaf satisfies `pred`" test. Types are immutable and often shared
 * (nested residual types are DAGs), so each distinct type object is visited once.
 */
function cachedSomeLeaf(pred: (t: Ty) => boolean): (t: Ty) => boolean {
  const cache = new WeakMap<Ty, boolean>();
  // most types are the shared leaves: answer them by identity, before any property read
  const [real, tan, unit, bool] = [pred(REAL), pred(TAN), pred(UNIT), pred(BOOL)];
  const test = (t: Ty): boolean => {
    if (t === REAL) return real;
    if (t === TAN) return tan;
    if (t === UNIT) return unit;
    if (t === BOOL) return bool;
    if (t.kind === 'vec') return test(t.elem);
    if (t.kind === 'ref') return test(t.inner);
    if (t.kind !== 'struct') return pred(t);
    // small structs of leaves (pairs, small residuals) are cheaper to test than to memoize
    if (t.members.length <= 8 && t.members.every(isLeaf)) return t.members.some(test);
    let r = cache.get(t);
    if (r === undefined) cache.set(t, (r = t.members.some(test)));
    return r;
  };
  return test;
}

const tanTest = cachedSomeLeaf((l) => l.kind === 'tan');
const floatTest = cachedSomeLeaf((l) => l.kind === 'real' || l.kind === 'tan');
const nonUnitTest = cachedSomeLeaf((l) => l.kind !== 'unit');

/** Return true when `t` holds a tangent anywhere, i.e. it is (partly) linear. */
export function hasTan(t: Ty): boolean {
  return tanTest(t);
}

/** Return true when `t` holds a `real` or `tan` leaf, i.e. it has something to differentiate. */
export function hasFloat(t: Ty): boolean {
  return floatTest(t);
}

/** Return a memoized leaf-mapping type function (types are immutable, so results are shared). */
function cachedLeafMap(leaf: (t: Ty) => Ty): (t: Ty) => Ty {
  const cache = new WeakMap<Ty, Ty>();
  // most types are the shared leaves: answer them by identity, before any property read
  const [real, tan, unit, bool] = [leaf(REAL), leaf(TAN), leaf(UNIT), leaf(BOOL)];
  const map = (t: Ty): Ty => {
    if (t === REAL) return real;
    if (t === TAN) return tan;
    if (t === UNIT) return unit;
    if (t === BOOL) return bool;
    if (t.kind !== 'vec' && t.kind !== 'struct' && t.kind !== 'ref') return leaf(t);
    let r = cache.get(t);
    if (r === undefined) cache.set(t, (r = mapChildren(t, leaf, map)));
    return r;
  };
  return map;
}

/** Return `t` with `tan` leaves read as `real`: how `jvp` sees its input, how `transpose` emits. */
export const erase: (t: Ty) => Ty = cachedLeafMap((l) => (l.kind === 'tan' ? REAL : l));

/**
 * Return the tangent type of `t`: `real`/`tan` leaves become `tan`, other leaves `unit`.
 * Same shape as `t`, so projections of a value and of its tangent line up.
 */
export const tangentTy: (t: Ty) => Ty = cachedLeafMap((l) =>
  l.kind === 'real' || l.kind === 'tan' ? TAN : UNIT,
);

/** Return the primal part of `t` (used by `unzip`): `tan` leaves become `unit`. */
export const primalPart: (t: Ty) => Ty = cachedLeafMap((l) => (l.kind === 'tan' ? UNIT : l));

/** Return the linear part of `t` (used by `unzip`): `tan` leaves stay, all others become `unit`. */
export const linearPart: (t: Ty) => Ty = cachedLeafMap((l) => (l.kind === 'tan' ? TAN : UNIT));

/** Return true when `t` carries no information (only `unit` leaves): zero bytes at run time. */
export function isEmpty(t: Ty): boolean {
  return !nonUnitTest(t);
}

/** Return true when `t` is a scalar (leaf) type. */
export function isLeaf(t: Ty): t is UnitTy | BoolTy | RealTy | TanTy | FinTy {
  return t.kind !== 'vec' && t.kind !== 'struct' && t.kind !== 'ref';
}

// ---------------------------------------------------------------------------------------------
// Expressions and functions

/** Name of a primitive operation; the full table with typing rules is in `prims.ts`. */
export type { Prim } from './prims.ts';
import type { Prim } from './prims.ts';

/**
 * One SSA instruction: defines `var` as the value of `expr`. The type of the result is
 * `varTy(func, var)`; literal-like expressions (`lit`, `zero`) take their type from it.
 *
 * An instruction may be its own expression (`instr.expr === instr`, see `ownInstr`): one object
 * where there would be two. Readers always go through `expr`, so they never need to know; an
 * expression never reads the `var` such an object also has.
 */
export interface Instr {
  readonly var: Var;
  readonly expr: Expr;
}

/** A block: instructions in order. A block sees the variables of the blocks around it. */
export type Block = readonly Instr[];

/**
 * An expression. Each kind documents the types it requires; `check.ts` enforces them.
 */
export type Expr =
  /** A scalar literal: `null` for unit, boolean for bool, number for real/tan/fin (result type). */
  | { readonly kind: 'lit'; readonly value: null | boolean | number }
  /** The zero of the result type (not a ref): 0 leaves, `false`, index 0, unit. */
  | { readonly kind: 'zero' }
  /** Array literal; `elems.length` equals the result vec's size, all of its element type. */
  | { readonly kind: 'vec'; readonly elems: readonly Var[] }
  /** Struct literal; `members` in the result struct's key order. */
  | { readonly kind: 'struct'; readonly members: readonly Var[] }
  /** `vec[index]`; `index` has type `fin(size of vec)`. */
  | { readonly kind: 'index'; readonly vec: Var; readonly index: Var }
  /** Member number `member` (position in `keys`) of a struct. */
  | { readonly kind: 'member'; readonly struct: Var; readonly member: number }
  /** Accumulator of element `index` of a `ref vec`: a `ref` to the element. */
  | { readonly kind: 'slice'; readonly ref: Var; readonly index: Var }
  /** Accumulator of member `member` of a `ref struct`. */
  | { readonly kind: 'field'; readonly ref: Var; readonly member: number }
  /**
   * A primitive operation on leaves (see `prims.ts` for the typing of each): `prim(x)` or
   * `prim(x, y)`. `y` is -1 exactly when the primitive is unary. The operands are fields, not an
   * array: an array is two more heap objects per instruction, and prims are most of the IR.
   */
  | { readonly kind: 'prim'; readonly prim: Prim; readonly x: Var; readonly y: Var }
  /** `cond ? then : els`, both sides already computed; any non-ref type. */
  | { readonly kind: 'select'; readonly cond: Var; readonly then: Var; readonly els: Var }
  /** Call of another function; argument types equal its parameter types. */
  | { readonly kind: 'call'; readonly func: Func; readonly args: readonly Var[] }
  /**
   * Array comprehension: runs `body` once for each `index` in `fin(n)`, independently; the result
   * is `vec(n, type of ret)`. `index` has type `fin(n)` and is defined only inside `body`; `ret` is
   * defined in `body` or outside it. For n = 0 the body never runs.
   */
  | { readonly kind: 'for'; readonly index: Var; readonly body: Block; readonly ret: Var }
  /**
   * Conditional: runs `then` when `cond` (a bool) is true, else `els`, and only that block; the
   * result is `thenRet` or `elsRet` (both of the result type, not a ref). Each `...Ret` is defined
   * in its block or outside the cond. Blocks see the variables around them; what they define is
   * visible only inside them. A block may `add` into accumulators from outside, but not `resolve`
   * them (the other block would not).
   */
  | {
      readonly kind: 'cond';
      readonly cond: Var;
      readonly then: Block;
      readonly thenRet: Var;
      readonly els: Block;
      readonly elsRet: Var;
    }
  /** A new accumulator: zero with the shape of `shape` (float leaves 0, bool/fin leaves copied). */
  | { readonly kind: 'accum'; readonly shape: Var }
  /** Add `addend` into accumulator `ref` (float leaves add; others unchanged). Result: unit. */
  | { readonly kind: 'add'; readonly ref: Var; readonly addend: Var }
  /** The current contents of accumulator `ref`; ends its use (no `add` after it). */
  | { readonly kind: 'resolve'; readonly ref: Var };

/** A primitive operation's expression. */
export type PrimExpr = Extract<Expr, { kind: 'prim' }>;

/** Return the expression `prim(x)`, or `prim(x, y)` when `y` is given (not -1). */
export function primExpr(prim: Prim, x: Var, y: Var = -1): PrimExpr {
  return { kind: 'prim', prim, x, y };
}

/** The expression of kind `K`. */
export type ExprOf<K extends Expr['kind']> = Extract<Expr, { kind: K }>;

/**
 * The fields of an instruction that is its own expression (see `Instr` and `ownInstr`): its
 * `var`, `expr` (`UNSET_EXPR` until `ownInstr` sets it) and the fields of its expression.
 */
export type OwnFields<E extends Expr> = { var: Var; expr: Expr } & {
  -readonly [K in keyof E]: E[K];
};

/** The expression `zero`, shared by every instruction that is one (it has no fields to differ). */
export const ZERO_EXPR: Expr = Object.freeze({ kind: 'zero' });

/** Return the instruction `v = zero` (its expression the shared `ZERO_EXPR`). */
export function zeroInstr(v: Var): Instr {
  return { var: v, expr: ZERO_EXPR };
}

/** The placeholder of `OwnFields.expr` (a field that first holds an object keeps one shape). */
export const UNSET_EXPR: Expr = ZERO_EXPR;

/**
 * Return `fields` as an instruction that is its own expression: one object instead of an
 * instruction and an expression. In V8 an object kept in the IR costs several times its
 * allocation (it takes fresh pages, and is copied out of the young generation unless V8
 * pretenures its allocation site), so the builders make the commonest instructions this way (see
 * `primInstr`), each written as a literal at its call, so that no expression object is made only
 * to be copied.
 */
export function ownInstr<E extends Expr>(fields: OwnFields<E>): Instr {
  fields.expr = fields as unknown as Expr;
  return fields;
}

/**
 * Return the instruction `v = prim(x)`, or `v = prim(x, y)` when `y` is given (not -1), as one
 * object (see `ownInstr`).
 */
export function primInstr(v: Var, prim: Prim, x: Var, y: Var = -1): Instr {
  return ownInstr<PrimExpr>({ var: v, expr: UNSET_EXPR, kind: 'prim', prim, x, y });
}

/** Return the instruction `v = vec[index]` as one object (see `ownInstr`). */
export function indexInstr(v: Var, vec: Var, index: Var): Instr {
  return ownInstr<ExprOf<'index'>>({ var: v, expr: UNSET_EXPR, kind: 'index', vec, index });
}

/** Return the instruction `v = struct.member` (by position) as one object (see `ownInstr`). */
export function memberInstr(v: Var, struct: Var, member: number): Instr {
  const fields = { var: v, expr: UNSET_EXPR, kind: 'member' as const, struct, member };
  return ownInstr<ExprOf<'member'>>(fields);
}

/** Return the instruction `v = func(...args)` as one object (see `ownInstr`). */
export function callInstr(v: Var, func: Func, args: readonly Var[]): Instr {
  return ownInstr<ExprOf<'call'>>({ var: v, expr: UNSET_EXPR, kind: 'call', func, args });
}

/** Return the instruction `v = value` (a scalar literal) as one object (see `ownInstr`). */
export function litInstr(v: Var, value: null | boolean | number): Instr {
  return ownInstr<ExprOf<'lit'>>({ var: v, expr: UNSET_EXPR, kind: 'lit', value });
}

/** Return the instruction `v = slice(ref, index)` as one object (see `ownInstr`). */
export function sliceInstr(v: Var, ref: Var, index: Var): Instr {
  return ownInstr<ExprOf<'slice'>>({ var: v, expr: UNSET_EXPR, kind: 'slice', ref, index });
}

/** Return the instruction `v = field(ref, member)` as one object (see `ownInstr`). */
export function fieldInstr(v: Var, ref: Var, member: number): Instr {
  return ownInstr<ExprOf<'field'>>({ var: v, expr: UNSET_EXPR, kind: 'field', ref, member });
}

/** Return the instruction `v = add(ref, addend)` as one object (see `ownInstr`). */
export function addInstr(v: Var, ref: Var, addend: Var): Instr {
  return ownInstr<ExprOf<'add'>>({ var: v, expr: UNSET_EXPR, kind: 'add', ref, addend });
}

/** Return the instruction `v = resolve(ref)` as one object (see `ownInstr`). */
export function resolveInstr(v: Var, ref: Var): Instr {
  return ownInstr<ExprOf<'resolve'>>({ var: v, expr: UNSET_EXPR, kind: 'resolve', ref });
}

/** Return the instruction `v = accum(shape)` as one object (see `ownInstr`). */
export function accumInstr(v: Var, shape: Var): Instr {
  return ownInstr<ExprOf<'accum'>>({ var: v, expr: UNSET_EXPR, kind: 'accum', shape });
}

/** Return the expression of `prim` on `operands` (one or two; builders and decoders hold lists). */
export function primExprOf(prim: Prim, operands: readonly Var[]): PrimExpr {
  return primExpr(prim, operands[0]!, operands.length > 1 ? operands[1]! : -1);
}

/** Return the operands of `e` as an array (one or two): for code off the hot paths. */
export function primOperands(e: PrimExpr): Var[] {
  return e.y < 0 ? [e.x] : [e.x, e.y];
}

/** The kind tag of an expression. */
export type ExprKind = Expr['kind'];

interface FuncBase {
  /** Unique per process; stable key for memo tables and pprint. Not meaningful across processes. */
  readonly id: number;
  /** Human-readable name for pprint and error messages. */
  readonly name: string;
  readonly paramTypes: readonly Ty[];
  readonly retType: Ty;
  /**
   * A user-supplied forward derivative in Rose's dual layout: each `real` leaf of a parameter or
   * the result becomes `{du: tan, re: real}` (see `dualTy` in ../trace). Set after creation.
   */
  customJvp?: Func;
}

/**
 * A function defined by IR. Invariants: SSA (each var defined once); v's type is
 * `types[varTypes[v]]` (see `varTy`); `types` starts with `LEAF_TYPES`.
 */
export interface TransparentFunc extends FuncBase {
  readonly kind: 'transparent';
  /**
   * The function's type table, indexed by type id: each variable's type is in it, once (by
   * identity), and it may hold a few types no variable has. Its first entries are `LEAF_TYPES`,
   * so a leaf's id is the same in every function.
   */
  readonly types: readonly Ty[];
  /**
   * The type id of every variable, indexed by `Var` (its length is the number of variables), in
   * the narrowest array that holds `types.length - 1` (see `TypeIds`).
   */
  readonly varTypes: TypeIds;
  /** Parameter variables, in order; their types are `paramTypes`. */
  readonly params: readonly Var[];
  readonly body: Block;
  /** The returned variable, defined at the top level of `body` or a parameter. */
  readonly ret: Var;
}

/** A JS function of reals returning a real (Rose `opaque`). Runs only in the interpreter or as a wasm import. */
export interface OpaqueFunc extends FuncBase {
  readonly kind: 'opaque';
  readonly impl: (...args: number[]) => number;
}

export type Func = TransparentFunc | OpaqueFunc;

let nextFuncId = 1;
/** Return a fresh function id. */
export function freshFuncId(): number {
  return nextFuncId++;
}

// ---------------------------------------------------------------------------------------------
// Variable types: a function's type table and type ids

/** The type ids of the leaf types: the first entries of every function's type table. */
export const UNIT_ID = 0;
export const BOOL_ID = 1;
export const REAL_ID = 2;
export const TAN_ID = 3;

/** The leaf types, in type-id order: the start of every function's `types`. */
export const LEAF_TYPES: readonly Ty[] = Object.freeze([UNIT, BOOL, REAL, TAN]);

/**
 * Type ids of variables: one byte each while a function has at most 256 types (nearly always:
 * the leaves, a few index, vec and struct types), two or four beyond.
 */
export type TypeIds = Uint8Array | Uint16Array | Uint32Array;

/** Return true when `ids` is an array of type ids (see `TypeIds`). */
export function isTypeIds(ids: unknown): ids is TypeIds {
  return ids instanceof Uint8Array || ids instanceof Uint16Array || ids instanceof Uint32Array;
}

/** Return a zeroed array of `length` type ids wide enough for ids below `typeCount`. */
export function newTypeIds(length: number, typeCount: number): TypeIds {
  if (typeCount <= 0x100) return new Uint8Array(length);
  if (typeCount <= 0x10000) return new Uint16Array(length);
  return new Uint32Array(length);
}

/** Return the largest type id `ids` can hold. */
export function maxTypeId(ids: TypeIds): number {
  return ids instanceof Uint8Array ? 0xff : ids instanceof Uint16Array ? 0xffff : 0xffffffff;
}

/** Return the type of variable `v` of `f` (undefined when `f` has no such variable). */
export function varTy(f: TransparentFunc, v: Var): Ty {
  return f.types[f.varTypes[v]!]!;
}

/** Return how many variables `f` declares. */
export function varCount(f: TransparentFunc): number {
  return f.varTypes.length;
}

/** Return the types of the variables of `f` as an array indexed by `Var` (off the hot paths). */
export function varTypeList(f: TransparentFunc): Ty[] {
  const { types, varTypes } = f;
  const out = new Array<Ty>(varTypes.length);
  for (let v = 0; v < varTypes.length; v++) out[v] = types[varTypes[v]!]!;
  return out;
}

/** Return `t` itself: the type map that changes nothing (see `FuncBuilder.reserveFrom`). */
export function sameTy(t: Ty): Ty {
  return t;
}

/** Return the unit type, whatever `t` is: the type map that empties a variable. */
export function unitTy(_t: Ty): Ty {
  return UNIT;
}

/** A type table being filled (see `TransparentFunc.types`): each type once, the leaves first. */
export class TypeTableBuilder {
  readonly types: Ty[] = LEAF_TYPES.slice();
  /** Type -> its id in `types`, for the types that are not leaves. */
  readonly #ids = new Map<Ty, number>();

  /** Return the id of `t`, adding it when new. */
  idOf(t: Ty): number {
    if (t === REAL) return REAL_ID;
    if (t === TAN) return TAN_ID;
    if (t === UNIT) return UNIT_ID;
    if (t === BOOL) return BOOL_ID;
    let id = this.#ids.get(t);
    if (id === undefined) this.#ids.set(t, (id = this.types.push(t) - 1));
    return id;
  }
}

/** Return the type table and type ids of variables whose types are `vars` (indexed by `Var`). */
export function typeTable(vars: readonly Ty[]): { types: Ty[]; varTypes: TypeIds } {
  const table = new TypeTableBuilder();
  const wide = Uint32Array.from(vars, (t) => table.idOf(t));
  const varTypes = newTypeIds(vars.length, table.types.length);
  varTypes.set(wide);
  return { types: table.types, varTypes };
}
