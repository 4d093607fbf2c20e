/**
 * @file Narrowing of cond results read through one chain of projections: when the only read of
 * `r = if c {..; yield t} else {..; yield e}` is `a = r.k`, the only read of `a` is `b = a.j`,
 * and so on down to a var `z` read otherwise, the cond yields `t.k.j..` and `e.k.j..` directly
 * and defines `z` itself. Used on interleaved gradients (interleave.ts), whose merged conds
 * yield the forward pass's `{res, ret}` bundle when only the primal value is still read: the
 * untaken branch then writes no zero residuals, and a real result stays in a register.
 * Invariant: the output is valid IR computing the same values.
 */
import type { Block, Instr, StructTy, Ty, Var } from '../ir/types.ts';
import { forEachInstr, mapOperands, nestedBlocks } from '../ir/visit.ts';
import { liveReads } from './merge-passes.ts';

/**
 * Return `body` (of a function returning `ret`) with its singly projected cond results narrowed
 * (see the file comment; dead code, which `tidy` drops next, is not counted as reading), or
 * `body` itself when there are none. New vars are appended to `vars`.
 */
export function narrowCondResults(body: Instr[], vars: Ty[], ret: Var): Instr[] {
  if (!hasStructCond(body, vars)) return body;
  const n = vars.length;
  const projection = new Int32Array(n).fill(-1); // a live `member` instruction reading each var
  const memberIndex = new Int32Array(n);
  const conds: Var[] = [];
  const note = ({ var: v, expr: e }: Instr): void => {
    if (e.kind === 'member') {
      projection[e.struct] = v;
      memberIndex[v] = e.member;
    } else if (e.kind === 'cond' && vars[v]!.kind === 'struct') conds.push(v);
  };
  const reads = liveReads(body, n, ret, (top) => {
    note(top);
    for (const b of nestedBlocks(top.expr)) forEachInstr(b, note);
  });
  const chains = new Map<Var, { path: number[]; end: Var }>();
  const dropped = new Uint8Array(n);
  for (const r of conds) {
    const path: number[] = [];
    let v = r;
    // the only read of v is a projection of it
    while (reads[v] === 1 && projection[v]! >= 0) {
      dropped[v] = 1;
      v = projection[v]!;
      path.push(memberIndex[v]!);
    }
    if (path.length === 0) continue;
    chains.set(r, { path, end: v });
    dropped[v] = 1; // the cond defines it now
  }
  if (chains.size === 0) return body;
  const block = (b: Block): Instr[] => {
    const out: Instr[] = [];
    for (const instr of b) {
      if (dropped[instr.var] === 1 && !chains.has(instr.var)) continue;
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
  return block(body);
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

/** Return true when `block` (or a block in it) holds a cond of a struct result. */
function hasStructCond(block: Block, vars: readonly Ty[]): boolean {
  return block.some(
    ({ var: v, expr: e }) => (e.kind === 'cond' && vars[v]!.kind === 'struct') || nestedBlocks(e).some((b) => hasStructCond(b, vars)),
  );
}
