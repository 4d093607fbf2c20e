/**
 * @file Anchors (part of the plan, codegen-plan.ts): pure scalar values that V8 would compute
 * far from where the program computes them are also stored, when computed, into a frame slot
 * that nothing reads, so that they stay where they are.
 *
 * Why: V8's optimizing compiler orders memory operations as written but places pure arithmetic
 * just before its first use. In a straight-line forward pass the running sum of an objective is
 * pure and used only at the end, while the terms' values are also stored as residuals early:
 * V8 then stores every residual first and adds up the sum at the end, keeping two values per
 * term alive in between (thousands of stack spills: the unrolled Rosenbrock fwd ran 3x slower
 * than its primal). One store per anchored value (a tree of up to 6 operations, see
 * `#stackify`) keeps the live ranges as short as in the program.
 *
 * Rule: a value `v` held in an f64 local is anchored when its first effectful consumer (through
 * pure readers) is more than `MAX_SINK` positions after it, and one of the locals its tree reads
 * exists much earlier (a load, also one emitted in the tree itself, a call result, a value with
 * an effectful consumer of its own, an anchored one): without the anchor that one would be kept
 * alive across the gap (V8 keeps loads in program order with the stores). Only where the gap
 * holds a write (an early-stored member, a spill, an accumulation, a call or a loop): without one
 * V8 moves loads and arithmetic freely, and anchors would only add stores (the unrolled Rosenbrock
 * gradient, whose fwd stores nothing, ran 10% slower with its 2,130 anchors).
 */
import { varCount, type Var } from '../ir/types.ts';
import { REAL, YIELD, isPureArith } from './liveness.ts';
import type { FuncPlan } from './codegen-plan.ts';

/** Positions a pure value may drift towards its consumer before its operands' lives matter. */
const MAX_SINK = 256;

/** Find the anchored values of `plan` (see the file comment): set `plan.anchored`. */
export function planAnchors(plan: FuncPlan): void {
  const s = plan.shape;
  if (s.endPos <= MAX_SINK) return; // nothing can wait that long
  const n = varCount(s.f);
  const { home, needed } = plan;
  const isPure = new Uint8Array(n);
  const candidates: Var[] = []; // pure values held in an f64 local
  for (let v = 0; v < n; v++) {
    const e = s.def[v];
    if (!needed[v] || e === undefined || !isPureArith(e) || plan.earlyAt[v] !== undefined) continue;
    const k = home[v]!.k;
    if (k !== 'local' && k !== 'inline') continue;
    isPure[v] = 1;
    if (k === 'local' && s.tyBits[v]! & REAL) candidates.push(v); // a real or tan
  }
  if (candidates.length === 0) return;
  const writes = writesBefore(plan);
  if (writes[s.endPos + 1] === 0) return; // no write anywhere to hold a load back
  // the position of each value's first effectful consumer, through pure readers (read in reverse)
  const sink = new Int32Array(n).fill(s.endPos);
  const { rX, rUser, rPos, rK } = s;
  for (let i = rX.length - 1; i >= 0; i--) {
    const u = rUser[i]!;
    if (u >= 0 && (!needed[u] || (rK[i] === YIELD && !plan.used[u]))) continue;
    const x = rX[i]!;
    const at = u >= 0 && isPure[u] ? sink[u]! : rPos[i]!;
    if (at < sink[x]!) sink[x] = at;
  }
  // forward: anchor a local whose tree reads something that exists much earlier
  const anchored = plan.anchored;
  const early = (y: Var, limit: number): boolean => {
    // a load where it is read (a member, element or spill slot) happens here, in memory order;
    // constants and parameters cost nothing to keep
    const k = home[y]!.k;
    if (k === 'derived' || k === 'spill' || k === 'frame') return true;
    if (k === 'inline') return reachesEarly(y, limit);
    // a pure value exists from its first effectful consumer on; others (loads, calls) where they are
    return k === 'local' && (isPure[y] && !anchored[y] ? sink[y]! : s.pos[y]!) < limit;
  };
  const reachesEarly = (v: Var, limit: number): boolean => {
    const e = s.def[v]!;
    if (e.kind === 'select') return early(e.cond, limit) || early(e.then, limit) || early(e.els, limit);
    if (e.kind !== 'prim') return false;
    return early(e.x, limit) || (e.y >= 0 && early(e.y, limit));
  };
  for (let k = 0; k < candidates.length; k++) {
    const v = candidates[k]!;
    const limit = sink[v]! - MAX_SINK;
    if (writes[sink[v]!]! === writes[s.pos[v]! + 1]!) continue; // no write to hold a load back
    if (s.pos[v]! < limit && reachesEarly(v, limit)) (anchored[v] = 1), (plan.anchorCount += 1);
  }
}

/**
 * Return, per position p, how many needed instructions before p write memory: stores of early
 * members and spills, accumulations, calls, loops and conds (V8 keeps loads in order with these
 * only).
 */
function writesBefore(plan: FuncPlan): Int32Array {
  const s = plan.shape;
  const out = new Int32Array(s.endPos + 2); // first 1 after each write, then summed in place
  for (let v = 0; v < s.def.length; v++) {
    const e = s.def[v];
    if (e === undefined || !plan.needed[v]) continue;
    const k = e.kind;
    const writes = k === 'add' || k === 'call' || k === 'for' || k === 'cond';
    if (writes || plan.earlyAt[v] !== undefined || plan.home[v]!.k === 'spill')
      out[s.pos[v]! + 1] = 1;
  }
  for (let p = 1; p <= s.endPos + 1; p++) out[p]! += out[p - 1]!;
  return out;
}
