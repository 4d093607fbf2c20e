/**
 * @file The dense IR: a function's instructions as columns of typed arrays, indexed by the
 * variable each defines, instead of one heap object per instruction.
 *
 * Why: in the object IR (types.ts) an instruction is a heap object kept as long as its function,
 * and a pass over a large function spends most of its time making, keeping and first reading such
 * objects (README, "How fast"). Here an instruction is a few integers in arrays allocated once per
 * function: SSA defines each variable once, so the variable is the instruction's index.
 *
 * Same semantics as the object IR, one to one: `materialize` (dense-convert.ts) turns a
 * `DenseFunc` into the `TransparentFunc` with the same variables, instructions and blocks, and
 * `densify` the other way. Plain data, structured-clonable like the object IR.
 *
 * Layout of `DenseFunc`, per variable v with opcode `op[v]` (operands in `a[v]`, `b[v]`, `c[v]`):
 * - `OP_NONE`: not defined by an instruction (a param or a loop index);
 * - `OP_LIT`: a scalar literal, value `lits[a]` (read by the variable's type: unit, bool, number);
 * - `OP_ZERO`: the zero of its type;
 * - `OP_VEC` / `OP_STRUCT`: elements / members `lists[a .. a + b)`;
 * - `OP_INDEX` / `OP_SLICE`: `a[b]` (the vec / ref, the index);
 * - `OP_MEMBER` / `OP_FIELD`: member number `b` of `a` (the struct / ref);
 * - `OP_SELECT`: `a ? b : c`;
 * - `OP_CALL`: `funcs[a]` applied to `lists[b .. b + c)`;
 * - `OP_FOR`: index variable `a`, body block `b` (its result is the block's `blockRet`);
 * - `OP_COND`: condition `a`, blocks `b` (then) and `c` (else), each with its `blockRet`;
 * - `OP_ACCUM`: a new accumulator shaped like `a`; `OP_ADD`: `a += b`; `OP_RESOLVE`: value of `a`;
 * - `OP_PRIM + k`: primitive `PRIM_NAMES[k]` of `a`, or of `a` and `b` (`b` is -1 when unary).
 * Block k lists its variables in order, `blockVars[blockStart[k] .. + blockLength[k])`, with
 * result `blockRet[k]`; block 0 is the body (its result is `ret`).
 */
import { PRIM_NAMES, lookupOf, type Prim } from './prims.ts';
import type { ExprKind, Func, Ty, TypeIds, Var } from './types.ts';

export const OP_NONE = 0;
export const OP_LIT = 1;
export const OP_ZERO = 2;
export const OP_VEC = 3;
export const OP_STRUCT = 4;
export const OP_INDEX = 5;
export const OP_MEMBER = 6;
export const OP_SLICE = 7;
export const OP_FIELD = 8;
export const OP_SELECT = 9;
export const OP_CALL = 10;
export const OP_FOR = 11;
export const OP_COND = 12;
export const OP_ACCUM = 13;
export const OP_ADD = 14;
export const OP_RESOLVE = 15;
/** The first primitive's opcode: primitive `PRIM_NAMES[k]` is `OP_PRIM + k`. */
export const OP_PRIM = 16;

/** The opcode of each expression kind but `prim` (whose opcodes are per primitive). */
export const OP_OF_KIND: { readonly [K in Exclude<ExprKind, 'prim'>]: number } = {
  lit: OP_LIT,
  zero: OP_ZERO,
  vec: OP_VEC,
  struct: OP_STRUCT,
  index: OP_INDEX,
  member: OP_MEMBER,
  slice: OP_SLICE,
  field: OP_FIELD,
  select: OP_SELECT,
  call: OP_CALL,
  for: OP_FOR,
  cond: OP_COND,
  accum: OP_ACCUM,
  add: OP_ADD,
  resolve: OP_RESOLVE,
};

/**
 * Return a table by opcode from `table`, a table by expression kind (typed over every kind, so
 * that a missing entry fails type-checking).
 */
export function byOpcode<V>(table: { readonly [K in Exclude<ExprKind, 'prim'>]: V }): readonly V[] {
  const out: V[] = [];
  for (const [kind, op] of Object.entries(OP_OF_KIND)) out[op] = table[kind as keyof typeof table];
  return out;
}

/**
 * The opcode of each primitive (see `OP_PRIM`), as an object whose keys are the primitive names:
 * a load by a constant name is an inline-cached field load (see `primOp` for varying names).
 */
export const PRIM_OP = Object.fromEntries(PRIM_NAMES.map((p, k) => [p, OP_PRIM + k])) as Readonly<
  Record<Prim, number>
>;

/** `PRIM_OP` as a lookup by a varying name (see `lookupOf` in prims.ts). */
const PRIM_OPS: ReadonlyMap<Prim, number> = lookupOf(PRIM_OP);

/** Return the opcode of primitive `prim`. */
export function primOp(prim: Prim): number {
  return PRIM_OPS.get(prim)!;
}

/** Return the primitive of opcode `op` (at least `OP_PRIM`). */
export function opPrim(op: number): Prim {
  return PRIM_NAMES[op - OP_PRIM]!;
}

/** A function a dense call calls: an object-IR function (opaque or not) or a dense one. */
export type Callee = Func | DenseFunc;

/** A function in the dense layout (see the file comment). Invariants as `TransparentFunc`'s. */
export interface DenseFunc {
  readonly kind: 'dense';
  /** Unique per process, from the same counter as `Func.id`. */
  readonly id: number;
  readonly name: string;
  readonly paramTypes: readonly Ty[];
  readonly retType: Ty;
  /** The type table and each variable's type id, as in `TransparentFunc`. */
  readonly types: readonly Ty[];
  readonly varTypes: TypeIds;
  readonly params: readonly Var[];
  readonly ret: Var;
  /** Per variable: the opcode and operands of its defining instruction (length: the var count). */
  readonly op: Uint8Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly c: Int32Array;
  /** Literal values, by index (`OP_LIT`'s `a`). */
  readonly lits: Float64Array;
  /** Variable lists of `OP_VEC`, `OP_STRUCT` and `OP_CALL`, by offset and length. */
  readonly lists: Int32Array;
  /** Call targets, by index (`OP_CALL`'s `a`). */
  readonly funcs: readonly Callee[];
  /** Blocks, by id: where each one's variables start in `blockVars`, how many, its result. */
  readonly blockStart: Int32Array;
  readonly blockLength: Int32Array;
  readonly blockRet: Int32Array;
  readonly blockVars: Int32Array;
  customJvp?: Func;
}

/** The id of a function's body block. */
export const BODY = 0;

/** Return the variables of block `k` of `f`, in order (a view: do not change it). */
export function blockVarsOf(f: DenseFunc, k: number): Int32Array {
  const start = f.blockStart[k]!;
  return f.blockVars.subarray(start, start + f.blockLength[k]!);
}

/** Return the operand list of variable `v` (of a vec, struct or call), as a view. */
export function listOf(f: DenseFunc, v: Var): Int32Array {
  const isCall = f.op[v] === OP_CALL;
  const start = isCall ? f.b[v]! : f.a[v]!;
  return f.lists.subarray(start, start + (isCall ? f.c[v]! : f.b[v]!));
}

/** Return the type of variable `v` of `f`. */
export function denseVarTy(f: DenseFunc, v: Var): Ty {
  return f.types[f.varTypes[v]!]!;
}
