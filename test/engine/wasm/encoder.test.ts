/** @file Tests of the standalone wasm encoder: LEB128 edge cases and tiny modules that run. */
import { describe, expect, it } from 'vitest';
import { ByteWriter, Code, F64, I32, I64, ModuleBuilder, Op, VOID } from '../../../engine/wasm/encoder.ts';

const bytesOf = (fill: (w: ByteWriter) => void) => {
  const w = new ByteWriter();
  fill(w);
  return [...w.finish()];
};

/** Return the exports of a module with one exported function `f` of the given type and code. */
function instantiate(params: number[], results: number[], code: Code, locals: [number, number][] = []) {
  const m = new ModuleBuilder();
  const t = m.type(params as never, results as never);
  m.export('f', 'func', m.func({ type: t, locals: locals as never, code }));
  const bytes = m.finish();
  expect(WebAssembly.validate(bytes)).toBe(true);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Record<string, Function>;
}

describe('LEB128', () => {
  it('encodes unsigned integers', () => {
    expect(bytesOf((w) => w.u32(0))).toEqual([0]);
    expect(bytesOf((w) => w.u32(127))).toEqual([0x7f]);
    expect(bytesOf((w) => w.u32(128))).toEqual([0x80, 0x01]);
    expect(bytesOf((w) => w.u32(624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytesOf((w) => w.u32(0xffffffff))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => bytesOf((w) => w.u32(-1))).toThrow(RangeError);
  });
  it('encodes signed integers', () => {
    expect(bytesOf((w) => w.s32(-1))).toEqual([0x7f]);
    expect(bytesOf((w) => w.s32(63))).toEqual([0x3f]);
    expect(bytesOf((w) => w.s32(64))).toEqual([0xc0, 0x00]);
    expect(bytesOf((w) => w.s32(-64))).toEqual([0x40]);
    expect(bytesOf((w) => w.s32(-65))).toEqual([0xbf, 0x7f]);
    expect(bytesOf((w) => w.s32(-123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(bytesOf((w) => w.s64(-(2n ** 63n)))).toHaveLength(10);
  });
  it('grows its buffer past the initial size', () => {
    const w = new ByteWriter();
    for (let i = 0; i < 10_000; i++) w.byte(i & 0xff);
    expect(w.length).toBe(10_000);
    expect(w.finish()[9_999]).toBe(9_999 & 0xff);
  });
});

describe('modules', () => {
  it('assembles f(a, b) = a * b + a and runs it', () => {
    const code = new Code().localGet(0).localGet(1).op(Op.f64_mul).localGet(0).op(Op.f64_add);
    expect(instantiate([F64, F64], [F64], code).f!(3, 4)).toBe(15);
  });
  it('runs a counting loop with locals, blocks and branches', () => {
    // sum of 0..n-1 in an i32 local
    const code = new Code()
      .begin(Op.block)
      .begin(Op.loop)
      .localGet(0).op(Op.i32_eqz).brIf(1)
      .localGet(0).i32Const(1).op(Op.i32_sub).localTee(0)
      .localGet(1).op(Op.i32_add).localSet(1)
      .br(0)
      .end()
      .end()
      .localGet(1);
    expect(instantiate([I32], [I32], code, [[1, I32]]).f!(5)).toBe(10);
  });
  it('encodes f64 and i64 constants exactly', () => {
    const code = new Code().f64Const(-0).f64Const(Math.PI).op(Op.f64_add)
      .i64Const(-(2n ** 62n)).op(Op.f64_convert_i64_s).op(Op.f64_add);
    expect(instantiate([], [F64], code).f!()).toBe(Math.PI - 2 ** 62);
  });
  it('imports a function and a memory, and exports the memory', () => {
    const m = new ModuleBuilder();
    const t = m.type([F64], [F64]);
    const sin = m.importFunc('', '0', t);
    m.importMemory('m', '', 1);
    const code = new Code().i32Const(8).localGet(0).call(sin).mem(Op.f64_store, 3).i32Const(8).mem(Op.f64_load, 3);
    m.export('f', 'func', m.func({ type: t, locals: [], code }));
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(m.finish()), { '': { '0': Math.sin }, m: { '': memory } });
    expect((inst.exports.f as Function)(1)).toBe(Math.sin(1));
    expect(new Float64Array(memory.buffer, 8, 1)[0]).toBe(Math.sin(1));
  });
  it('deduplicates function types and uses if/else with a result type', () => {
    const m = new ModuleBuilder();
    expect(m.type([F64], [F64])).toBe(m.type([F64], [F64]));
    const code = new Code().localGet(0).i32Const(0).op(Op.i32_gt_s).begin(Op.if, I32).i32Const(1).op(Op.else).i32Const(-1).end();
    const f = instantiate([I32], [I32], code).f!;
    expect([f(5), f(-5)]).toEqual([1, -1]);
    expect(VOID).toBe(0x40);
  });
  it('copies memory with the bulk-memory prefix', () => {
    const m = new ModuleBuilder();
    m.memory(1);
    const code = new Code().i32Const(64).i32Const(0).i32Const(16).opFC(10).byte(0).byte(0)
      .i32Const(72).mem(Op.f64_load, 3);
    const init = new Code().i32Const(8).f64Const(2.5).mem(Op.f64_store, 3);
    m.export('init', 'func', m.func({ type: m.type([], []), locals: [], code: init }));
    m.export('f', 'func', m.func({ type: m.type([], [F64]), locals: [], code }));
    m.export('mem', 'memory', 0);
    const ex = new WebAssembly.Instance(new WebAssembly.Module(m.finish())).exports as Record<string, Function>;
    ex.init!();
    expect(ex.f!()).toBe(2.5);
  });
});

describe('declared functions', () => {
  it('calls a function declared before its body is given', () => {
    const m = new ModuleBuilder();
    const t = m.type([F64], [F64]);
    const later = m.declareFunc(t);
    const main = m.func({ type: t, locals: [], code: new Code().localGet(0).call(later).f64Const(1).op(Op.f64_add) });
    m.defineFunc(later, { locals: [], code: new Code().localGet(0).localGet(0).op(Op.f64_mul) });
    m.export('f', 'func', main);
    const f = new WebAssembly.Instance(new WebAssembly.Module(m.finish())).exports.f as Function;
    expect(f(3)).toBe(10);
    expect(I64).toBe(0x7e);
  });
  it('refuses to finish with a declared function left without a body', () => {
    const m = new ModuleBuilder();
    m.declareFunc(m.type([], []));
    expect(() => m.finish()).toThrow(/no body/);
  });
});
