/**
 * @file Local value numbering before wasm codegen: an instruction computing what an earlier one
 * already computed (the same primitive of the same operands, the same element or member of the
 * same value, the same slice or field of the same accumulator, a struct literal rebuilding a
 * value member by member) is dropped and its reads use the earlier variable. Derived functions
 * repeat themselves a lot: a rule's product `ct * x` computed twice, the same residual element
 * read twice, `ct * 100` once per term of an unrolled sum. Constants are not dropped (codegen
 * rematerializes them anyway) but equal constants count as the same operand.
 *
 * Values are immutable and every expression kind handled here is pure, so the result is the
 * same bit for bit. Scoping follows the blocks: an instruction may reuse one of its own block or
 * of a block around it, never one of a loop body or cond block it is not in (so nothing one
 * block of a cond computes is taken for the other block or for the code after the cond). To
 * keep live ranges (and wasm locals) short, a value is only reused within `WINDOW` instructions of its last definition or
 * reuse; past that, the later instruction stays and becomes the one reused.
 */
import type { Block, Expr, Instr, TransparentFunc, Ty, Var } from '../ir/types.ts';
import { isLeaf, primExpr, tyEqual, varCount, varTy } from '../ir/types.ts';
import { isZeroSize } from './layout.ts';
import { PRIM_NAMES, type Prim } from '../ir/prims.ts';
import { mapOperands } from '../ir/visit.ts';
import { Scratch } from '../transforms/scratch.ts';

/** How many instructions apart a value may be reused. */
const WINDOW = 512;

/** Codes of the primitives, then of the other expression kinds keyed by two operands. */
const PRIM_CODE = new Map<Prim, number>(PRIM_NAMES.map((p, k) => [p, k]));
const [INDEX, SLICE, MEMBER, FIELD] = [0, 1, 2, 3].map((k) => PRIM_NAMES.length + k) as [number, number, number, number];

/** Primitives whose two operands may be swapped (bit for bit in IEEE arithmetic). */
const COMMUTATIVE = new Set<Prim>(['add', 'mul']);

/**
 * An open-addressing hash table from integer triples to variables, holding at most `2 * WINDOW`
 * entries (entries older than that are of no use), so it never grows. Clearing bumps a stamp:
 * a slot is empty unless stamped now. Two tables serve every pass (passes never nest).
 */
class Triples {
  static readonly SIZE = 8 * WINDOW;
  readonly #a = new Int32Array(Triples.SIZE);
  readonly #b = new Int32Array(Triples.SIZE);
  readonly #c = new Int32Array(Triples.SIZE);
  readonly #v = new Int32Array(Triples.SIZE);
  readonly #stamp = new Int32Array(Triples.SIZE);
  #now = 1;

  /** Return the slot of `(a, b, c)`: where it is, or the empty slot where it would go. */
  #slot(a: number, b: number, c: number): number {
    const mask = Triples.SIZE - 1;
    const now = this.#now;
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d)) & mask;
    while (this.#stamp[i] === now && (this.#a[i] !== a || this.#b[i] !== b || this.#c[i] !== c)) i = (i + 1) & mask;
    return i;
  }

  /** Return the variable stored for `(a, b, c)`, or -1. */
  get(a: number, b: number, c: number): Var {
    const i = this.#slot(a, b, c);
    return this.#stamp[i] === this.#now ? this.#v[i]! : -1;
  }

  /** Store `v` for `(a, b, c)`. */
  set(a: number, b: number, c: number, v: Var): void {
    const i = this.#slot(a, b, c);
    this.#a[i] = a;
    this.#b[i] = b;
    this.#c[i] = c;
    this.#v[i] = v;
    this.#stamp[i] = this.#now;
  }

  /** Remove every entry. */
  clear(): void {
    if (++this.#now === 2 ** 31 - 1) {
      this.#stamp.fill(0);
      this.#now = 1;
    }
  }
}

const TABLES: [Triples, Triples] = [new Triples(), new Triples()];

/** The state of one pass over a function. */
class Numbering {
  /** Replacement of each dropped variable (-1: kept). */
  readonly subst: Int32Array;
  /** Instruction counter at each variable's definition or last reuse. */
  readonly #seen: Int32Array;
  /** Block of each kept variable's definition, as an index into `#open` (0: the top level). */
  readonly #blockOf: Int32Array;
  /**
   * Per block (0: the top level, v + 1: the body of loop v or the then-block of cond v, n + 1 + v:
   * the else-block of cond v): 1 while it is being numbered.
   */
  readonly #open: Uint8Array;
  /** Values recorded in this window of `WINDOW` instructions, and in the previous one. */
  #table = TABLES[0];
  #previous = TABLES[1];
  readonly #lits = new Map<Ty, Map<unknown, Var>>();
  /** For each scalar constant: the first constant of its type and value (-1 for other variables). */
  readonly #constId: Int32Array;
  /** For each kept member instruction: its struct (-1 for other variables), and member position. */
  readonly #memberOf: Int32Array;
  readonly #memberAt: Int32Array;
  #clock = 0;

  constructor(f: TransparentFunc, scratch: Scratch) {
    const n = varCount(f);
    this.subst = scratch.i32(n, -1);
    this.#seen = scratch.i32(n);
    this.#blockOf = scratch.i32(n);
    this.#open = scratch.u8(2 * n + 1);
    this.#open[0] = 1;
    this.#table.clear();
    this.#previous.clear();
    this.#memberOf = scratch.i32(n, -1);
    this.#constId = scratch.i32(n, -1);
    this.#memberAt = scratch.i32(n);
  }

  /** Return the variable now standing for `v`. */
  readonly rename = (v: Var): Var => {
    const s = this.subst[v]!;
    return s < 0 ? v : s;
  };

  /** Return `block` (block id `id`) with repeated values dropped and operands renamed (`block` if unchanged). */
  block(block: Block, f: TransparentFunc, id: number): Block {
    this.#open[id] = 1;
    let out: Instr[] | undefined;
    for (let k = 0; k < block.length; k++) {
      const instr = block[k]!;
      const v = instr.var;
      const e = this.#renamed(instr.expr, f, v);
      if (++this.#clock % WINDOW === 0) this.#turn();
      this.#blockOf[v] = id;
      const same = this.#lookup(v, e, f);
      if (same >= 0) {
        this.subst[v] = same;
        out ??= block.slice(0, k);
        continue;
      }
      if (e !== instr.expr) out ??= block.slice(0, k);
      if (out !== undefined) out.push(e === instr.expr ? instr : { var: v, expr: e });
    }
    this.#open[id] = 0;
    return out ?? block;
  }

  /**
   * Return `e` with its operands renamed (`e` itself when none changes). New expressions are
   * object literals in the builder's key order, so the passes after this one see the same
   * object shapes as before.
   */
  #renamed(e: Expr, f: TransparentFunc, v: Var): Expr {
    const r = this.rename;
    const s = this.subst;
    switch (e.kind) {
      case 'prim': {
        if (s[e.x]! < 0 && (e.y < 0 || s[e.y]! < 0)) return e;
        return primExpr(e.prim, r(e.x), e.y < 0 ? -1 : r(e.y));
      }
      case 'index':
        return s[e.vec]! < 0 && s[e.index]! < 0 ? e : { kind: 'index', vec: r(e.vec), index: r(e.index) };
      case 'member':
        return s[e.struct]! < 0 ? e : { kind: 'member', struct: r(e.struct), member: e.member };
      case 'slice':
        return s[e.ref]! < 0 && s[e.index]! < 0 ? e : { kind: 'slice', ref: r(e.ref), index: r(e.index) };
      case 'field':
        return s[e.ref]! < 0 ? e : { kind: 'field', ref: r(e.ref), member: e.member };
      case 'add':
        return s[e.ref]! < 0 && s[e.addend]! < 0 ? e : { kind: 'add', ref: r(e.ref), addend: r(e.addend) };
      case 'for': {
        const body = this.block(e.body, f, v + 1);
        const ret = r(e.ret);
        return body === e.body && ret === e.ret ? e : { kind: 'for', index: e.index, body, ret };
      }
      case 'cond': {
        const cond = r(e.cond);
        const then = this.block(e.then, f, v + 1);
        const thenRet = r(e.thenRet);
        const els = this.block(e.els, f, varCount(f) + 1 + v);
        const elsRet = r(e.elsRet);
        const same = cond === e.cond && then === e.then && els === e.els;
        return same && thenRet === e.thenRet && elsRet === e.elsRet ? e : { kind: 'cond', cond, then, thenRet, els, elsRet };
      }
      default:
        return mapOperands(e, r);
    }
  }

  /** Return an earlier variable holding the value of `v = e`, or -1 (recording `v` if new). */
  #lookup(v: Var, e: Expr, f: TransparentFunc): Var {
    switch (e.kind) {
      case 'prim': {
        if (e.prim === 'imod') return -1; // its result type, not only its operands, sets the modulus
        const a = this.#id(e.x);
        const b = e.y >= 0 ? this.#id(e.y) : -1;
        const swap = b >= 0 && b < a && COMMUTATIVE.has(e.prim);
        return this.#find(PRIM_CODE.get(e.prim)!, swap ? b : a, swap ? a : b, v);
      }
      case 'index':
        return this.#find(INDEX, e.vec, this.#id(e.index), v);
      case 'slice':
        return this.#find(SLICE, e.ref, this.#id(e.index), v);
      case 'member':
        this.#memberOf[v] = e.struct;
        this.#memberAt[v] = e.member;
        return this.#find(MEMBER, e.struct, e.member, v);
      case 'struct':
        return this.#rebuilt(v, e.members, f);
      case 'field':
        return this.#find(FIELD, e.ref, e.member, v);
      case 'lit':
        this.#constant(varTy(f, v), e.value, v);
        return -1;
      default:
        return -1;
    }
  }

  /** Start a new window: the current table becomes the previous one. */
  #turn(): void {
    const t = this.#previous;
    this.#previous = this.#table;
    this.#table = t;
    t.clear();
  }

  /**
   * Return `p` when struct literal `v` rebuilds value `p` of the same type member by member
   * (`{du: p.du, re: ()}`, the cotangent passed on to each call), else -1.
   */
  #rebuilt(v: Var, members: readonly Var[], f: TransparentFunc): Var {
    const t = varTy(f, v);
    if (t.kind !== 'struct') return -1;
    let p = -1;
    for (let k = 0; k < members.length; k++) {
      if (isZeroSize(t.members[k]!)) continue;
      const m = members[k]!;
      const of = this.#memberOf[m]!;
      if (of < 0 || this.#memberAt[m] !== k || (p >= 0 && of !== p)) return -1;
      p = of;
    }
    return p >= 0 && tyEqual(varTy(f, p), t) ? p : -1;
  }

  /** Return true when `prev` may stand for a value computed now: in an open block, recently. */
  #live(prev: Var): boolean {
    return prev >= 0 && this.#open[this.#blockOf[prev]!] === 1 && this.#clock - this.#seen[prev]! <= WINDOW;
  }

  /** Return the live variable keyed `(code, a, b)` (refreshing its clock), or record `v` and return -1. */
  #find(code: number, a: number, b: number, v: Var): Var {
    let prev = this.#table.get(code, a, b);
    if (prev < 0) {
      prev = this.#previous.get(code, a, b);
      if (this.#live(prev)) this.#table.set(code, a, b, prev); // keep it for the next window
    }
    if (this.#live(prev)) {
      this.#seen[prev] = this.#clock;
      return prev;
    }
    this.#table.set(code, a, b, v);
    this.#seen[v] = this.#clock;
    return -1;
  }

  /** Return the identity of operand `x` in keys: its constant's, or itself. */
  #id(x: Var): number {
    const c = this.#constId[x]!;
    return c < 0 ? x : c;
  }

  /** Record constant `v` of type `t`: the same identity as the first constant of that value. */
  #constant(t: Ty, value: unknown, v: Var): void {
    if (!isLeaf(t) || Object.is(value, -0)) return;
    let byValue = this.#lits.get(t);
    if (byValue === undefined) this.#lits.set(t, (byValue = new Map()));
    const first = byValue.get(value);
    if (first === undefined) byValue.set(value, v);
    this.#constId[v] = first ?? v;
  }
}

/**
 * Return `f` with repeated pure computations dropped (see the file comment): a new function
 * with the same id, name, types and variables, or `f` itself when nothing repeats.
 */
export function eliminateCommon(f: TransparentFunc): TransparentFunc {
  const scratch = new Scratch(); // the numbering's per-variable arrays, given back at the end
  const numbering = new Numbering(f, scratch);
  const body = numbering.block(f.body, f, 0);
  const ret = numbering.rename(f.ret);
  scratch.release();
  // a changed block or result changes its `for` or `cond`, so any change shows at the top level
  if (body === f.body) return f;
  // an object literal in the builder's key order: the passes after this see the usual shape
  const g: TransparentFunc = {
    kind: 'transparent',
    id: f.id,
    name: f.name,
    paramTypes: f.paramTypes,
    retType: f.retType,
    types: f.types,
    varTypes: f.varTypes,
    params: f.params,
    body,
    ret,
  };
  if (f.customJvp !== undefined) g.customJvp = f.customJvp;
  return g;
}
