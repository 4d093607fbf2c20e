/**
 * @file Inlining of calls at the top level of a function: the callee's body replaces the call,
 * its params renamed to the call's arguments and its variables to fresh ones of the caller.
 * Used by `fusedGrad` (vjp.ts) on a joined forward-backward function, so that the loops of a
 * callee called once (its forward and backward functions, one call each) become top-level loops
 * that `fuseLoops` can fuse. Semantics and the order of every effect are unchanged.
 */
import {
  typeTable,
  varCount,
  varTypeList,
  type Func,
  type Instr,
  type TransparentFunc,
  type Var,
} from '../ir/types.ts';
import { directCallees, renameInstr } from '../ir/visit.ts';

/**
 * Return `f` with every top-level call of a callee for which `wanted` holds replaced by the
 * callee's body, or undefined when there is no such call.
 */
export function inlineCalls(f: TransparentFunc, wanted: (g: TransparentFunc) => boolean): TransparentFunc | undefined {
  const vars = varTypeList(f);
  const sub = new Int32Array(varCount(f)).map((_, v) => v);
  const outer = (v: Var) => sub[v]!;
  const body: Instr[] = [];
  let inlined = 0;
  for (const instr of f.body) {
    const e = instr.expr;
    if (e.kind !== 'call' || e.func.kind !== 'transparent' || !wanted(e.func)) {
      body.push(renameInstr(instr, outer));
      continue;
    }
    const g = e.func;
    const off = vars.length;
    for (const t of varTypeList(g)) vars.push(t);
    const local = new Int32Array(varCount(g)).map((_, v) => v + off);
    g.params.forEach((p, k) => (local[p] = sub[e.args[k]!]!));
    const inner = (v: Var) => local[v]!;
    for (const gi of g.body) body.push(renameInstr(gi, inner));
    sub[instr.var] = inner(g.ret);
    inlined += 1;
  }
  return inlined === 0 ? undefined : { ...f, ...typeTable(vars), body, ret: outer(f.ret) };
}

/** Return how often each function is called in `f` (nested blocks included). */
export function callCounts(f: TransparentFunc): Map<Func, number> {
  const out = new Map<Func, number>();
  for (const g of directCallees(f)) out.set(g, (out.get(g) ?? 0) + 1);
  return out;
}
