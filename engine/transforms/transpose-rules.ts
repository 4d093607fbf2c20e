/**
 * @file The transpose rules, one per expression kind (and one per linear primitive): each adds the
 * cotangent of an instruction's result into the cotangents of its linear operands, through the
 * `Transposer` of `transpose.ts` that holds the state of the function being transposed.
 */
import { internal } from '../errors.ts';
import { OP_PRIM, PRIM_OP, byOpcode, listOf } from '../ir/dense.ts';
import { REAL, erase, finTy, type ExprKind, type Var } from '../ir/types.ts';
import { addInto, partOf } from './cotangent.ts';
import type { Transposer } from './transpose.ts';
import { transposeCall } from './transpose-call.ts';
import { transposeCond } from './transpose-cond.ts';
import { transposeLoop } from './transpose-loop.ts';

/** A transpose rule: add the cotangent of instruction `v` into the cotangents of its operands. */
export type Rule = (t: Transposer, v: Var) => void;

/**
 * A transpose rule of a linear primitive `prim(x, y)`, given the cotangent `ct` of its result
 * (`y` is -1 for `neg`).
 */
type PrimRule = (t: Transposer, ct: Var, x: Var, y: Var) => void;

/** Emit the real-valued primitive of opcode `op` on `x` (and `y`): cotangents of scalars are reals. */
function real(t: Transposer, op: number, x: Var, y: Var = -1): Var {
  return t.b.emitOp(op, x, y, REAL);
}

/** The linear primitives (see `LINEAR_PRIMS` in prims.ts). */
type LinearPrim = 'neg' | 'add' | 'sub' | 'mul' | 'div';

const PRIM_RULE_TABLE: { [P in LinearPrim]: PrimRule } = {
  // z = -a: ct_a += -ct
  neg: (t, ct, x) => t.contribute(x, real(t, PRIM_OP.neg, ct)),
  // z = a + c: ct_a += ct, ct_c += ct
  add: (t, ct, x, y) => {
    t.contribute(x, ct);
    t.contribute(y, ct);
  },
  // z = a - c: ct_a += ct, ct_c += -ct
  sub: (t, ct, x, y) => {
    t.contribute(x, ct);
    t.contribute(y, real(t, PRIM_OP.neg, ct));
  },
  // z = a * y (y primal): ct_a += ct * y
  mul: (t, ct, x, y) => t.contribute(x, real(t, PRIM_OP.mul, ct, t.nlOf(y))),
  // z = a / y (y primal): ct_a += ct / y
  div: (t, ct, x, y) => t.contribute(x, real(t, PRIM_OP.div, ct, t.nlOf(y))),
};

/** `PRIM_RULE_TABLE` by opcode. */
const PRIM_RULES: ReadonlyMap<number, PrimRule> = new Map(
  Object.entries(PRIM_RULE_TABLE).map(([p, rule]) => [PRIM_OP[p as LinearPrim], rule]),
);

const nothing: Rule = () => {};

/** The transpose rule of each expression kind but `prim` (primitives: `PRIM_RULE_TABLE`). */
const RULE_TABLE: { [K in Exclude<ExprKind, 'prim'>]: Rule } = {
  // constants and new accumulators carry no cotangent to anything
  lit: nothing,
  zero: nothing,
  accum: nothing,
  // refs of elements/members: their cotangent values are derived lazily (`ctRefOf`)
  slice: nothing,
  field: nothing,
  // z = [x_0, ..., x_n-1]: ct_x_k += ct[k]
  vec: (t, v) => {
    const ct = t.ctVar(v);
    if (ct === undefined) return;
    const elems = Array.from(listOf(t.lin, v));
    const n = elems.length;
    elems.forEach((x, k) => {
      if (t.isLinear(x)) t.contribute(x, t.b.index(ct, t.b.lit(k, finTy(n))));
    });
  },
  // z = {m_0, ...}: ct_m_k += ct.k
  struct: (t, v) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    Array.from(listOf(t.lin, v)).forEach((m, k) => {
      if (t.isLinear(m)) t.contribute(m, partOf(t.b, ct, k));
    });
  },
  // z = xs[i]: ct_xs[i] += ct
  index: (t, v) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    const elem = erase(t.ty(v));
    addInto(t.b, t.b.slice(t.refFor(t.lin.a[v]!), t.nlOf(t.lin.b[v]!)), ct, elem);
  },
  // z = s.k: ct_s.k += ct (the other members' cotangents: statically zero)
  member: (t, v) => {
    const ct = t.ctOf(v);
    if (ct === undefined) return;
    const struct = t.lin.a[v]!;
    const member = t.lin.b[v]!;
    const st = erase(t.ty(struct));
    if (st.kind !== 'struct') return internal(`transpose: member of a ${st.kind}`);
    t.contribute(
      struct,
      st.members.map((_, k) => (k === member ? ct : undefined)),
    );
  },
  // z = c ? a : b: ct_a += c ? ct : 0, ct_b += c ? 0 : ct
  select: (t, v) => {
    const ct = t.ctVar(v);
    if (ct === undefined) return;
    const { b, lin } = t;
    const cond = t.nlOf(lin.a[v]!);
    const zero = t.zeroOf(b.typeOf(ct));
    t.contribute(lin.b[v]!, b.select(cond, ct, zero));
    t.contribute(lin.c[v]!, b.select(cond, zero, ct));
  },
  call: (t, v) => transposeCall(t, v),
  for: (t, v) => transposeLoop(t, v),
  cond: (t, v) => transposeCond(t, v),
  // r += x: ct_x += (cotangent value of r)
  add: (t, v) => {
    const ct = t.ctRefOf(t.lin.a[v]!);
    if (ct !== undefined) t.contribute(t.lin.b[v]!, ct);
  },
  // z = resolve(r): the cotangent value of r is ct
  resolve: (t, v) => {
    const ref = t.lin.a[v]!;
    t.noteResolve(ref);
    const ct = t.ctOf(v);
    if (ct !== undefined) t.setCtRef(ref, ct);
  },
};

/** `RULE_TABLE` by opcode. */
const RULES = byOpcode(RULE_TABLE);

/** Transpose instruction `v` of `t.lin` (it touches linear values). */
export function transposeInstr(t: Transposer, v: Var): void {
  const op = t.lin.op[v]!;
  if (op < OP_PRIM) {
    const rule = RULES[op];
    if (rule === undefined) return internal(`transpose: no rule for opcode ${op}`);
    return rule(t, v);
  }
  const rule = PRIM_RULES.get(op);
  if (rule === undefined) return internal(`transpose: opcode ${op} is not a linear primitive`);
  const ct = t.ctVar(v);
  if (ct !== undefined) rule(t, ct, t.lin.a[v]!, t.lin.b[v]!);
}
