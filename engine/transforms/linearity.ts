/**
 * @file What `unzip` and `transpose` share: which instructions touch linear (`tan`) values,
 * where each variable is defined, operand roles, and empty values.
 *
 * A variable is *linear* when its type holds a `tan` (`hasTan`), *nonlinear* otherwise; after
 * `unzip` every linear variable of `lin` is purely linear (only `tan` and `unit` leaves). An
 * instruction *touches linear values* when its result, an operand, or (for a loop or a cond) an
 * instruction of its body is linear; every other instruction is plain primal computation.
 */
import { internal } from '../errors.ts';
import type { FuncBuilder } from '../ir/builder.ts';
import { linearShape } from '../ir/prims.ts';
import { forEachOperand } from '../ir/visit.ts';
import type { Scratch } from './scratch.ts';
import {
  accumInstr,
  hasTan,
  primExpr,
  varCount,
  zeroInstr,
  type Block,
  type Expr,
  type Func,
  type Instr,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';

/** The expression of kind `K` (re-exported for the passes). */
export type { ExprOf } from '../ir/types.ts';

/**
 * How an expression uses an operand: `part` operands are split like the result (the linear part
 * of a struct member, a vec element, a ref...); `nonlin` operands are always primal (a select's
 * condition, an index, the right operand of `mul(dx, y)`).
 */
export type Role = 'part' | 'nonlin';

/**
 * Facts about one function's variables, filled in as a pass walks the function in order (see
 * `visit`), so no separate walk over a large, cold function is needed. Variables are dense
 * integers, so every fact is an array indexed by `Var` (no per-variable maps or sets).
 */
export interface Analysis {
  /** The defining instruction of each visited variable (params and loop indices have none). */
  readonly def: (Instr | undefined)[];
  /** Block depth of each variable's definition: 1 for params and the body, +1 per loop. */
  readonly depth: Int32Array;
  /** 1 for each linear variable (its type holds a `tan`), else 0. */
  readonly linVar: Uint8Array;
  /** How many variables are linear (the 1s of `linVar`). */
  readonly linearCount: number;
  /**
   * How many variables have a struct or vec type: about one per call or loop (its result), so
   * a pass can size its output for them without a walk over the (cold) body.
   */
  readonly aggregates: number;
  /**
   * Per variable, whether its defining instruction touches linear values (a loop or a cond: when a block
   * does): 0 not visited yet, 1 no, 2 yes.
   */
  readonly linear: Uint8Array;
  /** Scratch of `visit`: whether an operand seen so far is linear. */
  hit: boolean;
  /** Operand visitor of `visit`, bound once. */
  readonly see: (v: Var) => void;
}

/** Return true when `instr`, visited already, touches linear values (see the file comment). */
export function touchesLinear(a: Analysis, instr: Instr): boolean {
  return a.linear[instr.var] === 2;
}

/**
 * Return the empty facts of `f` (params at depth 1), to be filled in by `visit`; the typed arrays
 * are taken from `scratch`.
 */
export function analyze(f: TransparentFunc, scratch: Scratch): Analysis {
  const n = varCount(f);
  const linVar = scratch.u8(n);
  const { linearCount, aggregates } = linearVars(f, linVar);
  const a: Analysis = {
    def: scratch.refs<Instr>(n),
    depth: scratch.i32(n),
    linVar,
    linearCount,
    aggregates,
    linear: scratch.u8(n),
    hit: false,
    see: (v) => {
      if (linVar[v] === 1) a.hit = true;
    },
  };
  for (const p of f.params) a.depth[p] = 1;
  return a;
}

/**
 * Record `instr`, defined in the block at `depth`, and return true when it touches linear values.
 * Passes visit instructions in order, so a variable's facts are known before its uses; a loop's
 * body is visited here (once) to decide the loop.
 */
export function visit(a: Analysis, instr: Instr, depth: number): boolean {
  const v = instr.var;
  const known = a.linear[v]!;
  if (known !== 0 && a.def[v] === instr) return known === 2;
  a.def[v] = instr;
  a.depth[v] = depth;
  const e = instr.expr;
  const { linVar } = a;
  let touches = linVar[v] === 1;
  // a switch reads `e.kind` once (see `hasEffect`)
  switch (e.kind) {
    case 'prim':
      // the commonest kind: its operands read directly, not through the visitor
      touches ||= linVar[e.x] === 1 || (e.y >= 0 && linVar[e.y] === 1);
      break;
    case 'for': {
      a.depth[e.index] = depth + 1;
      const body = e.body;
      for (let k = 0; k < body.length; k++) if (visit(a, body[k]!, depth + 1)) touches = true;
      break;
    }
    case 'cond':
      // (the condition is a bool, never linear)
      for (const block of [e.then, e.els])
        for (let k = 0; k < block.length; k++) if (visit(a, block[k]!, depth + 1)) touches = true;
      break;
    default:
      if (!touches) {
        a.hit = false;
        forEachOperand(e, a.see);
        touches = a.hit;
      }
  }
  a.linear[v] = touches ? 2 : 1;
  return touches;
}

/**
 * Fill `out` (zeroed) with a flag per variable: 1 when its type holds a `tan`; return how many
 * variables are linear and how many have a struct or vec type (see `Analysis`).
 */
function linearVars(f: TransparentFunc, out: Uint8Array): { linearCount: number; aggregates: number } {
  // each type's facts once, by type id
  const { types, varTypes } = f;
  const linearOf = Uint8Array.from(types, (t) => (hasTan(t) ? 1 : 0));
  const aggregateOf = Uint8Array.from(types, (t) => (t.kind === 'struct' || t.kind === 'vec' ? 1 : 0));
  let linearCount = 0;
  let aggregates = 0;
  for (let v = 0; v < varTypes.length; v++) {
    const id = varTypes[v]!;
    const linear = linearOf[id]!;
    out[v] = linear;
    linearCount += linear;
    aggregates += aggregateOf[id]!;
  }
  return { linearCount, aggregates };
}

/** Call `fn` on each operand of `e` (not a `for`) with its role, in `mapRoles` order. */
export function forEachRole(e: Expr, fn: (v: Var, role: Role) => void): void {
  switch (e.kind) {
    case 'index':
    case 'slice':
      fn(e.kind === 'index' ? e.vec : e.ref, 'part');
      return fn(e.index, 'nonlin');
    case 'prim': {
      // in `mul(dx, y)` and `div(dx, y)` the right operand is primal
      const right: Role = linearShape(e.prim) === 'tr' ? 'nonlin' : 'part';
      fn(e.x, 'part');
      if (e.y >= 0) fn(e.y, right);
      return;
    }
    case 'select':
      fn(e.cond, 'nonlin');
      fn(e.then, 'part');
      return fn(e.els, 'part');
    case 'vec':
    case 'struct':
    case 'call': {
      const vs = e.kind === 'vec' ? e.elems : e.kind === 'struct' ? e.members : e.args;
      for (let k = 0; k < vs.length; k++) fn(vs[k]!, 'part');
      return;
    }
    case 'member':
      return fn(e.struct, 'part');
    case 'field':
    case 'resolve':
      return fn(e.ref, 'part');
    case 'accum':
      return fn(e.shape, 'part');
    case 'add':
      fn(e.ref, 'part');
      return fn(e.addend, 'part');
    case 'lit':
    case 'zero':
      return;
    case 'for':
    case 'cond':
      return internal('forEachRole of a block expression (each pass handles blocks itself)');
  }
}

/** Return `e` (not a `for`) with each operand replaced by `fn(operand, role)`. */
export function mapRoles(e: Expr, fn: (v: Var, role: Role) => Var): Expr {
  switch (e.kind) {
    case 'lit':
    case 'zero':
      return e;
    case 'vec':
      return { kind: 'vec', elems: e.elems.map((v) => fn(v, 'part')) };
    case 'struct':
      return { kind: 'struct', members: e.members.map((v) => fn(v, 'part')) };
    case 'index':
      return { kind: 'index', vec: fn(e.vec, 'part'), index: fn(e.index, 'nonlin') };
    case 'member':
      return { kind: 'member', struct: fn(e.struct, 'part'), member: e.member };
    case 'slice':
      return { kind: 'slice', ref: fn(e.ref, 'part'), index: fn(e.index, 'nonlin') };
    case 'field':
      return { kind: 'field', ref: fn(e.ref, 'part'), member: e.member };
    case 'prim': {
      // in `mul(dx, y)` and `div(dx, y)` the right operand is primal
      const right: Role = linearShape(e.prim) === 'tr' ? 'nonlin' : 'part';
      return primExpr(e.prim, fn(e.x, 'part'), e.y >= 0 ? fn(e.y, right) : -1);
    }
    case 'select':
      return {
        kind: 'select',
        cond: fn(e.cond, 'nonlin'),
        then: fn(e.then, 'part'),
        els: fn(e.els, 'part'),
      };
    case 'call':
      return { kind: 'call', func: e.func, args: e.args.map((v) => fn(v, 'part')) };
    case 'accum':
      return { kind: 'accum', shape: fn(e.shape, 'part') };
    case 'add':
      return { kind: 'add', ref: fn(e.ref, 'part'), addend: fn(e.addend, 'part') };
    case 'resolve':
      return { kind: 'resolve', ref: fn(e.ref, 'part') };
    case 'for':
    case 'cond':
      return internal('mapRoles of a block expression (each pass handles blocks itself)');
  }
}

/**
 * Return the instructions that compute the value of empty type `t` (only unit leaves), with the
 * variable holding it last (`v` when given, else a fresh one): a `zero`, or for a ref type a
 * `zero` and an `accum` of it.
 */
export function emptyValue(b: FuncBuilder, t: Ty, v?: Var): Instr[] {
  if (t.kind !== 'ref') return [zeroInstr(v ?? b.fresh(t))];
  if (t.inner.kind === 'ref') return internal('ref of a ref');
  const shape = b.fresh(t.inner);
  return [zeroInstr(shape), accumInstr(v ?? b.fresh(t), shape)];
}

/** Emit into `b`'s current block the value of empty type `t` (see `emptyValue`); return it. */
export function emitEmpty(b: FuncBuilder, t: Ty): Var {
  const instrs = emptyValue(b, t);
  for (const instr of instrs) b.append(instr);
  return instrs[instrs.length - 1]!.var;
}

/**
 * The zeros of a function shared by all their uses, one per type (not a ref): each made on first
 * use as a `zero` instruction pushed to `top`, which the caller places at the function's start so
 * it dominates every use.
 */
export class SharedZeros {
  readonly #b: FuncBuilder;
  readonly #top: Instr[];
  readonly #byType = new Map<Ty, Var>();

  /** Share zeros of `b`'s function, their instructions collected in `top`. */
  constructor(b: FuncBuilder, top: Instr[]) {
    this.#b = b;
    this.#top = top;
  }

  /** Return the shared zero of `t`, made on first use. */
  of(t: Ty): Var {
    let z = this.#byType.get(t);
    if (z === undefined) {
      z = this.#b.fresh(t);
      this.#top.push(zeroInstr(z));
      this.#byType.set(t, z);
    }
    return z;
  }
}

/** Functions with a ref parameter (a call passes a ref exactly where the callee takes one). */
const takesRef = new WeakMap<Func, boolean>();

/**
 * Return true when `e` may change an accumulator: an `add`, a call passing a ref, or a loop with
 * one of those in its body (`prune` keeps such instructions whether or not their result is read).
 */
export function hasEffect(e: Expr): boolean {
  // one switch: each `e.kind` of an if-chain would be a load of its own, through V8's
  // megamorphic cache (expressions of many shapes)
  switch (e.kind) {
    case 'add':
      return true;
    case 'call': {
      let r = takesRef.get(e.func);
      if (r === undefined) {
        r = e.func.paramTypes.some((t) => t.kind === 'ref');
        takesRef.set(e.func, r);
      }
      return r;
    }
    case 'for':
      return blockHasEffect(e.body);
    case 'cond':
      return blockHasEffect(e.then) || blockHasEffect(e.els);
    default:
      return false;
  }
}

/** Return true when an instruction of `block` may change an accumulator (see `hasEffect`). */
function blockHasEffect(block: Block): boolean {
  for (let k = 0; k < block.length; k++) if (hasEffect(block[k]!.expr)) return true;
  return false;
}

/**
 * Return `f` without instructions whose results are unused and that have no effect on an
 * accumulator (dead code left by splitting: e.g. a primal only the linear part needed).
 * Liveness is decided in one backward walk; blocks are rebuilt only when something is dead.
 * `mayHaveDead` false (every instruction's result is read: see `Uses`) skips the walk.
 */
export function prune(f: TransparentFunc, mayHaveDead = true, scratch?: Scratch): TransparentFunc {
  if (!mayHaveDead) return f;
  const live = scratch?.u8(varCount(f)) ?? new Uint8Array(varCount(f));
  live[f.ret] = 1;
  if (!decideLive(live, f.body)) return f;
  const body = sweepLive(live, f.body);
  return body === f.body ? f : { ...f, body };
}

/**
 * Mark the results of `block`'s kept instructions (and their operands) live, backwards; return
 * true when one is dead. Direct loops and calls: a function has thousands of small blocks.
 */
function decideLive(live: Uint8Array, block: Block): boolean {
  let dead = false;
  for (let k = block.length - 1; k >= 0; k--) {
    const instr = block[k]!;
    const e = instr.expr;
    if (live[instr.var] === 0 && !hasEffect(e)) {
      dead = true;
      continue;
    }
    live[instr.var] = 1;
    if (e.kind === 'for') {
      live[e.ret] = 1;
      if (decideLive(live, e.body)) dead = true;
    } else if (e.kind === 'cond') {
      live[e.cond] = live[e.thenRet] = live[e.elsRet] = 1;
      if (decideLive(live, e.then)) dead = true;
      if (decideLive(live, e.els)) dead = true;
    } else markOperands(live, e);
  }
  return dead;
}

/** Mark the operands of `e` (not a block expression) live. */
function markOperands(live: Uint8Array, e: Expr): void {
  switch (e.kind) {
    case 'lit':
    case 'zero':
      return;
    case 'vec':
      for (let i = 0; i < e.elems.length; i++) live[e.elems[i]!] = 1;
      return;
    case 'struct':
      for (let i = 0; i < e.members.length; i++) live[e.members[i]!] = 1;
      return;
    case 'prim':
      live[e.x] = 1;
      if (e.y >= 0) live[e.y] = 1;
      return;
    case 'call':
      for (let i = 0; i < e.args.length; i++) live[e.args[i]!] = 1;
      return;
    case 'index':
      live[e.vec] = live[e.index] = 1;
      return;
    case 'member':
      live[e.struct] = 1;
      return;
    case 'slice':
      live[e.ref] = live[e.index] = 1;
      return;
    case 'field':
    case 'resolve':
      live[e.ref] = 1;
      return;
    case 'select':
      live[e.cond] = live[e.then] = live[e.els] = 1;
      return;
    case 'accum':
      live[e.shape] = 1;
      return;
    case 'add':
      live[e.ref] = live[e.addend] = 1;
      return;
    case 'cond':
    case 'for':
      return internal('markOperands of a block expression (prune handles blocks itself)');
  }
}

/** Return `block` with only the instructions whose results are live; copied on its first change. */
function sweepLive(live: Uint8Array, block: Block): Block {
  let kept: Instr[] | undefined;
  for (let k = 0; k < block.length; k++) {
    const instr = block[k]!;
    if (live[instr.var] === 0) {
      kept ??= block.slice(0, k);
      continue;
    }
    const e = instr.expr;
    let next = instr;
    if (e.kind === 'for') {
      const body = sweepLive(live, e.body);
      if (body !== e.body) next = { var: instr.var, expr: { ...e, body } };
    } else if (e.kind === 'cond') {
      const then = sweepLive(live, e.then);
      const els = sweepLive(live, e.els);
      if (then !== e.then || els !== e.els) next = { var: instr.var, expr: { ...e, then, els } };
    }
    if (next !== instr) kept ??= block.slice(0, k);
    kept?.push(next);
  }
  return kept ?? block;
}
