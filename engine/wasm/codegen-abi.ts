/**
 * @file The calling conventions and value homes shared by the wasm codegen modules: how each IR
 * parameter and result is passed (`FuncAbi`), where each variable's value lives (`Home`), and
 * small type helpers.
 *
 * A compiled IR function takes one wasm param per IR param with a value (f64 for real/tan, i32
 * for bool/fin and for pointers to vec/struct/ref data), where a `ref<real>` param is passed
 * "inout" in the `value` variant (its current f64 in, its final f64 out: Rose PR #118, but exact)
 * and as a pointer in the `ptr` variant; then, for an aggregate result, the i32 address to build
 * it at (`dst`); then the i32 frame pointer `sp`. Results: a scalar result's value, then the
 * final values of the inout params.
 */
import type { FreshAccumulators } from './codegen-fresh.ts';
import type { Func, Ty, Var } from '../ir/types.ts';
import type { ValType } from './encoder.ts';
import { isZeroSize, wasmRep, type WasmRep } from './layout.ts';
import type { Effects } from './liveness.ts';

/** Base of a frame home: the frame pointer. */
export const SP = -1;
/**
 * Base of a frame home: the destination of the function's aggregate result; `DST - j` is the
 * destination of part `j` of a split result (see `FuncAbi.dsts`).
 */
export const DST = -2;

/** Return the part index of a destination base (`DST - j`), or -1 for other bases. */
export function dstPart(base: number): number {
  return base <= DST ? DST - base : -1;
}

/** The most members a struct result may have to be returned split (one destination each). */
export const MAX_SPLIT = 8;

/** One destination of an aggregate result: where part `member` (-1: the whole value) is built. */
export interface Dst {
  /** Wasm param index of its address. */
  readonly index: number;
  /** Byte offset of the part inside the result value. */
  readonly off: number;
  /** Member position of the part in the result struct, or -1 for the whole value. */
  readonly member: number;
}

/**
 * Where a variable's value is found. A `frame` home is fresh storage at `base + off`, where
 * `base` is `SP`, `DST`, or a loop variable (the address of the loop's current element).
 */
export type Home =
  | { readonly k: 'none' }
  | { readonly k: 'const'; readonly t: ValType; readonly value: number }
  | { readonly k: 'local' }
  | { readonly k: 'param'; readonly index: number }
  | { readonly k: 'frame'; readonly base: number; readonly off: number }
  | { readonly k: 'derived'; readonly base: Var; readonly off: number }
  | { readonly k: 'spill'; readonly off: number; readonly t: ValType }
  /** Computed where it is read, on the wasm stack (a pure scalar read once, nearby). */
  | { readonly k: 'inline' };

/** How one IR parameter is passed: not at all, as a value, or as an accumulated f64 in and out. */
export type ParamRep = 'none' | 'i32' | 'f64' | 'inout';

/**
 * Calling-convention variant of a compiled function. `value`: each `ref<real>` param is passed
 * inout (its current f64 in, its final f64 out). `ptr`: every `ref<real>` param is an i32
 * pointer to the f64 in memory; used where a caller passes aliased accumulators (the same one
 * twice), so that interleaved adds happen in program order as in the interpreter, and for the
 * exported root.
 */
export type Variant = 'value' | 'ptr';

/** The calling convention of one compiled function. */
export interface FuncAbi {
  readonly func: Func;
  readonly variant: Variant;
  /** Wasm function index (an import index for opaque functions). */
  readonly index: number;
  readonly params: readonly ParamRep[];
  /** Wasm param index of each IR param (-1 when not passed); `sp` comes last. */
  readonly paramIndex: readonly number[];
  readonly nWasmParams: number;
  readonly ret: WasmRep;
  /** IR param positions passed `inout` (their final values follow the result), in order. */
  readonly inout: readonly number[];
  /**
   * True when the result is an aggregate: the caller passes its destination as i32 params
   * (before `sp`, see `dsts`), the callee builds or copies it there and returns no value for it.
   */
  readonly retInDst: boolean;
  /**
   * The destinations of an aggregate result: one for the whole value, or, for a struct of 2 to
   * `MAX_SPLIT` members with a value, one per such member ("split"), so that a caller can have
   * each member built where it ends up (a call's residuals straight into the caller's residual
   * struct, its primal result elsewhere). Empty when `retInDst` is false.
   */
  readonly dsts: readonly Dst[];
  /** Bytes of frame the function needs from its `sp`; set once it is planned. */
  frameSize: number;
  /**
   * Aggregate params the function copies into a part of its result at its destination, set once
   * it is planned: a caller may build such an argument right there, and the copy is skipped.
   */
  paramAt?: readonly ParamCopy[];
}

/** An aggregate param copied into a result part: param position, part (index into `dsts`), byte offset in it. */
export interface ParamCopy {
  readonly param: number;
  readonly part: number;
  readonly off: number;
}

/** Return how a parameter of type `t` is passed in `variant`. */
export function paramRep(t: Ty, variant: Variant): ParamRep {
  if (t.kind === 'ref') {
    if (isZeroSize(t.inner)) return 'none';
    return variant === 'value' && (t.inner.kind === 'real' || t.inner.kind === 'tan') ? 'inout' : 'i32';
  }
  if (isZeroSize(t)) return 'none';
  return t.kind === 'real' || t.kind === 'tan' ? 'f64' : 'i32';
}

/** Where a value is also stored as soon as it is computed: `base + off` (see `Home`). */
export interface Target {
  readonly base: number;
  readonly off: number;
}

/** What the planner needs from the module. */
export interface PlanContext {
  readonly effects: Effects;
  /** Return the convention of `g` in `variant` (compiling that variant on first request). */
  readonly abiOf: (g: Func, variant?: Variant) => FuncAbi;
  readonly splitThreshold: number;
  readonly maxBytes: number;
  /** Fresh accumulator parameters, and the accumulators callers pass fresh (codegen-fresh.ts). */
  readonly fresh?: FreshAccumulators;
}

/** Return true when a value of `t` exists at run time (a ref exists when its contents take bytes). */
export function hasValue(t: Ty): boolean {
  return wasmRep(t) !== 'none';
}

/** Return the inner type of a ref type (or `t` itself). */
export function refInner(t: Ty): Ty {
  return t.kind === 'ref' ? t.inner : t;
}

