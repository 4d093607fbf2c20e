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
import type { Block, Expr, Instr, TransparentFunc, Var } from '../ir/types.ts';
import { forEachBlockResult, forEachInstr, forEachOperand, nestedBlocks } from '../ir/visit.ts';

/** The expression kinds that may move: pure, without blocks, touching no accumulator. */
const MOVABLE = new Set<Expr['kind']>(['lit', 'zero', 'vec', 'struct', 'index', 'member', 'prim', 'select']);

/** Return `f` with instructions sunk into the cond blocks that alone use them; `f` if none move. */
export function sinkIntoConds(f: TransparentFunc): TransparentFunc {
  let hasCond = false;
  forEachInstr(f.body, ({ expr }) => (hasCond ||= expr.kind === 'cond'));
  if (!hasCond) return f;
  const body = new Sinker(f.vars.length).block(f.body, f.ret);
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
  readonly readPos: number[] = [];
  readonly readSite: number[] = [];
  start = new Int32Array(64);
  sites = new Int32Array(64);
  /** The position of the instruction whose reads `noteRead` records. */
  reader = 0;
  /** Record a read of `v` by instruction `reader` (in block `b` of it when it is a cond). */
  readonly noteRead = (v: Var, b?: 0 | 1): void => {
    const k = this.pos[v]!;
    if (k >= 0) this.readPos.push(k), this.readSite.push(siteOf(this.reader, b));
  };

  constructor(nvars: number) {
    this.pos = new Int32Array(nvars).fill(-1);
    this.movedTo = new Int32Array(nvars).fill(-1);
  }

  /** Return `block` (yielding `ret`) with instructions sunk, recursively; itself if none moved. */
  block(block: Block, ret: Var): Block {
    const sunk = this.decide(block, ret);
    let changed = sunk !== undefined;
    const out: Instr[] = [];
    block.forEach((instr, k) => {
      if (this.movedTo[instr.var]! >= 0) {
        this.movedTo[instr.var] = -1; // it is an instruction of its new block from now on
        return;
      }
      const e = instr.expr;
      let next = e;
      if (e.kind === 'cond') {
        const then = this.block(withSunk(e.then, sunk?.get(siteOf(k, 0))), e.thenRet);
        const els = this.block(withSunk(e.els, sunk?.get(siteOf(k, 1))), e.elsRet);
        if (then !== e.then || els !== e.els) next = { ...e, then, els };
      } else if (e.kind === 'for') {
        const body = this.block(e.body, e.ret);
        if (body !== e.body) next = { ...e, body };
      }
      if (next !== e) changed = true;
      out.push(next === e ? instr : { var: instr.var, expr: next });
    });
    return changed ? out : block;
  }

  /**
   * Return the instructions of `block` that move, by destination site (last first; undefined
   * when none), recording each one's site in `movedTo`. Backwards, so an instruction's readers
   * have already been placed when it is decided: a read by a moved instruction counts at its site.
   */
  decide(block: Block, ret: Var): Map<Site, Instr[]> | undefined {
    const { pos, movedTo, readPos, readSite } = this;
    const n = block.length;
    for (let k = 0; k < n; k++) pos[block[k]!.var] = k;
    readPos.length = 0;
    readSite.length = 0;
    if (pos[ret]! >= 0) readPos.push(pos[ret]!), readSite.push(AFTER);
    for (let k = 0; k < n; k++) {
      this.reader = k;
      readsOf(block[k]!.expr, this.noteRead);
    }
    // group the reads by position: those of position k are sites[start[k] .. start[k + 1])
    if (this.start.length < n + 2) this.start = new Int32Array(2 * n + 2);
    if (this.sites.length < readPos.length) this.sites = new Int32Array(2 * readPos.length);
    const { start, sites } = this;
    start.fill(0, 0, n + 2);
    for (const k of readPos) start[k + 2]!++;
    for (let k = 0; k < n; k++) start[k + 2]! += start[k + 1]!;
    for (let r = 0; r < readPos.length; r++) sites[start[readPos[r]! + 1]!++] = readSite[r]!;
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

/**
 * Call `fn` on every variable `e` reads, at any depth, with the cond block (0 then, 1 else) the
 * read happens in when `e` is a cond (undefined for its condition and for other kinds).
 */
function readsOf(e: Expr, fn: (v: Var, b?: 0 | 1) => void): void {
  forEachOperand(e, (v) => fn(v));
  if (e.kind === 'cond') {
    fn(e.thenRet, 0);
    fn(e.elsRet, 1);
    forEachInstr(e.then, ({ expr }) => readsFlat(expr, (v) => fn(v, 0)));
    forEachInstr(e.els, ({ expr }) => readsFlat(expr, (v) => fn(v, 1)));
    return;
  }
  forEachBlockResult(e, (v) => fn(v));
  for (const inner of nestedBlocks(e)) forEachInstr(inner, ({ expr }) => readsFlat(expr, (v) => fn(v)));
}

/** Call `fn` on the variables `e` reads at its own level and as block results. */
function readsFlat(e: Expr, fn: (v: Var) => void): void {
  forEachOperand(e, fn);
  forEachBlockResult(e, fn);
}

