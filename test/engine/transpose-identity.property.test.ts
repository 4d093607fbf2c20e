/**
 * @file The transpose identity <u, lin(v)> = <bwd(u), v> on generated programs, at the level of
 * the passes themselves: `unzip(jvp(f))` gives `fwd` and `lin`, `transpose(lin)` gives `bwd`, and
 * each is run by the interpreter with arguments laid out exactly as the contracts in
 * engine/transforms/{jvp,unzip,transpose,vjp}.ts say. Also checks those layouts (parameter and
 * result types), that `fwd` computes f, and that `lin` computes the same tangent as `jvp`.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { accumulator, interpret, type Accumulator, type Val } from '../../engine/interp/interp.ts';
import { zeroOf } from '../../engine/interp/values.ts';
import { check } from '../../engine/ir/check.ts';
import { formatType, pprint } from '../../engine/ir/pprint.ts';
import {
  erase,
  hasTan,
  linearPart,
  primalPart,
  structTy,
  tangentTy,
  tyEqual,
  type TransparentFunc,
  type Ty,
} from '../../engine/ir/types.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';
import { vjpFuncs } from '../../engine/transforms/vjp.ts';
import { GEN_VARIANTS, buildProgram, programArb, type ProgramSpec } from '../helpers/gen.ts';
import {
  argsFromPool,
  assertAgreeUpToRounding,
  assertClose,
  checkProperty,
  dot,
  flatten,
  flattenAll,
  floatCount,
  identityTol,
  poolArb,
  tame,
  unflattenAll,
  unitsArb,
  type Pool,
} from '../helpers/gradcheck.ts';

const describeProgram = ([spec]: readonly [ProgramSpec, ...unknown[]]) => pprint(buildProgram(spec).root);

/** Throw unless `actual` equals `expected` (structurally), naming the position. */
function expectTypes(actual: readonly Ty[], expected: readonly Ty[], what: string): void {
  const show = (ts: readonly Ty[]) => ts.map(formatType).join(', ');
  if (actual.length !== expected.length || actual.some((t, k) => !tyEqual(t, expected[k]!)))
    throw new Error(`${what}: types (${show(actual)}), contract says (${show(expected)})`);
}

/** Return member `k` of struct type `t`. */
function memberTy(t: Ty, k: number): Ty {
  if (t.kind !== 'struct') throw new Error(`expected a struct type, got ${formatType(t)}`);
  return t.members[k]!;
}

/** What one run of fwd, lin and bwd gives. */
interface Round {
  /** f(x) as computed by fwd. */
  readonly y: number[];
  /** lin(v): the tangent of the result. */
  readonly jv: number[];
  /** bwd(u): the cotangents of the tangent inputs, flat, in order. */
  readonly jtu: number[];
}

/**
 * Run `fwd`, `lin` and `bwd` of a JVP function `J` of `f` (whose first `x.length` params are
 * primal, the rest tangent inputs of types `tanTys`), on primal args `x`, tangents `v` (flat) and
 * result cotangent `u` (flat).
 */
function round(
  J: TransparentFunc,
  parts: {
    fwd: TransparentFunc;
    lin?: TransparentFunc;
    bwd: TransparentFunc;
    passed?: readonly number[];
  },
  x: readonly Val[],
  v: readonly number[],
  u: readonly number[],
): Round {
  const { fwd, lin, bwd } = parts;
  // the params lin reads as params of its own, after res (unzip's passParams)
  const passed = parts.passed ?? [];
  const passedTys = passed.map((k) => primalPart(J.paramTypes[k]!));
  const passedVals = passed.map((k) => x[k]!);
  const np = x.length;
  // fwd(...primalPart(J params)) -> {res, ret: primalPart(J ret)}
  expectTypes(fwd.paramTypes, J.paramTypes.map(primalPart), 'fwd params');
  const fwdOut = interpret(fwd, J.paramTypes.map((t, k) => (k < np ? x[k]! : zeroOf(primalPart(t))))) as Val[];
  const fwdRet = fwd.retType;
  if (fwdRet.kind !== 'struct' || fwdRet.keys.join() !== 'res,ret')
    throw new Error(`fwd result ${formatType(fwdRet)}, contract says {res, ret}`);
  expectTypes([fwdRet.members[1]!], [primalPart(J.retType)], 'fwd ret');
  const [res, ret] = fwdOut as [Val, Val[]];
  const y = flatten(erase(memberTy(J.retType, 1)), ret[1]!);
  const resTy = fwdRet.members[0]!;
  // lin(...linearPart(J params), res, ...passed params) -> linearPart(J ret)
  const tanTys = J.paramTypes.slice(np);
  const vVals = unflattenAll(tanTys, v);
  const linArgs: Val[] = [
    ...J.paramTypes.slice(0, np).map((t) => zeroOf(linearPart(t))),
    ...vVals,
    res,
    ...passedVals,
  ];
  let jv: number[] = [];
  if (lin) {
    expectTypes(lin.paramTypes, [...J.paramTypes.map(linearPart), resTy, ...passedTys], 'lin params');
    expectTypes([lin.retType], [linearPart(J.retType)], 'lin ret');
    const linOut = interpret(lin, linArgs) as Val[];
    jv = flatten(memberTy(lin.retType, 0), linOut[0]!);
  }
  // bwd: passthrough for tangent-free params, an accumulator for each other, then ct.
  const linTys = [...J.paramTypes.map(linearPart), resTy, ...passedTys];
  const expected = [
    ...linTys.map((t) => (hasTan(t) ? { kind: 'ref' as const, inner: erase(t) } : erase(t))),
    erase(linearPart(J.retType)),
  ];
  expectTypes(bwd.paramTypes, expected, 'bwd params');
  const accs: (Accumulator | undefined)[] = linTys.map((t) => (hasTan(t) ? accumulator(erase(t), zeroOf(erase(t))) : undefined));
  const ct = unflattenAll([erase(linearPart(J.retType))], u)[0]!;
  interpret(bwd, [...linTys.map((_, k) => accs[k] ?? linArgs[k]!), ct]);
  const jtu: number[] = [];
  tanTys.forEach((t, k) => {
    const acc = accs[np + k];
    if (acc) flatten(erase(t), acc.get(), jtu);
    else if (hasTan(t)) throw new Error(`no accumulator for tangent input ${k}`);
  });
  return { y, jv, jtu };
}

/** Sample x, v, u for f from the pools. */
function sample(f: TransparentFunc, pool: Pool, dirs: readonly number[], cts: readonly number[]) {
  const x = argsFromPool(f.paramTypes, pool);
  const y = flatten(f.retType, interpret(f, x));
  return { x, y, u: cts.slice(0, y.length), dirs };
}

describe.each(GEN_VARIANTS)('generated programs%s: unzip and transpose', (_, gen) => {
  it('fwd computes f, lin computes the jvp tangent, and <u, lin v> = <bwd u, v>', () => {
    const stats = checkProperty(
      fc.tuple(programArb(gen), poolArb(), unitsArb(), unitsArb()),
      ([spec, pool, dirs, cts]) => {
        const f = buildProgram(spec).root;
        const { x, y, u } = sample(f, pool, dirs, cts);
        if (!tame(y)) return 'skip';
        const J = jvp(f);
        const { fwd, lin } = unzip(J);
        for (const g of [J, fwd, lin, transpose(lin)]) check(g);
        const v = dirs.slice(0, countTan(J, x.length));
        const r = round(J, { fwd, lin, bwd: transpose(lin) }, x, v, u);
        assertClose(r.y, y, { rtol: 0, atol: 0 }, 'fwd ret vs f');
        const jvp0 = interpret(J, [...x, ...unflattenAll(J.paramTypes.slice(x.length), v)]) as Val[];
        const du = flatten(tangentTy(f.retType), jvp0[0]!);
        if (!tame(du, 1e8) || !tame(r.jtu, 1e8)) return 'skip';
        assertClose(r.jv, du, { rtol: 1e-12, atol: 1e-12 * (1 + Math.max(0, ...du.map(Math.abs))) }, 'lin(v) vs jvp tangent');
        const sides = (x0: readonly number[]) => {
          const q = round(J, { fwd, lin, bwd: transpose(lin) }, unflattenAll(f.paramTypes, x0, x), v, u);
          return { a: [dot(q.jtu, v)], b: [dot(u, q.jv)] };
        };
        assertAgreeUpToRounding(sides, flattenAll(f.paramTypes, x), { rtol: 0, atol: identityTol(u, r.jv, r.jtu, v) }, '<bwd u, v> vs <u, lin v>');
      },
      describeProgram,
    );
    expect(stats.runs).toBeGreaterThan(0);
  });

  it('vjpFuncs(f, wrt) satisfies <bwd u, v> = <u, jvp(f, wrt) v> and matches the full bwd on the subset', () => {
    checkProperty(
      fc.tuple(programArb(gen), poolArb(), unitsArb(), unitsArb(), fc.nat(7)),
      ([spec, pool, dirs, cts, mask]) => {
        const f = buildProgram(spec).root;
        const { x, y, u } = sample(f, pool, dirs, cts);
        if (!tame(y)) return 'skip';
        const wrt = f.paramTypes.map((_, k) => ((mask >> k) & 1) === 1);
        const J = jvp(f, wrt);
        const ntan = countTan(J, x.length);
        const v = dirs.slice(0, ntan);
        const parts = vjpFuncs(f, wrt);
        check(parts.fwd);
        check(parts.bwd);
        const r = round(J, parts, x, v, u);
        assertClose(r.y, y, { rtol: 0, atol: 0 }, 'vjpFuncs fwd ret vs f');
        const out = interpret(J, [...x, ...unflattenAll(J.paramTypes.slice(x.length), v)]) as Val[];
        const du = flatten(tangentTy(f.retType), out[0]!);
        if (!tame(du, 1e8) || !tame(r.jtu, 1e8)) return 'skip';
        const sides = (x0: readonly number[]) => {
          const xs = unflattenAll(f.paramTypes, x0, x);
          const q = round(J, parts, xs, v, u);
          const o = interpret(J, [...xs, ...unflattenAll(J.paramTypes.slice(x.length), v)]) as Val[];
          return { a: [dot(q.jtu, v)], b: [dot(u, flatten(tangentTy(f.retType), o[0]!))] };
        };
        assertAgreeUpToRounding(sides, flattenAll(f.paramTypes, x), { rtol: 0, atol: identityTol(u, du, r.jtu, v) }, '<bwd u, v> vs <u, J v>');
        // and bwd for the subset gives the selected entries of bwd for all parameters
        const Jall = jvp(f);
        const all = round(Jall, vjpFuncs(f), x, dirs.slice(0, countTan(Jall, x.length)), u);
        const atol = 1e-12 * u.reduce((a, c) => a + Math.abs(c), 0) * (1 + Math.max(0, ...all.jtu.map(Math.abs)));
        const subsets = (x0: readonly number[]) => {
          const xs = unflattenAll(f.paramTypes, x0, x);
          const whole = round(Jall, vjpFuncs(f), xs, dirs.slice(0, countTan(Jall, x.length)), u).jtu;
          return { a: round(J, parts, xs, v, u).jtu, b: pick(f.paramTypes, wrt, whole) };
        };
        assertAgreeUpToRounding(subsets, flattenAll(f.paramTypes, x), { rtol: 1e-12, atol }, `bwd of vjpFuncs(f, ${wrt}) vs selected entries of bwd of vjpFuncs(f)`);
      },
      describeProgram,
    );
  });

  it('lays out a tiny function exactly as the contracts say', () => {
    // Smallest check that the layouts above are the contracts' (not the generator's) layouts.
    const f = buildProgram({ funcs: [{ params: ['real', 'bool'], steps: [], out: 'pair' }] }).root;
    const J = jvp(f);
    expect(J.paramTypes.length).toBe(4);
    expect(tyEqual(J.retType, structTy(['du', 're'], [tangentTy(f.retType), erase(f.retType)]))).toBe(true);
    const r = round(J, { ...unzip(J), bwd: transpose(unzip(J).lin) }, [0.5, true], [1], [1, 0, 0]);
    expect(r.y[0]).toBeCloseTo(0.5, 12);
    expect(r.jtu).toEqual([1]);
  });
});

/** Return the entries of flat `all` (float leaves of params of types `ts`) of the params in `wrt`. */
function pick(ts: readonly Ty[], wrt: readonly boolean[], all: readonly number[]): number[] {
  const out: number[] = [];
  let at = 0;
  ts.forEach((t, k) => {
    const n = floatCount(t);
    if (wrt[k]) out.push(...all.slice(at, at + n));
    at += n;
  });
  return out;
}

/** Return the number of float leaves of the tangent inputs of `J` (params after the first `np`). */
function countTan(J: TransparentFunc, np: number): number {
  return J.paramTypes.slice(np).reduce((n, t) => n + floatCount(t), 0);
}
