/**
 * @file Transpose of a `cond` (see transpose.ts): a cond on the same condition over the two
 * transposed blocks, so the backward pass, like the forward one, runs only the block taken.
 * Each block is transposed like a loop body: its nonlinear part forward, then its linear part
 * reversed, seeded with the cond's cotangent on the block's result. Cotangents of values defined
 * outside the cond flow out through their accumulators (created at the start of the reversed
 * section of their defining block, as for loops); the transposed cond yields unit. A cond that
 * touches no linear value is copied, block by block.
 */
import { UNIT, type Block, type Instr, type Var } from '../ir/types.ts';
import type { ExprOf } from './linearity.ts';
import type { Transposer } from './transpose.ts';

/** `z = cond(c) { then } else { els }`: `cond(c) { transposed then } else { transposed els }`. */
export function transposeCond(t: Transposer, v: Var, e: ExprOf<'cond'>): void {
  const ct = t.ctVar(v);
  const cond = t.nlOf(e.cond);
  const then = t.nestedBlock(e.then, e.thenRet, () => ct);
  const els = t.nestedBlock(e.els, e.elsRet, () => ct);
  // the counts of `Uses` do not see into the blocks (and an empty cond is dropped): prune walks
  t.dropped = true;
  if (!then.emitted && !els.emitted) return;
  t.b.emit(
    { kind: 'cond', cond, then: then.block, thenRet: then.unit, els: els.block, elsRet: els.unit },
    UNIT,
  );
}

/** Put nonlinear cond `instr` into `bwd`, its blocks instruction by instruction. */
export function copyCond(t: Transposer, instr: Instr, e: ExprOf<'cond'>): void {
  const { b } = t;
  const branch = (block: Block, ret: Var) => {
    b.beginBlock();
    for (let k = 0; k < block.length; k++) t.copy(block[k]!);
    const r = t.nlOf(ret);
    return { block: b.endBlock(), ret: r };
  };
  const cond = t.nlOf(e.cond);
  const then = branch(e.then, e.thenRet);
  const els = branch(e.els, e.elsRet);
  t.dropped = true; // the counts of `Uses` do not see into the blocks: prune walks
  b.append({
    var: instr.var,
    expr: { kind: 'cond', cond, then: then.block, thenRet: then.ret, els: els.block, elsRet: els.ret },
  });
}
