/**
 * @file `Problem`: a minimization as plain data (the objective's IR function, the constraints'
 * IR functions with their kinds and sizes, the start point, the bounds and the resolved
 * settings), validated once. It is structured-clonable (so it can be posted to a worker) unless
 * the model calls `opaque` JS functions; `needsMainThread` says so, and `mainThreadReason` why.
 * `compileProblem` turns one into a stepping `Minimizer` (for `minimize` and sessions alike).
 */
import type { Func } from '../ir/types.ts';
import { forEachInstr } from '../ir/visit.ts';
import { erase } from '../ir/types.ts';
import { funcOf, makeFn, type Fn } from '../trace/fn.ts';
import { showTy } from '../trace/types.ts';
import { compileValueAndGrad, type CompiledValueAndGrad } from '../wasm/compile-grad.ts';
import { RoseError, formatMessage } from '../errors.ts';
import { compileConstraints, type ConstraintSpec } from './lagrangian.ts';
import { Minimizer, type ConstraintKind, type MinimizerOptions } from './minimizer.ts';
import { objectiveFromCompiled } from './objective.ts';
import { SETTING_NAMES, bad, describeValue, resolveSettings, type Settings } from './settings.ts';
import { checkBounds, checkStart } from './validate.ts';

/** A constraint as the user writes it: `fn(x) = 0` (`'eq'`) or `fn(x) <= 0` (`'ineq'`). */
export interface Constraint {
  readonly type: ConstraintKind;
  /** An `fn` from `Vec(n, Real)` to `Real`, or to `Vec(m, Real)` for m constraints at once. */
  readonly fn: Fn;
}

/** Where to run: in a worker (the default where one exists) or on the calling thread. */
export type RunIn = 'worker' | 'main';

/** The data options of a problem (everything but callbacks and the signal). */
export interface ProblemOptions extends MinimizerOptions {
  readonly constraints?: readonly Constraint[];
  readonly runIn?: RunIn;
}

/** A validated minimization problem as plain data. */
export interface Problem {
  readonly objective: Func;
  readonly n: number;
  readonly constraints: readonly ConstraintSpec[];
  readonly x0: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  readonly settings: Settings;
  readonly runIn: RunIn;
  /** True when the model calls `opaque` JS functions, which exist only on this thread. */
  readonly needsMainThread: boolean;
  /** Why the problem must run on the main thread (empty when it need not). */
  readonly mainThreadReason: string;
}

/** Option names of `minimize` besides the settings. */
const OTHER_NAMES = ['bounds', 'constraints', 'runIn', 'signal', 'onStep'];

/** Return the problem `minimize(f, x0, options)` describes; throw a `RoseError` on bad input. */
export function makeProblem(f: unknown, x0: unknown, options: unknown, where: string): Problem {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw bad(`options must be an object, got ${describeValue(options)}`, where);
  const o = options as ProblemOptions;
  for (const key of Object.keys(o))
    if (!SETTING_NAMES.includes(key) && !OTHER_NAMES.includes(key))
      throw bad(`unknown option ${JSON.stringify(key)}`, where, `Known options: ${[...SETTING_NAMES, ...OTHER_NAMES].join(', ')}`);
  const objective = funcOf(f, `${where}: the objective`);
  const n = vectorParam(objective, `${where}: the objective`);
  if (erase(objective.retType).kind !== 'real')
    throw typeError(objective, `${where}: the objective`, 'must return Real', 'fn([Vec(n, Real)], Real, (x) => ...)');
  const { bounds, constraints, runIn = 'worker', ...rest } = o;
  const { signal: _signal, onStep: _onStep, ...methodOptions } = rest as Record<string, unknown>;
  if (runIn !== 'worker' && runIn !== 'main')
    throw bad(`runIn must be 'worker' or 'main', got ${describeValue(runIn)}`, where);
  const settings = resolveSettings(methodOptions, where);
  const start = checkStart(x0, n, where);
  const [lower, upper] = checkBounds(bounds, n, where);
  const specs = checkConstraints(constraints, n, where);
  const opaques = opaqueNames([objective, ...specs.map((c) => c.func)]);
  return {
    objective,
    n,
    constraints: specs,
    x0: start,
    lower,
    upper,
    settings,
    runIn,
    needsMainThread: opaques.length > 0,
    mainThreadReason:
      opaques.length > 0
        ? `the model calls opaque JS function${opaques.length > 1 ? 's' : ''} ${opaques.join(', ')}, which exist only on the main thread`
        : '',
  };
}

/** Return `n` when `func` takes one `Vec(n, Real)`; throw `type-mismatch` otherwise. */
function vectorParam(func: Func, where: string): number {
  const p = func.paramTypes.length === 1 ? erase(func.paramTypes[0]!) : undefined;
  if (p?.kind === 'vec' && p.elem.kind === 'real') return p.size;
  throw typeError(func, where, 'must take one Vec(n, Real)', 'Wrap it: fn([Vec(n, Real)], Real, (x) => f(x[0], x[1], ...))');
}

/** Return a `type-mismatch` error about the type of `func`. */
function typeError(func: Func, where: string, what: string, fix: string): RoseError {
  const type = `(${func.paramTypes.map(showTy).join(', ')}) -> ${showTy(func.retType)}`;
  return new RoseError('type-mismatch', formatMessage(`type mismatch: ${func.name} ${what}, but its type is ${type}`, where, fix));
}

/** Return the validated constraints of a problem of `n` parameters. */
function checkConstraints(constraints: unknown, n: number, where: string): ConstraintSpec[] {
  if (constraints === undefined) return [];
  if (!Array.isArray(constraints))
    throw bad('constraints must be an array of { type, fn }', where, "E.g. [{ type: 'eq', fn: c }]");
  return constraints.map((c: unknown, k): ConstraintSpec => {
    const at = `${where}: constraints[${k}]`;
    const { type, fn: f } = (c ?? {}) as { type?: unknown; fn?: unknown };
    if (type !== 'eq' && type !== 'ineq')
      throw bad(`constraint type must be 'eq' or 'ineq', got ${describeValue(type)}`, at, "'eq' means fn(x) = 0, 'ineq' means fn(x) <= 0");
    const func = funcOf(f, at);
    const m = vectorParam(func, at);
    if (m !== n) throw typeError(func, at, `must take Vec(${n}, Real) like the objective`, `Make it fn([Vec(${n}, Real)], ...)`);
    const r = erase(func.retType);
    if (r.kind === 'real') return { type, func, count: 1, vector: false };
    if (r.kind === 'vec' && r.elem.kind === 'real') return { type, func, count: r.size, vector: true };
    throw typeError(func, at, 'must return Real or Vec(m, Real)', 'Return one real per constraint');
  });
}

/** Return the names of the opaque functions reachable from `roots` (their custom JVPs included). */
export function opaqueNames(roots: readonly Func[]): string[] {
  const seen = new Set<Func>();
  const names: string[] = [];
  const visit = (f: Func): void => {
    if (seen.has(f)) return;
    seen.add(f);
    if (f.customJvp) visit(f.customJvp);
    if (f.kind === 'opaque') return void names.push(f.name);
    forEachInstr(f.body, (instr) => {
      if (instr.expr.kind === 'call') visit(instr.expr.func);
    });
  };
  roots.forEach(visit);
  return names;
}

/** A compiled problem: its stepping minimizer (at the start point) and what to free afterwards. */
export interface CompiledProblem {
  readonly minimizer: Minimizer;
  readonly dispose: () => void;
}

/** Compile `problem` (asynchronously) into a stepping minimizer positioned at its start. */
export async function compileProblem(problem: Problem): Promise<CompiledProblem> {
  const held: CompiledValueAndGrad[] = [];
  const dispose = (): void => held.forEach((h) => h.dispose());
  try {
    const h = await compileValueAndGrad(makeFn(problem.objective));
    held.push(h);
    let model;
    if (problem.constraints.length > 0) {
      const c = await compileConstraints(problem.objective, problem.constraints, problem.n);
      held.push(c.lagrangian);
      model = c.model;
    }
    const { x0, settings, lower, upper } = problem;
    const minimizer = new Minimizer(objectiveFromCompiled(h), x0, settings, lower, upper, model);
    return { minimizer, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
