/**
 * @file Every user mistake in expression text is an `ExpressionError` (a `RoseError`) with a
 * stable code, a position (line, column, offset, length) that points at the culprit, a message
 * with that line and column and a caret excerpt, and a hint saying how to fix it.
 */
import { describe, expect, it } from 'vitest';
import { RoseError, type RoseErrorCode } from '../../../engine/errors.ts';
import { ExpressionError, caretExcerpt, closestName, editDistance } from '../../../engine/expr/diagnostics.ts';
import { parseExpression, type ExpressionKind } from '../../../engine/expr/parser.ts';

/** Return the error parsing `text` throws, checking its class. */
function errorOf(text: string, kind: ExpressionKind = 'objective', params: readonly string[] = ['x', 'y']): ExpressionError {
  try {
    parseExpression(text, { kind, params });
  } catch (err) {
    expect(err).toBeInstanceOf(ExpressionError);
    expect(err).toBeInstanceOf(RoseError);
    return err as ExpressionError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

interface Case {
  readonly text: string;
  readonly kind?: ExpressionKind;
  readonly code: RoseErrorCode;
  /** The text the position covers. */
  readonly at: string;
  readonly problem: RegExp;
  readonly hint: RegExp;
}

const CASES: readonly Case[] = [
  { text: '', code: 'syntax', at: '', problem: /objective is empty/, hint: /\(1 - x\)\^2/ },
  { text: '  # only a comment', code: 'syntax', at: '', problem: /empty/, hint: /Write an expression/ },
  { text: 'x + z', code: 'unknown-name', at: 'z', problem: /unknown name 'z'/, hint: /parameters are 'x' and 'y'/ },
  { text: 'x + yy', code: 'unknown-name', at: 'yy', problem: /unknown name 'yy'/, hint: /did you mean 'y'\?/ },
  { text: 'x + PI', code: 'unknown-name', at: 'PI', problem: /unknown name 'PI'/, hint: /did you mean 'pi'\?/ },
  { text: 'sinn(x)', code: 'unknown-name', at: 'sinn', problem: /unknown function 'sinn'/, hint: /Did you mean 'sin'\?/ },
  { text: 'lg(x)', code: 'unknown-name', at: 'lg', problem: /unknown function 'lg'/, hint: /functions are 'exp', 'log'/ },
  { text: 'x(y + 1)', code: 'unknown-name', at: 'x', problem: /'x' is a parameter, not a function/, hint: /x\*\(/ },
  { text: 'sin(x, y)', code: 'arity', at: 'sin(x, y)', problem: /sin takes 1 argument, got 2/, hint: /sin\(x\)/ },
  { text: 'atan2(y)', code: 'arity', at: 'atan2(y)', problem: /atan2 takes 2 arguments, got 1/, hint: /atan2\(x, y\)/ },
  { text: 'max(x)', code: 'arity', at: 'max(x)', problem: /max takes at least 2 arguments, got 1/, hint: /max\(x, y\)/ },
  { text: 'exp()', code: 'arity', at: 'exp()', problem: /got 0/, hint: /exp\(x\)/ },
  { text: 'sin + 1', code: 'syntax', at: 'sin', problem: /'sin' is a function/, hint: /sin\(x\)/ },
  { text: 'x +', code: 'syntax', at: '', problem: /ends after '\+'/, hint: /Complete the expression/ },
  { text: 'x * / y', code: 'syntax', at: '/', problem: /expected a value, found the operator '\/'/, hint: /number, a parameter/ },
  { text: '()', code: 'syntax', at: ')', problem: /found the operator '\)'/, hint: /inside the parentheses/ },
  { text: '(1 - x', code: 'syntax', at: '(', problem: /'\(' is never closed/, hint: /Add a '\)'/ },
  { text: 'sin(x', code: 'syntax', at: '(', problem: /never closed/, hint: /call of sin/ },
  { text: 'x)', code: 'syntax', at: ')', problem: /unmatched '\)'/, hint: /Remove it/ },
  { text: '(x y)', code: 'syntax', at: 'y', problem: /missing operator before 'y'/, hint: /x\*y/ },
  { text: '2x', code: 'syntax', at: 'x', problem: /missing operator before 'x'/, hint: /2\*x/ },
  { text: '2(x)', code: 'syntax', at: '(', problem: /missing operator before '\('/, hint: /'\*'/ },
  { text: '3exp(x)', code: 'syntax', at: 'exp', problem: /missing operator/, hint: /3\*exp.*3e3/ },
  { text: 'x, y', code: 'syntax', at: ',', problem: /',' outside a function call/, hint: /max\(x, y\)/ },
  { text: '(x, y)', code: 'syntax', at: ',', problem: /',' inside parentheses/, hint: /arguments/ },
  { text: '1.2.3 * x', code: 'syntax', at: '1.2.3', problem: /malformed number '1\.2\.3'/, hint: /one decimal point/ },
  { text: 'x - 1e5.5', code: 'syntax', at: '1e5.5', problem: /malformed number/, hint: /before any exponent/ },
  { text: 'x * 1e-', code: 'syntax', at: '1e-', problem: /exponent of '1e-' has no digits/, hint: /1e-3/ },
  { text: 'x * 1e999', code: 'syntax', at: '1e999', problem: /too large/, hint: /smaller/ },
  { text: 'x ** 2', code: 'syntax', at: '**', problem: /'\*\*' is not an operator/, hint: /x\^2/ },
  { text: 'x $ y', code: 'syntax', at: '$', problem: /unexpected character '\$'/, hint: /Expressions use/ },
  { text: 'x × y', code: 'syntax', at: '×', problem: /unexpected character/, hint: /'\*' for a product/ },
  { text: '[x]', code: 'syntax', at: '[', problem: /unexpected character '\['/, hint: /parentheses/ },
  { text: 'x <= 1', code: 'syntax', at: '<=', problem: /comparison '<=' in an objective/, hint: /<rose-constraint>/ },
  { text: 'x + y', kind: 'constraint', code: 'syntax', at: 'x + y', problem: /without a comparison/, hint: /<=, >= or ==/ },
  { text: 'x = 1', kind: 'constraint', code: 'syntax', at: '=', problem: /'=' alone/, hint: /'=='/ },
  { text: 'x < 1', kind: 'constraint', code: 'syntax', at: '<', problem: /strict '<'/, hint: /'<='/ },
  { text: 'x > 1', kind: 'constraint', code: 'syntax', at: '>', problem: /strict '>'/, hint: /'>='/ },
  { text: 'x != 1', kind: 'constraint', code: 'syntax', at: '!=', problem: /'!=' is not supported/, hint: /<=, >= or ==/ },
  { text: 'x =< 1', kind: 'constraint', code: 'syntax', at: '=<', problem: /'=<'/, hint: /'<='/ },
  { text: 'x => 1', kind: 'constraint', code: 'syntax', at: '=>', problem: /'=>'/, hint: /'>='/ },
  { text: '0 <= x <= 1', kind: 'constraint', code: 'syntax', at: '<=', problem: /second comparison/, hint: /two constraints/ },
  { text: '(x <= 1)', kind: 'constraint', code: 'syntax', at: '<=', problem: /comparison '<=' inside the parenthesis/, hint: /top of a constraint/ },
  { text: 'max(x <= 1, y)', kind: 'constraint', code: 'syntax', at: '<=', problem: /inside the call of max/, hint: /once/ },
  { text: '<= 1', kind: 'constraint', code: 'syntax', at: '<=', problem: /found the comparison '<='/, hint: /A value is/ },
  { text: '', kind: 'constraint', code: 'syntax', at: '', problem: /constraint is empty/, hint: /<= 1/ },
];

describe('each mistake gives a precise ExpressionError', () => {
  for (const c of CASES) {
    it(`${JSON.stringify(c.text)} (${c.kind ?? 'objective'})`, () => {
      const err = errorOf(c.text, c.kind);
      expect(err.code).toBe(c.code);
      expect(err.problem).toMatch(c.problem);
      expect(err.hint).toMatch(c.hint);
      const { offset, length, line, column } = err.position;
      expect(c.text.slice(offset, offset + length)).toBe(c.at);
      expect(line).toBe(1);
      expect(column).toBe(offset + 1);
      expect(err.message).toContain(`line 1, column ${column}`);
      expect(err.message).toContain(err.problem);
      expect(err.message).toContain(err.hint);
      expect(err.message.split('\n').slice(1)).toEqual(caretExcerpt(c.text, offset, length).split('\n'));
    });
  }
});

describe('positions and excerpts', () => {
  it('count lines and columns from 1 on multi-line text', () => {
    const text = '(1 - x)^2\n  + 100*(y - w^2)^2';
    const err = errorOf(text);
    expect(err.position).toEqual({ line: 2, column: 14, offset: 23, length: 1 });
    expect(err.message).toContain('in the objective at line 2, column 14');
    expect(err.message).toContain("  2 |   + 100*(y - w^2)^2\n    |              ^");
  });

  it('name the text with the given label', () => {
    try {
      parseExpression('x + q', { params: ['x'], label: 'constraint 3' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain('(in constraint 3 at line 1, column 5)');
    }
  });

  it('keep tabs under tabs and shorten long lines around the problem', () => {
    expect(caretExcerpt('\tx + ?', 5, 1)).toBe('  1 | \tx + ?\n    | \t    ^');
    const long = `${'x + '.repeat(60)}?`;
    const excerpt = caretExcerpt(long, long.length - 1, 1);
    const [line, caret] = excerpt.split('\n') as [string, string];
    expect(line.length).toBeLessThan(100);
    expect(line.startsWith('  1 | …')).toBe(true);
    expect(line[caret.indexOf('^')]).toBe('?');
  });

  it('point at the end of the text when it ends early', () => {
    const err = errorOf('(x +\n');
    expect(err.position).toEqual({ line: 2, column: 1, offset: 5, length: 0 });
  });
});

describe('suggestions', () => {
  it('use edit distance with swaps', () => {
    expect(editDistance('theta', 'thtea')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestName('thtea', ['alpha', 'theta'])).toBe('theta');
    expect(closestName('Alpha', ['alpha', 'beta'])).toBe('alpha');
  });

  it('only suggest plausible typos', () => {
    expect(closestName('z', ['x', 'y'])).toBeUndefined();
    expect(closestName('X', ['x', 'y'])).toBe('x');
    expect(closestName('velocity', ['x', 'y'])).toBeUndefined();
    const err = errorOf('x + z');
    expect(err.hint).not.toContain('did you mean');
  });

  it('say when there are no parameters', () => {
    expect(errorOf('x', 'objective', []).hint).toMatch(/There are no parameters/);
  });
});

describe('parameter lists', () => {
  const bad: [readonly string[], RegExp][] = [
    [['x', 'e'], /invalid parameter name 'e': it is a built-in constant.*Rename the parameter, e.g. 'e1'/],
    [['pi'], /'pi': it is a built-in constant/],
    [['sin'], /'sin': it is a built-in function/],
    [['x', 'x'], /'x': it is given twice/],
    [['2x'], /'2x': not a name/],
    [['a b'], /'a b': not a name/],
    [[''], /'': not a name/],
  ];
  for (const [params, message] of bad) {
    it(`rejects ${JSON.stringify(params)}`, () => {
      expect(() => parseExpression('1', { params })).toThrowError(message);
      try {
        parseExpression('1', { params });
      } catch (err) {
        expect((err as RoseError).code).toBe('invalid-value');
      }
    });
  }

  it('rejects text that is not a string', () => {
    expect(() => parseExpression(42 as unknown as string)).toThrowError(/expected the text of the expression as a string/);
  });
});
