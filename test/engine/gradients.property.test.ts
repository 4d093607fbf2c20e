/**
 * @file Derivatives of generated programs, checked three ways: forward mode against central
 * finite differences, reverse mode against forward mode (the transpose identity
 * <u, J v> = <J^T u, v>), and reverse-mode gradients against finite differences; plus gradients
 * for subsets of the parameters. Programs come from test/helpers/gen.ts.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { interpret, type Val } from '../../engine/interp/interp.ts';
import { check } from '../../engine/ir/check.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import { forEachInstr } from '../../engine/ir/visit.ts';
import { PRIM_NAMES } from '../../engine/ir/prims.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { GEN_VARIANTS, buildProgram, programArb, type ProgramSpec } from '../helpers/gen.ts';
import {
  argsFromPool,
  assertAgreeUpToRounding,
  assertClose,
  checkProperty,
  dot,
  finiteDiff,
  flatFunction,
  flatten,
  flattenAll,
  identityTol,
  poolArb,
  tame,
  tangents,
  unitsArb,
  unflattenAll,
  type Pool,
} from '../helpers/gradcheck.ts';
import { gradFlat, gradWrapper, runGrad, selected } from '../helpers/reverse.ts';
import {
  erase,
  tangentTy,
  varTypeList,
  type Block,
  type Func,
  type TransparentFunc,
} from '../../engine/ir/types.ts';

/** Text of a program for failure messages. */
const describeProgram = ([spec]: readonly [ProgramSpec, ...unknown[]]) => pprint(buildProgram(spec).root);

/** Return the flat tangent of `f`'s result at `x` along flat direction `d`, by `jvp(f)`. */
function jvpFlat(f: Func, x: readonly Val[], d: readonly number[]): { du: number[]; re: number[] } {
  const out = interpret(jvp(f), [...x, ...tangents(f.paramTypes, d)]) as Val[];
  return { du: flatten(tangentTy(f.retType), out[0]!), re: flatten(erase(f.retType), out[1]!) };
}

/** Sample inputs of `f` from a pool; undefined when its value is not finite and moderate. */
function sample(f: Func, pool: Pool, dirs: readonly number[]) {
  const x = argsFromPool(f.paramTypes, pool);
  const x0 = flattenAll(f.paramTypes, x);
  const F = flatFunction(f, x);
  const y0 = F(x0);
  if (!tame(y0)) return undefined;
  return { x, x0, F, y0, d: dirs.slice(0, x0.length) };
}

describe('the program generator', () => {
  it('builds valid IR covering every primitive and expression kind, loops nested two deep, repeated calls', () => {
    const seen = new Set<string>();
    for (const spec of fc.sample(programArb(), { seed: 1, numRuns: 300 })) {
      const { funcs } = buildProgram(spec);
      for (const f of funcs) {
        check(f);
        const calls = new Map<Func, number>();
        forEachInstr(f.body, (ins, depth) => {
          const e = ins.expr;
          seen.add(e.kind === 'prim' ? e.prim : e.kind);
          if (depth > 0) seen.add(`${e.kind}@${depth}`);
          if (e.kind === 'select') seen.add(`select:${varTypeList(f)[e.then]!.kind}`);
          if (e.kind === 'index') seen.add(`index:${varTypeList(f)[ins.var]!.kind}`);
          if (e.kind === 'call') calls.set(e.func, (calls.get(e.func) ?? 0) + 1);
          if (e.kind === 'for') seen.add(`for:${(varTypeList(f)[ins.var] as { size: number }).size}`);
        });
        if ([...calls.values()].some((n) => n > 1)) seen.add('call twice');
        for (const t of f.paramTypes) seen.add(`param:${t.kind}`);
        seen.add(`ret:${f.retType.kind}`);
      }
      seen.add(`funcs:${funcs.length}`);
    }
    const want = [
      ...PRIM_NAMES,
      ...['lit', 'zero', 'vec', 'struct', 'index', 'member', 'slice', 'field', 'select', 'call', 'for', 'accum', 'add', 'resolve'],
      ...['for:0', 'for:1', 'for@1', 'add@2', 'slice@2', 'call@1', 'select:vec', 'select:struct', 'call twice', 'index:vec', 'index:struct'],
      ...['param:real', 'param:vec', 'param:struct', 'param:bool', 'param:fin', 'ret:real', 'ret:vec', 'ret:struct'],
      ...['funcs:1', 'funcs:2', 'funcs:3'],
    ];
    expect(want.filter((k) => !seen.has(k))).toEqual([]);
  });
});

describe('the program generator with cond', () => {
  it('builds valid IR with conds of each result kind, nested in loops and conds, holding calls, loops and adds', () => {
    const seen = new Set<string>();
    /** Record the kinds in `block` (`where`: the blocks around it, outermost first). */
    const walk = (f: TransparentFunc, block: Block, where: string) => {
      for (const { var: v, expr: e } of block) {
        if (where.includes('cond')) seen.add(`${e.kind}@${where}`);
        if (e.kind === 'for') walk(f, e.body, `${where}for,`);
        if (e.kind !== 'cond') continue;
        seen.add(`cond:${varTypeList(f)[v]!.kind}`);
        // a result from outside the block (the block yields a value it does not define)
        if (!e.els.some((i) => i.var === e.elsRet)) seen.add('ret from outside');
        walk(f, e.then, `${where}cond,`);
        walk(f, e.els, `${where}cond,`);
      }
    };
    for (const spec of fc.sample(programArb({ cond: true }), { seed: 1, numRuns: 300 }))
      for (const f of buildProgram(spec).funcs) {
        check(f);
        walk(f, f.body, '');
      }
    const want = [
      ...['cond:real', 'cond:vec', 'cond:struct', 'ret from outside'],
      ...['call@cond,', 'for@cond,', 'cond@cond,', 'cond@for,cond,', 'add@for,cond,', 'add@cond,for,', 'resolve@cond,'],
      'add@cond,', // into an accumulator made before the cond
    ];
    expect(want.filter((k) => !seen.has(k))).toEqual([]);
  });
});

describe.each(GEN_VARIANTS)('generated programs%s: forward mode', (_, gen) => {
  it('jvp agrees with central finite differences in a random direction', () => {
    const stats = checkProperty(
      fc.tuple(programArb(gen), poolArb(), unitsArb()),
      ([spec, pool, dirs]) => {
        const f = buildProgram(spec).root;
        const s = sample(f, pool, dirs);
        if (!s) return 'skip';
        const { du, re } = jvpFlat(f, s.x, s.d);
        assertClose(re, s.y0, { rtol: 0, atol: 0 }, 'jvp primal vs f');
        const fd = finiteDiff(s.F, s.x0, s.d);
        if (!fd.smooth || !tame(du, 1e8)) return 'skip';
        assertClose(du, fd.fd, { rtol: 1e-5, atol: 1e-7 + 100 * fd.noise }, 'jvp tangent vs finite differences');
      },
      describeProgram,
    );
    expect(stats.runs).toBeGreaterThan(0);
  });
});

/** Return the flat cotangent-weighted gradient `J^T u` of `f` at `x` (all params), and f(x). */
function vjpFlat(f: Func, x: readonly Val[], y: Val, u: readonly number[], wrt?: readonly boolean[]) {
  const ct = unflattenAll([erase(f.retType)], u, [y])[0]!;
  const { ret, grads } = runGrad(f, x, ct, wrt);
  const g: number[] = [];
  selected(f, wrt).forEach((k, j) => flatten(f.paramTypes[k]!, grads[j]!, g));
  return { ret, g };
}

describe.each(GEN_VARIANTS)('generated programs%s: reverse mode', (_, gen) => {
  it('satisfies the transpose identity <u, J v> = <J^T u, v> against jvp', () => {
    const stats = checkProperty(
      fc.tuple(programArb(gen), poolArb(), unitsArb(), unitsArb()),
      ([spec, pool, dirs, cts]) => {
        const f = buildProgram(spec).root;
        const s = sample(f, pool, dirs);
        if (!s) return 'skip';
        const u = cts.slice(0, s.y0.length);
        const { du } = jvpFlat(f, s.x, s.d);
        const y = interpret(f, s.x);
        check(gradWrapper(f));
        const { ret, g } = vjpFlat(f, s.x, y, u);
        assertClose(flatten(erase(f.retType), ret), s.y0, { rtol: 0, atol: 0 }, 'reverse-mode primal vs f');
        if (!tame(du, 1e8) || !tame(g, 1e8)) return 'skip';
        const sides = (x0: readonly number[]) => {
          const x = unflattenAll(f.paramTypes, x0, s.x);
          const jv = jvpFlat(f, x, s.d).du;
          return { a: [dot(vjpFlat(f, x, y, u).g, s.d)], b: [dot(u, jv)] };
        };
        assertAgreeUpToRounding(sides, s.x0, { rtol: 0, atol: identityTol(u, du, g, s.d) }, '<J^T u, v> vs <u, J v>');
      },
      describeProgram,
    );
    expect(stats.runs).toBeGreaterThan(0);
  });

  it('gives gradients of real-valued programs that match finite differences per coordinate', () => {
    checkProperty(
      fc.tuple(programArb({ ...gen, rootOut: 'real' }), poolArb(), unitsArb()),
      ([spec, pool, dirs]) => {
        const f = buildProgram(spec).root;
        const s = sample(f, pool, dirs);
        if (!s) return 'skip';
        const g = gradFlat(f, s.x);
        if (!tame(g, 1e8)) return 'skip';
        const fd: number[] = [];
        let noise = 0;
        for (let j = 0; j < s.x0.length; j++) {
          const e = s.x0.map((_, k) => (k === j ? 1 : 0));
          const r = finiteDiff(s.F, s.x0, e);
          if (!r.smooth) return 'skip';
          fd.push(r.fd[0]!);
          noise = Math.max(noise, r.noise);
        }
        assertClose(g, fd, { rtol: 1e-5, atol: 1e-7 + 100 * noise }, 'gradient vs finite differences');
      },
      describeProgram,
    );
  });

  it('gives the same gradients for a subset of parameters (wrt) as the full gradient', () => {
    checkProperty(
      fc.tuple(programArb(gen), poolArb(), unitsArb(), fc.nat(7)),
      ([spec, pool, cts, mask]) => {
        const f = buildProgram(spec).root;
        const x = argsFromPool(f.paramTypes, pool);
        const y = interpret(f, x);
        const u = cts.slice(0, flatten(erase(f.retType), y).length);
        const wrt = f.paramTypes.map((_, k) => ((mask >> k) & 1) === 1);
        const ct = unflattenAll([erase(f.retType)], u, [y])[0]!;
        const full = runGrad(f, x, ct);
        const part = runGrad(f, x, ct, wrt);
        expect(part.grads.length).toBe(selected(f, wrt).length);
        // Same sums, possibly in another order (fewer tangents are live): rounding only, relative
        // to the cotangent's size where they cancel.
        const fullFlat = f.paramTypes.flatMap((t, k) => flatten(t, full.grads[k]!));
        const atol = 1e-12 * u.reduce((a, c) => a + Math.abs(c), 0) * (1 + Math.max(0, ...fullFlat.map(Math.abs)));
        const grads = (x0: readonly number[]) => {
          const xs = unflattenAll(f.paramTypes, x0, x);
          const [p, q] = [runGrad(f, xs, ct, wrt), runGrad(f, xs, ct)];
          return {
            a: selected(f, wrt).flatMap((k, j) => flatten(f.paramTypes[k]!, p.grads[j]!)),
            b: selected(f, wrt).flatMap((k) => flatten(f.paramTypes[k]!, q.grads[k]!)),
          };
        };
        assertAgreeUpToRounding(grads, flattenAll(f.paramTypes, x), { rtol: 1e-12, atol }, `gradients with wrt=${wrt} vs full`);
        selected(f, wrt).forEach((k, j) => {
          expect(nonFloatLeaves(part.grads[j]!)).toEqual(nonFloatLeaves(x[k]!));
        });
      },
      describeProgram,
    );
  });
});

/** Return the bool/index leaves of a value (gradients copy them from the argument). */
function nonFloatLeaves(v: Val): unknown {
  if (Array.isArray(v)) return v.map(nonFloatLeaves);
  return typeof v === 'number' ? 'f' : v;
}
