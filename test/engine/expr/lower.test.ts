/**
 * @file Lowering on hand-written texts: objectives, the three comparisons and their signs, the
 * special integer powers (values and derivatives at 0), built-ins against `Math`, `pprint`
 * names, `expressionModel` (and its use by `minimize`), and lowering errors.
 */
import { describe, expect, it } from 'vitest';
import {
  Real,
  RoseError,
  compileSync,
  evaluateExpression,
  expressionEvaluator,
  expressionModel,
  fn,
  grad,
  interp,
  lowerConstraint,
  lowerExpression,
  lowerObjective,
  minimize,
  parseExpression,
  pprint,
} from '../../../engine/index.ts';

const XY = ['x', 'y'];

describe('objectives', () => {
  it('lower Rosenbrock to an Fn of Vec(2, Real) with the right value and gradient', () => {
    const f = lowerObjective('(1 - x)^2 + 100*(y - x^2)^2', XY);
    const x = [-1.2, 1];
    const value = (1 - x[0]!) ** 2 + 100 * (x[1]! - x[0]! ** 2) ** 2;
    expect(interp(f)(x)).toBeCloseTo(value, 12);
    expect(compileSync(f)(x)).toBe(interp(f)(x));
    const [gx, gy] = interp(grad(f))(x) as number[];
    expect(gx).toBeCloseTo(-2 * (1 - x[0]!) - 400 * x[0]! * (x[1]! - x[0]! ** 2), 10);
    expect(gy).toBeCloseTo(200 * (x[1]! - x[0]! ** 2), 10);
  });

  it('lower constant objectives and objectives that ignore parameters', () => {
    expect(interp(lowerObjective('2^10 - 1', XY))([5, 6])).toBe(1023);
    expect(interp(grad(lowerObjective('pi', XY)))([5, 6])).toEqual([0, 0]);
  });

  it('name the traced functions for pprint', () => {
    expect(pprint(lowerObjective('x*y', XY))).toMatch(/^fn objective/);
    expect(pprint(lowerConstraint('x <= y', XY).fn)).toMatch(/^fn constraint/);
  });

  it('compute every built-in like Math (interpreted)', () => {
    const cases: [string, (a: number, b: number) => number][] = [
      ['exp(x)', (a) => Math.exp(a)],
      ['log(y)', (_, b) => Math.log(b)],
      ['sin(x) + cos(y) + tan(x)', (a, b) => Math.sin(a) + Math.cos(b) + Math.tan(a)],
      ['asin(x) - acos(x) + atan(y)', (a, b) => Math.asin(a) - Math.acos(a) + Math.atan(b)],
      ['atan2(y, x)', (a, b) => Math.atan2(b, a)],
      ['sinh(x)*cosh(y)/tanh(y)', (a, b) => (Math.sinh(a) * Math.cosh(b)) / Math.tanh(b)],
      ['pow(y, x) + log1p(x) + expm1(y)', (a, b) => b ** a + Math.log1p(a) + Math.expm1(b)],
      ['hypot(x, y) + cbrt(y) + sqrt(y)', (a, b) => Math.hypot(a, b) + Math.cbrt(b) + Math.sqrt(b)],
      ['min(x, y) * max(x, y, 0)', (a, b) => Math.min(a, b) * Math.max(a, b, 0)],
      ['abs(x) + sign(x) + floor(y) + ceil(y) + trunc(x)', (a, b) => Math.abs(a) + Math.sign(a) + Math.floor(b) + Math.ceil(b) + Math.trunc(a)],
    ];
    for (const [text, reference] of cases) {
      const f = interp(lowerObjective(text, XY));
      for (const [a, b] of [[0.3, 2.5], [-0.7, 1.25]] as const) expect(f([a, b]), text).toBe(reference(a, b));
    }
  });
});

describe('powers with integer literal exponents', () => {
  const at = (text: string, x: number) => interp(lowerObjective(text, ['x']))([x]);
  const slope = (text: string, x: number) => (interp(grad(lowerObjective(text, ['x'])))([x]) as number[])[0];

  it('x^0 is 1 with derivative 0 everywhere, 0 and NaN included', () => {
    expect([at('x^0', 0), at('x^0', NaN), at('x^0', -3)]).toEqual([1, 1, 1]);
    expect([slope('x^0', 0), slope('x^0', 2)]).toEqual([0, 0]);
  });

  it('x^1, x^2, x^3 have exact derivatives at 0', () => {
    expect([slope('x^1', 0), slope('x^2', 0), slope('x^3', 0)]).toEqual([1, 0, 0]);
    expect(slope('x^2', 3)).toBe(6);
    expect(slope('x^3', -2)).toBe(12);
  });

  it('x^2 is x*x and x^-1 is 1/x, bit for bit', () => {
    for (const x of [0.1, 1 / 3, -7.3, 1e-200, 1e200]) {
      expect(at('x^2', x)).toBe(x * x);
      expect(at('x^-1', x)).toBe(1 / x);
      expect(at('x^-2', x)).toBe(x ** -2);
    }
  });

  it('powers of negative bases with integer exponents are real', () => {
    expect(at('x^3', -2)).toBe(-8);
    expect(at('x^-3', -2)).toBe(-0.125);
    expect(Number.isNaN(at('x^0.5', -4))).toBe(true);
  });

  it('general powers use pow, with the derivative in both arguments', () => {
    const f = lowerObjective('x^y', XY);
    const [gx, gy] = interp(grad(f))([2, 3]) as number[];
    expect(gx).toBe(3 * 2 ** 2);
    expect(gy).toBeCloseTo(8 * Math.log(2), 14);
  });
});

describe('constraints', () => {
  const value = (text: string, x: readonly number[]) => interp(lowerConstraint(text, XY).fn)(x as number[]);

  it('a <= b lowers to a - b <= 0 (ineq)', () => {
    const c = lowerConstraint('x^2 + y^2 <= 1', XY);
    expect(c.type).toBe('ineq');
    expect(value('x^2 + y^2 <= 1', [1, 2])).toBe(4);
  });

  it('a >= b lowers to b - a <= 0 (ineq)', () => {
    const c = lowerConstraint('x >= 2*y', XY);
    expect(c.type).toBe('ineq');
    expect(value('x >= 2*y', [1, 2])).toBe(3);
    expect(value('x >= 2*y', [5, 2])).toBe(-1);
  });

  it('a == b lowers to a - b = 0 (eq)', () => {
    const c = lowerConstraint('x + y == 1', XY);
    expect(c.type).toBe('eq');
    expect(value('x + y == 1', [0.25, 0.5])).toBe(-0.25);
  });

  it('agree with evaluateExpression and keep the parsed comparison', () => {
    for (const text of ['exp(x) <= y', 'exp(x) >= y', 'exp(x) == y']) {
      const c = lowerConstraint(text, XY);
      expect(c.parsed.root.kind).toBe('compare');
      expect(interp(c.fn)([0.5, 2])).toBe(evaluateExpression(c.parsed, [0.5, 2]));
    }
  });

  it('reject an objective-like text with a precise error', () => {
    expect(() => lowerConstraint('x + y', XY, { label: 'constraint 2' })).toThrowError(
      /a constraint without a comparison \(in constraint 2 at line 1, column 1\)/,
    );
  });
});

describe('expressionModel', () => {
  const spec = {
    params: [
      { name: 'x', value: 2 },
      { name: 'y', value: 0 },
    ],
    objective: '(x - 3)^2 + (y - 3)^2',
    constraints: ['x^2 + y^2 <= 4', { text: 'x == y', label: 'the diagonal' }],
  };

  it('returns names, start point, objective and constraints', () => {
    const model = expressionModel(spec);
    expect(model.names).toEqual(['x', 'y']);
    expect(model.x0).toEqual([2, 0]);
    expect(interp(model.objective)([2, 0])).toBe(10);
    expect(model.constraints.map((c) => c.type)).toEqual(['ineq', 'eq']);
    expect(evaluateExpression(model.parsedObjective, [0, 0])).toBe(18);
  });

  it('labels errors by constraint number or by the given label', () => {
    expect(() => expressionModel({ ...spec, constraints: ['x <= 1', 'x + q <= 1'] })).toThrowError(
      /unknown name 'q' \(in constraint 2 at line 1, column 5\)/,
    );
    expect(() => expressionModel({ ...spec, constraints: [{ text: 'x <= 1 <= 2', label: 'the box' }] })).toThrowError(
      /in the box at line 1, column 8/,
    );
    expect(() => expressionModel({ ...spec, objective: 'x <= 1' })).toThrowError(/comparison '<=' in an objective/);
  });

  it('rejects bad parameters and start values', () => {
    const bad = (params: unknown, message: RegExp) => {
      try {
        expressionModel({ ...spec, params: params as never });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(RoseError);
        expect((err as RoseError).code).toBe('invalid-value');
        expect((err as Error).message).toMatch(message);
      }
    };
    bad([{ name: 'x', value: NaN }, { name: 'y', value: 0 }], /parameter 'x' has the value NaN, not a finite number/);
    bad([{ name: 'x', value: '1' }, { name: 'y', value: 0 }], /parameter 'x' has the value 1/);
    bad([{ name: 'x', value: 1 }, { name: 'x', value: 0 }], /'x': it is given twice/);
    bad([{ name: 'e', value: 1 }, { name: 'y', value: 0 }], /built-in constant/);
    bad('x', /must be an array/);
  });

  it('feeds minimize: the closest point of the disc and the diagonal to (3, 3)', async () => {
    const model = expressionModel(spec);
    const result = await minimize(model.objective, model.x0, { constraints: model.constraints });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(Math.SQRT2, 5);
    expect(result.x[1]).toBeCloseTo(Math.SQRT2, 5);
  });
});

describe('large and deep expressions', () => {
  it('a 20,000-term sum lowers, runs and differentiates (no recursion limits)', () => {
    const text = Array.from({ length: 20000 }, (_, i) => `${i % 7}*x^2`).join(' + ');
    const parsed = parseExpression(text, { params: ['x'] });
    const f = lowerExpression(parsed);
    const want = evaluateExpression(parsed, [2]);
    expect(want).toBe(239988);
    expect(interp(f)([2])).toBe(want);
    expect(compileSync(f)([2])).toBe(want);
    expect(interp(grad(f))([2])).toEqual([239988]);
  });

  it('199 nested calls lower and differentiate', () => {
    const text = `${'sin('.repeat(199)}x${')'.repeat(199)}`;
    const f = lowerExpression(parseExpression(text, { params: ['x'] }));
    let value = 0.5;
    let slope = 1;
    for (let i = 0; i < 199; i++) {
      slope *= Math.cos(value);
      value = Math.sin(value);
    }
    expect(interp(f)([0.5])).toBe(value);
    expect((compileSync(grad(f))([0.5]) as number[])[0]).toBeCloseTo(slope, 12);
  });
});

describe('expressionEvaluator', () => {
  it('evaluates many points like evaluateExpression, reusing its stack', () => {
    const parsed = parseExpression('max(x, y, 0) >= (1 - x)^2 + 100*(y - x^2)^2', { params: XY });
    const evaluate = expressionEvaluator(parsed);
    for (const p of [[0, 0], [-1.2, 1], [3, -2], [NaN, 1], [1e200, 1]]) {
      expect(Object.is(evaluate(p), evaluateExpression(parsed, p))).toBe(true);
    }
  });

  it('runs a 100,000-term sum without recursion', () => {
    const text = Array.from({ length: 100000 }, (_, i) => `${i % 7}*x`).join(' + ');
    expect(expressionEvaluator(parseExpression(text, { params: ['x'] }))([1])).toBe(299995); // 14285 * (0 + ... + 6) + (0 + ... + 4)
  });

  it('asks for one number per parameter', () => {
    const evaluate = expressionEvaluator(parseExpression('x + y', { params: XY }));
    expect(() => evaluate([1])).toThrowError(/reads 2 parameter value\(s\), got 1/);
  });
});

describe('lowering errors', () => {
  it('inside a traced fn body is the engine nested-fn error', () => {
    try {
      fn([Real], Real, (x) => {
        lowerObjective('x', ['x']);
        return x;
      });
      expect.unreachable();
    } catch (err) {
      expect((err as RoseError).code).toBe('nested-fn');
    }
  });

  it('evaluateExpression asks for one number per parameter', () => {
    expect(() => evaluateExpression(parseExpression('x + y', { params: XY }), [1])).toThrowError(
      /no number for parameter 'y' \(index 1\); got 1 value/,
    );
  });
});
