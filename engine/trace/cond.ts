/**
 * @file `cond` (beyond Rose): a conditional whose untaken branch does not run. Each branch is a
 * thunk traced into its own IR block; only the block the condition picks runs, and reverse mode
 * records the branch taken, so the backward pass also runs only that block's transpose. `select`
 * computes (and differentiates) both sides instead.
 */
import { RoseError, formatMessage } from '../errors.ts';
import { BOOL } from '../ir/types.ts';
import { getCtx } from './context.ts';
import { toTy, type Bool, type Symbolic, type Value } from './types.ts';
import { symbolic, valId } from './values.ts';

/**
 * Return `then()` when `cond` is true, else `els()`, as a value of type `ty`. Unlike `select`,
 * only the branch taken runs (and is differentiated): use it where one side is expensive or
 * undefined (a square root of a negative number) when the condition is false.
 */
export function cond<const T>(
  cond: Bool,
  ty: T,
  then: () => Value<T>,
  els: () => Value<T>,
): Symbolic<T> {
  const where = 'cond(...)';
  const ctx = getCtx(where);
  const t = toTy(ty, where);
  const c = valId(ctx, BOOL, cond, `the condition of ${where}`);
  for (const [f, name] of [[then, 'then'], [els, 'else']] as const)
    if (typeof f !== 'function')
      throw new RoseError(
        'invalid-value',
        formatMessage(
          `invalid value: the ${name} branch must be a function`,
          where,
          'Pass functions: cond(p, Real, () => a, () => b)',
        ),
      );
  const a = ctx.traceBlock(() => valId(ctx, t, then(), `the then-branch of ${where}`));
  const e = ctx.traceBlock(() => valId(ctx, t, els(), `the else-branch of ${where}`));
  const v = ctx.b.emit(
    { kind: 'cond', cond: c, then: a.block, thenRet: a.ret, els: e.block, elsRet: e.ret },
    t,
  );
  return symbolic(ctx, v) as Symbolic<T>;
}
