/**
 * @file A probe for planning, not part of the engine: the engine's four steps (trace, jvp, unzip,
 * transpose) over a dense IR, where an instruction is an opcode, a type code and two `Int32`
 * operands in typed arrays, for the straight-line programs of the scaling bench only. The
 * engine's IR takes at least two JS heap objects per instruction (the instruction and its
 * expression; calls and vec or struct literals add an operand array), and the scaling bench
 * prints the probe's figures next to the engine's, in the same run.
 *
 * Done as the engine does it: symbolic values are objects checked for their trace and type, the
 * vec parameter is a `Proxy`, real literals and index literals are shared, jvp applies the same
 * derivative rules, unzip splits the JVP into `fwd` (primal values and residuals) and `lin` (the
 * tangent part, which takes the residuals), transpose walks `lin` backwards into `bwd`, summing the
 * cotangents of each variable and adding into the tangent parameter's accumulator.
 * Left out: loops, conds, calls, structs, every other primitive, simplification, memoization and
 * checking. So the figures are a lower bound for a dense engine, not a prediction of one.
 * `probeGradient` evaluates `fwd` and `bwd`, so that a test can check the probe against the engine.
 */

/** Type codes: each variable's type is one byte. */
type TypeCode = number;
const UNIT = 0;
const REAL = 1;
const TAN = 2;
const FIN = 3;
const VEC_REAL = 4;
const VEC_TAN = 5;
/** The accumulator of a vec of reals (the tangent parameter's, in `bwd`). */
const REF_VEC_REAL = 6;

/** Opcodes. `a` and `b` are operand variables, except as noted. */
type Opcode = number;
/** A parameter (no operands). */
const PARAM = 0;
/** A literal: `a` is its position in the function's literal pool. */
const LIT = 1;
/** `a[b]`: element `b` (an index variable) of vec `a`. */
const INDEX = 2;
const NEG = 3;
const ADD = 4;
const SUB = 5;
const MUL = 6;
const SIN = 7;
const COS = 8;
const TANH = 9;
/** In `bwd`: add cotangent `a` into element `b` of the tangent parameter's accumulator. */
const ADD_TO = 10;

/**
 * A function in the dense IR: instruction `v` defines variable `v`. Parameters come first, except
 * in `lin`, which declares each residual parameter where it is first needed.
 */
export class DenseFunc {
  /** How many instructions (and variables) the function has. */
  length = 0;
  op: Uint8Array;
  type: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  /** Literal values, indexed by the `a` of `Lit` instructions. */
  literals: Float64Array;
  literalCount = 0;
  readonly params: number[] = [];
  /** The returned variable (the primal result, in `jvp` and `fwd`). */
  ret = -1;
  /** The tangent result (in `jvp` and `lin`). */
  tangentRet = -1;
  /** The residual variables `fwd` returns, in the order of `lin`'s residual parameters. */
  readonly residuals: number[] = [];

  /** Start a function with room for `capacity` instructions and the literals of `pool`. */
  constructor(capacity: number, pool?: DenseFunc) {
    this.op = new Uint8Array(capacity);
    this.type = new Uint8Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.literals = pool === undefined ? new Float64Array(64) : pool.literals;
    this.literalCount = pool === undefined ? 0 : pool.literalCount;
  }

  /** Append instruction `op a b` of type `type`; return its variable. */
  emit(op: Opcode, type: TypeCode, a: number, b: number): number {
    if (this.length === this.op.length) this.#grow();
    const v = this.length++;
    this.op[v] = op;
    this.type[v] = type;
    this.a[v] = a;
    this.b[v] = b;
    return v;
  }

  /** Append a parameter of type `type`; return its variable. */
  param(type: TypeCode): number {
    const v = this.emit(PARAM, type, 0, 0);
    this.params.push(v);
    return v;
  }

  /** Append the literal `x` of type `type` (a new pool entry); return its variable. */
  literal(x: number, type: TypeCode): number {
    if (this.literalCount === this.literals.length) this.literals = grown(this.literals, Float64Array);
    this.literals[this.literalCount] = x;
    return this.emit(LIT, type, this.literalCount++, 0);
  }

  /** Return this function with its arrays cut to its length. */
  trim(): this {
    const n = this.length;
    [this.op, this.type] = [this.op.slice(0, n), this.type.slice(0, n)];
    [this.a, this.b] = [this.a.slice(0, n), this.b.slice(0, n)];
    return this;
  }

  #grow(): void {
    [this.op, this.type] = [grown(this.op, Uint8Array), grown(this.type, Uint8Array)];
    [this.a, this.b] = [grown(this.a, Int32Array), grown(this.b, Int32Array)];
  }
}

/** Return a copy of `xs` twice as long (at least 16). */
function grown<A extends Uint8Array | Int32Array | Float64Array>(
  xs: A,
  make: new (n: number) => A,
): A {
  const out = new make(Math.max(16, 2 * xs.length));
  out.set(xs);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Trace

/** A symbolic real of a trace. */
export class ProbeValue {
  constructor(
    readonly trace: DenseFunc,
    readonly v: number,
  ) {}
}

/** What a traced body may pass to an operation. */
type Operand = ProbeValue | number;

/** The trace being recorded (one at a time, as in the engine). */
let current: { f: DenseFunc; realLiterals: Map<number, number> } | undefined;

/** Return the variable of `x` in the current trace, checked to be a real. */
function operand(x: Operand, where: string): number {
  const t = current;
  if (t === undefined) throw new Error(`probe: ${where} outside a trace`);
  if (typeof x === 'number') {
    let v = t.realLiterals.get(x);
    if (v === undefined) t.realLiterals.set(x, (v = t.f.literal(x, REAL)));
    return v;
  }
  if (!(x instanceof ProbeValue) || x.trace !== t.f) throw new Error(`probe: ${where} of a foreign value`);
  if (t.f.type[x.v] !== REAL) throw new Error(`probe: ${where} of a non-real`);
  return x.v;
}

/** Emit `op x` and return its symbolic result. */
function unary(op: Opcode, where: string, x: Operand): ProbeValue {
  const v = operand(x, where);
  return new ProbeValue(current!.f, current!.f.emit(op, REAL, v, 0));
}

/** Emit `op x y` and return its symbolic result. */
function binary(op: Opcode, where: string, x: Operand, y: Operand): ProbeValue {
  const vx = operand(x, where);
  const vy = operand(y, where);
  return new ProbeValue(current!.f, current!.f.emit(op, REAL, vx, vy));
}

/** The operations a probe body may use (those of the straight-line bench programs). */
export const probeOps = {
  add: (x: Operand, y: Operand) => binary(ADD, 'add', x, y),
  sub: (x: Operand, y: Operand) => binary(SUB, 'sub', x, y),
  mul: (x: Operand, y: Operand) => binary(MUL, 'mul', x, y),
  sin: (x: Operand) => unary(SIN, 'sin', x),
  cos: (x: Operand) => unary(COS, 'cos', x),
  tanh: (x: Operand) => unary(TANH, 'tanh', x),
};

/** Return the trace of `body` over a vec of `width` reals (read through a `Proxy`). */
export function probeTrace(width: number, body: (v: readonly ProbeValue[]) => Operand): DenseFunc {
  const f = new DenseFunc(1024);
  const outer = current;
  current = { f, realLiterals: new Map() };
  try {
    const param = f.param(VEC_REAL);
    const indices = new Map<number, number>();
    const vec = new Proxy([] as ProbeValue[], {
      get(_target, key) {
        const i = typeof key === 'string' ? Number(key) : NaN;
        if (!(Number.isInteger(i) && i >= 0 && i < width)) throw new Error(`probe: index ${String(key)}`);
        let iv = indices.get(i);
        if (iv === undefined) indices.set(i, (iv = f.literal(i, FIN)));
        return new ProbeValue(f, f.emit(INDEX, REAL, param, iv));
      },
    });
    f.ret = operand(body(vec), 'return');
    return f.trim();
  } finally {
    current = outer;
  }
}

// ---------------------------------------------------------------------------------------------
// jvp, unzip, transpose

/** Return the JVP of `f`: primal params, then tangent params; primal `ret`, tangent `tangentRet`. */
export function probeJvp(f: DenseFunc): DenseFunc {
  const g = new DenseFunc(3 * f.length + 16, f);
  const primal = new Int32Array(f.length);
  const tangent = new Int32Array(f.length).fill(-1); // -1: statically zero
  for (const p of f.params) primal[p] = g.param(f.type[p]!);
  for (const p of f.params) tangent[p] = g.param(VEC_TAN);
  const one = g.literal(1, REAL);
  for (let v = f.params.length; v < f.length; v++) {
    const op = f.op[v]!;
    const a = f.a[v]!;
    const b = f.b[v]!;
    const pa = primal[a]!;
    const ta = tangent[a]!;
    const tb = tangent[b]!;
    if (op === LIT) primal[v] = g.emit(LIT, f.type[v]!, a, 0);
    else if (op === INDEX) {
      primal[v] = g.emit(INDEX, REAL, pa, primal[b]!);
      tangent[v] = g.emit(INDEX, TAN, ta, primal[b]!);
    } else if (op === ADD || op === SUB) {
      primal[v] = g.emit(op, REAL, pa, primal[b]!);
      if (ta < 0) tangent[v] = tb < 0 || op === ADD ? tb : g.emit(NEG, TAN, tb, 0);
      else tangent[v] = tb < 0 ? ta : g.emit(op, TAN, ta, tb);
    } else if (op === MUL) {
      primal[v] = g.emit(MUL, REAL, pa, primal[b]!);
      const left = ta < 0 ? -1 : g.emit(MUL, TAN, ta, primal[b]!);
      const right = tb < 0 ? -1 : g.emit(MUL, TAN, tb, pa);
      tangent[v] = left < 0 ? right : right < 0 ? left : g.emit(ADD, TAN, left, right);
    } else {
      const y = (primal[v] = g.emit(op, REAL, pa, 0));
      if (ta >= 0) tangent[v] = g.emit(MUL, TAN, ta, derivative(g, op, pa, y, one));
    }
  }
  g.ret = primal[f.ret]!;
  g.tangentRet = tangent[f.ret]!;
  return g.trim();
}

/** Emit the derivative of unary `op` at `x` (result `y`) into `g`. */
function derivative(g: DenseFunc, op: Opcode, x: number, y: number, one: number): number {
  if (op === SIN) return g.emit(COS, REAL, x, 0);
  if (op === COS) return g.emit(NEG, REAL, g.emit(SIN, REAL, x, 0), 0);
  if (op === TANH) return g.emit(SUB, REAL, one, g.emit(MUL, REAL, y, y));
  throw new Error(`probe: no derivative of op ${op}`);
}

/** Return true when type `t` is linear (a tangent). */
const isTangent = (t: TypeCode) => t === TAN || t === VEC_TAN;

/**
 * Return `fwd` (the primal part of `jvp`, returning `residuals`) and `lin` (its tangent part:
 * tangent params, then one param per residual; constants are recomputed instead of kept).
 */
export function probeUnzip(jvp: DenseFunc): { fwd: DenseFunc; lin: DenseFunc } {
  const n = jvp.length;
  const fwd = new DenseFunc(n + 16, jvp);
  const lin = new DenseFunc(n + 16, jvp);
  const inFwd = new Int32Array(n);
  const inLin = new Int32Array(n).fill(-1);
  for (const p of jvp.params) {
    const t = jvp.type[p]!;
    if (isTangent(t)) inLin[p] = lin.param(t);
    else inFwd[p] = fwd.param(t);
  }
  const residual = (v: number): number => {
    let r = inLin[v]!;
    if (r >= 0) return r;
    if (jvp.op[v] === LIT) r = lin.emit(LIT, jvp.type[v]!, jvp.a[v]!, 0);
    else {
      fwd.residuals.push(inFwd[v]!);
      r = lin.param(jvp.type[v]!);
    }
    return (inLin[v] = r);
  };
  for (let v = jvp.params.length; v < n; v++) {
    const op = jvp.op[v]!;
    const t = jvp.type[v]!;
    const a = jvp.a[v]!;
    const b = jvp.b[v]!;
    if (!isTangent(t)) {
      const binaryOp = op === INDEX || (op >= ADD && op <= MUL);
      inFwd[v] = fwd.emit(op, t, op === LIT ? a : inFwd[a]!, binaryOp ? inFwd[b]! : 0);
    } else if (op === INDEX || op === MUL) inLin[v] = lin.emit(op, t, inLin[a]!, residual(b));
    else if (op === NEG) inLin[v] = lin.emit(op, t, inLin[a]!, 0);
    else if (op === ADD || op === SUB) inLin[v] = lin.emit(op, t, inLin[a]!, inLin[b]!);
    else throw new Error(`probe: unzip of tangent op ${op}`);
  }
  fwd.ret = inFwd[jvp.ret]!;
  lin.tangentRet = inLin[jvp.tangentRet]!;
  return { fwd: fwd.trim(), lin: lin.trim() };
}

/**
 * Return `bwd`, the transpose of `lin`: params are the tangent param's accumulator, the
 * residuals, then the result's cotangent; each linear variable's cotangent contributions are
 * summed as they arrive.
 */
export function probeTranspose(lin: DenseFunc): DenseFunc {
  const n = lin.length;
  const bwd = new DenseFunc(2 * n + 16, lin);
  const nonlinear = new Int32Array(n); // nonlinear var of lin -> its var in bwd
  const cotangent = new Int32Array(n).fill(-1); // linear var -> its cotangent so far (-1: zero)
  for (const p of lin.params) nonlinear[p] = bwd.param(isTangent(lin.type[p]!) ? REF_VEC_REAL : lin.type[p]!);
  const seed = bwd.param(REAL);
  for (let v = 0; v < n; v++) if (lin.op[v] === LIT) nonlinear[v] = bwd.emit(LIT, lin.type[v]!, lin.a[v]!, 0);
  const contribute = (v: number, ct: number) => {
    const sum = cotangent[v]!;
    cotangent[v] = sum < 0 ? ct : bwd.emit(ADD, REAL, sum, ct);
  };
  contribute(lin.tangentRet, seed);
  // down to 0: lin declares its residual params where they are first needed, between instructions
  for (let v = n - 1; v >= 0; v--) {
    const ct = cotangent[v]!;
    if (ct < 0) continue;
    const op = lin.op[v]!;
    const a = lin.a[v]!;
    const b = lin.b[v]!;
    if (op === INDEX) bwd.emit(ADD_TO, UNIT, ct, nonlinear[b]!);
    else if (op === NEG) contribute(a, bwd.emit(NEG, REAL, ct, 0));
    else if (op === ADD) (contribute(a, ct), contribute(b, ct));
    else if (op === SUB) (contribute(a, ct), contribute(b, bwd.emit(NEG, REAL, ct, 0)));
    else if (op === MUL) contribute(a, bwd.emit(MUL, REAL, ct, nonlinear[b]!));
    else throw new Error(`probe: transpose of op ${op}`);
  }
  return bwd.trim();
}

// ---------------------------------------------------------------------------------------------
// Evaluation, for checking the probe against the engine

/** Return the value of instruction `v` of `f` (not a param, index or `AddTo`). */
function valueOf(f: DenseFunc, values: Float64Array, v: number): number {
  const x = values[f.a[v]!]!;
  const y = values[f.b[v]!]!;
  switch (f.op[v]) {
    case LIT:
      return f.literals[f.a[v]!]!;
    case NEG:
      return -x;
    case ADD:
      return x + y;
    case SUB:
      return x - y;
    case MUL:
      return x * y;
    case SIN:
      return Math.sin(x);
    case COS:
      return Math.cos(x);
    case TANH:
      return Math.tanh(x);
    default:
      throw new Error(`probe: cannot evaluate op ${f.op[v]}`);
  }
}

/** Return the value and gradient at `x` of the probe's reverse mode of `f` (via fwd and bwd). */
export function probeGradient(f: DenseFunc, x: readonly number[]): { value: number; gradient: number[] } {
  const { fwd, lin } = probeUnzip(probeJvp(f));
  const bwd = probeTranspose(lin);
  const primals = new Float64Array(fwd.length);
  for (let v = fwd.params.length; v < fwd.length; v++)
    primals[v] = fwd.op[v] === INDEX ? x[primals[fwd.b[v]!]!]! : valueOf(fwd, primals, v);
  const values = new Float64Array(bwd.length);
  const params = bwd.params; // [accumulator, ...residuals, cotangent of the result]
  fwd.residuals.forEach((r, k) => (values[params[k + 1]!] = primals[r]!));
  values[params[params.length - 1]!] = 1;
  const gradient = x.map(() => 0);
  for (let v = params.length; v < bwd.length; v++) {
    if (bwd.op[v] === ADD_TO) gradient[values[bwd.b[v]!]!]! += values[bwd.a[v]!]!;
    else values[v] = valueOf(bwd, values, v);
  }
  return { value: primals[fwd.ret]!, gradient };
}
