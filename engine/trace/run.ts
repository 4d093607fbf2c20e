/**
 * @file `interp`: run an `Fn` with the reference interpreter on plain JS values. Arguments are
 * checked like literals in a body (Rose's messages) and converted to interpreter values (structs
 * positional in key order); results come back as plain objects and arrays.
 */
import { RoseError, formatMessage } from '../errors.ts';
import { interpret, type Val } from '../interp/interp.ts';
import type { Func, Ty } from '../ir/types.ts';
import { checkArity, funcOf, type Fn, type Typed } from './fn.ts';
import { describe, showTy, type Js } from './types.ts';
import { checkKeys, checkLength, checkNat, isTuple, tupleMember, traceError } from './values.ts';

/** Map parameter descriptors to the JS values `interp` accepts. */
export type JsParams<P> = { -readonly [K in keyof P]: Js<P[K]> };

/** Return a synchronous JS function that runs `f` with the interpreter. */
export function interp<const P extends readonly unknown[], const R>(
  f: Fn & Typed<P, R>,
): (...args: JsParams<P>) => Js<R> {
  const func = funcOf(f, 'interp(f)');
  return ((...args: unknown[]) => runFunc(func, args)) as (...args: JsParams<P>) => Js<R>;
}

/** Return `func` applied to the JS values `args`, converted both ways. */
export function runFunc(func: Func, args: readonly unknown[]): unknown {
  const where = `interp(${func.name})`;
  checkArity(func, args.length, where);
  const vals = func.paramTypes.map((t, i) => toVal(t, args[i], `argument ${i} of ${where}`));
  return fromVal(func.retType, interpret(func, vals), where);
}

/** Return the interpreter value of the JS value `x` of type `t`, checking that it fits. */
export function toVal(t: Ty, x: unknown, where: string): Val {
  if (x === null) {
    if (t.kind !== 'unit') throw mismatch('did not expect null', t, where);
    return null;
  }
  if (typeof x === 'boolean') {
    if (t.kind !== 'bool') throw mismatch('did not expect boolean', t, where);
    return x;
  }
  if (typeof x === 'number') {
    if (t.kind === 'real' || t.kind === 'tan') return x;
    if (t.kind !== 'fin') throw mismatch('type is not numeric', t, where);
    checkNat(x, where);
    return x;
  }
  if (Array.isArray(x) || x instanceof Float64Array) {
    if (t.kind === 'struct' && isTuple(t)) {
      checkLength(x.length, t.keys.length, where, 'invalid value');
      return t.keys.map((k, m) => toVal(t.members[m]!, x[Number(k)], where));
    }
    if (t.kind !== 'vec') throw mismatch('type is not an array', t, where);
    checkLength(x.length, t.size, where, 'invalid value');
    const out: Val[] = new Array(t.size);
    for (let i = 0; i < t.size; i++) out[i] = toVal(t.elem, x[i], where);
    return out;
  }
  if (typeof x === 'object' && !ArrayBuffer.isView(x)) {
    if (t.kind !== 'struct') throw mismatch('type is not a struct', t, where);
    checkKeys(Object.keys(x), t, where, 'invalid value');
    const obj = x as Record<string, unknown>;
    return t.keys.map((k, m) => toVal(t.members[m]!, obj[k], where));
  }
  throw traceError(
    'invalid-value',
    'invalid value',
    `${describe(x)} where a value of type ${showTy(t)} was expected`,
    where,
    'Pass null, a boolean, a number, an array (or Float64Array) or an object',
  );
}

/** Return the JS value of the interpreter value `v` of type `t`. */
export function fromVal(t: Ty, v: Val, where: string): unknown {
  switch (t.kind) {
    case 'ref':
      throw new RoseError(
        'unsupported',
        formatMessage('Ref not supported: an accumulator cannot be returned to JS', where),
      );
    case 'vec':
      return (v as Val[]).map((e) => fromVal(t.elem, e, where));
    case 'struct': {
      const ms = v as Val[];
      if (isTuple(t))
        return t.keys.map((_, i) => {
          const m = tupleMember(t, i);
          return fromVal(t.members[m]!, ms[m]!, where);
        });
      const out: Record<string, unknown> = {};
      t.keys.forEach((k, m) => (out[k] = fromVal(t.members[m]!, ms[m]!, where)));
      return out;
    }
    default:
      return v;
  }
}

/** Return a mismatch error for a JS argument of the wrong kind. */
function mismatch(rose: string, t: Ty, where: string): RoseError {
  return traceError('invalid-value', rose, `the type is ${showTy(t)}`, where);
}
