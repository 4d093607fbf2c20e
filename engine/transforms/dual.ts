/**
 * @file Rose's dual layout: every float leaf of a value becomes `struct {du: tan, re: real}`
 * (keys `['du', 're']`, so `du` is member 0 and `re` member 1). Custom JVPs (`f.customJvp`) and
 * the public `jvp(f)` of the tracer speak this layout; the `jvp` pass keeps primals and tangents
 * apart and converts with `packDual` / `unpackDual` at the boundary (`jvpFromCustom`).
 */
import { FuncBuilder } from '../ir/builder.ts';
import {
  REAL,
  TAN,
  erase,
  hasFloat,
  mapLeaves,
  structTy,
  tangentTy,
  tyEqual,
  type Func,
  type StructTy,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';
import { RoseError, formatMessage, internal } from '../errors.ts';

/** The keys of a dual number, in struct order. */
export const DUAL_KEYS: readonly string[] = Object.freeze(['du', 're']);
/** Member index of the tangent part of a dual number (and of every `{du, re}` pair). */
export const DU = 0;
/** Member index of the primal part of a dual number (and of every `{du, re}` pair). */
export const RE = 1;
/** The dual number type `struct {du: tan, re: real}`. */
export const DUAL: StructTy = Object.freeze(structTy(DUAL_KEYS, [TAN, REAL]));

const dualCache = new WeakMap<Ty, Ty>();
const floatCache = new WeakMap<Ty, boolean>();
const pairCache = new WeakMap<Ty, StructTy>();

/** Return true when `t` has a `real` or `tan` leaf (memoized; leaves answered directly). */
export function isFloaty(t: Ty): boolean {
  switch (t.kind) {
    case 'real':
    case 'tan':
      return true;
    case 'unit':
    case 'bool':
    case 'fin':
      return false;
    default: {
      let r = floatCache.get(t);
      if (r === undefined) floatCache.set(t, (r = hasFloat(t)));
      return r;
    }
  }
}

/** Return the dual layout of `t`: each `real`/`tan` leaf becomes `{du: tan, re: real}`. */
export function dualTy(t: Ty): Ty {
  if (t.kind === 'real' || t.kind === 'tan') return DUAL;
  let r = dualCache.get(t);
  if (r === undefined) {
    r = mapLeaves(t, (l) => (l.kind === 'real' || l.kind === 'tan' ? DUAL : l));
    dualCache.set(t, r);
  }
  return r;
}

/** Return the struct `{du: tangent, re: primal}` pairing a value of type `t` with its tangent. */
export function pairTy(t: Ty): StructTy {
  let r = pairCache.get(t);
  if (r === undefined) pairCache.set(t, (r = structTy(DUAL_KEYS, [tangentTy(t), erase(t)])));
  return r;
}

/**
 * Emit a value of `dualTy(t)` from `primal` (type `erase(t)`) and `tangent` (`tangentTy(t)`).
 * Vectors are converted by a loop, structs member by member; float-free parts pass through.
 */
export function packDual(b: FuncBuilder, t: Ty, primal: Var, tangent: Var): Var {
  switch (t.kind) {
    case 'real':
    case 'tan':
      return b.struct([tangent, primal], DUAL);
    case 'vec':
      if (!isFloaty(t)) return primal;
      return b.forLoop(t.size, (i) =>
        packDual(b, t.elem, b.index(primal, i), b.index(tangent, i)),
      );
    case 'struct': {
      if (!isFloaty(t)) return primal;
      const members = t.members.map((m, k) => {
        const p = b.member(primal, k);
        return isFloaty(m) ? packDual(b, m, p, b.member(tangent, k)) : p;
      });
      return b.struct(members, dualTy(t));
    }
    case 'ref':
      return internal(`packDual of a ref type in ${b.name}`);
    default:
      return primal;
  }
}

/** Emit the primal part (type `erase(t)`) of `dual`, a value of `dualTy(t)`. */
export function dualPrimal(b: FuncBuilder, t: Ty, dual: Var): Var {
  switch (t.kind) {
    case 'real':
    case 'tan':
      return b.member(dual, RE);
    case 'vec':
      if (!isFloaty(t)) return dual;
      return b.forLoop(t.size, (i) => dualPrimal(b, t.elem, b.index(dual, i)));
    case 'struct': {
      if (!isFloaty(t)) return dual;
      const members = t.members.map((m, k) => dualPrimal(b, m, b.member(dual, k)));
      return b.struct(members, erase(t));
    }
    case 'ref':
      return internal(`dualPrimal of a ref type in ${b.name}`);
    default:
      return dual;
  }
}

/** Emit the tangent part (type `tangentTy(t)`) of `dual`, a value of `dualTy(t)`. */
export function dualTangent(b: FuncBuilder, t: Ty, dual: Var): Var {
  if (!isFloaty(t)) return b.zero(tangentTy(t));
  switch (t.kind) {
    case 'vec':
      return b.forLoop(t.size, (i) => dualTangent(b, t.elem, b.index(dual, i)));
    case 'struct': {
      const members = t.members.map((m, k) =>
        isFloaty(m) ? dualTangent(b, m, b.member(dual, k)) : b.zero(tangentTy(m)),
      );
      return b.struct(members, tangentTy(t));
    }
    case 'ref':
      return internal(`dualTangent of a ref type in ${b.name}`);
    default:
      return b.member(dual, DU);
  }
}

/** Emit the primal (`erase(t)`) and tangent (`tangentTy(t)`) parts of `dual` (`dualTy(t)`). */
export function unpackDual(b: FuncBuilder, t: Ty, dual: Var): { primal: Var; tangent: Var } {
  return { primal: dualPrimal(b, t, dual), tangent: dualTangent(b, t, dual) };
}

/**
 * Build the JVP of `f` from its custom JVP `custom` (Rose dual layout): pack each (primal,
 * tangent) param pair into duals, call `custom`, unpack its dual result. The result has the
 * params and result type of `jvp(f, active)` (see jvp.ts).
 */
export function jvpFromCustom(f: Func, custom: Func, active: readonly boolean[]): TransparentFunc {
  checkCustomSignature(f, custom);
  const b = new FuncBuilder(`jvp_${f.name}`);
  const primals = f.paramTypes.map((t) => b.param(erase(t)));
  const tangents = f.paramTypes.map((t, i) => (active[i] ? b.param(tangentTy(t)) : -1));
  const args = f.paramTypes.map((t, i) => {
    if (!isFloaty(t)) return primals[i]!;
    const d = tangents[i]! < 0 ? b.zero(tangentTy(t)) : tangents[i]!;
    return packDual(b, t, primals[i]!, d);
  });
  const r = b.emit({ kind: 'call', func: custom, args }, custom.retType);
  const { primal, tangent } = unpackDual(b, f.retType, r);
  return b.finish(b.emit({ kind: 'struct', members: [tangent, primal] }, pairTy(f.retType)));
}

/** Throw when `custom`'s signature is not the dual layout of `f`'s (tangent-ness ignored). */
function checkCustomSignature(f: Func, custom: Func): void {
  const fits = (a: Ty, b: Ty) => tyEqual(erase(a), erase(b));
  if (f.paramTypes.some((t) => t.kind === 'ref'))
    throw new RoseError(
      'unsupported',
      formatMessage('a custom JVP of a function with accumulator parameters', f.name),
    );
  const ok =
    custom.paramTypes.length === f.paramTypes.length &&
    custom.paramTypes.every((t, i) => fits(t, dualTy(f.paramTypes[i]!))) &&
    fits(custom.retType, dualTy(f.retType));
  if (!ok)
    throw new RoseError(
      'type-mismatch',
      formatMessage(
        `custom JVP \`${custom.name}\` does not have the dual signature of \`${f.name}\``,
        f.name,
        'each Real of a parameter and of the result must become Dual ({re: Real, du: Tan})',
      ),
    );
}
