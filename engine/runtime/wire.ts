/**
 * @file IR across the worker boundary. Programs travel in the binary form of
 * engine/ir/serialize.ts: two typed arrays (transferred, not copied) and a string table. Encoding
 * is one walk over the program, so the main thread pays a few nanoseconds per instruction
 * instead of structured-cloning an object graph (tens of ms on large programs), and the module
 * cache hashes the same bytes.
 *
 * - main thread, `toWire(root)`: the encoded program, its hash, and the opaque functions whose JS
 *   implementations stay behind (slot k is `opaques[k]`; compiled imports are named by slot and
 *   reattached on instantiation);
 * - worker, `revive(program)`: the program rebuilt in the worker's realm (fresh function ids and
 *   interned types; opaque functions get a stub that must never run there).
 * - `problemToWire` / `problemFromWire`: the same for a minimization problem's functions.
 */
import { decodeProgram, encodeProgram, hashProgram, transferablesOf } from '../ir/serialize.ts';
import type { DecodedProgram, EncodedProgram } from '../ir/serialize.ts';
import type { OpaqueFunc, Func } from '../ir/types.ts';
import type { ConstraintSpec } from '../optim/lagrangian.ts';
import type { Problem } from '../optim/problem.ts';

/** A program ready to post, and the opaque functions whose implementations stay behind. */
export interface Wire {
  readonly program: EncodedProgram;
  /** The opaque functions of the program; `opaques[slot]` is the one with that slot. */
  readonly opaques: readonly OpaqueFunc[];
}

/** Return `root` ready to post (see the file comment). */
export function toWire(root: Func): Wire {
  return encodeProgram(root);
}

/** Return the structural hash of a posted program (the module cache's key). */
export function wireHash(wire: Wire): string {
  return hashProgram(wire.program);
}

/** Return the buffers to transfer with a message carrying `programs`. */
export function transfers(...programs: EncodedProgram[]): ArrayBuffer[] {
  return programs.flatMap(transferablesOf);
}

/** Rebuild a posted program in this realm (see the file comment). */
export function revive(program: EncodedProgram): DecodedProgram {
  return decodeProgram(program);
}

/** A problem as posted: its functions encoded (see engine/optim/problem.ts). */
export interface WireProblem extends Omit<Problem, 'objective' | 'constraints'> {
  readonly objective: EncodedProgram;
  readonly constraints: readonly (Omit<ConstraintSpec, 'func'> & { readonly program: EncodedProgram })[];
}

/** Return `problem` ready to post (it calls no opaque function: see `needsMainThread`). */
export function problemToWire(problem: Problem): WireProblem {
  const { objective, constraints, ...rest } = problem;
  return {
    ...rest,
    objective: toWire(objective).program,
    constraints: constraints.map(({ func, ...c }) => ({ ...c, program: toWire(func).program })),
  };
}

/** Return the programs of a posted problem, to transfer. */
export function problemTransfers(problem: WireProblem): ArrayBuffer[] {
  return transfers(problem.objective, ...problem.constraints.map((c) => c.program));
}

/** Rebuild a posted problem in this realm. */
export function problemFromWire(problem: WireProblem): Problem {
  const { objective, constraints, ...rest } = problem;
  return {
    ...rest,
    objective: revive(objective).func,
    constraints: constraints.map(({ program, ...c }) => ({ ...c, func: revive(program).func })),
  };
}
