/**
 * @file Function splitting: a block whose estimated code size passes a threshold is cut into
 * contiguous chunks, each compiled as its own wasm function `(sp) -> ()`. V8 refuses bodies over
 * 7,654,321 bytes and compiles huge functions slowly; chunks keep every function small.
 *
 * Each instruction belongs to a "unit": unit 0 is the function itself, every chunk is a unit.
 * Values that cross units travel through memory (spill slots in the shared frame), see
 * codegen-plan.ts. Splitting is decided bottom-up: a loop body or cond block that is split
 * counts as one instruction per chunk in the block around it. A cond itself is never cut: a
 * block of it that is split becomes calls of its chunks inside the `if`, so a chunk's code runs
 * only on its block's path.
 */
import { varCount, type Block, type Expr, type Var } from '../ir/types.ts';
import { TOP, type Shape } from './liveness.ts';

/** A chunk: instructions `[start, end)` of block `block` (TOP, a `for` variable or a cond block id). */
export interface Chunk {
  readonly unit: number;
  readonly block: number;
  readonly start: number;
  readonly end: number;
}

/** The units of one function. */
export interface Units {
  /** Unit of each variable's defining instruction (parameters: 0; loop index: its `for`'s). */
  readonly unitOf: Int32Array;
  /** Chunks of each split block, in order. */
  readonly chunks: ReadonlyMap<number, readonly Chunk[]>;
  /** Every chunk, by unit id - 1. */
  readonly all: readonly Chunk[];
}

/** Return the estimated code weight of one instruction, not counting loop bodies or cond blocks. */
function ownWeight(e: Expr): number {
  switch (e.kind) {
    case 'vec':
      return 1 + e.elems.length;
    case 'struct':
      return 1 + e.members.length;
    case 'call':
      return 2 + e.args.length;
    case 'prim':
      return e.y < 0 ? 3 : 4;
    case 'for':
    case 'cond':
      return 4;
    default:
      return 2;
  }
}

/** Split the blocks of `shape` whose weight passes `threshold`; `needed` says what is compiled. */
export function planUnits(shape: Shape, needed: Uint8Array, threshold: number): Units {
  const unitOf = new Int32Array(varCount(shape.f));
  const chunks = new Map<number, Chunk[]>();
  const all: Chunk[] = [];
  // effective weight of each needed instruction (a `for` includes its body's effective weight)
  const weight = new Float64Array(varCount(shape.f));
  const split = new Set<number>();
  const cutsOf = new Map<number, [number, number][]>();

  const weigh = (block: Block, id: number): number => {
    const total = weighInstrs(block, needed, weight, weigh, shape);
    if (total <= threshold) return total;
    split.add(id);
    const cuts = cut(block, needed, weight, threshold);
    cutsOf.set(id, cuts);
    return 2 * cuts.length;
  };

  const assign = (block: Block, id: number, unit: number): void => {
    if (!split.has(id)) {
      for (let k = 0; k < block.length; k++) assignInstr(block[k]!.var, block[k]!.expr, unit);
      return;
    }
    const list: Chunk[] = [];
    for (const [start, end] of cutsOf.get(id)!) {
      const c: Chunk = { unit: all.length + 1, block: id, start, end };
      all.push(c);
      list.push(c);
      for (let k = start; k < end; k++) assignInstr(block[k]!.var, block[k]!.expr, c.unit);
    }
    chunks.set(id, list);
  };
  const assignInstr = (v: Var, e: Expr, unit: number): void => {
    unitOf[v] = unit;
    if (e.kind === 'for') {
      unitOf[e.index] = unit;
      assign(e.body, v, unit);
    } else if (e.kind === 'cond') {
      assign(e.then, v, unit);
      assign(e.els, shape.elseId(v), unit);
    }
  };

  weigh(shape.f.body, TOP);
  if (split.size === 0) return { unitOf, chunks, all }; // all in unit 0, as allocated
  assign(shape.f.body, TOP, 0);
  return { unitOf, chunks, all };
}

/**
 * Set the effective weight of each needed instruction of `block` (`weighBody` weighs a loop's
 * body or a cond's block) and return their sum. Its own function: the loop is all it does, so V8's code for the
 * loop (entered mid-loop on a long block) does not stop at code after it that never ran.
 */
function weighInstrs(
  block: Block,
  needed: Uint8Array,
  weight: Float64Array,
  weighBody: (body: Block, id: number) => number,
  shape: Shape,
): number {
  let total = 0;
  for (let k = 0; k < block.length; k++) {
    const { var: v, expr: e } = block[k]!;
    if (!needed[v]) continue;
    let w = ownWeight(e);
    if (e.kind === 'for') w += weighBody(e.body, v);
    else if (e.kind === 'cond') w += weighBody(e.then, v) + weighBody(e.els, shape.elseId(v));
    weight[v] = w;
    total += w;
  }
  return total;
}

/** Return the `[start, end)` ranges of a greedy cut of `block` into chunks of at most `threshold`. */
function cut(
  block: Block,
  needed: Uint8Array,
  weight: Float64Array,
  threshold: number,
): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  let acc = 0;
  for (let k = 0; k < block.length; k++) {
    const v = block[k]!.var;
    if (!needed[v]) continue;
    const w = weight[v]!;
    if (acc > 0 && acc + w > threshold) {
      out.push([start, k]);
      start = k;
      acc = 0;
    }
    acc += w;
  }
  if (start < block.length) out.push([start, block.length]);
  return out;
}
