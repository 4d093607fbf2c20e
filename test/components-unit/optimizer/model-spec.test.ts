/** @file Node: building `<rose-optimizer>` models from markup specs and from the `model` property; tidying text; options. */
import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../../engine/expr/diagnostics.ts';
import { Real, Vec, fn, interp, mul } from '../../../engine/index.ts';
import {
  buildMarkupModel,
  buildPropertyModel,
  isModelFailure,
  tidyText,
  type MarkupSpec,
  type ModelFailure,
} from '../../../components/rose-optimizer/model-spec.ts';
import { parseOptimizerConfig, type OptimizerAttributes } from '../../../components/rose-optimizer/options.ts';

/** Return what `build` throws, as a `ModelFailure`. */
function failureOf(build: () => unknown): ModelFailure<string> {
  try {
    build();
  } catch (e) {
    if (isModelFailure(e)) return e as ModelFailure<string>;
    throw e;
  }
  throw new Error('expected a failure');
}

const ROSENBROCK: MarkupSpec<string> = {
  params: [
    { name: 'x', value: -1.2, min: -2, max: 2, element: 'px' },
    { name: 'y', value: 1, element: 'py' },
    { name: 'p', value: 3, fixed: true, element: 'pp' },
  ],
  objectives: [{ text: '(1 - x)^2 + 100*(y - x^2)^2 + 0*p', element: 'obj' }],
  constraints: [{ text: 'x + y <= p', label: 'budget', element: 'c1' }],
};

describe('buildMarkupModel', () => {
  it('builds names, start, bounds, fixed flags, objective and constraints', () => {
    const m = buildMarkupModel(ROSENBROCK);
    expect(m.names).toEqual(['x', 'y', 'p']);
    expect(m.x0).toEqual([-1.2, 1, 3]);
    expect(m.bounds).toEqual([{ min: -2, max: 2 }, { min: undefined, max: undefined }, { min: undefined, max: undefined }]);
    expect(m.fixed).toEqual([false, false, true]);
    expect(m.expression).toBe('(1 - x)^2 + 100*(y - x^2)^2 + 0*p');
    expect((interp(m.objective) as unknown as (x: number[]) => number)([1, 1, 3])).toBe(0);
    expect(m.constraints).toHaveLength(1);
    expect(m.constraints[0]!.type).toBe('ineq');
    expect((interp(m.constraints[0]!.fn) as unknown as (x: number[]) => number)([1, 1, 3])).toBe(-1);
  });

  it('locates expression errors at their element, with line and column', () => {
    const f = failureOf(() =>
      buildMarkupModel({ ...ROSENBROCK, constraints: [{ text: 'x +\n  q <= 1', label: 'budget', element: 'c1' }] }),
    );
    expect(f.element).toBe('c1');
    expect(f.error).toBeInstanceOf(ExpressionError);
    expect(f.error.code).toBe('unknown-name');
    expect((f.error as ExpressionError).position).toMatchObject({ line: 2, column: 3 });
    expect(f.error.message).toContain('constraint "budget"');
    const g = failureOf(() => buildMarkupModel({ ...ROSENBROCK, objectives: [{ text: 'x^', element: 'obj' }] }));
    expect(g.element).toBe('obj');
    expect(g.error.code).toBe('syntax');
  });

  it('rejects markup without parameters or objective, duplicates, bad values and bounds', () => {
    const cases: [MarkupSpec<string>, string, string | undefined][] = [
      [{ ...ROSENBROCK, params: [] }, 'no parameters', undefined],
      [{ ...ROSENBROCK, objectives: [] }, 'no objective', undefined],
      [{ ...ROSENBROCK, objectives: [ROSENBROCK.objectives[0]!, { text: 'x', element: 'o2' }] }, '2 objectives', 'o2'],
      [{ ...ROSENBROCK, params: [...ROSENBROCK.params, { name: 'x', value: 0, element: 'dup' }] }, 'declared twice', 'dup'],
      [{ ...ROSENBROCK, params: [{ name: 'x', value: NaN, element: 'nan' }] }, 'not a finite number', 'nan'],
      [{ ...ROSENBROCK, params: [{ name: '2x', value: 0, element: 'bad' }] }, 'is not a name', 'bad'],
      [{ ...ROSENBROCK, params: [{ name: 'x', value: 0, min: 1, max: 0, element: 'box' }] }, 'min 1 and max 0', 'box'],
    ];
    for (const [spec, text, element] of cases) {
      const f = failureOf(() => buildMarkupModel(spec));
      expect(f.error.code, text).toBe('invalid-value');
      expect(f.error.message, text).toContain(text);
      expect(f.error.message, text).toContain('<rose-optimizer>');
      expect(f.element, text).toBe(element);
    }
  });
});

describe('buildPropertyModel', () => {
  const square = fn([Vec(2, Real)], Real, (v) => mul(v[0]!, v[1]!));

  it('takes engine functions and parameter objects', () => {
    const m = buildPropertyModel({ parameters: [{ name: 'a', value: 1 }, { name: 'b', value: 2, min: 0, max: 5, fixed: true }], objective: square });
    expect(m.names).toEqual(['a', 'b']);
    expect(m.x0).toEqual([1, 2]);
    expect(m.fixed).toEqual([false, true]);
    expect(m.objective).toBe(square);
    expect(m.expression).toBeUndefined();
  });

  it('rejects malformed models with messages naming the property', () => {
    expect(failureOf(() => buildPropertyModel(42)).error.message).toContain('model property');
    expect(failureOf(() => buildPropertyModel({ parameters: [{ name: 'a', value: 0 }], objective: 'x' })).error.message).toContain('the objective');
    expect(failureOf(() => buildPropertyModel({ parameters: [{ name: 'a', value: 0 }], objective: square, constraints: {} })).error.message).toContain('constraints');
  });
});

describe('tidyText', () => {
  it('drops blank lines around, trailing space and common indentation', () => {
    expect(tidyText('\n    (1 - x)^2 +\n      y^2   \n  ')).toBe('(1 - x)^2 +\n  y^2');
    expect(tidyText('x')).toBe('x');
    expect(tidyText('  \n \n')).toBe('');
    expect(tidyText('\r\n\ta\r\n\t\tb')).toBe('a\n\tb');
  });
});

describe('parseOptimizerConfig', () => {
  const base: OptimizerAttributes = {
    method: 'lbfgs',
    maxIterations: undefined,
    gradientTolerance: undefined,
    stepTolerance: undefined,
    valueTolerance: undefined,
    constraintTolerance: undefined,
    learningRate: undefined,
    runIn: 'worker',
  };
  const raw = (a: string) => `<${a}>`;

  it('maps attributes to options; learning-rate is ignored by lbfgs', () => {
    expect(parseOptimizerConfig({ ...base, maxIterations: 50, gradientTolerance: 1e-8, learningRate: 0.1 }, raw)).toEqual({
      options: { method: 'lbfgs', maxIterations: 50, gradientTolerance: 1e-8 },
      runIn: 'worker',
    });
    expect(parseOptimizerConfig({ ...base, method: 'adam', learningRate: 0.1, runIn: 'main' }, raw)).toEqual({
      options: { method: 'adam', learningRate: 0.1 },
      runIn: 'main',
    });
  });

  it('names the bad attribute and the fix', () => {
    const bad = (a: Partial<OptimizerAttributes>) => {
      try {
        parseOptimizerConfig({ ...base, ...a }, raw);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(bad({ method: 'newton' })).toContain('invalid method="<method>"');
    expect(bad({ maxIterations: 2.5 })).toContain('max-iterations');
    expect(bad({ stepTolerance: -1 })).toContain('step-tolerance');
    expect(bad({ learningRate: NaN })).toContain('learning-rate');
    expect(bad({ runIn: 'gpu' })).toContain('run-in');
  });
});
