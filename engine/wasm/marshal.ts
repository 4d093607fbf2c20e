/**
 * @file JS values <-> wasm memory and wasm values, laid out per layout.ts. Encoders and decoders
 * are closures built once per type and compiled function, so a call walks no types: a vector of
 * reals is one loop (or one `Float64Array.set`), a struct a fixed list of member writes.
 *
 * Encoders validate as they write and report a mismatch by returning `false`; the caller then
 * runs the interpreter's own conversion (`toVal`), which throws the same `RoseError` `interp`
 * would, so compiled and interpreted functions reject bad arguments identically. Values `toVal`
 * accepts but memory cannot hold (an index too large for its storage) are refused here.
 */
import { RoseError, formatMessage, internal } from '../errors.ts';
import type { Val } from '../interp/interp.ts';
import type { StructTy, Ty } from '../ir/types.ts';
import { toVal } from '../trace/run.ts';
import { showTy } from '../trace/types.ts';
import { isTuple, tupleMember } from '../trace/values.ts';
import { layoutOf, memberOffset, roundUp, storageOf, strideOf, wasmRep, type WasmRep } from './layout.ts';
import { ALIGN, type Runtime } from './runtime.ts';

/** Write JS value `x` at address `addr`; return false (maybe after partial writes) if it does not fit. */
export type Encoder = (x: unknown, addr: number) => boolean;
/** Return the JS value stored at address `addr`. */
export type Decoder = (addr: number) => unknown;

const enumerable = Object.prototype.propertyIsEnumerable;

/** Return the largest index value the storage of index type `t` holds (zero-size: any). */
function finLimit(t: Ty): number {
  const s = storageOf(t);
  return s === 'u8' ? 0xff : s === 'u16' ? 0xffff : 0xffffffff;
}

// ---------------------------------------------------------------------------------------------
// Encoders

/** Return the encoder of values of type `t` into the memory of `rt`. */
export function encoder(rt: Runtime, t: Ty): Encoder {
  switch (t.kind) {
    case 'unit':
      return (x) => x === null;
    case 'bool':
      return (x, a) => {
        if (typeof x !== 'boolean') return false;
        rt.u8[a] = x ? 1 : 0;
        return true;
      };
    case 'real':
    case 'tan':
      return (x, a) => {
        if (typeof x !== 'number') return false;
        rt.f64[a >>> 3] = x;
        return true;
      };
    case 'fin':
      return finEncoder(rt, t);
    case 'vec':
      return t.elem.kind === 'real' || t.elem.kind === 'tan'
        ? realsEncoder(rt, t.size)
        : vecEncoder(t.size, strideOf(t.elem), encoder(rt, t.elem));
    case 'struct':
      return isTuple(t) ? tupleEncoder(rt, t) : structEncoder(rt, t);
    case 'ref':
      return internal('an accumulator cannot be passed from JS');
  }
}

/** Return the encoder of an index type (checked against its storage width). */
function finEncoder(rt: Runtime, t: Ty): Encoder {
  const limit = finLimit(t);
  const check = (x: unknown): x is number =>
    typeof x === 'number' && x >>> 0 === x && x <= limit;
  switch (storageOf(t)) {
    case 'none':
      return (x) => check(x);
    case 'u8':
      return (x, a) => check(x) && ((rt.u8[a] = x), true);
    case 'u16':
      return (x, a) => check(x) && ((rt.u16[a >>> 1] = x), true);
    default:
      return (x, a) => check(x) && ((rt.u32[a >>> 2] = x), true);
  }
}

/** Return the encoder of a vector of `n` reals: `set` for a Float64Array, one loop for an array. */
function realsEncoder(rt: Runtime, n: number): Encoder {
  return (x, a) => {
    if (x instanceof Float64Array) {
      if (x.length !== n) return false;
      rt.f64.set(x, a >>> 3);
      return true;
    }
    if (!Array.isArray(x) || x.length !== n) return false;
    const f = rt.f64;
    const b = a >>> 3;
    for (let i = 0; i < n; i++) {
      const v: unknown = x[i];
      if (typeof v !== 'number') return false;
      f[b + i] = v;
    }
    return true;
  };
}

/** Return the encoder of a vector of `n` elements at `stride` bytes. */
function vecEncoder(n: number, stride: number, elem: Encoder): Encoder {
  return (x, a) => {
    if (!(Array.isArray(x) || x instanceof Float64Array) || x.length !== n) return false;
    for (let i = 0; i < n; i++) if (!elem(x[i], a + i * stride)) return false;
    return true;
  };
}

/** Return the encoder of a struct given as a plain object with exactly its keys. */
function structEncoder(rt: Runtime, t: StructTy): Encoder {
  const keys = t.keys;
  const m = keys.length;
  const offs = keys.map((_, k) => memberOffset(t, k));
  const encs = t.members.map((mt) => encoder(rt, mt));
  return (x, a) => {
    if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x))
      return false;
    let count = 0;
    for (const _ in x) count++;
    if (count !== m) return false;
    const obj = x as Record<string, unknown>;
    for (let k = 0; k < m; k++) {
      const key = keys[k]!;
      if (!enumerable.call(obj, key) || !encs[k]!(obj[key], a + offs[k]!)) return false;
    }
    return true;
  };
}

/** Return the encoder of a tuple (a struct with keys '0'..'n-1') given as a JS array. */
function tupleEncoder(rt: Runtime, t: StructTy): Encoder {
  const m = t.keys.length;
  const pos = t.keys.map((_, i) => tupleMember(t, i));
  const offs = pos.map((k) => memberOffset(t, k));
  const encs = pos.map((k) => encoder(rt, t.members[k]!));
  return (x, a) => {
    if (!(Array.isArray(x) || x instanceof Float64Array) || x.length !== m) return false;
    for (let i = 0; i < m; i++) if (!encs[i]!(x[i], a + offs[i]!)) return false;
    return true;
  };
}

/**
 * Write `x` (of type `t`) at `addr` the slow way: convert it with the interpreter's `toVal`, which
 * throws interp's error for a bad value, then store the converted value.
 */
export function encodeSlow(rt: Runtime, t: Ty, x: unknown, addr: number, where: string): void {
  writeVal(rt, t, toVal(t, x, where), addr, where);
}

/** Store interpreter value `v` of type `t` at `addr`. */
function writeVal(rt: Runtime, t: Ty, v: Val, addr: number, where: string): void {
  switch (t.kind) {
    case 'unit':
      return;
    case 'bool':
      rt.u8[addr] = v ? 1 : 0;
      return;
    case 'real':
    case 'tan':
      rt.f64[addr >>> 3] = v as number;
      return;
    case 'fin':
      if ((v as number) > finLimit(t)) throw tooLargeIndex(v as number, t, where);
      if (!finEncoder(rt, t)(v, addr)) internal(`index ${String(v)} did not encode`);
      return;
    case 'vec': {
      const stride = strideOf(t.elem);
      (v as Val[]).forEach((e, i) => writeVal(rt, t.elem, e, addr + i * stride, where));
      return;
    }
    case 'struct':
      (v as Val[]).forEach((e, k) => writeVal(rt, t.members[k]!, e, addr + memberOffset(t, k), where));
      return;
    case 'ref':
      return internal('an accumulator cannot be passed from JS');
  }
}

/** Return the error for an index value too large for the memory storage of its type. */
function tooLargeIndex(x: number, t: Ty, where: string): RoseError {
  return new RoseError(
    'invalid-value',
    formatMessage(
      `invalid value: index ${x} is out of range for index type ${showTy(t)}, and compiled ` +
        `code stores it in ${layoutOf(t).size} byte(s)`,
      where,
      `Pass an index below ${showTy(t)}`,
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Decoders

/** Return the decoder of values of type `t` from the memory of `rt`. */
export function decoder(rt: Runtime, t: Ty): Decoder {
  switch (t.kind) {
    case 'unit':
      return () => null;
    case 'bool':
      return (a) => rt.u8[a] !== 0;
    case 'real':
    case 'tan':
      return (a) => rt.f64[a >>> 3];
    case 'fin':
      switch (storageOf(t)) {
        case 'none':
          return () => 0;
        case 'u8':
          return (a) => rt.u8[a];
        case 'u16':
          return (a) => rt.u16[a >>> 1];
        default:
          return (a) => rt.u32[a >>> 2];
      }
    case 'vec':
      return t.elem.kind === 'real' || t.elem.kind === 'tan'
        ? realsDecoder(rt, t.size)
        : vecDecoder(t.size, strideOf(t.elem), decoder(rt, t.elem));
    case 'struct':
      return isTuple(t) ? tupleDecoder(rt, t) : structDecoder(rt, t);
    case 'ref':
      throw new RoseError(
        'unsupported',
        formatMessage('Ref not supported: an accumulator cannot be returned to JS'),
      );
  }
}

/** Return the decoder of a vector of `n` reals into a JS array. */
function realsDecoder(rt: Runtime, n: number): Decoder {
  return (a) => {
    const f = rt.f64;
    const b = a >>> 3;
    const out = new Array<number>(n); // filled below; faster than push
    for (let i = 0; i < n; i++) out[i] = f[b + i]!;
    return out;
  };
}

/** Return the decoder of a vector of `n` elements at `stride` bytes. */
function vecDecoder(n: number, stride: number, elem: Decoder): Decoder {
  return (a) => {
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = elem(a + i * stride);
    return out;
  };
}

/**
 * Return the decoder of a struct into a plain object with its keys. Each object starts as a copy
 * of a template with all keys (one hidden class from the start, cheaper than adding keys one by
 * one), and real members are read inline rather than through their decoder.
 */
function structDecoder(rt: Runtime, t: StructTy): Decoder {
  const keys = t.keys;
  const m = keys.length;
  const offs = keys.map((_, k) => memberOffset(t, k));
  const decs = t.members.map((mt) => decoder(rt, mt));
  const real = t.members.map((mt) => mt.kind === 'real' || mt.kind === 'tan');
  const template: Record<string, unknown> = {};
  for (const k of keys) template[k] = null;
  return (a) => {
    const out = { ...template };
    for (let k = 0; k < m; k++) {
      const at = a + offs[k]!;
      out[keys[k]!] = real[k] ? rt.f64[at >>> 3] : decs[k]!(at);
    }
    return out;
  };
}

/** Return the decoder of a tuple into a JS array. */
function tupleDecoder(rt: Runtime, t: StructTy): Decoder {
  const pos = t.keys.map((_, i) => tupleMember(t, i));
  const offs = pos.map((k) => memberOffset(t, k));
  const decs = pos.map((k) => decoder(rt, t.members[k]!));
  return (a) => decs.map((d, i) => d(a + offs[i]!));
}

// ---------------------------------------------------------------------------------------------
// Parameters and results of a compiled function

/** How one IR parameter is passed: as a wasm value, or written into the argument area. */
export interface ParamPlan {
  readonly ty: Ty;
  /** `f64`/`i32`: a scalar wasm value; `ptr`: written at `offset` and passed by address; `none`. */
  readonly kind: 'f64' | 'i32' | 'ptr' | 'none';
  /** Byte offset in the argument area (for `ptr`). */
  readonly offset: number;
  readonly enc: Encoder;
  /** Where, for error messages: `argument i of ...`. */
  readonly where: string;
}

/** The calling plan of a function: its parameters and the argument area's size. */
export interface ArgPlan {
  readonly params: readonly ParamPlan[];
  /** Bytes of the argument area, a multiple of `ALIGN` (the frame starts after it). */
  readonly bytes: number;
}

/** Return the calling plan of parameters `tys`, with error locations `argument i of <where>`. */
export function argPlan(rt: Runtime, tys: readonly Ty[], where: string): ArgPlan {
  let at = 0;
  const params = tys.map((ty, i): ParamPlan => {
    const rep: WasmRep = wasmRep(ty);
    const kind = rep === 'i32' && (ty.kind === 'vec' || ty.kind === 'struct') ? 'ptr' : rep;
    let offset = 0;
    if (kind === 'ptr') {
      const l = layoutOf(ty);
      offset = at = roundUp(at, l.align);
      at += l.size;
    }
    return { ty, kind, offset, enc: scalarEncoder(rt, ty, kind), where: `argument ${i} of ${where}` };
  });
  return { params, bytes: roundUp(at, ALIGN) };
}

/**
 * Return the encoder of a parameter: aggregates are written into the argument area; scalars are
 * only validated (the caller passes them as wasm values, see `scalarValue`).
 */
function scalarEncoder(rt: Runtime, ty: Ty, kind: ParamPlan['kind']): Encoder {
  if (kind === 'ptr') return encoder(rt, ty);
  switch (ty.kind) {
    case 'real':
    case 'tan':
      return (x) => typeof x === 'number';
    case 'bool':
      return (x) => typeof x === 'boolean';
    case 'fin': {
      const limit = finLimit(ty);
      return (x) => typeof x === 'number' && x >>> 0 === x && x <= limit;
    }
    default:
      // zero-size aggregates and unit: validate without writing (they occupy no bytes)
      return encoder(rt, ty);
  }
}

/** Return the wasm value of a validated scalar argument `x` (booleans become 0/1). */
export function scalarValue(x: unknown): number {
  return typeof x === 'boolean' ? (x ? 1 : 0) : (x as number);
}

/**
 * Return the function turning the wasm result `r` of a function returning `t` into a JS value:
 * f64 as is, bool as `r !== 0`, index as unsigned, pointers decoded from memory (read as
 * unsigned: addresses above 2 GiB come back negative from wasm).
 */
export function resultDecoder(rt: Runtime, t: Ty): (r: number) => unknown {
  const rep = wasmRep(t);
  if (rep === 'none') {
    const dec = decoder(rt, t);
    return () => dec(0);
  }
  switch (t.kind) {
    case 'real':
    case 'tan':
      return (r) => r;
    case 'bool':
      return (r) => r !== 0;
    case 'fin':
      return (r) => r >>> 0;
    default: {
      const dec = decoder(rt, t);
      return (r) => dec(r >>> 0);
    }
  }
}

/**
 * Return how many reals a result of type `t` holds when it is a (nested) vector of reals stored
 * contiguously, else `undefined`. Such results can be written into a caller's Float64Array.
 */
export function flatRealCount(t: Ty): number | undefined {
  if (t.kind === 'real' || t.kind === 'tan') return 1;
  if (t.kind !== 'vec') return undefined;
  const inner = flatRealCount(t.elem);
  return inner === undefined ? undefined : inner * t.size;
}
