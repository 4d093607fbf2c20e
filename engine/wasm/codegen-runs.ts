/**
 * @file Adds into accumulators (part of the plan, codegen-plan.ts): add runs. (Negated addends:
 * codegen-negs.ts.)
 *
 * Add runs: consecutive `ref += x` into the same scalar element of an accumulator in memory are
 * summed in an f64 local, with one load before the first add and one store after the last,
 * instead of a load-add-store each. Transposed programs add into the same gradient element
 * several times in a row (`x * x` gives two adds, a neighbour's term one more), and each load
 * waits for the previous store.
 *
 * Exact: the local receives the same additions in the same order, `((m + a) + b) + c`, as long
 * as nothing else reads or writes that element in between. So a run ends at anything else that
 * touches its accumulator (a call, a resolve, an add of an aggregate or through an index that
 * may be the same element) or, for pointers received from the caller (which may alias each
 * other; fresh accumulators, codegen-fresh.ts, do not), any touch of another such pointer. Adds
 * into other constant elements of the same accumulator are disjoint and do not end it. A run
 * stays in one block and one unit, and its adds are at most `MAX_GAP` positions apart, which
 * bounds the locals held at once.
 */
import { varCount, type Var } from '../ir/types.ts';
import { aliasClass, isRealRef } from './codegen-accs.ts';
import type { FuncPlan } from './codegen-plan.ts';

/** The most positions between two adds of one run (so at most this many runs are open at once). */
const MAX_GAP = 64;

/** An open run: its adds so far and where the last one is. */
interface Run {
  readonly adds: Var[];
  lastPos: number;
  readonly block: number;
  readonly unit: number;
}

/** The open runs of one alias class, by element id. */
interface Open {
  readonly runs: Map<number, Run>;
  /** The root of all open runs when they are all constant elements of one root, else -1. */
  root: number;
}

/**
 * Find the add runs of `plan` (see the file comment): set `plan.runOf` of each add of a run to
 * the run's first add, and `plan.runEnds` of its last add.
 */
export function planAddRuns(plan: FuncPlan): void {
  const s = plan.shape;
  const { rX, rUser, rPos, rBlock } = s;
  const elements = new Elements(plan);
  const classes = new Map<number, Open>();
  const finish = ({ adds }: Run): void => {
    if (adds.length < 2) return;
    const runOf = (plan.runOf ??= new Int32Array(varCount(s.f)).fill(-1));
    const ends = (plan.runEnds ??= new Uint8Array(varCount(s.f)));
    for (let k = 0; k < adds.length; k++) runOf[adds[k]!] = adds[0]!;
    ends[adds[adds.length - 1]!] = 1;
  };
  let lastRoot = -1;
  let open: Open = { runs: new Map(), root: -1 };
  const refReads = plan.refReads;
  for (let k = 0; k < refReads.length; k++) {
    const i = refReads[k]!;
    const x = rX[i]!;
    const user = rUser[i]!;
    const e = user >= 0 ? s.def[user] : undefined;
    if ((e?.kind === 'slice' || e?.kind === 'field') && e.ref === x) continue; // an address, no access
    const r = plan.root[x]!;
    if (r !== lastRoot) {
      const c = aliasClass(plan, r);
      const known = classes.get(c);
      if (known === undefined) classes.set(c, (open = { runs: new Map(), root: -1 }));
      else open = known;
      lastRoot = r;
    }
    const id = e?.kind === 'add' && e.ref === x ? elements.of(user, e.ref) : -1;
    // other runs survive an add only into a certainly different element: constant, same root
    const constant = id >= 0 && elements.root[id] === r;
    if (!constant || open.root !== r) {
      // Map.forEach (deleting as it goes, as for-of would), not for-of: no entry arrays while cold
      const runs = open.runs;
      runs.forEach((run, j) => {
        if (j !== id && !(constant && elements.root[j] === r)) finish(run), runs.delete(j);
      });
      open.root = constant ? r : -1;
    }
    if (id < 0) continue;
    const pos = rPos[i]!;
    const block = rBlock[i]!;
    const unit = plan.unitOf(user);
    const run = open.runs.get(id);
    if (run !== undefined && run.block === block && run.unit === unit && pos - run.lastPos <= MAX_GAP) {
      run.adds.push(user);
      run.lastPos = pos;
      continue;
    }
    if (run !== undefined) finish(run);
    open.runs.set(id, { adds: [user], lastPos: pos, block, unit });
  }
  for (const { runs } of classes.values()) for (const run of runs.values()) finish(run);
}

/**
 * The scalar elements held in memory that adds go into, numbered: one id per constant element of
 * an accumulator (root and byte offset), one per slice at a computed index (the same slice
 * variable is the same address).
 */
class Elements {
  /** Per element id: the accumulator root of a constant element, -1 for a computed index. */
  readonly root: number[] = [];
  readonly #ids = new Map<Var, Map<number, number>>();
  readonly #plan: FuncPlan;

  constructor(plan: FuncPlan) {
    this.#plan = plan;
  }

  /** Return the element id of add `v` into `ref`, or -1 when it is not a scalar in memory. */
  of(v: Var, ref: Var): number {
    const plan = this.#plan;
    if (!plan.needed[v] || plan.localAcc[ref]) return -1;
    if (!isRealRef(plan, ref)) return -1;
    let b = ref;
    let off = 0;
    for (let d = plan.derived[b]; d !== undefined; d = plan.derived[b]) {
      off += d.off;
      b = d.base;
    }
    let byOff = this.#ids.get(b);
    if (byOff === undefined) this.#ids.set(b, (byOff = new Map()));
    let id = byOff.get(off);
    if (id === undefined) byOff.set(off, (id = this.root.push(plan.root[b] === b ? b : -1) - 1));
    return id;
  }
}
