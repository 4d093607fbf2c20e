/**
 * @file Merging of forward and backward calls that were traced apart. Code written for Rose gets
 * gradients inside an `fn` as `const { ret, grad } = vjp(f)(x); ... grad(1)`, which traces a call
 * of f's forward function, then, once the cotangent and the accumulators are made, a call of its
 * backward function. When the backward call's other arguments do not depend on the forward call
 * (a literal cotangent, fresh accumulators, the params), their definitions move before the
 * forward call, and the two calls merge into one call of both joined and interleaved
 * (merge-passes.ts `mergeCallPairs`), as `grad` and `valueAndGrad` run them.
 * Invariant: the output computes the same values; additions into an accumulator may change
 * order (see interleave.ts).
 */
import {
  isEmpty,
  typeTable,
  varCount,
  varTy,
  varTypeList,
  type Instr,
  type TransparentFunc,
  type Var,
} from '../ir/types.ts';
import { forEachOperand } from '../ir/visit.ts';
import { fusePair } from './interleave.ts';
import { mergeCallPairs } from './merge-passes.ts';
import { tidy } from './tidy.ts';

/** Kinds whose definition may move before a forward call: pure values and fresh accumulators. */
const MOVABLE = new Set<Instr['expr']['kind']>(['lit', 'zero', 'vec', 'struct', 'index', 'member', 'prim', 'select', 'accum']);

/**
 * Return `f` with its traced forward-backward call pairs merged (see the file comment), or
 * undefined if none. `fn` calls it only for bodies that traced a call with an empty result (its
 * trace context counts them), so there is no walk here to find out whether there is one.
 */
export function mergeTracedPairs(f: TransparentFunc): TransparentFunc | undefined {
  const { body } = f;
  const backward = ({ var: u, expr: e }: Instr) => e.kind === 'call' && e.func.kind === 'transparent' && isEmpty(varTy(f, u));
  const at = new Int32Array(varCount(f)).fill(-1);
  body.forEach((instr, k) => (at[instr.var] = k));
  // for each forward call's position: the positions of the definitions to move before it
  const moves = new Map<number, number[]>();
  const movedTo = new Int32Array(body.length).fill(-1); // the forward call each one moves before
  body.forEach((instr) => {
    const e = instr.expr;
    if (!backward(instr) || e.kind !== 'call') return;
    for (const v of e.args) {
      const proj = at[v]! >= 0 ? body[at[v]!]!.expr : undefined;
      const i = proj?.kind === 'member' ? at[proj.struct]! : -1;
      if (i < 0 || body[i]!.expr.kind !== 'call') continue;
      const cone = movableCone(body, at, movedTo, e.args.filter((w) => w !== v), i);
      if (cone === undefined) continue;
      for (const p of cone) movedTo[p] = i;
      moves.set(i, [...(moves.get(i) ?? []), ...cone]);
      return;
    }
  });
  if (moves.size === 0) return undefined;
  const reordered: Instr[] = [];
  body.forEach((instr, k) => {
    for (const p of (moves.get(k) ?? []).sort((a, b) => a - b)) reordered.push(body[p]!);
    if (movedTo[k]! < 0) reordered.push(instr);
  });
  const vars = varTypeList(f);
  const merged = mergeCallPairs(reordered, vars, f.ret, fusePair);
  return tidy({ ...f, ...typeTable(vars), body: merged });
}

/**
 * Return the positions of the instructions after `i` that define `args` (and what those read,
 * transitively, except what already moves before an earlier forward call), if all are movable
 * and none reads `body[i]`'s result; else undefined.
 */
function movableCone(
  body: readonly Instr[],
  at: Int32Array,
  movedTo: Int32Array,
  args: readonly Var[],
  i: number,
): number[] | undefined {
  const cone = new Set<number>();
  const stack = [...args];
  while (stack.length > 0) {
    const p = at[stack.pop()!]!;
    if (p < i || cone.has(p)) continue; // a param, defined before the forward call, or seen
    if (p === i) return undefined;
    if (movedTo[p]! >= 0) {
      if (movedTo[p]! < i) continue; // already moving before an earlier forward call
      return undefined;
    }
    const instr = body[p]!;
    if (!MOVABLE.has(instr.expr.kind)) return undefined;
    cone.add(p);
    forEachOperand(instr.expr, (w) => stack.push(w));
  }
  return [...cone];
}
