/**
 * @file The attributes of `<rose-optimizer>` that configure the method (`method`,
 * `max-iterations`, the tolerances, `learning-rate`, `run-in`), checked and turned into the
 * options of `makeProblem`. A bad value is a `RoseError` naming the attribute, what was given,
 * and the fix; the element shows it.
 */
import type { RoseError } from '../../engine/errors.ts';
import type { MethodName, MethodOptions } from '../../engine/optim/settings.ts';
import { attributeError } from '../shared/element-error.ts';

/** The method attributes as the element holds them (numbers are NaN when not numbers). */
export interface OptimizerAttributes {
  readonly method: string;
  readonly maxIterations: number | undefined;
  readonly gradientTolerance: number | undefined;
  readonly stepTolerance: number | undefined;
  readonly valueTolerance: number | undefined;
  readonly constraintTolerance: number | undefined;
  readonly learningRate: number | undefined;
  readonly runIn: string;
}

/** The checked configuration. */
export interface OptimizerConfig {
  readonly options: MethodOptions;
  readonly runIn: 'worker' | 'main';
}

const TAG = 'rose-optimizer';
const METHODS: readonly string[] = ['lbfgs', 'adam', 'gd'];

/** The positive numeric attributes: property, attribute name, example. */
const POSITIVE = [
  ['gradientTolerance', 'gradient-tolerance', '1e-6'],
  ['stepTolerance', 'step-tolerance', '1e-12'],
  ['valueTolerance', 'value-tolerance', '1e-12'],
  ['constraintTolerance', 'constraint-tolerance', '1e-6'],
  ['learningRate', 'learning-rate', '0.01'],
] as const;

/**
 * Return the configuration of `a`; throw a `RoseError` for the first bad attribute. `raw` reads
 * an attribute's text (for messages). `learning-rate` only applies to adam and gd; with lbfgs it
 * is ignored (so switching `method` back and forth never breaks a page).
 */
export function parseOptimizerConfig(a: OptimizerAttributes, raw: (attribute: string) => string): OptimizerConfig {
  if (!METHODS.includes(a.method)) throw bad('method', raw('method'), `Use one of ${METHODS.join(', ')}`);
  const method = a.method as MethodName;
  const options: Record<string, unknown> = { method };
  const max = a.maxIterations;
  if (max !== undefined) {
    if (!Number.isInteger(max) || max < 0) throw bad('max-iterations', raw('max-iterations'), 'Write a whole number, e.g. 500');
    options['maxIterations'] = max;
  }
  for (const [key, attribute, example] of POSITIVE) {
    const v = a[key];
    if (v === undefined) continue;
    if (!(v > 0) || !Number.isFinite(v)) throw bad(attribute, raw(attribute), `Write a positive number, e.g. ${example}`);
    if (key === 'learningRate' && method === 'lbfgs') continue;
    options[key] = v;
  }
  if (a.runIn !== 'worker' && a.runIn !== 'main') throw bad('run-in', raw('run-in'), 'Use worker (the default) or main');
  return { options: options as MethodOptions, runIn: a.runIn };
}

function bad(attribute: string, value: string, fix: string): RoseError {
  return attributeError('invalid-value', TAG, attribute, value, fix);
}

/** Read an optional number attribute: absent or empty is undefined, anything else `Number(text)`. */
export const optionalNumber = {
  fromAttribute: (v: string | null): number | undefined => (v === null || v.trim() === '' ? undefined : Number(v)),
  toAttribute: (v: number | undefined): string | null => (v === undefined ? null : String(v)),
};
