/**
 * @file Compile IR functions to one WebAssembly module (rose-reference §7, DESIGN.md §5).
 *
 * Module shape: imports (the program's opaque functions as `''.'k'`, then memory `'m'.''` with
 * min 0 pages and no max: the JS side grows it), one wasm function per transparent IR function
 * reachable from the root (callees first, each once), the chunk functions of split blocks, the
 * generated helpers (aggregate adds, accumulator init, argmax) and math functions, and one export
 * `'f'`: the root.
 *
 * Calling conventions: codegen-abi.ts. Repeated computations: codegen-cse.ts. Frames, homes and
 * liveness: codegen-plan.ts. Adds into one accumulator element in a row: codegen-runs.ts. Values
 * kept where they are computed: codegen-anchors.ts. Negations folded into sums: codegen-negs.ts.
 * Accumulators a callee initializes: codegen-fresh.ts. Arguments built where the callee saves
 * them: codegen-inplace.ts.
 * Splitting: codegen-units.ts. Code: codegen-emit.ts (values), codegen-instrs.ts (expressions),
 * codegen-prims.ts (primitives), codegen-mem.ts (memory operations and helpers).
 */
import { RoseError, formatMessage } from '../errors.ts';
import type { Block, Func, OpaqueFunc, StructTy, TransparentFunc, Ty } from '../ir/types.ts';
import { postOrder } from '../ir/visit.ts';
import { F64, I32, ModuleBuilder, Code, Op, type ValType } from './encoder.ts';
import { AddrCache, Emitter, type ModuleCtx } from './codegen-emit.ts';
import { emitInline, emitInstr } from './codegen-instrs.ts';
import { MathLibrary, type MathFn } from './math/index.ts';
import { Helpers } from './codegen-mem.ts';
import { DST, MAX_SPLIT, type FuncAbi, type PlanContext, type Variant, hasValue, paramRep, refInner } from './codegen-abi.ts';
import { FuncPlan } from './codegen-plan.ts';
import { eliminateCommon } from './codegen-cse.ts';
import { copy, fillZero, offsetAddr, zeroWords } from './codegen-mem.ts';
import { findFreshAccumulators } from './codegen-fresh.ts';
import { paramCopies } from './codegen-inplace.ts';
import { MAX_MEMORY_BYTES, formatBytes, memberOffset, roundUp, sizeOf, wasmRep } from './layout.ts';
import { Effects, TOP, shapeOf } from './liveness.ts';

/** The result of `generate`: module bytes plus what the JS side needs to instantiate and call it. */
export interface WasmArtifact {
  /** The module. Imports memory `'m'.''` (min 0 pages, no max) and `imports` below. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Opaque functions, imported as module '' field String(k) in this order, each (f64...) -> f64. */
  readonly imports: readonly OpaqueFunc[];
  /**
   * Bytes of scratch memory the root needs from `sp` (static, exact; checked against the 4 GiB
   * wasm32 limit).
   *
   * Export 'f' is the root. Params: one wasm value per IR param whose type is not zero-size
   * (real/tan -> f64, bool/fin -> i32, vec/struct -> i32 pointer to its inline data, ref -> i32
   * pointer to the accumulator's inline data, updated in place), then one i32 `sp`: the 8-byte
   * aligned start of scratch memory. Result: the IR result's wasm value (f64 / i32 / i32
   * pointer), or none if zero-size. An index result is an unsigned i32 (`>>> 0` for sizes over
   * 2^31). A pointer result may point into the frame or into an argument's data: read it before
   * the next call and before overwriting arguments. Index arguments should be in range: indexing
   * with an out-of-range one traps (`unreachable`), as do out-of-range `iadd` results used as
   * indices and `argmax`/`argmin` of empty vecs (the interpreter throws `invalid-value`).
   *
   * For an aggregate result, export 'g' is the root itself: the same params, then one i32
   * destination per part of the result (each member with a value, in member order, for a struct
   * of 2 to 8 of them; else the whole result), then `sp`; no result: it is built at the
   * destinations (which must not overlap the arguments).
   */
  readonly frameSize: number;
}

/** Sizes of the emitted functions, for tests and diagnostics. */
export interface FunctionStats {
  /** IR function name (`name[ptr]` for the pointer variant); chunks are `name#k`. */
  readonly name: string;
  /** Wasm locals besides the parameters. */
  readonly locals: number;
  /** Bytes of code. */
  readonly bytes: number;
  /** Values also stored into the anchor slot (codegen-anchors.ts). */
  readonly anchors: number;
}

/** Options of `generate`. */
export interface GenerateOptions {
  /**
   * Split a block into several wasm functions once its estimated size passes this many units
   * (about one per IR operand; default 20000). Tests set it low to force splitting.
   */
  readonly splitThreshold?: number;
  /** Refuse programs whose memory need passes this many bytes (default and maximum 2^32, wasm32's 4 GiB). */
  readonly maxMemoryBytes?: number;
  /** When given, receives one entry per compiled function and chunk. */
  readonly stats?: FunctionStats[];
}

/** V8's limits on wasm function params and results. */
const MAX_WASM_PARAMS = 1000;

/**
 * Compile `f` and every function it calls into one module importing memory `'m'.''`.
 * Throws `RoseError` (code `unsupported`) when the program would need more memory than wasm can
 * address (the message gives the size), or has more parameters than wasm allows.
 */
export function generate(f: Func, options: GenerateOptions = {}): WasmArtifact {
  const maxBytes = Math.min(options.maxMemoryBytes ?? MAX_MEMORY_BYTES, MAX_MEMORY_BYTES);
  const funcs = postOrder(f, calleesOnce);
  for (const g of funcs) checkTypes(g, maxBytes);
  const module = new ModuleBuilder();
  const imports: OpaqueFunc[] = funcs.filter((g): g is OpaqueFunc => g.kind === 'opaque');
  imports.forEach((g, k) => module.importFunc('', String(k), module.type(g.paramTypes.map(() => F64), [F64])));
  module.importMemory('m', '', 0);

  const abis = new Map<Func, FuncAbi>();
  const ptrAbis = new Map<Func, FuncAbi>();
  imports.forEach((g, k) => abis.set(g, opaqueAbi(g, k)));
  for (const g of funcs) if (g.kind === 'transparent') abis.set(g, declare(module, g, 'value'));
  const numbered = new Map<Func, TransparentFunc>(); // both variants of a function share it
  for (const g of funcs) if (g.kind === 'transparent') numbered.set(g, eliminateCommon(g));
  const planCtx: PlanContext = {
    effects: new Effects(),
    abiOf: (g, variant = 'value') => {
      if (variant === 'value' || g.kind === 'opaque') return abis.get(g) ?? internal(g);
      let abi = ptrAbis.get(g);
      if (abi === undefined) {
        // compiled on first request: its callees are compiled already (callees come first)
        ptrAbis.set(g, (abi = declare(module, g, 'ptr')));
        compile(abi);
      }
      return abi;
    },
    splitThreshold: options.splitThreshold ?? 20000,
    maxBytes,
    fresh: findFreshAccumulators(numbered),
  };
  const math = new MathLibrary(module);
  const ctx: ModuleCtx = { abiOf: planCtx.abiOf, math: (name) => math.get(name as MathFn), helpers: new Helpers(module) };
  const compile = (abi: FuncAbi): void => {
    const g = numbered.get(abi.func) ?? internal(abi.func);
    const plan = new FuncPlan(shapeOf(g), abi, planCtx);
    abi.frameSize = plan.frameSize;
    abi.paramAt = paramCopies(plan);
    compileFunc(module, ctx, plan, options.stats);
    plan.scratch.release(); // nothing keeps the plan's arrays once its function is emitted
  };
  for (const g of funcs) if (g.kind === 'transparent') compile(abis.get(g)!);
  // the root is exported with ref params as pointers: its `ptr` variant when that differs
  let root = planCtx.abiOf(f);
  if (root.inout.length > 0) root = planCtx.abiOf(f, 'ptr');
  const exported = f.kind === 'opaque' ? opaqueRoot(module, root) : root.retInDst ? dstRoot(module, root) : root.index;
  module.export('f', 'func', exported);
  // the root itself, taking its result's destinations (see WasmArtifact)
  if (f.kind === 'transparent' && root.retInDst) module.export('g', 'func', root.index);
  const frameSize = root.frameSize + (root.retInDst ? roundUp(sizeOf(f.retType), 8) : 0);
  if (frameSize > maxBytes) throw tooLarge(frameSize, maxBytes, f);
  return { bytes: module.finish(), imports, frameSize };
}

/**
 * Return the functions `g` calls directly, each once, in order of first call (what postOrder
 * makes of `directCallees`, without a list entry and a callback per call).
 */
function calleesOnce(g: Func): Func[] {
  const out: Func[] = [];
  if (g.kind !== 'transparent') return out;
  const seen = new Set<Func>();
  const walk = (block: Block): void => {
    for (let k = 0; k < block.length; k++) {
      const e = block[k]!.expr;
      if (e.kind === 'call') {
        if (!seen.has(e.func)) seen.add(e.func), out.push(e.func);
      } else if (e.kind === 'for') walk(e.body);
      else if (e.kind === 'cond') walk(e.then), walk(e.els);
    }
  };
  walk(g.body);
  return out;
}

function internal(g: Func): never {
  throw new RoseError('internal', `internal: wasm codegen has no entry for ${g.name}`);
}

/** Refuse types that wasm32 cannot hold: values over the memory limit, indices over 2^32. */
function checkTypes(g: Func, maxBytes: number): void {
  // a transparent function's type table holds each of its variables' types once
  const types = g.kind === 'transparent' ? g.types : [...g.paramTypes, g.retType];
  for (const t of types) {
    const inner = t.kind === 'ref' ? t.inner : t;
    const size = sizeOf(inner);
    if (size > maxBytes) throw tooLarge(size, maxBytes, g);
    if (inner.kind === 'fin' && inner.size > 2 ** 32)
      throw new RoseError('unsupported', formatMessage(`index type fin<${inner.size}> is larger than 2^32`, `function ${g.name}`));
  }
}

/** Return the error for a program needing `size` bytes of memory, more than `max`. */
function tooLarge(size: number, max: number, g: Func): RoseError {
  return new RoseError(
    'unsupported',
    formatMessage(
      `the program needs ${formatBytes(size)} of wasm memory, more than the ${formatBytes(max)} a 32-bit wasm memory can address (V8 may allow less)`,
      `function ${g.name}`,
      'Use smaller vectors, or fewer values kept alive at once',
    ),
  );
}

function opaqueAbi(g: OpaqueFunc, index: number): FuncAbi {
  return {
    func: g,
    variant: 'value',
    index,
    params: g.paramTypes.map(() => 'f64'),
    paramIndex: g.paramTypes.map((_, k) => k),
    nWasmParams: g.paramTypes.length,
    ret: 'f64',
    inout: [],
    retInDst: false,
    dsts: [],
    frameSize: 0,
  };
}

/** Declare the wasm function of `g` in `variant` and return its calling convention. */
function declare(module: ModuleBuilder, g: TransparentFunc, variant: Variant): FuncAbi {
  const params = g.paramTypes.map((t) => paramRep(t, variant));
  const wasmParams: ValType[] = [];
  const paramIndex = params.map((rep) => (rep === 'none' ? -1 : wasmParams.push(rep === 'i32' ? I32 : F64) - 1));
  const ret = wasmRep(g.retType);
  const retInDst = ret !== 'none' && (g.retType.kind === 'vec' || g.retType.kind === 'struct');
  const dsts = retInDst ? dstParts(g.retType).map((d) => ({ ...d, index: wasmParams.push(I32) - 1 })) : [];
  wasmParams.push(I32); // sp
  const inout = params.flatMap((rep, k) => (rep === 'inout' ? [k] : []));
  const results: ValType[] = ret === 'none' || retInDst ? [] : [ret === 'f64' ? F64 : I32];
  for (const _ of inout) results.push(F64);
  if (wasmParams.length > MAX_WASM_PARAMS || results.length > MAX_WASM_PARAMS)
    throw new RoseError(
      'unsupported',
      formatMessage(`${wasmParams.length} parameters/${results.length} results are more than wasm allows (${MAX_WASM_PARAMS})`, `function ${g.name}`, 'Pass a vec or struct instead'),
    );
  const index = module.declareFunc(module.type(wasmParams, results));
  return { func: g, variant, index, params, paramIndex, nWasmParams: wasmParams.length, ret, inout, retInDst, dsts, frameSize: 0 };
}

/** Return the parts of an aggregate result type: its members with a value (split), or the whole. */
function dstParts(t: Ty): { off: number; member: number }[] {
  if (t.kind === 'struct') {
    const parts = t.members.flatMap((m, k) => (hasValue(m) ? [{ off: memberOffset(t, k), member: k }] : []));
    if (parts.length >= 2 && parts.length <= MAX_SPLIT) return parts;
  }
  return [{ off: 0, member: -1 }];
}

/** Emit the function of `plan` and the functions of its chunks. */
function compileFunc(module: ModuleBuilder, ctx: ModuleCtx, plan: FuncPlan, stats?: FunctionStats[]): void {
  const f = plan.shape.f;
  const unitIndex = [plan.abi.index];
  for (const _ of plan.units.all) unitIndex.push(module.declareFunc(module.type([I32], [])));
  const addrs = new AddrCache(plan);
  const main = new Emitter(ctx, plan, 0, unitIndex, addrs, emitInstr, emitInline);
  entry(main);
  main.block(TOP, f.body);
  exit(main);
  module.defineFunc(plan.abi.index, { locals: main.slots.runs(), code: main.code });
  const name = plan.abi.variant === 'ptr' ? `${f.name}[ptr]` : f.name;
  const anchors = (unit: number) => (stats ? plan.anchored.reduce((k, a, v) => k + (a && plan.unitOf(v) === unit ? 1 : 0), 0) : 0);
  stats?.push({ name, locals: main.slots.types.length, bytes: main.code.length, anchors: anchors(0) });
  for (const ch of plan.units.all) {
    const em = new Emitter(ctx, plan, ch.unit, unitIndex, addrs, emitInstr, emitInline);
    const block = ch.block === TOP ? f.body : plan.shape.blockAt(ch.block);
    em.range(block, ch.start, ch.end);
    module.defineFunc(unitIndex[ch.unit]!, { locals: em.slots.runs(), code: em.code });
    stats?.push({ name: `${name}#${ch.unit}`, locals: em.slots.types.length, bytes: em.code.length, anchors: anchors(ch.unit) });
  }
}

/** Store parameters that live in the frame (spilled, or inout accumulators kept in memory). */
function entry(em: Emitter): void {
  const { abi, shape, home } = em.plan;
  em.plan.dstSpill.forEach((off, j) => {
    if (off >= 0) em.pushSp(), em.code.localGet(abi.dsts[j]!.index).mem(Op.i32_store, 2, off);
  });
  shape.f.params.forEach((p, k) => {
    const h = home[p]!;
    const index = abi.paramIndex[k]!;
    if (h.k === 'spill') {
      em.pushSp();
      em.code.localGet(index).mem(h.t === F64 ? Op.f64_store : Op.i32_store, h.t === F64 ? 3 : 2, h.off);
    } else if (h.k === 'frame') {
      em.pushSp();
      em.code.localGet(index).mem(Op.f64_store, 3, h.off);
    }
  });
  // fresh accumulators: the caller left them to this function (codegen-fresh.ts)
  for (const { param, zero } of em.plan.freshInits) {
    if (zero === undefined) fillZero(em.code, em.ptr(param), refInner(shape.ty(param)));
    else zeroWords(em.code, em.ptr(param), zero);
  }
}

/** Leave the result and the final values of the inout accumulators on the stack. */
function exit(em: Emitter): void {
  const { abi, shape } = em.plan;
  if (abi.retInDst) resultToDst(em);
  else if (hasValue(shape.f.retType)) em.push(shape.f.ret);
  for (const k of abi.inout) {
    const p = shape.f.params[k]!;
    if (em.plan.localAcc[p]) em.code.localGet(abi.paramIndex[k]!);
    else {
      const a = em.ptr(p);
      a.push();
      em.code.mem(Op.f64_load, 3, a.off);
    }
  }
}

/** Copy the aggregate result to its destinations, unless it was built there. */
function resultToDst(em: Emitter): void {
  const { abi, shape } = em.plan;
  const ret = shape.f.ret;
  if (ret === em.plan.splitRet) return; // its parts were built at their destinations
  const src = em.ptr(ret);
  if (abi.dsts.length > 1) {
    const st = shape.f.retType as StructTy;
    abi.dsts.forEach((d, j) => copy(em.code, em.at({ base: DST - j, off: 0 }), offsetAddr(src, d.off), st.members[d.member]!));
    return;
  }
  // built in place (or its bytes are) unless it is a parameter, a member, a call result...: then copy it there
  let h = em.plan.home[ret]!;
  while (h.k === 'derived' && h.off === 0) h = em.plan.home[h.base]!;
  if (!(h.k === 'frame' && h.base === DST && h.off === 0)) copy(em.code, em.at({ base: DST, off: 0 }), src, shape.f.retType);
}

/**
 * Return a function `(params..., sp) -> ptr` calling a root whose aggregate result goes to a
 * destination: the destination is the scratch memory after the root's frame.
 */
function dstRoot(module: ModuleBuilder, root: FuncAbi): number {
  const sp = root.nWasmParams - 1 - root.dsts.length; // the wrapper has no dst params
  const code = new Code();
  for (let k = 0; k < sp; k++) code.localGet(k);
  const dst = (off: number) => (root.frameSize + off === 0 ? code.localGet(sp) : code.localGet(sp).i32Const(root.frameSize + off).op(Op.i32_add));
  for (const d of root.dsts) dst(d.off);
  code.localGet(sp).call(root.index);
  dst(0);
  const params: ValType[] = [];
  root.params.forEach((rep) => rep !== 'none' && params.push(rep === 'f64' || rep === 'inout' ? F64 : I32));
  params.push(I32);
  return module.func({ type: module.type(params, [I32]), locals: [], code });
}

/** Return a function `(f64..., sp) -> f64` calling the opaque root (the export takes `sp` too). */
function opaqueRoot(module: ModuleBuilder, root: FuncAbi): number {
  const n = root.params.length;
  const code = new Code();
  for (let k = 0; k < n; k++) code.localGet(k);
  code.call(root.index);
  const params: ValType[] = [...root.params.map((): ValType => F64), I32];
  return module.func({ type: module.type(params, [F64]), locals: [], code });
}
