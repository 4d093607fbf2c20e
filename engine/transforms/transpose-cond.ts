/**
 * @file Transpose of a `cond` (see transpose.ts): a cond on the same condition over the two
 * transposed blocks, so the backward pass, like the forward one, runs only the block taken.
 * Each block is transposed like a loop body: its nonlinear part forward, then its linear part
 * reversed, seeded with the cond's cotangent on the block's result. Cotangents of values defined
 * outside the cond flow out through their accumulators (created at the start of the reversed
 * section of their defining block, as for loops); the transposed cond yields unit. A cond that
 * touches no linear value is copied, block by block.
 */
import { blockVarsOf } from '../ir/dense.ts';
import { UNIT, type Var } from '../ir/types.ts';
import type { Transposer } from './transpose.ts';

/** `z = cond(c) { then } else { els }`: `cond(c) { transposed then } else { transposed els }`. */
export function transposeCond(t: Transposer, v: Var): void {
  const { lin } = t;
  const ct = t.ctVar(v);
  const cond = t.nlOf(lin.a[v]!);
  const then = t.nestedBlock(lin.b[v]!, () => ct);
  const els = t.nestedBlock(lin.c[v]!, () => ct);
  if (!then.emitted && !els.emitted) return;
  t.b.emitCond(cond, then.block, els.block, UNIT);
}

/** Put nonlinear cond `v` into `bwd`, its blocks instruction by instruction. */
export function copyCond(t: Transposer, v: Var): void {
  const { b, lin } = t;
  const branch = (k: number): number => {
    const block = blockVarsOf(lin, k);
    b.beginBlock(block.length);
    for (let i = 0; i < block.length; i++) t.copy(block[i]!);
    return b.endBlock(t.nlOf(lin.blockRet[k]!));
  };
  const cond = t.nlOf(lin.a[v]!);
  const then = branch(lin.b[v]!);
  b.defineCond(v, cond, then, branch(lin.c[v]!));
}
