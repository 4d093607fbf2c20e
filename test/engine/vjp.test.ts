/** @file Tests of reverse mode assembled (`vjpFuncs`, `emitForward`, `emitBackward`): gradients. */
import { describe, expect, it } from 'vitest';
import { interpret, type Val } from '../../engine/interp/interp.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import {
  BOOL,
  REAL,
  erase,
  finTy,
  structTy,
  vecTy,
  type Block,
  type Func,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../../engine/ir/types.ts';
import { emitBackward, emitForward, vjpFuncs } from '../../engine/transforms/vjp.ts';
import { checkFunc, dot, isErased, randomVal, reachable, rng } from './reverse-util.ts';

/** Build `f`'s value-and-gradient: params of f, then `ct`; returns `{ret, g0, g1, ...}`. */
function gradFn(f: Func, wrt?: readonly boolean[]): TransparentFunc {
  const b = new FuncBuilder(`grad_${f.name}`);
  const args = f.paramTypes.map((t) => b.param(t));
  const ct = b.param(erase(f.retType));
  const fv = emitForward(b, f, args, wrt);
  const grads = emitBackward(b, f, args, fv, ct, wrt);
  const outs = [fv.ret, ...grads];
  const keys = outs.map((_, k) => `o${k}`);
  return b.finish(b.struct(outs, structTy(keys, outs.map((o) => b.typeOf(o)))));
}

/** Return `x + h * v` on the float leaves of type `t` (other leaves of `x` kept). */
function step(t: Ty, x: Val, v: Val, h: number): Val {
  switch (t.kind) {
    case 'real':
      return (x as number) + h * (v as number);
    case 'vec':
      return (x as Val[]).map((e, i) => step(t.elem, e, (v as Val[])[i]!, h));
    case 'struct':
      return t.members.map((m, i) => step(m, (x as Val[])[i]!, (v as Val[])[i]!, h));
    default:
      return x;
  }
}

/** Check emitBackward's gradients of `f` against central differences at a random point. */
function checkGradient(f: Func, seed: number, wrt?: readonly boolean[], gen = randomVal): Val[] {
  const g = gradFn(f, wrt);
  checkFunc(g);
  const r = rng(seed);
  const xs = f.paramTypes.map((t) => gen(t, r));
  const ct = randomVal(erase(f.retType), r);
  const [ret, ...grads] = interpret(g, [...xs, ct]) as Val[];
  expect(ret).toEqual(interpret(f, xs));
  const active = f.paramTypes.flatMap((_, i) => (wrt === undefined || wrt[i] ? [i] : []));
  const vs = f.paramTypes.map((t) => randomVal(t, r));
  const h = 1e-5;
  const moved = (s: number) =>
    xs.map((x, i) => (active.includes(i) ? step(f.paramTypes[i]!, x, vs[i]!, s * h) : x));
  const at = (s: number) => dot(f.retType, ct, interpret(f, moved(s)));
  const fd = (at(1) - at(-1)) / (2 * h);
  const ad = active.reduce((s, i, j) => s + dot(f.paramTypes[i]!, grads[j]!, vs[i]!), 0);
  expect(Math.abs(fd - ad)).toBeLessThan(1e-6 * (1 + Math.abs(ad)));
  return grads;
}

/** Return every instruction of a block, nested bodies included. */
function allInstrs(block: Block): Block {
  return block.flatMap((i) => (i.expr.kind === 'for' ? [i, ...allInstrs(i.expr.body)] : [i]));
}

/** f(x, y) = x * sin(y) + exp(x * y) / y. */
function scalar(): TransparentFunc {
  const b = new FuncBuilder('scalar');
  const [x, y] = [b.param(REAL), b.param(REAL)];
  const xy = b.prim('mul', [x, y]);
  const left = b.prim('mul', [x, b.prim('sin', [y])]);
  return b.finish(b.prim('add', [left, b.prim('div', [b.prim('exp', [xy]), y])]));
}

/** f(xs) = sum_i xs_i^2 * sin(xs_i), Rose's `sum` (an accumulator added to in a loop). */
function sumLoop(n: number): TransparentFunc {
  const b = new FuncBuilder('sumLoop');
  const xs = b.param(vecTy(n, REAL));
  const acc = b.accum(b.real(0));
  b.forLoop(n, (i) => {
    const x = b.index(xs, i);
    return b.add(acc, b.prim('mul', [b.prim('mul', [x, x]), b.prim('sin', [x])]));
  });
  return b.finish(b.resolve(acc));
}

/** h(x) = x * cos(x); f(x) = h(h(x)) + h(x). */
function calls(): TransparentFunc {
  const hb = new FuncBuilder('h');
  const x0 = hb.param(REAL);
  const h = hb.finish(hb.prim('mul', [x0, hb.prim('cos', [x0])]));
  const b = new FuncBuilder('calls');
  const x = b.param(REAL);
  const hx = b.call(h, [x]);
  return b.finish(b.prim('add', [b.call(h, [hx]), hx]));
}

/** relu(x) * y by select. */
function selectFn(): TransparentFunc {
  const b = new FuncBuilder('select');
  const [x, y] = [b.param(REAL), b.param(REAL)];
  const relu = b.select(b.prim('gt', [x, b.real(0)]), x, b.real(0));
  return b.finish(b.prim('mul', [relu, y]));
}

const MIXED = structTy(['flag', 'i', 'ps', 'xs'], [
  BOOL,
  finTy(3),
  vecTy(2, structTy(['on', 'w'], [BOOL, REAL])),
  vecTy(3, REAL),
]);

/** A struct param with bool and index leaves: flag ? xs[i]^2 : xs[i], plus weights where on. */
function mixed(): TransparentFunc {
  const b = new FuncBuilder('mixed');
  const s = b.param(MIXED);
  const [flag, i, ps, xs] = [0, 1, 2, 3].map((k) => b.member(s, k)) as [Var, Var, Var, Var];
  const x = b.index(xs, i);
  const y = b.select(flag, b.prim('mul', [x, x]), x);
  const acc = b.accum(b.real(0));
  b.forLoop(2, (j) => {
    const p = b.index(ps, j);
    const w = b.member(p, 1);
    return b.add(acc, b.select(b.member(p, 0), b.prim('mul', [w, b.prim('exp', [w])]), b.real(0)));
  });
  return b.finish(b.struct([y, b.resolve(acc)], structTy(['a', 'b'], [REAL, REAL])));
}

/** A result with bool leaves in a vec of structs: [{b: x > 0, y: x^2}, {b: x < y, y: x * y}]. */
function boolResult(): TransparentFunc {
  const b = new FuncBuilder('boolResult');
  const [x, y] = [b.param(REAL), b.param(REAL)];
  const elem = structTy(['b', 'y'], [BOOL, REAL]);
  const e0 = b.struct([b.prim('gt', [x, b.real(0)]), b.prim('mul', [x, x])], elem);
  const e1 = b.struct([b.prim('lt', [x, y]), b.prim('mul', [x, y])], elem);
  return b.finish(b.vec([e0, e1], vecTy(2, elem)));
}

/** An index param next to a vec: xs[i]^2. */
function indexParam(): TransparentFunc {
  const b = new FuncBuilder('indexParam');
  const i = b.param(finTy(3));
  const xs = b.param(vecTy(3, REAL));
  const x = b.index(xs, i);
  return b.finish(b.prim('mul', [x, x]));
}

/** f(x, y) = x^3 * y. */
function cubeTimes(): TransparentFunc {
  const b = new FuncBuilder('cubeTimes');
  const [x, y] = [b.param(REAL), b.param(REAL)];
  return b.finish(b.prim('mul', [b.prim('mul', [b.prim('mul', [x, x]), x]), y]));
}

/** g(x, y) = gradient of `f` (two real params, real result) by emitForward/emitBackward. */
function gradOf(f: Func): TransparentFunc {
  const b = new FuncBuilder(`gradOf_${f.name}`);
  const args = [b.param(REAL), b.param(REAL)];
  const fv = emitForward(b, f, args);
  const [gx, gy] = emitBackward(b, f, args, fv, b.real(1)) as [Var, Var];
  return b.finish(b.vec([gx, gy], vecTy(2, REAL)));
}

describe('vjp', () => {
  it('gives fwd and bwd that are erased and memoized', () => {
    const f = scalar();
    const v = vjpFuncs(f);
    expect(vjpFuncs(f)).toBe(v);
    expect(isErased(v.bwd)).toBe(true);
    checkFunc(v.fwd);
    checkFunc(v.bwd);
  });

  it('differentiates a scalar function', () => {
    for (let seed = 1; seed <= 5; seed++) checkGradient(scalar(), seed);
    const [, dx, dy] = interpret(gradFn(scalar()), [0.5, 1.5, 1]) as number[];
    expect(dx).toBeCloseTo(Math.sin(1.5) + Math.exp(0.75), 12);
    expect(dy).toBeCloseTo(0.5 * Math.cos(1.5) + (Math.exp(0.75) * (0.5 * 1.5 - 1)) / 2.25, 12);
  });

  it('differentiates a sum over a vec, keeping the loop a loop', () => {
    for (let seed = 1; seed <= 5; seed++) checkGradient(sumLoop(5), seed);
    const { fwd, bwd } = vjpFuncs(sumLoop(1000));
    for (const f of [fwd, bwd]) {
      expect(allInstrs(f.body).length).toBeLessThan(60);
      expect(allInstrs(f.body).some((i) => i.expr.kind === 'for')).toBe(true);
    }
  });

  it('differentiates through calls', () => {
    for (let seed = 1; seed <= 5; seed++) checkGradient(calls(), seed);
  });

  it('differentiates a select', () => {
    for (let seed = 1; seed <= 5; seed++) checkGradient(selectFn(), seed);
  });

  it('differentiates only the params selected by wrt', () => {
    const f = scalar();
    const g = gradFn(f, [false, true]);
    const [, dy] = interpret(g, [0.5, 1.5, 1]) as number[];
    const [, , dyAll] = interpret(gradFn(f), [0.5, 1.5, 1]) as number[];
    expect(dy).toBe(dyAll);
    expect((g.retType as { members: readonly Ty[] }).members.length).toBe(2);
    for (let seed = 1; seed <= 3; seed++) checkGradient(f, seed, [false, true]);
  });

  it('copies bool and index leaves of the argument into the gradient', () => {
    const f = mixed();
    for (let seed = 1; seed <= 6; seed++) {
      const r = rng(seed + 50);
      const x = randomVal(MIXED, r) as Val[];
      const gen = (t: Ty) => (t === MIXED ? x : randomVal(t, r));
      const [grad] = checkGradient(f, seed, undefined, gen) as [Val[]];
      expect(grad[0]).toBe(x[0]);
      expect(grad[1]).toBe(x[1]);
      const ps = grad[2] as Val[][];
      ps.forEach((p, j) => expect(p[0]).toBe((x[2] as Val[][])[j]![0]));
    }
  });

  it('ignores the non-float leaves of the cotangent', () => {
    for (let seed = 1; seed <= 4; seed++) checkGradient(boolResult(), seed);
    const g = gradFn(boolResult());
    const [, gx, gy] = interpret(g, [2, 3, [[true, 1], [false, 0]]]) as number[];
    expect([gx, gy]).toEqual([4, 0]);
  });

  it('returns the argument as the gradient of a param without float leaves', () => {
    const g = gradFn(indexParam());
    const [, gi, gxs] = interpret(g, [2, [1, 2, 3], 1]) as Val[];
    expect(gi).toBe(2);
    expect(gxs).toEqual([0, 0, 6]);
    for (let seed = 1; seed <= 3; seed++) checkGradient(indexParam(), seed);
  });

  it('emits no conversion loops for params with only float leaves', () => {
    const g = gradFn(sumLoop(4));
    expect(allInstrs(g.body).some((i) => i.expr.kind === 'for')).toBe(false);
  });

  it('differentiates twice: the Hessian of x^3 * y by reverse over reverse', () => {
    const g = gradOf(cubeTimes());
    checkFunc(g);
    const [x, y] = [1.3, -0.7];
    const grad = [3 * x * x * y, x * x * x];
    expect(interpret(g, [x, y])).toEqual(grad.map((v) => expect.closeTo(v, 12)));
    const hess = gradFn(g);
    checkFunc(hess);
    const row0 = interpret(hess, [x, y, [1, 0]]) as Val[];
    const row1 = interpret(hess, [x, y, [0, 1]]) as Val[];
    expect(row0.slice(1)).toEqual([expect.closeTo(6 * x * y, 12), expect.closeTo(3 * x * x, 12)]);
    expect(row1.slice(1)).toEqual([expect.closeTo(3 * x * x, 12), expect.closeTo(0, 12)]);
    for (let seed = 1; seed <= 3; seed++) checkGradient(g, seed);
  });

  it('differentiates twice through loops, accumulators and selects', () => {
    const f = sumLoop(3);
    const b = new FuncBuilder('gradSum');
    const xs = b.param(vecTy(3, REAL));
    const fv = emitForward(b, f, [xs]);
    const [gr] = emitBackward(b, f, [xs], fv, b.real(1));
    const g = b.finish(gr!);
    for (let seed = 1; seed <= 3; seed++) checkGradient(g, seed);
    for (let seed = 1; seed <= 3; seed++) checkGradient(gradOf(selectFn()), seed);
  });

  it('stays linear in size on a 20-level doubling call DAG', () => {
    const fb = new FuncBuilder('f0');
    const x0 = fb.param(REAL);
    let f: TransparentFunc = fb.finish(fb.prim('mul', [fb.prim('sin', [x0]), x0]));
    const levels: TransparentFunc[] = [f];
    for (let k = 1; k <= 20; k++) {
      const b = new FuncBuilder(`f${k}`);
      const x = b.param(REAL);
      f = b.finish(b.call(f, [b.call(f, [x])]));
      levels.push(f);
    }
    const { fwd, bwd } = vjpFuncs(f);
    expect(reachable(fwd).size).toBe(21);
    expect(reachable(bwd).size).toBe(21);
    for (let seed = 1; seed <= 2; seed++) checkGradient(levels[6]!, seed);
  });
});
