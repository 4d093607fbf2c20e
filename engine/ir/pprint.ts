/**
 * @file Pretty printer for IR: one instruction per line, nested blocks indented, in the style of
 * the Rose paper and JAX jaxprs. Output is stable: functions are named `name_k` with `k` a
 * per-print counter (callees first), and variables are renumbered in order of appearance, so two
 * identical functions built separately print the same text.
 *
 * ```
 * fn sq_1(x0: real) -> real {
 *   x1: real = mul x0 x0
 *   return x1
 * }
 * ```
 * Expression syntax: `1.5` literal, `zero`, `[x1, x2]` vec, `{du: x1, re: x2}` struct, `x1[x2]`
 * index, `x1.re` member, `&x1[x2]` slice, `&x1.re` field, `mul x1 x2` prim,
 * `x1 ? x2 : x3` select, `g_1(x1, x2)` call, `for i3: fin<4> { ... yield x5 }`, `accum x1`,
 * `x1 += x2` add, `resolve x1`.
 */
import {
  varTy,
  type Block,
  type Expr,
  type Func,
  type Instr,
  type TransparentFunc,
  type Ty,
  type Var,
} from './types.ts';
import { directCallees, postOrder } from './visit.ts';

/** Return the compact text of a type: `real`, `fin<3>`, `vec<3, real>`, `{du: tan, re: real}`. */
export function formatType(t: Ty | undefined): string {
  if (t === undefined || t === null || typeof t !== 'object') return '?';
  switch (t.kind) {
    case 'unit':
    case 'bool':
    case 'real':
    case 'tan':
      return t.kind;
    case 'fin':
      return `fin<${t.size}>`;
    case 'vec':
      return `vec<${t.size}, ${formatType(t.elem)}>`;
    case 'ref':
      return `ref<${formatType(t.inner)}>`;
    case 'struct': {
      const n = Math.max(t.keys?.length ?? 0, t.members?.length ?? 0);
      const parts: string[] = [];
      for (let k = 0; k < n; k++)
        parts.push(`${t.keys?.[k] ?? '?'}: ${formatType(t.members?.[k])}`);
      return `{${parts.join(', ')}}`;
    }
  }
  return '?';
}

/** Return the text of a literal value: `()` for unit, `true`, `-0`, `NaN`, `1.5`. */
export function formatLit(value: null | boolean | number): string {
  if (value === null) return '()';
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return String(value);
}

/** How a printer names variables and functions. */
interface Names {
  /** Name of variable `v`; `index` is true for a loop index (printed `i<n>`). */
  v(v: Var, index?: boolean): string;
  /** Name of function `g`. */
  f(g: Func): string;
}

/** Return the key of member `k` of the struct type `t`, or `#k` when `t` has none. */
function keyOf(t: Ty | undefined, k: number): string {
  return t?.kind === 'struct' && t.keys?.[k] !== undefined ? t.keys[k]! : `#${k}`;
}

/** Return the one-line text of an expression (blocks elided) defining a variable of type `t`. */
function formatExpr(f: TransparentFunc, e: Expr, t: Ty | undefined, n: Names): string {
  const v = (x: Var) => n.v(x);
  switch (e.kind) {
    case 'lit':
      return formatLit(e.value);
    case 'zero':
      return 'zero';
    case 'vec':
      return `[${e.elems.map(v).join(', ')}]`;
    case 'struct':
      return `{${e.members.map((m, k) => `${keyOf(t, k)}: ${v(m)}`).join(', ')}}`;
    case 'index':
      return `${v(e.vec)}[${v(e.index)}]`;
    case 'member':
      return `${v(e.struct)}.${keyOf(varTy(f, e.struct), e.member)}`;
    case 'slice':
      return `&${v(e.ref)}[${v(e.index)}]`;
    case 'field': {
      const r = varTy(f, e.ref);
      return `&${v(e.ref)}.${keyOf(r?.kind === 'ref' ? r.inner : undefined, e.member)}`;
    }
    case 'prim':
      return e.y < 0 ? `${e.prim} ${v(e.x)}` : `${e.prim} ${v(e.x)} ${v(e.y)}`;
    case 'select':
      return `${v(e.cond)} ? ${v(e.then)} : ${v(e.els)}`;
    case 'call':
      return `${n.f(e.func)}(${e.args.map(v).join(', ')})`;
    case 'accum':
      return `accum ${v(e.shape)}`;
    case 'add':
      return `${v(e.ref)} += ${v(e.addend)}`;
    case 'resolve':
      return `resolve ${v(e.ref)}`;
    case 'for':
      return `for ${n.v(e.index, true)}: ${formatType(varTy(f, e.index))} {...} yield ${v(e.ret)}`;
    case 'cond':
      return `if ${v(e.cond)} {...} yield ${v(e.thenRet)} else {...} yield ${v(e.elsRet)}`;
  }
}

/** Append the lines of `block` (indented by `depth`) to `out`. */
function printBlock(
  f: TransparentFunc,
  block: Block,
  depth: number,
  n: Names,
  out: string[],
): void {
  const pad = '  '.repeat(depth);
  for (const instr of block) {
    const { expr: e } = instr;
    const lhs = `${pad}${n.v(instr.var)}: ${formatType(varTy(f, instr.var))} = `;
    if (e.kind === 'for') {
      out.push(`${lhs}for ${n.v(e.index, true)}: ${formatType(varTy(f, e.index))} {`);
      printBlock(f, e.body, depth + 1, n, out);
      out.push(`${pad}  yield ${n.v(e.ret)}`, `${pad}}`);
    } else if (e.kind === 'cond') {
      out.push(`${lhs}if ${n.v(e.cond)} {`);
      printBlock(f, e.then, depth + 1, n, out);
      out.push(`${pad}  yield ${n.v(e.thenRet)}`, `${pad}} else {`);
      printBlock(f, e.els, depth + 1, n, out);
      out.push(`${pad}  yield ${n.v(e.elsRet)}`, `${pad}}`);
    } else out.push(lhs + formatExpr(f, e, varTy(f, instr.var), n));
  }
}

/** Return names that renumber variables in order of first appearance (`x0`, `x1`, `i2`, ...). */
function renumbering(funcName: (g: Func) => string): Names {
  const seen = new Map<Var, string>();
  return {
    v(v, index) {
      let s = seen.get(v);
      if (s === undefined) seen.set(v, (s = `${index ? 'i' : 'x'}${seen.size}`));
      return s;
    },
    f: funcName,
  };
}

/** Return the header `name(x0: real, ...) -> real` (numbering the params first). */
function header(g: TransparentFunc, n: Names): string {
  const params = g.params.map((p) => `${n.v(p)}: ${formatType(varTy(g, p))}`);
  const jvp = g.customJvp ? ` custom jvp: ${n.f(g.customJvp)}` : '';
  return `${n.f(g)}(${params.join(', ')}) -> ${formatType(g.retType)}${jvp}`;
}

/** Return the text of one function, given the names of all functions in the print. */
function printFunc(g: Func, funcName: (g: Func) => string): string {
  const n = renumbering(funcName);
  if (g.kind === 'opaque') {
    const params = g.paramTypes.map((t, k) => `${n.v(-1 - k)}: ${formatType(t)}`);
    const jvp = g.customJvp ? ` custom jvp: ${funcName(g.customJvp)}` : '';
    return `opaque fn ${funcName(g)}(${params.join(', ')}) -> ${formatType(g.retType)}${jvp}\n`;
  }
  const out = [`fn ${header(g, n)} {`];
  printBlock(g, g.body, 1, n, out);
  out.push(`  return ${n.v(g.ret)}`, '}');
  return out.join('\n') + '\n';
}

/** Return `f` and every function it reaches (calls, custom JVPs), callees before callers. */
export function reachableFuncs(f: Func): Func[] {
  // A custom JVP usually calls its function, so it comes right after it.
  return postOrder(f, directCallees, (g) => (g.customJvp ? [g.customJvp] : []));
}

/** Return stable, readable text of `f` and every function it calls (callees first, each once). */
export function pprint(f: Func): string {
  const order = reachableFuncs(f);
  const names = new Map<Func, string>();
  order.forEach((g, k) => names.set(g, `${g.name || 'fn'}_${k + 1}`));
  const funcName = (g: Func) => names.get(g) ?? `${g.name}?`;
  return order.map((g) => printFunc(g, funcName)).join('');
}

/** Return one line describing `instr` of `f` with raw variable ids (`x12`), for error messages. */
export function formatInstr(f: TransparentFunc, instr: Instr): string {
  const n: Names = { v: (v, index) => `${index ? 'i' : 'x'}${v}`, f: (g) => g.name };
  const t = varTy(f, instr.var);
  return `${n.v(instr.var)}: ${formatType(t)} = ${formatExpr(f, instr.expr, t, n)}`;
}
