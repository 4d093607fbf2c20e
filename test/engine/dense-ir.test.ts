/**
 * @file Tests of the dense IR (engine/ir/dense.ts): `DenseBuilder` emits what `FuncBuilder` emits,
 * and `densify` / `materialize` convert every function the passes make, generated programs
 * included, without changing a variable, an instruction or a block.
 */
import { describe, expect, it } from 'vitest';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import { DenseBuilder } from '../../engine/ir/dense-builder.ts';
import { densify, materialize } from '../../engine/ir/dense-convert.ts';
import { BODY, OP_NONE, blockVarsOf, type DenseFunc } from '../../engine/ir/dense.ts';
import { pprint, reachableFuncs } from '../../engine/ir/pprint.ts';
import { BOOL, REAL, finTy, structTy, vecTy, type TransparentFunc, type Ty, type Var } from '../../engine/ir/types.ts';
import { interpret } from '../../engine/interp/interp.ts';
import { pruneDense } from '../../engine/transforms/linearity-dense.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';
import { GEN_VARIANTS, buildProgram, programArb, type ProgramSpec } from '../helpers/gen.ts';
import { checkProperty } from '../helpers/gradcheck.ts';
import { gradWrapper } from '../helpers/reverse.ts';

/** The emitting methods the two builders share, as the sample below uses them. */
type Emitter = Pick<
  FuncBuilder & DenseBuilder,
  | 'param'
  | 'lit'
  | 'real'
  | 'zero'
  | 'unit'
  | 'emitPrim'
  | 'prim'
  | 'index'
  | 'member'
  | 'select'
  | 'accum'
  | 'add'
  | 'slice'
  | 'field'
  | 'resolve'
  | 'forLoop'
  | 'typeOf'
> & { vec(elems: Var[], t: Ty): Var; struct(members: Var[], t: Ty): Var };

/** Emit a function using every emitting method; return its result. */
function emitSample(b: Emitter): Var {
  const v = b.param(vecTy(3, REAL));
  const s = b.param(structTy(['a', 'b'], [REAL, BOOL]));
  const i = b.lit(2, finTy(3));
  const x = b.index(v, i);
  const flag = b.member(s, 1);
  const y = b.emitPrim('mul', x, b.real(0.5), REAL);
  const z = b.select(flag, y, b.prim('sin', [x]));
  const acc = b.accum(b.zero(structTy(['a', 'b'], [REAL, BOOL])));
  b.add(b.field(acc, 0), z);
  const vacc = b.accum(b.zero(vecTy(3, REAL)));
  b.add(b.slice(vacc, i), b.real(-0));
  const squares = b.forLoop(3, (k) => b.prim('mul', [b.index(v, k), b.index(v, k)]));
  const pair = b.struct([b.member(b.resolve(acc), 0), b.index(b.resolve(vacc), i)], structTy(['p', 'q'], [REAL, REAL]));
  b.unit();
  return b.vec([b.member(pair, 1), b.index(squares, i), b.lit(Number.NaN, REAL)], vecTy(3, REAL));
}

/** Return the names of the functions `f` reaches by calls, `f` first... as pprint orders them. */
const reachableCount = (f: TransparentFunc) => reachableFuncs(f).length;

/** Return the dense functions `d` calls, transitively, `d` included. */
function denseReachable(d: DenseFunc, seen = new Set<DenseFunc>()): Set<DenseFunc> {
  if (seen.has(d)) return seen;
  seen.add(d);
  for (const g of d.funcs) if (g.kind === 'dense') denseReachable(g, seen);
  return seen;
}

/**
 * Return a copy of `d` and of the dense functions it calls, each a new object (so unknown to the
 * conversion memos) sharing the arrays and types of the original (a structured clone would copy
 * the types too, and a function's leaf types must be the shared ones).
 */
function freshCopy(d: DenseFunc, copies = new Map<DenseFunc, DenseFunc>()): DenseFunc {
  let out = copies.get(d);
  if (out === undefined) {
    const funcs = d.funcs.map((g) => (g.kind === 'dense' ? freshCopy(g, copies) : g));
    out = { ...d, funcs };
    copies.set(d, out);
  }
  return out;
}

/** Expect `a` and `b` to hold the same instructions, blocks and literals (callees by name). */
function expectSameDense(a: DenseFunc, b: DenseFunc): void {
  for (const key of ['op', 'a', 'b', 'c', 'lits', 'lists', 'blockStart', 'blockLength', 'blockRet', 'blockVars'] as const)
    expect(Array.from(a[key]), key).toEqual(Array.from(b[key]));
  expect(a.funcs.map((g) => g.name)).toEqual(b.funcs.map((g) => g.name));
  expect(Array.from(a.varTypes).map((id) => a.types[id])).toEqual(Array.from(b.varTypes).map((id) => b.types[id]));
}

describe('DenseBuilder', () => {
  it('emits what FuncBuilder emits, method for method', () => {
    const fb = new FuncBuilder('sample');
    const f = fb.finish(emitSample(fb));
    const db = new DenseBuilder('sample');
    const d = db.finish(emitSample(db));
    const back = materialize(d);
    check(back);
    expect(pprint(back)).toBe(pprint(f));
    const args = [[0.5, -1.25, 2], [0.75, true]];
    expect(interpret(back, args)).toEqual(interpret(f, args));
  });

  it('keeps literal values exactly: -0, NaN, booleans, unit', () => {
    const b = new DenseBuilder('lits');
    const vals = [b.lit(-0, REAL), b.lit(Number.NaN, REAL), b.lit(1e-310, REAL)];
    b.lit(true, BOOL);
    b.lit(false, BOOL);
    b.unit();
    const f = materialize(b.finish(b.vec(vals, vecTy(3, REAL))));
    const lits = f.body.map((i) => (i.expr.kind === 'lit' ? i.expr.value : 'other'));
    expect(lits.slice(0, 6)).toEqual([-0, Number.NaN, 1e-310, true, false, null]);
    expect(Object.is(lits[0], -0)).toBe(true);
  });

  it('inserts instructions at the start of a block (insertAt)', () => {
    const b = new DenseBuilder('insert');
    const x = b.param(REAL);
    const y = b.prim('sin', [x]);
    // make a literal in a side block, then move it to the start of the body
    b.beginBlock();
    const half = b.real(0.5);
    b.endBlock(half);
    b.insertAt(0, [half]);
    const d = b.finish(b.prim('mul', [y, half]));
    expect(Array.from(blockVarsOf(d, 0))).toEqual([half, y, d.ret]);
    check(materialize(d));
  });

  it('rejects misuse with internal errors', () => {
    const b = new DenseBuilder('bad');
    const x = b.param(REAL);
    expect(() => b.index(x, x)).toThrow(/internal: index of a non-vec real/);
    expect(() => b.endBlock(x)).toThrow(/internal: endBlock without beginBlock/);
    expect(() => b.typeOf(7)).toThrow(/internal: variable %7 does not exist/);
    expect(() => b.insertAt(3, [x])).toThrow(/internal: insertAt 3 of a block of 0/);
    b.beginBlock();
    expect(() => b.finish(x)).toThrow(/internal: finish with 1 open blocks/);
  });
});

describe('DenseBuilder.copyFrom and pruneDense', () => {
  /** Return a function with a loop, a cond, a call, literals and an accumulator. */
  function sampleWithBlocks(): TransparentFunc {
    const g = new FuncBuilder('g');
    const gx = g.param(REAL);
    const callee = g.finish(g.prim('exp', [gx]));
    const b = new FuncBuilder('blocks');
    const x = b.param(REAL);
    const v = b.param(vecTy(3, REAL));
    const acc = b.accum(b.zero(REAL));
    const squares = b.forLoop(3, (k) => {
      const e = b.index(v, k);
      b.add(acc, e);
      return b.prim('mul', [e, b.real(2)]);
    });
    const c = b.prim('lt', [x, b.real(0)]);
    b.beginBlock();
    const t = b.call(callee, [x]);
    const then = b.endBlock();
    b.beginBlock();
    const e = b.prim('neg', [x]);
    const els = b.endBlock();
    const picked = b.emit({ kind: 'cond', cond: c, then, thenRet: t, els, elsRet: e }, REAL);
    return b.finish(b.prim('add', [b.index(squares, b.lit(1, finTy(3))), b.prim('add', [picked, b.resolve(acc)])]));
  }

  it('copies instructions with their blocks, lists, literals and callees', () => {
    const f = sampleWithBlocks();
    const d = densify(f);
    const b = new DenseBuilder('blocks');
    b.reserveFrom(d, (t) => t, 0);
    for (const p of d.params) b.paramVar(p);
    for (const v of blockVarsOf(d, BODY)) b.copyFrom(d, v);
    const copy = materialize(b.finish(d.ret));
    check(copy);
    expect(pprint(copy)).toBe(pprint(f));
    const args = [0.5, [1, 2, 3]];
    expect(interpret(copy, args)).toBe(interpret(f, args));
  });

  it('removes unread instructions, nested ones too, and keeps adds into accumulators', () => {
    const b = new DenseBuilder('dead');
    const x = b.param(REAL);
    b.prim('sin', [x]); // unread
    const acc = b.accum(b.zero(REAL));
    b.add(acc, x); // unread, kept for its effect
    const loop = b.forLoop(2, () => {
      b.prim('cos', [x]); // unread, in a loop
      return b.prim('mul', [x, x]);
    });
    const d = b.finish(b.prim('add', [b.index(loop, b.lit(0, finTy(2))), b.resolve(acc)]));
    const pruned = pruneDense(d);
    const text = pprint(materialize(pruned));
    expect(text).not.toMatch(/sin|cos/);
    expect(text).toMatch(/\+= x0/);
    expect(pruneDense(pruned)).toBe(pruned); // nothing dead: the same function
    expect(pruneDense(d, false)).toBe(d); // no walk when told nothing is dead
    expect(interpret(materialize(pruned), [0.75])).toBe(interpret(materialize(d), [0.75]));
  });
});

describe('densify and materialize', () => {
  it('keep a 20-level doubling call DAG at 21 functions, both ways', () => {
    let g: TransparentFunc | undefined;
    for (let k = 0; k <= 20; k++) {
      const b = new FuncBuilder(`g${k}`);
      const x = b.param(REAL);
      const prev = g;
      g = b.finish(prev === undefined ? b.prim('sin', [x]) : b.call(prev, [b.call(prev, [x])]));
    }
    const d = densify(g!);
    expect(denseReachable(d).size).toBe(21);
    expect(densify(g!)).toBe(d); // memoized
    expect(materialize(d)).toBe(g); // and the other way known already
    // a copy of the dense functions is converted afresh, callees included
    const back = materialize(freshCopy(d));
    expect(back).not.toBe(g);
    expect(reachableCount(back)).toBe(21);
    expect(pprint(back)).toBe(pprint(g!));
  });

  it('convert call chains 5000 functions deep, both ways (no recursion per call)', () => {
    let g: TransparentFunc | undefined;
    let d: DenseFunc | undefined;
    for (let k = 0; k < 5000; k++) {
      const b = new FuncBuilder(`c${k}`);
      const x = b.param(REAL);
      g = b.finish(g === undefined ? b.prim('cos', [x]) : b.prim('neg', [b.call(g, [x])]));
      const db = new DenseBuilder(`c${k}`);
      const y = db.param(REAL);
      d = db.finish(d === undefined ? db.prim('cos', [y]) : db.prim('neg', [db.call(d, [y])]));
    }
    expect(interpret(materialize(densify(g!)), [0.25])).toBe(interpret(g!, [0.25]));
    expect(pprint(materialize(d!))).toBe(pprint(g!));
  });

  it('give a structured clone of the same dense function', () => {
    const f = buildProgram({
      funcs: [{ params: ['real'], steps: [{ op: 3, p: [1, 0, 0, 0], body: [] }], out: 'real' }],
    } as unknown as ProgramSpec).root;
    const d = densify(jvp(f));
    expectSameDense(structuredClone(d), d);
  });

  it('materialize rejects a block variable without an instruction', () => {
    const b = new DenseBuilder('hole');
    const x = b.param(REAL);
    const d = b.finish(b.prim('sin', [x]));
    const broken: DenseFunc = { ...d, op: d.op.map((op, v) => (v === d.ret ? OP_NONE : op)) };
    expect(() => materialize(broken)).toThrow(/internal: materialize of hole: %1 in a block has no instruction/);
  });
});

describe.each(GEN_VARIANTS)('generated programs%s: dense round trip', (_, gen) => {
  it('densify then materialize gives every derived function back, printed the same', () => {
    checkProperty(
      programArb({ ...gen, maxFuncs: 3 }),
      (spec) => {
        const f = buildProgram(spec).root;
        const j = jvp(f);
        const { fwd, lin } = unzip(j);
        for (const g of [f, j, fwd, lin, transpose(lin), gradWrapper(f)]) {
          const d = densify(g);
          // a copy of the dense functions is converted afresh (the memo knows `g` for `d`)
          const back = materialize(freshCopy(d));
          check(back);
          expect(pprint(back)).toBe(pprint(g));
          // and back again: the same columns
          expectSameDense(densify(back), d);
        }
      },
      (spec) => pprint(buildProgram(spec).root),
      { numRuns: 60 },
    );
  });
});
