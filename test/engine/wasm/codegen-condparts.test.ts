/**
 * @file Conds with a split result (engine/wasm/codegen-condparts.ts): a cond whose struct result
 * is only taken apart by member instructions builds each member where that instruction's value
 * ends up (a residual struct, a result), with no copy; block results that are literals, zeros or
 * values from outside; partly split results (a member also read as a scalar); against the
 * interpreter on both paths.
 */
import { describe, expect, it } from 'vitest';
import { FuncBuilder } from '../../../engine/ir/builder.ts';
import { check } from '../../../engine/ir/check.ts';
import { BOOL, REAL, structTy, type Var } from '../../../engine/ir/types.ts';
import { checkAgainstInterp, build, compile, countOps, ifElse, useWasmText } from './codegen-harness.ts';

useWasmText();

const R = structTy(['a', 'b'], [REAL, REAL]); // residuals
const P = structTy(['re'], [REAL]); // the primal result, as a jvp's {du, re} with a unit du
const C = structTy(['res', 'ret'], [R, P]);
const OUT = structTy(['res', 'ret'], [structTy(['r0', 'r1'], [R, BOOL]), REAL]);

/** A forward pass in unzip's shape: the cond's `res` goes into the residual struct, `ret` is used. */
function fwd(name: string, then: (b: FuncBuilder, x: Var, y: Var, outside: Var) => Var, els: (b: FuncBuilder, x: Var, y: Var, outside: Var) => Var) {
  const f = build(name, [REAL, REAL], (b, x, y) => {
    const outside = b.struct([b.struct([y!, x!], R), b.struct([x!], P)], C);
    const p = b.prim('lt', [x!, b.real(0)]);
    const c = ifElse(b, p, C, () => then(b, x!, y!, outside), () => els(b, x!, y!, outside));
    const res = b.member(c, 0);
    const v = b.member(b.member(c, 1), 0);
    const resid = b.struct([res, p], OUT.members[0]!);
    return b.struct([resid, b.prim('mul', [v, b.real(2)])], OUT);
  });
  check(f);
  return f;
}

const lit = (b: FuncBuilder, x: Var, y: Var): Var =>
  b.struct([b.struct([b.prim('mul', [x, x]), b.prim('add', [x, y])], R), b.struct([b.prim('sqrt', [y])], P)], C);

describe('conds with a split result', () => {
  it('build the residuals in the residual struct: no copy, the same values on both paths', () => {
    const f = fwd('lits', lit, (b, _x, y) => b.struct([b.zero(R), b.struct([y], P)], C));
    const c = compile(f);
    for (const [x, y] of [[-1.5, 2], [3, 0.25], [-0, 4]]) checkAgainstInterp(f, [x!, y!], {}, c);
    expect(countOps(f, 'i64.load')).toBe(0); // `res` is not copied out of the cond's storage
  });

  it('copy block results that are values from outside or zeros member by member', () => {
    const f = fwd('outside', (_b, _x, _y, outside) => outside, (b) => b.zero(C));
    const c = compile(f);
    for (const [x, y] of [[-1.5, 2], [3, 0.25]]) checkAgainstInterp(f, [x!, y!], {}, c);
  });

  it('keep storage for members read as scalars, and skip results read whole', () => {
    // `ret` is read as a scalar member too: only `res` is a part
    const g = build('partly', [REAL, REAL], (b, x, y) => {
      const p = b.prim('lt', [x!, b.real(0)]);
      const c = ifElse(b, p, structTy(['res', 'ret'], [R, REAL]), () => b.struct([b.struct([x!, y!], R), b.prim('neg', [y!])], structTy(['res', 'ret'], [R, REAL])), () => b.zero(structTy(['res', 'ret'], [R, REAL])));
      const resid = b.struct([b.member(c, 0), p], OUT.members[0]!);
      return b.struct([resid, b.member(c, 1)], OUT);
    });
    check(g);
    const h = build('whole', [REAL, REAL], (b, x, y) => {
      const c = ifElse(b, b.prim('lt', [x!, b.real(0)]), C, () => lit(b, x!, y!), () => b.zero(C));
      return b.struct([c, b.member(c, 0)], structTy(['c', 'r'], [C, R]));
    });
    check(h);
    for (const f of [g, h]) {
      const c = compile(f);
      for (const [x, y] of [[-1.5, 2], [3, 0.25]]) checkAgainstInterp(f, [x!, y!], {}, c);
    }
  });
});
