/**
 * @file Forward mode of a `cond` (see jvp.ts): a cond of the transformed blocks, so that only the
 * block taken runs, for the primal and the tangent alike: d(c ? a : b) = c ? da : db.
 */
import type { FuncBuilder } from '../ir/builder.ts';
import {
  memberInstr,
  tangentTy,
  zeroInstr,
  type Expr,
  type Instr,
  type Ty,
  type Var,
} from '../ir/types.ts';
import { DU, RE, pairTy } from './dual.ts';
import { ZERO } from './jvp-rules.ts';
import type { ExprOf } from './linearity.ts';

/** What the forward mode of a cond needs of the function being transformed (jvp.ts's state). */
export interface CondCx {
  readonly b: FuncBuilder;
  /** Old var -> tangent var, or `ZERO`. Only vars whose type has float leaves get a tangent. */
  readonly tangent: Int32Array;
  /** Set at a cond with tangent work in a block (tangent work before it may then sink into it). */
  sink: boolean;
  /** Transform the instructions of `block` into the builder's current block. */
  readonly block: (block: readonly Instr[]) => void;
}

/** Transform one block of a cond into a new block; return it with its result's tangent. */
function jvpBranch(cx: CondCx, block: readonly Instr[], ret: Var): { block: Instr[]; d: Var } {
  cx.b.beginBlock();
  cx.block(block);
  const d = cx.tangent[ret]!;
  return { block: cx.b.endBlock() as Instr[], d };
}

/**
 * A cond: a cond of the transformed blocks (only the block taken runs, for primal and tangent).
 * When a block's result has a tangent, both blocks yield `{du, re}` pairs (a `zero` tangent in a
 * block without one), split after the cond; and the finished function has the tangent work
 * used in one block only (the tangent of a distance tested before the cond) moved into it.
 */
export function jvpCond(cx: CondCx, instr: Instr, t: Ty, e: ExprOf<'cond'>): void {
  const { b, tangent } = cx;
  const v = instr.var;
  const then = jvpBranch(cx, e.then, e.thenRet);
  const els = jvpBranch(cx, e.els, e.elsRet);
  if (then.d === ZERO && els.d === ZERO) {
    const same = (x: readonly Instr[], y: readonly Instr[]) =>
      x.length === y.length && x.every((z, k) => z === y[k]);
    if (same(then.block, e.then) && same(els.block, e.els)) b.append(instr);
    else {
      // blocks with tangent work (adds into tangent accumulators) but no tangent result
      cx.sink = true;
      b.append({ var: v, expr: { ...e, then: then.block, els: els.block } });
    }
    return;
  }
  cx.sink = true;
  const tt = tangentTy(t);
  const pt = pairTy(t);
  // each block ends with its pair: instructions added to the closed block (typed by `fresh`)
  const pairOf = (block: Instr[], d: Var, ret: Var): Var => {
    if (d === ZERO) block.push(zeroInstr((d = b.fresh(tt))));
    const pair = b.fresh(pt);
    block.push({ var: pair, expr: { kind: 'struct', members: [d, ret] } });
    return pair;
  };
  const thenRet = pairOf(then.block, then.d, e.thenRet);
  const elsRet = pairOf(els.block, els.d, e.elsRet);
  const expr: Expr = { kind: 'cond', cond: e.cond, then: then.block, thenRet, els: els.block, elsRet };
  const pairs = b.emit(expr, pt);
  b.append(memberInstr(v, pairs, RE));
  tangent[v] = b.emit({ kind: 'member', struct: pairs, member: DU }, tt);
}
