/**
 * @file `FuncBuilder`: the one way to construct IR functions, used by the tracer and by every
 * transform. Helpers infer result types; a misuse is an engine bug (`internal:`), because user
 * input is validated before it reaches the builder.
 */
import { internal } from '../errors.ts';
import { primResultType, type Prim } from './prims.ts';
import {
  REAL,
  UNIT,
  finTy,
  freshFuncId,
  refTy,
  vecTy,
  type Block,
  type Expr,
  type Func,
  type Instr,
  type TransparentFunc,
  type Ty,
  type Var,
} from './types.ts';

/** Build one `TransparentFunc`: declare params, emit instructions into nested blocks, finish. */
export class FuncBuilder {
  readonly name: string;
  readonly vars: Ty[] = [];
  readonly params: Var[] = [];
  /** Open blocks, innermost last; `blocks[0]` is the function body. */
  readonly #blocks: Instr[][] = [[]];

  constructor(name: string) {
    this.name = name;
  }

  /** Return the type of `v`. */
  typeOf(v: Var): Ty {
    const t = this.vars[v];
    if (t === undefined) internal(`variable %${v} does not exist in ${this.name}`);
    return t;
  }

  /** Return a new variable of type `t` with no defining instruction (a loop index, a param). */
  fresh(t: Ty): Var {
    this.vars.push(t);
    return this.vars.length - 1;
  }

  /** Declare the next parameter, of type `t`. */
  param(t: Ty): Var {
    const v = this.fresh(t);
    this.params.push(v);
    return v;
  }

  /**
   * Declare variables `0..count-1`, variable v of type `typeOf(v)`, on a builder without any:
   * a transform that keeps its input's variable numbers declares them first, then defines them
   * with `append` (and reuses unchanged instructions as they are).
   */
  reserve(count: number, typeOf: (v: Var) => Ty): void {
    if (this.vars.length !== 0) internal(`reserve on a builder with variables (${this.name})`);
    const vars = this.vars;
    vars.length = count; // one allocation instead of growing push by push
    for (let v = 0; v < count; v++) vars[v] = typeOf(v);
  }

  /** Declare the existing variable `v` (see `reserve`) as the next parameter; return it. */
  paramVar(v: Var): Var {
    this.typeOf(v);
    this.params.push(v);
    return v;
  }

  /** Append `instr`, whose variable is declared already (see `reserve`); return that variable. */
  append(instr: Instr): Var {
    this.currentBlock().push(instr);
    return instr.var;
  }

  /** Return the innermost open block (mutable: transforms may splice instructions into it). */
  currentBlock(): Instr[] {
    return this.#blocks[this.#blocks.length - 1]!;
  }

  /** Return how many blocks are open (1 = the function body). */
  depth(): number {
    return this.#blocks.length;
  }

  /** Append `v = expr` (with `v` of type `t`) to the innermost block; return `v`. */
  emit(expr: Expr, t: Ty): Var {
    const v = this.fresh(t);
    this.currentBlock().push({ var: v, expr });
    return v;
  }

  /** Open a nested block (a loop body); close it with `endBlock`. */
  beginBlock(): void {
    this.#blocks.push([]);
  }

  /** Close the innermost nested block and return its instructions. */
  endBlock(): Block {
    if (this.#blocks.length <= 1) internal(`endBlock without beginBlock in ${this.name}`);
    return this.#blocks.pop()!;
  }

  /** Emit a scalar literal of type `t` (`null` unit, boolean, or number for real/tan/fin). */
  lit(value: null | boolean | number, t: Ty): Var {
    return this.emit({ kind: 'lit', value }, t);
  }

  /** Emit a real literal. */
  real(value: number): Var {
    return this.lit(value, REAL);
  }

  /** Emit the zero of `t` (not a ref). */
  zero(t: Ty): Var {
    if (t.kind === 'ref') internal(`zero of a ref type in ${this.name}`);
    return this.emit({ kind: 'zero' }, t);
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
    return this.emit({ kind: 'prim', prim, args }, t);
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
    return this.emit({ kind: 'index', vec, index }, t.elem);
  }

  /** Emit member number `member` of a struct. */
  member(struct: Var, member: number): Var {
    const t = this.typeOf(struct);
    if (t.kind !== 'struct' || member >= t.members.length)
      internal(`member ${member} of ${t.kind} in ${this.name}`);
    return this.emit({ kind: 'member', struct, member }, t.members[member]!);
  }

  /** Emit the accumulator of element `index` of accumulator `ref` (a ref of a vec). */
  slice(ref: Var, index: Var): Var {
    const t = this.typeOf(ref);
    if (t.kind !== 'ref' || t.inner.kind !== 'vec') internal(`slice of ${t.kind} in ${this.name}`);
    return this.emit({ kind: 'slice', ref, index }, refTy(t.inner.elem));
  }

  /** Emit the accumulator of member `member` of accumulator `ref` (a ref of a struct). */
  field(ref: Var, member: number): Var {
    const t = this.typeOf(ref);
    if (t.kind !== 'ref' || t.inner.kind !== 'struct')
      internal(`field of ${t.kind} in ${this.name}`);
    return this.emit({ kind: 'field', ref, member }, refTy(t.inner.members[member]!));
  }

  /** Emit `cond ? then : els`. */
  select(cond: Var, then: Var, els: Var): Var {
    return this.emit({ kind: 'select', cond, then, els }, this.typeOf(then));
  }

  /** Emit a call of `func`. */
  call(func: Func, args: readonly Var[]): Var {
    if (args.length !== func.paramTypes.length)
      internal(`call of ${func.name} with ${args.length} args, expects ${func.paramTypes.length}`);
    return this.emit({ kind: 'call', func, args }, func.retType);
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
    return this.emit({ kind: 'accum', shape }, refTy(this.typeOf(shape)));
  }

  /** Emit `ref += addend`. */
  add(ref: Var, addend: Var): Var {
    return this.emit({ kind: 'add', ref, addend }, UNIT);
  }

  /** Emit the value of accumulator `ref`. */
  resolve(ref: Var): Var {
    const t = this.typeOf(ref);
    if (t.kind !== 'ref') internal(`resolve of ${t.kind} in ${this.name}`);
    return this.emit({ kind: 'resolve', ref }, t.inner);
  }

  /** Finish the function, returning `ret`. The builder must not be used afterwards. */
  finish(ret: Var, extra?: { customJvp?: Func }): TransparentFunc {
    if (this.#blocks.length !== 1) internal(`finish with ${this.#blocks.length - 1} open blocks`);
    const f: TransparentFunc = {
      kind: 'transparent',
      id: freshFuncId(),
      name: this.name,
      paramTypes: this.params.map((p) => this.vars[p]!),
      retType: this.typeOf(ret),
      vars: this.vars,
      params: this.params,
      body: this.#blocks[0]!,
      ret,
    };
    if (extra?.customJvp) f.customJvp = extra.customJvp;
    return f;
  }
}
