/**
 * @file Parsing the attributes of `<rose-plot>` into a checked configuration. Every problem is a
 * `RoseError` naming the attribute, the text given and the fix; the element shows it.
 */
import { attributeError } from '../shared/element-error.ts';
import { isName } from '../../engine/expr/parser.ts';

/** The kinds of plot. */
export const PLOT_KINDS = ['contour', 'curve', 'loss', 'trace'] as const;
/** A kind of plot. */
export type PlotKind = (typeof PLOT_KINDS)[number];

/** The attributes of a plot, as the element holds them. */
export interface PlotAttributes {
  readonly kind: string;
  readonly xRange: string | undefined;
  readonly yRange: string | undefined;
  readonly levels: number;
  readonly params: string | undefined;
  readonly xParam: string | undefined;
  readonly yParam: string | undefined;
}

/** A checked configuration. */
export interface PlotConfig {
  readonly kind: PlotKind;
  readonly xRange: readonly [number, number] | undefined;
  readonly yRange: readonly [number, number] | undefined;
  readonly levels: number;
  /** Parameter names from the `params` attribute, if given. */
  readonly params: readonly string[] | undefined;
  /** The parameters on the axes (`x-param`, `y-param`), checked against the names when drawing. */
  readonly xParam: string | undefined;
  readonly yParam: string | undefined;
}

const TAG = 'rose-plot';

/** Return the checked configuration of `a`; throw a `RoseError` for the first bad attribute. */
export function parseConfig(a: PlotAttributes): PlotConfig {
  if (!(PLOT_KINDS as readonly string[]).includes(a.kind))
    throw attributeError('invalid-value', TAG, 'kind', a.kind, `Use one of ${PLOT_KINDS.join(', ')}`);
  if (!Number.isInteger(a.levels) || a.levels < 1 || a.levels > 100)
    throw attributeError('invalid-value', TAG, 'levels', String(a.levels), 'Use a whole number from 1 to 100');
  return {
    kind: a.kind as PlotKind,
    xRange: parseRange('x-range', a.xRange),
    yRange: parseRange('y-range', a.yRange),
    levels: a.levels,
    params: parseParams(a.params),
    xParam: a.xParam?.trim() || undefined,
    yParam: a.yParam?.trim() || undefined,
  };
}

/** Return the range written as two numbers (`"-2 2"`, `"-2, 2"`), or undefined when absent. */
export function parseRange(attribute: string, text: string | undefined): [number, number] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const parts = text.trim().split(/[\s,]+/);
  const values = parts.map(Number);
  const fix = `Write two numbers, the smaller first, e.g. ${attribute}="-2 2"`;
  if (values.length !== 2 || !values.every(Number.isFinite))
    throw attributeError('invalid-value', TAG, attribute, text, fix);
  const [lo, hi] = values as [number, number];
  if (!(lo < hi)) throw attributeError('invalid-value', TAG, attribute, text, fix);
  return [lo, hi];
}

/** Return the parameter names of a `params` attribute (`"x y"`), or undefined when absent. */
export function parseParams(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const names = text.trim().split(/[\s,]+/);
  for (const name of names)
    if (!isName(name))
      throw attributeError('invalid-value', TAG, 'params', text,
        'List parameter names separated by spaces, e.g. params="x y"');
  if (new Set(names).size !== names.length)
    throw attributeError('invalid-value', TAG, 'params', text, 'Name each parameter once');
  return names;
}
