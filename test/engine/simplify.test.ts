/**
 * @file Tests of `simplify`: each rule on a small function, then properties over generated
 * programs (and their jvp/unzip/transpose outputs): results unchanged in the interpreter (bit for
 * bit, -0 and NaN included), output valid, idempotent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret, type Val } from '../../engine/interp/interp.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import type { Prim } from '../../engine/ir/prims.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import {
  BOOL,
  REAL,
  TAN,
  UNIT,
  finTy,
  refTy,
  structTy,
  varTypeList,
  vecTy,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../../engine/ir/types.ts';
import { simplify } from '../../engine/transforms/simplify.ts';
import { GEN_VARIANTS, buildProgram, programArb } from '../helpers/gen.ts';
import { argsOf, reverseStages, sameValue } from '../helpers/agree.ts';
import { SEED, checkProperty, poolArb } from '../helpers/gradcheck.ts';

/** Return the body lines of `f` (the last function printed), without header, `return` and `}`. */
function lines(f: TransparentFunc): string[] {
  const text = pprint(f).trimEnd().split('\n');
  const start = text.findIndex((l) => l.startsWith(`fn ${f.name}_`));
  return text.slice(start + 1, -2).map((l) => l.slice(2));
}

/** Return `build(b, ...params)` as a finished function of the given parameter types. */
function func(params: Ty[], build: (b: FuncBuilder, ...ps: Var[]) => Var, name = 'f'): TransparentFunc {
  const b = new FuncBuilder(name);
  const ps = params.map((t) => b.param(t));
  return b.finish(build(b, ...ps));
}

/** Assert that `f` and `simplify(f)` agree on `args` (made fresh per run, accumulators included). */
function agree(f: TransparentFunc, args: () => Val[]): TransparentFunc {
  const s = simplify(f);
  check(s);
  const [a0, a1] = [args(), args()];
  const [r0, r1] = [interpret(f, a0), interpret(s, a1)];
  if (!sameValue(r0, r1) || !sameValue(a0, a1))
    throw new Error(`results differ: ${String(r0)} vs ${String(r1)}\n${pprint(f)}\n${pprint(s)}`);
  return s;
}

describe('simplify: dead code', () => {
  it('drops unused pure instructions and loops, keeps adds and what they read', () => {
    const f = func([REAL, vecTy(2, REAL)], (b, x, v) => {
      b.prim('sin', [x]); // dead
      b.forLoop(2, (i) => b.prim('exp', [b.index(v, i)])); // dead loop
      const acc = b.accum(x);
      b.add(acc, b.prim('cos', [x])); // kept although its result is unused
      return b.resolve(acc);
    });
    expect(lines(simplify(f))).toEqual([
      'x2: ref<real> = accum x0',
      'x3: real = cos x0',
      'x4: unit = x2 += x3',
      'x5: real = resolve x2',
    ]);
  });

  it('keeps loops that add into outer accumulators, drops loops with only inner effects', () => {
    const f = func([vecTy(3, REAL)], (b, v) => {
      const acc = b.accum(b.real(0));
      b.forLoop(3, (i) => b.add(acc, b.index(v, i))); // kept: adds into acc
      b.forLoop(3, (i) => {
        // dead: a sum inside the body, nothing escapes
        const inner = b.accum(b.real(0));
        b.add(inner, b.index(v, i));
        return b.resolve(inner);
      });
      return b.resolve(acc);
    });
    const s = simplify(f);
    expect(lines(s).filter((l) => l.includes('for'))).toHaveLength(1);
    expect(lines(s).filter((l) => l.includes('+='))).toHaveLength(1);
    agree(f, () => [[1, 2, 3]]);
  });

  it('keeps calls with accumulator arguments and drops pure unused calls', () => {
    const scatter = func([refTy(REAL), REAL], (b, r, x) => {
      b.add(r, x);
      return b.unit();
    }, 'scatter');
    const sq = func([REAL], (b, x) => b.prim('mul', [x, x]), 'sq');
    const f = func([REAL], (b, x) => {
      const acc = b.accum(x);
      b.call(scatter, [acc, x]);
      b.call(sq, [x]);
      return b.resolve(acc);
    });
    const s = simplify(f);
    expect(pprint(s)).toContain('scatter_1(x');
    expect(pprint(s)).not.toContain('sq_');
    expect(interpret(s, [3])).toBe(3);
  });
});

describe('simplify: constant folding and identities', () => {
  it('folds primitives of literals with the interpreter semantics', () => {
    const cases: [Prim, (number | boolean)[], Ty, Ty, number | boolean][] = [
      ['add', [1, 2], REAL, REAL, 3],
      ['sign', [-0], REAL, REAL, -1],
      ['sign', [0], REAL, REAL, 1],
      ['sqrt', [-1], REAL, REAL, NaN],
      ['neg', [0], REAL, REAL, -0],
      ['min', [0, -0], REAL, REAL, -0],
      ['exp', [1], REAL, REAL, Math.exp(1)],
      ['lt', [1, NaN], REAL, BOOL, false],
      ['neq', [NaN, NaN], REAL, BOOL, true],
      ['xor', [true, false], BOOL, BOOL, true],
      ['ilt', [1, 2], finTy(3), BOOL, true],
      ['iadd', [1, 1], finTy(3), finTy(3), 2],
    ];
    for (const [prim, args, t, rt, want] of cases) {
      const f = func([], (b) => b.prim(prim, args.map((a) => b.lit(a, t)), rt));
      const s = simplify(f);
      expect(lines(s), prim).toHaveLength(1);
      expect(s.body[0]!.expr, prim).toMatchObject({ kind: 'lit', value: want });
      expect(Object.is(interpret(s, []), want), prim).toBe(true);
    }
    const imod = func([], (b) => b.prim('imod', [b.lit(5, finTy(7))], finTy(3)));
    expect(simplify(imod).body[0]!.expr).toEqual({ kind: 'lit', value: 2 });
  });

  it('folds through chains and zeros', () => {
    const f = func([], (b) => b.prim('mul', [b.prim('add', [b.real(1), b.zero(REAL)]), b.real(4)]));
    expect(lines(simplify(f))).toEqual(['x0: real = 4']);
  });

  it('applies only identities exact for -0, NaN and infinities', () => {
    const cases: [string, (b: FuncBuilder, x: Var) => Var, string[]][] = [
      ['neg neg', (b, x) => b.prim('neg', [b.prim('neg', [x])]), []],
      ['x * 1', (b, x) => b.prim('mul', [x, b.real(1)]), []],
      ['1 * x', (b, x) => b.prim('mul', [b.real(1), x]), []],
      ['x / 1', (b, x) => b.prim('div', [x, b.real(1)]), []],
      ['x - 0', (b, x) => b.prim('sub', [x, b.real(0)]), []],
      ['x + -0', (b, x) => b.prim('add', [x, b.real(-0)]), []],
      ['x * -1', (b, x) => b.prim('mul', [x, b.real(-1)]), ['x1: real = neg x0']],
      ['abs neg', (b, x) => b.prim('abs', [b.prim('neg', [x])]), ['x1: real = abs x0']],
      ['x + 0 stays', (b, x) => b.prim('add', [x, b.real(0)]), ['x1: real = 0', 'x2: real = add x0 x1']],
      ['x - -0 stays', (b, x) => b.prim('sub', [x, b.real(-0)]), ['x1: real = -0', 'x2: real = sub x0 x1']],
      ['x * 0 stays', (b, x) => b.prim('mul', [x, b.real(0)]), ['x1: real = 0', 'x2: real = mul x0 x1']],
    ];
    for (const [what, build, want] of cases) {
      const f = func([REAL], build);
      const s = simplify(f);
      expect(lines(s), what).toEqual(want);
      for (const x of [-0, 0, NaN, Infinity, -Infinity, -2.5]) expect(Object.is(interpret(s, [x]), interpret(f, [x])), `${what} at ${x}`).toBe(true);
    }
  });

  it('applies identities to tangents, keeping types', () => {
    const f = func([TAN], (b, dx) => b.prim('sub', [b.prim('mul', [dx, b.real(1)]), b.zero(TAN)]));
    expect(lines(simplify(f))).toEqual([]);
    // mul(-1 as a tan literal, x) would be a real neg: not rewritten into an ill-typed instruction.
    const g = func([REAL], (b, x) => b.prim('mul', [b.lit(-1, TAN), x]));
    expect(() => check(simplify(g))).not.toThrow();
  });

  it('simplifies boolean logic and index comparisons with themselves', () => {
    const f = func([BOOL, finTy(3)], (b, c, i) => {
      const t = b.prim('and', [b.prim('not', [b.prim('not', [c])]), b.lit(true, BOOL)]);
      return b.prim('or', [t, b.prim('ilt', [i, i])]);
    });
    expect(lines(simplify(f))).toEqual([]);
    expect(interpret(simplify(f), [true, 1])).toBe(true);
  });
});

describe('simplify: forwarding', () => {
  it('forwards members of struct literals, elements of vec literals and literal selects', () => {
    const f = func([REAL, REAL, BOOL], (b, x, y, c) => {
      const s = b.struct([x, y], structTy(['a', 'b'], [REAL, REAL]));
      const v = b.vec([x, y], vecTy(2, REAL));
      const e = b.index(v, b.lit(1, finTy(2)));
      const m = b.member(s, 0);
      const p = b.select(b.lit(false, BOOL), m, e);
      return b.prim('add', [p, b.select(c, m, m)]);
    });
    expect(lines(simplify(f))).toEqual(['x3: real = add x1 x0']);
  });

  it('forwards projections of zero to zero', () => {
    const f = func([], (b) => b.index(b.member(b.zero(structTy(['u'], [vecTy(2, TAN)])), 0), b.lit(1, finTy(2))), 'g');
    expect(lines(simplify(f))).toEqual(['x0: tan = zero']);
  });

  it('turns resolve of an accumulator without adds into zero', () => {
    const f = func([vecTy(2, REAL)], (b, v) => {
      const acc = b.accum(v);
      const part = b.resolve(b.slice(acc, b.lit(0, finTy(2))));
      return b.struct([part, b.resolve(acc)], structTy(['a', 'b'], [REAL, vecTy(2, REAL)]));
    });
    expect(lines(simplify(f))).toEqual([
      'x1: real = zero',
      'x2: vec<2, real> = zero',
      'x3: {a: real, b: vec<2, real>} = {a: x1, b: x2}',
    ]);
    // Bool leaves of an accumulator copy the shape: not a zero.
    const g = func([structTy(['b', 'x'], [BOOL, REAL])], (b, s) => b.resolve(b.accum(s)));
    expect(lines(simplify(g))).toHaveLength(2);
    expect(interpret(simplify(g), [[true, 2]])).toEqual([true, 0]);
    // An accumulator passed to a call may receive adds: kept.
    const add = func([refTy(REAL)], (b, r) => (b.add(r, b.real(1)), b.unit()), 'add1');
    const h = func([REAL], (b, x) => {
      const acc = b.accum(x);
      b.call(add, [acc]);
      return b.resolve(acc);
    });
    expect(interpret(simplify(h), [5])).toBe(1);
  });

  it('replaces pure values of empty types by zero', () => {
    const unitFn = func([REAL], (b) => b.unit(), 'nothing');
    const f = func([REAL], (b, x) => {
      const u = b.call(unitFn, [x]);
      return b.struct([u, b.forLoop(2, () => b.unit())], structTy(['a', 'b'], [UNIT, vecTy(2, UNIT)]));
    });
    expect(lines(simplify(f))).toEqual(['x1: {a: unit, b: vec<2, unit>} = zero']);
  });
});

describe('simplify: common subexpressions', () => {
  it('merges equal pure instructions, commutative operands, and outer ones seen from loops', () => {
    const f = func([REAL, REAL], (b, x, y) => {
      const a = b.prim('mul', [x, y]);
      const c = b.prim('mul', [y, x]);
      b.real(2);
      const loop = b.forLoop(2, () => b.prim('add', [b.prim('mul', [x, y]), b.real(2)]));
      const d = b.prim('add', [b.real(2), b.prim('sin', [a])]);
      return b.struct([b.prim('add', [b.prim('sin', [c]), d]), loop], structTy(['s', 'v'], [REAL, vecTy(2, REAL)]));
    });
    const s = simplify(f);
    expect(lines(s).filter((l) => l.includes('mul'))).toHaveLength(1);
    expect(lines(s).filter((l) => l.includes('sin'))).toHaveLength(1);
    expect(lines(s).filter((l) => l.includes('= 2'))).toHaveLength(1);
    agree(f, () => [1.5, -3]);
  });

  it('does not merge across sibling blocks, nor accumulators, resolves and loops', () => {
    const f = func([REAL], (b, x) => {
      const l1 = b.forLoop(2, () => b.prim('exp', [x]));
      const l2 = b.forLoop(2, (i) => b.prim('exp', [b.index(l1, i)]));
      const a1 = b.accum(x);
      const a2 = b.accum(x);
      b.add(a1, x);
      const r = b.prim('add', [b.resolve(a1), b.resolve(a2)]);
      const l3 = b.forLoop(2, () => b.prim('exp', [x]));
      return b.struct([r, l2, l3], structTy(['r', 'u', 'v'], [REAL, vecTy(2, REAL), vecTy(2, REAL)]));
    });
    const s = simplify(f);
    expect(lines(s).filter((l) => l.includes('for'))).toHaveLength(3);
    expect(lines(s).filter((l) => l.includes('accum'))).toHaveLength(1); // a2 has no adds: zero
    agree(f, () => [0.5]);
  });

  it('merges equal calls without accumulator arguments', () => {
    const sq = func([REAL], (b, x) => b.prim('mul', [x, x]), 'sq');
    const f = func([REAL], (b, x) => b.prim('add', [b.call(sq, [x]), b.call(sq, [x])]));
    expect(lines(simplify(f))).toEqual(['x1: real = sq_1(x0)', 'x2: real = add x1 x1']);
  });
});

describe('simplify: functions and memoization', () => {
  it('simplifies a shared callee once and memoizes', () => {
    const g = func([REAL], (b, x) => b.prim('neg', [b.prim('neg', [x])]), 'g');
    const f = func([REAL], (b, x) => b.prim('mul', [b.call(g, [x]), b.call(g, [b.prim('sin', [x])])]));
    const s = simplify(f);
    const callees = new Set(s.body.flatMap((i) => (i.expr.kind === 'call' ? [i.expr.func] : [])));
    expect(callees.size).toBe(1);
    expect([...callees][0]).toBe(simplify(g));
    expect(simplify(f)).toBe(s);
    expect(simplify(s)).toBe(s);
    expect(pprint(s)).toContain('fn g_1(x0: real) -> real {\n  return x0\n}');
  });

  it('returns a function unchanged when there is nothing to do, keeping its custom JVP', () => {
    const sq = func([REAL], (b, x) => b.prim('mul', [x, x]), 'sq');
    expect(simplify(sq)).toBe(sq);
    const f = func([REAL], (b, x) => (b.prim('sin', [x]), x));
    f.customJvp = sq;
    const s = simplify(f);
    expect(s).not.toBe(f);
    expect(s.customJvp).toBe(sq);
    expect(s.paramTypes).toBe(f.paramTypes);
    expect(varTypeList(s)).toHaveLength(1);
  });

  it('handles long call chains without deep recursion', () => {
    let g = func([REAL], (b, x) => b.prim('mul', [x, b.real(1)]), 'g');
    for (let k = 0; k < 3000; k++) {
      const h = g;
      g = func([REAL], (b, x) => b.call(h, [b.prim('neg', [b.prim('neg', [x])])]), `g${k}`);
    }
    const s = simplify(g);
    check(s);
    expect(interpret(s, [-0])).toBe(-0);
  });
});

describe('simplify: properties', () => {
  it.each(GEN_VARIANTS)('preserves results of generated programs%s and of their jvp, unzip and transpose', (_, gen) => {
    checkProperty(
      fc.tuple(programArb(gen), poolArb()),
      ([spec, pool]) => {
        for (const g of reverseStages(buildProgram(spec).root)) {
          const s = agree(g, argsOf(g, pool));
          // Idempotent: a copy of the output is already simplified.
          const copy = structuredClone(s);
          expect(simplify(copy)).toBe(copy);
        }
      },
      ([spec]) => pprint(buildProgram(spec).root),
      { numRuns: 60 },
    );
  });

  it('preserves bit-exact results of straight-line code with special literals', () => {
    const LITS = [0, -0, 1, -1, 2.5, NaN, Infinity, -Infinity];
    const UNARY: Prim[] = ['neg', 'abs', 'sign', 'sqrt', 'floor', 'exp'];
    const OPS: Prim[] = [...UNARY, 'add', 'sub', 'mul', 'div', 'min', 'max', 'pow', 'atan2'];
    const step = fc.tuple(fc.nat(OPS.length + 2), fc.nat(99), fc.nat(99));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.array(fc.constantFrom(...LITS, 0.3, -7), { minLength: 2, maxLength: 2 }), (steps, xs) => {
        const f = func([REAL, REAL], (b, x, y) => {
          const pool: Var[] = [x, y];
          const pick = (n: number) => pool[n % pool.length]!;
          for (const [op, p, q] of steps) {
            if (op >= OPS.length) pool.push(op === OPS.length ? b.real(LITS[p % LITS.length]!) : b.select(b.prim('lt', [pick(p), pick(q)]), pick(q), pick(p)));
            else pool.push(b.prim(OPS[op]!, UNARY.includes(OPS[op]!) ? [pick(p)] : [pick(p), pick(q)]));
          }
          return b.vec(pool.slice(-3), vecTy(Math.min(3, pool.length), REAL));
        });
        agree(f, () => xs);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
