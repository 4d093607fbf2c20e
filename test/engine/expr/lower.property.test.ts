/**
 * @file Lowered expressions on generated trees: the compiled JS evaluator equals the tree-walking
 * one, `interp` of the lowered `Fn` equals the JS evaluator bit for bit, `compileSync` equals the evaluator run with the wasm math library bit
 * for bit, and the gradient (`grad`, interpreted and compiled) matches finite differences on
 * smooth expressions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Root } from '../../../engine/expr/ast.ts';
import { evaluateExpression, type MathTable } from '../../../engine/expr/evaluate.ts';
import { lowerExpression } from '../../../engine/expr/lower.ts';
import { expressionEvaluator } from '../../../engine/expr/program.ts';
import { parseExpression, type ParsedExpression } from '../../../engine/expr/parser.ts';
import { printExpression } from '../../../engine/expr/print.ts';
import { grad } from '../../../engine/trace/autodiff.ts';
import { interp } from '../../../engine/trace/run.ts';
import { compileSync } from '../../../engine/wasm/compile.ts';
import { assertClose, checkProperty, finiteDiff } from '../../helpers/gradcheck.ts';
import { buildMath } from '../wasm/math-ref.ts';
import { PARAMS, comparisonArb, exprArb, smoothArb } from './gen.ts';

/** The wasm math library's functions, as the evaluator's math table. */
const WASM_MATH: MathTable = buildMath().exports;

/** Points: ordinary values, and zeros, infinities and NaN. */
const coordinate: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, -1, 0.5, Infinity, -Infinity, NaN, 1e300) },
);
const pointArb = fc.array(coordinate, { minLength: 3, maxLength: 3 });

/** Return `parsed` of the printed tree, so the tree carries real spans and names. */
function reparse(root: Root): ParsedExpression {
  return parseExpression(printExpression(root), { params: PARAMS });
}

/** Throw unless `got` and `want` are the same double (NaN equals NaN, -0 differs from 0). */
function sameBits(got: unknown, want: number, what: string): void {
  if (!Object.is(got, want)) throw new Error(`${what}: got ${String(got)}, want ${want}`);
}

describe('lowered expressions compute what the evaluator computes', () => {
  const arb = fc.tuple(fc.oneof(exprArb(4), comparisonArb(3)), pointArb);
  const show = ([root, x]: [Root, number[]]) => `${printExpression(root)} at [${x.join(', ')}]`;

  it('expressionEvaluator = evaluateExpression, bit for bit, with either math table', () => {
    checkProperty(
      arb,
      ([root, x]) => {
        const parsed = reparse(root);
        sameBits(expressionEvaluator(parsed)(x), evaluateExpression(parsed, x), 'JS math');
        sameBits(expressionEvaluator(parsed, WASM_MATH)(x), evaluateExpression(parsed, x, WASM_MATH), 'wasm math');
      },
      show,
      { numRuns: 1000 },
    );
  });

  it('interp = evaluateExpression (Math.*), bit for bit', () => {
    checkProperty(
      arb,
      ([root, x]) => {
        const parsed = reparse(root);
        sameBits(interp(lowerExpression(parsed))(x), evaluateExpression(parsed, x), 'interp');
      },
      show,
      { numRuns: 400 },
    );
  });

  it('compileSync = evaluateExpression (wasm math), bit for bit', () => {
    checkProperty(
      fc.tuple(arb, fc.array(pointArb, { minLength: 4, maxLength: 4 })),
      ([[root, x], more]) => {
        const parsed = reparse(root);
        const compiled = compileSync(lowerExpression(parsed));
        for (const p of [x, ...more]) sameBits(compiled(p), evaluateExpression(parsed, p, WASM_MATH), 'compiled');
      },
      ([c]) => show(c),
      { numRuns: 150 },
    );
  });
});

describe('gradients of lowered expressions match finite differences', () => {
  const arb = fc.tuple(
    smoothArb(3),
    fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 3, maxLength: 3 }),
    fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
  );
  const show = ([root, x]: [Root, number[], number[]]) => `${printExpression(root)} at [${x.join(', ')}]`;

  it('interpreted and compiled grad, along random directions', () => {
    checkProperty(
      arb,
      ([root, x, d]) => {
        const parsed = reparse(root);
        const f = lowerExpression(parsed);
        const g = interp(grad(f))(x) as number[];
        const gc = compileSync(grad(f))(x) as number[];
        assertClose(gc, g, { rtol: 1e-12, atol: 1e-12 }, 'compiled grad vs interpreted grad');
        const fd = finiteDiff((p) => [evaluateExpression(parsed, p)], x, d);
        if (!fd.smooth) return 'skip';
        const directional = g.reduce((s, gi, i) => s + gi * d[i]!, 0);
        assertClose([directional], fd.fd, { rtol: 1e-6, atol: 1e-6 + 100 * fd.noise }, 'grad . d vs finite difference');
      },
      show,
      { numRuns: 150, maxSkipFraction: 0.05 },
    );
  });

  it('unused parameters get a zero gradient', () => {
    const parsed = parseExpression('sin(x)', { params: PARAMS });
    expect(interp(grad(lowerExpression(parsed)))([1, 2, 3])).toEqual([Math.cos(1), 0, 0]);
  });
});
