/**
 * @file Derivatives of `cond` (engine/transforms: jvp.ts, unzip-cond.ts, transpose-cond.ts):
 * finite derivatives where the untaken branch is undefined, the untaken branch's work absent from
 * the forward and backward passes, derivatives of derivatives, conds in sums and called
 * functions. Generated programs with conds are in the property tests (test/helpers/gen.ts, option
 * `cond`); golden IR of the three passes in cond-ad.golden.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  Dual,
  Real,
  Vec,
  add,
  cos,
  div,
  fn,
  grad,
  gt,
  hessian,
  ilt,
  interp,
  log,
  lt,
  mul,
  opaque,
  select,
  sin,
  sqrt,
  sub,
  sum,
  vec,
  vjp,
} from '../../engine/index.ts';
import { accumulator, interpret, type Val } from '../../engine/interp/interp.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import { forEachInstr } from '../../engine/ir/visit.ts';
import { cond } from '../../engine/trace/cond.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { vjpFuncs } from '../../engine/transforms/vjp.ts';
import { centralGradient } from '../helpers/gradcheck.ts';
import { gradFlat, hvpForwardOverReverse, hvpReverseOverReverse } from '../helpers/reverse.ts';
import {
  REAL,
  TAN,
  UNIT,
  varTypeList,
  type Block,
  type TransparentFunc,
} from '../../engine/ir/types.ts';

/** Return the IR of a traced function. */
function ir(f: unknown): TransparentFunc {
  const func = funcOf(f, 'test');
  if (func.kind !== 'transparent') throw new Error('expected a transparent function');
  return func;
}

/** Return the tangent `jvp(f)` gives at scalar `x` along 1. */
function forward(f: TransparentFunc, x: number): number {
  return ((interpret(jvp(f), [x, 1]) as Val[])[0] as number);
}

describe('cond: derivatives where the untaken branch is undefined', () => {
  // sqrt of a negative (NaN), log of 0 (-Infinity): a select computes and differentiates both
  // sides, so its derivative is NaN there; a cond differentiates only the branch taken
  const root = fn([Real], Real, (x) => cond(lt(x, 0), Real, () => mul(x, 3), () => sqrt(x)));
  const logOr = fn([Real], Real, (x) => cond(gt(x, 0), Real, () => log(x), () => sub(x, 1)));

  it('gives finite, correct derivatives in forward and reverse mode', () => {
    const [f, g] = [ir(root), ir(logOr)];
    expect([forward(f, -4), forward(f, 4)]).toEqual([3, 0.25]);
    expect([gradFlat(f, [-4]), gradFlat(f, [4])]).toEqual([[3], [0.25]]);
    expect([forward(g, 0), forward(g, -2), forward(g, 2)]).toEqual([1, 1, 0.5]);
    expect([gradFlat(g, [0]), gradFlat(g, [2])]).toEqual([[1], [0.5]]);
  });

  it('through the public vjp', () => {
    const g = fn([Real], Real, (x) => vjp(root)(x).grad(1) as never);
    expect([interp(g)(-4), interp(g)(9)]).toEqual([3, 1 / 6]);
  });

  it('where a select of the same sides gives NaN', () => {
    const s = ir(fn([Real], Real, (x) => select(lt(x, 0), Real, mul(x, 3), sqrt(x))));
    expect(gradFlat(s, [-4])[0]).toBeNaN();
    expect(gradFlat(ir(root), [-4])[0]).toBe(3);
  });
});

/** Return true when some instruction at the top level of `f`'s body (not in a block) satisfies `pred`. */
function atTop(f: TransparentFunc, pred: (b: Block[number]) => boolean): boolean {
  return f.body.some(pred);
}

describe('cond: the untaken branch does no work', () => {
  /** A counting opaque `spy` (identity) whose JVP calls the counting opaque `dspy` (1). */
  function spies() {
    const calls = { spy: 0, dspy: 0 };
    const spy = opaque([Real], Real, (x: number) => (calls.spy++, x));
    const dspy = opaque([Real], Real, () => (calls.dspy++, 1));
    spy.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: spy(x), du: mul(dx, dspy(x)) }));
    return { calls, spy };
  }

  it('calls nothing of the untaken block in the forward and backward passes', () => {
    const { calls, spy } = spies();
    const f = ir(fn([Real], Real, (x) => cond(lt(x, 0), Real, () => mul(spy(x), x), () => mul(x, x))));
    expect(gradFlat(f, [2])).toEqual([4]);
    expect(calls).toEqual({ spy: 0, dspy: 0 });
    expect(gradFlat(f, [-3])).toEqual([-6]);
    expect(calls).toEqual({ spy: 1, dspy: 1 });
  });

  it('keeps each block\'s work inside a cond in fwd and bwd, and stores only a flag and the taken block\'s residuals', () => {
    const f = ir(fn([Real, Real], Real, (x, y) => cond(lt(x, y), Real, () => sqrt(mul(x, y)), () => div(x, y))));
    const { fwd, bwd } = vjpFuncs(f);
    for (const g of [fwd, bwd]) check(g);
    const isPrim = (p: string) => (i: Block[number]) => i.expr.kind === 'prim' && i.expr.prim === p;
    // the branch work (sqrt, div and their derivatives) sits in the blocks, not at the top level
    for (const p of ['sqrt', 'div', 'mul']) {
      expect(atTop(fwd, isPrim(p))).toBe(false);
      expect(atTop(bwd, isPrim(p))).toBe(false);
    }
    let conds = 0;
    forEachInstr(bwd.body, (i) => void (i.expr.kind === 'cond' && conds++));
    expect(conds).toBe(1);
    // residuals: the condition, and per block a struct the other block leaves zero
    const res = fwd.retType.kind === 'struct' ? fwd.retType.members[0]! : undefined;
    expect(JSON.stringify(res)).toContain('"bool"');
  });

  it('computes the derivative of a value tested before the cond only in the block using it', () => {
    // a pair's overlap: the distance is needed for the test, its derivative only inside
    const f = ir(
      fn([Real, Real], Real, (a, b) => {
        const d = sqrt(add(mul(sub(a, b), sub(a, b)), 1e-6));
        return cond(lt(d, 1), Real, () => mul(sub(1, d), sub(1, d)), () => 0);
      }),
    );
    const j = jvp(f);
    const tanAtTop = j.body.filter((i) => varTypeList(j)[i.var]!.kind === 'tan');
    expect(tanAtTop.map((i) => i.expr.kind)).toEqual(['member']); // only the result's tangent
    const { bwd } = vjpFuncs(f);
    expect(bwd.body.filter((i) => i.expr.kind === 'prim' || i.expr.kind === 'add')).toEqual([]);
    const F = (x: number[]) => interpret(f, x) as number;
    centralGradient(F, [0, 0.5]).forEach((d, k) => expect(gradFlat(f, [0, 0.5])[k]).toBeCloseTo(d, 6));
    expect(gradFlat(f, [0, 2])).toEqual([0, 0]);
  });
});

describe('cond: blocks that both store residuals, with loops, nested conds and outer results', () => {
  // then: a loop (its residuals a vec); else: a nested cond, one of whose blocks yields xs itself
  const f = fn([Vec(3, Real), Real], Vec(3, Real), (xs, p) =>
    cond(lt(p, 0), Vec(3, Real), () => vec(3, Real, (i) => mul(sin(xs[i]!), p)), () =>
      cond(gt(p, 1), Vec(3, Real), () => xs, () => [mul(cos(p), xs[0]!), mul(xs[1]!, xs[2]!), sqrt(p)]),
    ),
  );
  const func = ir(f);
  const scalar = ir(fn([Vec(3, Real), Real], Real, (xs, p) => {
    const v = f(xs, p);
    return add(add(v[0]!, mul(v[1]!, 2)), mul(v[2]!, -3));
  }));

  it('stores a struct of both blocks\' residuals, and differentiates each path', () => {
    const { fwd } = vjpFuncs(func);
    check(fwd);
    let both = false;
    forEachInstr(fwd.body, ({ expr }) => (both ||= expr.kind === 'cond' && expr.then.some((i) => i.expr.kind === 'zero')));
    expect(both).toBe(true); // the then block fills a zero for the else block's residuals
    for (const p of [-0.5, 0.5, 2]) {
      const x = [0.3, -1.2, 0.7, p];
      const F = (q: number[]) => interpret(scalar, [q.slice(0, 3), q[3]!]) as number;
      const g = gradFlat(scalar, [x.slice(0, 3), p]);
      centralGradient(F, x).forEach((d, k) => expect(g[k]).toBeCloseTo(d, 6));
      const d = [1, -0.5, 0.25];
      const out = interpret(jvp(func), [x.slice(0, 3), p, d, 0.5]) as Val[];
      const jv = out[0] as number[];
      const dot = jv[0]! + 2 * jv[1]! - 3 * jv[2]!;
      expect(dot).toBeCloseTo(g[0]! * 1 - g[1]! * 0.5 + g[2]! * 0.25 + g[3]! * 0.5, 10);
    }
  });
});

describe('cond: adds into an accumulator made outside it', () => {
  it('differentiates an add in one block into an accumulator resolved after the cond', () => {
    // acc = accum(0); if x < y { acc += x * y } else { acc += sin(y) }; acc += x; return resolve(acc) * x
    const b = new FuncBuilder('acc');
    const [x, y] = [b.param(REAL), b.param(REAL)];
    const acc = b.accum(b.real(0));
    b.beginBlock();
    b.add(acc, b.prim('mul', [x, y]));
    const then = b.endBlock();
    b.beginBlock();
    b.add(acc, b.prim('sin', [y]));
    const els = b.endBlock();
    const unit = b.unit();
    b.emit({ kind: 'cond', cond: b.prim('lt', [x, y]), then, thenRet: unit, els, elsRet: unit }, UNIT);
    b.add(acc, x);
    const f = b.finish(b.prim('mul', [b.resolve(acc), x]));
    check(f);
    const F = (q: number[]) => interpret(f, q) as number;
    for (const p of [[0.5, 2], [2, -0.5]]) {
      const g = gradFlat(f, p);
      centralGradient(F, p).forEach((d, k) => expect(g[k]).toBeCloseTo(d, 6));
      const out = interpret(jvp(f), [...p, 1, -2]) as Val[];
      expect(out[0] as number).toBeCloseTo(g[0]! - 2 * g[1]!, 10);
    }
  });
});

describe('cond: transpose of a linear function holding a primal cond', () => {
  it('copies the cond (its blocks in order) and uses its value', () => {
    // lin(dx: tan, y: real) = dx * (y < 0 ? 2 y : y + 1)
    const b = new FuncBuilder('lin');
    const [dx, y] = [b.param(TAN), b.param(REAL)];
    b.beginBlock();
    const twice = b.prim('mul', [y, b.real(2)]);
    const then = b.endBlock();
    b.beginBlock();
    const plus = b.prim('add', [y, b.real(1)]);
    const els = b.endBlock();
    const s = b.emit({ kind: 'cond', cond: b.prim('lt', [y, b.real(0)]), then, thenRet: twice, els, elsRet: plus }, REAL);
    const lin = b.finish(b.prim('mul', [dx, s]));
    check(lin);
    const bwd = transpose(lin);
    check(bwd);
    expect(bwd.body.some((i) => i.expr.kind === 'cond')).toBe(true);
    for (const [yv, want] of [[-3, -6 * 0.5], [2, 3 * 0.5]] as const) {
      const acc = accumulator(REAL, 0);
      interpret(bwd, [acc, yv, 0.5]);
      expect(acc.get()).toBe(want);
    }
  });
});

describe('cond: derivatives of derivatives', () => {
  // x < 0: x^3 (f'' = 6x); else x sqrt(x) (f'' = 3 / (4 sqrt x))
  const f = ir(fn([Real], Real, (x) => cond(lt(x, 0), Real, () => mul(x, mul(x, x)), () => mul(x, sqrt(x)))));

  it('forward over reverse and reverse over reverse give the second derivative of the branch taken', () => {
    for (const [x, h] of [[-2, -12], [4, 3 / 8]] as const) {
      expect(hvpForwardOverReverse(f, [x], [1])[0]).toBeCloseTo(h, 12);
      expect(hvpReverseOverReverse(f, [x], [1])[0]).toBeCloseTo(h, 12);
    }
  });

  it('Hessian of a cond on two variables in each block matches finite differences of the gradient', () => {
    const g = ir(
      fn([Real, Real], Real, (x, y) => cond(lt(x, y), Real, () => mul(mul(x, x), y), () => div(mul(x, y), add(mul(y, y), 1)))),
    );
    for (const p of [[0.5, 2], [2, -0.5]]) {
      for (const j of [0, 1]) {
        const e = [0, 0].map((_, k) => (k === j ? 1 : 0));
        const fd = centralGradient((q) => gradFlat(g, q)[0]! * (1 - j) + gradFlat(g, q)[1]! * j, p);
        const [fo, rr] = [hvpForwardOverReverse(g, p, e), hvpReverseOverReverse(g, p, e)];
        fd.forEach((d, k) => {
          expect(fo[k]).toBeCloseTo(d, 5);
          expect(rr[k]).toBeCloseTo(fo[k]!, 12);
        });
      }
    }
  });
});

describe('cond: in sums and called functions', () => {
  // a pairwise energy where most pairs do not interact: (r - d)^2 for pairs closer than r = 1
  const pair = fn([Real, Real], Real, (a, b) => {
    const d = sqrt(add(mul(sub(a, b), sub(a, b)), 1e-6));
    return cond(lt(d, 1), Real, () => mul(sub(1, d), sub(1, d)), () => 0);
  });
  const energy = fn([Vec(4, Real)], Real, (xs) => sum(4, (i) => sum(4, (j) => cond(ilt(4, i, j), Real, () => pair(xs[i]!, xs[j]!), () => 0))));
  const energyFn = ir(energy);
  const F = (x: number[]) => interpret(energyFn, [x]) as number;

  it('gives the gradient of a sum of called conds (matching finite differences)', () => {
    const x = [0, 0.4, 3, 3.7];
    const g = gradFlat(energyFn, [x]);
    centralGradient(F, x).forEach((d, k) => expect(g[k]).toBeCloseTo(d, 6));
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it('through the public grad and hessian (fused forward-backward loops)', () => {
    const x = [0, 0.4, 3, 3.7];
    const g = interp(grad(energy))(x) as number[];
    g.forEach((gk, k) => expect(gk).toBeCloseTo(gradFlat(energyFn, [x])[k]!, 12));
    const H = interp(hessian(energy))(x) as number[][];
    const G = (q: number[]) => gradFlat(energyFn, [q]);
    for (let j = 0; j < 4; j++) {
      const col = centralGradient((q) => G(q)[j]!, x);
      col.forEach((h, k) => expect(H[j]![k]).toBeCloseTo(h, 5));
    }
  });

  it('is differentiated in forward mode the same way', () => {
    const x = [0, 0.4, 3, 3.7];
    const d = [0.3, -1, 0.5, 2];
    const out = interpret(jvp(energyFn), [x, d]) as Val[];
    const g = gradFlat(energyFn, [x]);
    expect(out[0] as number).toBeCloseTo(g.reduce((s, gk, k) => s + gk * d[k]!, 0), 12);
  });
});
