/**
 * @file Reverse-mode wrappers for derivative tests, built only from the public pass contracts:
 * a gradient function made with `emitForward`/`emitBackward` (engine/transforms/vjp.ts), a
 * Hessian-vector product by forward-over-reverse (`jvp` of that gradient function) and by
 * reverse-over-reverse (the gradient of `x -> <grad f(x), v>`).
 */
import { interpret, type Val } from '../../engine/interp/interp.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { erase, finTy, structTy, type Func, type TransparentFunc, type Ty, type Var } from '../../engine/ir/types.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { emitBackward, emitForward } from '../../engine/transforms/vjp.ts';
import { flatten, tangents, unflattenAll } from './gradcheck.ts';

const wrappers = new WeakMap<Func, Map<string, TransparentFunc>>();

/** Return the selected parameter positions of `f` (all when `wrt` is undefined). */
export function selected(f: Func, wrt?: readonly boolean[]): number[] {
  return f.paramTypes.map((_, k) => k).filter((k) => wrt === undefined || wrt[k]);
}

/**
 * Return `grad_f(...params, ct)`, returning `struct {g<k>: gradient of param k (selected ones),
 * ret: f(...params)}`, built with `emitForward` and `emitBackward` for `wrt`.
 */
export function gradWrapper(f: Func, wrt?: readonly boolean[]): TransparentFunc {
  const key = wrt ? wrt.map(Number).join('') : '*';
  let memo = wrappers.get(f);
  if (!memo) wrappers.set(f, (memo = new Map()));
  const hit = memo.get(key);
  if (hit) return hit;
  const g = gradWrapperOf(f, `grad_${f.name}`, wrt, (b, args, ct) => {
    const fwd = emitForward(b, f, args, wrt);
    return { value: fwd.ret, grads: emitBackward(b, f, args, fwd, ct, wrt) };
  });
  memo.set(key, g);
  return g;
}

/**
 * Return a function of `gradWrapper`'s layout named `name`, whose primal result and gradients
 * (one per param selected by `wrt`) `emit` computes from the params and the cotangent.
 */
export function gradWrapperOf(
  f: Func,
  name: string,
  wrt: readonly boolean[] | undefined,
  emit: (b: FuncBuilder, args: readonly Var[], ct: Var) => { value: Var; grads: readonly Var[] },
): TransparentFunc {
  const b = new FuncBuilder(name);
  const args = f.paramTypes.map((t) => b.param(erase(t)));
  const ct = b.param(erase(f.retType));
  const { value, grads } = emit(b, args, ct);
  const sel = selected(f, wrt);
  if (grads.length !== sel.length) throw new Error(`${grads.length} gradients for ${sel.length} selected params`);
  const keys = [...sel.map((k) => `g${k}`), 'ret'];
  const t = structTy(keys, [...grads.map((g) => b.typeOf(g)), b.typeOf(value)]);
  return b.finish(b.struct([...grads, value], t));
}

/** The result of running a gradient wrapper: primal result and one gradient per selected param. */
export interface GradResult {
  readonly ret: Val;
  readonly grads: Val[];
}

/** Run `gradWrapper(f, wrt)` on `x` with cotangent `ct`. */
export function runGrad(f: Func, x: readonly Val[], ct: Val, wrt?: readonly boolean[]): GradResult {
  const out = interpret(gradWrapper(f, wrt), [...x, ct]) as Val[];
  return { ret: out[out.length - 1]!, grads: out.slice(0, -1) };
}

/** Return the flat gradient of real-valued `f` at `x` (selected params, in order), by reverse mode. */
export function gradFlat(f: Func, x: readonly Val[], wrt?: readonly boolean[]): number[] {
  const { grads } = runGrad(f, x, 1, wrt);
  const out: number[] = [];
  selected(f, wrt).forEach((k, j) => flatten(f.paramTypes[k]!, grads[j]!, out));
  return out;
}

/** Emit the dot product of the float leaves of `a` and `c` (both of type `t`). */
export function emitDot(b: FuncBuilder, t: Ty, a: Var, c: Var): Var | undefined {
  switch (t.kind) {
    case 'real':
    case 'tan':
      return b.prim('mul', [a, c]);
    case 'vec':
    case 'struct': {
      let total: Var | undefined;
      const n = t.kind === 'vec' ? t.size : t.members.length;
      for (let k = 0; k < n; k++) {
        const [ak, ck, tk] =
          t.kind === 'vec'
            ? [b.index(a, b.lit(k, finTy(n))), b.index(c, b.lit(k, finTy(n))), t.elem]
            : [b.member(a, k), b.member(c, k), t.members[k]!];
        const d = emitDot(b, tk, ak, ck);
        if (d !== undefined) total = total === undefined ? d : b.prim('add', [total, d]);
      }
      return total;
    }
    default:
      return undefined;
  }
}

/** Return `H v` for real-valued `f` at `x` by forward-over-reverse: `jvp` of the gradient wrapper. */
export function hvpForwardOverReverse(f: Func, x: readonly Val[], v: readonly number[]): number[] {
  const g = gradWrapper(f);
  const active = [...f.paramTypes.map(() => true), false];
  const out = interpret(jvp(g, active), [...x, 1, ...tangents(f.paramTypes, v)]) as Val[];
  const du = out[0] as Val[];
  const hv: number[] = [];
  f.paramTypes.forEach((t, k) => flatten(t, du[k]!, hv));
  return hv;
}

const hvpMemo = new WeakMap<Func, TransparentFunc>();

/** Return `dir_f(...params, ...v) = <grad f(params), v>` for real-valued `f` (reverse mode inside). */
export function gradDotWrapper(f: Func): TransparentFunc {
  const hit = hvpMemo.get(f);
  if (hit) return hit;
  const b = new FuncBuilder(`graddot_${f.name}`);
  const args = f.paramTypes.map((t) => b.param(erase(t)));
  const vs = f.paramTypes.map((t) => b.param(erase(t)));
  const fwd = emitForward(b, f, args);
  const grads = emitBackward(b, f, args, fwd, b.real(1));
  let total: Var | undefined;
  f.paramTypes.forEach((t, k) => {
    const d = emitDot(b, t, grads[k]!, vs[k]!);
    if (d !== undefined) total = total === undefined ? d : b.prim('add', [total, d]);
  });
  const g = b.finish(total ?? b.real(0));
  hvpMemo.set(f, g);
  return g;
}

/** Return `H v` for real-valued `f` at `x` by reverse-over-reverse: the gradient of `<grad f, v>`. */
export function hvpReverseOverReverse(f: Func, x: readonly Val[], v: readonly number[]): number[] {
  const g = gradDotWrapper(f);
  const vVals = unflattenAll(f.paramTypes, v, x);
  const wrt = [...f.paramTypes.map(() => true), ...f.paramTypes.map(() => false)];
  const { grads } = runGrad(g, [...x, ...vVals], 1, wrt);
  const hv: number[] = [];
  f.paramTypes.forEach((t, j) => flatten(t, grads[j]!, hv));
  return hv;
}
