/**
 * @file The pure logic of `<rose-param>`: validating its attributes and formatting its readout.
 */
import { RoseError } from '../../engine/errors.ts';
import { attributeError } from '../shared/element-error.ts';
import { isName } from '../../engine/expr/parser.ts';

/** The numeric attributes of a parameter as the element holds them (undefined when absent). */
export interface ParamAttributes {
  readonly name: string;
  readonly value: number;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly step: number | undefined;
}

/** Return the first problem with `p` as a `RoseError`, or undefined when it is valid. */
export function validateParam(p: ParamAttributes, raw: (attr: string) => string): RoseError | undefined {
  const tag = 'rose-param';
  if (!isName(p.name))
    return attributeError('invalid-value', tag, 'name', p.name,
      'Give a name made of letters, digits and _, starting with a letter (it is used in expressions)');
  for (const attr of ['min', 'max', 'step'] as const) {
    const v = p[attr];
    if (v !== undefined && !Number.isFinite(v))
      return attributeError('invalid-value', tag, attr, raw(attr), 'Write a finite number, e.g. 0.5 or -2');
  }
  if (!Number.isFinite(p.value))
    return attributeError('invalid-value', tag, 'value', raw('value'), 'Write a finite number, e.g. -1.2');
  if (p.min !== undefined && p.max !== undefined && !(p.min < p.max))
    return attributeError('invalid-value', tag, 'max', raw('max'), `Make max larger than min (${p.min})`);
  if (p.step !== undefined && !(p.step > 0))
    return attributeError('invalid-value', tag, 'step', raw('step'), 'Write a positive step, or "any"');
  return undefined;
}

/** Return the slider step: `step`, or a hundredth-ish of the range rounded to 1, 2 or 5 x 10^k. */
export function sliderStep(p: ParamAttributes): number {
  if (p.step !== undefined) return p.step;
  if (p.min === undefined || p.max === undefined) return 1;
  const raw = (p.max - p.min) / 200;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * power;
}

/** Return the readout of `value`: as many decimals as `step` has (at least 2), or 4 significant digits. */
export function formatParamValue(value: number, step: number | undefined): string {
  if (!Number.isFinite(value)) return String(value);
  let text: string;
  if (step !== undefined && step > 0 && step >= 1e-6) {
    const decimals = Math.max(2, Math.min(8, Math.ceil(-Math.log10(step) - 1e-9)));
    text = value.toFixed(decimals);
  } else {
    const a = Math.abs(value);
    text = a !== 0 && (a >= 1e6 || a < 1e-4) ? value.toExponential(3) : String(Number(value.toPrecision(4)));
  }
  return text.replace(/^-/, '\u2212');
}
