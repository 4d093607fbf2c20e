/**
 * @file Which primal values `lin` recomputes instead of reading them as residuals (for `unzip`):
 * projections and index arithmetic always, cheap real arithmetic (neg, add, sub, mul) when it
 * takes at most `RECOMPUTE_BUDGET` operations from values `lin` has for free. Recomputing is
 * exact (the same IEEE operation on the same operands gives the same bits); it moves work from
 * `fwd`, which then stores less, to `lin`, where `transpose` places each recomputed value next to
 * its use. In the unrolled Rosenbrock, `fwd` then stores nothing and runs at primal speed.
 */
import {
  OP_INDEX,
  OP_LIT,
  OP_MEMBER,
  OP_NONE,
  OP_PRIM,
  OP_ZERO,
  PRIM_OP,
  denseVarTy,
  type DenseFunc,
} from '../ir/dense.ts';
import { REAL, type Ty, type Var } from '../ir/types.ts';
import { touchesLinearDense, type DenseAnalysis } from './linearity-dense.ts';
import type { Scratch } from './scratch.ts';

/** What `Recompute` reads of the unzip it serves. */
export interface ResidualState {
  readonly f: DenseFunc;
  readonly a: DenseAnalysis;
  /** Are the primal params `lin` reads passed to it (see `Unzipped.passed`)? */
  readonly passParams: boolean;
  /** 1 for each nonlinear var whose primal value `lin` has (a residual, a literal...). */
  readonly hasRes: Uint8Array;
  /** 1 for each param of `f` whose primal value `lin` reads as a param of its own. */
  readonly isPassed: Uint8Array;
}

/**
 * The opcodes of the real primitives `lin` may recompute instead of storing their results: one
 * cheap instruction each.
 */
const CHEAP_REAL_OPS: ReadonlySet<number> = new Set([PRIM_OP.neg, PRIM_OP.add, PRIM_OP.sub, PRIM_OP.mul]);

/**
 * The most real operations `lin` redoes to recompute one residual (Rosenbrock's `2 a` with
 * `a = x[i+1] - x[i] * x[i]` takes 3). A recomputed value's own operands are recomputed too
 * (within the budget) or must be free: see `Recompute.spareOps`.
 */
const RECOMPUTE_BUDGET = 3;

/** The recompute decisions of one unzip. */
export class Recompute {
  readonly #s: ResidualState;
  /** Per recomputed real: the real operations recomputing it takes from stored or free values. */
  readonly #opsOf: Uint8Array;
  /** 1 for each var (not a param) stored as a residual: not a free leaf of a recomputation. */
  readonly #isStored: Uint8Array;

  /** Start with nothing decided, for the function of `s`, arrays from `scratch`. */
  constructor(s: ResidualState, scratch: Scratch) {
    this.#s = s;
    const n = s.f.varTypes.length;
    this.#opsOf = scratch.u8(n);
    this.#isStored = scratch.u8(n);
  }

  /** Record that `u` (defined by an instruction) is stored as a residual. */
  noteStored(u: Var): void {
    this.#isStored[u] = 1;
  }

  /**
   * Return whether `lin` recomputes nonlinear `u` (defined by an instruction, marked as had
   * already) instead of reading it as a residual: projections and index arithmetic always (see
   * `recomputable`), cheap real arithmetic when `spareOps` finds it within `RECOMPUTE_BUDGET`.
   */
  recomputes(u: Var): boolean {
    const { f, a } = this.#s;
    if (CHEAP_REAL_OPS.has(f.op[u]!) && denseVarTy(f, u) === REAL) {
      const spare = this.#spareOpsOfOperands(u, RECOMPUTE_BUDGET - 1, a.depth[u]!);
      if (spare < 0) return false;
      this.#opsOf[u] = RECOMPUTE_BUDGET - spare;
      return true;
    }
    return recomputable(f, u) && !touchesLinearDense(a, u);
  }

  /**
   * Return `budget` less the real operations `lin` would redo to recompute `v` in the block at
   * `depth`, or -1 when over budget or when a value on the way would have to become a new
   * residual of that block. Free: what `lin` has already, literals, params, values of enclosing
   * blocks (read or stored once per run of that block, not per run of this one), projections
   * and index arithmetic of free values; each cheap real operation costs 1.
   */
  spareOps(v: Var, budget: number, depth: number): number {
    const { f, a, hasRes, isPassed, passParams } = this.#s;
    const op = f.op[v]!;
    if (hasRes[v] === 1) {
      const storedParam = op === OP_NONE && a.depth[v] === 1 && isPassed[v] === 0;
      if (this.#isStored[v] === 1 || storedParam) return -1;
      return budget - this.#opsOf[v]!;
    }
    if (a.depth[v]! < depth) return budget;
    // a param: free when passed to `lin` (else a residual like any other)
    if (op === OP_NONE) return passParams ? budget : -1;
    if (op === OP_LIT || op === OP_ZERO) return budget;
    if (op === OP_INDEX) {
      const rest = this.spareOps(f.a[v]!, budget, depth);
      return rest < 0 ? rest : this.spareOps(f.b[v]!, rest, depth);
    }
    if (op === OP_MEMBER) return this.spareOps(f.a[v]!, budget, depth);
    if (op < OP_PRIM || touchesLinearDense(a, v)) return -1;
    let rest = budget;
    if (denseVarTy(f, v) === REAL) {
      if (!CHEAP_REAL_OPS.has(op)) return -1;
      rest--;
    } else if (!recomputable(f, v)) return -1;
    return this.#spareOpsOfOperands(v, rest, depth);
  }

  /** Return `spareOps` of primitive `v`'s operands in turn from `budget` (a repeat counts once). */
  #spareOpsOfOperands(v: Var, budget: number, depth: number): number {
    const { f } = this.#s;
    const x = f.a[v]!;
    const y = f.b[v]!;
    const rest = this.spareOps(x, budget, depth);
    return rest < 0 || y < 0 || y === x ? rest : this.spareOps(y, rest, depth);
  }
}

/**
 * Return whether `lin` recomputes the value of instruction `v` instead of reading it as a
 * residual: projections (storing a vec is cheaper than storing its elements one per iteration),
 * and arithmetic and logic on indices and booleans only (`iadd`, `imod`, `ilt`, `not`, ...: a few
 * integer operations, cheaper than a residual's store and load; a loop's `i + 1` and `i < n - 1`
 * stay out of its residuals).
 */
function recomputable(f: DenseFunc, v: Var): boolean {
  const op = f.op[v]!;
  if (op === OP_INDEX || op === OP_MEMBER) return true;
  if (op < OP_PRIM) return false;
  const y = f.b[v]!;
  return isIntegral(denseVarTy(f, f.a[v]!)) && (y < 0 || isIntegral(denseVarTy(f, y)));
}

/** Return true when `t` is an index or a boolean. */
function isIntegral(t: Ty): boolean {
  return t.kind === 'fin' || t.kind === 'bool';
}
