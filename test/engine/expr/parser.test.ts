/**
 * @file The parser on hand-written texts: precedence and associativity (`-x^2`, `2^-1`,
 * `a^b^c`, `a-b-c`), numbers, constants, calls, comparisons, whitespace and comments, Unicode
 * names, parameter inference, spans, and the printer's parentheses.
 */
import { describe, expect, it } from 'vitest';
import { parseExpression } from '../../../engine/expr/parser.ts';
import { printExpression } from '../../../engine/expr/print.ts';
import { evaluateExpression } from '../../../engine/expr/evaluate.ts';
import type { Root } from '../../../engine/expr/ast.ts';

/** Return a fully parenthesized rendering of a tree, to make precedence visible. */
function shape(root: Root): string {
  switch (root.kind) {
    case 'number':
      return String(root.value);
    case 'constant':
    case 'param':
      return root.name;
    case 'unary':
      return `(${root.op}${shape(root.operand)})`;
    case 'binary':
    case 'compare':
      return `(${shape(root.left)} ${root.op} ${shape(root.right)})`;
    case 'call':
      return `${root.name}(${root.args.map(shape).join(', ')})`;
  }
}

const parse = (text: string) => parseExpression(text, { params: ['x', 'y', 'a', 'b', 'c'] });
const shapeOf = (text: string) => shape(parse(text).root);

describe('precedence and associativity', () => {
  const cases: [string, string][] = [
    ['-x^2', '(-(x ^ 2))'],
    ['2^-1', '(2 ^ (-1))'],
    ['a^b^c', '(a ^ (b ^ c))'],
    ['-a^-b^c', '(-(a ^ (-(b ^ c))))'],
    ['a-b-c', '((a - b) - c)'],
    ['a/b/c', '((a / b) / c)'],
    ['a+b*c', '(a + (b * c))'],
    ['a*b+c', '((a * b) + c)'],
    ['-a*b', '((-a) * b)'],
    ['a*-b', '(a * (-b))'],
    ['a - -b', '(a - (-b))'],
    ['--a', '(-(-a))'],
    ['+a', '(+a)'],
    ['(a+b)^2', '((a + b) ^ 2)'],
    ['2^x^2', '(2 ^ (x ^ 2))'],
    ['a^(b+c)*2', '((a ^ (b + c)) * 2)'],
    ['x + y <= 1', '((x + y) <= 1)'],
    ['x^2 >= -1 + y', '((x ^ 2) >= ((-1) + y))'],
    ['max(a, b, c) == min(a,b)', '(max(a, b, c) == min(a, b))'],
    ['atan2(-y, x)', 'atan2((-y), x)'],
  ];
  for (const [text, want] of cases) {
    it(text, () => expect(shapeOf(text)).toBe(want));
  }

  it('-x^2 is -(x^2) in value too', () => {
    expect(evaluateExpression(parse('-x^2'), [3])).toBe(-9);
    expect(evaluateExpression(parse('2^-1'), [])).toBe(0.5);
    expect(evaluateExpression(parse('2^3^2'), [])).toBe(512);
  });
});

describe('numbers, names and layout', () => {
  it('reads integers, decimals and exponents', () => {
    const values = ['0', '42', '3.25', '.5', '5.', '1e-3', '2.5E+2', '1e21', '0.000001'].map(
      (t) => (parseExpression(t).root as { value: number }).value,
    );
    expect(values).toEqual([0, 42, 3.25, 0.5, 5, 1e-3, 250, 1e21, 1e-6]);
  });

  it('knows pi and e', () => {
    expect(evaluateExpression(parseExpression('pi'), [])).toBe(Math.PI);
    expect(evaluateExpression(parseExpression('e^2'), [])).toBe(Math.E * Math.E);
    expect(parseExpression('pi + e').params).toEqual([]);
  });

  it('skips whitespace, newlines and # comments', () => {
    const text = '# Rosenbrock\n(1 - x)^2   # valley\n\t+ 100 *\r\n (y - x^2)^2\n# end';
    const parsed = parseExpression(text, { params: ['x', 'y'] });
    expect(printExpression(parsed.root)).toBe('(1 - x)^2 + 100*(y - x^2)^2');
  });

  it('accepts Unicode letters, digits and _ in names', () => {
    const parsed = parseExpression('θ_1 * r2 + 𝑥 + Δ', {});
    expect(parsed.params).toEqual(['θ_1', 'r2', '𝑥', 'Δ']);
  });

  it('infers parameters in order of first appearance when none are given', () => {
    expect(parseExpression('b*sin(a) + b + c^a').params).toEqual(['b', 'a', 'c']);
  });

  it('indexes parameters by the given list', () => {
    const parsed = parseExpression('y - x', { params: ['x', 'y'] });
    expect(parsed.params).toEqual(['x', 'y']);
    expect(evaluateExpression(parsed, [1, 10])).toBe(9);
  });

  it('reads a built-in name before ( as a call, spaces allowed', () => {
    expect(shapeOf('sin (x)*cos(\n y )')).toBe('(sin(x) * cos(y))');
  });

  it('takes min and max with two or more arguments', () => {
    expect(evaluateExpression(parse('max(x, y, a, b)'), [1, 5, 3, 2])).toBe(5);
    expect(evaluateExpression(parse('min(x, y, a)'), [1, -5, 3])).toBe(-5);
  });
});

describe('spans', () => {
  it('cover each node, parentheses included', () => {
    const text = 'x + sin( y )*(a - 2)';
    const root = parse(text).root;
    const slice = (r: Root) => text.slice(r.span.start, r.span.end);
    expect(root.kind).toBe('binary');
    if (root.kind !== 'binary') return;
    expect(slice(root)).toBe(text);
    expect(slice(root.left)).toBe('x');
    expect(slice(root.right)).toBe('sin( y )*(a - 2)');
    if (root.right.kind !== 'binary') throw new Error('expected a product');
    expect(slice(root.right.left)).toBe('sin( y )');
    expect(slice(root.right.right)).toBe('(a - 2)');
  });

  it('mark the comparison operator', () => {
    const text = 'x^2 + y^2  <=  1';
    const root = parse(text).root;
    if (root.kind !== 'compare') throw new Error('expected a comparison');
    expect(text.slice(root.opSpan.start, root.opSpan.end)).toBe('<=');
    expect(root.span).toEqual({ start: 0, end: text.length });
  });
});

describe('printing', () => {
  const cases: [string, string][] = [
    ['((x))', 'x'],
    ['(-x)^2', '(-x)^2'],
    ['-(x^2)', '-x^2'],
    ['(a^b)^c', '(a^b)^c'],
    ['a^(b^c)', 'a^b^c'],
    ['a-(b-c)', 'a - (b - c)'],
    ['(a-b)-c', 'a - b - c'],
    ['a/(b*c)', 'a/(b*c)'],
    ['-(a*b)', '-(a*b)'],
    ['2^(-1)', '2^-1'],
    ['x<=(1)', 'x <= 1'],
    ['max( x ,y,1e-3 )', 'max(x, y, 0.001)'],
  ];
  for (const [text, want] of cases) {
    it(`${text} -> ${want}`, () => expect(printExpression(parse(text).root)).toBe(want));
  }
});
