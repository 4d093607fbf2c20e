/**
 * @file Narrowing of cond results read through one chain of projections: when the only read of
 * `r = if c {..; yield t} else {..; yield e}` is `a = r.k`, the only read of `a` is `b = a.j`,
 * and so on down to a var `z` read otherwise, the cond yields `t.k.j..` and `e.k.j..` directly
 * and defines `z` itself. Used on interleaved gradients (interleave.ts), whose merged conds
 * yield the forward pass's `{res, ret}` bundle when only the primal value is still read: the
 * untaken branch then writes no zero residuals, and a real result stays in a register.
 * Invariant: the output is valid IR computing the same values.
 */
import type { Block, Instr, StructTy, TransparentFunc, Ty, Var } from '../ir/types.ts';
import { forEachBlockResult, forEachInstr, forEachOperand, mapOperands } from '../ir/visit.ts';

/** Return `f` with its singly projected cond results narrowed (see the file comment), or undefined if none. */
export function narrowCondResults(f: TransparentFunc): TransparentFunc | undefined {
  const n = f.vars.length;
  const reads = new Int32Array(n);
  const projection = new Int32Array(n).fill(-1); // a `member` instruction reading each var
  const memberIndex = new Int32Array(n);
  const count = (v: Var) => void (reads[v]! += 1);
  const conds: Var[] = [];
  forEachInstr(f.body, ({ var: v, expr: e }) => {
    forEachOperand(e, count);
    forEachBlockResult(e, count);
    if (e.kind === 'member') {
      projection[e.struct] = v;
      memberIndex[v] = e.member;
    } else if (e.kind === 'cond' && f.vars[v]!.kind === 'struct') conds.push(v);
  });
  count(f.ret);
  const chains = new Map<Var, { path: number[]; end: Var }>();
  const dropped = new Set<Var>();
  for (const r of conds) {
    const path: number[] = [];
    let v = r;
    // the only read of v is a projection of it
    while (reads[v] === 1 && projection[v]! >= 0) {
      dropped.add(v);
      v = projection[v]!;
      path.push(memberIndex[v]!);
    }
    if (path.length === 0) continue;
    chains.set(r, { path, end: v });
    dropped.add(v); // the cond defines it now
  }
  if (chains.size === 0) return undefined;
  const vars: Ty[] = [...f.vars];
  const block = (b: Block): Instr[] => {
    const out: Instr[] = [];
    for (const instr of b) {
      if (dropped.has(instr.var) && !chains.has(instr.var)) continue;
      const e = mapOperands(instr.expr, (v) => v, block);
      const chain = chains.get(instr.var);
      if (chain === undefined || e.kind !== 'cond') {
        out.push(e === instr.expr ? instr : { var: instr.var, expr: e });
        continue;
      }
      const [then, thenRet] = project(e.then, e.thenRet, chain.path, vars);
      const [els, elsRet] = project(e.els, e.elsRet, chain.path, vars);
      out.push({ var: chain.end, expr: { ...e, then, thenRet, els, elsRet } });
    }
    return out;
  };
  return { ...f, vars, body: block(f.body) };
}

/** Return `b` extended by the projections `path` of its result `ret`, and the last one. */
function project(b: Block, ret: Var, path: readonly number[], vars: Ty[]): [Instr[], Var] {
  const out = [...b];
  let v = ret;
  for (const k of path) {
    const w = vars.push((vars[v] as StructTy).members[k]!) - 1;
    out.push({ var: w, expr: { kind: 'member', struct: v, member: k } });
    v = w;
  }
  return [out, v];
}
