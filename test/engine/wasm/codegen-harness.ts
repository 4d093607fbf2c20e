/**
 * @file Test harness for wasm codegen: compile an IR function with `generate`, instantiate it in
 * Node, write arguments into memory with layout.ts, call it, read the result back as an
 * interpreter value, and compare with `interpret` leaf by leaf (`Object.is`, or a tolerance).
 *
 * The reference is the interpreter running the program with its math primitives (exp, sin, ...)
 * replaced by opaque calls of the same wasm math functions the compiled code uses
 * (`withWasmMath`), so compiled and interpreted results agree bit for bit everywhere; the math
 * library's own accuracy against `Math.*` is tested separately (math.test.ts).
 */
import { beforeAll, expect } from 'vitest';
import { accumulator, interpret, type Accumulator, type Val } from '../../../engine/interp/interp.ts';
import { FuncBuilder } from '../../../engine/ir/builder.ts';
import type { Func, TransparentFunc, Ty, Var } from '../../../engine/ir/types.ts';
import { generate, type GenerateOptions, type WasmArtifact } from '../../../engine/wasm/codegen.ts';
import { isZeroSize, memberOffset, sizeOf, storageOf, strideOf, alignOf } from '../../../engine/wasm/layout.ts';
import { ModuleBuilder } from '../../../engine/wasm/encoder.ts';
import { MATH_FNS, MathLibrary } from '../../../engine/wasm/math/index.ts';
import { REAL, primOperands, type Block, type Expr, type OpaqueFunc } from '../../../engine/ir/types.ts';
import { RoseError } from '../../../engine/errors.ts';

/** A compiled function, callable with interpreter values. */
export interface Compiled {
  readonly artifact: WasmArtifact;
  readonly memory: WebAssembly.Memory;
  /** Call with interpreter values; accumulator arguments are updated in place. */
  call(args: readonly Val[]): Val;
}

/** Compile `f` and instantiate it. */
export function compile(f: Func, options: GenerateOptions = {}): Compiled {
  const artifact = generate(f, options);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const fns: Record<string, (...xs: number[]) => number> = {};
  artifact.imports.forEach((g, k) => (fns[String(k)] = g.impl));
  const module = new WebAssembly.Module(artifact.bytes);
  const instance = new WebAssembly.Instance(module, { '': fns, m: { '': memory } });
  const fn = instance.exports.f as (...xs: number[]) => number | undefined;
  return {
    artifact,
    memory,
    call(args) {
      // leave address 0..7 unused, so a null pointer bug reads garbage rather than an argument
      let cursor = 8;
      const wasmArgs: number[] = [];
      const refs: [Accumulator, Ty, number][] = [];
      const place = (t: Ty): number => {
        cursor = Math.ceil(cursor / alignOf(t)) * alignOf(t);
        const at = cursor;
        cursor += sizeOf(t);
        ensure(memory, cursor);
        return at;
      };
      f.paramTypes.forEach((t, k) => {
        const a = args[k]!;
        if (t.kind === 'ref') {
          if (isZeroSize(t.inner)) return;
          const at = place(t.inner);
          write(memory, t.inner, at, (a as Accumulator).get());
          refs.push([a as Accumulator, t.inner, at]);
          wasmArgs.push(at);
        } else if (isZeroSize(t)) return;
        else if (t.kind === 'vec' || t.kind === 'struct') {
          const at = place(t);
          write(memory, t, at, a);
          wasmArgs.push(at);
        } else wasmArgs.push(t.kind === 'bool' ? (a ? 1 : 0) : (a as number));
      });
      const sp = Math.ceil(cursor / 8) * 8;
      ensure(memory, sp + artifact.frameSize);
      const raw = fn(...wasmArgs, sp);
      // write the accumulators' final contents back: replace them by adding the difference
      for (const [acc, t, at] of refs) setAcc(acc, t, read(memory, t, at));
      return fromWasm(memory, f.retType, raw);
    },
  };
}

/** Grow `memory` to hold `bytes`. */
function ensure(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}

/** Write value `v` of type `t` at `at`. */
export function write(memory: WebAssembly.Memory, t: Ty, at: number, v: Val): void {
  const dv = new DataView(memory.buffer);
  const go = (t: Ty, at: number, v: Val): void => {
    switch (t.kind) {
      case 'vec': {
        const s = strideOf(t.elem);
        (v as Val[]).forEach((x, i) => go(t.elem, at + i * s, x));
        return;
      }
      case 'struct':
        t.members.forEach((m, k) => go(m, at + memberOffset(t, k), (v as Val[])[k]!));
        return;
      default: {
        const n = t.kind === 'bool' ? (v ? 1 : 0) : (v as number);
        switch (storageOf(t)) {
          case 'f64':
            return dv.setFloat64(at, n, true);
          case 'u8':
            return dv.setUint8(at, n);
          case 'u16':
            return dv.setUint16(at, n, true);
          case 'u32':
            return dv.setUint32(at, n, true);
          case 'none':
            return;
        }
      }
    }
  };
  go(t, at, v);
}

/** Read a value of type `t` stored at `at`. */
export function read(memory: WebAssembly.Memory, t: Ty, at: number): Val {
  const dv = new DataView(memory.buffer);
  const go = (t: Ty, at: number): Val => {
    switch (t.kind) {
      case 'vec': {
        const s = strideOf(t.elem);
        return Array.from({ length: t.size }, (_, i) => go(t.elem, at + i * s));
      }
      case 'struct':
        return t.members.map((m, k) => go(m, at + memberOffset(t, k)));
      case 'unit':
        return null;
      default: {
        const st = storageOf(t);
        const n =
          st === 'f64' ? dv.getFloat64(at, true) : st === 'u8' ? dv.getUint8(at) : st === 'u16' ? dv.getUint16(at, true) : st === 'u32' ? dv.getUint32(at, true) : 0;
        return t.kind === 'bool' ? n !== 0 : n;
      }
    }
  };
  return go(t, at);
}

/** Convert the raw wasm result of type `t` to an interpreter value. */
function fromWasm(memory: WebAssembly.Memory, t: Ty, raw: number | undefined): Val {
  if (t.kind === 'vec' || t.kind === 'struct') return isZeroSize(t) ? read(memory, t, 0) : read(memory, t, raw!);
  if (t.kind === 'unit') return null;
  if (isZeroSize(t)) return 0;
  if (t.kind === 'bool') return raw !== 0;
  if (t.kind === 'fin') return raw! >>> 0; // indices are unsigned
  return raw!;
}

/** Make accumulator `acc` hold `v` (adds the difference of float leaves; others are copied anyway). */
function setAcc(acc: Accumulator, t: Ty, v: Val): void {
  const now = acc.get();
  const diff = (t: Ty, a: Val, b: Val): Val => {
    if (t.kind === 'vec') return (a as Val[]).map((x, i) => diff(t.elem, x, (b as Val[])[i]!));
    if (t.kind === 'struct') return t.members.map((m, k) => diff(m, (a as Val[])[k]!, (b as Val[])[k]!));
    if (t.kind === 'real' || t.kind === 'tan') return (a as number) - (b as number);
    return a;
  };
  acc.add(diff(t, v, now));
}

/** Return the leaves of `v` (of type `t`) in order. */
export function leaves(t: Ty, v: Val): Val[] {
  if (t.kind === 'vec') return (v as Val[]).flatMap((x) => leaves(t.elem, x));
  if (t.kind === 'struct') return t.members.flatMap((m, k) => leaves(m, (v as Val[])[k]!));
  return [v];
}

/** Expect `got` and `want` (of type `t`) to agree: bit for bit (`Object.is`), or within `rel`. */
export function expectSame(t: Ty, got: Val, want: Val, rel = 0, where = ''): void {
  const a = leaves(t, got);
  const b = leaves(t, want);
  expect(a.length, where).toBe(b.length);
  a.forEach((x, i) => {
    const y = b[i];
    if (rel > 0 && typeof x === 'number' && typeof y === 'number' && Number.isFinite(y)) {
      const tol = rel * Math.max(1, Math.abs(y));
      if (!(Math.abs(x - y) <= tol)) expect(x, `${where} leaf ${i}`).toBe(y);
    } else if (!Object.is(x, y)) expect(x, `${where} leaf ${i}`).toBe(y);
  });
}

/** Run `f` compiled and interpreted on `args` and expect the same result (and same errors). */
export function checkAgainstInterp(f: Func, args: readonly Val[], opts: GenerateOptions & { rel?: number } = {}, compiled?: Compiled): Val {
  const c = compiled ?? compile(f, opts);
  let want: Val;
  let wantError: unknown;
  try {
    want = interpret(withWasmMath(f), args);
  } catch (err) {
    wantError = err;
  }
  if (wantError !== undefined) {
    expect(wantError).toBeInstanceOf(RoseError);
    expect(() => c.call(args)).toThrow(WebAssembly.RuntimeError);
    return null;
  }
  const got = c.call(args);
  expectSame(f.retType, got, want!, opts.rel ?? 0);
  return got;
}

/** Return a fresh interpreter accumulator of type `t` holding `v` (floats added onto 0). */
export function accOf(t: Ty, v: Val): Accumulator {
  const acc = accumulator(t, v);
  acc.add(v);
  return acc;
}

/** Return a function of `params` whose body `body` builds (returning the result variable). */
export function build(name: string, params: readonly Ty[], body: (b: FuncBuilder, ...xs: Var[]) => Var): TransparentFunc {
  const b = new FuncBuilder(name);
  const xs = params.map((t) => b.param(t));
  return b.finish(body(b, ...xs));
}

/** Emit `p ? then() : els()` as a `cond` of type `t` (each thunk emits its block and returns its result). */
export function ifElse(b: FuncBuilder, p: Var, t: Ty, then: () => Var, els: () => Var): Var {
  b.beginBlock();
  const thenRet = then();
  const thenBlock = b.endBlock();
  b.beginBlock();
  const elsRet = els();
  const elsBlock = b.endBlock();
  return b.emit({ kind: 'cond', cond: p, then: thenBlock, thenRet, els: elsBlock, elsRet }, t);
}

let wasmMathFns: Map<string, OpaqueFunc> | undefined;

/** Return opaque functions calling the wasm math library, one per math primitive. */
function wasmMath(): Map<string, OpaqueFunc> {
  if (wasmMathFns) return wasmMathFns;
  const module = new ModuleBuilder();
  const lib = new MathLibrary(module);
  for (const name of MATH_FNS) module.export(name, 'func', lib.get(name));
  const exports = new WebAssembly.Instance(new WebAssembly.Module(module.finish()), {}).exports;
  wasmMathFns = new Map(
    MATH_FNS.map((name) => {
      const impl = exports[name] as (...xs: number[]) => number;
      const arity = impl.length;
      return [name, { kind: 'opaque', id: -1, name: `wasm.${name}`, paramTypes: Array(arity).fill(REAL), retType: REAL, impl }];
    }),
  );
  return wasmMathFns;
}

const mathFree = new WeakMap<Func, Func>();

/** Return `f` with every math primitive (in it and its callees) replaced by a call of the wasm math function. */
export function withWasmMath(f: Func): Func {
  if (f.kind === 'opaque') return f;
  const known = mathFree.get(f);
  if (known) return known;
  const math = wasmMath();
  const mapBlock = (block: Block): Block =>
    block.map((ins) => {
      const e = ins.expr;
      let out: Expr = e;
      if (e.kind === 'prim' && math.has(e.prim)) out = { kind: 'call', func: math.get(e.prim)!, args: primOperands(e) };
      else if (e.kind === 'call') out = { ...e, func: withWasmMath(e.func) };
      else if (e.kind === 'for') out = { ...e, body: mapBlock(e.body) };
      else if (e.kind === 'cond') out = { ...e, then: mapBlock(e.then), els: mapBlock(e.els) };
      return out === e ? ins : { var: ins.var, expr: out };
    });
  const g: Func = { ...f, body: mapBlock(f.body) };
  mathFree.set(f, g);
  return g;
}

/** binaryen's text printer, once `useWasmText` has loaded it (binaryen is a dev dependency). */
let printer: ((bytes: Uint8Array) => string) | undefined;

/** Load binaryen's text printer before the tests of the calling file (registers a `beforeAll`). */
export function useWasmText(): void {
  beforeAll(async () => {
    const binaryen = (await import('binaryen')).default;
    printer = (bytes) => {
      const m = binaryen.readBinary(bytes);
      const text = m.emitText();
      m.dispose();
      return text;
    };
  });
}

/** Return the text of the module `bytes` (after `useWasmText`). */
export function wasmText(bytes: Uint8Array): string {
  if (printer === undefined) throw new Error('wasmText: call useWasmText() in the test file first');
  return printer(bytes);
}

/** Return how often `op` occurs in the text of the module generated for `f` (after `useWasmText`). */
export function countOps(f: Func, op: string): number {
  return wasmText(generate(f).bytes).split(`(${op}`).length - 1;
}
