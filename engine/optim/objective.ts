/**
 * @file The plain objective interface every optimizer works on, independent of how gradients are
 * computed, and its adapters: from a zero-copy `CompiledValueAndGrad` (the fast path), from the
 * interpreter, and from plain JS (tests). An objective writes the gradient at `x` into the
 * caller's array and returns the value; the optimizers own both arrays and allocate nothing per
 * iteration.
 */
import { RoseError, formatMessage } from '../errors.ts';
import type { Func } from '../ir/types.ts';
import { valueAndGrad } from '../trace/autodiff.ts';
import { funcOf, makeFn, type Fn } from '../trace/fn.ts';
import { runFunc } from '../trace/run.ts';
import type { CompiledValueAndGrad } from '../wasm/compile-grad.ts';

/** A differentiable function of `n` reals. */
export interface Objective {
  /** The number of parameters. */
  readonly n: number;
  /** Return the value at `x` (length `n`) and write the gradient into `gradient` (length `n`). */
  evaluate(x: Float64Array, gradient: Float64Array): number;
}

/**
 * Return an objective over the first `n` entries of a compiled value-and-gradient's parameters
 * (default: all of them). The entries after `n` are data (multipliers, weights): write them with
 * `setData` below; their gradient entries are ignored. The views are re-read on every call
 * because growing the wasm memory replaces them.
 */
export function objectiveFromCompiled(h: CompiledValueAndGrad, n: number = h.n): Objective {
  return {
    n,
    evaluate(x: Float64Array, gradient: Float64Array): number {
      const view = h.x;
      for (let i = 0; i < n; i++) view[i] = x[i]!;
      const value = h.evaluate();
      const g = h.gradient;
      for (let i = 0; i < n; i++) gradient[i] = g[i]!;
      return value;
    },
  };
}

/** Write `data` into the parameters of `h` after its first `n` (the data tail of a composite). */
export function setData(h: CompiledValueAndGrad, n: number, data: ArrayLike<number>): void {
  const view = h.x;
  for (let i = 0; i < data.length; i++) view[n + i] = data[i]!;
}

/** Return an objective that runs `f` (a Real-valued fn of one `Vec(n, Real)`) in the interpreter. */
export function objectiveFromInterp(f: Fn): Objective {
  const func: Func = funcOf(f, 'objectiveFromInterp(f)');
  const p = func.paramTypes[0];
  if (func.paramTypes.length !== 1 || p?.kind !== 'vec')
    throw new RoseError(
      'type-mismatch',
      formatMessage('objectiveFromInterp needs a function of one Vec(n, Real)', func.name),
    );
  const vg = funcOf(valueAndGrad(makeFn(func) as never), 'objectiveFromInterp(f)');
  const n = p.size;
  return {
    n,
    evaluate(x: Float64Array, gradient: Float64Array): number {
      const r = runFunc(vg, [Array.from(x)]) as { value: number; grad: number[] };
      for (let i = 0; i < n; i++) gradient[i] = r.grad[i]!;
      return r.value;
    },
  };
}

/** Return an objective from a plain JS function that returns the value and writes the gradient. */
export function objectiveFromJs(
  n: number,
  evaluate: (x: Float64Array, gradient: Float64Array) => number,
): Objective {
  return { n, evaluate };
}
