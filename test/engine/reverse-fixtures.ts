/**
 * @file Hand-built functions in JVP form (real primals, `tan` tangents, `{du, re}` results,
 * Rose dual layout, accumulators of both), shared by the unzip and transpose tests.
 */
import { FuncBuilder } from '../../engine/ir/builder.ts';
import {
  BOOL,
  REAL,
  TAN,
  UNIT,
  finTy,
  refTy,
  structTy,
  vecTy,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../../engine/ir/types.ts';

/** `{du: d, re: r}`. */
export function pairTy(d: Ty, r: Ty): Ty {
  return structTy(['du', 're'], [d, r]);
}
export const DUAL = pairTy(TAN, REAL);

/** Emit `{du, re}`. */
function pair(b: FuncBuilder, du: Var, re: Var): Var {
  return b.struct([du, re], pairTy(b.typeOf(du), b.typeOf(re)));
}

/** A named fixture: the function and whether its params include accumulators. */
export interface Fixture {
  readonly name: string;
  readonly f: TransparentFunc;
}

/** z = x * sin(y): dz = dx * sin(y) + (dy * cos(y)) * x. */
function sinMul(): TransparentFunc {
  const b = new FuncBuilder('sinMul');
  const [x, y] = [b.param(REAL), b.param(REAL)];
  const [dx, dy] = [b.param(TAN), b.param(TAN)];
  const s = b.prim('sin', [y]);
  const z = b.prim('mul', [x, s]);
  const dyCos = b.prim('mul', [dy, b.prim('cos', [y])]);
  const dz = b.prim('add', [b.prim('mul', [dx, s]), b.prim('mul', [dyCos, x])]);
  return b.finish(pair(b, dz, z));
}

/** A loop returning a vec of mixed pairs: (exp x_i, dx_i * exp x_i). */
function loopPairs(): TransparentFunc {
  const b = new FuncBuilder('loopPairs');
  const xs = b.param(vecTy(3, REAL));
  const dxs = b.param(vecTy(3, TAN));
  return b.finish(
    b.forLoop(3, (i) => {
      const e = b.prim('exp', [b.index(xs, i)]);
      return pair(b, b.prim('mul', [b.index(dxs, i), e]), e);
    }),
  );
}

/** sum_i x_i^2 through a primal and a tangent accumulator. */
function sumSquares(): TransparentFunc {
  const b = new FuncBuilder('sumSquares');
  const xs = b.param(vecTy(4, REAL));
  const dxs = b.param(vecTy(4, TAN));
  const acc = b.accum(b.real(0));
  const dacc = b.accum(b.zero(TAN));
  b.forLoop(4, (i) => {
    const x = b.index(xs, i);
    b.add(acc, b.prim('mul', [x, x]));
    b.add(dacc, b.prim('mul', [b.index(dxs, i), b.prim('add', [x, x])]));
    return b.unit();
  });
  const dsum = b.resolve(dacc);
  return b.finish(pair(b, dsum, b.resolve(acc)));
}

/** relu by select: x > 0 ? x : 0, and the same on tangents. */
function relu(): TransparentFunc {
  const b = new FuncBuilder('relu');
  const x = b.param(REAL);
  const dx = b.param(TAN);
  const c = b.prim('gt', [x, b.real(0)]);
  const y = b.select(c, x, b.real(0));
  const dy = b.select(c, dx, b.zero(TAN));
  return b.finish(pair(b, dy, y));
}

/** Calls `sinMul` twice and combines: (u, v) = sinMul(x, x), w = u * v. */
function callTwice(callee: TransparentFunc): TransparentFunc {
  const b = new FuncBuilder('callTwice');
  const x = b.param(REAL);
  const dx = b.param(TAN);
  const r1 = b.call(callee, [x, x, dx, dx]);
  const [du1, u] = [b.member(r1, 0), b.member(r1, 1)];
  const r2 = b.call(callee, [u, x, du1, dx]);
  const [du2, v] = [b.member(r2, 0), b.member(r2, 1)];
  const w = b.prim('mul', [u, v]);
  const dw = b.prim('add', [b.prim('mul', [du1, v]), b.prim('mul', [du2, u])]);
  return b.finish(pair(b, dw, w));
}

/** Nested loops; the inner body uses a primal computed in the outer body and a literal. */
function nested(): TransparentFunc {
  const b = new FuncBuilder('nested');
  const xs = b.param(vecTy(2, REAL));
  const dxs = b.param(vecTy(2, TAN));
  const out = b.forLoop(2, (i) => {
    const s = b.prim('sin', [b.index(xs, i)]);
    return b.forLoop(3, (j) => {
      const k = b.prim('imod', [j], finTy(2));
      const y = b.prim('mul', [s, b.index(xs, k)]);
      const two = b.real(2);
      return b.prim('mul', [b.prim('mul', [b.index(dxs, k), y]), two]);
    });
  });
  return b.finish(out);
}

/** A custom JVP in Rose's dual layout: sin on {du, re}. */
function dualSin(): TransparentFunc {
  const b = new FuncBuilder('dualSin');
  const p = b.param(DUAL);
  const [dx, x] = [b.member(p, 0), b.member(p, 1)];
  return b.finish(pair(b, b.prim('mul', [dx, b.prim('cos', [x])]), b.prim('sin', [x])));
}

/** An accumulator of mixed structs `{du: tan, re: real}`. */
function mixedAccum(): TransparentFunc {
  const b = new FuncBuilder('mixedAccum');
  const xs = b.param(vecTy(3, REAL));
  const dxs = b.param(vecTy(3, TAN));
  const acc = b.accum(pair(b, b.zero(TAN), b.real(0)));
  b.forLoop(3, (i) => {
    const x = b.index(xs, i);
    const c = b.prim('cos', [x]);
    b.add(acc, pair(b, b.prim('mul', [b.index(dxs, i), c]), b.prim('sin', [x])));
    return b.unit();
  });
  return b.finish(b.resolve(acc));
}

/** A nonlinear loop (squares) feeding a linear one. */
function nonlinearLoop(): TransparentFunc {
  const b = new FuncBuilder('nonlinearLoop');
  const xs = b.param(vecTy(3, REAL));
  const dxs = b.param(vecTy(3, TAN));
  const sq = b.forLoop(3, (i) => b.prim('mul', [b.index(xs, i), b.index(xs, i)]));
  const dsq = b.forLoop(3, (i) => b.prim('mul', [b.index(dxs, i), b.index(sq, i)]));
  return b.finish(pair(b, dsq, sq));
}

/** Multiplication by a literal: the literal is re-emitted in `lin`, not stored. */
function literal(): TransparentFunc {
  const b = new FuncBuilder('literal');
  const x = b.param(REAL);
  const dx = b.param(TAN);
  const three = b.real(3);
  return b.finish(pair(b, b.prim('neg', [b.prim('mul', [dx, three])]), b.prim('mul', [x, three])));
}

/** A dynamic index, a struct with a bool leaf, and a vec literal of tangents. */
function structured(): TransparentFunc {
  const b = new FuncBuilder('structured');
  const s = b.param(structTy(['flag', 'i', 'xs'], [BOOL, finTy(3), vecTy(3, REAL)]));
  const ds = b.param(structTy(['flag', 'i', 'xs'], [UNIT, UNIT, vecTy(3, TAN)]));
  const [flag, i, xs] = [b.member(s, 0), b.member(s, 1), b.member(s, 2)];
  const dxs = b.member(ds, 2);
  const x = b.index(xs, i);
  const dx = b.index(dxs, i);
  const y = b.select(flag, b.prim('mul', [x, x]), x);
  const dy = b.select(flag, b.prim('mul', [dx, b.prim('add', [x, x])]), dx);
  const dv = b.vec([dy, b.prim('sub', [dy, b.index(dxs, b.lit(0, finTy(3)))])], vecTy(2, TAN));
  const v = b.vec([y, b.prim('sub', [y, b.index(xs, b.lit(0, finTy(3)))])], vecTy(2, REAL));
  const re = b.struct([flag, v], structTy(['flag', 'v'], [BOOL, vecTy(2, REAL)]));
  const du = b.struct([b.unit(), dv], structTy(['flag', 'v'], [UNIT, vecTy(2, TAN)]));
  return b.finish(pair(b, du, re));
}

/** Accumulator params (like the JVP of a backward pass): adds x^2 and its tangent. */
function refParams(): TransparentFunc {
  const b = new FuncBuilder('refParams');
  const r = b.param(refTy(vecTy(2, REAL)));
  const x = b.param(REAL);
  const dr = b.param(refTy(vecTy(2, TAN)));
  const dx = b.param(TAN);
  const one = b.lit(1, finTy(2));
  b.add(b.slice(r, one), b.prim('mul', [x, x]));
  b.add(b.slice(dr, one), b.prim('mul', [dx, b.prim('add', [x, x])]));
  const y = b.prim('exp', [x]);
  return b.finish(pair(b, b.prim('mul', [dx, y]), y));
}

/** Return the fixtures (fresh functions each call). */
export function fixtures(): Fixture[] {
  const sm = sinMul();
  return [
    { name: 'sinMul', f: sm },
    { name: 'loopPairs', f: loopPairs() },
    { name: 'sumSquares', f: sumSquares() },
    { name: 'relu', f: relu() },
    { name: 'callTwice', f: callTwice(sm) },
    { name: 'nested', f: nested() },
    { name: 'dualSin', f: dualSin() },
    { name: 'mixedAccum', f: mixedAccum() },
    { name: 'nonlinearLoop', f: nonlinearLoop() },
    { name: 'literal', f: literal() },
    { name: 'structured', f: structured() },
    { name: 'refParams', f: refParams() },
  ];
}
