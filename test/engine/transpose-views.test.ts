/**
 * @file Regression tests: a value read out of a linear container (`s.k`, `xs[i]`) adds its
 * cotangent through a field or slice of the container's accumulator, so the backward pass has one
 * accumulator per container however often it is read (the mass-spring `step`), and the gradients
 * stay right when the reads sit in loops, in callees, or are partly unused.
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, compileSync, fn, grad, interp, mul, sin, sub, sum } from '../../engine/index.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import type { TransparentFunc } from '../../engine/ir/types.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';
import { centralGradient } from '../helpers/gradcheck.ts';

const M = 3;
const S = Vec(M, Real);
const State = { px: S, vx: S };
type St = { px: readonly unknown[]; vx: readonly unknown[] };

/** A step over a struct of vecs that reads every element of `s.px` several times. */
const step = fn([State, S], State, (s: St, rest) => {
  const px: unknown[] = [];
  const vx: unknown[] = [];
  for (let i = 0; i < M; i++) {
    const d = i > 0 ? sub(s.px[i] as number, s.px[i - 1] as number) : (s.px[i] as number);
    vx.push(add(s.vx[i] as number, mul(d, rest[i]!)));
    px.push(add(s.px[i] as number, vx[i] as number));
  }
  return { px, vx } as never;
});

/** Return the text of the backward pass of `f`. */
function bwdText(f: unknown): string {
  const func = funcOf(f, 'test') as TransparentFunc;
  return pprint(transpose(unzip(jvp(func)).lin));
}

describe('accumulators of values read out of linear containers', () => {
  it('gives step one accumulator per container: views of its accumulator param', () => {
    const text = bwdText(step);
    // no accumulator of its own: every read adds into &acc.px or &acc.vx, made once each
    expect(text).not.toMatch(/= accum /);
    expect(text.match(/= &x\d+\.px$/gm)).toHaveLength(1);
    expect(text.match(/= &x\d+\.vx$/gm)).toHaveLength(1);
  });

  it('differentiates a step called repeatedly (interpreted and compiled)', () => {
    const loss = fn([S], Real, (rest) => {
      let s: St = { px: [1, 2, 4], vx: [0, 0, 0] };
      for (let t = 0; t < 3; t++) s = step(s as never, rest) as unknown as St;
      return add(mul(s.px[2] as number, s.px[1] as number), sin(s.vx[0] as number));
    });
    const x = [0.3, -0.2, 0.5];
    const want = centralGradient((r) => interp(loss)(r) as number, x);
    const got = interp(grad(loss))(x) as number[];
    const compiled = compileSync(grad(loss))(x) as number[];
    got.forEach((g, k) => expect(g).toBeCloseTo(want[k]!, 5));
    compiled.forEach((g, k) => expect(g).toBeCloseTo(want[k]!, 5));
  });

  it('adds element reads inside a loop through slices of the container', () => {
    // f(s) = sum_i s.px[i] * s.vx[i] + s.px[i]^2 (s.vx partly read, px read twice per index)
    type Elems = { readonly [i: number]: number };
    const f = fn([State], Real, (s: St) =>
      sum(M, (i) => {
        const k = i as unknown as number;
        const a = (s.px as unknown as Elems)[k]!;
        const v = (s.vx as unknown as Elems)[k]!;
        return add(mul(a, v), mul(a, (s.px as unknown as Elems)[k]!));
      }),
    );
    const px = [1, -2, 3];
    const vx = [0.5, 4, -1];
    const g = interp(grad(f))({ px, vx }) as { px: number[]; vx: number[] };
    expect(g.px).toEqual(px.map((p, i) => vx[i]! + 2 * p));
    expect(g.vx).toEqual(px);
    expect(bwdText(f)).not.toMatch(/= accum /);
  });

  it('passes one view for two reads of an element, and one each for elements read once', () => {
    // the accumulator views passed to calls: xs[0] read twice (shared), xs[1] and xs[2] once
    const g = fn([Real, Real], Real, (a, b) => mul(a, sin(b)));
    const f = fn([S], Real, (xs) => add(g(xs[0]!, xs[0]!), g(xs[1]!, xs[2]!)));
    const text = bwdText(f);
    expect(text.match(/= &x\d+\[x\d+\]$/gm)).toHaveLength(3);
    const args = [...text.matchAll(/= bwd_\w+\(x\d+, x\d+, (x\d+), (x\d+),/g)].map((m) => [m[1], m[2]]);
    expect(args).toHaveLength(2);
    expect(args.filter(([a, b]) => a === b)).toHaveLength(1);
    expect(text).not.toMatch(/= accum /);
    const x = [0.5, -1, 2];
    const want = [Math.sin(0.5) + 0.5 * Math.cos(0.5), Math.sin(2), -Math.cos(2)];
    (interp(grad(f))(x) as number[]).forEach((d, k) => expect(d).toBeCloseTo(want[k]!, 12));
  });
});
