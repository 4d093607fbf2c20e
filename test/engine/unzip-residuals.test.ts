/**
 * @file Tests of what `unzip` keeps as residuals for reverse mode: params `lin` reads are passed to
 * it again (`passParams`) instead of copied into the residual struct, cheap arithmetic is
 * recomputed in `lin` (unzip-recompute.ts), and gradients stay the same (compiled and
 * interpreted bit for bit, and against the hand-written gradient).
 */
import { describe, expect, it } from 'vitest';
import {
  Real,
  Vec,
  add,
  compileSync,
  div,
  fn,
  iadd,
  ilt,
  imod,
  interp,
  mul,
  select,
  sin,
  sub,
  sum,
  valueAndGrad,
  type Fn,
  type Real as RealValue,
} from '../../engine/index.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { RES, unzip } from '../../engine/transforms/unzip.ts';
import { vjpFuncs } from '../../engine/transforms/vjp.ts';
import {
  REAL,
  primalPart,
  varTypeList,
  vecTy,
  type StructTy,
  type TransparentFunc,
  type Ty,
} from '../../engine/ir/types.ts';

/** Chained Rosenbrock over `n` variables as one `sum` over the index type (bench's loop form). */
function rosenbrockLoop(n: number): Fn {
  return fn([Vec(n, Real)], Real, (x) =>
    sum(n, (i) => {
      const a = sub(x[imod(n, iadd(n, i, 1))]!, mul(x[i]!, x[i]!));
      const b = sub(1, x[i]!);
      return select(ilt(n, i, n - 1), Real, add(mul(100, mul(a, a)), mul(b, b)), 0);
    }),
  );
}

/** The same with its terms inlined at trace time. */
function rosenbrockUnrolled(n: number): Fn {
  return fn([Vec(n, Real)], Real, (x) => {
    let s: RealValue = 0;
    for (let k = 0; k + 1 < n; k++) {
      const a = sub(x[k + 1]!, mul(x[k]!, x[k]!));
      const b = sub(1, x[k]!);
      s = add(s, add(mul(100, mul(a, a)), mul(b, b)));
    }
    return s;
  });
}

/** Return the residual type of an unzipped `fwd`. */
function resTy(fwd: TransparentFunc): StructTy {
  return (fwd.retType as StructTy).members[RES] as StructTy;
}

/** Return every leaf or vec-of-leaf type in `t`, nested structs flattened. */
function members(t: Ty): Ty[] {
  return t.kind === 'struct' ? t.members.flatMap(members) : [t];
}

/** Return the hand-written gradient of chained Rosenbrock at `x`. */
function handGradient(x: readonly number[]): number[] {
  const g = x.map(() => 0);
  for (let k = 0; k + 1 < x.length; k++) {
    const a = x[k + 1]! - x[k]! * x[k]!;
    g[k]! += -400 * a * x[k]! - 2 * (1 - x[k]!);
    g[k + 1]! += 200 * a;
  }
  return g;
}

/** The result of a `valueAndGrad` function. */
type ValueGrad = { value: number; grad: ArrayLike<number> };

/** Run `vg` on `args` compiled and interpreted, expect equal bits; return the compiled result. */
function sameCompiledAndInterpreted(vg: Fn, ...args: (number | readonly number[])[]): ValueGrad {
  const compiled = compileSync(vg)(...args) as ValueGrad;
  const interpreted = interp(vg)(...args) as ValueGrad;
  expect(Array.from(compiled.grad)).toEqual(Array.from(interpreted.grad));
  expect(compiled.value).toBe(interpreted.value);
  return compiled;
}

const N = 6;
const X = [-1.2, 1, 0.3, -0.7, 2, 0.9];

describe('unzip residuals for reverse mode', () => {
  for (const [name, make] of [
    ['loop', rosenbrockLoop],
    ['unrolled', rosenbrockUnrolled],
  ] as const) {
    it(`passes the ${name} Rosenbrock's input to lin instead of storing a copy of it`, () => {
      const J = jvp(funcOf(make(N), 'test'));
      const plain = unzip(J);
      const passing = unzip(J, true);
      const xTy = vecTy(N, REAL);
      // without passParams the input vector is a residual (a copy of it in every call)
      expect(plain.passed).toEqual([]);
      expect(members(resTy(plain.fwd))).toContainEqual(xTy);
      // with it, lin takes x as its last param, and fwd stores no copy of it
      expect(passing.passed).toEqual([0]);
      expect(members(resTy(passing.fwd))).not.toContainEqual(xTy);
      expect(passing.lin.paramTypes.at(-1)).toEqual(primalPart(J.paramTypes[0]!));
      expect(unzip(J, true)).toBe(passing); // memoized per mode
      // reverse mode uses it: bwd takes x after res and before the cotangent
      const { fwd, bwd, passed } = vjpFuncs(funcOf(make(N), 'test'));
      expect(passed).toEqual([0]);
      expect(members(resTy(fwd))).not.toContainEqual(xTy);
      expect(bwd.paramTypes.at(-2)).toEqual(xTy);
    });

    it(`gives the ${name} Rosenbrock the same gradient compiled, interpreted and by hand`, () => {
      const compiled = sameCompiledAndInterpreted(valueAndGrad(make(N)), X);
      const hand = handGradient(X);
      Array.from(compiled.grad).forEach((g, k) => expect(g).toBeCloseTo(hand[k]!, 9));
    });
  }

  it('recomputes cheap arithmetic in lin: the unrolled Rosenbrock stores no residual at all', () => {
    const { fwd, passed } = vjpFuncs(funcOf(rosenbrockUnrolled(N), 'test'));
    expect(passed).toEqual([0]);
    // x[k+1] - x[k]^2, its double and 1 - x[k] are a few adds and products of x
    expect(members(resTy(fwd))).toEqual([]);
  });

  it('stores what is over the recompute budget or not cheap (a sine, a quotient)', () => {
    const f = fn([Vec(3, Real)], Real, (x) => {
      const deep = mul(add(mul(x[0]!, x[1]!), x[2]!), add(x[0]!, x[1]!)); // 4 operations
      return add(mul(deep, deep), mul(sin(x[0]!), div(x[1]!, x[2]!)));
    });
    const { fwd } = vjpFuncs(funcOf(f, 'test'));
    // stored: deep + deep (5 operations from x: over the budget), cos x0 and sin x0, the quotient
    // q and q / x2 (divisions); x itself is passed, not stored
    expect(members(resTy(fwd))).toHaveLength(5);
    sameCompiledAndInterpreted(valueAndGrad(f), [0.4, -1.1, 0.8]);
  });

  it('lets a sum loop yield its residuals alone: no {res, ret} bundle, no projection loop', () => {
    const f = fn([Vec(4, Real)], Real, (x) => sum(4, (i) => mul(sin(x[i]!), x[0]!)));
    const { fwd } = vjpFuncs(funcOf(f, 'test'));
    const loops = fwd.body.filter((instr) => instr.expr.kind === 'for');
    expect(loops).toHaveLength(1);
    // its element is the residual struct of the body (sin and cos of x[i]), stored as it is
    const elem = (varTypeList(fwd)[loops[0]!.var] as { elem: Ty }).elem as StructTy;
    expect(elem.keys).toEqual(['r0', 'r1']);
    expect(members(resTy(fwd))).toContainEqual(vecTy(4, elem));
    const x = [0.3, -0.7, 1.1, 2.0];
    const c = sameCompiledAndInterpreted(valueAndGrad(f), x);
    const s = x.reduce((a, xi) => a + Math.sin(xi), 0);
    x.forEach((xi, k) => expect(c.grad[k]).toBeCloseTo(Math.cos(xi) * x[0]! + (k === 0 ? s : 0), 12));
  });

  it('keeps passing composable: a function whose lin reads a param and calls another', () => {
    const inner = fn([Real, Real], Real, (x, y) => mul(mul(x, y), y));
    const outer = fn([Real, Real], Real, (x, y) => add(inner(x, y), mul(x, y)));
    const { passed, bwd } = vjpFuncs(funcOf(outer, 'test'));
    expect(passed).toEqual([0, 1]);
    expect(bwd.paramTypes.slice(-3, -1)).toEqual([REAL, REAL]);
    const [x, y] = [0.7, -1.3];
    const c = sameCompiledAndInterpreted(valueAndGrad(outer, [0, 1]), x, y);
    expect(c.grad[0]).toBeCloseTo(y * y + y, 12);
    expect(c.grad[1]).toBeCloseTo(2 * x * y + x, 12);
  });
});
