/** @file Tests of forward mode (`jvp`), its rules and the dual layout helpers. */
import { describe, expect, it } from 'vitest';
import { RoseError } from '../../engine/errors.ts';
import { interpret, type Val } from '../../engine/interp/interp.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import type { Prim } from '../../engine/ir/prims.ts';
import {
  BOOL,
  REAL,
  TAN,
  UNIT,
  finTy,
  freshFuncId,
  structTy,
  tangentTy,
  tyEqual,
  varTypeList,
  vecTy,
  type Block,
  type Func,
  type OpaqueFunc,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../../engine/ir/types.ts';
import { DUAL, dualTy, packDual, unpackDual } from '../../engine/transforms/dual.ts';
import { jvp } from '../../engine/transforms/jvp.ts';

// ----- helpers ------------------------------------------------------------------------------

/** Build a function of real params whose body is emitted by `body`. */
function realFn(
  name: string,
  arity: number,
  body: (b: FuncBuilder, xs: Var[]) => Var,
): TransparentFunc {
  const b = new FuncBuilder(name);
  const xs = Array.from({ length: arity }, () => b.param(REAL));
  return b.finish(body(b, xs));
}

/** Run `jvp(f, active)` on primals and tangents; return `[du, re]`. */
function runJvp(f: Func, primals: Val[], tangents: Val[], active?: boolean[]): [Val, Val] {
  return interpret(jvp(f, active), [...primals, ...tangents]) as [Val, Val];
}

/** Return the central finite difference of scalar `f` at `xs` in direction `dxs`. */
function centralDiff(f: Func, xs: number[], dxs: number[], h = 1e-6): number {
  const at = (s: number) => interpret(f, xs.map((x, i) => x + s * h * dxs[i]!)) as number;
  return (at(1) - at(-1)) / (2 * h);
}

/** Return every instruction of a block, nested loop bodies included. */
function allInstrs(block: Block): Block {
  return block.flatMap((i) => (i.expr.kind === 'for' ? [i, ...allInstrs(i.expr.body)] : [i]));
}

/** Count instructions of `f` whose expression kind is `kind` (and prim is `prim`, if given). */
function countExprs(f: TransparentFunc, kind: string, prim?: Prim): number {
  return allInstrs(f.body).filter(
    (i) =>
      i.expr.kind === kind &&
      (prim === undefined || (i.expr.kind === 'prim' && i.expr.prim === prim)),
  ).length;
}

/** Return the functions called (directly) by `f`. */
function callees(f: TransparentFunc): Func[] {
  return allInstrs(f.body).flatMap((i) => (i.expr.kind === 'call' ? [i.expr.func] : []));
}

/** Build an opaque function of reals. */
function opaque(name: string, arity: number, impl: (...xs: number[]) => number): OpaqueFunc {
  return {
    kind: 'opaque',
    id: freshFuncId(),
    name,
    paramTypes: Array.from({ length: arity }, () => REAL),
    retType: REAL,
    impl,
  };
}

/** Build a custom JVP `(Dual) -> Dual` from `du(b, x, dx)` (tangent) and `re(b, x)` (primal). */
function customUnary(
  name: string,
  re: (b: FuncBuilder, x: Var) => Var,
  du: (b: FuncBuilder, x: Var, dx: Var) => Var,
): TransparentFunc {
  const b = new FuncBuilder(name);
  const d = b.param(DUAL);
  const dx = b.member(d, 0);
  const x = b.member(d, 1);
  const y = re(b, x);
  return b.finish(b.struct([du(b, x, dx), y], DUAL));
}

// ----- primitives ---------------------------------------------------------------------------

/** Unary primitives: a point inside the domain and the analytic derivative there. */
const UNARY: [Prim, number, (x: number) => number][] = [
  ['neg', 1.3, () => -1],
  ['abs', -1.3, () => -1],
  ['sqrt', 2.5, (x) => 0.5 / Math.sqrt(x)],
  ['exp', 0.7, (x) => Math.exp(x)],
  ['log', 2.5, (x) => 1 / x],
  ['sin', 0.9, (x) => Math.cos(x)],
  ['cos', 0.9, (x) => -Math.sin(x)],
  ['tan', 0.6, (x) => 1 / Math.cos(x) ** 2],
  ['asin', 0.4, (x) => 1 / Math.sqrt(1 - x * x)],
  ['acos', 0.4, (x) => -1 / Math.sqrt(1 - x * x)],
  ['atan', 1.7, (x) => 1 / (1 + x * x)],
  ['sinh', 0.8, (x) => Math.cosh(x)],
  ['cosh', 0.8, (x) => Math.sinh(x)],
  ['tanh', 0.8, (x) => 1 - Math.tanh(x) ** 2],
  ['log1p', 0.3, (x) => 1 / (1 + x)],
  ['expm1', 0.3, (x) => Math.exp(x)],
  ['cbrt', 2.2, (x) => 1 / (3 * Math.cbrt(x) ** 2)],
];

/** Binary primitives: a point, and the analytic partial derivatives there. */
const BINARY: [Prim, number, number, (x: number, y: number) => [number, number]][] = [
  ['add', 1.5, -0.4, () => [1, 1]],
  ['sub', 1.5, -0.4, () => [1, -1]],
  ['mul', 1.5, -0.4, (x, y) => [y, x]],
  ['div', 1.5, -0.4, (x, y) => [1 / y, -x / (y * y)]],
  ['atan2', 1.5, -0.4, (y, x) => [x / (x * x + y * y), -y / (x * x + y * y)]],
  ['pow', 1.5, 2.3, (x, y) => [y * x ** (y - 1), x ** y * Math.log(x)]],
  ['hypot', 1.5, -0.4, (x, y) => [x / Math.hypot(x, y), y / Math.hypot(x, y)]],
  ['min', 1.5, -0.4, () => [0, 1]],
  ['max', 1.5, -0.4, () => [1, 0]],
];

describe('jvp of primitives', () => {
  it.each(UNARY)('%s: analytic and finite differences agree', (prim, x, deriv) => {
    const f = realFn(prim, 1, (b, [a]) => b.prim(prim, [a!]));
    const [du, re] = runJvp(f, [x], [0.7]);
    expect(re).toBe(interpret(f, [x]));
    expect(du).toBeCloseTo(0.7 * deriv(x), 10);
    expect(du).toBeCloseTo(centralDiff(f, [x], [0.7]), 6);
  });

  it.each(BINARY)('%s: analytic and finite differences agree', (prim, x, y, partials) => {
    const f = realFn(prim, 2, (b, [a, c]) => b.prim(prim, [a!, c!]));
    const [px, py] = partials(x, y);
    const [du, re] = runJvp(f, [x, y], [0.7, -1.1]);
    expect(re).toBe(interpret(f, [x, y]));
    expect(du).toBeCloseTo(0.7 * px - 1.1 * py, 10);
    expect(du).toBeCloseTo(centralDiff(f, [x, y], [0.7, -1.1]), 6);
    // each operand alone (the other inactive)
    expect(runJvp(f, [x, y], [1], [true, false])[0]).toBeCloseTo(px, 10);
    expect(runJvp(f, [x, y], [1], [false, true])[0]).toBeCloseTo(py, 10);
  });

  const steps: Prim[] = ['sign', 'ceil', 'floor', 'trunc'];
  it.each(steps)('%s has a statically zero tangent', (prim) => {
    const f = realFn(prim, 1, (b, [a]) => b.prim(prim, [a!]));
    const g = jvp(f);
    expect(interpret(g, [2.5, 1])).toEqual([0, interpret(f, [2.5])]);
    expect(countExprs(g, 'zero')).toBe(1); // only the result's materialized zero
    // the tangent param and the result's zero are the only tangents
    expect(varTypeList(g).filter((t) => t.kind === 'tan')).toHaveLength(2);
  });

  it('pow: the exponent part is 0, not NaN, for a base <= 0', () => {
    const f = realFn('pow', 2, (b, [a, c]) => b.prim('pow', [a!, c!]));
    expect(runJvp(f, [-2, 3], [0, 1])).toEqual([0, -8]);
    expect(runJvp(f, [0, 3], [0, 1])).toEqual([0, 0]);
    expect(runJvp(f, [-2, 3], [1, 0])[0]).toBeCloseTo(12, 12); // 3 (-2)^2
  });

  it('hypot: the tangent at the origin is 0', () => {
    const f = realFn('hypot', 2, (b, [a, c]) => b.prim('hypot', [a!, c!]));
    expect(runJvp(f, [0, 0], [1, 1])).toEqual([0, 0]);
  });

  it('min/max: ties take the first operand', () => {
    const min = realFn('min', 2, (b, [a, c]) => b.prim('min', [a!, c!]));
    const max = realFn('max', 2, (b, [a, c]) => b.prim('max', [a!, c!]));
    expect(runJvp(min, [1, 1], [2, 3])[0]).toBe(2);
    expect(runJvp(max, [1, 1], [2, 3])[0]).toBe(2);
    expect(runJvp(min, [2, 1], [2, 3])[0]).toBe(3);
    expect(runJvp(max, [1, 2], [2, 3])[0]).toBe(3);
  });

  it('comparisons and logic have unit tangents; booleans steer selects', () => {
    const b = new FuncBuilder('cmp');
    const x = b.param(REAL);
    const y = b.param(REAL);
    const c = b.prim('and', [b.prim('lt', [x, y]), b.prim('not', [b.prim('eq', [x, y])])]);
    const f = b.finish(c);
    expect(runJvp(f, [1, 2], [1, 1])).toEqual([null, true]);
    expect(tyEqual(jvp(f).retType, structTy(['du', 're'], [UNIT, BOOL]))).toBe(true);
  });

  it('argmax/argmin pick the tangent of the chosen element', () => {
    const v3 = vecTy(3, REAL);
    const b = new FuncBuilder('pick');
    const v = b.param(v3);
    const hi = b.index(v, b.prim('argmax', [v]));
    const lo = b.index(v, b.prim('argmin', [v]));
    const f = b.finish(b.prim('sub', [hi, lo]));
    expect(runJvp(f, [[1, 5, -2]], [[10, 20, 30]])).toEqual([-10, 7]);
  });

  it('index arithmetic passes through', () => {
    const v3 = vecTy(3, REAL);
    const b = new FuncBuilder('idx');
    const v = b.param(v3);
    const i = b.param(finTy(3));
    const j = b.prim('iadd', [i, b.lit(1, finTy(3))]);
    const k = b.prim('imod', [b.lit(5, finTy(3))], finTy(3));
    const f = b.finish(b.prim('mul', [b.index(v, j), b.index(v, k)]));
    // v[1] * v[2] with i = 0 (the index param gets a unit tangent)
    expect(runJvp(f, [[1, 2, 3], 0], [[1, 1, 1], null])).toEqual([5, 6]);
  });

  it('a compound expression matches finite differences', () => {
    const f = realFn('mix', 3, (b, [x, y, z]) => {
      const s = b.prim('sin', [b.prim('mul', [x!, y!])]);
      const e = b.prim('exp', [b.prim('div', [z!, b.prim('hypot', [x!, y!])])]);
      const p = b.prim('pow', [b.prim('add', [b.prim('abs', [z!]), b.real(1)]), x!]);
      return b.prim('sub', [b.prim('mul', [s, e]), b.prim('atan2', [p, b.prim('tanh', [y!])])]);
    });
    const xs = [0.8, -1.3, 0.45];
    const dxs = [0.3, -0.6, 1.1];
    expect(runJvp(f, xs, dxs)[0]).toBeCloseTo(centralDiff(f, xs, dxs), 6);
  });
});

// ----- symbolic zeros -----------------------------------------------------------------------

describe('symbolic zeros', () => {
  it('emits no tangent arithmetic on constants or inactive params', () => {
    // f(x, y) = x * y + sin(2) * y
    const f = realFn('f', 2, (b, [x, y]) =>
      b.prim('add', [b.prim('mul', [x!, y!]), b.prim('mul', [b.prim('sin', [b.real(2)]), y!])]),
    );
    const g = jvp(f, [true, false]);
    expect(g.paramTypes).toEqual([REAL, REAL, TAN]);
    // only dx * y: the y and sin(2) parts contribute nothing
    const tanPrims = allInstrs(g.body).filter(
      (i) => i.expr.kind === 'prim' && varTypeList(g)[i.var]!.kind === 'tan',
    );
    expect(tanPrims).toHaveLength(1);
    expect(countExprs(g, 'zero')).toBe(0);
    expect(runJvp(f, [3, 4], [1], [true, false])).toEqual([4, 12 + Math.sin(2) * 4]);
  });

  it('materializes a zero only where a tangent is stored', () => {
    // f(x) = [x, 1, 2]: one zero tangent, shared by the two constant elements
    const b = new FuncBuilder('lit');
    const x = b.param(REAL);
    const f = b.finish(b.vec([x, b.real(1), b.real(2)], vecTy(3, REAL)));
    const g = jvp(f);
    expect(countExprs(g, 'zero')).toBe(1);
    expect(interpret(g, [5, 2])).toEqual([[2, 0, 0], [5, 1, 2]]);
  });

  it('a function with no float leaves gets a unit tangent and a zero result tangent', () => {
    const b = new FuncBuilder('bools');
    const p = b.param(BOOL);
    const f = b.finish(b.prim('not', [p]));
    const g = jvp(f);
    expect(g.paramTypes).toEqual([BOOL, UNIT]);
    expect(interpret(g, [true, null])).toEqual([null, false]);
  });

  it('reads tan inputs as real (erasure)', () => {
    // lin(dx: tan, y: real) = dx * y, as a linear function would be written
    const b = new FuncBuilder('lin');
    const dx = b.param(TAN);
    const y = b.param(REAL);
    const f = b.finish(b.prim('mul', [dx, y]));
    const g = jvp(f);
    expect(g.paramTypes).toEqual([REAL, REAL, TAN, TAN]);
    expect(tyEqual(g.retType, structTy(['du', 're'], [TAN, REAL]))).toBe(true);
    expect(runJvp(f, [3, 4], [1, 10])).toEqual([4 + 30, 12]);
  });
});

// ----- structure ----------------------------------------------------------------------------

describe('jvp of structure', () => {
  const pairT = structTy(['a', 'b'], [vecTy(2, REAL), BOOL]);

  it('vec and struct literals and their projections', () => {
    // f(x, y) = {a: [x, y*y], b: x < y}; g(x, y) = f(x, y).a[1] * x
    const b = new FuncBuilder('f');
    const x = b.param(REAL);
    const y = b.param(REAL);
    const v = b.vec([x, b.prim('mul', [y, y])], vecTy(2, REAL));
    const s = b.struct([v, b.prim('lt', [x, y])], pairT);
    const f = b.finish(s);
    expect(tyEqual(jvp(f).retType, structTy(['du', 're'], [tangentTy(pairT), pairT]))).toBe(true);
    expect(runJvp(f, [2, 3], [1, 10])).toEqual([[[1, 60], null], [[2, 9], true]]);

    const b2 = new FuncBuilder('g');
    const x2 = b2.param(REAL);
    const y2 = b2.param(REAL);
    const r = b2.call(f, [x2, y2]);
    const a1 = b2.index(b2.member(r, 0), b2.lit(1, finTy(2)));
    const g = b2.finish(b2.prim('mul', [a1, x2]));
    expect(runJvp(g, [2, 3], [1, 10])).toEqual([9 + 2 * 60, 18]);
    expect(runJvp(g, [2, 3], [1, 10])[0]).toBeCloseTo(centralDiff(g, [2, 3], [1, 10]), 5);
  });

  it('select: both sides, one side, and a boolean condition param', () => {
    // f(c, x, y) = c ? x*x : 7, g = c ? x*x : y
    const b = new FuncBuilder('sel');
    const c = b.param(BOOL);
    const x = b.param(REAL);
    b.param(REAL); // y: f ignores it
    const f = b.finish(b.select(c, b.prim('mul', [x, x]), b.real(7)));
    expect(runJvp(f, [true, 3, 0], [null, 1, 1])).toEqual([6, 9]);
    expect(runJvp(f, [false, 3, 0], [null, 1, 1])).toEqual([0, 7]);
    expect(countExprs(jvp(f), 'zero')).toBe(1);
    const b2 = new FuncBuilder('sel2');
    const c2 = b2.param(BOOL);
    const x2 = b2.param(REAL);
    const y2 = b2.param(REAL);
    const g = b2.finish(b2.select(c2, b2.prim('mul', [x2, x2]), y2));
    expect(runJvp(g, [false, 3, 5], [null, 1, 10])).toEqual([10, 5]);
    expect(countExprs(jvp(g), 'zero')).toBe(0);
  });

  it('for loops with a nonzero tangent run the body once and split pairs', () => {
    // f(v, s) = for i: v[i] * v[i] * s
    const b = new FuncBuilder('sq');
    const v = b.param(vecTy(3, REAL));
    const s = b.param(REAL);
    const f = b.finish(
      b.forLoop(3, (i) => b.prim('mul', [b.prim('mul', [b.index(v, i), b.index(v, i)]), s])),
    );
    const g = jvp(f);
    expect(countExprs(g, 'for')).toBe(3);
    expect(countExprs(g, 'prim', 'mul')).toBe(2 + 4); // primal 2, tangent: 4 (product rule twice)
    const [du, re] = runJvp(f, [[1, 2, 3], 2], [[1, 0, -1], 0.5]);
    expect(re).toEqual([2, 8, 18]);
    expect(du).toEqual([2 * 2 * 1 + 0.5 * 1, 0.5 * 4, 2 * 2 * 3 * -1 + 0.5 * 9]);
  });

  it('for loops with a zero tangent stay one primal loop', () => {
    const b = new FuncBuilder('consts');
    const x = b.param(REAL);
    const v = b.forLoop(4, (i) =>
      b.select(b.prim('ieq', [i, b.lit(0, finTy(4))]), b.real(1), b.real(2)),
    );
    const f = b.finish(b.struct([v, x], structTy(['v', 'x'], [vecTy(4, REAL), REAL])));
    const g = jvp(f);
    expect(countExprs(g, 'for')).toBe(1);
    expect(runJvp(f, [3], [1])).toEqual([[[0, 0, 0, 0], 1], [[1, 2, 2, 2], 3]]);
  });

  it('nested loops and a loop-invariant element', () => {
    // f(x) = for i: for j: x  (a 2x3 matrix of x)
    const b = new FuncBuilder('fill');
    const x = b.param(REAL);
    const f = b.finish(b.forLoop(2, () => b.forLoop(3, () => x)));
    expect(runJvp(f, [4], [2])).toEqual([
      [[2, 2, 2], [2, 2, 2]],
      [[4, 4, 4], [4, 4, 4]],
    ]);
  });

  it('accum/add/resolve: a sum of squares over a loop', () => {
    // f(v) = sum_i v[i]^2
    const b = new FuncBuilder('sumsq');
    const v = b.param(vecTy(4, REAL));
    const acc = b.accum(b.real(0));
    b.forLoop(4, (i) => b.add(acc, b.prim('mul', [b.index(v, i), b.index(v, i)])));
    const f = b.finish(b.resolve(acc));
    const xs = [1, -2, 3, 0.5];
    const dxs = [0.1, 0.2, -0.3, 1];
    const [du, re] = runJvp(f, [xs], [dxs]);
    expect(re).toBe(14.25);
    expect(du).toBeCloseTo(2 * (0.1 - 0.4 - 0.9 + 0.5), 12);
  });

  it('accumulators of vectors through slice, and a ref parameter', () => {
    // h(r: ref vec2, x) adds [x, x*x] into r; f(x) = resolve of an accumulator h fills
    const hb = new FuncBuilder('h');
    const r = hb.param({ kind: 'ref', inner: vecTy(2, REAL) });
    const hx = hb.param(REAL);
    hb.add(hb.slice(r, hb.lit(0, finTy(2))), hx);
    hb.add(hb.slice(r, hb.lit(1, finTy(2))), hb.prim('mul', [hx, hx]));
    const h = hb.finish(hb.unit());
    const b = new FuncBuilder('f');
    const x = b.param(REAL);
    const acc = b.accum(b.zero(vecTy(2, REAL)));
    b.call(h, [acc, x]);
    b.call(h, [acc, b.real(2)]);
    const f = b.finish(b.resolve(acc));
    expect(runJvp(f, [3], [1])).toEqual([[1, 6], [5, 13]]);
    expect(jvp(h).paramTypes).toEqual([
      { kind: 'ref', inner: vecTy(2, REAL) },
      REAL,
      { kind: 'ref', inner: vecTy(2, TAN) },
      TAN,
    ]);
  });
});

// ----- calls --------------------------------------------------------------------------------

describe('jvp of calls', () => {
  it('calls become calls of the callee JVP; tangent-free calls stay plain', () => {
    const g = realFn('g', 1, (b, [x]) => b.prim('mul', [b.prim('sin', [x!]), x!]));
    // f(x) = g(x) * g(3)
    const f = realFn('f', 1, (b, [x]) => b.prim('mul', [b.call(g, [x!]), b.call(g, [b.real(3)])]));
    const jf = jvp(f);
    const targets = callees(jf);
    expect(targets).toContain(jvp(g, [true]));
    expect(targets).toContain(g);
    const g3 = 3 * Math.sin(3);
    const [du, re] = runJvp(f, [1.2], [1]);
    expect(re).toBeCloseTo(1.2 * Math.sin(1.2) * g3, 12);
    expect(du).toBeCloseTo((Math.sin(1.2) + 1.2 * Math.cos(1.2)) * g3, 12);
  });

  it('memoizes per (function, mask)', () => {
    const f = realFn('f', 2, (b, [x, y]) => b.prim('mul', [x!, y!]));
    expect(jvp(f)).toBe(jvp(f, [true, true]));
    expect(jvp(f, [true, false])).toBe(jvp(f, [true, false]));
    expect(jvp(f, [true, false])).not.toBe(jvp(f));
    expect(() => jvp(f, [true])).toThrow(RoseError);
  });

  it('a 20-level doubling DAG yields 21 JVP functions', () => {
    // f0(x) = x*x; fk(x) = f(k-1)(x) + f(k-1)(x), so fk(x) = 2^k x^2
    const levels = [realFn('f0', 1, (b, [x]) => b.prim('mul', [x!, x!]))];
    for (let k = 1; k <= 20; k++) {
      const prev = levels[k - 1]!;
      const twice = (b: FuncBuilder, [x]: Var[]) =>
        b.prim('add', [b.call(prev, [x!]), b.call(prev, [x!])]);
      levels.push(realFn(`f${k}`, 1, twice));
    }
    const top = jvp(levels[20]!);
    const seen = new Set<Func>();
    const walk = (g: Func) => {
      if (seen.has(g)) return;
      seen.add(g);
      if (g.kind === 'transparent') callees(g).forEach(walk);
    };
    walk(top);
    expect(seen.size).toBe(21);
    // values at level 10 (running level 20 would take 2^20 calls)
    const [du, re] = runJvp(levels[10]!, [1.5], [1]);
    expect(re).toBe(2 ** 10 * 2.25);
    expect(du).toBe(2 ** 11 * 1.5);
  });

  it('builds long call chains without overflowing the stack', () => {
    // f0(x) = sin(x); fk(x) = f(k-1)(x) + x * 2, so fD'(x) = cos(x) + 2D
    const D = 3000;
    let fk = realFn('f0', 1, (b, [x]) => b.prim('sin', [x!]));
    for (let k = 1; k <= D; k++) {
      const prev = fk;
      fk = realFn(`f${k}`, 1, (b, [x]) =>
        b.prim('add', [b.call(prev, [x!]), b.prim('mul', [x!, b.real(2)])]),
      );
    }
    const top = jvp(fk);
    let count = 1;
    for (let g = callees(top); g.length > 0; g = g[0]!.kind === 'transparent' ? callees(g[0]!) : [])
      count++;
    expect(count).toBe(D + 1);
    const [du, re] = runJvp(fk, [0.5], [1]);
    expect(re).toBeCloseTo(Math.sin(0.5) + 2 * D * 0.5, 9);
    expect(du).toBeCloseTo(Math.cos(0.5) + 2 * D, 9);
  });

  it('active masks: inactive params have no tangent param', () => {
    const f = realFn('f', 3, (b, [x, y, z]) => b.prim('mul', [b.prim('mul', [x!, y!]), z!]));
    const g = jvp(f, [false, true, false]);
    expect(g.paramTypes).toEqual([REAL, REAL, REAL, TAN]);
    expect(interpret(g, [2, 3, 4, 1])).toEqual([8, 24]);
    expect(jvp(f, [false, false, false]).paramTypes).toHaveLength(3);
    expect(interpret(jvp(f, [false, false, false]), [2, 3, 4])).toEqual([0, 24]);
  });
});

// ----- custom JVPs, second order, errors ------------------------------------------------------

describe('custom JVPs and higher order', () => {
  const sin = opaque('sin', 1, Math.sin);
  const cos = opaque('cos', 1, Math.cos);
  sin.customJvp = customUnary(
    'sin_jvp',
    (b, x) => b.call(sin, [x]),
    (b, x, dx) => b.prim('mul', [dx, b.call(cos, [x])]),
  );
  cos.customJvp = customUnary(
    'cos_jvp',
    (b, x) => b.call(cos, [x]),
    (b, x, dx) => b.prim('mul', [dx, b.prim('neg', [b.call(sin, [x])])]),
  );
  // f(x) = x * sin(x): f' = sin x + x cos x, f'' = 2 cos x - x sin x
  const f = realFn('xsin', 1, (b, [x]) => b.prim('mul', [x!, b.call(sin, [x!])]));

  it('uses the custom JVP of an opaque function', () => {
    const [du, re] = runJvp(f, [0.7], [1]);
    expect(re).toBeCloseTo(0.7 * Math.sin(0.7), 14);
    expect(du).toBeCloseTo(Math.sin(0.7) + 0.7 * Math.cos(0.7), 14);
    expect(interpret(jvp(sin), [0.7, 2])).toEqual([2 * Math.cos(0.7), Math.sin(0.7)]);
  });

  it('differentiates twice (jvp of jvp), through custom JVPs', () => {
    const jf = jvp(f);
    // jvp(jf) params: x, dx, then tangents tx, tdx; result {du: {du, re}, re: {du, re}}
    const out = interpret(jvp(jf), [0.7, 1, 1, 0]) as [[number, number], [number, number]];
    const x = 0.7;
    expect(out[1][1]).toBeCloseTo(x * Math.sin(x), 14);
    expect(out[1][0]).toBeCloseTo(Math.sin(x) + x * Math.cos(x), 14);
    expect(out[0][1]).toBeCloseTo(Math.sin(x) + x * Math.cos(x), 14);
    expect(out[0][0]).toBeCloseTo(2 * Math.cos(x) - x * Math.sin(x), 12);
  });

  it('differentiates a plain function twice', () => {
    // f(x) = exp(x) * x^3: f'' = exp(x) (x^3 + 6x^2 + 6x)
    const g = realFn('g', 1, (b, [x]) =>
      b.prim('mul', [b.prim('exp', [x!]), b.prim('mul', [x!, b.prim('mul', [x!, x!])])]),
    );
    const x = 0.9;
    const out = interpret(jvp(jvp(g)), [x, 1, 1, 0]) as [[number, number], [number, number]];
    expect(out[0][0]).toBeCloseTo(Math.exp(x) * (x ** 3 + 6 * x * x + 6 * x), 12);
  });

  it('uses a custom JVP set on a transparent function', () => {
    const sq = realFn('sq', 1, (b, [x]) => b.prim('mul', [x!, x!]));
    // a deliberately different derivative, to see that it is the one used
    sq.customJvp = customUnary(
      'sq_jvp',
      (b, x) => b.prim('mul', [x, x]),
      (b, _x, dx) => b.prim('mul', [dx, b.real(10)]),
    );
    const h = realFn('h', 1, (b, [x]) => b.prim('add', [b.call(sq, [x!]), x!]));
    expect(runJvp(h, [3], [1])).toEqual([11, 12]);
  });

  it('recomputes after a custom JVP is replaced', () => {
    const sq = realFn('sq', 1, (b, [x]) => b.prim('mul', [x!, x!]));
    expect(runJvp(sq, [3], [1])).toEqual([6, 9]);
    sq.customJvp = customUnary(
      'sq_jvp',
      (b, x) => b.prim('mul', [x, x]),
      (b, _x, dx) => b.prim('mul', [dx, b.real(-1)]),
    );
    expect(runJvp(sq, [3], [1])).toEqual([-1, 9]);
  });

  it('throws no-jvp for an opaque function without a JVP, only when a tangent reaches it', () => {
    const op = opaque('mystery', 1, (x) => x + 1);
    const bad = realFn('bad', 1, (b, [x]) => b.call(op, [x!]));
    let err: unknown;
    try {
      jvp(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RoseError);
    expect((err as RoseError).code).toBe('no-jvp');
    expect((err as RoseError).message).toContain('no JVP provided for opaque function');
    expect((err as RoseError).message).toContain('mystery');
    expect((err as RoseError).message).toContain('.jvp');
    // a constant argument: the plain call is kept
    const ok = realFn('ok', 1, (b, [x]) => b.prim('add', [b.call(op, [b.real(2)]), x!]));
    expect(runJvp(ok, [1], [1])).toEqual([1, 4]);
  });

  it('rejects a custom JVP whose signature is not the dual layout', () => {
    const op = opaque('op', 1, (x) => x);
    op.customJvp = realFn('wrong', 1, (_b, [x]) => x!);
    expect(() => jvp(op)).toThrow(expect.objectContaining({ code: 'type-mismatch' }));
  });
});

// ----- dual layout --------------------------------------------------------------------------

describe('dual layout', () => {
  const t = structTy(['a', 'b', 'c'], [vecTy(2, REAL), BOOL, TAN]);

  it('dualTy replaces float leaves by {du, re} and is memoized', () => {
    expect(dualTy(REAL)).toBe(DUAL);
    expect(dualTy(TAN)).toBe(DUAL);
    expect(dualTy(BOOL)).toBe(BOOL);
    expect(dualTy(t)).toBe(dualTy(t));
    expect(tyEqual(dualTy(t), structTy(['a', 'b', 'c'], [vecTy(2, DUAL), BOOL, DUAL]))).toBe(true);
  });

  it('packDual and unpackDual round-trip', () => {
    const b = new FuncBuilder('roundtrip');
    const p = b.param(structTy(['a', 'b', 'c'], [vecTy(2, REAL), BOOL, REAL]));
    const d = b.param(tangentTy(t));
    const packed = packDual(b, t, p, d);
    expect(tyEqual(b.typeOf(packed), dualTy(t))).toBe(true);
    const { primal, tangent } = unpackDual(b, t, packed);
    const bothTy = structTy(['d', 'p', 't'], [dualTy(t), b.typeOf(primal), b.typeOf(tangent)]);
    const both = b.struct([packed, primal, tangent], bothTy);
    const f = b.finish(both);
    const out = interpret(f, [[[1, 2], true, 3], [[10, 20], null, 30]]);
    expect(out).toEqual([
      [[[10, 1], [20, 2]], true, [30, 3]],
      [[1, 2], true, 3],
      [[10, 20], null, 30],
    ]);
  });

  it('unpackDual of a float-free type emits no loop', () => {
    const b = new FuncBuilder('nofloat');
    const u: Ty = vecTy(5, BOOL);
    const p = b.param(u);
    const { primal, tangent } = unpackDual(b, u, p);
    expect(primal).toBe(p);
    const f = b.finish(tangent);
    expect(countExprs(f, 'for')).toBe(0);
    expect(interpret(f, [[true, false, true, true, false]])).toEqual(Array(5).fill(null));
  });
});
