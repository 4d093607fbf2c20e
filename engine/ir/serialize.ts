/**
 * @file A compact binary form of a program (a root `Func` and every function it reaches), for
 * the worker boundary: `encodeProgram` writes it into two typed arrays and a string table,
 * which `postMessage` transfers without copying, and `decodeProgram` rebuilds the functions in
 * the receiving realm. It replaces structured cloning of the object graph, which cost the main
 * thread more than tracing did on large programs, and it is what the module cache hashes
 * (`hashProgram`): one tight loop over integers instead of a walk over objects.
 *
 * Layout of `ints` (all 32-bit integers; `reals` holds the number literals, `strings` the names):
 * ```
 * VERSION, funcCount, rootIndex, typeCount
 * types:     kind, fields...          (fin: size; vec: size, elem; ref: inner; struct: n, n x (key, member))
 * headers:   per function: kind (0 transparent, 1 opaque), name, paramCount, paramTypes..., retType,
 *            customJvp (function index or -1), opaque: slot
 * bodies:    per transparent function: varCount, varTypes..., paramCount, params..., ret, block
 * block:     instrCount, per instruction: var, expression code, fields (see `writeExpr`)
 * ```
 * Functions are numbered in `reachableFuncs` order (callees first), types by first use, so the
 * encoding depends only on the program's structure, never on process-local ids or on which
 * equal type objects happen to be shared. Opaque functions travel without their JS `impl`: the
 * encoder returns them (slot k is `opaques[k]`), and the decoder gives them a stub that must
 * never run (the receiving side only generates code; imports are reattached by slot).
 */
import { internal } from '../errors.ts';
import { PRIM_NAMES, type Prim } from './prims.ts';
import { reachableFuncs } from './pprint.ts';
import {
  BOOL,
  REAL,
  TAN,
  UNIT,
  accumInstr,
  addInstr,
  callInstr,
  fieldInstr,
  finTy,
  freshFuncId,
  indexInstr,
  litInstr,
  memberInstr,
  primInstr,
  refTy,
  resolveInstr,
  sliceInstr,
  structTy,
  typeTable,
  vecTy,
  zeroInstr,
  type Block,
  type Expr,
  type Func,
  type Instr,
  type OpaqueFunc,
  type TransparentFunc,
  type Ty,
  type Var,
} from './types.ts';

/** A program in binary form: structured-clonable, and `ints`/`reals` are transferable. */
export interface EncodedProgram {
  readonly ints: Int32Array;
  readonly reals: Float64Array;
  readonly strings: readonly string[];
}

/** A decoded program: its root, and the slot of each opaque function (see the file comment). */
export interface DecodedProgram {
  readonly func: Func;
  readonly slots: ReadonlyMap<Func, number>;
}

/** Bumped whenever the layout changes (a stale worker script must not misread a program). */
const VERSION = 1;

const TYPE_KINDS = ['unit', 'bool', 'real', 'tan', 'fin', 'vec', 'struct', 'ref'] as const;
const EXPR_KINDS: readonly Expr['kind'][] = [
  'lit', 'zero', 'vec', 'struct', 'index', 'member', 'slice', 'field', 'prim', 'select', 'call',
  'for', 'accum', 'add', 'resolve', 'cond',
];
const EXPR_CODE = new Map(EXPR_KINDS.map((k, i) => [k, i]));
const PRIM_CODE = new Map(PRIM_NAMES.map((p, i) => [p, i]));
/** Literal tags: null, false, true, a number (then its index in `reals`). */
const LIT_NULL = 0;
const LIT_FALSE = 1;
const LIT_TRUE = 2;
const LIT_NUMBER = 3;

/** A growable Int32Array. */
class IntWriter {
  buf = new Int32Array(1024);
  length = 0;

  /** Append `x`. */
  push(x: number): void {
    if (this.length === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = x;
  }

  /** Append `xs.length`, then `xs`. */
  list(xs: readonly number[]): void {
    this.push(xs.length);
    for (const x of xs) this.push(x);
  }
}

/** The state of one encoding. */
class Encoder {
  readonly ints = new IntWriter();
  readonly types = new IntWriter();
  typeCount = 0;
  readonly reals: number[] = [];
  readonly strings: string[] = [];
  readonly #stringIndex = new Map<string, number>();
  readonly #typeIndex = new Map<Ty, number>();
  readonly #typeByKey = new Map<string, number>();
  readonly funcIndex = new Map<Func, number>();

  /** Return the index of string `s` in the table. */
  str(s: string): number {
    let k = this.#stringIndex.get(s);
    if (k === undefined) {
      k = this.strings.push(s) - 1;
      this.#stringIndex.set(s, k);
    }
    return k;
  }

  /** Return the index of type `t`: structurally equal types share one entry. */
  ty(t: Ty): number {
    const known = this.#typeIndex.get(t);
    if (known !== undefined) return known;
    const fields: number[] = [TYPE_KINDS.indexOf(t.kind)];
    if (t.kind === 'fin') fields.push(t.size);
    else if (t.kind === 'vec') fields.push(t.size, this.ty(t.elem));
    else if (t.kind === 'ref') fields.push(this.ty(t.inner));
    else if (t.kind === 'struct') {
      fields.push(t.keys.length);
      t.keys.forEach((key, k) => fields.push(this.str(key), this.ty(t.members[k]!)));
    }
    const key = fields.join(',');
    let k = this.#typeByKey.get(key);
    if (k === undefined) {
      k = this.typeCount++;
      for (const x of fields) this.types.push(x);
      this.#typeByKey.set(key, k);
    }
    this.#typeIndex.set(t, k);
    return k;
  }
}

/** Return `root` and everything it reaches in binary form, and its opaque functions by slot. */
export function encodeProgram(root: Func): { program: EncodedProgram; opaques: OpaqueFunc[] } {
  const funcs = reachableFuncs(root);
  const enc = new Encoder();
  funcs.forEach((f, k) => enc.funcIndex.set(f, k));
  const opaques: OpaqueFunc[] = [];
  const headers = new IntWriter();
  for (const f of funcs) {
    headers.push(f.kind === 'transparent' ? 0 : 1);
    headers.push(enc.str(f.name));
    headers.list(f.paramTypes.map((t) => enc.ty(t)));
    headers.push(enc.ty(f.retType));
    headers.push(f.customJvp === undefined ? -1 : enc.funcIndex.get(f.customJvp)!);
    if (f.kind === 'opaque') headers.push(opaques.push(f) - 1);
  }
  const { ints } = enc;
  for (const f of funcs) {
    if (f.kind !== 'transparent') continue;
    // each type of the table encoded once, when its first variable is
    const codes = new Int32Array(f.types.length).fill(-1);
    const code = (k: number) => (codes[k]! >= 0 ? codes[k]! : (codes[k] = enc.ty(f.types[k]!)));
    ints.list(Array.from(f.varTypes, code));
    ints.list(f.params);
    ints.push(f.ret);
    writeBlock(enc, f.body);
  }
  const head = [VERSION, funcs.length, enc.funcIndex.get(root)!, enc.typeCount];
  const out = new Int32Array(head.length + enc.types.length + headers.length + ints.length);
  out.set(head);
  out.set(enc.types.buf.subarray(0, enc.types.length), head.length);
  out.set(headers.buf.subarray(0, headers.length), head.length + enc.types.length);
  out.set(ints.buf.subarray(0, ints.length), head.length + enc.types.length + headers.length);
  const program = { ints: out, reals: Float64Array.from(enc.reals), strings: enc.strings };
  return { program, opaques };
}

/** Append a block: its length, then each instruction. */
function writeBlock(enc: Encoder, block: Block): void {
  const w = enc.ints;
  w.push(block.length);
  for (const instr of block) {
    w.push(instr.var);
    writeExpr(enc, instr.expr);
  }
}

/** Append an expression: its code, then its fields in declaration order. */
function writeExpr(enc: Encoder, e: Expr): void {
  const w = enc.ints;
  w.push(EXPR_CODE.get(e.kind)!);
  switch (e.kind) {
    case 'lit':
      if (e.value === null) w.push(LIT_NULL);
      else if (typeof e.value === 'boolean') w.push(e.value ? LIT_TRUE : LIT_FALSE);
      else w.push(LIT_NUMBER), w.push(enc.reals.push(e.value) - 1);
      return;
    case 'zero':
      return;
    case 'vec':
      return w.list(e.elems);
    case 'struct':
      return w.list(e.members);
    case 'index':
      return w.push(e.vec), w.push(e.index);
    case 'member':
      return w.push(e.struct), w.push(e.member);
    case 'slice':
      return w.push(e.ref), w.push(e.index);
    case 'field':
      return w.push(e.ref), w.push(e.member);
    case 'prim':
      // as an operand list (its length, then one or two operands), without making the list
      w.push(PRIM_CODE.get(e.prim)!);
      w.push(e.y < 0 ? 1 : 2);
      w.push(e.x);
      if (e.y >= 0) w.push(e.y);
      return;
    case 'select':
      return w.push(e.cond), w.push(e.then), w.push(e.els);
    case 'call':
      w.push(enc.funcIndex.get(e.func)!);
      return w.list(e.args);
    case 'for':
      w.push(e.index);
      w.push(e.ret);
      return writeBlock(enc, e.body);
    case 'cond':
      w.push(e.cond), w.push(e.thenRet), w.push(e.elsRet);
      writeBlock(enc, e.then);
      return writeBlock(enc, e.els);
    case 'accum':
      return w.push(e.shape);
    case 'add':
      return w.push(e.ref), w.push(e.addend);
    case 'resolve':
      return w.push(e.ref);
  }
}

/** Return the ArrayBuffers of `program` to list as transferables in `postMessage`. */
export function transferablesOf(program: EncodedProgram): ArrayBuffer[] {
  return [program.ints.buffer as ArrayBuffer, program.reals.buffer as ArrayBuffer];
}

/** Reads a program's integers in order. */
class Reader {
  at = 0;
  constructor(
    readonly ints: Int32Array,
    readonly program: EncodedProgram,
  ) {}

  /** Return the next integer. */
  next(): number {
    if (this.at >= this.ints.length) internal('decodeProgram: the program ends early');
    return this.ints[this.at++]!;
  }

  /** Return the next `count, x1..x_count` as an array. */
  list(): number[] {
    const n = this.next();
    const out = new Array<number>(n);
    for (let k = 0; k < n; k++) out[k] = this.next();
    return out;
  }

  /** Return string number `k` of the table. */
  str(k: number): string {
    const s = this.program.strings[k];
    if (s === undefined) internal(`decodeProgram: no string ${k}`);
    return s;
  }
}

/**
 * Rebuild the functions of `program` in this realm: fresh function ids, this realm's interned
 * types, opaque functions with a stub `impl` (see the file comment).
 */
export function decodeProgram(program: EncodedProgram): DecodedProgram {
  const r = new Reader(program.ints, program);
  if (r.next() !== VERSION) internal('decodeProgram: a program of another encoding version');
  const funcCount = r.next();
  const rootIndex = r.next();
  const types = readTypes(r, r.next());
  const funcs: Func[] = [];
  const jvps: number[] = [];
  const slots = new Map<Func, number>();
  for (let k = 0; k < funcCount; k++) {
    const transparent = r.next() === 0;
    const name = r.str(r.next());
    const paramTypes = r.list().map((t) => types[t]!);
    const retType = types[r.next()]!;
    jvps.push(r.next());
    const base = { id: freshFuncId(), name, paramTypes, retType };
    if (transparent) {
      funcs.push({ ...base, kind: 'transparent', ...typeTable([]), params: [], body: [], ret: 0 });
    } else {
      const f: OpaqueFunc = { ...base, kind: 'opaque', impl: stubImpl(name) };
      slots.set(f, r.next());
      funcs.push(f);
    }
  }
  jvps.forEach((j, k) => {
    if (j >= 0) funcs[k]!.customJvp = funcs[j]!;
  });
  for (const f of funcs) {
    if (f.kind !== 'transparent') continue;
    const m = f as { -readonly [K in keyof TransparentFunc]: TransparentFunc[K] };
    const table = typeTable(r.list().map((t) => types[t]!));
    m.types = table.types;
    m.varTypes = table.varTypes;
    m.params = r.list();
    m.ret = r.next();
    m.body = readBlock(r, funcs);
  }
  if (r.at !== program.ints.length) internal('decodeProgram: trailing data');
  return { func: funcs[rootIndex] ?? internal('decodeProgram: no root function'), slots };
}

/** Return the type table (each entry refers only to earlier ones). */
function readTypes(r: Reader, count: number): Ty[] {
  const types: Ty[] = [];
  for (let k = 0; k < count; k++) {
    const kind = TYPE_KINDS[r.next()];
    switch (kind) {
      case 'unit':
        types.push(UNIT);
        break;
      case 'bool':
        types.push(BOOL);
        break;
      case 'real':
        types.push(REAL);
        break;
      case 'tan':
        types.push(TAN);
        break;
      case 'fin':
        types.push(finTy(r.next()));
        break;
      case 'vec': {
        const size = r.next();
        types.push(vecTy(size, types[r.next()]!));
        break;
      }
      case 'ref':
        types.push(refTy(types[r.next()]!));
        break;
      case 'struct': {
        const n = r.next();
        const keys: string[] = [];
        const members: Ty[] = [];
        for (let i = 0; i < n; i++) keys.push(r.str(r.next())), members.push(types[r.next()]!);
        types.push(structTy(keys, members));
        break;
      }
      default:
        internal('decodeProgram: unknown type kind');
    }
  }
  return types;
}

/** Read a block written by `writeBlock`. */
function readBlock(r: Reader, funcs: readonly Func[]): Instr[] {
  const n = r.next();
  const block = new Array<Instr>(n);
  for (let k = 0; k < n; k++) block[k] = readInstr(r, funcs, r.next());
  return block;
}

/**
 * Read the expression written by `writeExpr` as the instruction defining `v`: one object where
 * the builders make one (see `ownInstr`), so decoded IR is laid out as built IR.
 */
function readInstr(r: Reader, funcs: readonly Func[], v: Var): Instr {
  const kind = EXPR_KINDS[r.next()];
  switch (kind) {
    case 'lit': {
      const tag = r.next();
      if (tag === LIT_NUMBER) return litInstr(v, r.program.reals[r.next()]!);
      return litInstr(v, tag === LIT_NULL ? null : tag === LIT_TRUE);
    }
    case 'zero':
      return zeroInstr(v);
    case 'vec':
      return { var: v, expr: { kind, elems: r.list() } };
    case 'struct':
      return { var: v, expr: { kind, members: r.list() } };
    case 'index':
      return indexInstr(v, r.next(), r.next());
    case 'member':
      return memberInstr(v, r.next(), r.next());
    case 'slice':
      return sliceInstr(v, r.next(), r.next());
    case 'field':
      return fieldInstr(v, r.next(), r.next());
    case 'prim': {
      const prim: Prim | undefined = PRIM_NAMES[r.next()];
      if (prim === undefined) return internal('decodeProgram: unknown primitive');
      const n = r.next();
      if (n !== 1 && n !== 2) return internal(`decodeProgram: ${prim} with ${n} operands`);
      const x = r.next();
      return primInstr(v, prim, x, n === 2 ? r.next() : -1);
    }
    case 'select':
      return { var: v, expr: { kind, cond: r.next(), then: r.next(), els: r.next() } };
    case 'call': {
      const func = funcs[r.next()];
      if (func === undefined) return internal('decodeProgram: call of an unknown function');
      return callInstr(v, func, r.list());
    }
    case 'for': {
      const index = r.next();
      const ret = r.next();
      return { var: v, expr: { kind, index, ret, body: readBlock(r, funcs) } };
    }
    case 'cond': {
      const [cond, thenRet, elsRet] = [r.next(), r.next(), r.next()];
      const then = readBlock(r, funcs);
      return { var: v, expr: { kind, cond, then, thenRet, els: readBlock(r, funcs), elsRet } };
    }
    case 'accum':
      return accumInstr(v, r.next());
    case 'add':
      return addInstr(v, r.next(), r.next());
    case 'resolve':
      return resolveInstr(v, r.next());
    default:
      return internal('decodeProgram: unknown expression kind');
  }
}

/** Return the implementation given to decoded opaque functions: it must never run. */
function stubImpl(name: string): OpaqueFunc['impl'] {
  return () => internal(`the opaque function ${name} was called where only its code is generated`);
}

/**
 * Return a 128-bit hash (32 hex digits) of `program`: equal programs (same structure, names,
 * literals bit for bit) hash equal, whatever their process-local ids. Not cryptographic.
 */
export function hashProgram(program: EncodedProgram): string {
  const lanes = new Int32Array([0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f]);
  const mix = (x: number): void => {
    let a = Math.imul(lanes[0]! ^ x, 0x85ebca77);
    let b = Math.imul(lanes[1]! ^ x, 0xc2b2ae3d);
    let c = Math.imul(lanes[2]! ^ x, 0x27d4eb2f);
    let d = Math.imul(lanes[3]! ^ x, 0x165667b1);
    a ^= a >>> 15;
    b ^= b >>> 13;
    c ^= c >>> 16;
    d ^= d >>> 14;
    // rotate the lanes into each other so every input reaches all 128 bits
    lanes[0] = a + b;
    lanes[1] = b + c;
    lanes[2] = c + d;
    lanes[3] = d + a;
  };
  const { ints, reals, strings } = program;
  for (let i = 0; i < ints.length; i++) mix(ints[i]!);
  const bits = new Int32Array(reals.buffer, reals.byteOffset, reals.length * 2);
  mix(reals.length);
  for (let i = 0; i < bits.length; i++) mix(bits[i]!);
  mix(strings.length);
  for (const s of strings) {
    mix(s.length);
    for (let i = 0; i < s.length; i++) mix(s.charCodeAt(i));
  }
  return [...lanes].map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}
