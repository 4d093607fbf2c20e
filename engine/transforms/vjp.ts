/**
 * @file Reverse mode assembled from the passes: jvp, then unzip, then transpose.
 * Builder-level helpers the tracer uses to emit `vjp`, `grad` and friends into a function.
 *
 * Layouts, for `f(x_1..x_n): R` and J = jvp(f, wrt) (params `x_1..x_n, dx_i` for active i,
 * result `{du, re}`):
 * - `fwd(x_1..x_n, units for each dx_i)` returns `{res, ret: {du: units, re: R}}`;
 * - `bwd(units for each x_i, acc_i for each active i, res, x_k for each k in passed,
 *   {du: ct, re: units})` adds each gradient into `acc_i` (of type `ref(erase(tangentTy(T_i)))`:
 *   unit at non-float leaves). The params `x_k` that `bwd` reads are passed to it again (the
 *   caller has them) instead of being copied into `res` (see `unzip`'s `passParams`);
 * - `fwd_bwd(x_1..x_n, units for each dx_i, units for each x_i, acc_i for each active i,
 *   {du: ct, re: units})` (`fusedGrad`, when the cotangent is known before the forward pass)
 *   returns fwd's `ret` and adds the gradients into `acc_i`, with their top-level loops fused.
 */
import { internal } from '../errors.ts';
import type { FuncBuilder } from '../ir/builder.ts';
import { materialize } from '../ir/dense-convert.ts';
import type { DenseFunc } from '../ir/dense.ts';
import {
  erase,
  hasFloat,
  isEmpty,
  tyEqual,
  type Func,
  type StructTy,
  type TransparentFunc,
  type Ty,
  type Var,
  type Block,
} from '../ir/types.ts';
import { DU, RE } from './dual.ts';
import { fuseLoops } from './fuse.ts';
import { interleavePasses, joinPasses, type BwdArg, type JoinSpec } from './interleave.ts';
import { callCounts, inlineCalls } from './inline.ts';
import { denseJvp } from './jvp.ts';
import { emitEmpty } from './linearity.ts';
import { denseTransposed } from './transpose.ts';
import { simplify } from './simplify.ts';
import { RES, RET, denseUnzip } from './unzip.ts';

/** The forward and backward functions of `f` for the parameters selected by `wrt`. */
export interface VjpFuncs {
  readonly fwd: TransparentFunc;
  readonly bwd: TransparentFunc;
  /** The positions of the params of `f` that `bwd` takes after `res`, ascending. */
  readonly passed: readonly number[];
}

/** Memo keyed by the JVP function, so a changed custom JVP gives new functions. */
const memo = new WeakMap<DenseFunc, VjpFuncs>();

/**
 * Return fwd = unzip(jvp(f, wrt)).fwd and bwd = transpose(unzip(jvp(f, wrt)).lin), memoized.
 * The passes run on the dense IR; only `fwd` and `bwd` are made object-IR functions (the passes
 * below still read those).
 */
export function vjpFuncs(f: Func, wrt?: readonly boolean[]): VjpFuncs {
  const j = denseJvp(f, wrt);
  let out = memo.get(j);
  if (out === undefined) {
    const { fwd, lin, passed } = denseUnzip(j, true);
    out = { fwd: materialize(fwd), bwd: materialize(denseTransposed(lin).bwd), passed };
    memo.set(j, out);
  }
  return out;
}

/** Memo of `fusedGrad`, keyed by the JVP function; null when no loop fuses. */
const fusedMemo = new WeakMap<DenseFunc, TransparentFunc | null>();

/**
 * Return one function running fwd and then bwd of `f` with their top-level loops fused (see
 * fuse.ts), or undefined when no loop fuses (memoized). For callers that know the output
 * cotangent before the forward pass (grad and valueAndGrad seed it with 1). Its params: fwd's,
 * then bwd's without `res` and the passed params; it returns fwd's `ret` (`{du: units, re}`).
 */
export function fusedGrad(f: Func, wrt?: readonly boolean[]): TransparentFunc | undefined {
  const j = denseJvp(f, wrt);
  let out = fusedMemo.get(j);
  if (out === undefined) {
    const { fwd, bwd, passed } = vjpFuncs(f, wrt);
    // only top-level loops fuse (also those of callees inlined below): skip the work for
    // functions without them (unrolled programs), and for large ones (see FUSE_BUDGET)
    const worth = reachesLoop(fwd) && reachesLoop(bwd) && sizeUpTo(fwd.body, FUSE_BUDGET) + sizeUpTo(bwd.body, FUSE_BUDGET) <= FUSE_BUDGET;
    const fused = worth ? fuseLoops(simplify(withLoopsInlined(joinPasses(gradJoin(fwd, bwd, passed))))) : undefined;
    out = fused === undefined ? null : simplify(fused);
    fusedMemo.set(j, out);
  }
  return out ?? undefined;
}

/** Memo of `gradPass`, keyed by the JVP function; null when neither fuses. */
const gradMemo = new WeakMap<DenseFunc, TransparentFunc | null>();

/**
 * Return one function running the forward and backward passes of `f` together, for callers that
 * know the output cotangent before the forward pass (the layout of `fusedGrad`, memoized): the
 * loop-fused function when loops fuse, else fwd and bwd interleaved (interleave.ts: each term's
 * backward work right after its forward work), or undefined when interleaving would move little.
 */
export function gradPass(f: Func, wrt?: readonly boolean[]): TransparentFunc | undefined {
  const j = denseJvp(f, wrt);
  let out = gradMemo.get(j);
  if (out === undefined) {
    out = fusedGrad(f, wrt) ?? interleavedGrad(f, wrt) ?? null;
    gradMemo.set(j, out);
  }
  return out ?? undefined;
}

/** Return fwd and bwd of `f` interleaved (see `gradPass`), or undefined when that moves little. */
function interleavedGrad(f: Func, wrt?: readonly boolean[]): TransparentFunc | undefined {
  const { fwd, bwd, passed } = vjpFuncs(f, wrt);
  return interleavePasses(gradJoin(fwd, bwd, passed));
}

/**
 * Return how fwd and bwd join into `fwd_bwd` (the layout in the file comment): bwd's `res` is
 * fwd's residuals, its passed params are fwd's, the rest are params; the result is fwd's `ret`.
 */
function gradJoin(fwd: TransparentFunc, bwd: TransparentFunc, passed: readonly number[]): JoinSpec {
  const resAt = bwd.params.length - 2 - passed.length;
  const bwdArgs = bwd.params.map((_, k): BwdArg => {
    if (k === resAt) return { from: 'result', member: RES };
    if (k > resAt && k <= resAt + passed.length) return { from: 'param', index: passed[k - resAt - 1]! };
    return { from: 'own' };
  });
  return { fwd, bwd, bwdArgs, retMember: RET, name: fwd.name.replace(/^fwd_/, 'fwd_bwd_') };
}

/** Levels of calls `withLoopsInlined` looks through. */
const INLINE_DEPTH = 4;

/**
 * Most instructions fwd and bwd may hold together (with the callees `withLoopsInlined` would
 * inline) for `fusedGrad` to try: fusing costs setup time in proportion to their size (about 10
 * us per instruction while the passes are not yet optimized by the JIT), and saves per
 * iteration about the same whatever the loop body's size, so it pays on small loop bodies (the
 * `sum` of Rosenbrock: setup +0.5 ms, gradient -34%) and not on large ones (the MLP's loss over 64
 * points, 3,200 instructions: setup +40 ms, gradient -2.4%).
 */
const FUSE_BUDGET = 1000;

/** Return the instructions in `block` with loop bodies and inlinable callees, counting past `limit` only to stop. */
function sizeUpTo(block: Block, limit: number, depth = 0): number {
  let n = 0;
  for (let k = 0; k < block.length && n <= limit; k++) {
    const e = block[k]!.expr;
    n += 1;
    if (e.kind === 'for') n += sizeUpTo(e.body, limit - n, depth);
    else if (e.kind === 'cond') n += sizeUpTo(e.then, limit - n, depth) + sizeUpTo(e.els, limit - n, depth);
    else if (e.kind === 'call' && e.func.kind === 'transparent' && depth < INLINE_DEPTH && hasLoop(e.func))
      n += sizeUpTo(e.func.body, limit - n, depth + 1);
  }
  return n;
}

/** Return true when `g` is transparent and has a top-level loop. */
function hasLoop(g: Func): boolean {
  return g.kind === 'transparent' && g.body.some((i) => i.expr.kind === 'for');
}

/** Return true when `g` has a top-level loop or calls (at its top level) a function with one. */
function reachesLoop(g: TransparentFunc): boolean {
  return g.body.some(({ expr: e }) => e.kind === 'for' || (e.kind === 'call' && hasLoop(e.func)));
}

/**
 * Return `f` with the top-level calls of functions called once and having a top-level loop
 * replaced by their bodies (a few levels deep), so that their loops may fuse: the forward and
 * backward functions of a `fn` holding a `sum`, called once by the differentiated function.
 */
function withLoopsInlined(f: TransparentFunc): TransparentFunc {
  for (let level = 0; level < INLINE_DEPTH; level++) {
    const counts = callCounts(f);
    const next = inlineCalls(f, (g) => counts.get(g) === 1 && hasLoop(g));
    if (next === undefined) break;
    f = next;
  }
  return f;
}

/** Return the indices of the params selected by `wrt` (all when absent). */
function activeParams(f: Func, wrt?: readonly boolean[]): number[] {
  return f.paramTypes.flatMap((_, i) => (wrt === undefined || wrt[i] ? [i] : []));
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
  const { fwd } = vjpFuncs(f, wrt);
  const n = f.paramTypes.length;
  if (args.length !== n) internal(`emitForward of ${f.name}: ${args.length} args for ${n} params`);
  // the tangent params' primal parts are empty: pass units
  const dxs = fwd.paramTypes.slice(n).map((t) => emitEmpty(b, t));
  const bundle = b.call(fwd, [...args, ...dxs]);
  return { ret: b.member(b.member(bundle, RET), RE), res: b.member(bundle, RES) };
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
  const { bwd, passed } = vjpFuncs(f, wrt);
  const { lead, accs, seed } = backwardArgs(b, f, bwd, ct, wrt);
  b.call(bwd, [...lead, fwd.res, ...passed.map((k) => args[k]!), seed]);
  return gradients(b, f, args, accs, wrt);
}

/**
 * Emit into `b` the forward and backward passes of `f` as one call of `fused` (from `fusedGrad(f,
 * wrt)`), given `ct` as for `emitBackward` but known before the forward pass runs; return the
 * primal result and the gradients as `emitBackward` does.
 */
export function emitFusedGrad(
  b: FuncBuilder,
  f: Func,
  fused: TransparentFunc,
  args: readonly Var[],
  ct: Var,
  wrt?: readonly boolean[],
): { value: Var; grads: Var[] } {
  const { fwd, bwd } = vjpFuncs(f, wrt);
  const n = f.paramTypes.length;
  const dxs = fwd.paramTypes.slice(n).map((t) => emitEmpty(b, t));
  const { lead, accs, seed } = backwardArgs(b, f, bwd, ct, wrt);
  const ret = b.call(fused, [...args, ...dxs, ...lead, seed]);
  return { value: b.member(ret, RE), grads: gradients(b, f, args, accs, wrt) };
}

/** The arguments of `bwd` around `res` and the passed params, and the accumulators among them. */
interface BackwardArgs {
  /** Units for the primal params' linear parts, then the accumulators (or units) of the active. */
  readonly lead: readonly Var[];
  readonly accs: readonly (Var | undefined)[];
  /** The output cotangent in `bwd`'s layout (`{du: ct, re: units}`). */
  readonly seed: Var;
}

/** Emit into `b` the arguments of `bwd` other than `res` and the passed params (see `BackwardArgs`). */
function backwardArgs(b: FuncBuilder, f: Func, bwd: TransparentFunc, ct: Var, wrt?: readonly boolean[]): BackwardArgs {
  const n = f.paramTypes.length;
  const types = bwd.paramTypes;
  // the primal params' linear parts are empty: pass units
  const lead = types.slice(0, n).map((t) => emitEmpty(b, t));
  const accs = activeParams(f, wrt).map((_, j) => {
    const t = types[n + j]!;
    // a param without float leaves has an empty tangent: nothing to accumulate
    const acc = t.kind === 'ref' ? b.accum(b.zero(t.inner)) : undefined;
    lead.push(acc ?? emitEmpty(b, t));
    return acc;
  });
  const ctTy = types[types.length - 1] as StructTy;
  const du = toTangent(b, ct, ctTy.members[DU]!);
  return { lead, accs, seed: b.struct([du, emitEmpty(b, ctTy.members[RE]!)], ctTy) };
}

/** Emit the gradient of each active param of `f` from its accumulator (see `emitBackward`). */
function gradients(
  b: FuncBuilder,
  f: Func,
  args: readonly Var[],
  accs: readonly (Var | undefined)[],
  wrt?: readonly boolean[],
): Var[] {
  return activeParams(f, wrt).map((i, j) => {
    const acc = accs[j];
    const x = args[i]!;
    return acc === undefined ? x : fromTangent(b, b.resolve(acc), x, f.paramTypes[i]!);
  });
}

/** Return `x` converted to tangent-shaped `target`: float leaves kept, other leaves unit. */
function toTangent(b: FuncBuilder, x: Var, target: Ty): Var {
  const src = b.typeOf(x);
  if (tyEqual(src, target)) return x;
  if (isEmpty(target)) return emitEmpty(b, target);
  switch (target.kind) {
    case 'struct':
      return b.struct(
        target.members.map((m, k) => toTangent(b, b.member(x, k), m)),
        target,
      );
    case 'vec':
      return b.forLoop(target.size, (i) => toTangent(b, b.index(x, i), target.elem));
    default:
      return internal(`vjp: cannot convert a ${src.kind} cotangent to ${target.kind}`);
  }
}

/** Return gradient `g` (tangent-shaped) as a value of `x`'s type `t`, other leaves from `x`. */
function fromTangent(b: FuncBuilder, g: Var, x: Var, t: Ty): Var {
  if (tyEqual(b.typeOf(g), erase(t))) return g;
  if (!hasFloat(t)) return x;
  switch (t.kind) {
    case 'struct': {
      const members = t.members.map((m, k) => fromTangent(b, b.member(g, k), b.member(x, k), m));
      return b.struct(members, erase(t));
    }
    case 'vec':
      return b.forLoop(t.size, (i) => fromTangent(b, b.index(g, i), b.index(x, i), t.elem));
    default:
      return internal(`vjp: cannot convert a gradient to ${t.kind}`);
  }
}
