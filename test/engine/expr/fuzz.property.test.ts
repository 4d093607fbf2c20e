/**
 * @file Properties of the parser: on any input (random strings, token soups) it returns a tree or
 * throws an `ExpressionError` whose position is consistent with the text, never another error,
 * a crash or a hang; generated trees print to text that parses back to the same tree; noisy
 * text (redundant parentheses, whitespace, comments) parses to the tree it was made from.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Root } from '../../../engine/expr/ast.ts';
import { ExpressionError, lineAndColumn } from '../../../engine/expr/diagnostics.ts';
import { parseExpression, type ExpressionKind } from '../../../engine/expr/parser.ts';
import { printExpression } from '../../../engine/expr/print.ts';
import { RoseError } from '../../../engine/errors.ts';
import { SEED } from '../../helpers/gradcheck.ts';
import { PARAMS, comparisonArb, exprArb, noisyTextArb, stripSpans, tokenSoupArb } from './gen.ts';

const KINDS: readonly ExpressionKind[] = ['objective', 'constraint', 'any'];

/** Parse `text`; on failure check that the error is a well-formed `ExpressionError`. */
function parseOrExplain(text: string, kind: ExpressionKind, params?: readonly string[]): 'parsed' | 'rejected' {
  try {
    parseExpression(text, { kind, params });
    return 'parsed';
  } catch (err) {
    if (!(err instanceof ExpressionError)) throw err;
    expect(err).toBeInstanceOf(RoseError);
    expect(['syntax', 'unknown-name', 'arity']).toContain(err.code);
    const { line, column, offset, length } = err.position;
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset + length).toBeLessThanOrEqual(text.length);
    expect(lineAndColumn(text, offset)).toEqual({ line, column });
    expect(err.message).toContain(`line ${line}, column ${column}`);
    expect(err.message).toContain('^');
    expect(err.hint.length).toBeGreaterThan(0);
    return 'rejected';
  }
}

describe('the parser never crashes', () => {
  it('on random strings', () => {
    const arb = fc.tuple(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom(...KINDS));
    fc.assert(fc.property(arb, ([text, kind]) => void parseOrExplain(text, kind, PARAMS)), { seed: SEED, numRuns: 1500 });
  });

  it('on token soups, with and without a parameter list', () => {
    const counts = { parsed: 0, rejected: 0 };
    const arb = fc.tuple(tokenSoupArb(), fc.constantFrom(...KINDS), fc.boolean());
    fc.assert(
      fc.property(arb, ([text, kind, withParams]) => {
        counts[parseOrExplain(text, kind, withParams ? PARAMS : undefined)]++;
      }),
      { seed: SEED, numRuns: 3000 },
    );
    // the soup is not all junk: some of it parses
    expect(counts.parsed).toBeGreaterThan(50);
  });

  it('on deep nesting and long inputs, without recursion limits', () => {
    for (const text of ['('.repeat(100000), '-'.repeat(100000) + 'x', 'x^'.repeat(50000) + 'x', 'sin('.repeat(5000)]) {
      expect(parseOrExplain(text, 'objective', PARAMS)).toBe('rejected');
    }
    const long = Array.from({ length: 100000 }, (_, i) => `${i % 7}*x`).join(' + ');
    const parsed = parseExpression(long, { params: PARAMS });
    expect(printExpression(parsed.root).length).toBe(long.length);
  });
});

describe('printing round-trips', () => {
  const rootArb: fc.Arbitrary<Root> = fc.oneof(exprArb(5), comparisonArb(4));

  it('print(parse(print(t))) has the tree t', () => {
    fc.assert(
      fc.property(rootArb, (root) => {
        const text = printExpression(root);
        const parsed = parseExpression(text, { params: PARAMS });
        expect(stripSpans(parsed.root)).toEqual(stripSpans(root));
        expect(printExpression(parsed.root)).toBe(text);
      }),
      { seed: SEED, numRuns: 800 },
    );
  });

  it('noisy text (parentheses everywhere, whitespace, comments) parses to the same tree', () => {
    const arb = rootArb.chain((root) => noisyTextArb(root).map((text) => ({ root, text })));
    fc.assert(
      fc.property(arb, ({ root, text }) => {
        const parsed = parseExpression(text, { params: PARAMS });
        expect(stripSpans(parsed.root)).toEqual(stripSpans(root));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('spans cover their text: reparsing a node span gives the node', () => {
    fc.assert(
      fc.property(exprArb(4), (root) => {
        const text = printExpression(root);
        const parsed = parseExpression(text, { params: PARAMS });
        const sub = parsed.root.kind === 'binary' ? parsed.root.left : parsed.root;
        const again = parseExpression(text.slice(sub.span.start, sub.span.end), { params: PARAMS });
        expect(stripSpans(again.root)).toEqual(stripSpans(sub));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
