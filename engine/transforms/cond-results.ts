/**
 * @file Narrowing of cond results read through one chain of projections: when the only read of
 * `r = if c {..; yield t} else {..; yield e}` is `a = r.k`, the only read of `a` is `b = a.j`,
 * and so on down to a var `z` read otherwise, the cond yields `t.k.j..` and `e.k.j..` directly
 * and defines `z` itself. Used on interleaved gradients (interleave.ts), whose merged conds
 * yield the forward pass's `{res, ret}` bundle when only the primal value is still read: the
 * untaken branch then writes no zero residuals, and a real result stays in a register.
 * Invariant: the output is valid IR computing the same values.
 */
import {
  memberInstr,
  type Block,
  type Instr,
  type StructTy,
  type Ty,
  type Var,
} from '../ir/types.ts';
import { forEachInstr, nestedBlocks } from '../ir/visit.ts';
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
  // the chain of each narrowed cond (by var: its index in `chains`, else -1)
  const chains: { path: number[]; end: Var }[] = [];
  const chainOf = new Int32Array(n).fill(-1);
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
    chainOf[r] = chains.push({ path, end: v }) - 1;
    dropped[v] = 1; // the cond defines it now
  }
  if (chains.length === 0) return body;
  // nothing is renamed: only conds with a chain change, and the blocks holding them or dropped code
  const rewrite = (instr: Instr): Instr | undefined => {
    const c = chainOf[instr.var]!;
    if (dropped[instr.var] === 1 && c < 0) return undefined;
    const e = instr.expr;
    if (e.kind === 'for') {
      const inner = block(e.body);
      return inner === e.body ? instr : { var: instr.var, expr: { ...e, body: inner } };
    }
    if (e.kind !== 'cond') return instr;
    const [then0, els0] = [block(e.then), block(e.els)];
    if (c < 0) return then0 === e.then && els0 === e.els ? instr : { var: instr.var, expr: { ...e, then: then0, els: els0 } };
    const { path, end } = chains[c]!;
    const [then, thenRet] = project(then0, e.thenRet, path, vars);
    const [els, elsRet] = project(els0, e.elsRet, path, vars);
    return { var: end, expr: { ...e, then, thenRet, els, elsRet } };
  };
  // `b` itself when nothing in it changes
  const block = (b: Block): Block => {
    let out: Instr[] | undefined;
    for (let k = 0; k < b.length; k++) {
      const instr = b[k]!;
      const next = rewrite(instr);
      if (out === undefined && next !== instr) out = b.slice(0, k);
      if (out !== undefined && next !== undefined) out.push(next);
    }
    return out ?? b;
  };
  return block(body) as Instr[]; // `body` itself when nothing changed
}

/** Return `b` extended by the projections `path` of its result `ret`, and the last one. */
function project(b: Block, ret: Var, path: readonly number[], vars: Ty[]): [Instr[], Var] {
  const out = [...b];
  let v = ret;
  for (const k of path) {
    const w = vars.push((vars[v] as StructTy).members[k]!) - 1;
    out.push(memberInstr(w, v, k));
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
