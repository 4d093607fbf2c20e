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

  /** Return the earliest position `instr` may take: after every conflicting recorded use. */
  earliest(instr: Instr): number {
    let s = -1;
    this.visit(instr, (r, reads) => {
      s = Math.max(s, (reads ? this.lastUse : this.lastRead).get(r) ?? -1);
    });
    return s;
  }

  /** Record `instr`'s uses of accumulators at position `at`. */
  record(instr: Instr, at: number): void {
    this.visit(instr, (r, reads) => {
      if (reads) this.lastRead.set(r, Math.max(at, this.lastRead.get(r) ?? -1));
      this.lastUse.set(r, Math.max(at, this.lastUse.get(r) ?? -1));
    });
  }

  /** Call `fn(root, reads)` for each accumulator use in `instr` and its nested blocks. */
  private visit(instr: Instr, fn: (root: Var, reads: boolean) => void): void {
    const e = instr.expr;
    const rootOf = (v: Var) => this.root.get(v) ?? v;
    switch (e.kind) {
      case 'slice':
      case 'field':
        this.root.set(instr.var, rootOf(e.ref));
        return;
      case 'add':
        return fn(rootOf(e.ref), false);
      case 'resolve':
        return fn(rootOf(e.ref), true);
      case 'call':
        e.func.paramTypes.forEach((t, k) => t.kind === 'ref' && fn(rootOf(e.args[k]!), false));
        return;
      default:
        for (const b of nestedBlocks(e)) for (const i of b) this.visit(i, fn);
    }
  }
}

