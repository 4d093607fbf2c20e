/**
 * @file A test helper that puts `cond`s into any program: `withConds` wraps instructions of every
 * function (in loops and blocks too) into conds whose blocks recompute them, or yield a value
 * from outside, nested up to three deep, with conditions on values of the program (so both
 * blocks run across inputs). The result is valid IR but computes something else: tests compare
 * it compiled against interpreted. Generated programs and their gradients (adds into outer
 * accumulators, calls with accumulators) then stress every pass of the compiler with conds.
 */
import { forEachInstr, renameInstr } from '../../../engine/ir/visit.ts';
import { rng } from './math-ref.ts';
import {
  BOOL,
  REAL,
  typeTable,
  varTypeList,
  type Block,
  type Expr,
  type Func,
  type Instr,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../../../engine/ir/types.ts';

/**
 * Expression kinds that may move into a block (not ref-valued, no resolve of an outer
 * accumulator); loops and conds are copied with their own variables renamed in the else-block.
 */
const WRAPPABLE = new Set<Expr['kind']>(['prim', 'select', 'index', 'member', 'vec', 'struct', 'call', 'add', 'lit', 'zero', 'for', 'cond']);

/** Return `f` with instructions wrapped into conds (see the file comment); callees too, each once. */
export function withConds(f: Func, seed: number, rate = 0.4, memo = new Map<Func, Func>()): Func {
  if (f.kind !== 'transparent') return f;
  const known = memo.get(f);
  if (known !== undefined) return known;
  const rand = rng(seed + memo.size * 7919);
  const vars: Ty[] = [...varTypeList(f)];
  const fresh = (t: Ty): Var => vars.push(t) - 1;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

  const wrap = (v: Var, e: Expr, reals: readonly Var[], depth: number): Instr[] => {
    const t = vars[v]!;
    const pre: Instr[] = [];
    const c = fresh(BOOL);
    if (reals.length > 0 && rand() < 0.85) {
      const k = fresh(REAL);
      pre.push({ var: k, expr: { kind: 'lit', value: pick([0, 0.5, -1, 1.5]) } });
      pre.push({ var: c, expr: { kind: 'prim', prim: 'lt', x: pick(reals), y: k } });
    } else pre.push({ var: c, expr: { kind: 'lit', value: rand() < 0.5 } });
    let copies = 0;
    const arm = (): { block: Instr[]; ret: Var } => {
      const w = fresh(t);
      const expr = copies++ === 0 ? e : copy(e);
      const block = depth < 2 && rand() < 0.3 ? wrap(w, expr, reals, depth + 1) : [{ var: w, expr }];
      return { block, ret: w };
    };
    const then = arm();
    const outside = t === REAL && reals.length > 0 && rand() < 0.3;
    const els = outside ? { block: [], ret: pick(reals) } : arm();
    const expr: Expr = { kind: 'cond', cond: c, then: then.block, thenRet: then.ret, els: els.block, elsRet: els.ret };
    return [...pre, { var: v, expr }];
  };

  // a loop or cond with the variables it defines renamed to new ones (SSA: each defined once)
  const copy = (e: Expr): Expr => {
    if (e.kind !== 'for' && e.kind !== 'cond') return e;
    const map = new Map<Var, Var>();
    const define = (x: Var) => map.set(x, fresh(vars[x]!));
    if (e.kind === 'for') define(e.index);
    for (const b of e.kind === 'for' ? [e.body] : [e.then, e.els])
      forEachInstr(b, ({ var: x, expr: inner }) => {
        define(x);
        if (inner.kind === 'for') define(inner.index);
      });
    const rename = (x: Var) => map.get(x) ?? x;
    return renameInstr({ var: -1, expr: e }, rename).expr;
  };

  const block = (instrs: Block, scope: readonly Var[], depth: number): Instr[] => {
    const out: Instr[] = [];
    const reals = [...scope];
    for (const { var: v, expr } of instrs) {
      let e = expr;
      if (e.kind === 'call') e = { ...e, func: withConds(e.func, seed, rate, memo) };
      else if (e.kind === 'for') e = { ...e, body: block(e.body, reals, depth) };
      else if (e.kind === 'cond') e = { ...e, then: block(e.then, reals, depth + 1), els: block(e.els, reals, depth + 1) };
      if (WRAPPABLE.has(e.kind) && depth < 3 && rand() < rate) out.push(...wrap(v, e, reals, depth));
      else out.push({ var: v, expr: e });
      if (vars[v] === REAL || vars[v]!.kind === 'real') reals.push(v);
    }
    return out;
  };

  const params = f.params.filter((p) => varTypeList(f)[p]!.kind === 'real');
  const body = block(f.body, params, 0);
  const g: TransparentFunc = { ...f, ...typeTable(vars), body };
  memo.set(f, g);
  return g;
}
