/**
 * @file `DenseBuilder`: build a `DenseFunc` (dense.ts) with the emitting methods of `FuncBuilder`
 * (same names, same result types), so a transform can write either layout. Instructions are
 * written into columns indexed by variable; blocks are lists of variables, and a nested block is
 * closed into an id (`endBlock`) that `emitFor` / `emitCond` refer to.
 */
import { internal } from '../errors.ts';
import {
  BODY,
  OP_ACCUM,
  OP_ADD,
  OP_CALL,
  OP_COND,
  OP_FIELD,
  OP_FOR,
  OP_INDEX,
  OP_LIT,
  OP_MEMBER,
  OP_NONE,
  OP_RESOLVE,
  OP_SELECT,
  OP_SLICE,
  OP_STRUCT,
  OP_VEC,
  OP_ZERO,
  blockVarsOf,
  primOp,
  type Callee,
  type DenseFunc,
} from './dense.ts';
import { primResultType, type Prim } from './prims.ts';
import {
  REAL,
  UNIT,
  finTy,
  freshFuncId,
  refTy,
  vecTy,
  type Func,
  type Ty,
  type Var,
} from './types.ts';
import { IntList, grownTo, trimmed } from './int-list.ts';
import { VarDeclarer } from './var-table.ts';

/** A nested block taken out of the open ones (see `DenseBuilder.detachBlock`). */
export interface DetachedBlock {
  readonly vars: IntList;
}

/** Build one `DenseFunc`: declare params, emit instructions into nested blocks, finish. */
export class DenseBuilder extends VarDeclarer {
  /** The instruction columns (see `DenseFunc`), with room for `#op.length` variables. */
  #op: Uint8Array;
  #a: Int32Array;
  #b: Int32Array;
  #c: Int32Array;
  #lits: Float64Array = new Float64Array(16);
  #litCount = 0;
  readonly #lists = new IntList(16);
  readonly #funcs: Callee[] = [];
  readonly #funcIds = new Map<Callee, number>();
  /** Closed blocks: start in `#blockVars`, length, result (block 0, the body, at `finish`). */
  readonly #blockStart = new IntList(4);
  readonly #blockLength = new IntList(4);
  readonly #blockRet = new IntList(4);
  readonly #blockVars = new IntList(16);
  /** Open blocks, innermost last; `#open[0]` is the body. */
  readonly #open: IntList[];
  /**
   * Lists of closed blocks, for the next blocks to open: a function has thousands of small
   * blocks (loop bodies), and a typed array each, grown as filled, cost a tenth of a pass.
   */
  readonly #freeLists: IntList[] = [];
  /** Instructions placed in blocks so far (see `instrCount`). */
  #instrCount = 0;
  /** Per open block, its real literals (value -> var) when `shareLiterals` is on (see there). */
  #literals: Map<number, Var>[] | undefined;

  /**
   * Start a function named `name`; `capacity` estimates the length of its body, `varCapacity`
   * its variable count (hints: the arrays grow by doubling past them).
   */
  constructor(name: string, capacity = 0, varCapacity = capacity) {
    super(name);
    const n = Math.max(16, varCapacity);
    this.#op = new Uint8Array(n);
    this.#a = new Int32Array(n);
    this.#b = new Int32Array(n);
    this.#c = new Int32Array(n);
    this.#open = [new IntList(capacity)];
    // block 0 is the body, closed last
    this.#blockStart.push(0);
    this.#blockLength.push(0);
    this.#blockRet.push(-1);
  }

  /** Make `real` reuse a literal of the same value from the current or an enclosing block. */
  shareLiterals(): void {
    this.#literals = this.#open.map(() => new Map());
  }

  /** Return how many instructions the innermost open block has. */
  blockLength(): number {
    return this.#open[this.#open.length - 1]!.length;
  }

  /**
   * Define `v` (declared) as opcode `op` with operands `a`, `b`, `c`, appended to the innermost
   * block; return `v`.
   */
  define(v: Var, op: number, a: number, b = -1, c = -1): Var {
    this.put(v, op, a, b, c);
    this.#place(v);
    return v;
  }

  /**
   * Define `v` (declared) as opcode `op` with operands `a`, `b`, `c`, in no block yet: the caller
   * places it with `insertAt`. Return `v`.
   */
  put(v: Var, op: number, a: number, b = -1, c = -1): Var {
    if (v >= this.#op.length) this.#growColumns(v + 1);
    this.#op[v] = op;
    this.#a[v] = a;
    this.#b[v] = b;
    this.#c[v] = c;
    return v;
  }

  /** Append the instruction of `v` (written already) to the innermost open block. */
  #place(v: Var): void {
    this.#open[this.#open.length - 1]!.push(v);
    this.#instrCount++;
  }

  /** Return how many instructions are placed in all blocks (appended or inserted) so far. */
  instrCount(): number {
    return this.#instrCount;
  }

  /** Return the opcode of the instruction defining `v` here (`OP_NONE` when none yet). */
  opOf(v: Var): number {
    return v < this.#op.length ? this.#op[v]! : OP_NONE;
  }

  /** Return the variables of closed block `id`, in order (a view: do not change it). */
  closedBlock(id: number): Int32Array {
    const start = this.#blockStart.data[id]!;
    return this.#blockVars.data.subarray(start, start + this.#blockLength.data[id]!);
  }

  /**
   * Copy instruction `v` of `src` (its variable declared here with the same number) with the
   * blocks nested in it; append it to the innermost block unless `place` is false (then the
   * caller places it with `insertAt`). Return `v`.
   */
  copyFrom(src: DenseFunc, v: Var, place = true): Var {
    const op = src.op[v]!;
    const a = src.a[v]!;
    const b = src.b[v]!;
    const c = src.c[v]!;
    switch (op) {
      case OP_LIT:
        this.putLit(v, src.lits[a]!);
        break;
      case OP_VEC:
      case OP_STRUCT:
        this.put(v, op, this.#list(src.lists.subarray(a, a + b)), b);
        break;
      case OP_CALL:
        this.put(v, op, this.#funcId(src.funcs[a]!), this.#list(src.lists.subarray(b, b + c)), c);
        break;
      case OP_FOR:
        this.put(v, op, a, this.#copyBlock(src, b));
        break;
      case OP_COND: {
        const then = this.#copyBlock(src, b);
        this.put(v, op, a, then, this.#copyBlock(src, c));
        break;
      }
      default:
        this.put(v, op, a, b, c);
    }
    if (place) this.#place(v);
    return v;
  }

  /** Copy block `k` of `src` with its instructions; return its id here. */
  #copyBlock(src: DenseFunc, k: number): number {
    const vars = blockVarsOf(src, k);
    this.beginBlock(vars.length);
    for (let i = 0; i < vars.length; i++) this.copyFrom(src, vars[i]!);
    return this.endBlock(src.blockRet[k]!);
  }

  /** Grow the instruction columns to hold `n` variables. */
  #growColumns(n: number): void {
    this.#op = grownTo(this.#op, n);
    this.#a = grownTo(this.#a, n);
    this.#b = grownTo(this.#b, n);
    this.#c = grownTo(this.#c, n);
  }

  /** Return the offset of `vars` appended to the list pool. */
  #list(vars: ArrayLike<Var>): number {
    return this.#lists.pushAll(vars);
  }

  /** Return the index of `func` in the call-target table. */
  #funcId(func: Callee): number {
    let id = this.#funcIds.get(func);
    if (id === undefined) {
      id = this.#funcs.push(func) - 1;
      this.#funcIds.set(func, id);
    }
    return id;
  }

  /**
   * Append `v = prim(x)`, or `v = prim(x, y)` when `y` is not -1, with `v` of type `t` (not
   * checked: callers know it); return `v`.
   */
  emitPrim(prim: Prim, x: Var, y: Var, t: Ty): Var {
    return this.define(this.fresh(t), primOp(prim), x, y);
  }

  /** `emitPrim` by the primitive's opcode (see `PRIM_OP`: no lookup by name). */
  emitOp(op: number, x: Var, y: Var, t: Ty): Var {
    return this.define(this.fresh(t), op, x, y);
  }

  /** Emit a primitive operation; the result type follows the typing rules of `prims.ts`. */
  prim(prim: Prim, args: readonly Var[], resultType?: Ty): Var {
    const t = primResultType(prim, args.map((a) => this.typeOf(a)), resultType);
    if (typeof t === 'string') internal(`${t} (building ${this.name})`);
    return this.emitPrim(prim, args[0]!, args.length > 1 ? args[1]! : -1, t);
  }

  /** Define declared `v` as the scalar literal `value`; return `v`. */
  defineLit(v: Var, value: null | boolean | number): Var {
    this.putLit(v, value);
    this.#place(v);
    return v;
  }

  /** `defineLit` in no block yet (see `put`). */
  putLit(v: Var, value: null | boolean | number): Var {
    if (this.#litCount === this.#lits.length) {
      const grown = new Float64Array(2 * this.#lits.length);
      grown.set(this.#lits);
      this.#lits = grown;
    }
    this.#lits[this.#litCount] = value === null ? 0 : Number(value);
    return this.put(v, OP_LIT, this.#litCount++);
  }

  /** Emit a scalar literal of type `t` (`null` unit, boolean, or number for real/tan/fin). */
  lit(value: null | boolean | number, t: Ty): Var {
    return this.defineLit(this.fresh(t), value);
  }

  /** Emit a real literal (or reuse one: see `shareLiterals`). */
  real(value: number): Var {
    const literals = this.#literals;
    // -0 and 0 are one key of a Map: -0 is never shared
    if (literals === undefined || Object.is(value, -0)) return this.lit(value, REAL);
    for (let d = literals.length - 1; d >= 0; d--) {
      const v = literals[d]!.get(value);
      if (v !== undefined) return v;
    }
    const v = this.lit(value, REAL);
    literals[literals.length - 1]!.set(value, v);
    return v;
  }

  /** Emit the zero of `t` (not a ref). */
  zero(t: Ty): Var {
    if (t.kind === 'ref') internal(`zero of a ref type in ${this.name}`);
    return this.define(this.fresh(t), OP_ZERO, -1);
  }

  /** Emit the unit value. */
  unit(): Var {
    return this.lit(null, UNIT);
  }

  /**
   * Define declared `v` as the vec or struct literal (`op`) of `vars`, appended to the innermost
   * block unless `place` is false (see `put`); return `v`.
   */
  putList(v: Var, op: typeof OP_VEC | typeof OP_STRUCT, vars: ArrayLike<Var>, place = true): Var {
    this.put(v, op, this.#list(vars), vars.length);
    if (place) this.#place(v);
    return v;
  }

  /** Define declared `v` as the array literal of `elems`; return `v`. */
  defineVec(v: Var, elems: ArrayLike<Var>): Var {
    return this.putList(v, OP_VEC, elems);
  }

  /** Emit an array literal of type `t` (a vec). */
  vec(elems: ArrayLike<Var>, t: Ty): Var {
    return this.defineVec(this.fresh(t), elems);
  }

  /** Define declared `v` as the struct literal of `members`; return `v`. */
  defineStruct(v: Var, members: ArrayLike<Var>): Var {
    return this.putList(v, OP_STRUCT, members);
  }

  /** Emit a struct literal of type `t` (a struct). */
  struct(members: ArrayLike<Var>, t: Ty): Var {
    return this.defineStruct(this.fresh(t), members);
  }

  /** Emit `vec[index]`. */
  index(vec: Var, index: Var): Var {
    const t = this.typeOf(vec);
    if (t.kind !== 'vec') internal(`index of a non-vec ${t.kind} in ${this.name}`);
    return this.define(this.fresh(t.elem), OP_INDEX, vec, index);
  }

  /** Emit member number `member` of a struct. */
  member(struct: Var, member: number): Var {
    const t = this.typeOf(struct);
    if (t.kind !== 'struct' || member >= t.members.length)
      internal(`member ${member} of ${t.kind} in ${this.name}`);
    return this.define(this.fresh(t.members[member]!), OP_MEMBER, struct, member);
  }

  /** Emit the accumulator of element `index` of accumulator `ref` (a ref of a vec). */
  slice(ref: Var, index: Var): Var {
    const t = this.typeOf(ref);
    if (t.kind !== 'ref' || t.inner.kind !== 'vec') internal(`slice of ${t.kind} in ${this.name}`);
    return this.define(this.fresh(refTy(t.inner.elem)), OP_SLICE, ref, index);
  }

  /** Emit the accumulator of member `member` of accumulator `ref` (a ref of a struct). */
  field(ref: Var, member: number): Var {
    const t = this.typeOf(ref);
    if (t.kind !== 'ref' || t.inner.kind !== 'struct')
      internal(`field of ${t.kind} in ${this.name}`);
    return this.define(this.fresh(refTy(t.inner.members[member]!)), OP_FIELD, ref, member);
  }

  /** Emit `cond ? then : els`. */
  select(cond: Var, then: Var, els: Var): Var {
    return this.define(this.fresh(this.typeOf(then)), OP_SELECT, cond, then, els);
  }

  /**
   * Define declared `v` as a call of `func` on `args`, appended to the innermost block unless
   * `place` is false (see `put`); return `v`.
   */
  putCall(v: Var, func: Callee, args: ArrayLike<Var>, place = true): Var {
    if (args.length !== func.paramTypes.length)
      internal(`call of ${func.name} with ${args.length} args, expects ${func.paramTypes.length}`);
    this.put(v, OP_CALL, this.#funcId(func), this.#list(args), args.length);
    if (place) this.#place(v);
    return v;
  }

  /** Define declared `v` as a call of `func` on `args`; return `v`. */
  defineCall(v: Var, func: Callee, args: ArrayLike<Var>): Var {
    return this.putCall(v, func, args);
  }

  /** Emit a call of `func`. */
  call(func: Callee, args: ArrayLike<Var>): Var {
    return this.defineCall(this.fresh(func.retType), func, args);
  }

  /** Emit a new accumulator shaped like `shape`. */
  accum(shape: Var): Var {
    return this.define(this.fresh(refTy(this.typeOf(shape))), OP_ACCUM, shape);
  }

  /** Emit `ref += addend`. */
  add(ref: Var, addend: Var): Var {
    return this.define(this.fresh(UNIT), OP_ADD, ref, addend);
  }

  /** Emit the value of accumulator `ref`. */
  resolve(ref: Var): Var {
    const t = this.typeOf(ref);
    if (t.kind !== 'ref') internal(`resolve of ${t.kind} in ${this.name}`);
    return this.define(this.fresh(t.inner), OP_RESOLVE, ref);
  }

  /** Open a nested block; close it with `endBlock`. `capacity`: a length hint. */
  beginBlock(capacity = 0): void {
    const list = this.#freeLists.pop();
    if (list === undefined) this.#open.push(new IntList(capacity));
    else {
      list.length = 0;
      list.reserve(capacity);
      this.#open.push(list);
    }
    this.#literals?.push(new Map());
  }

  /** Close the innermost nested block, whose result is `ret`; return its id. */
  endBlock(ret: Var): number {
    if (this.#open.length <= 1) internal(`endBlock without beginBlock in ${this.name}`);
    this.#literals?.pop();
    return this.#close(this.#open.pop()!, ret);
  }

  /**
   * Take the innermost nested block out of the open ones without closing it: it can be reopened
   * (`resumeBlock`) to append more, once its sibling blocks are built (a cond's blocks, ended
   * the same way once both are known).
   */
  detachBlock(): DetachedBlock {
    if (this.#open.length <= 1) internal(`detachBlock without beginBlock in ${this.name}`);
    this.#literals?.pop();
    return { vars: this.#open.pop()! };
  }

  /** Reopen a detached block as the innermost one (its literals are not shared any more). */
  resumeBlock(block: DetachedBlock): void {
    this.#open.push(block.vars);
    this.#literals?.push(new Map());
  }

  /** Record `block` (result `ret`) as a closed block, its list free again; return its id. */
  #close(block: IntList, ret: Var): number {
    this.#blockStart.push(this.#blockVars.pushAll(block.data, block.length));
    this.#blockLength.push(block.length);
    this.#blockRet.push(ret);
    this.#freeLists.push(block);
    return this.#blockStart.length - 1;
  }

  /** Define declared `v` as a loop over its index `index` with body `block`; return `v`. */
  defineFor(v: Var, index: Var, block: number): Var {
    return this.define(v, OP_FOR, index, block);
  }

  /** Emit a loop over `index` with body `block` (closed by `endBlock`), of vec type `t`. */
  emitFor(index: Var, block: number, t: Ty): Var {
    return this.defineFor(this.fresh(t), index, block);
  }

  /** Emit a loop over `fin(size)`: `body(i)` emits the body and returns the element variable. */
  forLoop(size: number, body: (index: Var) => Var): Var {
    const index = this.fresh(finTy(size));
    this.beginBlock();
    let ret: Var;
    try {
      ret = body(index);
    } catch (err) {
      this.endBlock(-1);
      throw err;
    }
    const block = this.endBlock(ret);
    return this.emitFor(index, block, vecTy(size, this.typeOf(ret)));
  }

  /** Define declared `v` as a cond on `cond` over blocks `then` and `els`; return `v`. */
  defineCond(v: Var, cond: Var, then: number, els: number): Var {
    return this.define(v, OP_COND, cond, then, els);
  }

  /** Emit a cond on `cond` over blocks `then` and `els` (closed by `endBlock`), of type `t`. */
  emitCond(cond: Var, then: number, els: number, t: Ty): Var {
    return this.defineCond(this.fresh(t), cond, then, els);
  }

  /**
   * Insert the instructions of `vars` (defined already, in a block closed since and not used)
   * at position `at` of the innermost open block.
   */
  insertAt(at: number, vars: ArrayLike<Var>): void {
    const block = this.#open[this.#open.length - 1]!;
    const m = vars.length;
    if (at < 0 || at > block.length) internal(`insertAt ${at} of a block of ${block.length} in ${this.name}`);
    block.reserve(m);
    block.data.copyWithin(at + m, at, block.length);
    for (let k = 0; k < m; k++) block.data[at + k] = vars[k]!;
    block.length += m;
    this.#instrCount += m;
  }

  /** Finish the function, returning `ret`. The builder must not be used afterwards. */
  finish(ret: Var, extra?: { customJvp?: Func }): DenseFunc {
    if (this.#open.length !== 1) internal(`finish with ${this.#open.length - 1} open blocks`);
    const body = this.#open[0]!;
    this.#blockStart.data[BODY] = this.#blockVars.pushAll(body.data, body.length);
    this.#blockLength.data[BODY] = body.length;
    this.#blockRet.data[BODY] = ret;
    const paramTypes = this.params.map((p) => this.typeOf(p));
    const retType = this.typeOf(ret);
    const n = this.vars.count();
    const { types, varTypes } = this.vars.finish();
    if (n > this.#op.length) this.#growColumns(n);
    const f: DenseFunc = {
      kind: 'dense',
      id: freshFuncId(),
      name: this.name,
      paramTypes,
      retType,
      types,
      varTypes,
      params: this.params,
      ret,
      op: trimmed(this.#op, n),
      a: trimmed(this.#a, n),
      b: trimmed(this.#b, n),
      c: trimmed(this.#c, n),
      lits: trimmed(this.#lits, this.#litCount),
      lists: this.#lists.trimmed(),
      funcs: this.#funcs,
      blockStart: this.#blockStart.trimmed(),
      blockLength: this.#blockLength.trimmed(),
      blockRet: this.#blockRet.trimmed(),
      blockVars: this.#blockVars.trimmed(),
    };
    if (extra?.customJvp) f.customJvp = extra.customJvp;
    return f;
  }
}
