/**
 * @file `FuncBuilder`: the one way to construct IR functions, used by the tracer and by every
 * transform. Helpers infer result types; a misuse is an engine bug (`internal:`), because user
 * input is validated before it reaches the builder.
 */
import { internal } from '../errors.ts';
import { primResultType, type Prim } from './prims.ts';
import { VarDeclarer } from './var-table.ts';
import {
  REAL,
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
  vecTy,
  zeroInstr,
  type Block,
  type Expr,
  type Func,
  type Instr,
  type TransparentFunc,
  type Ty,
  type Var,
} from './types.ts';

/**
 * Capacity hints below this many instructions are ignored: growing a small array by `push` costs
 * less than presizing it (a runtime call) and trimming it.
 */
const SMALL_BLOCK = 256;

/**
 * Build one `TransparentFunc`: declare params, emit instructions into nested blocks, finish.
 *
 * Storage: large functions have millions of variables and instructions, and growing a JS array
 * push by push costs several times more than filling one allocated at its final size. So the
 * variables' type ids and each open block live in arrays with spare room at the end, with their
 * used lengths kept here; `finish`, `endBlock` and `currentBlock` trim them. A transform that can
 * estimate its output size passes `capacity` hints. Types are kept once each in a type table
 * (see `TransparentFunc.types`); a variable stores its type's id (see `TypeIds`).
 */
export class FuncBuilder extends VarDeclarer {
  /** Open blocks, innermost last; `blocks[0]` is the function body. */
  readonly #blocks: Instr[][] = [[]];
  /**
   * Used length of each open block, or -1 when its array's own length is: a nested block opened
   * without a capacity hint, or one handed out by `currentBlock`.
   */
  readonly #lengths: number[] = [0];

  /** Start a function named `name`; `capacity` estimates its body's length (a hint). */
  constructor(name: string, capacity = 0) {
    super(name);
    if (capacity >= SMALL_BLOCK) this.#blocks[0]!.length = capacity;
  }

  /** Append `instr` (its variable declared by `reserveFrom` or `fresh`); return the variable. */
  append(instr: Instr): Var {
    this.#push(instr);
    return instr.var;
  }

  /** Append `instr` to the innermost block. */
  #push(instr: Instr): void {
    const d = this.#blocks.length - 1;
    const block = this.#blocks[d]!;
    const n = this.#lengths[d]!;
    if (n < 0) {
      // the array is exactly the block (a small nested one, or one handed out by currentBlock)
      block.push(instr);
      return;
    }
    if (n >= block.length) block.length = Math.max(8, 2 * n);
    block[n] = instr;
    this.#lengths[d] = n + 1;
  }

  /**
   * Return the innermost open block, trimmed to its instructions. The caller may change it in
   * place (e.g. splice instructions in): its own length counts from then on.
   */
  currentBlock(): Instr[] {
    const d = this.#blocks.length - 1;
    return this.#trim(d);
  }

  /** Trim open block `d` to its used length and return it (its length is authoritative now). */
  #trim(d: number): Instr[] {
    const block = this.#blocks[d]!;
    const n = this.#lengths[d]!;
    if (n >= 0 && block.length !== n) block.length = n;
    this.#lengths[d] = -1;
    return block;
  }

  /** Append `v = expr` (with `v` of type `t`) to the innermost block; return `v`. */
  emit(expr: Expr, t: Ty): Var {
    const v = this.fresh(t);
    this.#push({ var: v, expr });
    return v;
  }

  /**
   * Append `v = prim(x)`, or `v = prim(x, y)` when `y` is not -1, with `v` of type `t` (not
   * checked: callers know it); return `v`. The instruction is one object (see `primInstr`).
   */
  emitPrim(prim: Prim, x: Var, y: Var, t: Ty): Var {
    return this.append(primInstr(this.fresh(t), prim, x, y));
  }

  /**
   * Open a nested block (a loop body); close it with `endBlock`. `capacity`: a length hint; below
   * `SMALL_BLOCK` the block is an array grown by `push` (loop bodies are mostly small), which
   * `endBlock` copies at its length.
   */
  beginBlock(capacity = 0): void {
    const block: Instr[] = [];
    const counted = capacity >= SMALL_BLOCK;
    if (counted) block.length = capacity;
    this.#blocks.push(block);
    this.#lengths.push(counted ? 0 : -1);
  }

  /** Close the innermost nested block and return its instructions. */
  endBlock(): Block {
    if (this.#blocks.length <= 1) internal(`endBlock without beginBlock in ${this.name}`);
    const block = this.#trim(this.#blocks.length - 1);
    this.#blocks.pop();
    this.#lengths.pop();
    // a small block grown by `push` keeps spare slots (16 or more), and it stays in the IR
    return block.length < SMALL_BLOCK ? block.slice() : block;
  }

  /** Emit a scalar literal of type `t` (`null` unit, boolean, or number for real/tan/fin). */
  lit(value: null | boolean | number, t: Ty): Var {
    return this.append(litInstr(this.fresh(t), value));
  }

  /** Emit a real literal. */
  real(value: number): Var {
    return this.lit(value, REAL);
  }

  /** Emit the zero of `t` (not a ref). */
  zero(t: Ty): Var {
    if (t.kind === 'ref') internal(`zero of a ref type in ${this.name}`);
    return this.append(zeroInstr(this.fresh(t)));
  }

  /** Emit the unit value. */
  unit(): Var {
    return this.lit(null, UNIT);
  }

  /** Emit a primitive operation; the result type follows the typing rules of `prims.ts`. */
  prim(prim: Prim, args: readonly Var[], resultType?: Ty): Var {
    const t = primResultType(
      prim,
      args.map((a) => this.typeOf(a)),
      resultType,
    );
    if (typeof t === 'string') internal(`${t} (building ${this.name})`);
    return this.emitPrim(prim, args[0]!, args.length > 1 ? args[1]! : -1, t);
  }

  /** Emit an array literal of type `t` (a vec). */
  vec(elems: readonly Var[], t: Ty): Var {
    return this.emit({ kind: 'vec', elems }, t);
  }

  /** Emit a struct literal of type `t` (a struct). */
  struct(members: readonly Var[], t: Ty): Var {
    return this.emit({ kind: 'struct', members }, t);
  }

  /** Emit `vec[index]`. */
  index(vec: Var, index: Var): Var {
    const t = this.typeOf(vec);
    if (t.kind !== 'vec') internal(`index of a non-vec ${t.kind} in ${this.name}`);
    return this.append(indexInstr(this.fresh(t.elem), vec, index));
  }

  /** Emit member number `member` of a struct. */
  member(struct: Var, member: number): Var {
    const t = this.typeOf(struct);
    if (t.kind !== 'struct' || member >= t.members.length)
      internal(`member ${member} of ${t.kind} in ${this.name}`);
    return this.append(memberInstr(this.fresh(t.members[member]!), struct, member));
  }

  /** Emit the accumulator of element `index` of accumulator `ref` (a ref of a vec). */
  slice(ref: Var, index: Var): Var {
    const t = this.typeOf(ref);
    if (t.kind !== 'ref' || t.inner.kind !== 'vec') internal(`slice of ${t.kind} in ${this.name}`);
    return this.append(sliceInstr(this.fresh(refTy(t.inner.elem)), ref, index));
  }

  /** Emit the accumulator of member `member` of accumulator `ref` (a ref of a struct). */
  field(ref: Var, member: number): Var {
    const t = this.typeOf(ref);
    if (t.kind !== 'ref' || t.inner.kind !== 'struct')
      internal(`field of ${t.kind} in ${this.name}`);
    return this.append(fieldInstr(this.fresh(refTy(t.inner.members[member]!)), ref, member));
  }

  /** Emit `cond ? then : els`. */
  select(cond: Var, then: Var, els: Var): Var {
    return this.emit({ kind: 'select', cond, then, els }, this.typeOf(then));
  }

  /** Emit a call of `func`. */
  call(func: Func, args: readonly Var[]): Var {
    if (args.length !== func.paramTypes.length)
      internal(`call of ${func.name} with ${args.length} args, expects ${func.paramTypes.length}`);
    return this.append(callInstr(this.fresh(func.retType), func, args));
  }

  /** Emit a loop over `fin(size)`: `body(i)` emits the body and returns the element variable. */
  forLoop(size: number, body: (index: Var) => Var): Var {
    const index = this.fresh(finTy(size));
    this.beginBlock();
    let ret: Var;
    try {
      ret = body(index);
    } catch (err) {
      this.endBlock();
      throw err;
    }
    const block = this.endBlock();
    return this.emit({ kind: 'for', index, body: block, ret }, vecTy(size, this.typeOf(ret)));
  }

  /** Emit a new accumulator shaped like `shape`. */
  accum(shape: Var): Var {
    return this.append(accumInstr(this.fresh(refTy(this.typeOf(shape))), shape));
  }

  /** Emit `ref += addend`. */
  add(ref: Var, addend: Var): Var {
    return this.append(addInstr(this.fresh(UNIT), ref, addend));
  }

  /** Emit the value of accumulator `ref`. */
  resolve(ref: Var): Var {
    const t = this.typeOf(ref);
    if (t.kind !== 'ref') internal(`resolve of ${t.kind} in ${this.name}`);
    return this.append(resolveInstr(this.fresh(t.inner), ref));
  }

  /** Finish the function, returning `ret`. The builder must not be used afterwards. */
  finish(ret: Var, extra?: { customJvp?: Func }): TransparentFunc {
    if (this.#blocks.length !== 1) internal(`finish with ${this.#blocks.length - 1} open blocks`);
    const paramTypes = this.params.map((p) => this.typeOf(p));
    const retType = this.typeOf(ret);
    const { types, varTypes } = this.vars.finish();
    const f: TransparentFunc = {
      kind: 'transparent',
      id: freshFuncId(),
      name: this.name,
      paramTypes,
      retType,
      types,
      varTypes,
      params: this.params,
      body: this.#trim(0),
      ret,
    };
    if (extra?.customJvp) f.customJvp = extra.customJvp;
    return f;
  }
}
