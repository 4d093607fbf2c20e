/**
 * @file Reverse mode assembled from the passes: jvp, then unzip, then transpose.
 * Builder-level helpers the tracer uses to emit `vjp`, `grad` and friends into a function.
 * (STUB: contract only; implemented by the reverse-mode task.)
 */
import { internal } from '../errors.ts';
import type { FuncBuilder } from '../ir/builder.ts';
import type { Func, TransparentFunc, Var } from '../ir/types.ts';

/** The forward and backward functions of `f` for the parameters selected by `wrt`. */
export interface VjpFuncs {
  readonly fwd: TransparentFunc;
  readonly bwd: TransparentFunc;
}

/** Return fwd = unzip(jvp(f, wrt)).fwd and bwd = transpose(unzip(jvp(f, wrt)).lin), memoized. */
export function vjpFuncs(f: Func, wrt?: readonly boolean[]): VjpFuncs {
  return internal(`vjpFuncs not implemented (${f.name}, ${wrt?.length})`);
}

/** What `emitForward` returns: the primal result and the residuals for `emitBackward`. */
export interface ForwardVars {
  readonly ret: Var;
  readonly res: Var;
}

/** Emit into `b` the forward pass of `f` on `args`; return the primal result and residuals. */
export function emitForward(
  b: FuncBuilder,
  f: Func,
  args: readonly Var[],
  wrt?: readonly boolean[],
): ForwardVars {
  return internal(`emitForward not implemented (${b.name}, ${f.name}, ${args.length}, ${wrt})`);
}

/**
 * Emit into `b` the backward pass of `f`: given `ct` (type `erase(f.retType)`; non-float leaves
 * ignored) and the vars `emitForward` returned, return one gradient var per param selected by
 * `wrt`, each of the param's own type, with bool/index/unit leaves copied from the argument.
 */
export function emitBackward(
  b: FuncBuilder,
  f: Func,
  args: readonly Var[],
  fwd: ForwardVars,
  ct: Var,
  wrt?: readonly boolean[],
): Var[] {
  return internal(`emitBackward not implemented (${b.name}, ${f.name}, ${args}, ${fwd}, ${ct}, ${wrt})`);
}
