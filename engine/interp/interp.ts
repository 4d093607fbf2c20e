/**
 * @file The reference interpreter: the semantics every other execution path is tested against.
 *
 * Functions are lowered once to a compact integer form (`prepare.ts`) and run by one loop over
 * an explicit stack of frames, so neither deep call chains nor deeply nested loops grow the JS
 * stack. Each call has a flat `Val[]` environment indexed by `Var`; a loop body shares the
 * environment of its function (variables are unique per function).
 */
import { RoseError, formatMessage } from '../errors.ts';
import type { Func, OpaqueFunc, Ty, Var } from '../ir/types.ts';
import {
  Op,
  STRIDE,
  prepare,
  type CallInfo,
  type Code,
  type CondInfo,
  type LoopInfo,
  type Prepared,
} from './prepare.ts';
import {
  Acc,
  accumulator,
  argmax,
  argmin,
  checkIndex,
  signum,
  zeroOf,
  type Accumulator,
  type Val,
} from './values.ts';

export type { Accumulator, Val } from './values.ts';
export { accumulator } from './values.ts';

/** Run `f` on `args` (one Val per param) and return its result. */
export function interpret(f: Func, args: readonly Val[]): Val {
  if (args.length !== f.paramTypes.length)
    throw new RoseError(
      'arity',
      formatMessage(
        `expected ${f.paramTypes.length} argument(s), got ${args.length}`,
        `function ${f.name}`,
      ),
    );
  if (f.kind === 'opaque') return f.impl(...(args as number[]));
  return run(prepare(f), args);
}

/**
 * An activation, with its resume point: a function body or a cond's block (`loop === null`), or
 * one loop's body.
 */
class Frame {
  code: Code = EMPTY_CODE;
  env: Val[] = EMPTY;
  /** `function NAME`, for error messages. */
  where = '';
  /** The variable (in the parent frame's environment) that receives this frame's result. */
  dst: Var = -1;
  /** The variable holding the block's result: the function's `ret` or the loop's element. */
  ret: Var = -1;
  loop: LoopInfo | null = null;
  /** Loop only: the elements computed so far, and the current index. */
  results: Val[] = EMPTY;
  i = 0;
  /** Where to resume in `code` after a nested frame returns. */
  pc = 0;

  /** Make this frame run `code` (frames are reused across calls; see `run`). */
  enter(code: Code, env: Val[], where: string, dst: Var, ret: Var, loop: LoopInfo | null): this {
    this.code = code;
    this.env = env;
    this.where = where;
    this.dst = dst;
    this.ret = ret;
    this.loop = loop;
    this.results = loop === null ? EMPTY : new Array<Val>(loop.n);
    this.i = 0;
    this.pc = 0;
    return this;
  }

  /** Drop references to values, so a reused frame keeps nothing alive. */
  leave(): void {
    this.env = EMPTY;
    this.results = EMPTY;
  }
}

const EMPTY: Val[] = [];
const EMPTY_CODE: Code = { ops: new Int32Array(0), side: [] };

/** Return a new environment for `p` with its parameters bound to `args`. */
function bindParams(p: Prepared, args: readonly Val[]): Val[] {
  const env: Val[] = new Array<Val>(p.nvars);
  for (let k = 0; k < p.params.length; k++) env[p.params[k]!] = args[k]!;
  return env;
}

/** Return a new environment for callee `q`, its parameters bound to the caller's `vars`. */
function bindCall(q: Prepared, caller: readonly Val[], vars: Int32Array): Val[] {
  const env: Val[] = new Array<Val>(q.nvars);
  for (let k = 0; k < vars.length; k++) env[q.params[k]!] = caller[vars[k]!]!;
  return env;
}

/** Run a prepared function to completion. */
function run(p: Prepared, args: readonly Val[]): Val {
  // frames[depth] is the current frame; frames above it are kept for reuse by later calls
  let frame = new Frame().enter(p.body, bindParams(p, args), p.where, -1, p.ret, null);
  const frames: Frame[] = [frame];
  let depth = 0;
  let ops = frame.code.ops;
  let side = frame.code.side;
  let env = frame.env;
  let pc = 0;
  for (;;) {
    while (pc < ops.length) {
      const op = ops[pc]!;
      const dst = ops[pc + 1]!;
      const a = ops[pc + 2]!;
      const b = ops[pc + 3]!;
      pc += STRIDE;
      // prettier-ignore
      switch (op) {
        // boring cases: scalar primitives
        case Op.Neg: env[dst] = -(env[a] as number); break;
        case Op.Abs: env[dst] = Math.abs(env[a] as number); break;
        case Op.Sign: env[dst] = signum(env[a] as number); break;
        case Op.Ceil: env[dst] = Math.ceil(env[a] as number); break;
        case Op.Floor: env[dst] = Math.floor(env[a] as number); break;
        case Op.Trunc: env[dst] = Math.trunc(env[a] as number); break;
        case Op.Sqrt: env[dst] = Math.sqrt(env[a] as number); break;
        case Op.Exp: env[dst] = Math.exp(env[a] as number); break;
        case Op.Log: env[dst] = Math.log(env[a] as number); break;
        case Op.Sin: env[dst] = Math.sin(env[a] as number); break;
        case Op.Cos: env[dst] = Math.cos(env[a] as number); break;
        case Op.Tan: env[dst] = Math.tan(env[a] as number); break;
        case Op.Asin: env[dst] = Math.asin(env[a] as number); break;
        case Op.Acos: env[dst] = Math.acos(env[a] as number); break;
        case Op.Atan: env[dst] = Math.atan(env[a] as number); break;
        case Op.Sinh: env[dst] = Math.sinh(env[a] as number); break;
        case Op.Cosh: env[dst] = Math.cosh(env[a] as number); break;
        case Op.Tanh: env[dst] = Math.tanh(env[a] as number); break;
        case Op.Log1p: env[dst] = Math.log1p(env[a] as number); break;
        case Op.Expm1: env[dst] = Math.expm1(env[a] as number); break;
        case Op.Cbrt: env[dst] = Math.cbrt(env[a] as number); break;
        case Op.Add: env[dst] = (env[a] as number) + (env[b] as number); break;
        case Op.Sub: env[dst] = (env[a] as number) - (env[b] as number); break;
        case Op.Mul: env[dst] = (env[a] as number) * (env[b] as number); break;
        case Op.Div: env[dst] = (env[a] as number) / (env[b] as number); break;
        case Op.Atan2: env[dst] = Math.atan2(env[a] as number, env[b] as number); break;
        case Op.Pow: env[dst] = Math.pow(env[a] as number, env[b] as number); break;
        case Op.Hypot: env[dst] = Math.hypot(env[a] as number, env[b] as number); break;
        case Op.Min: env[dst] = Math.min(env[a] as number, env[b] as number); break;
        case Op.Max: env[dst] = Math.max(env[a] as number, env[b] as number); break;
        case Op.Eq: env[dst] = env[a] === env[b]; break;
        case Op.Neq: env[dst] = env[a] !== env[b]; break;
        case Op.Lt: env[dst] = (env[a] as number) < (env[b] as number); break;
        case Op.Leq: env[dst] = (env[a] as number) <= (env[b] as number); break;
        case Op.Gt: env[dst] = (env[a] as number) > (env[b] as number); break;
        case Op.Geq: env[dst] = (env[a] as number) >= (env[b] as number); break;
        case Op.Not: env[dst] = !env[a]; break;
        case Op.And: env[dst] = (env[a] as boolean) && (env[b] as boolean); break;
        case Op.Or: env[dst] = (env[a] as boolean) || (env[b] as boolean); break;
        case Op.IMod: env[dst] = (env[a] as number) % b; break;
        case Op.Argmax: env[dst] = argmax(env[a] as Val[], frame.where); break;
        case Op.Argmin: env[dst] = argmin(env[a] as Val[], frame.where); break;
        // less boring cases: values and projections
        case Op.Lit: env[dst] = side[a] as Val; break;
        case Op.Zero: env[dst] = zeroOf(side[a] as Ty); break;
        case Op.Vec: case Op.Struct: env[dst] = gather(env, side[a] as Int32Array); break;
        case Op.Index: env[dst] = index(env[a] as Val[], env[b] as number, frame.where); break;
        case Op.Member: env[dst] = (env[a] as Val[])[b]!; break;
        case Op.Select: env[dst] = env[a] ? env[b]! : env[ops[pc - 1]!]!; break;
        case Op.CallOpaque: env[dst] = callOpaque(side[a] as CallInfo, env); break;
        // accumulators
        case Op.Accum: env[dst] = accumulator(side[b] as Ty, env[a]!); break;
        case Op.Add_: (env[a] as Accumulator).add(env[b]!); env[dst] = null; break;
        case Op.Resolve: env[dst] = (env[a] as Accumulator).get(); break;
        case Op.Slice: {
          const elem = side[ops[pc - 1]!] as Ty;
          env[dst] = asAcc(env[a]!, frame.where).slice(env[b] as number, elem, frame.where);
          break;
        }
        case Op.Field:
          env[dst] = asAcc(env[a]!, frame.where).field(b, side[ops[pc - 1]!] as Ty);
          break;
        // interesting cases: enter a callee or a loop body
        case Op.Call: {
          const info = side[a] as CallInfo;
          const q = info.prepared ?? (info.prepared = prepare(info.func as Prepared['func']));
          frame.pc = pc;
          frame = frames[++depth] ?? (frames[depth] = new Frame());
          frame.enter(q.body, bindCall(q, env, info.args), q.where, dst, q.ret, null);
          ({ ops, side } = q.body);
          env = frame.env;
          pc = 0;
          break;
        }
        case Op.For: {
          const loop = side[a] as LoopInfo;
          if (loop.n === 0) {
            env[dst] = [];
            break;
          }
          frame.pc = pc;
          const where = frame.where;
          frame = frames[++depth] ?? (frames[depth] = new Frame());
          frame.enter(loop.body, env, where, dst, loop.ret, loop);
          ({ ops, side } = loop.body);
          env[loop.index] = 0;
          pc = 0;
          break;
        }
        case Op.Cond: {
          // run the chosen block in a frame of its own that shares this environment
          const info = side[b] as CondInfo;
          const taken = env[a] === true;
          frame.pc = pc;
          const where = frame.where;
          const code = taken ? info.then : info.els;
          frame = frames[++depth] ?? (frames[depth] = new Frame());
          frame.enter(code, env, where, dst, taken ? info.thenRet : info.elsRet, null);
          ({ ops, side } = code);
          pc = 0;
          break;
        }
      }
    }
    // the current block is done: next loop iteration, or return to the parent frame
    let result = env[frame.ret]!;
    const loop = frame.loop;
    if (loop !== null) {
      const results = frame.results;
      results[frame.i] = result;
      if (++frame.i < loop.n) {
        env[loop.index] = frame.i;
        pc = 0;
        continue;
      }
      result = results;
    }
    const dst = frame.dst;
    frame.leave();
    if (depth === 0) return result;
    frame = frames[--depth]!;
    ({ ops, side } = frame.code);
    env = frame.env;
    env[dst] = result;
    pc = frame.pc;
  }
}

/** Return a new array of the values of `vars`. */
function gather(env: readonly Val[], vars: Int32Array): Val[] {
  const out: Val[] = new Array<Val>(vars.length);
  for (let k = 0; k < vars.length; k++) out[k] = env[vars[k]!]!;
  return out;
}

/** Return `vec[i]`, throwing `invalid-value` when `i` is out of range. */
function index(vec: Val[], i: number, where: string): Val {
  checkIndex(i, vec.length, where);
  return vec[i]!;
}

/** Call an opaque function on the numbers in `env` named by the call's arguments. */
function callOpaque(info: CallInfo, env: readonly Val[]): number {
  const impl = (info.func as OpaqueFunc).impl;
  const args = info.args;
  switch (args.length) {
    case 0:
      return impl();
    case 1:
      return impl(env[args[0]!] as number);
    case 2:
      return impl(env[args[0]!] as number, env[args[1]!] as number);
    default:
      return impl(...(gather(env, args) as number[]));
  }
}

/** Return `v` as an interpreter accumulator (slices and fields need the tree behind it). */
function asAcc(v: Val, where: string): Acc {
  if (v instanceof Acc) return v;
  throw new RoseError(
    'invalid-value',
    formatMessage(
      'slice/field of an accumulator not created by the interpreter',
      where,
      'Create accumulators with `accumulator(type, shape)` from engine/interp',
    ),
  );
}
