/**
 * @file Forward mode: `jvp(f, active)` rewrites a function to compute tangents beside primals.
 *
 * One walk over the body (object IR), emitting the dense IR (ir/dense.ts) with a `DenseBuilder`:
 * `denseJvp`; `jvp` is the same as an object-IR function (`materialize`, memoized). Primals keep
 * their variable numbers. A table maps each old variable to its tangent: a `tan` variable, or
 * `ZERO` when the tangent is statically zero (literals, non-float values, inactive params,
 * outputs of piecewise-constant primitives and of operations whose inputs all have zero
 * tangents). No arithmetic is emitted on a `ZERO`; a `zero` value is materialized only where a
 * tangent must be stored. Calls stay calls, to `denseJvp(g, mask)` memoized per (g, mask), so
 * call DAGs stay DAGs; long call chains are built with an explicit work stack instead of
 * recursion. Per-primitive rules are in `jvp-rules.ts`;
 * the dual layout and the wrapper around custom JVPs in `dual.ts`; conds in `jvp-cond.ts`.
 */
import { RoseError, formatMessage, internal } from '../errors.ts';
import { DenseBuilder } from '../ir/dense-builder.ts';
import { appendObject, densify, materialize } from '../ir/dense-convert.ts';
import { OP_INDEX, OP_MEMBER, OP_ZERO, type Callee, type DenseFunc } from '../ir/dense.ts';
import {
  REAL,
  erase,
  finTy,
  hasTan,
  tangentTy,
  varCount,
  varTy,
  vecTy,
  type ExprOf,
  type Func,
  type Instr,
  type StructTy,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';
import { DU, RE, isFloaty, jvpFromCustom, pairTy } from './dual.ts';
import { PRIM_JVP, ZERO } from './jvp-rules.ts';
import { jvpCond, type CondCx } from './jvp-cond.ts';
import { Scratch } from './scratch.ts';
import { sinkIntoConds } from './sink.ts';

/** The state of one function's transformation. */
interface Cx extends CondCx {
  readonly src: TransparentFunc;
}

/** Memo entry of one function: JVPs by mask, valid while `custom` is its custom JVP. */
interface Memo {
  readonly custom: Func | undefined;
  readonly byMask: Map<string, DenseFunc>;
}

const memo = new WeakMap<Func, Memo>();
/** JVP functions whose result tangent is statically zero (callers then keep a `ZERO`). */
const zeroResult = new WeakSet<DenseFunc>();
/** Functions whose signature mentions `tan` (they cannot be called with erased arguments). */
const tanSignature = new WeakMap<Callee, boolean>();

/**
 * Return the JVP of `f`, memoized per (f, active).
 *
 * Contract:
 * - `active[i]` (default: true for every param) says whether param i gets a tangent input.
 * - Params: `[...erase(paramTypes), ...tangentTy(paramTypes[i]) for each active i]`.
 * - Result: `struct {du: tangentTy(retType), re: erase(retType)}` (keys `['du', 're']`).
 * - Input `tan` types are read as `real` (erasure). Output tangents have type `tan`; statically
 *   zero tangents are tracked symbolically (not computed) and emitted as `zero` only where needed.
 * - Calls stay calls: a call of g becomes a call of `jvp(g, mask of args with nonzero tangents)`.
 * - `customJvp` (Rose dual layout) is used when present; an opaque function without one throws
 *   RoseError code 'no-jvp' whose message contains "no JVP provided for opaque function".
 */
export function jvp(f: Func, active?: readonly boolean[]): TransparentFunc {
  return materialize(denseJvp(f, active));
}

/** Return the JVP of `f` (see `jvp`) in the dense IR, memoized per (f, active). */
export function denseJvp(f: Func, active?: readonly boolean[]): DenseFunc {
  const n = f.paramTypes.length;
  if (active !== undefined && active.length !== n)
    throw new RoseError(
      'arity',
      formatMessage(
        `jvp mask has ${active.length} entries but the function has ${n} parameters`,
        f.name,
        'pass one boolean per parameter',
      ),
    );
  let key = '';
  for (let i = 0; i < n; i++) key += active === undefined || active[i] ? '1' : '0';
  return lookup(f, key) ?? (depth < MAX_DEPTH ? buildNested(f, key) : drive(f, key));
}

/**
 * Callee JVPs are built recursively up to this call depth; deeper call chains are built by the
 * explicit work stack of `drive`, so the JS stack never overflows on long chains.
 */
const MAX_DEPTH = 48;
let depth = 0;
/** In `drive`: the (function, mask) pairs the current build needed but found unbuilt. */
let missing: [Func, string][] | null = null;

/** Return the memoized JVP of `f` for mask `key`, if built (and `f`'s custom JVP unchanged). */
function lookup(f: Func, key: string): DenseFunc | undefined {
  const entry = memo.get(f);
  return entry !== undefined && entry.custom === f.customJvp ? entry.byMask.get(key) : undefined;
}

/** Return the JVP of `f` for mask `key` for a call site; `undefined` while `drive` defers it. */
function calleeJvp(f: Func, key: string): DenseFunc | undefined {
  const hit = lookup(f, key);
  if (hit !== undefined) return hit;
  if (missing !== null) {
    missing.push([f, key]);
    return undefined;
  }
  return depth < MAX_DEPTH ? buildNested(f, key) : drive(f, key);
}

/** Build and memoize the JVP of `f` for mask `key`, one level deeper in the call chain. */
function buildNested(f: Func, key: string): DenseFunc {
  depth++;
  try {
    return build(f, key);
  } finally {
    depth--;
  }
}

/**
 * Build the JVP of `root` and of every callee it needs without recursion: a build that meets an
 * unbuilt callee JVP records it in `missing`, is discarded, and is retried once those are built.
 */
function drive(root: Func, rootKey: string): DenseFunc {
  const stack: [Func, string][] = [[root, rootKey]];
  try {
    while (stack.length > 0) {
      const [f, key] = stack[stack.length - 1]!;
      if (lookup(f, key) !== undefined) {
        stack.pop();
        continue;
      }
      const found: [Func, string][] = (missing = []);
      const out = build(f, key, true);
      missing = null;
      if (found.length === 0) memoize(f, key, out);
      else for (const callee of found) stack.push(callee);
    }
  } finally {
    missing = null;
  }
  return lookup(root, rootKey)!;
}

/** Build the JVP of `f` for mask `key` and memoize it (unless `dryRun`: `drive` decides). */
function build(f: Func, key: string, dryRun = false): DenseFunc {
  const mask = Array.from(key, (c) => c === '1');
  let out: DenseFunc;
  if (f.customJvp !== undefined) out = densify(jvpFromCustom(f, f.customJvp, mask));
  else if (f.kind === 'opaque') throw noJvp(f);
  else out = jvpTransparent(f, mask);
  if (!dryRun) memoize(f, key, out);
  return out;
}

/** Record `out` as the JVP of `f` for mask `key`. */
function memoize(f: Func, key: string, out: DenseFunc): void {
  let entry = memo.get(f);
  if (entry === undefined || entry.custom !== f.customJvp) {
    entry = { custom: f.customJvp, byMask: new Map() };
    memo.set(f, entry);
  }
  entry.byMask.set(key, out);
}

/** Return the error for differentiating opaque `f` that has no custom JVP. */
function noJvp(f: Func): RoseError {
  const params = f.paramTypes.map(() => 'Dual').join(', ');
  return new RoseError(
    'no-jvp',
    formatMessage(
      `no JVP provided for opaque function \`${f.name}\``,
      `differentiating ${f.name}`,
      `Give it a forward derivative before differentiating, e.g. ` +
        `\`${f.name}.jvp = fn([${params}], Dual, (...) => ({ re: ..., du: ... }))\``,
    ),
  );
}

/** Return `t` with `tan` leaves read as `real` (fast path for leaves). */
function er(t: Ty): Ty {
  switch (t.kind) {
    case 'tan':
      return REAL;
    case 'vec':
    case 'struct':
    case 'ref':
      return erase(t);
    default:
      return t;
  }
}

/** Build the JVP of a transparent function without a custom JVP. */
function jvpTransparent(f: TransparentFunc, active: readonly boolean[]): DenseFunc {
  // size hints: straight-line code has about 2.6 instructions and 1.6 new variables per input one
  const b = new DenseBuilder(`jvp_${f.name}`, 3 * f.body.length, (2.7 * varCount(f)) | 0);
  b.shareLiterals(); // the rules' constants (the 1 of 1 - tanh² x...): one per block
  const size = varCount(f);
  const scratch = new Scratch();
  const cx: Cx = {
    b,
    src: f,
    tangent: scratch.i32(size, ZERO),
    sink: false,
    rewritten: 0,
    block: (block) => jvpBlock(cx, block),
  };
  // primals keep their numbers (and unchanged instructions are reused); tangents come after
  b.reserveFrom(f, er, 2 * size);
  for (const p of f.params) b.paramVar(p);
  f.params.forEach((p, i) => {
    if (!active[i]) return;
    const t = varTy(f, p);
    const dp = b.param(tangentTy(t));
    if (isFloaty(t)) cx.tangent[p] = dp;
  });
  jvpBlock(cx, f.body);
  let dret = cx.tangent[f.ret]!;
  scratch.release();
  const zero = dret === ZERO;
  if (zero) dret = b.zero(tangentTy(f.retType));
  const ret = b.struct([dret, f.ret], pairTy(f.retType));
  let out = b.finish(ret);
  // tangents (and primals only they read) used in one block of a cond only: computed there (by
  // the object-IR pass, until there is a dense one)
  if (cx.sink) out = densify(sinkIntoConds(materialize(out)));
  if (zero) zeroResult.add(out);
  return out;
}

/** Transform every instruction of `block` into the builder's current block. */
function jvpBlock(cx: Cx, block: readonly Instr[]): void {
  for (let k = 0; k < block.length; k++) jvpInstr(cx, block[k]!);
}

/** Transform one instruction. */
function jvpInstr(cx: Cx, instr: Instr): void {
  const v = instr.var;
  const t = varTy(cx.src, v);
  const e = instr.expr;
  switch (e.kind) {
    case 'lit':
    case 'zero':
      // d(constant) = 0
      appendObject(cx.b, instr);
      return;
    case 'prim':
      return jvpPrim(cx, instr, t, e);
    case 'vec':
      return jvpLiteral(cx, instr, t, e.elems, 'vec');
    case 'struct':
      return jvpLiteral(cx, instr, t, e.members, 'struct');
    case 'index':
    case 'member':
    case 'slice':
    case 'field':
    case 'resolve':
      return jvpProject(cx, instr, t, e);
    case 'select':
      return jvpSelect(cx, instr, t, e);
    case 'call':
      return jvpCall(cx, instr, t, e);
    case 'for':
      return jvpFor(cx, instr, t, e);
    case 'cond':
      return jvpCond(cx, instr, t, e);
    case 'accum':
      return jvpAccum(cx, instr, t);
    case 'add':
      return jvpAdd(cx, instr, e);
  }
}

/** `z = prim(x, y)`: primal as is, tangent by the primitive's rule. */
function jvpPrim(cx: Cx, instr: Instr, t: Ty, e: ExprOf<'prim'>): void {
  const { tangent } = cx;
  const v = instr.var;
  const { x, y } = e;
  const prim = PRIM_JVP.get(e.prim)!;
  cx.b.define(v, prim.op, x, y);
  const dx = tangent[x]!;
  const dy = y >= 0 ? tangent[y]! : ZERO;
  if (dx !== ZERO || dy !== ZERO) tangent[v] = prim.rule(cx.b, v, x, dx, y, dy);
}

/** Vec or struct literal: primal literal, tangent literal unless every part's tangent is zero. */
function jvpLiteral(
  cx: Cx,
  instr: Instr,
  t: Ty,
  parts: readonly Var[],
  kind: 'vec' | 'struct',
): void {
  const { b, tangent } = cx;
  const v = instr.var;
  const n = parts.length;
  let nonzero = false;
  for (let i = 0; i < n; i++) if (tangent[parts[i]!] !== ZERO) nonzero = true;
  appendObject(b, instr);
  if (!nonzero) return;
  const tt = tangentTy(t);
  const dp = new Array<Var>(n);
  let vecZero: Var = ZERO;
  for (let i = 0; i < n; i++) {
    let d = tangent[parts[i]!]!;
    if (d === ZERO) {
      if (tt.kind === 'vec') d = vecZero === ZERO ? (vecZero = b.zero(tt.elem)) : vecZero;
      else if (tt.kind === 'struct') d = b.zero(tt.members[i]!);
    }
    dp[i] = d;
  }
  tangent[v] = kind === 'vec' ? b.vec(dp, tt) : b.struct(dp, tt);
}

/** Projections (`index`, `member`, `slice`, `field`) and `resolve`: apply to both parts. */
function jvpProject(
  cx: Cx,
  instr: Instr,
  t: Ty,
  e: ExprOf<'index' | 'member' | 'slice' | 'field' | 'resolve'>,
): void {
  const { b, tangent } = cx;
  appendObject(b, instr);
  if (!isFloaty(t)) return;
  switch (e.kind) {
    case 'index':
      if (tangent[e.vec] !== ZERO) tangent[instr.var] = b.index(tangent[e.vec]!, e.index);
      return;
    case 'member':
      if (tangent[e.struct] !== ZERO) tangent[instr.var] = b.member(tangent[e.struct]!, e.member);
      return;
    case 'slice':
      if (tangent[e.ref] !== ZERO) tangent[instr.var] = b.slice(tangent[e.ref]!, e.index);
      return;
    case 'field':
      if (tangent[e.ref] !== ZERO) tangent[instr.var] = b.field(tangent[e.ref]!, e.member);
      return;
    case 'resolve':
      if (tangent[e.ref] !== ZERO) tangent[instr.var] = b.resolve(tangent[e.ref]!);
      return;
  }
}

/** `select(c, a, b)`: select both parts, materializing a zero tangent on one side if needed. */
function jvpSelect(cx: Cx, instr: Instr, t: Ty, e: ExprOf<'select'>): void {
  const { b, tangent } = cx;
  const cond = e.cond;
  appendObject(b, instr);
  let da = tangent[e.then]!;
  let db = tangent[e.els]!;
  if (da === ZERO && db === ZERO) return;
  const tt = tangentTy(t);
  if (da === ZERO) da = b.zero(tt);
  if (db === ZERO) db = b.zero(tt);
  tangent[instr.var] = b.select(cond, da, db);
}

/** A call of g: a call of `jvp(g, mask)`, or of g itself when no argument has a tangent. */
function jvpCall(cx: Cx, instr: Instr, t: Ty, e: ExprOf<'call'>): void {
  const { b, tangent } = cx;
  const v = instr.var;
  const n = e.args.length;
  let key = '';
  let count = n; // of the callee's arguments: the primal ones, then the active tangents
  for (let i = 0; i < n; i++) {
    const on = tangent[e.args[i]!] !== ZERO;
    key += on ? '1' : '0';
    if (on) count++;
  }
  if (count === n && !hasTanSignature(e.func)) {
    appendObject(b, instr);
    return;
  }
  // With no tangents but `tan` in g's signature, call jvp(g, none) to stay type-correct.
  const g = calleeJvp(e.func, key);
  if (g === undefined) {
    // `drive` builds g first and then redoes this function: stand-ins keep the walk going
    b.define(v, OP_ZERO, -1);
    cx.rewritten++;
    if (isFloaty(t)) tangent[v] = b.zero(tangentTy(t));
    return;
  }
  // exactly sized, as the array is kept in the IR (one grown by `push` keeps its slack)
  const args = new Array<Var>(count);
  for (let i = 0; i < n; i++) args[i] = e.args[i]!;
  for (let i = 0, k = n; i < n; i++) {
    const dx = tangent[e.args[i]!]!;
    if (dx !== ZERO) args[k++] = dx;
  }
  const r = b.call(g, args);
  b.define(v, OP_MEMBER, r, RE);
  if (isFloaty(t) && !zeroResult.has(g)) tangent[v] = b.member(r, DU);
}

/** Return true when `f`'s parameter or result types mention `tan` (memoized). */
function hasTanSignature(f: Callee): boolean {
  let r = tanSignature.get(f);
  if (r === undefined) {
    r = hasTan(f.retType) || f.paramTypes.some(hasTan);
    tanSignature.set(f, r);
  }
  return r;
}

/**
 * A loop: the body is transformed into a new loop. When the element's tangent is nonzero the
 * loop returns `{du, re}` pairs, split afterwards by two projection loops (the body runs once).
 */
function jvpFor(cx: Cx, instr: Instr, t: Ty, e: ExprOf<'for'>): void {
  const { b, tangent } = cx;
  const v = instr.var;
  if (t.kind !== 'vec') return internal(`for loop of type ${t.kind} in ${cx.src.name}`);
  const index = e.index;
  const before = cx.rewritten;
  b.beginBlock(3 * e.body.length);
  jvpBlock(cx, e.body);
  const pr = e.ret;
  const dr = tangent[e.ret]!;
  if (dr === ZERO) {
    // a body without tangent work is the same loop
    if (b.blockLength() !== e.body.length || cx.rewritten !== before) cx.rewritten++;
    b.defineFor(v, index, b.endBlock(pr));
    return;
  }
  cx.rewritten++;
  const pt = pairTy(t.elem);
  const pair = b.struct([dr, pr], pt);
  const pairs = b.emitFor(index, b.endBlock(pair), vecTy(t.size, pt));
  splitLoop(b, pairs, pt, RE, er(t), v);
  tangent[v] = splitLoop(b, pairs, pt, DU, tangentTy(t));
}

/**
 * Emit `for i: pairs[i].member`, of vec type `t`, from `pairs` (a vec of `pair`), as variable
 * `v` when given (declared already), else as a new one; return it.
 */
function splitLoop(
  b: DenseBuilder,
  pairs: Var,
  pair: StructTy,
  member: number,
  t: Ty,
  v?: Var,
): Var {
  if (t.kind !== 'vec') return internal(`split of a ${t.kind} in ${b.name}`);
  const index = b.fresh(finTy(t.size));
  b.beginBlock();
  const elem = b.define(b.fresh(pair), OP_INDEX, pairs, index);
  const part = b.define(b.fresh(t.elem), OP_MEMBER, elem, member);
  const body = b.endBlock(part);
  return v === undefined ? b.emitFor(index, body, t) : b.defineFor(v, index, body);
}

/** `accum(shape)`: a primal accumulator, and a tangent one when the shape has float leaves. */
function jvpAccum(cx: Cx, instr: Instr, t: Ty): void {
  const { b, tangent } = cx;
  appendObject(b, instr);
  if (t.kind !== 'ref' || !isFloaty(t.inner)) return;
  const shape = b.zero(tangentTy(t.inner));
  tangent[instr.var] = b.accum(shape);
}

/** `add(ref, x)`: add the primal, and the tangent into the tangent accumulator when nonzero. */
function jvpAdd(cx: Cx, instr: Instr, e: ExprOf<'add'>): void {
  const { b, tangent } = cx;
  appendObject(b, instr);
  const dref = tangent[e.ref]!;
  const dx = tangent[e.addend]!;
  if (dref !== ZERO && dx !== ZERO) b.add(dref, dx);
}
