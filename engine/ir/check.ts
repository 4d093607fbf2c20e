/**
 * @file The IR checker: SSA, scoping, typing and linearity of a function and of every function it
 * reaches. Passes assume valid input; tests (and debug builds) run `check` on every pass output,
 * so a pass bug is reported at the instruction that is wrong instead of deep inside codegen.
 *
 * Typing follows the doc comment of each `Expr` kind in types.ts and `primResultType` in
 * prims.ts. Linearity falls out of typing: `tan` is produced only by the linear primitives
 * (`LINEAR_PRIMS`), literals, `zero`, and structural expressions (literals, projections, select,
 * call, for, cond, accum, resolve) of tangent-carrying types; `primResultType` refuses the rest.
 */
import { RoseError, formatMessage } from '../errors.ts';
import { formatInstr, formatType } from './pprint.ts';
import { LINEAR_PRIMS, PRIMS, primResultType, type Prim } from './prims.ts';
import {
  LEAF_TYPES,
  UNIT,
  erase,
  hasTan,
  isTypeIds,
  primOperands,
  tyEqual,
  varCount,
  varTy,
} from './types.ts';
import { directCallees, postOrder } from './visit.ts';
import type {
  Block,
  Expr,
  ExprOf,
  Func,
  Instr,
  OpaqueFunc,
  TransparentFunc,
  Ty,
  Var,
} from './types.ts';

/** Options of `check`. */
export interface CheckOptions {
  /** Require exactly the callee's types at calls (default: equal up to `erase`). */
  readonly strictCalls?: boolean;
}

/** Throw `ir-invalid` unless `f` and every function it reaches (each once) is valid IR. */
export function check(f: Func, options: CheckOptions = {}): void {
  // Collect first (without recursion: call chains can be long), then check each function alone.
  const all = postOrder(f, callees, (g) => (g.customJvp ? [g.customJvp] : []));
  for (const g of all) {
    if (g.kind === 'opaque') checkOpaque(g);
    else new FuncChecker(g, options).run();
    const jvp = g.customJvp;
    if (jvp !== undefined && jvp.paramTypes.length !== g.paramTypes.length)
      fail(
        g,
        undefined,
        `its custom JVP ${jvp.name} takes ${jvp.paramTypes.length} parameter(s), ` +
          `the function ${g.paramTypes.length}`,
      );
  }
}

/** Return the functions `g` calls, skipping malformed parts (the checker reports those). */
function callees(g: Func): Func[] {
  try {
    return directCallees(g).filter((h) => h !== null && typeof h === 'object' && 'paramTypes' in h);
  } catch {
    return [];
  }
}

/** Throw the `ir-invalid` error for `problem` in function `f` (at `instr`, if given). */
function fail(f: Func, instr: Instr | undefined, problem: string): never {
  let where = `function ${f.name}`;
  if (instr !== undefined && f.kind === 'transparent') {
    let text: string;
    try {
      text = formatInstr(f, instr);
    } catch {
      text = `an instruction of kind ${String(instr.expr?.kind)}`;
    }
    where += `, at \`${text}\``;
  }
  throw new RoseError('ir-invalid', formatMessage(`invalid IR: ${problem}`, where));
}

/** Check an opaque function: reals to a real, with a JS implementation. */
function checkOpaque(g: OpaqueFunc): void {
  if (typeof g.impl !== 'function')
    fail(g, undefined, 'an opaque function needs a JS implementation');
  g.paramTypes.forEach((t, k) => {
    if (t.kind !== 'real')
      fail(g, undefined, `opaque parameter ${k} has type ${formatType(t)}, expected real`);
  });
  if (g.retType.kind !== 'real')
    fail(g, undefined, `an opaque function returns ${formatType(g.retType)}, expected real`);
}

/** Return why `t` is not a well-formed type, or undefined if it is; `inside` names a container. */
function typeProblem(t: Ty | undefined, inside?: string): string | undefined {
  if (t === undefined || t === null || typeof t !== 'object') return 'missing type';
  const size = (n: number) => Number.isSafeInteger(n) && n >= 0;
  switch (t.kind) {
    case 'unit':
    case 'bool':
    case 'real':
    case 'tan':
      return undefined;
    case 'fin':
      return size(t.size) ? undefined : `bad size ${t.size}`;
    case 'vec':
      if (!size(t.size)) return `bad size ${t.size}`;
      return typeProblem(t.elem, 'a vec');
    case 'ref':
      if (inside !== undefined) return `a ref inside ${inside}`;
      return typeProblem(t.inner, 'a ref');
    case 'struct': {
      if (!Array.isArray(t.keys) || !Array.isArray(t.members) || t.keys.length !== t.members.length)
        return 'struct keys and members differ in number';
      if (new Set(t.keys).size !== t.keys.length) return 'duplicate struct keys';
      for (const m of t.members) {
        const p = typeProblem(m, 'a struct');
        if (p !== undefined) return p;
      }
      return undefined;
    }
  }
  return `unknown type kind ${String((t as { kind: unknown }).kind)}`;
}

/** Variable states while checking one function. */
const UNDEFINED = 0;
const IN_SCOPE = 1;
const OUT_OF_SCOPE = 2;

/** Checks one transparent function (calls only against the callee's signature). */
class FuncChecker {
  readonly f: TransparentFunc;
  readonly strict: boolean;
  readonly state: Uint8Array;
  /** For an accumulator made by `slice`/`field`: the accumulator it is part of; else -1. */
  readonly parent: Int32Array;
  /** 1 once `resolve` ended the accumulator's use. */
  readonly resolved: Uint8Array;
  /** The number of `cond` blocks around each variable's definition. */
  readonly condDepth: Uint32Array;
  /** The number of `cond` blocks around the instruction being checked. */
  depth = 0;
  /** The instruction being checked, for error messages. */
  at: Instr | undefined;
  readonly validTypes = new WeakSet<Ty>();

  constructor(f: TransparentFunc, options: CheckOptions) {
    this.f = f;
    this.strict = options.strictCalls === true;
    const n = isTypeIds(f.varTypes) ? varCount(f) : 0;
    this.state = new Uint8Array(n);
    this.parent = new Int32Array(n).fill(-1);
    this.resolved = new Uint8Array(n);
    this.condDepth = new Uint32Array(n);
  }

  fail(problem: string): never {
    return fail(this.f, this.at, problem);
  }

  /** Return the (well-formed) type of `v`, or fail. */
  ty(v: Var): Ty {
    const t = varTy(this.f, v);
    if (t !== undefined && this.validTypes.has(t)) return t;
    const p = typeProblem(t);
    if (p !== undefined) this.fail(`x${v} has an invalid type ${formatType(t)}: ${p}`);
    this.validTypes.add(t!);
    return t!;
  }

  /** Mark `v` defined (in the current block, recorded in `defs`). */
  define(v: Var, defs: Var[]): void {
    if (!Number.isInteger(v) || v < 0 || v >= this.state.length)
      this.fail(`x${v} is not a variable of this function (it has ${this.state.length})`);
    if (this.state[v] !== UNDEFINED) this.fail(`x${v} is defined more than once (SSA)`);
    this.ty(v);
    this.state[v] = IN_SCOPE;
    this.condDepth[v] = this.depth;
    defs.push(v);
  }

  /** Check that `v` is visible here and return its type. */
  use(v: Var): Ty {
    if (!Number.isInteger(v) || v < 0 || v >= this.state.length)
      this.fail(`x${v} is not a variable of this function`);
    if (this.state[v] === UNDEFINED) this.fail(`x${v} is used before it is defined`);
    if (this.state[v] === OUT_OF_SCOPE)
      this.fail(`x${v} is used outside the block that defines it (out of scope)`);
    return this.ty(v);
  }

  /** Check the whole function. */
  run(): void {
    const { f } = this;
    if (!Array.isArray(f.types) || !Array.isArray(f.params) || !Array.isArray(f.body))
      this.fail('types, params and body must be arrays');
    if (!isTypeIds(f.varTypes))
      this.fail('varTypes must be a Uint8Array, Uint16Array or Uint32Array');
    if (LEAF_TYPES.some((t, k) => f.types[k] !== t))
      this.fail('the type table must start with the leaf types (unit, bool, real, tan)');
    const top: Var[] = [];
    if (f.params.length !== f.paramTypes.length)
      this.fail(`${f.params.length} params but ${f.paramTypes.length} paramTypes`);
    f.params.forEach((p, k) => {
      this.define(p, top);
      if (!tyEqual(this.ty(p), f.paramTypes[k]!))
        this.fail(
          `param x${p} has type ${formatType(this.ty(p))}, ` +
            `paramTypes[${k}] is ${formatType(f.paramTypes[k])}`,
        );
    });
    this.block(f.body, top);
    this.at = undefined;
    if (this.state[f.ret] !== IN_SCOPE)
      this.fail(`the returned x${f.ret} is not defined at the top level or a param`);
    const rt = this.ty(f.ret);
    if (!tyEqual(rt, f.retType))
      this.fail(`returns x${f.ret}: ${formatType(rt)}, but retType is ${formatType(f.retType)}`);
    if (rt.kind === 'ref') this.fail('a function cannot return an accumulator (ref)');
  }

  /** Check the instructions of `block`, recording what it defines in `defs`. */
  block(block: Block, defs: Var[]): void {
    for (const instr of block) {
      this.at = instr;
      if (instr === null || typeof instr !== 'object' || typeof instr.expr !== 'object')
        this.fail('malformed instruction');
      this.instr(instr, defs);
    }
  }

  /** Check one instruction and define its variable. */
  instr(instr: Instr, defs: Var[]): void {
    const { expr: e } = instr;
    if (!Number.isInteger(instr.var) || instr.var < 0 || instr.var >= this.state.length)
      this.fail(`x${instr.var} is not a variable of this function`);
    const t = this.ty(instr.var);
    if (e.kind === 'for') this.loop(e, t);
    else if (e.kind === 'cond') this.cond(e, t);
    else this.expr(e, t);
    this.at = instr;
    this.define(instr.var, defs);
  }

  /** Check a `for` defining a variable of type `t`: index, body scope, result type. */
  loop(e: Extract<Expr, { kind: 'for' }>, t: Ty): void {
    const at = this.at;
    const inner: Var[] = [];
    this.define(e.index, inner);
    const it = this.ty(e.index);
    if (it.kind !== 'fin')
      this.fail(`loop index x${e.index} has type ${formatType(it)}, expected fin`);
    this.block(e.body, inner);
    this.at = at;
    const rt = this.use(e.ret);
    for (const v of inner) this.state[v] = OUT_OF_SCOPE;
    if (t.kind !== 'vec' || t.size !== it.size || !tyEqual(t.elem, rt))
      this.fail(
        `a loop over fin<${it.size}> yielding ${formatType(rt)} has type ` +
          `vec<${it.size}, ${formatType(rt)}>, declared ${formatType(t)}`,
      );
  }

  /** Check a `cond` defining a variable of type `t`: condition, both blocks, result types. */
  cond(e: ExprOf<'cond'>, t: Ty): void {
    const at = this.at;
    const ct = this.use(e.cond);
    if (ct.kind !== 'bool')
      this.fail(`cond condition x${e.cond} has type ${formatType(ct)}, expected bool`);
    const branch = (block: Block, ret: Var, which: string): void => {
      const inner: Var[] = [];
      this.depth++;
      this.block(block, inner);
      this.depth--;
      this.at = at;
      const rt = this.use(ret);
      for (const v of inner) this.state[v] = OUT_OF_SCOPE;
      this.eq(t, rt, `the result type differs from the type of the ${which} block's result`);
    };
    if (!Array.isArray(e.then) || !Array.isArray(e.els)) this.fail('cond blocks must be arrays');
    branch(e.then, e.thenRet, 'then');
    branch(e.els, e.elsRet, 'else');
    if (t.kind === 'ref') this.fail('a cond cannot yield an accumulator (ref)');
  }

  /** Return true when `a` may be passed where `b` is expected (a call boundary). */
  callFits(a: Ty, b: Ty): boolean {
    return this.strict ? tyEqual(a, b) : tyEqual(erase(a), erase(b));
  }

  /** Fail unless `ref` (an accumulator) and the accumulators it is part of are unresolved. */
  live(ref: Var): void {
    for (let r = ref; r >= 0; r = this.parent[r]!)
      if (this.resolved[r]) this.fail(`accumulator x${ref} is used after resolve of x${r}`);
  }

  /** Fail with "`what`: a vs b" unless the types are equal. */
  eq(a: Ty, b: Ty, what: string): void {
    if (!tyEqual(a, b)) this.fail(`${what}: ${formatType(a)} vs ${formatType(b)}`);
  }

  /** Check an expression without blocks defining a variable of type `t`. */
  expr(e: Exclude<Expr, { kind: 'for' | 'cond' }>, t: Ty): void {
    switch (e.kind) {
      // boring cases: literals and aggregates
      case 'lit':
        return this.lit(e.value, t);
      case 'zero':
        if (t.kind === 'ref') this.fail('zero of a ref type');
        return;
      case 'vec':
      case 'struct':
        return this.aggregate(e, t);
      // projections
      case 'index':
      case 'member':
        return this.projection(e, t);
      // less boring cases
      case 'prim':
        return this.prim(e.prim, primOperands(e), t);
      case 'select': {
        const ct = this.use(e.cond);
        if (ct.kind !== 'bool')
          this.fail(`select condition x${e.cond} has type ${formatType(ct)}, expected bool`);
        const a = this.use(e.then);
        this.eq(a, this.use(e.els), 'select branches have different types');
        this.eq(t, a, 'the result type differs from the branch type');
        if (t.kind === 'ref') this.fail('select of accumulators (ref)');
        return;
      }
      case 'call':
        return this.call(e.func, e.args, t);
      // interesting cases: accumulators
      case 'slice':
      case 'field':
        return this.part(e, t);
      case 'accum':
      case 'add':
      case 'resolve':
        return this.accumulator(e, t);
    }
  }

  /** Check a vec or struct literal of type `t`. */
  aggregate(e: ExprOf<'vec' | 'struct'>, t: Ty): void {
    if (e.kind === 'vec') {
      if (t.kind !== 'vec') this.fail(`a vec literal has type ${formatType(t)}`);
      if (e.elems.length !== t.size)
        this.fail(`a vec literal of ${e.elems.length} elements has type ${formatType(t)}`);
      e.elems.forEach((v, i) => this.eq(this.use(v), t.elem, `element ${i} has the wrong type`));
      return;
    }
    if (t.kind !== 'struct') this.fail(`a struct literal has type ${formatType(t)}`);
    if (e.members.length !== t.members.length)
      this.fail(`a struct literal of ${e.members.length} members has type ${formatType(t)}`);
    e.members.forEach((v, k) =>
      this.eq(this.use(v), t.members[k]!, `member ${t.keys[k]} has the wrong type`),
    );
  }

  /** Check `vec[index]` or `struct.member` of type `t`. */
  projection(e: ExprOf<'index' | 'member'>, t: Ty): void {
    if (e.kind === 'index') {
      const vt = this.use(e.vec);
      if (vt.kind !== 'vec') this.fail(`index of x${e.vec}: ${formatType(vt)}, not a vec`);
      this.indexFits(e.index, vt.size);
      return this.eq(t, vt.elem, 'the result type differs from the element type');
    }
    const st = this.use(e.struct);
    if (st.kind !== 'struct') this.fail(`member of x${e.struct}: ${formatType(st)}, not a struct`);
    this.memberFits(e.member, st.members.length);
    this.eq(t, st.members[e.member]!, 'the result type differs from the member type');
  }

  /** Check a `slice`/`field` of an accumulator, of type `t`, and record what it is part of. */
  part(e: ExprOf<'slice' | 'field'>, t: Ty): void {
    const rt = this.use(e.ref);
    const inner = rt.kind === 'ref' ? rt.inner : undefined;
    let elem: Ty;
    if (e.kind === 'slice') {
      if (inner?.kind !== 'vec')
        this.fail(`slice of x${e.ref}: ${formatType(rt)}, not a ref of a vec`);
      this.indexFits(e.index, inner.size);
      elem = inner.elem;
    } else {
      if (inner?.kind !== 'struct')
        this.fail(`field of x${e.ref}: ${formatType(rt)}, not a ref of a struct`);
      this.memberFits(e.member, inner.members.length);
      elem = inner.members[e.member]!;
    }
    this.live(e.ref);
    this.parent[this.at!.var] = e.ref;
    if (t.kind !== 'ref') this.fail(`a ${e.kind} has type ${formatType(t)}, not a ref`);
    this.eq(t.inner, elem, `the ${e.kind} type differs from the part it accumulates`);
  }

  /** Check `accum`, `add` or `resolve`, of type `t`. */
  accumulator(e: ExprOf<'accum' | 'add' | 'resolve'>, t: Ty): void {
    if (e.kind === 'accum') {
      const st = this.use(e.shape);
      if (st.kind === 'ref') this.fail(`accum of x${e.shape}, which is a ref`);
      if (t.kind !== 'ref' || !tyEqual(erase(t.inner), erase(st)))
        this.fail(
          `accum of a ${formatType(st)} has type ${formatType(t)}, expected ref<${formatType(st)}>`,
        );
      return;
    }
    const rt = this.use(e.ref);
    if (rt.kind !== 'ref') this.fail(`${e.kind} of x${e.ref}: ${formatType(rt)}, not a ref`);
    this.live(e.ref);
    if (e.kind === 'resolve') {
      let root = e.ref;
      while (this.parent[root]! >= 0) root = this.parent[root]!;
      if (this.condDepth[root]! < this.depth)
        this.fail(`resolve of x${e.ref} inside a cond block; it is defined outside`);
      this.resolved[e.ref] = 1;
      return this.eq(t, rt.inner, 'the result type differs from the accumulator contents');
    }
    const at = this.use(e.addend);
    if (!tyEqual(erase(at), erase(rt.inner)))
      this.fail(`add of a ${formatType(at)} into a ${formatType(rt)}`);
    this.eq(t, UNIT, 'the result of add has type unit');
  }

  /** Check that literal `value` fits type `t`. */
  lit(value: unknown, t: Ty): void {
    const ok =
      (value === null && t.kind === 'unit') ||
      (typeof value === 'boolean' && t.kind === 'bool') ||
      (typeof value === 'number' && (t.kind === 'real' || t.kind === 'tan')) ||
      (typeof value === 'number' && t.kind === 'fin' && Number.isSafeInteger(value) && value >= 0);
    if (!ok) this.fail(`literal ${String(value)} does not fit type ${formatType(t)}`);
  }

  /** Check that `v` is an index of type `fin(size)`. */
  indexFits(v: Var, size: number): void {
    const it = this.use(v);
    if (it.kind !== 'fin' || it.size !== size)
      this.fail(`index x${v} has type ${formatType(it)}, expected fin<${size}>`);
  }

  /** Check that member number `m` exists among `count` members. */
  memberFits(m: number, count: number): void {
    if (!Number.isInteger(m) || m < 0 || m >= count)
      this.fail(`member ${m} out of range (${count} members)`);
  }

  /** Check a primitive application, with a linearity hint when tangents are involved. */
  prim(prim: Prim, args: readonly Var[], t: Ty): void {
    if (!Object.hasOwn(PRIMS, prim)) this.fail(`unknown primitive ${String(prim)}`);
    const types = args.map((a) => this.use(a));
    const r = primResultType(prim, types, t);
    const tanIn = types.some((a) => a.kind === 'tan');
    if (typeof r === 'string') {
      if (!tanIn) this.fail(r);
      const how = LINEAR_PRIMS[prim];
      this.fail(
        `linearity: ${prim} of (${types.map(formatType).join(', ')}) ` +
          'is not linear in its tangents' +
          (how ? '' : `; ${prim} takes no tangent`) +
          ' (only neg(tan), add/sub(tan, tan), mul/div(tan, real))',
      );
    }
    if (!tyEqual(r, t)) {
      if (hasTan(t))
        this.fail(
          `linearity: ${prim} produces ${formatType(r)}, not a tangent (declared ${formatType(t)})`,
        );
      this.fail(`${prim} produces ${formatType(r)}, declared ${formatType(t)}`);
    }
  }

  /** Check a call of `g` against its signature (`check` checks `g` itself). */
  call(g: Func, args: readonly Var[], t: Ty): void {
    if (g === null || typeof g !== 'object' || (g.kind !== 'transparent' && g.kind !== 'opaque'))
      this.fail('call of something that is not a function');
    if (args.length !== g.paramTypes.length)
      this.fail(
        `call of ${g.name} with ${args.length} argument(s), it takes ${g.paramTypes.length}`,
      );
    args.forEach((a, k) => {
      const ta = this.use(a);
      if (!this.callFits(ta, g.paramTypes[k]!))
        this.fail(
          `argument ${k} of ${g.name} has type ${formatType(ta)}, ` +
            `expected ${formatType(g.paramTypes[k])}`,
        );
      if (ta.kind === 'ref') this.live(a);
    });
    if (!this.callFits(t, g.retType))
      this.fail(`call of ${g.name} has type ${formatType(t)}, it returns ${formatType(g.retType)}`);
  }
}
