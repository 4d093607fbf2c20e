/** @file Tests of `transpose`: the identity <u, lin(v)> = <bwd(u), v>, erasure, and structure. */
import { describe, expect, it } from 'vitest';
import { interpret, type Val } from '../../engine/interp/interp.ts';
import { accumulator, zeroOf } from '../../engine/interp/values.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import {
  REAL,
  TAN,
  UNIT,
  erase,
  finTy,
  hasTan,
  primalPart,
  refTy,
  structTy,
  vecTy,
  type Block,
  type TransparentFunc,
  type Ty,
} from '../../engine/ir/types.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';
import { fixtures } from './reverse-fixtures.ts';
import {
  checkFunc,
  isErased,
  partOf,
  randomVal,
  reachable,
  rng,
  transposeIdentity,
} from './reverse-util.ts';

/** Return a value for a param of type `t`: a fresh zero accumulator for a ref, else `val()`. */
function valFor(t: Ty, val: () => Val): Val {
  return t.kind === 'ref' ? accumulator(t.inner, zeroOf(t.inner)) : val();
}

/** Expect `a` and `b` equal up to rounding relative to their size. */
function expectClose(a: number, b: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(a) + Math.abs(b)));
}

/** Check the transpose identity for `transpose(unzip(f).lin)` at random points. */
function checkFixture(f: TransparentFunc, seed: number): void {
  const { fwd, lin } = unzip(f);
  const bwd = transpose(lin);
  checkFunc(bwd);
  expect(isErased(bwd)).toBe(true);
  const r = rng(seed);
  const primals = f.paramTypes.map((t) =>
    valFor(primalPart(t), () => partOf(t, randomVal(t, r), 'primal')),
  );
  const [res] = interpret(fwd, primals) as [Val];
  // lin's nonlinear params: the (empty) linear parts of primal params, then the residuals
  const nonlin = lin.paramTypes
    .slice(0, -1)
    .filter((t) => !hasTan(t))
    .map((t) => valFor(t, () => zeroOf(t)));
  const [lhs, rhs] = transposeIdentity(lin, bwd, [...nonlin, res!], seed + 100);
  expectClose(lhs, rhs);
  expect(lhs).not.toBe(0);
}

/** Return every instruction of a block, nested bodies included. */
function allInstrs(block: Block): Block {
  return block.flatMap((i) => (i.expr.kind === 'for' ? [i, ...allInstrs(i.expr.body)] : [i]));
}

/** Count the instructions of `f` of kind `kind`. */
function count(f: TransparentFunc, kind: string): number {
  return allInstrs(f.body).filter((i) => i.expr.kind === kind).length;
}

/** lin(r: ref(vec2 tan), dx: tan, y: real) adds into r and returns dx * y. */
function linWithRef(): TransparentFunc {
  const b = new FuncBuilder('linWithRef');
  const r = b.param(refTy(vecTy(2, TAN)));
  const dx = b.param(TAN);
  const y = b.param(REAL);
  const dz = b.prim('mul', [dx, y]);
  b.add(b.slice(r, b.lit(1, finTy(2))), dz);
  b.add(r, b.vec([dx, b.prim('neg', [dx])], vecTy(2, TAN)));
  return b.finish(dz);
}

/**
 * A linear function using most expression kinds: a loop whose element is an outer variable and
 * which sums into an accumulator, dynamic indexing, select, struct/member, a call with a ref arg.
 */
function kitchenSink(callee: TransparentFunc): TransparentFunc {
  const b = new FuncBuilder('kitchenSink');
  const dxs = b.param(vecTy(3, TAN));
  const ds = b.param(structTy(['a', 'b'], [TAN, UNIT]));
  const ys = b.param(vecTy(3, REAL));
  const i = b.param(finTy(3));
  const c = b.param({ kind: 'bool' });
  const da = b.member(ds, 0);
  const acc = b.accum(b.zero(TAN));
  const loop = b.forLoop(3, (j) => {
    b.add(acc, b.prim('mul', [b.index(dxs, j), b.index(ys, j)]));
    return da;
  });
  const sum = b.resolve(acc);
  const picked = b.select(c, b.index(dxs, i), b.prim('div', [da, b.index(ys, i)]));
  const rv = b.accum(b.zero(vecTy(2, TAN)));
  const called = b.call(callee, [rv, sum, b.index(ys, b.lit(0, finTy(3)))]);
  const extra = b.resolve(rv);
  const st = b.struct(
    [b.prim('sub', [picked, called]), loop, extra],
    structTy(['p', 'q', 'r'], [TAN, vecTy(3, TAN), vecTy(2, TAN)]),
  );
  return b.finish(st);
}

describe('transpose', () => {
  for (const { name, f } of fixtures()) {
    it(`satisfies <u, lin(v)> = <bwd(u), v> for unzipped ${name}`, () => {
      for (let seed = 1; seed <= 5; seed++) checkFixture(f, seed);
    });
  }

  it('follows the parameter contract, erased', () => {
    const lin = linWithRef();
    const bwd = transpose(lin);
    checkFunc(bwd);
    expect(bwd.paramTypes).toEqual([vecTy(2, REAL), refTy(REAL), REAL, REAL]);
    expect(bwd.retType).toEqual(UNIT);
    expect(isErased(bwd)).toBe(true);
    expect(transpose(lin)).toBe(bwd);
  });

  it('transposes adds into ref params: their cotangent is a bwd param', () => {
    const lin = linWithRef();
    for (let seed = 1; seed <= 3; seed++) {
      const [lhs, rhs] = transposeIdentity(lin, transpose(lin), [1.5], seed);
      expectClose(lhs, rhs);
    }
  });

  it('transposes loops, accumulators, selects, structs, dynamic indices and calls', () => {
    const callee = linWithRef();
    const f = kitchenSink(callee);
    const bwd = transpose(f);
    checkFunc(bwd);
    expect(isErased(bwd)).toBe(true);
    expect(reachable(bwd).has(transpose(callee))).toBe(true);
    for (let seed = 1; seed <= 6; seed++) {
      const r = rng(seed);
      const nonlin = [randomVal(vecTy(3, REAL), r), Math.floor(r() * 3), r() < 0.5];
      const [lhs, rhs] = transposeIdentity(f, bwd, nonlin, seed);
      expectClose(lhs, rhs);
    }
    expect(count(bwd, 'for')).toBe(1); // loops stay loops
  });

  it('sums scalar cotangents of straight-line code without accumulators', () => {
    const b = new FuncBuilder('straight');
    const dx = b.param(TAN);
    const y = b.param(REAL);
    const t = b.prim('mul', [dx, y]);
    const u = b.prim('add', [t, b.prim('neg', [t])]);
    const lin = b.finish(b.prim('sub', [b.prim('add', [u, t]), b.prim('div', [t, y])]));
    const bwd = transpose(lin);
    expect(count(bwd, 'accum')).toBe(0);
    expect(count(bwd, 'resolve')).toBe(0);
    const [lhs, rhs] = transposeIdentity(lin, bwd, [0.75], 3);
    expectClose(lhs, rhs);
  });

  it('emits nothing for linear values whose cotangent is zero', () => {
    const b = new FuncBuilder('dead');
    const dxs = b.param(vecTy(3, TAN));
    const y = b.param(REAL);
    b.forLoop(3, (i) => b.prim('mul', [b.index(dxs, i), y])); // unused loop
    const lin = b.finish(b.prim('mul', [b.index(dxs, b.lit(2, finTy(3))), y]));
    const bwd = transpose(lin);
    expect(count(bwd, 'for')).toBe(0);
    const acc = accumulator(erase(vecTy(3, TAN)), zeroOf(vecTy(3, REAL)));
    interpret(bwd, [acc, 2, 3]);
    expect(acc.get()).toEqual([0, 0, 6]);
  });
});
