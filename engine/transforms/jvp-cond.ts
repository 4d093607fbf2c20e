/**
 * @file Forward mode of a `cond` (see jvp.ts): a cond of the transformed blocks, so that only the
 * block taken runs, for the primal and the tangent alike: d(c ? a : b) = c ? da : db.
 */
import type { DenseBuilder, DetachedBlock } from '../ir/dense-builder.ts';
import { OP_MEMBER } from '../ir/dense.ts';
import { tangentTy, type Instr, type Ty, type Var } from '../ir/types.ts';
import { DU, RE, pairTy } from './dual.ts';
import { ZERO } from './jvp-rules.ts';
import type { ExprOf } from './linearity.ts';

/** What the forward mode of a cond needs of the function being transformed (jvp.ts's state). */
export interface CondCx {
  readonly b: DenseBuilder;
  /** Old var -> tangent var, or `ZERO`. Only vars whose type has float leaves get a tangent. */
  readonly tangent: Int32Array;
  /** Set at a cond with tangent work in a block (tangent work before it may then sink into it). */
  sink: boolean;
  /**
   * How many instructions so far became a different one (a loop or cond with tangent work in a
   * block, a call's stand-in), not counting those only followed by tangent work: a block whose
   * transform has its length and none of these is the same instructions.
   */
  rewritten: number;
  /** Transform the instructions of `block` into the builder's current block. */
  readonly block: (block: readonly Instr[]) => void;
}

/** A transformed block of a cond, left open (detached) until both are built. */
interface Branch {
  readonly block: DetachedBlock;
  /** Its result's tangent (or `ZERO`). */
  readonly d: Var;
  /** Whether it is the block transformed, instruction for instruction (no tangent work). */
  readonly same: boolean;
}

/** Transform one block of a cond into a new block, detached; return it with its result's tangent. */
function jvpBranch(cx: CondCx, block: readonly Instr[], ret: Var): Branch {
  const before = cx.rewritten;
  cx.b.beginBlock();
  cx.block(block);
  const same = cx.b.blockLength() === block.length && cx.rewritten === before;
  return { block: cx.b.detachBlock(), d: cx.tangent[ret]!, same };
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
    // blocks with tangent work (adds into tangent accumulators) but no tangent result
    if (!then.same || !els.same) {
      cx.sink = true;
      cx.rewritten++;
    }
    const end = (branch: Branch, ret: Var) => {
      b.resumeBlock(branch.block);
      return b.endBlock(ret);
    };
    b.defineCond(v, e.cond, end(then, e.thenRet), end(els, e.elsRet));
    return;
  }
  cx.sink = true;
  cx.rewritten++;
  const tt = tangentTy(t);
  const pt = pairTy(t);
  // each block ends with its pair
  const pairOf = (branch: Branch, ret: Var): number => {
    b.resumeBlock(branch.block);
    const d = branch.d === ZERO ? b.zero(tt) : branch.d;
    return b.endBlock(b.struct([d, ret], pt));
  };
  const thenBlock = pairOf(then, e.thenRet);
  const pairs = b.emitCond(e.cond, thenBlock, pairOf(els, e.elsRet), pt);
  b.define(v, OP_MEMBER, pairs, RE);
  tangent[v] = b.member(pairs, DU);
}
