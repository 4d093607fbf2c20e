/**
 * @file Arguments built in place (engine/wasm/codegen-inplace.ts): a callee
 * copying an aggregate param into a part of its result at its destination (a forward pass
 * saving its input state as a residual) lets a caller build that argument right there, in the
 * storage of the part; the callee then skips the copy onto itself. Checked: results equal to the
 * interpreter's, the frame the states no longer need, and arguments that must stay where they
 * are (read twice, or also by the caller).
 */
import { describe, expect, it } from 'vitest';
import { FuncBuilder } from '../../../engine/ir/builder.ts';
import { REAL, finTy, structTy, vecTy, type TransparentFunc, type Var } from '../../../engine/ir/types.ts';
import { generate } from '../../../engine/wasm/codegen.ts';
import { sizeOf } from '../../../engine/wasm/layout.ts';
import { checkAgainstInterp } from './codegen-harness.ts';

const N = 32; // 256 bytes: copied with memory.copy
const STATE = vecTy(N, REAL);
const RES = structTy(['r0', 'r1'], [REAL, STATE]);
const OUT = structTy(['res', 'ret'], [RES, STATE]);

/** Return `step(s, x) -> {res: {r0: s[0] * x, r1: s}, ret: s + x}`: saves its input state. */
function step(): TransparentFunc {
  const b = new FuncBuilder('step');
  const s = b.param(STATE);
  const x = b.param(REAL);
  const r0 = b.prim('mul', [b.index(s, b.lit(0, finTy(N))), x]);
  const res = b.struct([r0, s], RES);
  const ret = b.forLoop(N, (i) => b.prim('add', [b.index(s, i), x]));
  return b.finish(b.struct([res, ret], OUT));
}

/** Return `f(x)` chaining `steps` calls of `g` from `[x, 2x, ...]`, returning every residual and the last state. */
function chain(g: TransparentFunc, steps: number, readTwice: boolean): TransparentFunc {
  const b = new FuncBuilder('chain');
  const x = b.param(REAL);
  let s: Var = b.vec(
    Array.from({ length: N }, (_, k) => b.prim('mul', [x, b.real(k + 1)])),
    STATE,
  );
  const saved: Var[] = [];
  for (let t = 0; t < steps; t++) {
    const y = b.call(g, [s, b.prim('add', [x, b.real(t)])]);
    saved.push(b.member(y, 0));
    if (readTwice) saved.push(b.member(b.struct([b.index(s, b.lit(1, finTy(N)))], structTy(['a'], [REAL])), 0));
    s = b.member(y, 1);
  }
  const types = saved.map((v) => (readTwice && saved.indexOf(v) % 2 === 1 ? REAL : RES));
  const keys = [...saved.map((_, k) => `s${k}`), 'last'];
  return b.finish(b.struct([...saved, s], structTy(keys, [...types, STATE])));
}

describe('arguments built in place', () => {
  it('builds each state where the next call saves it, with results equal to the interpreter', () => {
    const g = step();
    const f = chain(g, 4, false);
    for (const x of [0.5, -0, 1e300, NaN]) checkAgainstInterp(f, [x]);
    // the four states passed live inside the residuals: besides the result, no state-sized storage
    expect(generate(f).frameSize - sizeOf(f.retType)).toBeLessThan(2 * N * 8);
  });

  it('keeps an argument the caller also reads in its own storage, and copies it', () => {
    const g = step();
    const f = chain(g, 3, true);
    for (const x of [0.25, -3]) checkAgainstInterp(f, [x]);
    expect(generate(f).frameSize - sizeOf(f.retType)).toBeGreaterThanOrEqual(3 * N * 8);
  });
});
