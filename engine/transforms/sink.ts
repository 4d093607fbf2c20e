/**
 * @file Sinking into cond blocks: a pure instruction whose every use lies in one block of one
 * `cond` moves into that block, so it runs only when that block does. Applied to the linear part
 * of a function before it is transposed: a tangent computed before a `cond` but used only inside
 * one of its blocks (the tangent of a distance tested outside and used inside) then has its
 * transpose inside the block too, and the backward pass does no work for pairs that are not
 * taken. Same operations in the same order on every path that uses them: results are unchanged,
 * bit for bit.
 *
 * One backward walk per block: each instruction's uses are counted per *site*, the instruction
 * of the block that reads it, or the then/else block of a cond there; an instruction used at a
 * single cond-block site moves to the start of that block (in order), and its operands' uses
 * move with it. Then each nested block, with what moved into it, is sunk the same way.
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
  const body = sinkBlock(f.body, new Set([f.ret]));
  return body === f.body ? f : { ...f, body };
}

/** A use site: instruction k of the block (`3k`), or the then (`3k + 1`) or else block (`3k + 2`) of its cond. */
type Site = number;
/** The site of a read after the block (its result): nothing it reads may move. */
const AFTER = -1;

/** Return the site of a read by instruction `k`: itself, or block `b` (0 then, 1 else) of its cond. */
function siteOf(k: number, b?: 0 | 1): Site {
  return b === undefined ? 3 * k : 3 * k + 1 + b;
}

/** Return `block` with instructions sunk (recursively); `block` itself when nothing moved. */
function sinkBlock(block: Block, usedAfter: ReadonlySet<Var>): Block {
  const n = block.length;
  // for each var of this block: how often each site reads it
  const sites = new Map<Var, Map<Site, number>>();
  for (const instr of block) sites.set(instr.var, new Map());
  const note = (v: Var, s: Site, by: number) => {
    const m = sites.get(v);
    if (m === undefined) return;
    const c = (m.get(s) ?? 0) + by;
    if (c === 0) m.delete(s);
    else m.set(s, c);
  };
  for (const v of usedAfter) note(v, AFTER, 1);
  block.forEach(({ expr }, k) => readsOf(expr, (v, b) => note(v, siteOf(k, b), 1)));
  const sunk = new Map<Site, Instr[]>();
  const moved = new Uint8Array(n);
  for (let k = n - 1; k >= 0; k--) {
    const instr = block[k]!;
    const only = onlySite(sites.get(instr.var)!);
    if (only === undefined || only === AFTER || only % 3 === 0 || !MOVABLE.has(instr.expr.kind)) continue;
    moved[k] = 1;
    let into = sunk.get(only);
    if (into === undefined) sunk.set(only, (into = []));
    into.push(instr);
    // its operands are now read where it went
    forEachOperand(instr.expr, (w) => {
      note(w, siteOf(k), -1);
      note(w, only, 1);
    });
  }
  let changed = sunk.size > 0;
  const out: Instr[] = [];
  block.forEach((instr, k) => {
    if (moved[k]) return;
    const e = instr.expr;
    let next = e;
    if (e.kind === 'cond') {
      const then = sinkBlock(withSunk(e.then, sunk.get(siteOf(k, 0))), new Set([e.thenRet]));
      const els = sinkBlock(withSunk(e.els, sunk.get(siteOf(k, 1))), new Set([e.elsRet]));
      if (then !== e.then || els !== e.els) next = { ...e, then, els };
    } else if (e.kind === 'for') {
      const body = sinkBlock(e.body, new Set([e.ret]));
      if (body !== e.body) next = { ...e, body };
    }
    if (next !== e) changed = true;
    out.push(next === e ? instr : { var: instr.var, expr: next });
  });
  return changed ? out : block;
}

/** Return the one site in `m` (none when `m` has several, or none at all). */
function onlySite(m: ReadonlyMap<Site, number>): Site | undefined {
  if (m.size !== 1) return undefined;
  for (const s of m.keys()) return s;
  return undefined;
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

