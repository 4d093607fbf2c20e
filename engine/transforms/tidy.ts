/**
 * @file A light cleanup for functions assembled from already clean parts (interleave.ts joins a
 * forward and a backward pass, each clean as jvp, unzip and transpose emit them): two linear
 * passes instead of `simplify`'s rewriting, which would cost as much again as the whole
 * assembly on large programs.
 * 1. Forward (program order, every depth): a `member` of a struct literal is replaced by the
 *    literal's member, and its readers renamed.
 * 2. Dead code dropped by `prune` (linearity.ts): what nothing live reads and adds into no
 *    accumulator.
 * Invariant: the output is valid IR with the same results and the same additions, in order.
 */
import { varCount, type Block, type Instr, type TransparentFunc, type Var } from '../ir/types.ts';
import { mapOperands } from '../ir/visit.ts';
import { prune } from './linearity.ts';

/** Return `f` with members of struct literals forwarded and dead instructions dropped. */
export function tidy(f: TransparentFunc): TransparentFunc {
  const n = varCount(f);
  const literals: (readonly Var[] | undefined)[] = new Array(n);
  const alias = new Int32Array(n);
  for (let v = 0; v < n; v++) alias[v] = v;
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
  return prune({ ...f, body, ret: rename(f.ret) });
}
