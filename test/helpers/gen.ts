/**
 * @file Random well-typed IR programs for property tests of the derivative passes.
 *
 * fast-check generates a `ProgramSpec`: plain data made of small naturals. `buildProgram` reads it
 * with `FuncBuilder`, taking each choice modulo what is in scope, so every spec builds a
 * well-typed program and shrinking (numbers towards 0, arrays towards empty) yields simpler
 * programs. A program is a call DAG of 1-3 functions (the last one is the root); each function
 * is a random expression graph over every real primitive (with domain-safe wrappers such as
 * `log(x*x + 1)`), comparisons and logic feeding `select`, struct and vec literals with
 * `member`/`index` (literal, parameter and loop indices, `iadd`/`imod`), `for` comprehensions,
 * sums and scatters through `accum`/`add`/`slice`/`field`/`resolve` (nested up to two loops
 * deep), `argmax`/`argmin` reductions, calls of earlier functions, and (option `cond`) conds.
 *
 * Every value a function computes flows into its result (unused values are folded in with
 * distinct weights), so a wrong derivative anywhere shows up in the output.
 */
import fc from 'fast-check';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import type { Prim } from '../../engine/ir/prims.ts';
import {
  BOOL,
  REAL,
  finTy,
  structTy,
  tyEqual,
  vecTy,
  type Block,
  type TransparentFunc,
  type Ty,
  type Var,
} from '../../engine/ir/types.ts';

/** Parameter kinds: floats, a struct, and the non-differentiable bool and index. */
export type ParamKind = 'real' | 'vec2' | 'vec3' | 'pair' | 'mixed' | 'bool' | 'fin3';
/** Result kinds: a real, a vec of reals, the `pair` struct, or the `mixed` struct. */
export type OutKind = 'real' | 'vec' | 'pair' | 'mixed';

/** One generated operation: `op` picks the kind, `p` its operands and variants, `body` a loop body. */
export interface Step {
  readonly op: number;
  readonly p: readonly number[];
  readonly body: readonly Step[];
}
/** One function: its parameter kinds, its operations in order, and its result kind. */
export interface FuncSpec {
  readonly params: readonly ParamKind[];
  readonly steps: readonly Step[];
  readonly out: OutKind;
}
/** A program: functions in call order; each may call the ones before it; the last is the root. */
export interface ProgramSpec {
  readonly funcs: readonly FuncSpec[];
  /** Emit `cond`s too (see `ProgramOptions.cond`); off: the programs of before conds existed. */
  readonly cond?: boolean;
}

const VEC2 = vecTy(2, REAL);
const VEC3 = vecTy(3, REAL);
const FIN3 = finTy(3);
/** The struct parameter type `{a: real, b: vec(2, real)}`. */
export const PAIR = structTy(['a', 'b'], [REAL, VEC2]);
/** A struct with non-float leaves: `{a: real, k: fin(3), p: bool}`. */
export const MIXED = structTy(['a', 'k', 'p'], [REAL, FIN3, BOOL]);

/** Return the IR type of a parameter kind. */
export function paramType(k: ParamKind): Ty {
  return { real: REAL, vec2: VEC2, vec3: VEC3, pair: PAIR, mixed: MIXED, bool: BOOL, fin3: FIN3 }[k];
}

/** Operation kinds; repeats weight the choice, and index 0 is what shrinking reaches. */
const OPS = [
  'unary', 'binary', 'unary', 'binary', 'unary', 'binary', 'literal', 'compare', 'select',
  'select', 'vecLit', 'structLit', 'project', 'project', 'indexVar', 'indexArith', 'map', 'map',
  'sum', 'sum', 'scatter', 'argmax', 'call', 'call', 'call', 'addOuter', 'zero',
] as const;
/** With `cond` on (see `ProgramOptions.cond`): the same operations and conds, weighted like loops. */
const OPS_COND = [...OPS, 'cond', 'cond', 'cond'] as const;
type OpName = (typeof OPS_COND)[number];

/** Unary wrappers, each keeping its primitive smooth and finite on all of R (see `unary`). */
const UNARY = [
  'sin', 'neg', 'cos', 'tanh', 'exp', 'log', 'sqrt', 'atan', 'tan', 'asin', 'acos', 'sinh',
  'cosh', 'log1p', 'expm1', 'cbrt', 'abs', 'sign', 'ceil', 'floor', 'trunc',
] as const satisfies readonly Prim[];
const BINARY = [
  'add', 'sub', 'mul', 'div', 'atan2', 'pow', 'powInt', 'hypot', 'min', 'max',
] as const;
const COMPARE = ['lt', 'leq', 'gt', 'geq', 'eq', 'neq'] as const satisfies readonly Prim[];
const LOGIC = ['not', 'and', 'or', 'iff', 'xor'] as const satisfies readonly Prim[];
const INDEX_COMPARE = ['ieq', 'ineq', 'ilt', 'ileq', 'igt', 'igeq'] as const satisfies readonly Prim[];
/** Loop sizes when no vector decides: empty and one-element loops too. */
const LOOP_SIZES = [2, 3, 1, 2, 0];
const LITERALS = [0.5, -1.25, 2, 0.3, -0.7, 1.5];
/** Weights for folding unused values into a result, distinct so that swapped routes show. */
const WEIGHTS = [1, 0.75, -1.5, 0.625, 1.25, -0.875, 0.5, 1.125];

interface Slot {
  readonly v: Var;
  readonly t: Ty;
  used: boolean;
}

/** A block being built: its values, and the accumulator of the sum loop it is the body of. */
class Scope {
  readonly slots: Slot[] = [];
  constructor(
    readonly parent: Scope | undefined,
    readonly acc?: Var,
  ) {}
}

const isReal = (t: Ty) => t.kind === 'real';
const isRealVec = (t: Ty) => t.kind === 'vec' && t.elem.kind === 'real';
const isAggregate = (t: Ty) => t.kind === 'vec' || t.kind === 'struct';
const isFloaty = (t: Ty): boolean =>
  t.kind === 'real' ||
  (t.kind === 'vec' && t.size > 0 && isFloaty(t.elem)) ||
  (t.kind === 'struct' && t.members.some(isFloaty));

/** Builds one function from its spec. */
class FuncGen {
  readonly b: FuncBuilder;
  scope = new Scope(undefined);
  #seq = 0;

  constructor(
    name: string,
    readonly callees: readonly TransparentFunc[],
    readonly ops: readonly OpName[] = OPS,
  ) {
    this.b = new FuncBuilder(name);
  }

  /** Return the function built from `spec`. */
  build(spec: FuncSpec): TransparentFunc {
    for (const k of spec.params) this.put(this.b.param(paramType(k)));
    for (const s of spec.steps) this.step(s);
    const total = this.finishScope();
    const p = this.#seq++;
    switch (spec.out) {
      case 'real':
        return this.b.finish(total);
      case 'vec':
        return this.b.finish(this.b.vec([total, this.real(p), this.real(p + 1)], VEC3));
      case 'pair':
        return this.b.finish(this.b.struct([total, this.value(VEC2, p)], PAIR));
      case 'mixed':
        return this.b.finish(this.b.struct([total, this.value(FIN3, p), this.value(BOOL, p)], MIXED));
    }
  }

  put(v: Var): Var {
    this.scope.slots.push({ v, t: this.b.typeOf(v), used: false });
    return v;
  }

  /** Return the slots visible here satisfying `pred`, most recent first. */
  visible(pred: (t: Ty) => boolean): Slot[] {
    const out: Slot[] = [];
    for (let s: Scope | undefined = this.scope; s; s = s.parent)
      for (let k = s.slots.length - 1; k >= 0; k--) if (pred(s.slots[k]!.t)) out.push(s.slots[k]!);
    return out;
  }

  /** Take (mark used) the `p`-th most recent visible value satisfying `pred`. */
  take(pred: (t: Ty) => boolean, p: number): Var | undefined {
    const c = this.visible(pred);
    if (c.length === 0) return undefined;
    const slot = c[p % c.length]!;
    slot.used = true;
    return slot.v;
  }

  /** Return a real: a visible one, else an element of a visible aggregate, else a literal. */
  real(p: number): Var {
    const r = this.take(isReal, p);
    if (r !== undefined) return r;
    const agg = this.take(isFloaty, p);
    if (agg !== undefined) return this.collapse(agg, this.b.typeOf(agg), p);
    return this.b.real(LITERALS[p % LITERALS.length]!);
  }

  /** Return a value of type `t`: a visible one, else a freshly built one. */
  value(t: Ty, p: number): Var {
    const have = this.take((u) => tyEqual(u, t), p);
    if (have !== undefined) return have;
    switch (t.kind) {
      case 'real':
        return this.real(p);
      case 'bool':
        return this.b.prim(COMPARE[p % COMPARE.length]!, [this.real(p), this.real(p + 1)]);
      case 'fin':
        return this.b.lit(p % Math.max(t.size, 1), t);
      case 'vec':
        return this.b.vec(Array.from({ length: t.size }, (_, k) => this.value(t.elem, p + k)), t);
      case 'struct':
        return this.b.struct(t.members.map((m, k) => this.value(m, p + k)), t);
      default:
        throw new Error(`gen: cannot make a value of type ${t.kind}`);
    }
  }

  /** Emit a weighted sum of every float leaf of `v` (an element of a vec, the members of a struct). */
  collapse(v: Var, t: Ty, p: number): Var {
    const b = this.b;
    if (t.kind === 'real') return v;
    const parts: Var[] = [];
    if (t.kind === 'vec')
      for (let k = 0; k < t.size; k++)
        if (isFloaty(t.elem)) parts.push(this.collapse(b.index(v, b.lit(k, finTy(t.size))), t.elem, p + k));
    if (t.kind === 'struct')
      t.members.forEach((m, k) => {
        if (isFloaty(m)) parts.push(this.collapse(b.member(v, k), m, p + k));
      });
    return this.weightedSum(parts, p);
  }

  weightedSum(parts: readonly Var[], p: number): Var {
    const b = this.b;
    let total: Var | undefined;
    parts.forEach((x, k) => {
      const w = WEIGHTS[(p + k) % WEIGHTS.length]!;
      const term = k === 0 ? x : b.prim('mul', [x, b.real(w)]);
      total = total === undefined ? term : b.prim('add', [total, term]);
    });
    return total ?? b.real(0.25);
  }

  /** Fold the unused float values of the current scope into one real (the block's result). */
  finishScope(): Var {
    const parts: Var[] = [];
    for (const s of this.scope.slots)
      if (!s.used && isFloaty(s.t)) {
        s.used = true;
        parts.push(this.collapse(s.v, s.t, parts.length));
      }
    return parts.length > 0 ? this.weightedSum(parts, 0) : this.real(0);
  }

  step(s: Step): void {
    const [p0 = 0, p1 = 0, p2 = 0, p3 = 0] = s.p;
    const op: OpName = this.ops[s.op % this.ops.length]!;
    this.#seq++;
    OP_IMPL[op](this, [p0, p1, p2, p3], s.body);
  }

  /** Emit a `for` over `fin(n)` whose body runs `steps` in a new scope; `finish` makes the element. */
  loop(n: number, steps: readonly Step[], p: number, acc: Var | undefined, finish: (i: Var) => Var): Var {
    return this.b.forLoop(n, (i) => {
      const outer = this.scope;
      this.scope = new Scope(outer, acc);
      try {
        this.put(i);
        const v = this.take((t) => t.kind === 'vec' && t.size === n, p);
        if (v !== undefined) this.put(this.b.index(v, i));
        for (const s of steps) this.step(s);
        return finish(i);
      } finally {
        this.scope = outer;
      }
    });
  }

  /**
   * Build a cond block: `steps` in a new scope (whose `addOuter` may add into `acc`), then
   * `finish()` gives its result.
   */
  block(steps: readonly Step[], finish: () => Var, acc?: Var): { block: Block; ret: Var } {
    const outer = this.scope;
    this.scope = new Scope(outer, acc);
    this.b.beginBlock();
    let ret: Var;
    try {
      for (const s of steps) this.step(s);
      ret = finish();
    } finally {
      this.scope = outer;
    }
    return { block: this.b.endBlock(), ret };
  }

  /** Return a loop size: mostly the size of a visible vec of reals, else 2, 3, 1 or 0. */
  loopSize(p: number): number {
    const vs = this.visible(isRealVec);
    const t = vs.length > 0 && p % 5 !== 4 ? vs[p % vs.length]!.t : undefined;
    return t?.kind === 'vec' ? t.size : LOOP_SIZES[p % LOOP_SIZES.length]!;
  }
}

type OpImpl = (g: FuncGen, p: readonly [number, number, number, number], body: readonly Step[]) => void;

const OP_IMPL: { [K in OpName]: OpImpl } = {
  unary: (g, [a, x]) => void g.put(unary(g.b, UNARY[a % UNARY.length]!, g.real(x), a)),
  binary: (g, [a, x, y]) => void g.put(binary(g.b, BINARY[a % BINARY.length]!, g.real(x), g.real(y + 1), a)),
  literal: (g, [a]) => void g.put(g.b.real(LITERALS[a % LITERALS.length]!)),
  compare: (g, [a, x, y]) => {
    const bools = g.visible((t) => t.kind === 'bool');
    if (bools.length > 0 && a % 3 !== 0) {
      const prim = LOGIC[(a >> 1) % LOGIC.length]!;
      const args = prim === 'not' ? [g.value(BOOL, x)] : [g.value(BOOL, x), g.value(BOOL, y + 1)];
      g.put(g.b.prim(prim, args));
    } else g.put(g.b.prim(COMPARE[(a >> 1) % COMPARE.length]!, [g.real(x), g.real(y + 1)]));
  },
  select: (g, [a, c, x, y]) => {
    const cond = g.value(BOOL, c);
    const then = a % 3 === 0 ? g.take(isAggregate, x) ?? g.real(x) : g.real(x);
    const t = g.b.typeOf(then);
    g.put(g.b.select(cond, then, g.value(t, y + 1)));
  },
  vecLit: (g, [a, x, y, z]) => {
    const k = 2 + (a % 2);
    const elems = [x, y + 1, z + 2].slice(0, k).map((q) => g.real(q));
    g.put(g.b.vec(elems, k === 2 ? VEC2 : VEC3));
  },
  structLit: (g, [, x, y]) => void g.put(g.b.struct([g.real(x), g.value(VEC2, y)], PAIR)),
  project: (g, [a, x]) => {
    const agg = g.take(isAggregate, x);
    if (agg === undefined) return void g.put(g.b.real(LITERALS[a % LITERALS.length]!));
    const t = g.b.typeOf(agg);
    if (t.kind === 'vec' && t.size > 0) g.put(g.b.index(agg, g.b.lit(a % t.size, finTy(t.size))));
    else if (t.kind === 'struct') g.put(g.b.member(agg, a % t.members.length));
  },
  indexVar: (g, [, i, v]) => {
    const idx = g.take((t) => t.kind === 'fin' && t.size > 0, i);
    if (idx === undefined) return void g.put(g.real(v));
    const n = (g.b.typeOf(idx) as { size: number }).size;
    const vec = g.take((t) => t.kind === 'vec' && t.size === n, v) ?? g.value(vecTy(n, REAL), v);
    g.put(g.b.index(vec, idx));
  },
  indexArith: (g, [a, i, c]) => {
    const b = g.b;
    const idx = g.take((t) => t.kind === 'fin' && t.size > 0, i) ?? b.lit(c % 3, FIN3);
    const n = (b.typeOf(idx) as { size: number }).size;
    switch (a % 4) {
      case 0: // (i + 1) mod n
        return void g.put(b.prim('imod', [b.prim('iadd', [idx, b.lit(1 % n, finTy(n))])], finTy(n)));
      case 1: // i mod m into another index type
        return void g.put(b.prim('imod', [idx], finTy(2 + (c % 2))));
      case 2:
        return void g.put(b.prim(INDEX_COMPARE[c % INDEX_COMPARE.length]!, [idx, b.lit(c % n, finTy(n))]));
      default:
        return void g.put(b.prim('iadd', [idx, b.lit(0, finTy(n))]));
    }
  },
  map: (g, [a, n, x], body) => {
    const size = g.loopSize(n);
    const v = g.loop(size, body, x, undefined, () => {
      const r = g.finishScope();
      if (a % 3 === 1) return g.b.vec([r, g.real(x + 1)], VEC2); // a matrix
      return a % 3 === 2 ? g.b.struct([r, g.b.vec([r, g.real(x + 1)], VEC2)], PAIR) : r;
    });
    g.put(v);
  },
  sum: (g, [a, n, x], body) => {
    const b = g.b;
    const acc = b.accum(a % 2 === 0 ? b.real(0) : b.zero(REAL));
    g.loop(g.loopSize(n), body, x, acc, () => b.add(acc, g.finishScope()));
    g.put(b.resolve(acc));
  },
  scatter: (g, [a, n, x, c], body) => {
    const b = g.b;
    if (a % 2 === 0) {
      const size = g.loopSize(n);
      const acc = b.accum(g.value(vecTy(size, REAL), c));
      g.loop(size, body, x, undefined, (i) => {
        const j = a % 4 === 0 || size < 2 ? i : b.prim('imod', [b.prim('iadd', [i, b.lit(1 % size, finTy(size))])], finTy(size));
        return b.add(b.slice(acc, j), g.finishScope());
      });
      g.put(b.resolve(acc));
    } else {
      const acc = b.accum(g.value(PAIR, c));
      g.loop(2, body, x, undefined, (i) => {
        const r = g.finishScope();
        b.add(b.field(acc, 0), r);
        return b.add(b.slice(b.field(acc, 1), i), b.prim('mul', [r, r]));
      });
      g.put(b.resolve(acc));
    }
  },
  argmax: (g, [a, v]) => {
    const vec = g.take((t) => isRealVec(t) && (t as { size: number }).size > 0, v) ?? g.value(VEC3, v);
    const k = g.b.prim(a % 2 === 0 ? 'argmax' : 'argmin', [vec]);
    g.put(k);
    g.put(g.b.index(vec, k));
  },
  call: (g, [a, x]) => {
    if (g.callees.length === 0) return void g.put(unary(g.b, 'sin', g.real(x), 0));
    const callee = g.callees[a % g.callees.length]!;
    g.put(g.b.call(callee, callee.paramTypes.map((t, k) => g.value(t, x + k))));
  },
  addOuter: (g, [a, x]) => {
    const accs: Var[] = [];
    for (let s: Scope | undefined = g.scope; s; s = s.parent) if (s.acc !== undefined) accs.push(s.acc);
    if (accs.length === 0) return void g.put(unary(g.b, 'cos', g.real(x), 0));
    g.b.add(accs[a % accs.length]!, g.real(x));
  },
  zero: (g, [a]) => void g.put(a % 2 === 0 ? g.b.zero(REAL) : g.b.zero(PAIR)),
  cond: (g, [a, c, x, y], body) => {
    const b = g.b;
    // mostly a comparison of reals, so that inputs take both branches
    const p = a % 4 === 3 ? g.value(BOOL, c) : b.prim(REAL_COMPARE[(a >> 2) % 4]!, [g.real(c), g.real(c + 1)]);
    const t = [REAL, VEC2, PAIR][a % 3]!;
    // sometimes the blocks also add into an accumulator made before the cond, resolved after it
    const acc = (a >> 3) % 3 === 1 ? b.accum(b.real(0)) : undefined;
    const result = (q: number) => (): Var => {
      if (acc !== undefined) b.add(acc, g.real(q + 2));
      const r = g.finishScope();
      if (t === VEC2) return b.vec([r, g.real(q)], VEC2);
      return t === PAIR ? b.struct([r, b.vec([r, g.real(q)], VEC2)], PAIR) : r;
    };
    const then = g.block(body, result(x), acc);
    // the else block: the steps in reverse, or none (its result then comes from outside)
    const els = g.block((a >> 1) % 2 === 0 ? body.slice().reverse() : [], result(y + 1), acc);
    g.put(b.emit({ kind: 'cond', cond: p, then: then.block, thenRet: then.ret, els: els.block, elsRet: els.ret }, t));
    if (acc !== undefined) g.put(b.resolve(acc));
  },
};
/** Comparisons of reals for conditions (not `eq`/`neq`: reals are seldom equal). */
const REAL_COMPARE = ['lt', 'gt', 'leq', 'geq'] as const satisfies readonly Prim[];

/** Emit `x*x + c` (positive, smooth). */
function sqPlus(b: FuncBuilder, x: Var, c: number): Var {
  return b.prim('add', [b.prim('mul', [x, x]), b.real(c)]);
}

/** Emit `prim` applied to `x` through a wrapper that keeps it finite and smooth on R. */
export function unary(b: FuncBuilder, prim: (typeof UNARY)[number], x: Var, variant: number): Var {
  const u = (q: Prim, v: Var) => b.prim(q, [v]);
  switch (prim) {
    case 'sqrt':
      return u('sqrt', sqPlus(b, x, 0.5)); // d sqrt(x*x+0.5) = x / sqrt(...) dx
    case 'log':
      return u('log', sqPlus(b, x, 1));
    case 'log1p':
      return u('log1p', b.prim('mul', [x, x]));
    case 'exp':
      return u('exp', u('sin', x));
    case 'tan':
      return u('tan', u('tanh', x)); // |tanh x| < 1 < pi/2
    case 'asin':
    case 'acos':
      return u(prim, b.prim('mul', [u('tanh', x), b.real(0.9)]));
    case 'sinh':
    case 'cosh':
    case 'expm1':
      return u(prim, u('atan', x));
    case 'cbrt': // away from 0 (infinite slope there), on both signs
      return u('cbrt', variant % 2 === 0 ? sqPlus(b, x, 0.5) : b.prim('sub', [b.real(-0.5), b.prim('mul', [x, x])]));
    default:
      return u(prim, x);
  }
}

/** Emit a binary primitive on `x`, `y` through a domain-safe wrapper. */
export function binary(b: FuncBuilder, op: (typeof BINARY)[number], x: Var, y: Var, variant: number): Var {
  switch (op) {
    case 'div':
      return b.prim('div', [x, sqPlus(b, y, 0.5)]);
    case 'pow': // positive base, any exponent
      return b.prim('pow', [sqPlus(b, x, 0.5), y]);
    case 'powInt': // any base, literal integer exponent
      return b.prim('pow', [x, b.real(2 + ((variant >> 3) % 2))]);
    default:
      return b.prim(op, [x, y]);
  }
}

/** The functions of a built program; `root` is the last one. */
export interface Program {
  readonly spec: ProgramSpec;
  readonly funcs: readonly TransparentFunc[];
  readonly root: TransparentFunc;
}

/** Build the IR of `spec`. */
export function buildProgram(spec: ProgramSpec): Program {
  const funcs: TransparentFunc[] = [];
  spec.funcs.forEach((fs, k) => {
    const root = k === spec.funcs.length - 1;
    funcs.push(new FuncGen(root ? 'f' : `g${k}`, funcs.slice(), spec.cond ? OPS_COND : OPS).build(fs));
  });
  return { spec, funcs, root: funcs[funcs.length - 1]! };
}

const paramKindArb = fc.constantFrom<ParamKind>('real', 'real', 'vec2', 'pair', 'vec3', 'real', 'mixed', 'bool', 'fin3');

/** Return steps nested up to `depth` block levels, with ops numbered below `ops`. */
function stepsArb(depth: number, maxLength: number, ops: number): fc.Arbitrary<Step[]> {
  const step = fc.record({
    op: fc.nat(ops - 1),
    p: fc.array(fc.nat(30), { minLength: 4, maxLength: 4 }),
    body: depth > 0 ? stepsArb(depth - 1, 3, ops) : fc.constant([]),
  });
  return fc.array(step, { maxLength });
}

/** Options of `programArb`. */
export interface ProgramOptions {
  /** Result kind of the root (default: any). */
  readonly rootOut?: OutKind;
  /** Most functions in the call DAG (default 3). */
  readonly maxFuncs?: number;
  /** Most top-level steps per function (default 8). */
  readonly maxSteps?: number;
  /**
   * Emit `cond`s (default false): a comparison of reals (or a bool) choosing between a block of
   * nested steps and another block (those steps reversed, or none), yielding a real, a vec or a
   * struct; nested in loops and conds, holding calls, loops, sums and adds into outer sums and
   * into accumulators made just before the cond (resolved after it).
   */
  readonly cond?: boolean;
}

/** Return an arbitrary of program specs (plain data; build them with `buildProgram`). */
export function programArb(opts: ProgramOptions = {}): fc.Arbitrary<ProgramSpec> {
  const funcArb = (out: fc.Arbitrary<OutKind>) =>
    fc.record({
      params: fc.array(paramKindArb, { minLength: 1, maxLength: 3 }).map((ks) =>
        ks.some((k) => k !== 'bool' && k !== 'fin3') ? ks : ['real' as ParamKind, ...ks],
      ),
      steps: stepsArb(2, opts.maxSteps ?? 8, (opts.cond ? OPS_COND : OPS).length),
      out,
    });
  const anyOut = fc.constantFrom<OutKind>('real', 'vec', 'pair', 'mixed');
  const rootOut = opts.rootOut ? fc.constant(opts.rootOut) : anyOut;
  return fc
    .tuple(fc.array(funcArb(anyOut), { maxLength: (opts.maxFuncs ?? 3) - 1 }), funcArb(rootOut))
    .map(([callees, root]) => (opts.cond ? { funcs: [...callees, root], cond: true } : { funcs: [...callees, root] }));
}

/**
 * The generator settings the pure-engine properties run under, each as a `describe.each` row
 * (name suffix, options): the programs of before conds existed, and programs with conds.
 */
export const GEN_VARIANTS: readonly (readonly [string, ProgramOptions])[] = [
  ['', {}],
  [' with cond', { cond: true }],
];
