/** @file Tests of the IR checker: valid functions pass, each kind of invalid function is named. */
import { describe, expect, it } from 'vitest';
import { RoseError } from '../../engine/errors.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import {
  BOOL,
  REAL,
  TAN,
  UNIT,
  finTy,
  freshFuncId,
  refTy,
  structTy,
  typeTable,
  vecTy,
  type Expr,
  type Func,
  type Instr,
  type OpaqueFunc,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../../engine/ir/types.ts';

const DUAL = structTy(['du', 're'], [TAN, REAL]);

/** Return a raw function (bypassing the builder, so it can be invalid). */
function raw(
  vars: Ty[],
  params: Var[],
  body: Instr[],
  ret: Var,
  extra: { name?: string; paramTypes?: Ty[]; retType?: Ty } = {},
): TransparentFunc {
  return {
    kind: 'transparent',
    id: freshFuncId(),
    name: extra.name ?? 'bad',
    paramTypes: extra.paramTypes ?? params.map((p) => vars[p]!),
    retType: extra.retType ?? vars[ret] ?? UNIT,
    ...typeTable(vars),
    params,
    body,
    ret,
  };
}

/** Return `{ var, expr }`. */
const I = (v: Var, expr: Expr): Instr => ({ var: v, expr });

/** Return the `ir-invalid` error message of checking `f`. */
function problem(f: Func, strictCalls?: boolean): string {
  try {
    check(f, { strictCalls });
  } catch (err) {
    expect(err).toBeInstanceOf(RoseError);
    expect((err as RoseError).code).toBe('ir-invalid');
    return (err as RoseError).message;
  }
  throw new Error(`check accepted ${f.name}`);
}

/** Return `sq(x) = x * x`. */
function sq(): TransparentFunc {
  const b = new FuncBuilder('sq');
  const x = b.param(REAL);
  return b.finish(b.prim('mul', [x, x]));
}

/** Return an opaque `sin` with a custom JVP in the dual layout that calls `sin` and `cos`. */
function sinWithJvp(): OpaqueFunc {
  const mk = (name: string, impl: (x: number) => number): OpaqueFunc => ({
    kind: 'opaque',
    id: freshFuncId(),
    name,
    paramTypes: [REAL],
    retType: REAL,
    impl,
  });
  const sin = mk('sin', Math.sin);
  const cos = mk('cos', Math.cos);
  const b = new FuncBuilder('sin_jvp');
  const d = b.param(DUAL);
  const x = b.member(d, 1);
  const dx = b.member(d, 0);
  const y = b.call(sin, [x]);
  const dy = b.prim('mul', [dx, b.call(cos, [x])]);
  sin.customJvp = b.finish(b.struct([dy, y], DUAL));
  return sin;
}

describe('check: valid functions', () => {
  it('accepts a loop with an accumulator, calls, projections and literals', () => {
    const s = sq();
    const b = new FuncBuilder('f');
    const v = b.param(vecTy(3, REAL));
    const p = b.param(structTy(['a', 'b'], [BOOL, finTy(3)]));
    const acc = b.accum(b.real(0));
    b.forLoop(3, (i) => {
      const e = b.index(v, i);
      const c = b.member(p, 0);
      const y = b.select(c, b.call(s, [e]), b.prim('neg', [e]));
      return b.add(acc, y);
    });
    const total = b.resolve(acc);
    const j = b.member(p, 1);
    const k = b.prim('imod', [b.prim('iadd', [j, b.lit(2, finTy(3))])], finTy(2));
    const w = b.index(b.vec([total, b.lit(-0, REAL)], vecTy(2, REAL)), k);
    const f = b.finish(b.struct([w, b.lit(null, UNIT), b.zero(BOOL)], structTy(['a', 'b', 'c'], [REAL, UNIT, BOOL])));
    expect(() => check(f)).not.toThrow();
    expect(() => check(f, { strictCalls: true })).not.toThrow();
  });

  it('accepts accumulators of structs and vecs with slice and field, and ref params', () => {
    const b = new FuncBuilder('scatter');
    const r = b.param(refTy(structTy(['u', 'v'], [vecTy(2, TAN), TAN])));
    const x = b.param(TAN);
    const u = b.field(r, 0);
    b.forLoop(2, (i) => b.add(b.slice(u, i), x));
    b.add(b.field(r, 1), b.prim('neg', [x]));
    const f = b.finish(b.unit());
    expect(() => check(f)).not.toThrow();
  });

  it('accepts linear tangent code and a custom JVP (checking the JVP and its callees)', () => {
    const b = new FuncBuilder('lin');
    const dx = b.param(TAN);
    const y = b.param(REAL);
    const t = b.prim('sub', [b.prim('div', [b.prim('mul', [dx, y]), y]), b.lit(0, TAN)]);
    const f = b.finish(b.prim('add', [t, b.zero(TAN)]));
    expect(() => check(f)).not.toThrow();
    expect(() => check(sinWithJvp())).not.toThrow();
  });

  it('accepts a loop whose element is defined outside it, and n = 0', () => {
    const b = new FuncBuilder('f');
    const x = b.param(REAL);
    const f = b.finish(b.forLoop(0, () => x));
    expect(() => check(f)).not.toThrow();
  });

  it('allows tan/real differences at calls by default, not with strictCalls', () => {
    const g = sq();
    const b = new FuncBuilder('f');
    const dx = b.param(TAN);
    const f = b.finish(b.emit({ kind: 'call', func: g, args: [dx] }, TAN));
    expect(() => check(f)).not.toThrow();
    expect(problem(f, true)).toMatch(/argument 0 of sq has type tan, expected real/);
  });
});

describe('check: invalid functions', () => {
  it('names the function and the instruction', () => {
    const f = raw([REAL, REAL], [0], [I(1, { kind: 'prim', prim: 'mul', x: 0, y: 2 })], 1, { name: 'poly' });
    const msg = problem(f);
    expect(msg).toContain('function poly');
    expect(msg).toContain('`x1: real = mul x0 x2`');
    expect(msg).toMatch(/x2 is not a variable/);
  });


  it('catches a malformed type table: leaves not first, ids as a plain array, an id past the table', () => {
    const f = raw([REAL, REAL], [0], [I(1, { kind: 'prim', prim: 'neg', x: 0, y: -1 })], 1);
    expect(() => check(f)).not.toThrow();
    const reordered = { ...f, types: [REAL, UNIT, BOOL, TAN] };
    expect(problem(reordered)).toMatch(/type table must start with the leaf types/);
    const plain = { ...f, varTypes: [2, 2] as unknown as Uint32Array };
    expect(problem(plain)).toMatch(/varTypes must be a Uint8Array, Uint16Array or Uint32Array/);
    const past = { ...f, varTypes: Uint32Array.of(2, 9) };
    expect(problem(past)).toMatch(/x1 has an invalid type .*missing type/);
  });
  it('catches a primitive with the wrong number of operands (y is -1 exactly for unary ones)', () => {
    const binary = raw([REAL, REAL], [0], [I(1, { kind: 'prim', prim: 'mul', x: 0, y: -1 })], 1);
    expect(problem(binary)).toMatch(/mul takes 2 operand\(s\), got 1/);
    const unary = raw([REAL, REAL], [0], [I(1, { kind: 'prim', prim: 'neg', x: 0, y: 0 })], 1);
    expect(problem(unary)).toMatch(/neg takes 1 operand\(s\), got 2/);
  });

  it('catches SSA violations', () => {
    const twice = raw([REAL, REAL], [0], [I(1, { kind: 'lit', value: 1 }), I(1, { kind: 'lit', value: 2 })], 1);
    expect(problem(twice)).toMatch(/x1 is defined more than once/);
    const param = raw([REAL], [0], [I(0, { kind: 'lit', value: 1 })], 0);
    expect(problem(param)).toMatch(/x0 is defined more than once/);
    const loopIdx = raw([REAL, finTy(2), vecTy(2, REAL)], [0], [I(2, { kind: 'for', index: 0, body: [], ret: 0 })], 2);
    expect(problem(loopIdx)).toMatch(/x0 is defined more than once/);
  });

  it('catches use before definition', () => {
    const f = raw([REAL, REAL, REAL], [0], [I(1, { kind: 'prim', prim: 'neg', x: 2, y: -1 }), I(2, { kind: 'lit', value: 1 })], 1);
    expect(problem(f)).toMatch(/x2 is used before it is defined/);
    const self = raw([REAL, REAL], [0], [I(1, { kind: 'prim', prim: 'neg', x: 1, y: -1 })], 1);
    expect(problem(self)).toMatch(/x1 is used before it is defined/);
  });

  it('catches uses of loop variables outside the loop', () => {
    // x2 = for i1 { x3 = x0[i1]; yield x3 }; x4 = neg x3
    const vars = [vecTy(2, REAL), finTy(2), vecTy(2, REAL), REAL, REAL];
    const body = [I(3, { kind: 'index', vec: 0, index: 1 })];
    const escaped = raw(vars, [0], [I(2, { kind: 'for', index: 1, body, ret: 3 }), I(4, { kind: 'prim', prim: 'neg', x: 3, y: -1 })], 4);
    expect(problem(escaped)).toMatch(/x3 is used outside the block that defines it/);
    const index = raw([...vars, REAL], [0], [I(2, { kind: 'for', index: 1, body, ret: 3 }), I(5, { kind: 'index', vec: 0, index: 1 })], 5);
    expect(problem(index)).toMatch(/x1 is used outside the block/);
    const ret = raw(vars, [0], [I(2, { kind: 'for', index: 1, body, ret: 3 })], 3);
    expect(problem(ret)).toMatch(/returned x3 is not defined at the top level/);
  });

  it('catches index, member, vec and struct literal mistakes', () => {
    const v3 = vecTy(3, REAL);
    const idx = raw([v3, finTy(2), REAL], [0, 1], [I(2, { kind: 'index', vec: 0, index: 1 })], 2);
    expect(problem(idx)).toMatch(/index x1 has type fin<2>, expected fin<3>/);
    const st = structTy(['du', 're'], [TAN, REAL]);
    const mem = raw([st, REAL], [0], [I(1, { kind: 'member', struct: 0, member: 2 })], 1);
    expect(problem(mem)).toMatch(/member 2 out of range/);
    const memTy = raw([st, REAL], [0], [I(1, { kind: 'member', struct: 0, member: 0 })], 1);
    expect(problem(memTy)).toMatch(/result type differs from the member type: real vs tan/);
    const arity = raw([REAL, v3], [0], [I(1, { kind: 'vec', elems: [0, 0] })], 1);
    expect(problem(arity)).toMatch(/vec literal of 2 elements has type vec<3, real>/);
    const lit = raw([REAL, st], [0], [I(1, { kind: 'struct', members: [0, 0] })], 1);
    expect(problem(lit)).toMatch(/member du has the wrong type: real vs tan/);
  });

  it('catches select mistakes', () => {
    const cond = raw([REAL, REAL], [0], [I(1, { kind: 'select', cond: 0, then: 0, els: 0 })], 1);
    expect(problem(cond)).toMatch(/condition x0 has type real, expected bool/);
    const branches = raw([BOOL, REAL, TAN, REAL], [0, 1, 2], [I(3, { kind: 'select', cond: 0, then: 1, els: 2 })], 3);
    expect(problem(branches)).toMatch(/select branches have different types/);
    const refs = raw([BOOL, refTy(REAL), refTy(REAL), refTy(REAL)], [0, 1, 2], [I(3, { kind: 'select', cond: 0, then: 1, els: 2 })], 0);
    expect(problem(refs)).toMatch(/select of accumulators/);
  });

  it('catches call mistakes', () => {
    const g = sq();
    const count = raw([REAL, REAL], [0], [I(1, { kind: 'call', func: g, args: [0, 0] })], 1);
    expect(problem(count)).toMatch(/call of sq with 2 argument\(s\), it takes 1/);
    const arg = raw([BOOL, REAL], [0], [I(1, { kind: 'call', func: g, args: [0] })], 1);
    expect(problem(arg)).toMatch(/argument 0 of sq has type bool, expected real/);
    const res = raw([REAL, BOOL], [0], [I(1, { kind: 'call', func: g, args: [0] })], 1);
    expect(problem(res)).toMatch(/call of sq has type bool, it returns real/);
  });

  it('reports an invalid callee, naming the callee', () => {
    const bad = raw([REAL, BOOL], [0], [I(1, { kind: 'prim', prim: 'neg', x: 0, y: -1 })], 1, { name: 'inner' });
    const b = new FuncBuilder('outer');
    const x = b.param(REAL);
    const f = b.finish(b.emit({ kind: 'call', func: bad, args: [x] }, BOOL));
    const msg = problem(f);
    expect(msg).toContain('function inner');
    expect(msg).toMatch(/neg produces real, declared bool/);
  });

  it('catches loop typing mistakes', () => {
    const vars = [vecTy(2, REAL), finTy(2), vecTy(3, REAL), REAL];
    const body = [I(3, { kind: 'index', vec: 0, index: 1 })];
    const f = raw(vars, [0], [I(2, { kind: 'for', index: 1, body, ret: 3 })], 2);
    expect(problem(f)).toMatch(/loop over fin<2> yielding real has type vec<2, real>, declared vec<3, real>/);
    const idx = raw([REAL, REAL, vecTy(2, REAL)], [0], [I(2, { kind: 'for', index: 1, body: [], ret: 0 })], 2);
    expect(problem(idx)).toMatch(/loop index x1 has type real, expected fin/);
  });

  it('catches accumulator mistakes', () => {
    const accum = raw([REAL, refTy(BOOL)], [0], [I(1, { kind: 'accum', shape: 0 })], 0);
    expect(problem(accum)).toMatch(/accum of a real has type ref<bool>/);
    const add = raw([refTy(REAL), BOOL, UNIT], [0, 1], [I(2, { kind: 'add', ref: 0, addend: 1 })], 2);
    expect(problem(add)).toMatch(/add of a bool into a ref<real>/);
    const resolve = raw([refTy(REAL), TAN], [0], [I(1, { kind: 'resolve', ref: 0 })], 1);
    expect(problem(resolve)).toMatch(/differs from the accumulator contents: tan vs real/);
    const after = raw(
      [REAL, refTy(REAL), REAL, UNIT],
      [0],
      [I(1, { kind: 'accum', shape: 0 }), I(2, { kind: 'resolve', ref: 1 }), I(3, { kind: 'add', ref: 1, addend: 0 })],
      2,
    );
    expect(problem(after)).toMatch(/accumulator x1 is used after resolve of x1/);
    const slice = raw(
      [vecTy(2, REAL), refTy(vecTy(2, REAL)), vecTy(2, REAL), finTy(2), refTy(REAL)],
      [0, 3],
      [I(1, { kind: 'accum', shape: 0 }), I(2, { kind: 'resolve', ref: 1 }), I(4, { kind: 'slice', ref: 1, index: 3 })],
      2,
    );
    expect(problem(slice)).toMatch(/used after resolve/);
  });

  it('catches literals that do not fit and zeros of refs', () => {
    const lit = (value: null | boolean | number, t: Ty) => raw([t], [], [I(0, { kind: 'lit', value })], 0);
    expect(problem(lit(true, REAL))).toMatch(/literal true does not fit type real/);
    expect(problem(lit(1.5, finTy(3)))).toMatch(/literal 1.5 does not fit type fin<3>/);
    expect(problem(lit(-1, finTy(3)))).toMatch(/literal -1 does not fit/);
    expect(problem(lit(null, REAL))).toMatch(/literal null does not fit/);
    expect(problem(lit(0, UNIT))).toMatch(/literal 0 does not fit type unit/);
    expect(() => check(lit(NaN, TAN))).not.toThrow();
    const z = raw([refTy(REAL), REAL], [], [I(0, { kind: 'zero' }), I(1, { kind: 'resolve', ref: 0 })], 1);
    expect(problem(z)).toMatch(/zero of a ref type/);
  });

  it('catches malformed types: refs inside vecs and structs, bad sizes', () => {
    const inVec = raw([vecTy(2, refTy(REAL))], [0], [], 0);
    expect(problem(inVec)).toMatch(/a ref inside a vec/);
    const inStruct = raw([structTy(['a'], [refTy(REAL)])], [0], [], 0);
    expect(problem(inStruct)).toMatch(/a ref inside a struct/);
    const size = raw([vecTy(-1, REAL)], [0], [], 0);
    expect(problem(size)).toMatch(/bad size -1/);
    const keys = raw([structTy(['a', 'a'], [REAL, REAL])], [0], [], 0);
    expect(problem(keys)).toMatch(/duplicate struct keys/);
  });

  it('catches signature mismatches and returned accumulators', () => {
    const params = raw([REAL], [0], [], 0, { paramTypes: [TAN] });
    expect(problem(params)).toMatch(/param x0 has type real, paramTypes\[0\] is tan/);
    const ret = raw([REAL], [0], [], 0, { retType: BOOL });
    expect(problem(ret)).toMatch(/returns x0: real, but retType is bool/);
    const refRet = raw([refTy(REAL)], [0], [], 0);
    expect(problem(refRet)).toMatch(/cannot return an accumulator/);
  });

  it('catches linearity violations', () => {
    const exp = raw([TAN, TAN], [0], [I(1, { kind: 'prim', prim: 'exp', x: 0, y: -1 })], 1);
    expect(problem(exp)).toMatch(/linearity: exp of \(tan\) is not linear/);
    const mul = raw([TAN, TAN], [0], [I(1, { kind: 'prim', prim: 'mul', x: 0, y: 0 })], 1);
    expect(problem(mul)).toMatch(/linearity: mul of \(tan, tan\) is not linear/);
    const right = raw([TAN, REAL, TAN], [0, 1], [I(2, { kind: 'prim', prim: 'div', x: 1, y: 0 })], 2);
    expect(problem(right)).toMatch(/linearity: div of \(real, tan\)/);
    const made = raw([REAL, TAN], [0], [I(1, { kind: 'prim', prim: 'sin', x: 0, y: -1 })], 1);
    expect(problem(made)).toMatch(/linearity: sin produces real, not a tangent/);
    const mixed = raw([TAN, REAL, TAN], [0, 1], [I(2, { kind: 'prim', prim: 'add', x: 0, y: 1 })], 2);
    expect(problem(mixed)).toMatch(/linearity: add of \(tan, real\)/);
  });

  it('catches opaque functions with non-real signatures and custom JVPs of the wrong arity', () => {
    const op: OpaqueFunc = { kind: 'opaque', id: freshFuncId(), name: 'op', paramTypes: [BOOL], retType: REAL, impl: () => 0 };
    expect(problem(op)).toMatch(/opaque parameter 0 has type bool, expected real/);
    const sin = sinWithJvp();
    sin.customJvp = sq();
    expect(() => check(sin)).not.toThrow();
    const two = new FuncBuilder('two');
    two.param(REAL);
    const y = two.param(REAL);
    sin.customJvp = two.finish(y);
    expect(problem(sin)).toMatch(/custom JVP two takes 2 parameter\(s\), the function 1/);
  });

  it('checks each function of a large shared call DAG once, without deep recursion', () => {
    let g: TransparentFunc = sq();
    for (let k = 0; k < 3000; k++) {
      const b = new FuncBuilder(`chain${k}`);
      const x = b.param(REAL);
      g = b.finish(b.call(g, [b.call(g, [x])]));
    }
    expect(() => check(g)).not.toThrow();
  });
});
