/**
 * @file Conversions between the object IR (types.ts) and the dense IR (dense.ts): `materialize`
 * and `densify`. Both keep every variable's number, every instruction and the block structure,
 * so `pprint` prints the two forms of a function the same. Both are memoized per function and
 * convert callees too (once each, without recursion: a call chain may be thousands deep), so a
 * call DAG stays a DAG.
 */
import { internal } from '../errors.ts';
import { FuncBuilder } from './builder.ts';
import { DenseBuilder } from './dense-builder.ts';
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
  OP_PRIM,
  OP_RESOLVE,
  OP_SELECT,
  OP_SLICE,
  OP_STRUCT,
  OP_VEC,
  OP_ZERO,
  blockVarsOf,
  denseVarTy,
  opPrim,
  primOp,
  type Callee,
  type DenseFunc,
} from './dense.ts';
import {
  accumInstr,
  addInstr,
  callInstr,
  fieldInstr,
  indexInstr,
  litInstr,
  memberInstr,
  primInstr,
  resolveInstr,
  sameTy,
  sliceInstr,
  zeroInstr,
  type Block,
  type Func,
  type Instr,
  type TransparentFunc,
  type Var,
} from './types.ts';
import { directCallees, postOrder } from './visit.ts';

const materialized = new WeakMap<DenseFunc, TransparentFunc>();
const densified = new WeakMap<TransparentFunc, DenseFunc>();

// ---------------------------------------------------------------------------------------------
// dense -> objects

/** Return the object-IR function of dense `d` (memoized; its callees converted too). */
export function materialize(d: DenseFunc): TransparentFunc {
  const done = materialized.get(d);
  if (done !== undefined) return done;
  // callees first, without recursion (see `postOrder`)
  const pending = (f: DenseFunc) =>
    f.funcs.filter((g): g is DenseFunc => g.kind === 'dense' && !materialized.has(g));
  for (const f of postOrder(d, pending)) {
    const out = materializeOne(f);
    materialized.set(f, out);
    densified.set(out, f); // and back for free
  }
  return materialized.get(d)!;
}

/** Return the object form of a callee (dense callees are materialized already). */
function objectCallee(g: Callee): Func {
  if (g.kind !== 'dense') return g;
  const f = materialized.get(g);
  if (f === undefined) internal(`materialize: callee ${g.name} not converted first`);
  return f;
}

/** Convert one dense function whose dense callees are converted already. */
function materializeOne(d: DenseFunc): TransparentFunc {
  const b = new FuncBuilder(d.name, d.blockLength[BODY]!);
  b.reserveFrom(d, sameTy, 0);
  for (const p of d.params) b.paramVar(p);
  const cx: Cx = { d, b, callees: d.funcs.map(objectCallee) };
  const body = blockVarsOf(d, BODY);
  for (let i = 0; i < body.length; i++) b.append(instrOf(cx, body[i]!));
  return b.finish(d.ret, d.customJvp === undefined ? undefined : { customJvp: d.customJvp });
}

/** What `instrOf` converts with: the function, the builder, its callees' object forms. */
interface Cx {
  readonly d: DenseFunc;
  readonly b: FuncBuilder;
  readonly callees: readonly Func[];
}

/** Return block `k` of `cx.d` as an object-IR block (built in a nested block of `cx.b`). */
function blockOf(cx: Cx, k: number): Block {
  cx.b.beginBlock();
  const vars = blockVarsOf(cx.d, k);
  for (let i = 0; i < vars.length; i++) cx.b.append(instrOf(cx, vars[i]!));
  return cx.b.endBlock();
}

/** Return the value of literal `v` of `d`, by its type: null (unit), boolean, or number. */
function litValue(d: DenseFunc, v: Var): null | boolean | number {
  const x = d.lits[d.a[v]!]!;
  const t = denseVarTy(d, v);
  return t.kind === 'unit' ? null : t.kind === 'bool' ? x !== 0 : x;
}

/** Return the operand list of `d` at `start`, `length` as an array (kept in the IR). */
function listAt(d: DenseFunc, start: number, length: number): Var[] {
  // (a loop: `Array.from` of a typed array view was a third of materializing a call-heavy function)
  const out = new Array<Var>(length);
  const lists = d.lists;
  for (let k = 0; k < length; k++) out[k] = lists[start + k]!;
  return out;
}

/** Return the object instruction of `v` of `cx.d` (its nested blocks built with `cx.b`). */
function instrOf(cx: Cx, v: Var): Instr {
  const { d } = cx;
  const op = d.op[v]!;
  const a = d.a[v]!;
  const x = d.b[v]!;
  const c = d.c[v]!;
  if (op >= OP_PRIM) return primInstr(v, opPrim(op), a, x);
  switch (op) {
    case OP_LIT:
      return litInstr(v, litValue(d, v));
    case OP_ZERO:
      return zeroInstr(v);
    case OP_VEC:
      return { var: v, expr: { kind: 'vec', elems: listAt(d, a, x) } };
    case OP_STRUCT:
      return { var: v, expr: { kind: 'struct', members: listAt(d, a, x) } };
    case OP_INDEX:
      return indexInstr(v, a, x);
    case OP_MEMBER:
      return memberInstr(v, a, x);
    case OP_SLICE:
      return sliceInstr(v, a, x);
    case OP_FIELD:
      return fieldInstr(v, a, x);
    case OP_SELECT:
      return { var: v, expr: { kind: 'select', cond: a, then: x, els: c } };
    case OP_CALL:
      return callInstr(v, cx.callees[a]!, listAt(d, x, c));
    case OP_FOR:
      return { var: v, expr: { kind: 'for', index: a, body: blockOf(cx, x), ret: d.blockRet[x]! } };
    case OP_COND: {
      const then = blockOf(cx, x);
      const els = blockOf(cx, c);
      const expr = { kind: 'cond', cond: a, then, thenRet: d.blockRet[x]!, els, elsRet: d.blockRet[c]! } as const;
      return { var: v, expr };
    }
    case OP_ACCUM:
      return accumInstr(v, a);
    case OP_ADD:
      return addInstr(v, a, x);
    case OP_RESOLVE:
      return resolveInstr(v, a);
    case OP_NONE:
      return internal(`materialize of ${d.name}: %${v} in a block has no instruction`);
    default:
      return internal(`materialize of ${d.name}: unknown opcode ${op} of %${v}`);
  }
}

// ---------------------------------------------------------------------------------------------
// objects -> dense

/** Return the dense form of `f` (memoized; its transparent callees converted too). */
export function densify(f: TransparentFunc): DenseFunc {
  const done = densified.get(f);
  if (done !== undefined) return done;
  const pending = (g: TransparentFunc) =>
    directCallees(g).filter((h): h is TransparentFunc => h.kind === 'transparent' && !densified.has(h));
  for (const g of postOrder(f, pending)) {
    const out = densifyOne(g);
    densified.set(g, out);
    materialized.set(out, g); // and back for free
  }
  return densified.get(f)!;
}

/** Convert one function whose transparent callees are converted already. */
function densifyOne(f: TransparentFunc): DenseFunc {
  const b = new DenseBuilder(f.name, f.varTypes.length);
  b.reserveFrom(f, sameTy, 0);
  for (const p of f.params) b.paramVar(p);
  for (const instr of f.body) appendObject(b, instr);
  return b.finish(f.ret, f.customJvp === undefined ? undefined : { customJvp: f.customJvp });
}

/**
 * Append object instruction `instr` (its variable declared already) to the innermost open block
 * of `b`, with the blocks nested in it. A callee densified already is called in its dense form
 * (`densify` converts callees first), any other as it is.
 */
export function appendObject(b: DenseBuilder, instr: Instr): void {
  const v = instr.var;
  const e = instr.expr;
  switch (e.kind) {
    case 'prim':
      b.define(v, primOp(e.prim), e.x, e.y);
      return;
    case 'lit':
      b.defineLit(v, e.value);
      return;
    case 'zero':
      b.define(v, OP_ZERO, -1);
      return;
    case 'vec':
      b.defineVec(v, e.elems);
      return;
    case 'struct':
      b.defineStruct(v, e.members);
      return;
    case 'index':
      b.define(v, OP_INDEX, e.vec, e.index);
      return;
    case 'member':
      b.define(v, OP_MEMBER, e.struct, e.member);
      return;
    case 'slice':
      b.define(v, OP_SLICE, e.ref, e.index);
      return;
    case 'field':
      b.define(v, OP_FIELD, e.ref, e.member);
      return;
    case 'select':
      b.define(v, OP_SELECT, e.cond, e.then, e.els);
      return;
    case 'call':
      b.defineCall(v, densified.get(e.func as TransparentFunc) ?? e.func, e.args);
      return;
    case 'for':
      b.defineFor(v, e.index, appendBlock(b, e.body, e.ret));
      return;
    case 'cond': {
      const then = appendBlock(b, e.then, e.thenRet);
      b.defineCond(v, e.cond, then, appendBlock(b, e.els, e.elsRet));
      return;
    }
    case 'accum':
      b.define(v, OP_ACCUM, e.shape);
      return;
    case 'add':
      b.define(v, OP_ADD, e.ref, e.addend);
      return;
    case 'resolve':
      b.define(v, OP_RESOLVE, e.ref);
      return;
  }
}

/** Append object block `block` (result `ret`) to `b` as a nested block; return its id. */
function appendBlock(b: DenseBuilder, block: Block, ret: Var): number {
  b.beginBlock(block.length);
  for (const inner of block) appendObject(b, inner);
  return b.endBlock(ret);
}
