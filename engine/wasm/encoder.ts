/**
 * @file A small standalone WebAssembly binary encoder: LEB128, value types, sections, and an
 * instruction buffer. It knows nothing of the IR; codegen and the math library talk to it.
 * Reference: the WebAssembly core specification, binary format (chapter 5).
 */

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64;

/** Block type of a block/loop/if without results. */
export const VOID = 0x40;

/** Opcodes used by Rose Kit (names follow the spec's text format, dots as underscores). */
export const Op = {
  unreachable: 0x00, nop: 0x01, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b,
  br: 0x0c, br_if: 0x0d, return: 0x0f, call: 0x10, drop: 0x1a, select: 0x1b,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22, global_get: 0x23, global_set: 0x24,
  i32_load: 0x28, i64_load: 0x29, f64_load: 0x2b, i32_load8_u: 0x2d, i32_load16_u: 0x2f,
  i32_store: 0x36, i64_store: 0x37, f64_store: 0x39, i32_store8: 0x3a, i32_store16: 0x3b,
  memory_size: 0x3f, memory_grow: 0x40,
  i32_const: 0x41, i64_const: 0x42, f64_const: 0x44,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a,
  i32_gt_u: 0x4b, i32_le_s: 0x4c, i32_le_u: 0x4d, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_gt_s: 0x55,
  i64_gt_u: 0x56, i64_le_s: 0x57, i64_le_u: 0x58, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  f64_eq: 0x61, f64_ne: 0x62, f64_lt: 0x63, f64_gt: 0x64, f64_le: 0x65, f64_ge: 0x66,
  i32_clz: 0x67, i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e,
  i32_rem_s: 0x6f, i32_rem_u: 0x70, i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_shl: 0x74,
  i32_shr_s: 0x75, i32_shr_u: 0x76,
  i64_clz: 0x79, i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f, i64_div_u: 0x80,
  i64_rem_s: 0x81, i64_rem_u: 0x82, i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86,
  i64_shr_s: 0x87, i64_shr_u: 0x88,
  f64_abs: 0x99, f64_neg: 0x9a, f64_ceil: 0x9b, f64_floor: 0x9c, f64_trunc: 0x9d,
  f64_nearest: 0x9e, f64_sqrt: 0x9f, f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_div: 0xa3,
  f64_min: 0xa4, f64_max: 0xa5, f64_copysign: 0xa6,
  i32_wrap_i64: 0xa7, i32_trunc_f64_s: 0xaa, i32_trunc_f64_u: 0xab, i64_extend_i32_s: 0xac,
  i64_extend_i32_u: 0xad, i64_trunc_f64_s: 0xb0, f64_convert_i32_s: 0xb7,
  f64_convert_i32_u: 0xb8, f64_convert_i64_s: 0xb9, f64_convert_i64_u: 0xba,
  i64_reinterpret_f64: 0xbd, f64_reinterpret_i64: 0xbf,
} as const;

/** Prefixed (0xfc) opcodes: saturating truncation and bulk memory. */
export const OpFC = {
  i32_trunc_sat_f64_s: 2, i32_trunc_sat_f64_u: 3, i64_trunc_sat_f64_s: 6,
  memory_copy: 10, memory_fill: 11,
} as const;

/** Scratch space for encoding doubles (one shared buffer: no allocation per constant). */
const F64_SCRATCH = new DataView(new ArrayBuffer(8));
const F64_BYTES = new Uint8Array(F64_SCRATCH.buffer);

/** A growable byte buffer with the binary format's primitive encodings. */
export class ByteWriter {
  #buf = new Uint8Array(256);
  #len = 0;

  /** Return the number of bytes written. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Append one byte. */
  byte(b: number): this {
    this.#reserve(1);
    this.#buf[this.#len++] = b;
    return this;
  }

  /** Append raw bytes. */
  bytes(bs: ArrayLike<number>): this {
    this.#reserve(bs.length);
    this.#buf.set(bs, this.#len);
    this.#len += bs.length;
    return this;
  }

  /** Append an unsigned LEB128 integer (0 <= n < 2^32). */
  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`u32 out of range: ${n}`);
    do {
      let b = n & 0x7f;
      n = Math.floor(n / 128);
      if (n !== 0) b |= 0x80;
      this.byte(b);
    } while (n !== 0);
    return this;
  }

  /** Append a signed LEB128 32-bit integer. */
  s32(n: number): this {
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff)
      throw new RangeError(`s32 out of range: ${n}`);
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  /** Append a signed LEB128 64-bit integer. */
  s64(n: bigint): this {
    n = BigInt.asIntN(64, n);
    for (;;) {
      const b = Number(n & 0x7fn);
      n >>= 7n;
      const done = (n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  /** Append a little-endian IEEE 754 double. */
  f64(x: number): this {
    F64_SCRATCH.setFloat64(0, x, true);
    return this.bytes(F64_BYTES);
  }

  /** Append a UTF-8 name with its length. */
  name(s: string): this {
    const utf8 = new TextEncoder().encode(s);
    return this.u32(utf8.length).bytes(utf8);
  }

  /** Append another writer's bytes prefixed by their length (a section or function body). */
  sized(inner: ByteWriter): this {
    return this.u32(inner.length).bytes(inner.finish());
  }

  /** Return the written bytes (a view; copy it if the writer is used again). */
  finish(): Uint8Array<ArrayBuffer> {
    return this.#buf.subarray(0, this.#len);
  }
}

/** One function body's code: locals and instructions. Helpers return `this` for chaining. */
export class Code extends ByteWriter {
  /** Emit an opcode with no immediates. */
  op(opcode: number): this {
    return this.byte(opcode);
  }
  /** Emit a prefixed (0xfc) opcode. */
  opFC(sub: number): this {
    return this.byte(0xfc).u32(sub);
  }
  i32Const(n: number): this {
    return this.byte(Op.i32_const).s32(n | 0);
  }
  i64Const(n: bigint): this {
    return this.byte(Op.i64_const).s64(n);
  }
  f64Const(x: number): this {
    return this.byte(Op.f64_const).f64(x);
  }
  localGet(i: number): this {
    return this.byte(Op.local_get).u32(i);
  }
  localSet(i: number): this {
    return this.byte(Op.local_set).u32(i);
  }
  localTee(i: number): this {
    return this.byte(Op.local_tee).u32(i);
  }
  call(funcIndex: number): this {
    return this.byte(Op.call).u32(funcIndex);
  }
  /** Emit a load or store with alignment exponent `align` and constant byte `offset`. */
  mem(opcode: number, align: number, offset = 0): this {
    return this.byte(opcode).u32(align).u32(offset);
  }
  /** Open a block, loop or if with block type `type` (VOID or a value type). */
  begin(opcode: typeof Op.block | typeof Op.loop | typeof Op.if, type: number = VOID): this {
    return this.byte(opcode).byte(type);
  }
  br(depth: number): this {
    return this.byte(Op.br).u32(depth);
  }
  brIf(depth: number): this {
    return this.byte(Op.br_if).u32(depth);
  }
  end(): this {
    return this.byte(Op.end);
  }
}

/** A function type: params and results. */
export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/** A function defined in the module: its type index, extra locals and code (without `end`). */
export interface FuncDef {
  readonly type: number;
  /** Extra locals after the params, grouped as runs of one type. */
  readonly locals: readonly (readonly [count: number, type: ValType])[];
  readonly code: Code;
}

/** Assemble a module: types, imports, functions, memory, exports. */
export class ModuleBuilder {
  readonly #types: FuncType[] = [];
  readonly #typeKeys = new Map<string, number>();
  readonly #funcImports: { module: string; name: string; type: number }[] = [];
  #memoryImport: { module: string; name: string; min: number; max?: number } | undefined;
  #memory: { min: number; max?: number } | undefined;
  /** Defined functions by position; `undefined` while declared but not yet defined. */
  readonly #funcs: (FuncDef | { readonly type: number; readonly pending: true })[] = [];
  readonly #exports: { name: string; kind: 0 | 2; index: number }[] = [];

  /** Return the index of the function type (deduplicated). */
  type(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(',')}>${results.join(',')}`;
    let index = this.#typeKeys.get(key);
    if (index === undefined) {
      index = this.#types.length;
      this.#types.push({ params, results });
      this.#typeKeys.set(key, index);
    }
    return index;
  }

  /** Import a function; return its function index. All imports must precede `func`. */
  importFunc(module: string, name: string, type: number): number {
    if (this.#funcs.length > 0) throw new Error('encoder: imports must come before functions');
    this.#funcImports.push({ module, name, type });
    return this.#funcImports.length - 1;
  }

  /** Import the memory (pages of 64 KiB). */
  importMemory(module: string, name: string, min: number, max?: number): void {
    this.#memoryImport = max === undefined ? { module, name, min } : { module, name, min, max };
  }

  /** Define the module's own memory. */
  memory(min: number, max?: number): void {
    this.#memory = max === undefined ? { min } : { min, max };
  }

  /** Return the function index the next `func` call will get. */
  nextFuncIndex(): number {
    return this.#funcImports.length + this.#funcs.length;
  }

  /** Define a function; return its function index. */
  func(def: FuncDef): number {
    this.#funcs.push(def);
    return this.#funcImports.length + this.#funcs.length - 1;
  }

  /** Reserve a function index of type `type`, so calls to it can be emitted before its body. */
  declareFunc(type: number): number {
    this.#funcs.push({ type, pending: true });
    return this.#funcImports.length + this.#funcs.length - 1;
  }

  /** Give the body of a function reserved by `declareFunc`. */
  defineFunc(index: number, def: Omit<FuncDef, 'type'>): void {
    const k = index - this.#funcImports.length;
    const slot = this.#funcs[k];
    if (slot === undefined || !('pending' in slot)) throw new Error(`encoder: function ${index} was not declared`);
    this.#funcs[k] = { type: slot.type, locals: def.locals, code: def.code };
  }

  /** Export a function (kind 0) or memory (kind 2). */
  export(name: string, kind: 'func' | 'memory', index: number): void {
    this.#exports.push({ name, kind: kind === 'func' ? 0 : 2, index });
  }

  /** Return the module's bytes. */
  finish(): Uint8Array<ArrayBuffer> {
    const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, fill: (w: ByteWriter) => void) => {
      const w = new ByteWriter();
      fill(w);
      out.byte(id).sized(w);
    };
    section(1, (w) => {
      w.u32(this.#types.length);
      for (const t of this.#types) w.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
    });
    const nImports = this.#funcImports.length + (this.#memoryImport ? 1 : 0);
    if (nImports > 0)
      section(2, (w) => {
        w.u32(nImports);
        for (const im of this.#funcImports) w.name(im.module).name(im.name).byte(0x00).u32(im.type);
        const m = this.#memoryImport;
        if (m) limits(w.name(m.module).name(m.name).byte(0x02), m.min, m.max);
      });
    section(3, (w) => {
      w.u32(this.#funcs.length);
      for (const f of this.#funcs) w.u32(f.type);
    });
    if (this.#memory) section(5, (w) => limits(w.u32(1), this.#memory!.min, this.#memory!.max));
    section(7, (w) => {
      w.u32(this.#exports.length);
      for (const e of this.#exports) w.name(e.name).byte(e.kind).u32(e.index);
    });
    section(10, (w) => {
      w.u32(this.#funcs.length);
      for (const f of this.#funcs) {
        if ('pending' in f) throw new Error('encoder: a declared function has no body');
        const body = new ByteWriter().u32(f.locals.length);
        for (const [count, type] of f.locals) body.u32(count).byte(type);
        body.bytes(f.code.finish()).byte(Op.end);
        w.sized(body);
      }
    });
    return out.finish();
  }
}

/** Append memory limits. */
function limits(w: ByteWriter, min: number, max?: number): void {
  if (max === undefined) w.byte(0x00).u32(min);
  else w.byte(0x01).u32(min).u32(max);
}
