/**
 * @file Per-function analyses for wasm codegen: program positions, blocks, dead code (`needed`),
 * side effects, index safety, last uses (with the loop rule). The wasm locals those lives are
 * given to are in slots.ts.
 *
 * Positions number a function in program order: parameters are at 0; each instruction gets one
 * position; a `for` gets three: `start`, then its body, then `bodyEnd` (where the element is
 * stored) and `end` (its own definition). A variable used inside a loop that does not contain
 * its definition stays live until that loop's `end`, since the next iteration reads it again.
 */
import { internal } from '../errors.ts';
import type { Block, Expr, Func, TransparentFunc, Ty, Var } from '../ir/types.ts';
import { hasFloat, isLeaf, varCount, varTy } from '../ir/types.ts';
import { forEachOperand } from '../ir/visit.ts';
import { isZeroSize, wasmRep } from './layout.ts';

/** Growable parallel Int32Arrays for `Shape`'s read table. */
class ReadTable {
  x: Int32Array;
  user: Int32Array;
  pos: Int32Array;
  block: Int32Array;
  k: Int32Array;
  length = 0;

  constructor(capacity: number) {
    [this.x, this.user, this.pos, this.block, this.k] = [0, 0, 0, 0, 0].map(() => new Int32Array(Math.max(capacity, 16))) as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  }

  push(x: Var, user: Var, pos: number, block: number, k: number): void {
    if (this.length === this.x.length) this.#grow();
    const i = this.length++;
    this.x[i] = x;
    this.user[i] = user;
    this.pos[i] = pos;
    this.block[i] = block;
    this.k[i] = k;
  }

  #grow(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    [this.x, this.user, this.pos, this.block, this.k] = [grow(this.x), grow(this.user), grow(this.pos), grow(this.block), grow(this.k)];
  }
}

/**
 * The block id of a function's top-level body. A loop body's id is its `for` variable; a cond's
 * then-block's id is its `cond` variable `v`, its else-block's `n + v` (`n`: the function's
 * variable count, see `Shape.elseId`), so the two alternatives are told apart.
 */
export const TOP = -1;
/** `Shape.rK` of a loop's element read. */
export const YIELD = -2;

/** Where each variable is defined, and the positions of every instruction. */
export class Shape {
  readonly f: TransparentFunc;
  /** Defining expression per variable (undefined for parameters and loop indices). */
  readonly def: (Expr | undefined)[];
  /**
   * Block id of each variable's definition (a loop index belongs to its loop's body); past the
   * variables (only in functions with a `cond`), the enclosing block of each else-block id.
   */
  block: Int32Array;
  /**
   * Position of each variable's definition; a `for` or `cond` variable is defined at its `end`
   * (a cond's else-block ends just before, at `pos - 1`).
   */
  readonly pos: Int32Array;
  /**
   * For a `for` variable: the positions of its `start` and `bodyEnd`; for a `cond` variable: of its
   * start and the end of its then-block; else -1.
   */
  readonly forStart: Int32Array;
  readonly forBodyEnd: Int32Array;
  /** True when the function has a `cond` (its else-blocks have ids past the variables). */
  #hasCond = false;
  /** The body of each `for` variable. */
  readonly bodies = new Map<Var, Block>();
  /** For a loop index variable: its `for` variable; else -1. */
  readonly loopOfIndex: Int32Array;
  /** The position after the last instruction (where the result is returned). */
  readonly endPos: number;
  /**
   * Every value read, in program order, as parallel arrays: the variable read, the reading
   * instruction (-1: the function's result), its position and block, and `k`: the member position
   * for a literal's operand, `YIELD` for a loop's element (read at `bodyEnd` in the body) and a
   * cond's results (read at the end of each block, in it), else -1. The reads of instruction `v`
   * are `[readStart[v], readEnd[v])` (a loop's: its yield only; a cond's: its condition, read at
   * its `pos`, then its two results).
   */
  readonly rX: Int32Array;
  readonly rUser: Int32Array;
  readonly rPos: Int32Array;
  readonly rBlock: Int32Array;
  readonly rK: Int32Array;
  readonly readStart: Int32Array;
  readonly readEnd: Int32Array;
  /**
   * Per variable, bits of its type (`HAS_VALUE`: a wasm value, `LEAF`: a scalar, `REAL`: an f64), so the hot
   * loops of codegen read one byte instead of dispatching on type objects of many shapes.
   */
  readonly tyBits: Uint8Array;

  constructor(f: TransparentFunc) {
    const n = varCount(f);
    this.f = f;
    this.tyBits = typeBits(f);
    this.def = new Array<Expr | undefined>(n);
    this.block = new Int32Array(n).fill(TOP);
    this.pos = new Int32Array(n);
    this.forStart = new Int32Array(n).fill(-1);
    this.forBodyEnd = new Int32Array(n).fill(-1);
    this.loopOfIndex = new Int32Array(n).fill(-1);
    const t = new ReadTable(n);
    this.readStart = new Int32Array(n);
    this.readEnd = new Int32Array(n);
    // one walk numbers the positions and records the reads (a loop's body reads come first)
    let p = 1;
    const walk = (block: Block, id: number): void => {
      for (let k = 0; k < block.length; k++) {
        const { var: v, expr: e } = block[k]!;
        this.def[v] = e;
        this.block[v] = id;
        if (e.kind === 'for') {
          this.forStart[v] = p++;
          this.bodies.set(v, e.body);
          this.block[e.index] = v;
          this.loopOfIndex[e.index] = v;
          this.pos[e.index] = this.forStart[v]!;
          walk(e.body, v);
          this.forBodyEnd[v] = p++;
        } else if (e.kind === 'cond') {
          if (!this.#hasCond) this.#growBlocks();
          this.block[n + v] = id;
          this.forStart[v] = p++;
          walk(e.then, v);
          this.forBodyEnd[v] = p++;
          walk(e.els, n + v);
          p++; // the else-block's end
        }
        const at = p++;
        this.pos[v] = at;
        this.readStart[v] = t.length;
        if (e.kind === 'vec' || e.kind === 'struct') {
          const xs = e.kind === 'vec' ? e.elems : e.members;
          for (let j = 0; j < xs.length; j++) t.push(xs[j]!, v, at, id, j);
        } else if (e.kind === 'for') t.push(e.ret, v, this.forBodyEnd[v]!, v, YIELD);
        else if (e.kind === 'cond') {
          t.push(e.cond, v, at, id, -1);
          t.push(e.thenRet, v, this.forBodyEnd[v]!, v, YIELD);
          t.push(e.elsRet, v, at - 1, n + v, YIELD);
        } else pushReads(this, t, e, v, at, id);
        this.readEnd[v] = t.length;
      }
    };
    walk(f.body, TOP);
    this.endPos = p;
    t.push(f.ret, -1, this.endPos, TOP, -1);
    this.rX = t.x.subarray(0, t.length);
    this.rUser = t.user.subarray(0, t.length);
    this.rPos = t.pos.subarray(0, t.length);
    this.rBlock = t.block.subarray(0, t.length);
    this.rK = t.k.subarray(0, t.length);
  }

  /** Return the type of `v`. */
  ty(v: Var): Ty {
    return varTy(this.f, v) ?? internal(`variable x${v} has no type in ${this.f.name}`);
  }

  /** Make room for the else-block ids (the first `cond` met). */
  #growBlocks(): void {
    const n = varCount(this.f);
    const block = new Int32Array(2 * n).fill(TOP);
    block.set(this.block);
    this.block = block;
    this.#hasCond = true;
  }

  /** Return the block id of the else-block of `cond` variable `v`. */
  elseId(v: Var): number {
    return varCount(this.f) + v;
  }

  /** Return the instructions of block `id` (not TOP): a loop's body or a block of a cond. */
  blockAt(id: number): Block {
    const v = this.instrOf(id);
    const e = this.def[v];
    if (e?.kind === 'for') return e.body;
    if (e?.kind === 'cond') return id === v ? e.then : e.els;
    return internal(`block ${id} is not a block of ${this.f.name}`);
  }

  /** Return the instruction whose block is `id` (a `for` or `cond` variable; TOP for TOP). */
  instrOf(id: number): Var {
    const n = varCount(this.f);
    return id >= n ? id - n : id;
  }

  /** Return the block enclosing block `id` (TOP has none: returns TOP). */
  parent(id: number): number {
    return id === TOP ? TOP : this.block[id]!;
  }

  /**
   * Return the position at which a use of `x` at position `p` in block `b` ends `x`'s life: `p`
   * itself, or the `end` of the outermost loop around the use that does not contain `x`'s
   * definition.
   */
  extend(x: Var, p: number, b: number): number {
    const d = this.block[x]!;
    if (b === d) return p;
    if (this.#hasCond) return this.#extendThroughConds(d, p, b);
    let loop = b;
    while (loop !== TOP && this.block[loop] !== d) loop = this.block[loop]!;
    return loop === TOP ? p : this.pos[loop]!;
  }

  /**
   * `extend` where blocks may be cond blocks: only loops extend a life (a cond's block runs at
   * most once each time the cond does, and its two blocks are alternatives).
   */
  #extendThroughConds(d: number, p: number, b: number): number {
    const n = varCount(this.f);
    let end = p;
    for (let id = b; id !== TOP && id !== d; id = this.block[id]!)
      if (id < n && this.def[id]!.kind === 'for') end = this.pos[id]!;
    return end;
  }
}

const shapes = new WeakMap<TransparentFunc, Shape>();

/** `Shape.tyBits`: the type has a wasm value (not zero-size). */
export const HAS_VALUE = 1;
/** `Shape.tyBits`: the type is a scalar (not a vec, struct or ref). */
export const LEAF = 2;
/** `Shape.tyBits`: the type is `real` or `tan` (an f64). */
export const REAL = 4;

/** Return `Shape.tyBits` of the variables of `f`: the bits of each type in its table, then per variable. */
function typeBits(f: TransparentFunc): Uint8Array {
  const { types, varTypes } = f;
  const bitsOfId = new Uint8Array(types.length);
  for (let k = 0; k < types.length; k++) bitsOfId[k] = bitsOf(types[k]);
  const bits = new Uint8Array(varTypes.length);
  for (let v = 0; v < varTypes.length; v++) bits[v] = bitsOfId[varTypes[v]!]!;
  return bits;
}

/** Return the `Shape.tyBits` of type `t` (0 when there is none). */
function bitsOf(t: Ty | undefined): number {
  if (t === undefined) return 0;
  const rep = wasmRep(t);
  return (rep !== 'none' ? HAS_VALUE : 0) | (rep === 'f64' ? REAL : 0) | (isLeaf(t) ? LEAF : 0);
}

/** Return the (cached) shape of `f`. */
export function shapeOf(f: TransparentFunc): Shape {
  let s = shapes.get(f);
  if (s === undefined) shapes.set(f, (s = new Shape(f)));
  return s;
}

// ---------------------------------------------------------------------------------------------
// Effects and dead code

/** Return true when `t` takes bytes and has float leaves (adds into it do something). */
export function addsSomething(t: Ty): boolean {
  return hasFloat(t) && !isZeroSize(t);
}

/** Return true when `t` has a non-float leaf that takes bytes (accum must copy it from the shape). */
export function hasCopiedLeaf(t: Ty): boolean {
  switch (t.kind) {
    case 'vec':
      return t.size > 0 && hasCopiedLeaf(t.elem);
    case 'struct':
      return t.members.some(hasCopiedLeaf);
    case 'real':
    case 'tan':
      return false;
    default:
      return isLeaf(t) && !isZeroSize(t);
  }
}

/**
 * Record in `t` the reads of `v = e` at position `at` of block `id`: the operands whose values
 * `e` actually reads (an `accum` reads its shape only for the non-float leaves it copies; an
 * `add` into nothing that takes float bytes reads nothing), in operand order.
 */
function pushReads(shape: Shape, t: ReadTable, e: Expr, v: Var, at: number, id: number): void {
  switch (e.kind) {
    case 'prim':
      t.push(e.x, v, at, id, -1);
      if (e.y >= 0) t.push(e.y, v, at, id, -1);
      return;
    case 'call':
      for (let k = 0; k < e.args.length; k++) t.push(e.args[k]!, v, at, id, -1);
      return;
    case 'index':
      t.push(e.vec, v, at, id, -1);
      t.push(e.index, v, at, id, -1);
      return;
    case 'slice':
      t.push(e.ref, v, at, id, -1);
      t.push(e.index, v, at, id, -1);
      return;
    case 'member':
      t.push(e.struct, v, at, id, -1);
      return;
    case 'field':
    case 'resolve':
      t.push(e.ref, v, at, id, -1);
      return;
    case 'add': {
      const rt = shape.ty(e.ref);
      if (rt.kind !== 'ref' || !addsSomething(rt.inner)) return;
      t.push(e.ref, v, at, id, -1);
      t.push(e.addend, v, at, id, -1);
      return;
    }
    case 'accum':
      if (hasCopiedLeaf(shape.ty(e.shape))) t.push(e.shape, v, at, id, -1);
      return;
    default:
      forEachOperand(e, (x) => t.push(x, v, at, id, -1));
  }
}

/** Side-effect facts shared by all functions of one module. */
export class Effects {
  readonly #pure = new Map<Func, boolean>();

  /**
   * Return true when calling `g` has no effect besides its result: not opaque, no `ref` params,
   * nothing that may trap. Callees must have been asked first (callee-first order).
   */
  pure(g: Func): boolean {
    const known = this.#pure.get(g);
    if (known !== undefined) return known;
    let pure = g.kind === 'transparent' && !g.paramTypes.some((t) => t.kind === 'ref');
    if (pure && g.kind === 'transparent') pure = !this.blockHasEffects(shapeOf(g), g.body);
    this.#pure.set(g, pure);
    return pure;
  }

  /** Return true when an instruction of `block` (or nested) has an effect. */
  blockHasEffects(shape: Shape, block: Block): boolean {
    return block.some(({ var: v, expr }) => this.hasEffect(shape, v, expr));
  }

  /** Return true when `v = e` must run even if `v` is unused. */
  hasEffect(shape: Shape, v: Var, e: Expr): boolean {
    switch (e.kind) {
      case 'add': {
        const t = shape.ty(e.ref);
        return t.kind === 'ref' && addsSomething(t.inner);
      }
      case 'call':
        return !this.pure(e.func);
      case 'for':
        return this.blockHasEffects(shape, e.body);
      case 'cond':
        return this.blockHasEffects(shape, e.then) || this.blockHasEffects(shape, e.els);
      case 'index':
      case 'slice':
        return !indexIsSafe(shape, e.index, vecSize(shape, e.kind === 'index' ? e.vec : e.ref));
      case 'prim':
        return (e.prim === 'argmax' || e.prim === 'argmin') && vecSize(shape, e.x) === 0;
      default:
        void v;
        return false;
    }
  }
}

/** Return the size of the vec (or ref of a vec) `v`. */
export function vecSize(shape: Shape, v: Var): number {
  let t = shape.ty(v);
  if (t.kind === 'ref') t = t.inner;
  if (t.kind !== 'vec') internal(`x${v} is not a vec in ${shape.f.name}`);
  return t.size;
}

/**
 * Return true when `e` is pure arithmetic: a primitive other than `argmax`/`argmin` (which may
 * trap) or a `select`, computed from its operands alone wherever it is placed. (A false result
 * does not mean `e` is no `prim`.)
 */
export function isPureArith(e: Expr): e is Extract<Expr, { kind: 'prim' | 'select' }> {
  return (e.kind === 'prim' && e.prim !== 'argmax' && e.prim !== 'argmin') || e.kind === 'select';
}

/**
 * Return true when index `i` is surely in `[0, n)`: loop indices, `imod`, `argmax`/`argmin`,
 * literals and zeros below `n`, and selects of those. Everything else gets a bounds check.
 */
export function indexIsSafe(shape: Shape, i: Var, n: number): boolean {
  if (n === 0) return false;
  if (shape.loopOfIndex[i]! >= 0) return true;
  const t = shape.ty(i);
  if (t.kind === 'fin' && t.size <= 1) return true; // the value is 0
  const e = shape.def[i];
  if (e === undefined) return false; // a parameter: checked
  switch (e.kind) {
    case 'lit':
      return typeof e.value === 'number' && Number.isInteger(e.value) && e.value >= 0 && e.value < n;
    case 'zero':
      return true;
    case 'prim':
      return e.prim === 'imod' || e.prim === 'argmax' || e.prim === 'argmin';
    case 'select':
      return indexIsSafe(shape, e.then, n) && indexIsSafe(shape, e.els, n);
    default:
      return false;
  }
}

/**
 * Return, per variable, whether its instruction must be emitted (`needed`: it is used by a needed
 * instruction, is the result, or has an effect) and whether its value is read (`used`). Only
 * needed instructions are compiled.
 */
export function neededInstrs(shape: Shape, effects: Effects): { needed: Uint8Array; used: Uint8Array } {
  const n = varCount(shape.f);
  const needed = new Uint8Array(n);
  const used = new Uint8Array(n);
  used[shape.f.ret] = 1;
  const { rX, readStart, readEnd } = shape;
  const walk = (block: Block): void => {
    for (let k = block.length - 1; k >= 0; k--) {
      const { var: v, expr: e } = block[k]!;
      if (!used[v] && !effects.hasEffect(shape, v, e)) continue;
      needed[v] = 1;
      if (e.kind === 'for') {
        if (used[v]) used[e.ret] = 1;
        walk(e.body);
      } else if (e.kind === 'cond') {
        used[e.cond] = 1;
        if (used[v]) used[e.thenRet] = used[e.elsRet] = 1;
        walk(e.then);
        walk(e.els);
      } else for (let i = readStart[v]!; i < readEnd[v]!; i++) used[rX[i]!] = 1;
    }
  };
  walk(shape.f.body);
  return { needed, used };
}
