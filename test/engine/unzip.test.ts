/** @file Tests of `unzip`: fwd and lin of JVP-form functions agree with the original. */
import { describe, expect, it } from 'vitest';
import { interpret, type Val } from '../../engine/interp/interp.ts';
import { accumulator, zeroOf, type Accumulator } from '../../engine/interp/values.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import {
  REAL,
  TAN,
  isEmpty,
  linearPart,
  primalPart,
  type Block,
  type StructTy,
  type TransparentFunc,
  type Ty,
} from '../../engine/ir/types.ts';
import { Real, Vec } from '../../engine/trace/types.ts';
import { fn, funcOf } from '../../engine/trace/fn.ts';
import { sum } from '../../engine/trace/loops.ts';
import { iadd, ilt, imod, mul, select, sub } from '../../engine/trace/ops.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { RES, RET, unzip } from '../../engine/transforms/unzip.ts';
import { DUAL, fixtures, pairTy } from './reverse-fixtures.ts';
import { checkFunc, partOf, randomVal, reachable, rng } from './reverse-util.ts';

/** Return the arguments for `f`: random values, fresh zero accumulators for refs (by `part`). */
function argsFor(types: readonly Ty[], vals: readonly (Val | undefined)[]): Val[] {
  return types.map((t, i) => (t.kind === 'ref' ? accumulator(t.inner, zeroOf(t.inner)) : vals[i]!));
}

/** Check fwd/lin of `f` against `f` itself at random inputs. */
function checkUnzip(f: TransparentFunc, seed: number): void {
  const { fwd, lin } = unzip(f);
  checkFunc(fwd);
  checkFunc(lin);
  const r = rng(seed);
  const vals = f.paramTypes.map((t) => (t.kind === 'ref' ? undefined : randomVal(t, r)));
  const fArgs = argsFor(f.paramTypes, vals);
  const out = interpret(f, fArgs);
  const pTypes = f.paramTypes.map(primalPart);
  const part = (p: 'primal' | 'linear') =>
    vals.map((v, i) => (v === undefined ? v : partOf(f.paramTypes[i]!, v, p)));
  const fwdArgs = argsFor(pTypes, part('primal'));
  const [res, ret] = interpret(fwd, fwdArgs) as [Val, Val];
  expect(ret).toEqual(partOf(f.retType, out, 'primal'));
  const lTypes = f.paramTypes.map(linearPart);
  const linArgs = argsFor(lTypes, part('linear'));
  expect(interpret(lin, [...linArgs, res])).toEqual(partOf(f.retType, out, 'linear'));
  // what f added into its accumulator params is split the same way
  f.paramTypes.forEach((t, i) => {
    if (t.kind !== 'ref') return;
    const whole = (fArgs[i] as Accumulator).get();
    expect((fwdArgs[i] as Accumulator).get()).toEqual(partOf(t.inner, whole, 'primal'));
    expect((linArgs[i] as Accumulator).get()).toEqual(partOf(t.inner, whole, 'linear'));
  });
}

/** Return every instruction of a block, nested bodies included. */
function allInstrs(block: Block): Block {
  return block.flatMap((i) => (i.expr.kind === 'for' ? [i, ...allInstrs(i.expr.body)] : [i]));
}

/** Count the loops of `f`, nested ones included. */
function loops(f: TransparentFunc): number {
  return allInstrs(f.body).filter((i) => i.expr.kind === 'for').length;
}

/** Return the residual struct type of `fwd`. */
function resTy(fwd: TransparentFunc): StructTy {
  return (fwd.retType as StructTy).members[RES] as StructTy;
}

describe('unzip', () => {
  for (const { name, f } of fixtures()) {
    it(`splits ${name} into fwd and lin that agree with it`, () => {
      for (let seed = 1; seed <= 5; seed++) checkUnzip(f, seed);
    });
  }

  it('gives fwd and lin the documented signatures', () => {
    const f = fixtures().find((x) => x.name === 'dualSin')!.f;
    const { fwd, lin } = unzip(f);
    expect(fwd.paramTypes).toEqual([primalPart(DUAL)]);
    expect((fwd.retType as StructTy).keys).toEqual(['res', 'ret']);
    expect((fwd.retType as StructTy).members[RET]).toEqual(pairTy({ kind: 'unit' }, REAL));
    expect(lin.paramTypes.slice(0, 1)).toEqual([linearPart(DUAL)]);
    expect(lin.paramTypes[1]).toEqual(resTy(fwd));
    expect(lin.retType).toEqual(pairTy(TAN, { kind: 'unit' }));
  });

  it('keeps exactly the primal values lin needs as residuals', () => {
    const { fwd, lin } = unzip(fixtures().find((x) => x.name === 'dualSin')!.f);
    // only cos(x) is needed by dx * cos(x); sin(x) is not stored
    expect(resTy(fwd).members).toEqual([REAL]);
    const hasPrim = (f: TransparentFunc, p: string) =>
      allInstrs(f.body).some((i) => i.expr.kind === 'prim' && i.expr.prim === p);
    expect(hasPrim(lin, 'cos')).toBe(false);
    expect(hasPrim(fwd, 'mul')).toBe(false);
  });

  it('re-emits literals in lin instead of storing them', () => {
    const { fwd, lin } = unzip(fixtures().find((x) => x.name === 'literal')!.f);
    expect(isEmpty(resTy(fwd))).toBe(true);
    expect(allInstrs(lin.body).some((i) => i.expr.kind === 'lit' && i.expr.value === 3)).toBe(true);
  });

  it('recomputes index arithmetic and index comparisons in lin instead of storing them', () => {
    // Rosenbrock's loop form: x[(i + 1) mod n] and a select on i < n - 1
    const n = 5;
    const f = fn([Vec(n, Real)], Real, (x) =>
      sum(n, (i) => {
        const a = sub(x[imod(n, iadd(n, i, 1))]!, mul(x[i]!, x[i]!));
        return select(ilt(n, i, n - 1), Real, mul(a, a), 0);
      }),
    );
    const dual = jvp(funcOf(f, 'test'));
    checkUnzip(dual, 7);
    const { fwd, lin } = unzip(dual);
    const kinds = (t: Ty): string[] =>
      t.kind === 'vec' ? kinds(t.elem) : t.kind === 'struct' ? t.members.flatMap(kinds) : [t.kind];
    expect(kinds(resTy(fwd))).not.toContain('fin');
    expect(kinds(resTy(fwd))).not.toContain('bool');
    const prims = allInstrs(lin.body).flatMap((i) => (i.expr.kind === 'prim' ? [i.expr.prim] : []));
    expect(prims).toEqual(expect.arrayContaining(['iadd', 'imod', 'ilt']));
  });

  it('keeps a loop a loop, with per-iteration residuals in a vec', () => {
    const { fwd, lin } = unzip(fixtures().find((x) => x.name === 'loopPairs')!.f);
    expect(loops(fwd)).toBe(3); // the body, then the two projections
    expect(loops(lin)).toBe(1);
    const elem = expect.objectContaining({ kind: 'struct' });
    const perIteration = { kind: 'vec', size: 3, elem };
    expect(resTy(fwd).members).toEqual([perIteration]);
  });

  it('leaves a loop that touches no tangent whole in fwd', () => {
    const { fwd, lin } = unzip(fixtures().find((x) => x.name === 'nonlinearLoop')!.f);
    expect(loops(fwd)).toBe(1);
    expect(loops(lin)).toBe(1);
    expect(resTy(fwd).members).toEqual([{ kind: 'vec', size: 3, elem: REAL }]);
  });

  it('splits calls into calls of the callee fwd and lin', () => {
    const fx = fixtures();
    const callee = fx.find((x) => x.name === 'sinMul')!.f;
    const caller = fx.find((x) => x.name === 'callTwice')!.f;
    const u = unzip(caller);
    const uc = unzip(callee);
    const called = (f: TransparentFunc) =>
      allInstrs(f.body).flatMap((i) => (i.expr.kind === 'call' ? [i.expr.func] : []));
    expect(called(u.fwd)).toEqual([uc.fwd, uc.fwd]);
    expect(called(u.lin)).toEqual([uc.lin, uc.lin]);
    expect(unzip(callee)).toBe(uc);
  });

  it('keeps a call with no tangents whole in fwd', () => {
    const sq = new FuncBuilder('sq');
    const x0 = sq.param(REAL);
    const square = sq.finish(sq.prim('mul', [x0, x0]));
    const b = new FuncBuilder('usesSq');
    const x = b.param(REAL);
    const dx = b.param(TAN);
    const y = b.call(square, [x]);
    const f = b.finish(b.struct([b.prim('mul', [dx, y]), y], pairTy(TAN, REAL)));
    const { fwd, lin } = unzip(f);
    expect(reachable(fwd).has(square)).toBe(true);
    expect(reachable(lin).has(square)).toBe(false);
    checkUnzip(f, 7);
  });

  it('stays linear in size on a 20-level doubling call DAG', () => {
    let g: TransparentFunc = fixtures()[0]!.f; // sinMul(x, y, dx, dy)
    for (let k = 0; k < 20; k++) {
      const b = new FuncBuilder(`level${k}`);
      const [x, y, dx, dy] = [b.param(REAL), b.param(REAL), b.param(TAN), b.param(TAN)];
      const r1 = b.call(g, [x, y, dx, dy]);
      const r2 = b.call(g, [b.member(r1, 1), y, b.member(r1, 0), dy]);
      g = b.finish(r2);
    }
    const { fwd, lin } = unzip(g);
    expect(reachable(fwd).size).toBe(21);
    expect(reachable(lin).size).toBe(21);
  });
});
