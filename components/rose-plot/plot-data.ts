/**
 * @file What `<rose-plot>` shows, resolved from its inputs: the objective (from the `fn`
 * property, the `expression` attribute, or the bound model source, in that order), the parameter
 * names, ranges, the path of iterates and the current point. Pure functions of the element's
 * properties and its source; no drawing.
 */
import { RoseError, formatMessage } from '../../engine/errors.ts';
import type { Fn } from '../../engine/trace/fn.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { expressionToFn } from '../shared/expression.ts';
import type { ModelSource } from '../shared/model-source.ts';
import type { PlotConfig } from './config.ts';
import { asVectorObjective, type VectorObjective } from './sampler.ts';

/** The inputs of a plot, as the element holds them. */
export interface PlotInputs {
  readonly fn: Fn | undefined;
  readonly expression: string | undefined;
  readonly path: readonly (readonly number[])[] | undefined;
  readonly point: readonly number[] | undefined;
  readonly loss: readonly number[] | undefined;
}

/** A resolved objective and how to name it. */
export interface ResolvedObjective {
  readonly objective: VectorObjective;
  /** Words for the function in descriptions: its expression, or `the function f`. */
  readonly what: string;
  /** Parameter names that come with the objective (an expression's), if any. */
  readonly parameters?: readonly string[];
}

/**
 * Return `n` parameter names: the `params` attribute's, else the objective's (an expression's),
 * else the source's, else x, y, z, w, p5, ...
 */
export function parameterNames(
  config: PlotConfig,
  source: ModelSource | undefined,
  n: number,
  objective?: ResolvedObjective,
): string[] {
  const names = config.params ?? objective?.parameters ?? source?.parameters;
  if (names && names.length >= n) return [...names];
  const defaults = ['x', 'y', 'z', 'w'];
  return Array.from({ length: n }, (_, k) => names?.[k] ?? defaults[k] ?? `p${k + 1}`);
}

/** Return the objective to plot, or undefined if there is none; throws `RoseError`s. */
export function resolveObjective(
  config: PlotConfig,
  inputs: PlotInputs,
  source: ModelSource | undefined,
): ResolvedObjective | undefined {
  const where = '<rose-plot>';
  if (inputs.fn) {
    const name = funcOf(inputs.fn, `the fn property of ${where}`).name;
    return { objective: asVectorObjective(inputs.fn, `the fn property of ${where}`), what: `the function ${name}` };
  }
  if (inputs.expression !== undefined && inputs.expression.trim() !== '') {
    const e = expressionToFn(inputs.expression, config.params, `the expression of ${where}`);
    return {
      objective: asVectorObjective(e.fn, `the expression of ${where}`),
      what: inputs.expression.trim(),
      parameters: e.parameters,
    };
  }
  if (source?.objective) {
    const what = source.expression?.trim() || 'the objective';
    return { objective: asVectorObjective(source.objective, `the objective of the model of ${where}`), what };
  }
  return undefined;
}

/** Return the range of parameter `k`: the attribute's, else the source's bounds, else `fallback`. */
export function rangeOf(
  given: readonly [number, number] | undefined,
  source: ModelSource | undefined,
  k: number,
  fallback: readonly [number, number],
): readonly [number, number] {
  if (given) return given;
  const b = source?.bounds[k];
  if (b && b.min !== undefined && b.max !== undefined && b.min < b.max) return [b.min, b.max];
  return fallback;
}

/** Return the iterates to draw: the `path` property, else the source's path. */
export function pathOf(inputs: PlotInputs, source: ModelSource | undefined): readonly (readonly number[])[] {
  return inputs.path ?? source?.path ?? [];
}

/** Return the current point: the `point` property, else the source's `x`, else the path's end. */
export function currentPoint(inputs: PlotInputs, source: ModelSource | undefined): readonly number[] | undefined {
  if (inputs.point && inputs.point.length > 0) return inputs.point;
  if (source && source.x.length > 0) return source.x;
  const path = inputs.path;
  return path && path.length > 0 ? path[path.length - 1] : undefined;
}

/** Return the losses to draw: the `loss` property, else the source's history. */
export function lossesOf(inputs: PlotInputs, source: ModelSource | undefined): readonly number[] {
  return inputs.loss ?? source?.lossHistory ?? [];
}

/** Return the base point for slices: the current point, padded with zeros to length `n`. */
export function basePoint(point: readonly number[] | undefined, n: number): Float64Array {
  const base = new Float64Array(n);
  for (let k = 0; k < n; k++) base[k] = point?.[k] ?? 0;
  return base;
}

/**
 * Return the indices of the parameters on the axes: `x-param` and `y-param` looked up in `names`,
 * by default the first two (a slice through the others at the current point). Throws
 * `unknown-name` for a name that is not a parameter.
 */
export function plotAxes(config: PlotConfig, names: readonly string[]): { ix: number; iy: number } {
  const find = (attribute: string, name: string | undefined, fallback: number): number => {
    if (name === undefined) return fallback;
    const k = names.indexOf(name);
    if (k < 0)
      throw new RoseError(
        'unknown-name',
        formatMessage(
          `invalid ${attribute}="${name}": no such parameter`,
          '<rose-plot>',
          `Name one of ${names.join(', ')}`,
        ),
      );
    return k;
  };
  const ix = find('x-param', config.xParam, 0);
  const iy = find('y-param', config.yParam, ix === 0 ? 1 : 0);
  return { ix, iy };
}
