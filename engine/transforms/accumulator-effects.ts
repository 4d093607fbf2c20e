/**
 * @file The accumulators each instruction uses, for passes that move instructions (interleave.ts,
 * merge-passes.ts): an `add` (or an accumulator passed to a call) adds into one, a `resolve`
 * reads it. Additions into one accumulator commute (up to rounding); a read must stay after every
 * addition before it, and an addition after every read before it.
 */
import type { Instr, Var } from '../ir/types.ts';
import { nestedBlocks } from '../ir/visit.ts';

/**
 * The accumulators each instruction adds into (`add`, or passing one to a call) or reads
 * (`resolve`), by root accumulator (through `slice` and `field`), and the latest position of
 * each kind of use, so that an instruction is not moved above a conflicting one.
 */
export class AccumulatorEffects {
  constructor(private readonly root = new Map<Var, Var>()) {}
  private readonly lastRead = new Map<Var, number>();
  private readonly lastUse = new Map<Var, number>();
  /** The running result of `earliest`, and the position `record` records at. */
  private latest = -1;
  private at = -1;
  /** The per-use steps of `earliest` and `record`, bound once (not a closure per instruction). */
  private readonly follow = (r: Var, reads: boolean): void => {
    this.latest = Math.max(this.latest, (reads ? this.lastUse : this.lastRead).get(r) ?? -1);
  };
  private readonly note = (r: Var, reads: boolean): void => {
    const { at } = this;
    if (reads) this.lastRead.set(r, Math.max(at, this.lastRead.get(r) ?? -1));
    this.lastUse.set(r, Math.max(at, this.lastUse.get(r) ?? -1));
  };

  /** Return the earliest position `instr` may take: after every conflicting recorded use. */
  earliest(instr: Instr): number {
    this.latest = -1;
    this.visit(instr, this.follow);
    return this.latest;
  }

  /** Record `instr`'s uses of accumulators at position `at`. */
  record(instr: Instr, at: number): void {
    this.at = at;
    this.visit(instr, this.note);
  }

  /** Call `fn(root, reads)` for each accumulator use in `instr` and its nested blocks. */
  private visit(instr: Instr, fn: (root: Var, reads: boolean) => void): void {
    const e = instr.expr;
    switch (e.kind) {
      case 'slice':
      case 'field':
        this.root.set(instr.var, this.rootOf(e.ref));
        return;
      case 'add':
        return fn(this.rootOf(e.ref), false);
      case 'resolve':
        return fn(this.rootOf(e.ref), true);
      case 'call': {
        const params = e.func.paramTypes;
        for (let k = 0; k < params.length; k++) if (params[k]!.kind === 'ref') fn(this.rootOf(e.args[k]!), false);
        return;
      }
      default: {
        const blocks = nestedBlocks(e);
        for (let b = 0; b < blocks.length; b++) for (const i of blocks[b]!) this.visit(i, fn);
      }
    }
  }

  /** Return the root accumulator of `v` (itself unless it is a slice or field of one). */
  private rootOf(v: Var): Var {
    return this.root.get(v) ?? v;
  }
}
