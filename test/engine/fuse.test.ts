/**
 * @file Loop fusion of gradients (engine/transforms/fuse.ts, vjp.ts `fusedGrad`): on generated
 * programs the fused forward-backward function is valid IR and gives the same primal result and
 * gradients as fwd then bwd, bit for bit, interpreted and compiled; hand-built loops fuse, or
 * not, by each rule of fuse.ts; a sum's gradient runs in one loop.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Real, Vec, add, compileSync, fn, grad, hessian, interp, mul, sin, sub, sum, valueAndGrad } from '../../engine/index.ts';
import { accumulator, interpret, type Val } from '../../engine/interp/interp.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import { forEachInstr } from '../../engine/ir/visit.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { fuseLoops } from '../../engine/transforms/fuse.ts';
import { emitFusedGrad, fusedGrad } from '../../engine/transforms/vjp.ts';
import { GEN_VARIANTS, buildProgram, programArb } from '../helpers/gen.ts';
import { argsFromPool, checkProperty, flatten, poolArb, unitsArb, unflattenAll } from '../helpers/gradcheck.ts';
import { gradWrapper, gradWrapperOf } from '../helpers/reverse.ts';
import { checkAgainstInterp } from './wasm/codegen-harness.ts';
import {
  REAL,
  finTy,
  isEmpty,
  structTy,
  varTypeList,
  vecTy,
  type Func,
  type TransparentFunc,
  type Var,
} from '../../engine/ir/types.ts';

/** Return the gradient wrapper of `gradWrapper`'s layout, built with `emitFusedGrad`. */
function fusedWrapper(f: Func): TransparentFunc {
  return gradWrapperOf(f, `fused_grad_${f.name}`, undefined, (b, args, ct) => emitFusedGrad(b, f, fusedGrad(f)!, args, ct));
}

/** Return the number of `for` instructions in `f`, at any depth. */
function loopCount(f: TransparentFunc): number {
  let n = 0;
  forEachInstr(f.body, ({ expr }) => (n += expr.kind === 'for' ? 1 : 0));
  return n;
}

describe.each(GEN_VARIANTS)('fused gradients of generated programs%s', (_, gen) => {
  it('equal fwd then bwd bit for bit, interpreted and compiled, and are valid IR', () => {
    // about 30% of generated real-valued programs have a loop whose gradient fuses: those
    const fusing = programArb({ ...gen, rootOut: 'real' }).filter((spec) => fusedGrad(buildProgram(spec).root) !== undefined);
    const stats = checkProperty(
      fc.tuple(fusing, poolArb(), unitsArb()),
      ([spec, pool, cts]) => {
        const f = buildProgram(spec).root;
        const g = fusedWrapper(f);
        check(g);
        const x = argsFromPool(f.paramTypes, pool);
        const ct = unflattenAll([REAL], [cts[0]! * 4 - 2])[0]!;
        const want = interpret(gradWrapper(f), [...x, ct]);
        const got = interpret(g, [...x, ct]);
        const [w, o] = [flatten(g.retType, want), flatten(g.retType, got)];
        expect(o.length).toBe(w.length);
        o.forEach((v, i) => expect(Object.is(v, w[i]), `leaf ${i}: ${v} vs ${w[i]}`).toBe(true));
        checkAgainstInterp(g, [...x, ct]);
      },
      ([spec]) => pprint(buildProgram(spec).root),
    );
    expect(stats.runs).toBeGreaterThan(0);
  });
});

describe('gradients of sums', () => {
  it('run the forward and backward bodies of a sum in one loop, storing no residuals', () => {
    const f = fn([Vec(50, Real)], Real, (x) => sum(50, (i) => mul(sin(x[i]!), x[i]!)));
    const g = fusedGrad(funcOf(f, 'test'))!;
    expect(g).toBeDefined();
    expect(loopCount(g)).toBe(1);
    // the loop's elements are empty: nothing per iteration is kept (unfused, fwd stores cos x_i)
    const loop = g.body.find((i) => i.expr.kind === 'for')!;
    expect(isEmpty(varTypeList(g)[loop.var]!)).toBe(true);
    check(funcOf(valueAndGrad(f), 'test'));
    const x = Array.from({ length: 50 }, (_, k) => Math.cos(k));
    const [gradient] = interpret(funcOf(valueAndGrad(f), 'test'), [x]) as [number[], number];
    x.forEach((v, k) => expect(gradient[k]).toBeCloseTo(Math.cos(v) * v + Math.sin(v), 12));
  });

  it('differentiate again: hessian (forward over reverse) and reverse over reverse match finite differences', () => {
    const n = 4;
    const f = fn([Vec(n, Real)], Real, (x) => sum(n, (i) => mul(sin(x[i]!), mul(x[i]!, x[0]!))));
    expect(fusedGrad(funcOf(f, 'test'))).toBeDefined();
    const x = [0.3, -0.7, 1.1, 2];
    const gradF = interp(grad(f)) as (x: number[]) => number[];
    const h = 1e-6;
    const fd = x.map((_, j) => {
      const [xp, xm] = [x.slice(), x.slice()];
      xp[j]! += h;
      xm[j]! -= h;
      const [a, c] = [gradF(xp), gradF(xm)];
      return a.map((v, i) => (v - c[i]!) / (2 * h));
    });
    const H = interp(hessian(f))(x) as number[][];
    const row1 = interp(grad(fn([Vec(n, Real)], Real, (y) => (grad(f)(y) as unknown as Real[])[1]!)))(x) as number[];
    H.forEach((r, i) => r.forEach((v, j) => expect(v).toBeCloseTo(fd[i]![j]!, 6)));
    row1.forEach((v, j) => expect(v).toBeCloseTo(fd[1]![j]!, 6));
  });

  it('fuse for a subset of the parameters (argnums), compiled and interpreted alike', () => {
    const f = fn([Vec(6, Real), Real], Real, (x, c) => sum(6, (i) => mul(sin(mul(x[i]!, c)), x[i]!)));
    const func = funcOf(f, 'test');
    expect(fusedGrad(func, [false, true])).toBeDefined();
    const x = [0.1, -0.4, 0.9, 1.3, -2, 0.25];
    const c = 0.8;
    const dc = x.reduce((s, v) => s + Math.cos(v * c) * v * v, 0);
    const dx = x.map((v) => Math.cos(v * c) * c * v + Math.sin(v * c));
    for (const run of [interp, compileSync] as const) {
      const onlyC = run(valueAndGrad(f, 1))(x, c) as unknown as { value: number; grad: number };
      expect(onlyC.grad).toBeCloseTo(dc, 12);
      expect(onlyC.value).toBeCloseTo(x.reduce((s, v) => s + Math.sin(v * c) * v, 0), 12);
      const both = run(grad(f, [0, 1]))(x, c) as unknown as [number[], number];
      both[0].forEach((g, i) => expect(g).toBeCloseTo(dx[i]!, 12));
      expect(both[1]).toBeCloseTo(dc, 12);
    }
  });

  it('fuse the loops of a fn called once (inlined into the fused function), not of one called twice', () => {
    const energy = fn([Vec(8, Real)], Real, (x) => sum(8, (i) => mul(sin(x[i]!), x[i]!)));
    const once = fn([Vec(8, Real)], Real, (x) => add(energy(x), mul(x[0]!, x[1]!)));
    const g = fusedGrad(funcOf(once, 'test'))!;
    expect(g).toBeDefined();
    expect(loopCount(g)).toBe(1);
    expect(g.body.some((i) => i.expr.kind === 'call')).toBe(false);
    const x = Array.from({ length: 8 }, (_, k) => Math.sin(k + 1));
    const got = (interp(valueAndGrad(once))(x) as unknown as { grad: number[] }).grad;
    x.forEach((v, k) => expect(got[k]).toBeCloseTo(Math.cos(v) * v + Math.sin(v) + (k === 0 ? x[1]! : k === 1 ? x[0]! : 0), 12));
    const twice = fn([Vec(8, Real)], Real, (x) => add(energy(x), energy(x)));
    expect(fusedGrad(funcOf(twice, 'test'))).toBeUndefined();
  });

  it('are not fused when the loop body is large (setup would cost more than the loop saves)', () => {
    const body = (x: Real, terms: number): Real => {
      let s: Real = x;
      for (let k = 0; k < terms; k++) s = add(mul(s, 0.5), sin(s));
      return s;
    };
    const small = fn([Vec(4, Real)], Real, (x) => sum(4, (i) => body(x[i]!, 20)));
    const large = fn([Vec(4, Real)], Real, (x) => sum(4, (i) => body(x[i]!, 400)));
    expect(fusedGrad(funcOf(small, 'test'))).toBeDefined();
    expect(fusedGrad(funcOf(large, 'test'))).toBeUndefined();
  });

  it('do not fuse when the loop cotangent depends on the forward result', () => {
    const f = fn([Vec(50, Real)], Real, (x) => sin(sum(50, (i) => mul(x[i]!, x[i]!))));
    expect(fusedGrad(funcOf(f, 'test'))).toBeUndefined();
  });

  it('fuse when a gradient also receives additions outside the loop (moved before it)', () => {
    const f = fn([Vec(8, Real), Real], Real, (x, c) => sub(sum(8, (i) => mul(x[i]!, c)), mul(c, c)));
    const g = fusedWrapper(funcOf(f, 'test'));
    expect(loopCount(fusedGrad(funcOf(f, 'test'))!)).toBe(1);
    const x = Array.from({ length: 8 }, (_, k) => k / 3);
    const got = interpret(g, [x, 0.7, 1]) as Val[];
    const want = interpret(gradWrapper(funcOf(f, 'test')), [x, 0.7, 1]) as Val[];
    expect(got).toEqual(want);
  });
});

/** Build `f(x: vec<n, real>, acc: ref<vec<n, real>>)` with two loops made by `loops`. */
function twoLoops(n: number, loops: (b: FuncBuilder, x: Var, acc: Var) => Var): TransparentFunc {
  const b = new FuncBuilder('two_loops');
  const x = b.param(vecTy(n, REAL));
  const acc = b.param({ kind: 'ref', inner: vecTy(n, REAL) });
  return b.finish(loops(b, x, acc));
}

describe('fuseLoops on hand-built loops', () => {
  it('fuses an element read at the same index and moves a literal between the loops before both', () => {
    const f = twoLoops(4, (b, x, acc) => {
      const sq = b.forLoop(4, (i) => b.prim('mul', [b.index(x, i), b.index(x, i)]));
      const two = b.real(2);
      b.forLoop(4, (i) => b.add(b.slice(acc, i), b.prim('mul', [two, b.index(sq, i)])));
      return b.unit();
    });
    const g = fuseLoops(f)!;
    expect(g).toBeDefined();
    check(g);
    expect(loopCount(g)).toBe(1);
    const run = (h: TransparentFunc) => {
      const a = accumulator(vecTy(4, REAL), [1, 1, 1, 1]);
      interpret(h, [[0.5, -1, 2, 3], a]);
      return a.get();
    };
    expect(run(g)).toEqual(run(f));
  });

  it('refuses a read of the first loop at another index', () => {
    const f = twoLoops(4, (b, x, acc) => {
      const sq = b.forLoop(4, (i) => b.prim('mul', [b.index(x, i), b.index(x, i)]));
      b.forLoop(4, (i) => b.add(b.slice(acc, i), b.index(sq, b.prim('imod', [b.prim('iadd', [i, b.lit(1, finTy(4))])], finTy(4)))));
      return b.unit();
    });
    expect(fuseLoops(f)).toBeUndefined();
  });

  it('refuses loops that add into the same accumulator, and loops whose results are both needed', () => {
    const same = twoLoops(4, (b, x, acc) => {
      b.forLoop(4, (i) => b.add(b.slice(acc, i), b.index(x, i)));
      b.forLoop(4, (i) => b.add(b.slice(acc, i), b.index(x, i)));
      return b.unit();
    });
    expect(fuseLoops(same)).toBeUndefined();
    const both = twoLoops(4, (b, x) => {
      const a = b.forLoop(4, (i) => b.prim('sin', [b.index(x, i)]));
      const c = b.forLoop(4, (i) => b.prim('cos', [b.index(x, i)]));
      const t = structTy(['a', 'c'], [vecTy(4, REAL), vecTy(4, REAL)]);
      return b.struct([a, c], t);
    });
    expect(fuseLoops(both)).toBeUndefined();
  });

  it('refuses a loop over another index type', () => {
    const f = twoLoops(4, (b, x, acc) => {
      const s = b.forLoop(3, (i) => b.prim('sin', [b.index(x, b.prim('imod', [i], finTy(4)))]));
      b.forLoop(4, (i) => b.add(b.slice(acc, i), b.index(x, i)));
      return s;
    });
    expect(fuseLoops(f)).toBeUndefined();
  });
});
