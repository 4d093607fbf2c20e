/**
 * @file Generic traversal helpers over expressions and blocks, so passes do not hand-copy every
 * expression kind to read or rename operands.
 *
 * "Operands" of an expression are the variables it reads at its own level. A `for` reads none
 * there: its `index` is defined by it, and its `body` and `ret` live in the body's scope, so
 * passes that care about scoping handle `for` themselves (and use `forEachInstr` for bodies).
 * A `cond` reads only its condition there; its blocks and their results are handled the same way.
 */
import { primExpr, type Block, type Expr, type Func, type Instr, type Var } from './types.ts';

/** Call `fn` on each variable `e` reads at its own level (none for `for`, see the file comment). */
export function forEachOperand(e: Expr, fn: (v: Var) => void): void {
  switch (e.kind) {
    case 'lit':
    case 'zero':
    case 'for':
      return;
    case 'vec':
      return each(e.elems, fn);
    case 'struct':
      return each(e.members, fn);
    case 'prim':
      fn(e.x);
      if (e.y >= 0) fn(e.y);
      return;
    case 'call':
      return each(e.args, fn);
    case 'index':
      fn(e.vec);
      fn(e.index);
      return;
    case 'member':
      fn(e.struct);
      return;
    case 'slice':
      fn(e.ref);
      fn(e.index);
      return;
    case 'field':
      fn(e.ref);
      return;
    case 'select':
      fn(e.cond);
      fn(e.then);
      fn(e.els);
      return;
    case 'cond':
      fn(e.cond);
      return;
    case 'accum':
      fn(e.shape);
      return;
    case 'add':
      fn(e.ref);
      fn(e.addend);
      return;
    case 'resolve':
      fn(e.ref);
      return;
  }
}

/** Call `fn` on each element of `vs` (an indexed loop: no iterator). */
function each(vs: readonly Var[], fn: (v: Var) => void): void {
  for (let k = 0; k < vs.length; k++) fn(vs[k]!);
}

/** Return the variables `e` reads at its own level, in order (empty for `for`). */
export function operands(e: Expr): Var[] {
  const out: Var[] = [];
  forEachOperand(e, (v) => out.push(v));
  return out;
}

/** Return `vs` mapped by `fn`, or `vs` itself when no element changed. */
function mapVars(vs: readonly Var[], fn: (v: Var) => Var): readonly Var[] {
  let out: Var[] | undefined;
  for (let i = 0; i < vs.length; i++) {
    const w = fn(vs[i]!);
    if (out === undefined && w !== vs[i]) out = vs.slice(0, i);
    out?.push(w);
  }
  return out ?? vs;
}

/**
 * Return `e` with each operand `v` replaced by `fn(v)`, or `e` itself when nothing changed. A
 * changed expression is built from its fields, never spread from `e`: `e` may be an instruction
 * that is its own expression (see `ownInstr`), whose `var` and `expr` a spread would copy.
 * For a `for`, `ret` is mapped and the body is replaced by `body(e.body)` when given (else kept);
 * for a `cond`, the condition and both results are mapped and both blocks replaced the same way.
 */
export function mapOperands(
  e: Expr,
  fn: (v: Var) => Var,
  body?: (b: Block) => Block,
): Expr {
  switch (e.kind) {
    case 'lit':
    case 'zero':
      return e;
    case 'vec': {
      const elems = mapVars(e.elems, fn);
      return elems === e.elems ? e : { ...e, elems };
    }
    case 'struct': {
      const members = mapVars(e.members, fn);
      return members === e.members ? e : { ...e, members };
    }
    case 'prim': {
      const x = fn(e.x);
      const y = e.y >= 0 ? fn(e.y) : -1;
      return x === e.x && y === e.y ? e : primExpr(e.prim, x, y);
    }
    case 'call': {
      const args = mapVars(e.args, fn);
      return args === e.args ? e : { kind: 'call', func: e.func, args };
    }
    case 'index': {
      const [vec, index] = [fn(e.vec), fn(e.index)];
      return vec === e.vec && index === e.index ? e : { kind: 'index', vec, index };
    }
    case 'member': {
      const struct = fn(e.struct);
      return struct === e.struct ? e : { kind: 'member', struct, member: e.member };
    }
    case 'slice': {
      const [ref, index] = [fn(e.ref), fn(e.index)];
      return ref === e.ref && index === e.index ? e : { kind: 'slice', ref, index };
    }
    case 'field': {
      const ref = fn(e.ref);
      return ref === e.ref ? e : { kind: 'field', ref, member: e.member };
    }
    case 'resolve': {
      const ref = fn(e.ref);
      return ref === e.ref ? e : { kind: 'resolve', ref };
    }
    case 'select': {
      const [cond, then, els] = [fn(e.cond), fn(e.then), fn(e.els)];
      return cond === e.cond && then === e.then && els === e.els ? e : { ...e, cond, then, els };
    }
    case 'accum': {
      const shape = fn(e.shape);
      return shape === e.shape ? e : { kind: 'accum', shape };
    }
    case 'add': {
      const [ref, addend] = [fn(e.ref), fn(e.addend)];
      return ref === e.ref && addend === e.addend ? e : { kind: 'add', ref, addend };
    }
    case 'for': {
      const newBody = body ? body(e.body) : e.body;
      const ret = fn(e.ret);
      return ret === e.ret && newBody === e.body ? e : { ...e, body: newBody, ret };
    }
    case 'cond': {
      const [then, els] = body ? [body(e.then), body(e.els)] : [e.then, e.els];
      const [cond, thenRet, elsRet] = [fn(e.cond), fn(e.thenRet), fn(e.elsRet)];
      const same =
        cond === e.cond && thenRet === e.thenRet && elsRet === e.elsRet && then === e.then && els === e.els;
      return same ? e : { ...e, cond, then, thenRet, els, elsRet };
    }
  }
}

/** Call `fn` on the block results `e` reads: a loop's element, a cond's two results, else none. */
export function forEachBlockResult(e: Expr, fn: (v: Var) => void): void {
  if (e.kind === 'for') fn(e.ret);
  else if (e.kind === 'cond') {
    fn(e.thenRet);
    fn(e.elsRet);
  }
}

/** Call `fn` on every variable `instr` reads, in its nested blocks too (inner ones included). */
export function forEachFreeVar(instr: Instr, fn: (v: Var) => void): void {
  forEachOperand(instr.expr, fn);
  forEachBlockResult(instr.expr, fn);
  for (const b of nestedBlocks(instr.expr)) for (const i of b) forEachFreeVar(i, fn);
}

/** Return the blocks nested directly in `e`: a loop's body, a cond's two blocks, else none. */
export function nestedBlocks(e: Expr): readonly Block[] {
  if (e.kind === 'for') return [e.body];
  if (e.kind === 'cond') return [e.then, e.els];
  return NO_BLOCKS;
}
const NO_BLOCKS: readonly Block[] = Object.freeze([]);

/**
 * Return `block` with every variable (defined and read, loop indices included) renamed by
 * `rename`, at every depth, without the instructions defining a var in `drop` (whose reads the
 * caller has renamed away).
 */
export function renameBlock(block: Block, rename: (v: Var) => Var, drop?: ReadonlySet<Var>): Instr[] {
  const out: Instr[] = [];
  for (const instr of block) if (!drop?.has(instr.var)) out.push(renameInstr(instr, rename, drop));
  return out;
}

/** Return `instr` renamed as `renameBlock` does (itself when no variable in it changes). */
export function renameInstr(instr: Instr, rename: (v: Var) => Var, drop?: ReadonlySet<Var>): Instr {
  const { var: v, expr } = instr;
  let e = mapOperands(expr, rename, (b) => renameBlock(b, rename, drop));
  if (e.kind === 'for') {
    const index = rename(e.index);
    if (index !== e.index) e = { ...e, index };
  }
  const w = rename(v);
  return w === v && e === expr ? instr : { var: w, expr: e };
}

/** Call `fn` on every instruction of `block` and its nested blocks, in program order. */
export function forEachInstr(
  block: Block,
  fn: (instr: Instr, depth: number) => void,
  depth = 0,
): void {
  for (const instr of block) {
    fn(instr, depth);
    const e = instr.expr;
    if (e.kind === 'for') forEachInstr(e.body, fn, depth + 1);
    else if (e.kind === 'cond') {
      forEachInstr(e.then, fn, depth + 1);
      forEachInstr(e.els, fn, depth + 1);
    }
  }
}

/** Return the functions `f` calls directly (in nested blocks too), in order, with repeats. */
export function directCallees(f: Func): Func[] {
  const out: Func[] = [];
  if (f.kind === 'transparent')
    forEachInstr(f.body, ({ expr: e }) => {
      if (e.kind === 'call') out.push(e.func);
    });
  return out;
}

/**
 * Return `root` and every function reachable from it through `deps`, each once, in post-order
 * (a function after its deps), without recursion (call chains can be long). The functions of
 * `after(g)` are visited right after `g` is emitted (custom JVPs, which usually call `g`).
 */
export function postOrder<F extends object = Func>(
  root: F,
  deps: (g: F) => readonly F[],
  after?: (g: F) => readonly F[],
): F[] {
  const order: F[] = [];
  const seen = new Set<F>();
  const stack: { g: F; succ: readonly F[]; i: number }[] = [];
  const push = (g: F) => {
    if (seen.has(g)) return;
    seen.add(g);
    stack.push({ g, succ: deps(g), i: 0 });
  };
  push(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i < top.succ.length) {
      push(top.succ[top.i++]!);
      continue;
    }
    stack.pop();
    order.push(top.g);
    const more = after?.(top.g) ?? [];
    for (let k = more.length - 1; k >= 0; k--) push(more[k]!);
  }
  return order;
}
