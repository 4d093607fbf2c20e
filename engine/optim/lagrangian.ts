/**
 * @file Constrained problems as engine functions, so one compiled value-and-gradient serves a
 * whole inner minimization. The augmented Lagrangian is traced as an `fn` of ONE vector
 * `p = [x (n), multipliers (m), rho]`: the objective and every constraint function are called
 * inside it on `x` (calls stay calls in the IR), and the multipliers and weight are read from the
 * tail of `p`. Changing the multipliers is then a write into the tail of the pinned parameter
 * view; the gradient's tail is ignored. The constraint values, needed for the multiplier updates,
 * come from a second function `Vec(n) -> Vec(m)` compiled with `compile`.
 *
 * Per scalar constraint `c` with multiplier `l` (PHR):
 * - equality: `l c + rho/2 c^2`
 * - inequality: `(max(0, l + rho c)^2 - l^2) / (2 rho)`
 */
import type { Func } from '../ir/types.ts';
import { fn, makeFn, type Fn } from '../trace/fn.ts';
import { add, div, gt, mul, select, sub } from '../trace/ops.ts';
import { Real, Vec, type Real as RealValue } from '../trace/types.ts';
import { compile } from '../wasm/compile.ts';
import { compileValueAndGrad, type CompiledValueAndGrad } from '../wasm/compile-grad.ts';
import type { ConstraintKind, ConstraintModel } from './minimizer.ts';
import { objectiveFromCompiled, setData } from './objective.ts';

/** One constraint function of a problem: its kind, IR function and number of scalar values. */
export interface ConstraintSpec {
  readonly type: ConstraintKind;
  readonly func: Func;
  /** 1 for a Real result, m for a `Vec(m, Real)` result. */
  readonly count: number;
  /** True when the result is a vector (even of length 1). */
  readonly vector: boolean;
}

/** Return the kinds of the scalar constraints, in order. */
export function constraintKinds(constraints: readonly ConstraintSpec[]): ConstraintKind[] {
  return constraints.flatMap((c) => Array.from({ length: c.count }, () => c.type));
}

/** Return the scalar values of constraint `c` on `xs` inside a body being traced. */
function traceValues(c: ConstraintSpec, xs: readonly RealValue[]): RealValue[] {
  const r = (makeFn(c.func) as unknown as (x: readonly RealValue[]) => unknown)(xs);
  if (!c.vector) return [r as RealValue];
  const v = r as { [i: number]: RealValue };
  return Array.from({ length: c.count }, (_, i) => v[i]!);
}

/** Return the PHR term of one scalar constraint value `c` with multiplier `l` and weight `rho`. */
function phrTerm(type: ConstraintKind, c: RealValue, l: RealValue, rho: RealValue): RealValue {
  if (type === 'eq') return mul(c, add(l, mul(mul(rho, 0.5), c)));
  const t = add(l, mul(rho, c));
  const positive = select(gt(t, 0), Real, t, 0);
  return div(sub(mul(positive, positive), mul(l, l)), mul(rho, 2));
}

/** Return the augmented Lagrangian of `objective` as an fn of `[x, multipliers, rho]`. */
export function lagrangianFn(objective: Func, constraints: readonly ConstraintSpec[], n: number): Fn {
  const kinds = constraintKinds(constraints);
  const m = kinds.length;
  const f = makeFn(objective) as unknown as (x: readonly RealValue[]) => RealValue;
  return fn([Vec(n + m + 1, Real)], Real, function lagrangian(p) {
    const xs = Array.from({ length: n }, (_, i) => p[i]!);
    const rho = p[n + m]!;
    let total = f(xs);
    let k = 0;
    for (const c of constraints)
      for (const value of traceValues(c, xs)) {
        total = add(total, phrTerm(c.type, value, p[n + k]!, rho));
        k++;
      }
    return total;
  });
}

/** Return an fn of `Vec(n, Real)` giving all scalar constraint values as one `Vec(m, Real)`. */
export function constraintValuesFn(constraints: readonly ConstraintSpec[], n: number): Fn {
  const m = constraintKinds(constraints).length;
  return fn([Vec(n, Real)], Vec(m, Real), function constraintValues(x) {
    const xs = Array.from({ length: n }, (_, i) => x[i]!);
    return constraints.flatMap((c) => traceValues(c, xs));
  });
}

/** A compiled constraint model and what to free when done. */
export interface CompiledConstraints {
  readonly model: ConstraintModel;
  readonly lagrangian: CompiledValueAndGrad;
}

/** Compile the Lagrangian and the constraint values of a problem (asynchronously). */
export async function compileConstraints(
  objective: Func,
  constraints: readonly ConstraintSpec[],
  n: number,
): Promise<CompiledConstraints> {
  const kinds = constraintKinds(constraints);
  const m = kinds.length;
  const h = await compileValueAndGrad(lagrangianFn(objective, constraints, n));
  const values = await compile(constraintValuesFn(constraints, n) as Fn & ((x: number[]) => number[]));
  const into = values.into as unknown as (out: Float64Array, x: Float64Array) => Float64Array;
  const model: ConstraintModel = {
    kinds,
    lagrangian: objectiveFromCompiled(h, n),
    setMultipliers(multipliers: Float64Array, rho: number): void {
      setData(h, n, multipliers);
      h.x[n + m] = rho;
    },
    values(x: Float64Array, out: Float64Array): void {
      into(out, x);
    },
  };
  return { model, lagrangian: h };
}
