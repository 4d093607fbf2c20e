/**
 * @file Print a syntax tree back to text with the fewest parentheses that keep its meaning:
 * `parseExpression(printExpression(t))` has the same tree as `t` (spans aside). Spaces go
 * around `+`, `-` and comparisons; `*`, `/` and `^` are printed tight, e.g.
 * `(1 - x)^2 + 100*(y - x^2)^2`.
 */
import { foldExpr, type Root } from './ast.ts';

/** Binding strength of a printed node: higher binds tighter. */
const Level = { Compare: 0, Sum: 1, Product: 2, Unary: 3, Power: 4, Primary: 5 } as const;
type Level = number;

interface Printed {
  readonly text: string;
  readonly level: Level;
}

/** Return `p`'s text, parenthesized when it binds more loosely than `min`. */
function atLeast(p: Printed, min: Level): string {
  return p.level < min ? `(${p.text})` : p.text;
}

/** Return the source text of `root` (an expression or a comparison). */
export function printExpression(root: Root): string {
  const printed = foldExpr<Printed>(root, (node, kids) => {
    switch (node.kind) {
      case 'number':
        return { text: String(node.value), level: Level.Primary };
      case 'constant':
      case 'param':
        return { text: node.name, level: Level.Primary };
      case 'call':
        return { text: `${node.name}(${kids.map((k) => k.text).join(', ')})`, level: Level.Primary };
      case 'unary':
        return { text: `${node.op}${atLeast(kids[0]!, Level.Unary)}`, level: Level.Unary };
      case 'compare':
        return { text: `${kids[0]!.text} ${node.op} ${kids[1]!.text}`, level: Level.Compare };
      case 'binary': {
        const [left, right] = kids as [Printed, Printed];
        if (node.op === '^') {
          const text = `${atLeast(left, Level.Primary)}^${atLeast(right, Level.Unary)}`;
          return { text, level: Level.Power };
        }
        const level = node.op === '+' || node.op === '-' ? Level.Sum : Level.Product;
        // left-associative: the right operand needs parentheses at the same level
        const rightText = atLeast(right, level + 1);
        const op = level === Level.Sum ? ` ${node.op} ` : node.op;
        return { text: `${atLeast(left, level)}${op}${rightText}`, level };
      }
    }
  });
  return printed.text;
}
