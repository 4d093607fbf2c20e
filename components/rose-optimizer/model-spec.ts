/**
 * @file The pure logic of `<rose-optimizer>`'s model: from what the markup declares (parameters,
 * one objective text, constraint texts; collected by model-controller.ts) or from the `model`
 * property (engine functions), build a `BuiltModel`: names, start point, bounds, fixed
 * parameters, the objective and constraints as engine `Fn`s. Every mistake is a `RoseError`
 * located at the markup element that caused it (`ModelFailure`), with the expression's line and
 * column when it is an `ExpressionError`. No DOM here: elements are an opaque type parameter.
 */
import { RoseError, formatMessage } from '../../engine/errors.ts';
import { lowerConstraint, lowerObjective } from '../../engine/expr/lower.ts';
import { isName } from '../../engine/expr/parser.ts';
import { funcOf, type Fn } from '../../engine/trace/fn.ts';
import type { Constraint } from '../../engine/optim/problem.ts';
import type { ParameterBounds } from '../shared/model-source.ts';

/** A parameter as declared by `<rose-param>` (or the `model` property). */
export interface ParamSpec<E = unknown> {
  readonly name: string;
  /** The start value. */
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
  /** Held at its value by the optimizer (moved only by the reader). */
  readonly fixed?: boolean;
  readonly element?: E;
}

/** The text of a `<rose-objective>` or `<rose-constraint>`. */
export interface TextSpec<E = unknown> {
  readonly text: string;
  /** The `label` attribute, if any. */
  readonly label?: string;
  readonly element?: E;
}

/** What the markup of an optimizer declares. */
export interface MarkupSpec<E = unknown> {
  readonly params: readonly ParamSpec<E>[];
  readonly objectives: readonly TextSpec<E>[];
  readonly constraints: readonly TextSpec<E>[];
}

/** The `model` property: a model written with the engine API. */
export interface OptimizerModel {
  readonly parameters: readonly { name: string; value: number; min?: number; max?: number; fixed?: boolean }[];
  /** A `Real`-valued `fn` of one `Vec(n, Real)` (parameter k is entry k). */
  readonly objective: Fn;
  /** `'eq'`: fn(x) = 0; `'ineq'`: fn(x) <= 0. */
  readonly constraints?: readonly Constraint[];
}

/** A model ready for `makeProblem`. */
export interface BuiltModel {
  readonly names: readonly string[];
  readonly x0: readonly number[];
  readonly bounds: readonly ParameterBounds[];
  readonly fixed: readonly boolean[];
  readonly objective: Fn;
  readonly constraints: readonly Constraint[];
  /** The objective's text when it came from markup. */
  readonly expression?: string;
}

/** A model that could not be built: the error and the markup element that caused it. */
export interface ModelFailure<E = unknown> {
  readonly error: RoseError;
  readonly element?: E;
}

const WHERE = '<rose-optimizer>';

/** Return the model the markup declares; throw a `ModelFailure` for the first mistake. */
export function buildMarkupModel<E>(spec: MarkupSpec<E>): BuiltModel {
  const names = checkParams(spec.params);
  if (spec.objectives.length === 0)
    throw failure(undefined, 'no objective', 'Add the function to minimize: <rose-objective>(1 - x)^2 + 100*(y - x^2)^2</rose-objective>');
  if (spec.objectives.length > 1)
    throw failure(spec.objectives[1]!.element, `${spec.objectives.length} objectives`, 'Keep one <rose-objective>; add the others up into it');
  const source = spec.objectives[0]!;
  const objective = located(source.element, () =>
    lowerObjective(source.text, names, { label: source.label ? `the objective "${source.label}"` : 'the objective' }),
  );
  const constraints = spec.constraints.map((c, k) =>
    located(c.element, () => {
      const label = c.label ? `constraint "${c.label}"` : `constraint ${k + 1}`;
      const lowered = lowerConstraint(c.text, names, { label });
      return { type: lowered.type, fn: lowered.fn };
    }),
  );
  return { ...paramParts(spec.params), names, objective, constraints, expression: source.text };
}

/** Return the model the `model` property describes; throw a `ModelFailure` if it is malformed. */
export function buildPropertyModel(model: unknown): BuiltModel {
  const where = `the model property of ${WHERE}`;
  const fix = 'Set it to { parameters: [{ name, value }], objective: fn([Vec(n, Real)], Real, ...), constraints?: [{ type, fn }] }';
  const m = model as Partial<OptimizerModel> | null;
  if (m === null || typeof m !== 'object' || !Array.isArray(m.parameters))
    throw { error: new RoseError('invalid-value', formatMessage('invalid value: the model has no parameters array', where, fix)) };
  const params: ParamSpec[] = m.parameters.map((p) => ({ ...p }));
  const names = checkParams(params, where);
  const objective = located(undefined, () => (funcOf(m.objective, `${where}: the objective`), m.objective!));
  const constraints = m.constraints ?? [];
  if (!Array.isArray(constraints))
    throw { error: new RoseError('invalid-value', formatMessage('invalid value: constraints must be an array of { type, fn }', where, fix)) };
  return { ...paramParts(params), names, objective, constraints };
}

/** Return the start point, bounds and fixed flags of checked parameters. */
function paramParts(params: readonly ParamSpec[]): Pick<BuiltModel, 'x0' | 'bounds' | 'fixed'> {
  return {
    x0: params.map((p) => p.value),
    bounds: params.map((p) => ({ min: p.min, max: p.max })),
    fixed: params.map((p) => p.fixed === true),
  };
}

/** Check names, values and bounds of the parameters; return the names in order. */
function checkParams<E>(params: readonly ParamSpec<E>[], where = WHERE): string[] {
  if (params.length === 0)
    throw failure(undefined, 'no parameters', 'Declare what the optimizer may change: <rose-param name="x" value="-1.2"></rose-param>', where);
  const seen = new Set<string>();
  for (const p of params) {
    const at = p.element;
    const name = typeof p.name === 'string' ? p.name : String(p.name);
    if (!isName(name))
      throw failure(at, `parameter name "${name}" is not a name`, 'Use letters, digits and _, starting with a letter, e.g. name="x"', where);
    if (seen.has(name)) throw failure(at, `parameter "${name}" is declared twice`, 'Give each parameter its own name', where);
    seen.add(name);
    if (typeof p.value !== 'number' || !Number.isFinite(p.value))
      throw failure(at, `parameter "${name}" has the value ${String(p.value)}, not a finite number`, 'Give it a start value, e.g. value="0"', where);
    const lo = p.min ?? -Infinity;
    const hi = p.max ?? Infinity;
    if (Number.isNaN(lo) || Number.isNaN(hi) || !(lo < hi))
      throw failure(at, `parameter "${name}" has min ${String(p.min)} and max ${String(p.max)}`, 'Make min a number smaller than max', where);
  }
  return [...seen];
}

/** Run `build`; a `RoseError` it throws becomes a `ModelFailure` at `element`. */
function located<T, E>(element: E | undefined, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof RoseError) throw { error: e, element } satisfies ModelFailure<E>;
    throw e;
  }
}

/** Return an `invalid-value` failure at `element`. */
function failure<E>(element: E | undefined, what: string, fix: string, where = WHERE): ModelFailure<E> {
  return { error: new RoseError('invalid-value', formatMessage(`invalid model: ${what}`, where, fix)), element };
}

/** Return true if `e` is a `ModelFailure` thrown by the builders. */
export function isModelFailure(e: unknown): e is ModelFailure {
  return typeof e === 'object' && e !== null && (e as ModelFailure).error instanceof RoseError;
}

/**
 * Return an expression's text as written inside an element, tidied: blank lines before and
 * trailing space after removed, and the indentation common to its lines taken away, so line
 * and column numbers in messages match the text as the element shows it.
 */
export function tidyText(raw: string): string {
  const lines = raw.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut).trimEnd()).join('\n');
}
