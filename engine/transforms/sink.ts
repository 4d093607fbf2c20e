/**
 * @file Sinking into cond blocks: a pure instruction whose every use lies in one block of one
 * `cond` moves into that block, so it runs only when that block does. Applied to the linear part
 * of a function before it is transposed: a tangent computed before a `cond` but used only inside
 * one of its blocks (the tangent of a distance tested outside and used inside) then has its
 * transpose inside the block too, and the backward pass does no work for pairs that are not
 * taken. Same operations in the same order on every path that uses them: results are unchanged,
 * bit for bit.
 *
 * One backward walk per block: each read of an instruction's result has a *site*, the
 * instruction of the block that reads it, or the then/else block of a cond there; a read by an
 * instruction that moved counts where it moved. An instruction read at a single cond-block site
 * moves to the start of that block (in order). Then each nested block, with what moved into it,
 * is sunk the same way. Linear in the size of the function per level of nesting.
 */
import {
  varCount,
  type Block,
  type Expr,
  type Instr,
  type TransparentFunc,
  type Var,
} from '../ir/types.ts';
import { forEachOperand } from '../ir/visit.ts';

/** The expression kinds that may move: pure, without blocks, touching no accumulator. */
const MOVABLE = new Set<Expr['kind']>(['lit', 'zero', 'vec', 'struct', 'index', 'member', 'prim', 'select']);

/** Return `f` with instructions sunk into the cond blocks that alone use them; `f` if none move. */
export function sinkIntoConds(f: TransparentFunc): TransparentFunc {
  if (!hasCond(f.body)) return f;
  const body = new Sinker(varCount(f)).block(f.body, f.ret);
  return body === f.body ? f : { ...f, body };
}

/**
 * A use site: instruction k of the block (`3k`), or the then (`3k + 1`) or else block
 * (`3k + 2`) of its cond; `AFTER` for the block's result.
 */
type Site = number;
const AFTER = -1;

/** Return the site of a read by instruction `k`: itself, or block `b` (0 then, 1 else) of its cond. */
function siteOf(k: number, b?: 0 | 1): Site {
  return b === undefined ? 3 * k : 3 * k + 1 + b;
}

/** Sinks the blocks of one function; the arrays indexed by var are the function's. */
class Sinker {
  /** Position of each var in the block being decided, or -1 (kept -1 between blocks). */
  readonly pos: Int32Array;
  /** The site each moved instruction's var moved to, or -1. */
  readonly movedTo: Int32Array;
  // scratch of `decide`, reused (a function has thousands of small blocks)
  /** The reads recorded: position read and site of each, `nReads` of them. */
  readPos = new Int32Array(256);
  readSite = new Int32Array(256);
  nReads = 0;
  start = new Int32Array(64);
  sites = new Int32Array(64);
  /** Record a read of `v` at `site`, when `v` is defined in the block being decided. */
  note(v: Var, site: Site): void {
    const k = this.pos[v]!;
    if (k < 0) return;
    const r = this.nReads++;
    if (r === this.readPos.length) this.grow();
    this.readPos[r] = k;
    this.readSite[r] = site;
  }

  /** Record every read in `block`, at any depth, at `site` (block results included). */
  nested(block: Block, site: Site): void {
    for (let k = 0; k < block.length; k++) this.readsAt(block[k]!.expr, site, site, site);
  }

  /**
   * Record the reads of `e`, at any depth: its own at `own`, those of a cond's then and else
   * blocks (results included) at `thenSite` and `elseSite` (without a closure per instruction).
   */
  readsAt(e: Expr, own: Site, thenSite: Site, elseSite: Site): void {
    this.operands(e, own);
    if (e.kind === 'cond') {
      this.note(e.thenRet, thenSite);
      this.note(e.elsRet, elseSite);
      this.nested(e.then, thenSite);
      this.nested(e.els, elseSite);
    } else if (e.kind === 'for') {
      this.note(e.ret, own);
      this.nested(e.body, own);
    }
  }

  /** Record the reads of `e` at its own level, at `site`. */
  operands(e: Expr, site: Site): void {
    this.site = site;
    forEachOperand(e, this.noteAtSite);
  }

  /** The site `noteAtSite` records at. */
  site: Site = AFTER;
  /** Record a read of `v` at `site` (bound once: no closure per expression). */
  readonly noteAtSite = (v: Var): void => this.note(v, this.site);

  /** Double the room for reads. */
  grow(): void {
    const pos = new Int32Array(2 * this.readPos.length);
    const site = new Int32Array(2 * this.readSite.length);
    pos.set(this.readPos);
    site.set(this.readSite);
    this.readPos = pos;
    this.readSite = site;
  }

  constructor(nvars: number) {
    this.pos = new Int32Array(nvars).fill(-1);
    this.movedTo = new Int32Array(nvars).fill(-1);
  }

  /** Return `block` (yielding `ret`) with instructions sunk, recursively; itself if none moved. */
  block(block: Block, ret: Var): Block {
    // only a cond of this block can receive instructions: without one, nothing moves here
    let conds = false;
    for (let k = 0; k < block.length && !conds; k++) conds = block[k]!.expr.kind === 'cond';
    const sunk = conds ? this.decide(block, ret) : undefined;
    // the output, made on the first change (most small blocks are returned as they are)
    let out: Instr[] | undefined;
    for (let k = 0; k < block.length; k++) {
      const instr = block[k]!;
      if (this.movedTo[instr.var]! >= 0) {
        this.movedTo[instr.var] = -1; // it is an instruction of its new block from now on
        out ??= block.slice(0, k);
        continue;
      }
      const next = this.nestedOf(instr.expr, k, sunk);
      if (next !== instr.expr) out ??= block.slice(0, k);
      out?.push(next === instr.expr ? instr : { var: instr.var, expr: next });
    }
    return out ?? block;
  }

  /** Return `e` (instruction `k`) with its nested blocks sunk, and `sunk` placed; `e` if unchanged. */
  nestedOf(e: Expr, k: number, sunk: Map<Site, Instr[]> | undefined): Expr {
    if (e.kind === 'cond') {
      const then = this.block(withSunk(e.then, sunk?.get(siteOf(k, 0))), e.thenRet);
      const els = this.block(withSunk(e.els, sunk?.get(siteOf(k, 1))), e.elsRet);
      return then !== e.then || els !== e.els ? { ...e, then, els } : e;
    }
    if (e.kind === 'for') {
      const body = this.block(e.body, e.ret);
      return body !== e.body ? { ...e, body } : e;
    }
    return e;
  }

  /**
   * Return the instructions of `block` that move, by destination site (last first; undefined
   * when none), recording each one's site in `movedTo`. Backwards, so an instruction's readers
   * have already been placed when it is decided: a read by a moved instruction counts at its site.
   */
  decide(block: Block, ret: Var): Map<Site, Instr[]> | undefined {
    const { pos, movedTo } = this;
    const n = block.length;
    for (let k = 0; k < n; k++) pos[block[k]!.var] = k;
    this.nReads = 0;
    this.note(ret, AFTER);
    for (let k = 0; k < n; k++) this.readsAt(block[k]!.expr, siteOf(k), siteOf(k, 0), siteOf(k, 1));
    const { readPos, readSite, nReads } = this;
    // group the reads by position: those of position k are sites[start[k] .. start[k + 1])
    if (this.start.length < n + 2) this.start = new Int32Array(2 * n + 2);
    if (this.sites.length < nReads) this.sites = new Int32Array(2 * nReads);
    const { start, sites } = this;
    start.fill(0, 0, n + 2);
    for (let r = 0; r < nReads; r++) start[readPos[r]! + 2]!++;
    for (let k = 0; k < n; k++) start[k + 2]! += start[k + 1]!;
    for (let r = 0; r < nReads; r++) sites[start[readPos[r]! + 1]!++] = readSite[r]!;
    let sunk: Map<Site, Instr[]> | undefined;
    for (let k = n - 1; k >= 0; k--) {
      const instr = block[k]!;
      if (!MOVABLE.has(instr.expr.kind)) continue;
      let only: Site | undefined;
      for (let r = start[k]!; r < start[k + 1]!; r++) {
        let s = sites[r]!;
        const reader = s >= 0 && s % 3 === 0 ? movedTo[block[(s / 3) | 0]!.var]! : -1;
        if (reader >= 0) s = reader;
        if (only === undefined) only = s;
        else if (only !== s) only = AFTER;
      }
      if (only === undefined || only === AFTER || only % 3 === 0) continue;
      movedTo[instr.var] = only;
      sunk ??= new Map();
      let into = sunk.get(only);
      if (into === undefined) sunk.set(only, (into = []));
      into.push(instr);
    }
    for (let k = 0; k < n; k++) pos[block[k]!.var] = -1;
    return sunk;
  }
}

/** Return `block` with the instructions `sunk` (collected last first) placed before it. */
function withSunk(block: Block, sunk: Instr[] | undefined): Block {
  return sunk === undefined ? block : [...sunk.reverse(), ...block];
}

/** Return true when `block` holds a cond, at any depth. */
function hasCond(block: Block): boolean {
  for (let k = 0; k < block.length; k++) {
    const e = block[k]!.expr;
    if (e.kind === 'cond' || (e.kind === 'for' && hasCond(e.body))) return true;
  }
  return false;
}
