/**
 * @file What `unzip` builds besides the split instructions: the types of residual structs and of
 * `{res, ret}` bundles (shared by shape), the projection loops that split a loop's bundles, and
 * estimates of the sizes of `fwd` and `lin` for the builders.
 */
import { internal } from '../errors.ts';
import type { DenseBuilder } from '../ir/dense-builder.ts';
import { BODY, OP_ADD, OP_COND, OP_FOR, type DenseFunc } from '../ir/dense.ts';
import { BOOL, REAL, TAN, UNIT, finTy, structTy, vecTy, type StructTy, type Ty, type Var } from '../ir/types.ts';
import type { Uses } from './uses.ts';

/** Member index of the residuals in `fwd`'s result (and in a split loop's element, a cond's). */
export const RES = 0;
/** Member index of the primal result in `fwd`'s result (and in a split loop's element, a cond's). */
export const RET = 1;
/** The keys of a forward result and of a split loop's element (`RES`, `RET`). */
const BUNDLE_KEYS: readonly string[] = Object.freeze(['res', 'ret']);

/** The keys `r0, r1, ...` of residual structs made so far (shared, so each is made once). */
const RES_KEYS: string[] = [];

/** Return the keys `['r0', ..., 'r{n-1}']` of a residual struct with `n` members. */
function resKeys(n: number): string[] {
  for (let k = RES_KEYS.length; k < n; k++) RES_KEYS.push(`r${k}`);
  return RES_KEYS.slice(0, n);
}

/**
 * Residual types of a few scalars, shared by key (see `leafKey`): a loop body usually stores a
 * couple of reals, and one type per shape instead of one per loop keeps `vecTy`'s table and the
 * type memo tables of later passes from growing with every loop. Their `{res, ret}` types too.
 */
const sharedResTys = new Map<string, StructTy>();
const sharedBundleTys = new Map<StructTy, Map<Ty, StructTy>>();
/** Residual structs with more members than this get a type of their own. */
const MAX_SHARED_RES = 16;

/** Return a short key of scalar type `t` (unit, bool, real, tan, index), or '' for another. */
function leafKey(t: Ty): string {
  if (t === REAL) return 'r';
  if (t === BOOL) return 'b';
  if (t === TAN) return 't';
  if (t === UNIT) return 'u';
  return t.kind === 'fin' ? `i${t.size};` : '';
}

/** Return the struct type `{res, ret}` of a forward result. */
export function bundleTy(res: StructTy, ret: Ty): StructTy {
  const byRet = sharedBundleTys.get(res);
  if (byRet === undefined || leafKey(ret) === '') return structTy(BUNDLE_KEYS, [res, ret]);
  let t = byRet.get(ret);
  if (t === undefined) byRet.set(ret, (t = structTy(BUNDLE_KEYS, [res, ret])));
  return t;
}

/**
 * Return the residual struct type with members `members` (keys `r0, r1, ...`): shared by all
 * residual structs of up to `MAX_SHARED_RES` scalars with the same member types.
 */
export function residualTy(members: Ty[]): StructTy {
  const n = members.length;
  let key = n <= MAX_SHARED_RES ? '' : undefined;
  for (let k = 0; k < n && key !== undefined; k++) {
    const leaf = leafKey(members[k]!);
    key = leaf === '' ? undefined : key + leaf;
  }
  if (key === undefined) return structTy(resKeys(n), members);
  let t = sharedResTys.get(key);
  if (t === undefined) {
    sharedResTys.set(key, (t = structTy(resKeys(n), members)));
    sharedBundleTys.set(t, new Map());
  }
  return t;
}

/**
 * Return estimates (a little over) of the body lengths of `fwd` and `lin` and of the variables
 * they add, from `f`'s size, how many of its variables are linear (`linear`) and how many are
 * structs or vecs (`aggregates`: about one per call or loop), without a walk over its body.
 * Measured on straight-line, loop-heavy and call-heavy programs: `fwd` gets each nonlinear
 * instruction and about 3 per call or loop (their split), `lin` each linear one, a residual read
 * or literal per 4 nonlinear ones, and two more per call or loop; a loop adds about 8 variables
 * to `fwd`. Too small a hint costs a doubling of the array, too large one the unused room.
 */
export function sizeHints(
  f: DenseFunc,
  linear: number,
  aggregates: number,
): { fwdBody: number; linBody: number; fwdVars: number; linVars: number } {
  const size = f.blockLength[BODY]!;
  const split = Math.min(size, aggregates);
  const margin = (size >> 4) + 16;
  // (linear variables of loop bodies count too: a little over for `lin`, under for `fwd`)
  const nonlinear = Math.max(0, size - linear);
  return {
    fwdBody: nonlinear + 3 * split + margin,
    linBody: Math.min(size, linear) + (nonlinear >> 2) + 2 * split + 2 * margin,
    fwdVars: 8 * split + margin,
    linVars: 4 * split + margin,
  };
}

/**
 * Return true when the first `n` instructions of `vars` (a block of `b`, closed or detached) hold
 * an `add`, or a loop or cond with one (recorded as an effect in `uses`).
 */
export function hasAdd(b: DenseBuilder, vars: ArrayLike<Var>, uses: Uses, n = vars.length): boolean {
  for (let i = 0; i < n; i++) {
    const v = vars[i]!;
    const op = b.opOf(v);
    if (op === OP_ADD || ((op === OP_FOR || op === OP_COND) && uses.hasEffect(v))) return true;
  }
  return false;
}

/**
 * Emit `for i: pairs[i].member` over a vec of `{res, ret}` structs, as variable `v` when given
 * (declared already), else as a new one; return it.
 */
export function project(b: DenseBuilder, pairs: Var, member: number, uses: Uses, v?: Var): Var {
  const t = b.typeOf(pairs);
  if (t.kind !== 'vec' || t.elem.kind !== 'struct') return internal(`projection of a ${t.kind}`);
  const index = b.fresh(finTy(t.size));
  uses.declare(index);
  b.beginBlock();
  const pair = b.index(pairs, index);
  uses.read(pair);
  const part = b.member(pair, member);
  uses.read(part);
  const body = b.endBlock(part);
  return v === undefined ? b.emitFor(index, body, vecTy(t.size, b.typeOf(part))) : b.defineFor(v, index, body);
}
