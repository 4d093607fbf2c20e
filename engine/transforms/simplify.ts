/**
 * @file `simplify`: semantics-preserving cleanup of a function and its callees, applied to the
 * outputs of `unzip` and `transpose`. Memoized per function; callees are simplified first (each
 * once, so the call DAG stays a DAG). Linear time: three passes over the body.
 *
 * 1. Rewrite (forward, per block): operands are renamed through the substitutions made so far,
 *    then each instruction is
 *    - forwarded to an existing variable: `member` of a struct literal, `index` of a vec literal
 *      at a literal index, `select` with a literal condition or equal branches, the exact
 *      identities of `simplify-rules.ts` (`neg(neg x) -> x`, `x * 1 -> x`, ...);
 *    - rewritten: constant folding of primitives with literal operands, `member`/`index` of a
 *      `zero` to `zero`, `resolve` of an accumulator that receives no `add` to `zero`, and any
 *      pure value of an empty type (unit leaves only, e.g. a loop's `vec<3, unit>`) to `zero`;
 *    - or replaced by an equal earlier instruction (common subexpressions: same kind, operands
 *      and type; only pure values, never `for`, `accum`, `add`, `resolve`, `slice`, `field`,
 *      nor calls with accumulator arguments). Earlier means in this block or an enclosing one.
 * 2. Liveness (backward): the result, every `add`, every call with an accumulator argument and
 *    every loop or cond whose blocks add into an accumulator from outside them are live, and so
 *    is everything they read. Everything else is dropped. A cond with two empty blocks becomes a
 *    `select` of its results; so does one whose blocks end up with no live work, when it is
 *    emitted, and the function is then simplified again.
 * 3. Emit the live instructions with variables renumbered densely (params first).
 * A function in which nothing changes is returned as is (so `simplify` is idempotent and keeps
 * identities that other memo tables rely on); otherwise the result is a new function with the
 * same name, signature and custom JVP.
 */
import { primResultType } from '../ir/prims.ts';
import { formatType } from '../ir/pprint.ts';
import {
  freshFuncId,
  isEmpty,
  primOperands,
  someLeaf,
  tyEqual,
  typeTable,
  varCount,
  varTypeList,
  type Block,
  type Expr,
  type ExprOf,
  type Func,
  type Instr,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../ir/types.ts';
import {
  directCallees,
  forEachBlockResult,
  forEachInstr,
  forEachOperand,
  mapOperands,
  nestedBlocks,
  postOrder,
} from '../ir/visit.ts';
import {
  COMMUTATIVE,
  FOLD_OF,
  IDENTITY_OF,
  type Facts,
  type Lit,
  type Rewrite,
} from './simplify-rules.ts';

const ZERO: Expr = Object.freeze({ kind: 'zero' });

/** Simplified version of each function (a simplified function maps to itself). */
const memo = new WeakMap<TransparentFunc, TransparentFunc>();

/** Return `f` simplified, callees too (memoized; `f` itself when nothing changes). */
export function simplify(f: TransparentFunc): TransparentFunc {
  const done = memo.get(f);
  if (done !== undefined) return done;
  // Callees first, without recursion (call chains can be long).
  const deps = (g: Func) => (g.kind === 'transparent' && !memo.has(g) ? directCallees(g) : []);
  for (const g of postOrder(f, deps)) {
    if (g.kind !== 'transparent' || memo.has(g)) continue;
    const out = new Simplifier(g).run();
    memo.set(g, out);
    memo.set(out, out);
  }
  return memo.get(f)!;
}

/** Return the simplified version of callee `g` (already computed: callees go first). */
function simplified(g: Func): Func {
  return g.kind === 'transparent' ? (memo.get(g) ?? g) : g;
}

/** Return true when `t` has only float and unit leaves (an untouched accumulator of it is zero). */
function floatsOnly(t: Ty): boolean {
  return !someLeaf(t, (l) => l.kind === 'bool' || l.kind === 'fin');
}

const typeKeys = new WeakMap<Ty, string>();
/** Return a string that is equal for equal types (cached per type object). */
function typeKey(t: Ty): string {
  let k = typeKeys.get(t);
  if (k === undefined) typeKeys.set(t, (k = formatType(t)));
  return k;
}

/** Return a key equal for literals with the same value (`-0` and `0` differ, NaN equals NaN). */
function litKey(v: null | boolean | number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/** One function's simplification; see the file comment for the three passes. */
class Simplifier {
  readonly f: TransparentFunc;
  readonly vars: readonly Ty[];
  /** Old var -> the var that replaces it (itself when none). */
  readonly sub: Int32Array;
  /** The rewritten expression defining each var (undefined for params, indices, dropped vars). */
  readonly def: (Expr | undefined)[];
  /** For each accumulator var: the `accum` var or param it is part of; -1 for non-refs. */
  readonly root: Int32Array;
  /** Block depth of each definition: -1 params, 0 the body, +1 per loop. */
  readonly depth: Int32Array;
  /** 1 for accumulator roots that some `add` or call may add into. */
  readonly touched: Uint8Array;
  /** Available pure expressions of the enclosing blocks, by key. */
  readonly cse = new Map<string, Var>();
  /** Smallest definition depth of an accumulator each block may add into (see `effectDepth`). */
  readonly effects = new Map<Block, number>();
  /** Set when anything was rewritten, forwarded or dropped. */
  changed = false;
  /** Set when `emit` replaced a cond whose work was all dead by a value or a `select`. */
  condReduced = false;
  readonly facts: Facts = {
    lit: (v) => this.litOf(v),
    prim: (v) => {
      const d = this.def[v];
      return d?.kind === 'prim' ? d : undefined;
    },
  };

  constructor(f: TransparentFunc) {
    this.f = f;
    this.vars = varTypeList(f);
    const n = varCount(f);
    this.sub = new Int32Array(n).map((_, i) => i);
    this.def = new Array<Expr | undefined>(n);
    this.root = new Int32Array(n).fill(-1);
    this.depth = new Int32Array(n).fill(-1);
    this.touched = new Uint8Array(n);
  }

  run(): TransparentFunc {
    this.scanAccumulators();
    const body = this.rewriteBlock(this.f.body);
    const ret = this.sub[this.f.ret]!;
    const live = new Uint8Array(this.vars.length);
    live[ret] = 1;
    this.markBlock(body, 0, live);
    const out = this.emit(body, ret, live);
    // a cond that emit reduced to a value may enable rewrites of its readers: once more
    return this.condReduced ? new Simplifier(out).run() : out;
  }

  // --- pass 0: where accumulators come from, and which ones receive adds -----------------------

  scanAccumulators(): void {
    const { root, depth, touched } = this;
    for (const p of this.f.params) if (this.vars[p]!.kind === 'ref') root[p] = p;
    forEachInstr(this.f.body, ({ var: v, expr: e }, d) => {
      depth[v] = d;
      if (e.kind === 'for') depth[e.index] = d + 1;
      else if (e.kind === 'accum') root[v] = v;
      else if (e.kind === 'slice' || e.kind === 'field') root[v] = root[e.ref]!;
      else if (e.kind === 'add') touched[root[e.ref]!] = 1;
      else if (e.kind === 'call') for (const a of e.args) if (root[a]! >= 0) touched[root[a]!] = 1;
    });
  }

  // --- pass 1: rewrite -------------------------------------------------------------------------

  /** Return `block` rewritten (old var ids; dropped vars substituted), `block` if unchanged. */
  rewriteBlock(block: Block): Block {
    const out: Instr[] = [];
    const added: string[] = [];
    const rename = (v: Var) => this.sub[v]!;
    for (const instr of block) {
      const { var: v } = instr;
      let e = mapOperands(instr.expr, rename, (b) => this.rewriteBlock(b));
      if (e.kind === 'call') {
        const g = simplified(e.func);
        if (g !== e.func) e = { kind: 'call', func: g, args: e.args };
      }
      const r = this.pureEmpty(v, e) ? ZERO : e.kind === 'for' ? e : this.rewrite(v, this.condToSelect(e));
      if (typeof r === 'number') {
        this.forward(v, r);
        continue;
      }
      const key = this.cseKey(r, this.vars[v]!);
      const prev = key === undefined ? undefined : this.cse.get(key);
      if (prev !== undefined) {
        this.forward(v, prev);
        continue;
      }
      if (key !== undefined) {
        this.cse.set(key, v);
        added.push(key);
      }
      if (r !== instr.expr) this.changed = true;
      this.def[v] = r;
      out.push(r === instr.expr ? instr : { var: v, expr: r });
    }
    for (const key of added) this.cse.delete(key);
    return out.length === block.length && out.every((x, k) => x === block[k]) ? block : out;
  }

  /**
   * Return true when `v = e` is pure and of an empty type (only unit leaves, not a ref): its one
   * possible value is `zero`, and the computation can go.
   */
  pureEmpty(v: Var, e: Expr): boolean {
    const t = this.vars[v]!;
    if (e.kind === 'zero' || t.kind === 'ref' || !isEmpty(t)) return false;
    return !this.effectful({ var: v, expr: e }, this.depth[v]!);
  }

  /** Return a cond with two empty blocks as a `select` of its results, else `e`. */
  condToSelect(e: Exclude<Expr, { kind: 'for' }>): Exclude<Expr, { kind: 'for' }> {
    if (e.kind !== 'cond' || e.then.length > 0 || e.els.length > 0) return e;
    return { kind: 'select', cond: e.cond, then: e.thenRet, els: e.elsRet };
  }

  /** Replace `v` by `w` from now on. */
  forward(v: Var, w: Var): void {
    this.sub[v] = w;
    this.changed = true;
  }

  /** Return the literal value of `v` (a `lit`, or the `zero` of a scalar type), if it is one. */
  litOf(v: Var): Lit | undefined {
    const d = this.def[v];
    if (d?.kind === 'lit') return d.value ?? undefined;
    if (d?.kind !== 'zero') return undefined;
    const t = this.vars[v]!;
    if (t.kind === 'bool') return false;
    return t.kind === 'real' || t.kind === 'tan' || t.kind === 'fin' ? 0 : undefined;
  }

  /** Return the var that `v = e` can be replaced by, or the (maybe new) expression defining `v`. */
  rewrite(v: Var, e: Exclude<Expr, { kind: 'for' }>): Var | Expr {
    const t = this.vars[v]!;
    const to = (w: Var | undefined): Var | Expr =>
      w !== undefined && tyEqual(this.vars[w]!, t) ? w : e;
    switch (e.kind) {
      case 'prim':
        return this.prim(e, t);
      case 'select': {
        const c = this.litOf(e.cond);
        if (c !== undefined) return to(c ? e.then : e.els);
        return e.then === e.els ? to(e.then) : e;
      }
      case 'member': {
        const d = this.def[e.struct];
        if (d?.kind === 'struct') return to(d.members[e.member]);
        return d?.kind === 'zero' ? { kind: 'zero' } : e;
      }
      case 'index': {
        const d = this.def[e.vec];
        const i = this.litOf(e.index);
        if (d?.kind === 'vec' && typeof i === 'number') return to(d.elems[i]);
        return d?.kind === 'zero' ? { kind: 'zero' } : e;
      }
      case 'resolve': {
        // An accumulator nobody adds into still holds its initial value: zero floats.
        const r = this.root[e.ref]!;
        const fresh = r >= 0 && this.def[r]?.kind === 'accum' && !this.touched[r];
        if (!fresh) return e;
        const shape = this.def[r] as ExprOf<'accum'>;
        const zeroShape = r === e.ref && this.def[shape.shape]?.kind === 'zero';
        return floatsOnly(t) || zeroShape ? { kind: 'zero' } : e;
      }
      default:
        return e;
    }
  }

  /** Fold or apply an identity to a primitive defining a variable of type `t`. */
  prim(e: ExprOf<'prim'>, t: Ty): Var | Expr {
    const a = e.x;
    const b = e.y >= 0 ? e.y : undefined;
    const la = this.litOf(a);
    const lb = b === undefined ? undefined : this.litOf(b);
    if (la !== undefined && (b === undefined || lb !== undefined)) {
      const fold = FOLD_OF.get(e.prim)! as (x: Lit, y: Lit | undefined, t: Ty) => Lit | undefined;
      const value = fold(la, lb, t);
      if (value !== undefined) return { kind: 'lit', value };
    }
    const r: Rewrite | undefined = IDENTITY_OF.get(e.prim)!(a, b ?? a, this.facts);
    if (r === undefined) return e;
    if ('to' in r) return tyEqual(this.vars[r.to]!, t) ? r.to : e;
    if ('lit' in r) return { kind: 'lit', value: r.lit };
    const rt = primResultType(r.prim, primOperands(r).map((x) => this.vars[x]!), t);
    if (typeof rt === 'string' || !tyEqual(rt, t)) return e;
    return r;
  }

  /** Return the common-subexpression key of `e` (of type `t`), or undefined if not pure. */
  cseKey(e: Expr, t: Ty): string | undefined {
    switch (e.kind) {
      case 'lit':
        return `l ${litKey(e.value)} ${typeKey(t)}`;
      case 'zero':
        return `z ${typeKey(t)}`;
      case 'vec':
        return `v ${e.elems.join()} ${typeKey(t)}`;
      case 'struct':
        return `s ${e.members.join()} ${typeKey(t)}`;
      case 'index':
        return `i ${e.vec} ${e.index}`;
      case 'member':
        return `m ${e.struct} ${e.member}`;
      case 'select':
        return `? ${e.cond} ${e.then} ${e.els}`;
      case 'prim': {
        const { x, y } = e;
        // commuted operands share a key (smaller first) when they have one type
        const swap =
          COMMUTATIVE.has(e.prim) && y >= 0 && x > y && tyEqual(this.vars[x]!, this.vars[y]!);
        const operands = y < 0 ? `${x}` : swap ? `${y},${x}` : `${x},${y}`;
        return `p ${e.prim} ${operands} ${typeKey(t)}`;
      }
      case 'call':
        if (e.args.some((x) => this.vars[x]!.kind === 'ref')) return undefined;
        return `c ${e.func.id} ${e.args.join()} ${typeKey(t)}`;
      default:
        return undefined;
    }
  }

  // --- pass 2: liveness ------------------------------------------------------------------------

  /** Return the least definition depth of an accumulator `block` may add into (or Infinity). */
  effectDepth(block: Block): number {
    const cache = this.effects;
    let d = cache.get(block);
    if (d !== undefined) return d;
    d = Infinity;
    for (const { expr: e } of block) {
      if (e.kind === 'add') d = Math.min(d, this.depth[this.root[e.ref]!]!);
      else if (e.kind === 'call')
        for (const a of e.args) if (this.root[a]! >= 0) d = Math.min(d, this.depth[this.root[a]!]!);
      for (const inner of nestedBlocks(e)) d = Math.min(d, this.effectDepth(inner));
    }
    cache.set(block, d);
    return d;
  }

  /** Return true when `instr` at block depth `d` must stay even if its result is unused. */
  effectful({ expr: e }: Instr, d: number): boolean {
    if (e.kind === 'add') return true;
    if (e.kind === 'call') return e.args.some((a) => this.vars[a]!.kind === 'ref');
    // A block's effects on accumulators of its own are invisible outside it.
    for (const inner of nestedBlocks(e)) if (this.effectDepth(inner) <= d) return true;
    return false;
  }

  /** Mark live the instructions of `block` (depth `d`) and what they read, backwards. */
  markBlock(block: Block, d: number, live: Uint8Array): void {
    for (let k = block.length - 1; k >= 0; k--) {
      const instr = block[k]!;
      if (!live[instr.var] && !this.effectful(instr, d)) continue;
      live[instr.var] = 1;
      const { expr: e } = instr;
      forEachBlockResult(e, (v) => (live[v] = 1));
      for (const inner of nestedBlocks(e)) this.markBlock(inner, d + 1, live);
      if (e.kind === 'cond' && this.condVanishes(e, live)) continue;
      forEachOperand(e, (v) => (live[v] = 1));
    }
  }

  // --- pass 3: emit ----------------------------------------------------------------------------

  /**
   * Return cond `e` renamed, its blocks emitted by `block`; when both blocks end up empty (all
   * their work was dead), the (new) var it reduces to or a `select` of its results.
   */
  emitCond(e: ExprOf<'cond'>, rename: (v: Var) => Var, block: (b: Block) => Instr[]): Var | Expr {
    const c = mapOperands(e, rename, block) as ExprOf<'cond'>;
    if (c.then.length > 0 || c.els.length > 0) return c;
    this.changed = true;
    this.condReduced = true;
    if (c.thenRet === c.elsRet) return c.thenRet;
    const known = this.litOf(e.cond);
    if (known !== undefined) return known === false ? c.elsRet : c.thenRet;
    return { kind: 'select', cond: c.cond, then: c.thenRet, els: c.elsRet };
  }

  /**
   * Return true when live cond `e` reduces to one of its results (`emitCond`): no live work in
   * its blocks, and equal results or a known condition. Its condition is then not read.
   */
  condVanishes(e: ExprOf<'cond'>, live: Uint8Array): boolean {
    const idle = (b: Block) => b.every((i) => !live[i.var]);
    if (!idle(e.then) || !idle(e.els)) return false;
    return e.thenRet === e.elsRet || this.litOf(e.cond) !== undefined;
  }

  /** Return the simplified function: live instructions, variables renumbered densely. */
  emit(body: Block, ret: Var, live: Uint8Array): TransparentFunc {
    const { f } = this;
    const ids = new Int32Array(this.vars.length).fill(-1);
    const vars: Ty[] = [];
    const alloc = (v: Var) => {
      ids[v] = vars.length;
      vars.push(this.vars[v]!);
      return ids[v]!;
    };
    const params = f.params.map(alloc);
    const rename = (v: Var) => ids[v]!;
    const block = (b: Block): Instr[] => {
      const out: Instr[] = [];
      for (const { var: v, expr: e } of b) {
        if (!live[v]) {
          this.changed = true;
          continue;
        }
        let expr: Expr;
        if (e.kind === 'for') {
          const index = alloc(e.index);
          expr = { ...(mapOperands(e, rename, block) as ExprOf<'for'>), index };
        } else if (e.kind === 'cond') {
          const c = this.emitCond(e, rename, block);
          if (typeof c === 'number') {
            ids[v] = c;
            continue;
          }
          expr = c;
        } else expr = mapOperands(e, rename, block);
        out.push({ var: alloc(v), expr });
      }
      return out;
    };
    const newBody = block(body);
    if (!this.changed) return f;
    const out: TransparentFunc = {
      kind: 'transparent',
      id: freshFuncId(),
      name: f.name,
      paramTypes: f.paramTypes,
      retType: f.retType,
      ...typeTable(vars),
      params,
      body: newBody,
      ret: ids[ret]!,
    };
    if (f.customJvp !== undefined) out.customJvp = f.customJvp;
    return out;
  }
}
