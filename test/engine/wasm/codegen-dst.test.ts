/**
 * @file Wasm codegen of split results (destination passing): a callee returning a struct of 2 to
 * `MAX_SPLIT` members gets one destination per member, so a caller builds each member where it
 * ends up (a call's residuals straight into the caller's residual struct). Against the
 * interpreter bit for bit: parts redirected into literals, calls read whole, members read twice,
 * callees returning a parameter or a literal read elsewhere, results too wide to split, split
 * callees in split chunks and loops, and the gradients that motivated it; also the gradient
 * accumulated straight into the result, and the root exported with its destinations ('g').
 */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, fn, grad, gt, mul, select, sqrt, sub, sum, valueAndGrad, vec } from '../../../engine/index.ts';
import { BOOL, REAL, structTy, vecTy, type Func, type TransparentFunc } from '../../../engine/ir/types.ts';
import { funcOf } from '../../../engine/trace/fn.ts';
import { generate, type FunctionStats } from '../../../engine/wasm/codegen.ts';
import { build, checkAgainstInterp } from './codegen-harness.ts';

const ir = (f: unknown): Func => funcOf(f, 'test');

const V3 = vecTy(3, REAL);
const P = structTy(['x', 'y'], [REAL, REAL]);
/** `{a: vec<3>, b: real, c: {x, y}, d: bool}`: four parts. */
const R = structTy(['a', 'b', 'c', 'd'], [V3, REAL, P, BOOL]);

/** Return `(x: real) -> R`, its result a literal. */
function parts(): TransparentFunc {
  return build('parts', [REAL], (b, x) => {
    const x2 = b.prim('mul', [x, x]);
    const a = b.vec([x, x2, b.prim('neg', [x])], V3);
    const c = b.struct([b.prim('sub', [x2, x]), b.prim('add', [x, b.real(1)])], P);
    return b.struct([a, b.prim('sqrt', [x2]), c, b.prim('gt', [x, b.real(0)])], R);
  });
}

const OUT = structTy(['p', 'q', 'r'], [P, V3, vecTy(2, R)]);

describe('split results', () => {
  it('builds the parts of a call where the caller puts them (members of a literal)', () => {
    const g = parts();
    const f = build('f', [REAL], (b, x) => {
      const r = b.call(g, [x]);
      const s = b.call(g, [b.prim('mul', [x, b.real(-2)])]);
      // r's parts are read once each; s is also read whole (not redirected)
      return b.struct([b.member(r, 2), b.member(r, 0), b.vec([s, s], vecTy(2, R))], OUT);
    });
    for (const x of [1.5, -0.25, 0]) checkAgainstInterp(f, [x]);
    checkAgainstInterp(f, [0.75], { splitThreshold: 4 });
  });

  it('reads scalar members from the call storage and a member read twice from there too', () => {
    const g = parts();
    const T = structTy(['u', 'v', 'w'], [V3, V3, REAL]);
    const f = build('f', [REAL], (b, x) => {
      const r = b.call(g, [x]);
      const a1 = b.member(r, 0);
      const a2 = b.member(r, 0);
      return b.struct([a1, a2, b.prim('add', [b.member(r, 1), b.member(b.member(r, 2), 1)])], T);
    });
    checkAgainstInterp(f, [2.5]);
  });

  it('copies each part when the callee returns a parameter, a member or a literal it also uses', () => {
    const passThrough = build('pass', [R], (_b, r) => r);
    const memberOf = build('memberOf', [structTy(['k'], [R])], (b, s) => b.member(s, 0));
    const shared = build('shared', [REAL], (b, x) => {
      const lit = b.struct([b.vec([x, x, x], V3), x, b.struct([x, x], P), b.prim('lt', [x, b.real(0)])], R);
      const again = b.call(passThrough, [lit]);
      return b.struct([b.member(again, 0), b.member(lit, 1), b.member(lit, 2), b.member(again, 3)], R);
    });
    const f = build('f', [REAL], (b, x) => {
      const r = b.call(parts(), [x]);
      const s = b.call(passThrough, [r]);
      const t = b.call(memberOf, [b.struct([s], structTy(['k'], [R]))]);
      const u = b.call(shared, [x]);
      return b.struct([b.member(t, 2), b.member(u, 0), b.vec([s, u], vecTy(2, R))], OUT);
    });
    checkAgainstInterp(f, [-1.25]);
    checkAgainstInterp(f, [3], { splitThreshold: 3 });
  });

  it('returns the split result of the root whole, and results too wide to split in one piece', () => {
    checkAgainstInterp(parts(), [0.5]);
    const W = structTy(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], Array(9).fill(REAL));
    const wide = build('wide', [REAL], (b, x) => b.struct(Array.from({ length: 9 }, (_, k) => b.prim('mul', [x, b.real(k)])), W));
    const f = build('f', [REAL], (b, x) => b.struct([b.call(wide, [x]), b.call(wide, [b.real(2)])], structTy(['p', 'q'], [W, W])));
    checkAgainstInterp(f, [1.5]);
  });

  it('builds parts in place inside loop elements and across chunks', () => {
    const g = parts();
    const E = structTy(['c', 'a'], [P, V3]);
    const f = build('f', [V3], (b, xs) =>
      b.forLoop(3, (i) => {
        const r = b.call(g, [b.index(xs, i)]);
        return b.struct([b.member(r, 2), b.member(r, 0)], E);
      }),
    );
    checkAgainstInterp(f, [[1, -2, 0.5]]);
    checkAgainstInterp(f, [[3, 0.25, -1]], { splitThreshold: 2 });
    const h = build('h', [REAL], (b, x) => b.forLoop(2, () => b.member(b.call(g, [b.prim('add', [x, x])]), 2)));
    checkAgainstInterp(h, [0.3]);
  });
});

describe('gradients through split results', () => {
  const pairTerm = (xi: Real, yi: Real, xj: Real, yj: Real, reach: Real): Real => {
    const dx = sub(xi, xj);
    const dy = sub(yi, yj);
    const d = sub(reach, sqrt(add(mul(dx, dx), mul(dy, dy))));
    const h = select(gt(d, 0), Real, d, 0);
    return mul(h, h);
  };
  const n = 8;
  const pair = fn([Real, Real, Real, Real, Real], Real, pairTerm);
  const energy = fn([Vec(2 * n, Real)], Real, (p) => {
    let e: Real = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) e = add(e, pair(p[2 * i]!, p[2 * i + 1]!, p[2 * j]!, p[2 * j + 1]!, 1.5));
    return e;
  });
  const point = Array.from({ length: 2 * n }, (_, k) => Math.sin(k * 1.7) * 2);

  it('matches the interpreter on a pairwise energy with a pair fn (residuals built in place)', () => {
    checkAgainstInterp(ir(valueAndGrad(energy)), [point]);
    checkAgainstInterp(ir(valueAndGrad(energy)), [point], { splitThreshold: 40 });
  });

  it('keeps no second copy of each call residuals in the frame', () => {
    // per call: 40 bytes of residuals in the residual struct, 8 for the call's primal result
    // and 8 for the cotangent passed back; a copy of the residuals would add 40 more
    const calls = (n * (n - 1)) / 2;
    const stats: FunctionStats[] = [];
    const { frameSize } = generate(ir(valueAndGrad(energy)), { stats });
    expect(frameSize).toBeLessThan(calls * 64);
    // the fwd of the pair returns its residuals and its result to two destinations
    expect(stats.some((s) => s.name.startsWith('fwd') && s.name.includes('pairTerm'))).toBe(true);
  });

  it('accumulates a gradient straight into the result (no copy of it in the frame)', () => {
    const m = 100;
    const sq = fn([Vec(m, Real)], Real, (x) => sum(m, (i) => mul(x[i]!, x[i]!)));
    const x = Array.from({ length: m }, (_, i) => i / 7 - 3);
    checkAgainstInterp(ir(valueAndGrad(sq)), [x]);
    checkAgainstInterp(ir(grad(sq)), [x]);
    // one vector fewer than with the accumulator copied into the result
    expect(generate(ir(valueAndGrad(sq))).frameSize).toBeLessThan(2 * 8 * m + 64);
    expect(generate(ir(grad(sq))).frameSize).toBeLessThan(3 * 8 * m + 64);
  });

  it('matches the interpreter on a step fn returning a struct of vecs, called in a chain', () => {
    const S = { p: Vec(3, Real), v: Vec(3, Real) };
    const step = fn([S, Real], S, (s, k) => ({
      p: vec(3, Real, (i) => add(s.p[i]!, mul(0.1, s.v[i]!))),
      v: vec(3, Real, (i) => sub(s.v[i]!, mul(k, s.p[i]!))),
    }));
    const f = fn([Vec(3, Real)], Real, (x) => {
      let s: { p: Vec<Real>; v: Vec<Real> } = { p: x, v: [0, 0, 0] } as never;
      for (let t = 0; t < 5; t++) s = step(s, 0.7) as never;
      return add(mul(s.p[0]!, s.p[1]!), mul(s.v[2]!, s.v[2]!));
    });
    checkAgainstInterp(ir(valueAndGrad(f)), [[0.3, -1.2, 2]]);
    checkAgainstInterp(ir(valueAndGrad(f)), [[0.3, -1.2, 2]], { splitThreshold: 30 });
  });

  it("exports the root taking its result's destinations as 'g' (the gradient built where the caller wants it)", () => {
    const m = 6;
    const f = fn([Vec(m, Real)], Real, (x) => sum(m, (i) => mul(x[i]!, sqrt(add(mul(x[i]!, x[i]!), 1)))));
    const art = generate(ir(valueAndGrad(f)));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(art.bytes), { '': {}, m: { '': memory } });
    const [whole, g] = [exports['f'] as (...a: number[]) => number, exports['g'] as (...a: number[]) => void];
    expect(g.length).toBe(4); // x, the gradient's and the value's destinations, sp
    const mem = new Float64Array(memory.buffer);
    const x = Array.from({ length: m }, (_, i) => i / 3 - 1);
    mem.set(x, 1);
    const sp = 8 * (2 * m + 2);
    const r = whole(8, sp) / 8; // {grad, value} at sp + frame
    const [want, wantValue] = [Array.from(mem.subarray(r, r + m)), mem[r + m]];
    mem.fill(NaN, m + 1, 2 * m + 2); // destinations right after x
    g(8, 8 * (m + 1), 8 * (2 * m + 1), sp);
    expect(Array.from(mem.subarray(m + 1, 2 * m + 1))).toEqual(want);
    expect(mem[2 * m + 1]).toBe(wantValue);
    expect(Array.from(mem.subarray(1, m + 1))).toEqual(x);
    // a scalar result has no destinations: no 'g'
    expect(WebAssembly.Module.exports(new WebAssembly.Module(generate(ir(f)).bytes)).map((e) => e.name)).toEqual(['f']);
  });
});
