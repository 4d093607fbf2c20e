/**
 * @file The transpose rules, one per expression kind (and one per linear primitive): each adds the
 * cotangent of an instruction's result into the cotangents of its linear operands, through the
 * `Transposer` of `transpose.ts` that holds the state of the function being transposed.
 */
import { internal } from '../errors.ts';
import { lookupOf, type Prim } from '../ir/prims.ts';
import { REAL, erase, finTy, varTy, type ExprKind, type Var } from '../ir/types.ts';
import { addInto, partOf } from './cotangent.ts';
import type { ExprOf } from './linearity.ts';
import type { Transposer } from './transpose.ts';
import { transposeCall } from './transpose-call.ts';
import { transposeCond } from './transpose-cond.ts';
import { transposeLoop } from './transpose-loop.ts';

/** A transpose rule: add the cotangent of `v = e` into the cotangents of `e`'s operands. */
export type Rule<K extends ExprKind> = (t: Transposer, v: Var, e: ExprOf<K>) => void;

/** The linear primitives (see `LINEAR_PRIMS` in prims.ts). */
type LinearPrim = 'neg' | 'add' | 'sub' | 'mul' | 'div';

/**
 * A transpose rule of a linear primitive `prim(x, y)`, given the cotangent `ct` of its result
 * (`y` is -1 for `neg`).
 */
type PrimRule = (t: Transposer, ct: Var, x: Var, y: Var) => void;

/** Emit the real-valued primitive `prim(x)` or `prim(x, y)` (cotangents of scalars are reals). */
function real(t: Transposer, prim: LinearPrim, x: Var, y: Var = -1): Var {
  return t.b.emitPrim(prim, x, y, REAL);
}

const PRIM_RULES: { [P in LinearPrim]: PrimRule } = {
  // z = -a: ct_a += -ct
  neg: (t, ct, x) => t.contribute(x, real(t, 'neg', ct)),
  // z = a + c: ct_a += ct, ct_c += ct
  add: (t, ct, x, y) => {
    t.contribute(x, ct);
    t.contribute(y, ct);
  },
  // z = a - c: ct_a += ct, ct_c += -ct
  sub: (t, ct, x, y) => {
    t.contribute(x, ct);
    t.contribute(y, real(t, 'neg', ct));
  },
  // z = a * y (y primal): ct_a += ct * y
  mul: (t, ct, x, y) => t.contribute(x, real(t, 'mul', ct, t.nlOf(y))),
  // z = a / y (y primal): ct_a += ct / y
  div: (t, ct, x, y) => t.contribute(x, real(t, 'div', ct, t.nlOf(y))),
};

/** `PRIM_RULES` as a lookup (see `lookupOf`): undefined for a primitive that is not linear. */
const PRIM_RULE_OF: ReadonlyMap<Prim, PrimRule> = lookupOf(PRIM_RULES);

const nothing = () => {};

export const RULES: { [K in ExprKind]: Rule<K> } = {
  // constants and new accumulators carry no cotangent to anything
  lit: nothing,
  zero: nothing,
  accum: nothing,
  // refs of elements/members: their cotangent values are derived lazily (`ctRefOf`)
  slice: nothing,
  field: nothing,
  // z = [x_0, ..., x_n-1]: ct_x_k += ct[k]
  vec: (t, v, e) => {
    const ct = t.ctVar(v);
    if (ct === undefined) return;
    const n = e.elems.length;
    e.elems.forEach((x, k) => {
      if (t.isLinear(x)) t.contribute(x, t.b.index(ct, t.b.lit(k, finTy(n))));
    });
  },
  // z = {m_0, ...}: ct_m_k += ct.k
  struct: (t, v, e) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    e.members.forEach((m, k) => {
      if (t.isLinear(m)) t.contribute(m, partOf(t.b, ct, k));
    });
  },
  // z = xs[i]: ct_xs[i] += ct
  index: (t, v, e) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    const elem = erase(varTy(t.lin, v));
    addInto(t.b, t.b.slice(t.refFor(e.vec), t.nlOf(e.index)), ct, elem);
  },
  // z = s.k: ct_s.k += ct (the other members' cotangents: statically zero)
  member: (t, v, e) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    const st = erase(varTy(t.lin, e.struct));
    if (st.kind !== 'struct') return internal(`transpose: member of a ${st.kind}`);
    t.contribute(
      e.struct,
      st.members.map((_, k) => (k === e.member ? ct : undefined)),
    );
  },
  prim: (t, v, e) => {
    const rule = PRIM_RULE_OF.get(e.prim);
    if (rule === undefined) return internal(`transpose: ${e.prim} is not linear`);
    const ct = t.ctVar(v);
    if (ct !== undefined) rule(t, ct, e.x, e.y);
  },
  // z = c ? a : b: ct_a += c ? ct : 0, ct_b += c ? 0 : ct
  select: (t, v, e) => {
    const ct = t.ctVar(v);
    if (ct === undefined) return;
    const { b } = t;
    const cond = t.nlOf(e.cond);
    const zero = t.zeroOf(b.typeOf(ct));
    t.contribute(e.then, b.select(cond, ct, zero));
    t.contribute(e.els, b.select(cond, zero, ct));
  },
  call: (t, v, e) => transposeCall(t, v, e),
  for: (t, v, e) => transposeLoop(t, v, e),
  cond: (t, v, e) => transposeCond(t, v, e),
  // r += x: ct_x += (cotangent value of r)
  add: (t, _v, e) => {
    const ct = t.ctRefOf(e.ref);
    if (ct !== undefined) t.contribute(e.addend, ct);
  },
  // z = resolve(r): the cotangent value of r is ct
  resolve: (t, v, e) => {
    t.noteResolve(e.ref);
    const ct = t.ctOf(v);
    if (ct !== undefined) t.setCtRef(e.ref, ct);
  },
};

/** `RULES` as a lookup by expression kind (see `lookupOf`). */
export const RULE_OF = lookupOf(RULES);
