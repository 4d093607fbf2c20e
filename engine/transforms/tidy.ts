/**
 * @file A light cleanup for functions assembled from already clean parts (interleave.ts joins a
 * forward and a backward pass, each clean as jvp, unzip and transpose emit them): two linear
 * passes instead of `simplify`'s rewriting, which would cost as much again as the whole
 * assembly on large programs.
 * 1. Forward (program order, every depth): a `member` of a struct literal is replaced by the
 *    literal's member, and its readers renamed.
 * 2. Backward (per block): an instruction is kept when its value is read by a kept instruction,
 *    is the function's or its block's result, or when it adds into an accumulator (`add`, a
 *    call taking an accumulator, a loop or cond whose blocks do); the blocks of kept loops and
 *    conds are cleaned the same way.
 * Invariant: the output is valid IR with the same results and the same additions, in order.
 */
import type { Block, Instr, TransparentFunc, Var } from '../ir/types.ts';
import { forEachBlockResult, forEachOperand, mapOperands, nestedBlocks } from '../ir/visit.ts';
import { addsInto } from './accumulator-effects.ts';

/** Return `f` with members of struct literals forwarded and dead instructions dropped. */
export function tidy(f: TransparentFunc): TransparentFunc {
  const n = f.vars.length;
  const literals: (readonly Var[] | undefined)[] = new Array(n);
  const alias = new Int32Array(n).map((_, v) => v);
  const rename = (v: Var): Var => alias[v]!;
  const forward = (block: Block): Instr[] => {
    const out: Instr[] = [];
    for (const instr of block) {
      const e = mapOperands(instr.expr, rename, forward);
      if (e.kind === 'member' && literals[e.struct] !== undefined) {
        alias[instr.var] = literals[e.struct]![e.member]!;
        continue;
      }
      if (e.kind === 'struct') literals[instr.var] = e.members;
      out.push(e === instr.expr ? instr : { var: instr.var, expr: e });
    }
    return out;
  };
  const body = forward(f.body);
  const ret = rename(f.ret);
  const live = new Uint8Array(n);
  live[ret] = 1;
  return { ...f, body: keepLive(body, live), ret };
}

/** Return the instructions of `block` that are live (see the file comment), marking what they read in `live`. */
function keepLive(block: readonly Instr[], live: Uint8Array): Instr[] {
  const kept: Instr[] = [];
  const mark = (v: Var) => void (live[v] = 1);
  for (let k = block.length - 1; k >= 0; k--) {
    const instr = block[k]!;
    const e = instr.expr;
    if (live[instr.var] !== 1 && !addsInto(e)) continue;
    forEachOperand(e, mark);
    forEachBlockResult(e, mark);
    const inner = nestedBlocks(e);
    if (inner.length === 0) kept.push(instr);
    else kept.push({ var: instr.var, expr: mapOperands(e, (v) => v, (b) => keepLive(b, live)) });
  }
  return kept.reverse();
}

