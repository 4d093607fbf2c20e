/**
 * @file A small expression layer over the encoder for the hand-written math kernels. Expressions are
 * typed (f64, i32, i64) values that emit their own code; a number or bigint operand takes the type of
 * the other operand. `Fn` holds one function body: locals, assignments, `if`, `return`. On top sit the
 * error-free transformations of double-double arithmetic (two-sum, two-product by Veltkamp splitting;
 * wasm has no fused multiply-add) and a few bit helpers. Nothing here knows about the IR.
 */
import { Code, F64, I32, I64, Op, OpFC, VOID, type ValType } from '../encoder.ts';

/** The `br_table` opcode (not in the encoder's table). */
const BR_TABLE = 0x0e;

/** A typed value that emits the code computing it. */
export interface Expr {
  readonly ty: ValType;
  emit(c: Code): void;
}

/** An expression or a literal that takes the other operand's type (numbers alone are f64). */
export type Arg = Expr | number | bigint;

/** A computed expression. */
class Node implements Expr {
  constructor(
    readonly ty: ValType,
    readonly emit: (c: Code) => void,
  ) {}
}

/** A local variable (or parameter); reading it is an expression. */
export class Local implements Expr {
  constructor(
    readonly ty: ValType,
    readonly index: number,
  ) {}
  emit(c: Code): void {
    c.localGet(this.index);
  }
}

/** Return `v` as an expression of type `ty` (literals are converted, expressions checked). */
export function lit(v: Arg, ty: ValType): Expr {
  if (typeof v === 'object') {
    if (v.ty !== ty) throw new Error(`internal: math dsl: expected type ${ty}, got ${v.ty}`);
    return v;
  }
  if (ty === F64) return new Node(F64, (c) => c.f64Const(Number(v)));
  if (ty === I32) {
    const n = Number(v);
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) throw new Error(`internal: math dsl: i32 ${n}`);
    return new Node(I32, (c) => c.i32Const(n | 0));
  }
  return new Node(I64, (c) => c.i64Const(BigInt(v)));
}

/** Return the type shared by the operands: the first expression's, else f64 (or i64 for a bigint). */
function tyOf(a: Arg, b?: Arg): ValType {
  if (typeof a === 'object') return a.ty;
  if (typeof b === 'object') return b.ty;
  return typeof a === 'bigint' ? I64 : F64;
}

type OpsByType = { readonly [ty: number]: number };

/** Return a binary operator choosing its opcode by operand type; `result` overrides the result type. */
function binary(ops: OpsByType, result?: ValType) {
  return (a: Arg, b: Arg): Expr => {
    const ty = tyOf(a, b);
    const op = ops[ty];
    if (op === undefined) throw new Error(`internal: math dsl: no operator for type ${ty}`);
    const ea = lit(a, ty);
    const eb = lit(b, ty);
    return new Node(result ?? ty, (c) => {
      ea.emit(c);
      eb.emit(c);
      c.op(op);
    });
  };
}

/** Return a unary operator (or conversion) from type `from` to type `to`. */
function unary(from: ValType, to: ValType, emitOp: (c: Code) => void) {
  return (a: Arg): Expr => {
    const ea = lit(a, from);
    return new Node(to, (c) => {
      ea.emit(c);
      emitOp(c);
    });
  };
}

const op = (opcode: number) => (c: Code) => c.op(opcode);

/** Return a + b. */
export const add = binary({ [F64]: Op.f64_add, [I32]: Op.i32_add, [I64]: Op.i64_add });
/** Return a - b. */
export const sub = binary({ [F64]: Op.f64_sub, [I32]: Op.i32_sub, [I64]: Op.i64_sub });
/** Return a * b. */
export const mul = binary({ [F64]: Op.f64_mul, [I32]: Op.i32_mul, [I64]: Op.i64_mul });
/** Return a / b (signed for integers). */
export const div = binary({ [F64]: Op.f64_div, [I32]: Op.i32_div_s, [I64]: Op.i64_div_s });
/** Return the smaller of two f64s (NaN if either is). */
export const min = binary({ [F64]: Op.f64_min });
/** Return the larger of two f64s (NaN if either is). */
export const max = binary({ [F64]: Op.f64_max });
/** Return |a| with the sign of b. */
export const copysign = binary({ [F64]: Op.f64_copysign });
/** Return the bitwise and. */
export const and = binary({ [I32]: Op.i32_and, [I64]: Op.i64_and });
/** Return the bitwise or. */
export const or = binary({ [I32]: Op.i32_or, [I64]: Op.i64_or });
/** Return the bitwise exclusive or. */
export const xor = binary({ [I32]: Op.i32_xor, [I64]: Op.i64_xor });
/** Return a shifted left by b bits (b taken modulo the width). */
export const shl = binary({ [I32]: Op.i32_shl, [I64]: Op.i64_shl });
/** Return a shifted right by b bits, arithmetic (sign-filling). */
export const shrS = binary({ [I32]: Op.i32_shr_s, [I64]: Op.i64_shr_s });
/** Return a shifted right by b bits, logical (zero-filling). */
export const shrU = binary({ [I32]: Op.i32_shr_u, [I64]: Op.i64_shr_u });
/** Return a == b as an i32 0 or 1. */
export const eq = binary({ [F64]: Op.f64_eq, [I32]: Op.i32_eq, [I64]: Op.i64_eq }, I32);
/** Return a != b as an i32 0 or 1 (true for NaN). */
export const ne = binary({ [F64]: Op.f64_ne, [I32]: Op.i32_ne, [I64]: Op.i64_ne }, I32);
/** Return a < b (signed for integers). */
export const lt = binary({ [F64]: Op.f64_lt, [I32]: Op.i32_lt_s, [I64]: Op.i64_lt_s }, I32);
/** Return a <= b (signed for integers). */
export const le = binary({ [F64]: Op.f64_le, [I32]: Op.i32_le_s, [I64]: Op.i64_le_s }, I32);
/** Return a > b (signed for integers). */
export const gt = binary({ [F64]: Op.f64_gt, [I32]: Op.i32_gt_s, [I64]: Op.i64_gt_s }, I32);
/** Return a >= b (signed for integers). */
export const ge = binary({ [F64]: Op.f64_ge, [I32]: Op.i32_ge_s, [I64]: Op.i64_ge_s }, I32);
/** Return a < b, unsigned. */
export const ltU = binary({ [I32]: Op.i32_lt_u, [I64]: Op.i64_lt_u }, I32);
/** Return a >= b, unsigned. */
export const geU = binary({ [I32]: Op.i32_ge_u, [I64]: Op.i64_ge_u }, I32);

/** Return -a (flips the sign bit, so -0 for 0). */
export const neg = unary(F64, F64, op(Op.f64_neg));
/** Return |a|. */
export const abs = unary(F64, F64, op(Op.f64_abs));
/** Return the correctly rounded square root. */
export const sqrt = unary(F64, F64, op(Op.f64_sqrt));
/** Return a rounded toward zero. */
export const trunc = unary(F64, F64, op(Op.f64_trunc));
/** Return 1 if the integer a is zero, else 0. */
export const eqz = (a: Expr): Expr => unary(a.ty, I32, op(a.ty === I64 ? Op.i64_eqz : Op.i32_eqz))(a);
/** Return the number of leading zero bits of an i64. */
export const clz64 = unary(I64, I64, op(Op.i64_clz));
/** Return the bits of an f64 as an i64. */
export const bits = unary(F64, I64, op(Op.i64_reinterpret_f64));
/** Return the f64 with the bits of an i64. */
export const fromBits = unary(I64, F64, op(Op.f64_reinterpret_i64));
/** Return the low 32 bits of an i64. */
export const wrap = unary(I64, I32, op(Op.i32_wrap_i64));
/** Return an i32 sign-extended to i64. */
export const extendS = unary(I32, I64, op(Op.i64_extend_i32_s));
/** Return an i32 zero-extended to i64. */
export const extendU = unary(I32, I64, op(Op.i64_extend_i32_u));
/** Return a signed i32 as an f64. */
export const f64OfI32 = unary(I32, F64, op(Op.f64_convert_i32_s));
/** Return a signed i64 rounded to an f64. */
export const f64OfI64 = unary(I64, F64, op(Op.f64_convert_i64_s));
/** Return an unsigned i64 rounded to an f64. */
export const f64OfU64 = unary(I64, F64, op(Op.f64_convert_i64_u));
/** Return an f64 truncated toward zero to an i32, saturating (never traps; NaN gives 0). */
export const i32OfF64 = unary(F64, I32, (c) => c.opFC(OpFC.i32_trunc_sat_f64_s));

/** Return the high 32 bits of an f64 (sign, exponent, top of the mantissa). */
export const hiWord = (x: Arg): Expr => wrap(shrU(bits(x), 32n));

/**
 * Return `cond ? a : b` for f64s without a branch (V8 compiles an f64 `select` to a branch, costly when
 * the condition is unpredictable): the bits are selected as i64s.
 */
export const pick = (cond: Expr, a: Arg, b: Arg): Expr => fromBits(select(cond, bits(lit(a, F64)), bits(lit(b, F64))));

/** Return x with its sign flipped when the i32 `flip` is 1 (branchless). */
export const flipSign = (x: Expr, flip: Expr): Expr => fromBits(xor(bits(x), shl(extendU(flip), 63n)));

/** Return `cond ? a : b`, evaluating both operands. */
export function select(cond: Expr, a: Arg, b: Arg): Expr {
  const ty = tyOf(a, b);
  const ea = lit(a, ty);
  const eb = lit(b, ty);
  return new Node(ty, (c) => {
    ea.emit(c);
    eb.emit(c);
    cond.emit(c);
    c.op(Op.select);
  });
}

/** Return a call of function `index` with one result of type `ty`. */
export function call(index: number, ty: ValType, ...args: Expr[]): Expr {
  return new Node(ty, (c) => {
    for (const a of args) a.emit(c);
    c.call(index);
  });
}

/** Return the f64 whose bits are `b` (e.g. `f64Bits(0x3ff921fb_54442d18n)` is pi/2). */
export function f64Bits(b: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, b);
  return view.getFloat64(0);
}

/** Return 2^k as an f64 constant (-1022 <= k <= 1023). */
export const pow2 = (k: number): number => f64Bits(BigInt(k + 1023) << 52n);

/** Return `c[0] + x*(c[1] + x*(c[2] + ...))` (Horner's scheme; `x` is re-read, so pass a local). */
export function horner(x: Expr, coeffs: readonly number[]): Expr {
  let acc: Expr = lit(coeffs[coeffs.length - 1]!, F64);
  for (let i = coeffs.length - 2; i >= 0; i--) acc = add(coeffs[i]!, mul(x, acc));
  return acc;
}

/**
 * Return the polynomial c[0] + x c[1] + x^2 c[2] + ... evaluated in pairs (c[2i] + x c[2i+1]) combined by
 * Horner's scheme in x^2: half the dependency chain of `horner`, the same operations otherwise.
 */
export function estrin(fn: Fn, x: Local, coeffs: readonly number[]): Expr {
  const x2 = fn.let(mul(x, x));
  const pairs: Expr[] = [];
  for (let i = 0; i < coeffs.length; i += 2) {
    pairs.push(i + 1 < coeffs.length ? add(coeffs[i]!, mul(x, coeffs[i + 1]!)) : lit(coeffs[i]!, F64));
  }
  let acc = pairs[pairs.length - 1]!;
  for (let i = pairs.length - 2; i >= 0; i--) acc = add(pairs[i]!, mul(x2, acc));
  return acc;
}

/** One function body under construction: parameters, extra locals and code. */
export class Fn {
  readonly code = new Code();
  readonly #params: readonly ValType[];
  readonly #locals: ValType[] = [];

  constructor(params: readonly ValType[]) {
    this.#params = params;
  }

  /** Return parameter `i`. */
  param(i: number): Local {
    const ty = this.#params[i];
    if (ty === undefined) throw new Error(`internal: math dsl: no parameter ${i}`);
    return new Local(ty, i);
  }

  /** Return a fresh local of type `ty` (zero until set). */
  local(ty: ValType): Local {
    this.#locals.push(ty);
    return new Local(ty, this.#params.length + this.#locals.length - 1);
  }

  /** Return a fresh local holding `e` (a number literal is an f64). */
  let(e: Arg): Local {
    const l = this.local(tyOf(e));
    this.set(l, e);
    return l;
  }

  /** Assign `e` to `l`. */
  set(l: Local, e: Arg): void {
    lit(e, l.ty).emit(this.code);
    this.code.localSet(l.index);
  }

  /** Run `then` if `c` is nonzero, else `otherwise`. */
  if(c: Expr, then: () => void, otherwise?: () => void): void {
    c.emit(this.code);
    this.code.begin(Op.if, VOID);
    then();
    if (otherwise) {
      this.code.op(Op.else);
      otherwise();
    }
    this.code.end();
  }

  /** Return the values `es` from the function. */
  ret(...es: Expr[]): void {
    for (const e of es) e.emit(this.code);
    this.code.op(Op.return);
  }

  /** Call function `index` and store its results (several for a multi-value call) in `into`. */
  callInto(index: number, args: readonly Expr[], into: readonly Local[]): void {
    for (const a of args) a.emit(this.code);
    this.code.call(index);
    for (let i = into.length - 1; i >= 0; i--) this.code.localSet(into[i]!.index);
  }

  /** Return one of `values` (i64 constants) chosen by the i32 `i` (the last for i out of range). */
  tableI64(i: Expr, values: readonly bigint[]): void {
    const c = this.code;
    const n = values.length;
    for (let k = 0; k < n; k++) c.begin(Op.block, VOID);
    i.emit(c);
    c.op(BR_TABLE).u32(n - 1);
    for (let k = 0; k < n - 1; k++) c.u32(k);
    c.u32(n - 1);
    for (let k = 0; k < n; k++) c.end().i64Const(values[k]!).op(Op.return);
  }

  /** Return the extra locals, grouped as runs of one type, for `ModuleBuilder.defineFunc`. */
  locals(): [count: number, type: ValType][] {
    const runs: [number, ValType][] = [];
    for (const ty of this.#locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === ty) last[0]++;
      else runs.push([1, ty]);
    }
    return runs;
  }
}

/** Return locals (hi, lo) with hi + lo = a exactly and hi holding the top 26 bits (|a| < 2^995). */
export function split(fn: Fn, a: Arg): [Local, Local] {
  const c = fn.let(mul(a, 134217729)); // 2^27 + 1
  const hi = fn.let(sub(c, sub(c, a)));
  return [hi, fn.let(sub(a, hi))];
}

/** Return locals (p, e) with p = fl(a*b) and p + e = a*b exactly (no overflow or underflow). */
export function twoProd(fn: Fn, a: Local, b: Local): [Local, Local] {
  const p = fn.let(mul(a, b));
  const [ah, al] = split(fn, a);
  const [bh, bl] = split(fn, b);
  const e = add(add(add(sub(mul(ah, bh), p), mul(ah, bl)), mul(al, bh)), mul(al, bl));
  return [p, fn.let(e)];
}

/** Return locals (p, e) with p = fl(a*a) and p + e = a*a exactly (one split instead of two). */
export function twoSquare(fn: Fn, a: Local): [Local, Local] {
  const p = fn.let(mul(a, a));
  const [ah, al] = split(fn, a);
  const e = add(add(sub(mul(ah, ah), p), mul(mul(2, ah), al)), mul(al, al));
  return [p, fn.let(e)];
}

/** Return locals (s, e) with s = fl(a+b) and s + e = a + b exactly (any order of magnitude). */
export function twoSum(fn: Fn, a: Local, b: Local): [Local, Local] {
  const s = fn.let(add(a, b));
  const bb = fn.let(sub(s, a));
  return [s, fn.let(add(sub(a, sub(s, bb)), sub(b, bb)))];
}

/** Return locals (s, e) with s = fl(a+b) and s + e = a + b exactly, given |a| >= |b| or a = 0. */
export function fastTwoSum(fn: Fn, a: Local, b: Local): [Local, Local] {
  const s = fn.let(add(a, b));
  return [s, fn.let(sub(b, sub(s, a)))];
}

/** 1.5 * 2^52: adding it rounds a double of magnitude below 2^51 to an integer held in the low bits. */
const ROUNDER = 6755399441055744;

/**
 * Return locals (kf, ki): v rounded to the nearest integer (ties to even) as an f64 and as an i32, for
 * |v| < 2^31, without a float-to-int conversion (the integer is read from the low bits of v + 1.5 2^52).
 */
export function roundInt(fn: Fn, v: Expr): [Local, Local] {
  const t = fn.let(add(v, ROUNDER));
  return [fn.let(sub(t, ROUNDER)), fn.let(wrap(bits(t)))];
}

/** Return 2^k for an i32 expression k in [-1022, 1023], built from the exponent bits. */
export function scaleOf(k: Expr): Expr {
  return fromBits(shl(extendS(add(k, 1023)), 52n));
}
