/**
 * @file Test helpers for reverse mode: random values by type, value parts, inner products,
 * harnesses for the transpose identity, and counting functions in a call graph.
 */
import { interpret, type Val } from '../../engine/interp/interp.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import {
  erase,
  hasTan,
  structTy,
  varTypeList,
  type Block,
  type Func,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../../engine/ir/types.ts';

/** Throw unless `f` and everything it calls is valid IR, call types matching exactly. */
export function checkFunc(f: Func): void {
  check(f, { strictCalls: true });
}

/** Return true when no variable type of `f` mentions `tan` (an erased function). */
export function isErased(f: TransparentFunc): boolean {
  return varTypeList(f).every((t) => !hasTan(t));
}

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Return a random value of type `t` (floats in [-2, 2)). */
export function randomVal(t: Ty, r: () => number): Val {
  switch (t.kind) {
    case 'unit':
      return null;
    case 'bool':
      return r() < 0.5;
    case 'real':
    case 'tan':
      return r() * 4 - 2;
    case 'fin':
      return Math.floor(r() * t.size);
    case 'vec':
      return Array.from({ length: t.size }, () => randomVal(t.elem, r));
    case 'struct':
      return t.members.map((m) => randomVal(m, r));
    case 'ref':
      throw new Error('no random accumulators');
  }
}

/** Return the sum of products of the float leaves of `a` and `b` (both of type `t`). */
export function dot(t: Ty, a: Val, b: Val): number {
  switch (t.kind) {
    case 'real':
    case 'tan':
      return (a as number) * (b as number);
    case 'vec':
      return (a as Val[]).reduce<number>((s, x, i) => s + dot(t.elem, x, (b as Val[])[i]!), 0);
    case 'struct':
      return t.members.reduce((s, m, i) => s + dot(m, (a as Val[])[i]!, (b as Val[])[i]!), 0);
    default:
      return 0;
  }
}

/** Return the functions reachable from `roots` through calls (roots included). */
export function reachable(...roots: Func[]): Set<Func> {
  const out = new Set<Func>();
  const visit = (f: Func) => {
    if (out.has(f)) return;
    out.add(f);
    if (f.kind === 'transparent') walk(f.body);
  };
  const walk = (b: Block) => {
    for (const { expr: e } of b) {
      if (e.kind === 'call') visit(e.func);
      if (e.kind === 'for') walk(e.body);
    }
  };
  roots.forEach(visit);
  return out;
}

/**
 * Build a harness running `bwd = transpose(lin)`: params are `lin`'s nonlinear params, then a
 * cotangent for every linear ref param, then `ct`; it makes an accumulator for each linear value
 * param and returns the struct of their resolved cotangents (in param order).
 */
export function bwdHarness(lin: TransparentFunc, bwd: TransparentFunc): TransparentFunc {
  const b = new FuncBuilder(`harness_${bwd.name}`);
  const args: Var[] = [];
  const accs: Var[] = [];
  lin.paramTypes.forEach((t) => {
    if (!hasTan(t)) args.push(b.param(t));
    else if (t.kind === 'ref') args.push(b.param(erase(t.inner)));
    else {
      const acc = b.accum(b.zero(erase(t)));
      accs.push(acc);
      args.push(acc);
    }
  });
  args.push(b.param(erase(lin.retType)));
  b.call(bwd, args);
  const grads = accs.map((a) => b.resolve(a));
  const keys = grads.map((_, k) => `g${k}`);
  return b.finish(b.struct(grads, structTy(keys, grads.map((g) => b.typeOf(g)))));
}

/**
 * Build a harness running `lin` itself with accumulators for its linear ref params: params are
 * `lin`'s params with each linear ref replaced by nothing; it returns `{ret, refs...}`.
 */
export function linHarness(lin: TransparentFunc): TransparentFunc {
  const b = new FuncBuilder(`harness_${lin.name}`);
  const args: Var[] = [];
  const refs: Var[] = [];
  lin.paramTypes.forEach((t) => {
    if (t.kind === 'ref' && hasTan(t)) {
      const acc = b.accum(b.zero(t.inner));
      refs.push(acc);
      args.push(acc);
    } else args.push(b.param(t));
  });
  const ret = b.call(lin, args);
  const outs = [ret, ...refs.map((r) => b.resolve(r))];
  const keys = outs.map((_, k) => `o${k}`);
  return b.finish(b.struct(outs, structTy(keys, outs.map((o) => b.typeOf(o)))));
}

/**
 * Check the transpose identity <u, lin(v)> = <bwd(u), v> for `lin` at random `v`, `u` and
 * nonlinear inputs from `nonlin` (values of `lin`'s nonlinear params, in order); return both sides.
 */
export function transposeIdentity(
  lin: TransparentFunc,
  bwd: TransparentFunc,
  nonlin: readonly Val[],
  seed: number,
): [number, number] {
  const r = rng(seed);
  const lh = linHarness(lin);
  const bh = bwdHarness(lin, bwd);
  const linArgs: Val[] = [];
  const vs: Val[] = [];
  const vTypes: Ty[] = [];
  let k = 0;
  lin.paramTypes.forEach((t) => {
    if (!hasTan(t)) linArgs.push(nonlin[k++]!);
    else if (t.kind !== 'ref') {
      const v = randomVal(t, r);
      linArgs.push(v);
      vs.push(v);
      vTypes.push(t);
    }
  });
  const refTypes = lin.paramTypes.flatMap((t) => (t.kind === 'ref' && hasTan(t) ? [t.inner] : []));
  const us = [lin.retType, ...refTypes].map((t) => randomVal(t, r));
  const outs = interpret(lh, linArgs) as Val[];
  const lhs = [lin.retType, ...refTypes].reduce((s, t, i) => s + dot(t, us[i]!, outs[i]!), 0);
  // bwd takes ref cotangents in param order: rebuild the argument list accordingly
  const ordered: Val[] = [];
  let ni = 0;
  let ri = 1;
  lin.paramTypes.forEach((t) => {
    if (!hasTan(t)) ordered.push(nonlin[ni++]!);
    else if (t.kind === 'ref') ordered.push(us[ri++]!);
  });
  ordered.push(us[0]!);
  const grads = interpret(bh, ordered) as Val[];
  const rhs = vTypes.reduce((s, t, i) => s + dot(t, grads[i]!, vs[i]!), 0);
  return [lhs, rhs];
}

/** Return the part of value `v` (of type `t`) that `part` keeps; other leaves become unit. */
export function partOf(t: Ty, v: Val, part: 'primal' | 'linear'): Val {
  switch (t.kind) {
    case 'vec':
      return (v as Val[]).map((x) => partOf(t.elem, x, part));
    case 'struct':
      return t.members.map((m, i) => partOf(m, (v as Val[])[i]!, part));
    case 'tan':
      return part === 'linear' ? v : null;
    default:
      return part === 'primal' ? v : null;
  }
}
