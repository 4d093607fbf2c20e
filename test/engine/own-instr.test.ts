/**
 * @file Tests of instructions that are their own expression (`ownInstr` in types.ts): the
 * builders make them, and every reader (checker, printer, interpreter, serializer, structured
 * clone, the transforms) sees the same function as with an instruction and a separate expression.
 */
import { describe, expect, it } from 'vitest';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import { decodeProgram, encodeProgram } from '../../engine/ir/serialize.ts';
import {
  REAL,
  ZERO_EXPR,
  finTy,
  primInstr,
  structTy,
  vecTy,
  type Instr,
  type TransparentFunc,
} from '../../engine/ir/types.ts';
import { mapOperands } from '../../engine/ir/visit.ts';
import { interpret } from '../../engine/interp/interp.ts';
import { jvp } from '../../engine/transforms/jvp.ts';
import { transpose } from '../../engine/transforms/transpose.ts';
import { unzip } from '../../engine/transforms/unzip.ts';

/** Return a function using every builder helper that makes one-object instructions. */
function sample(): TransparentFunc {
  const b = new FuncBuilder('sample');
  const v = b.param(vecTy(3, REAL));
  const s = b.param(structTy(['a', 'b'], [REAL, REAL]));
  const x = b.index(v, b.lit(1, finTy(3)));
  const y = b.member(s, 1);
  const p = b.emitPrim('mul', x, y, REAL);
  const q = b.prim('sin', [p]);
  const acc = b.accum(b.zero(REAL));
  b.add(acc, q);
  const vacc = b.accum(b.zero(vecTy(3, REAL)));
  b.add(b.slice(vacc, b.lit(0, finTy(3))), p);
  return b.finish(b.prim('add', [b.resolve(acc), b.index(b.resolve(vacc), b.lit(0, finTy(3)))]));
}

/** Return true when `instr` is its own expression. */
const isOwn = (instr: Instr): boolean => (instr.expr as unknown) === instr;

/** Return `f` with each instruction that is its own expression split into the two objects. */
function twoObjects(f: TransparentFunc): TransparentFunc {
  const body = f.body.map((i): Instr => {
    if (!isOwn(i)) return i;
    const { var: _v, expr: _e, ...fields } = i as Instr & Record<string, unknown>;
    return { var: i.var, expr: fields as unknown as Instr['expr'] };
  });
  return { ...f, body };
}

/** Arguments of `sample`: the vec, then the struct (a list of its members in key order). */
const ARGS = [
  [0.5, -1.25, 2],
  [0.75, -0.5],
];

describe('instructions that are their own expression', () => {
  it('are what the builders make for primitives, projections, literals and accumulators', () => {
    const f = sample();
    check(f);
    const own = f.body.filter(isOwn);
    const kinds = new Set(own.map((i) => i.expr.kind));
    for (const kind of ['prim', 'index', 'member', 'lit', 'accum', 'add', 'slice', 'resolve'])
      expect(kinds, kind).toContain(kind);
    // zeros share one expression; no instruction is made with one of its own
    const zeros = f.body.filter((i) => i.expr.kind === 'zero');
    expect(zeros.length).toBe(2);
    for (const z of zeros) expect(z.expr).toBe(ZERO_EXPR);
  });

  it('print, check, interpret and encode as the same function made of two objects each', () => {
    const f = sample();
    const plain = twoObjects(f);
    expect(plain.body.some(isOwn)).toBe(false);
    check(plain);
    expect(pprint(f)).toBe(pprint(plain));
    expect(interpret(f, ARGS)).toBe(Math.sin(0.625) + 0.625);
    expect(interpret(plain, ARGS)).toBe(interpret(f, ARGS));
    expect(encodeProgram(f).program.ints).toEqual(encodeProgram(plain).program.ints);
    const decoded = decodeProgram(encodeProgram(plain).program).func as TransparentFunc;
    expect(pprint(decoded)).toBe(pprint(f));
    // decoded IR is laid out as built IR, whichever form was encoded
    expect(decoded.body.map(isOwn)).toEqual(f.body.map(isOwn));
  });

  it('survive a structured clone with the instruction still its own expression', () => {
    const f = sample();
    const clone = structuredClone(f);
    expect(pprint(clone)).toBe(pprint(f));
    expect(clone.body.filter(isOwn).length).toBe(f.body.filter(isOwn).length);
  });

  it('give expressions without the instruction fields when their operands are renamed', () => {
    const instr = primInstr(7, 'mul', 3, 4);
    const renamed = mapOperands(instr.expr, (v) => v + 10);
    expect(renamed).toEqual({ kind: 'prim', prim: 'mul', x: 13, y: 14 });
    const b = new FuncBuilder('g');
    const s = b.param(structTy(['a', 'b'], [REAL, REAL]));
    const m = b.member(s, 0);
    const member = b.currentBlock().find((i) => i.var === m)!;
    expect(mapOperands(member.expr, () => 9)).toEqual({ kind: 'member', struct: 9, member: 0 });
    // every kind made as one object, a call and a field too
    const v = b.param(vecTy(3, REAL));
    b.call(sample(), [v, s]);
    b.field(b.accum(b.zero(structTy(['a', 'b'], [REAL, REAL]))), 1);
    const own = [...sample().body, ...b.currentBlock()].filter(isOwn);
    expect(new Set(own.map((i) => i.expr.kind)).size).toBe(10);
    for (const i of own) {
      const e = mapOperands(i.expr, (w) => w + 100);
      if (e === i.expr) continue; // no operands (a literal)
      expect(e.kind).toBe(i.expr.kind);
      expect(Object.keys(e), e.kind).not.toContain('var');
      expect(Object.keys(e), e.kind).not.toContain('expr');
    }
  });

  it('give the same fwd and transposed lin through jvp, unzip and transpose', () => {
    const f = sample();
    const plain = twoObjects(f);
    const linOf = (g: TransparentFunc) => unzip(jvp(g)).lin;
    expect(pprint(transpose(linOf(f)))).toBe(pprint(transpose(linOf(plain))));
    expect(pprint(unzip(jvp(f)).fwd)).toBe(pprint(unzip(jvp(plain)).fwd));
  });
});
