/** @file Tests of `DenseBuilder.shareLiterals` and of jvp sharing its rules' constants. */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, fn, sum, tanh } from '../../engine/index.ts';
import { interpret } from '../../engine/interp/interp.ts';
import { DenseBuilder } from '../../engine/ir/dense-builder.ts';
import { materialize } from '../../engine/ir/dense-convert.ts';
import type { Block } from '../../engine/ir/types.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { jvp } from '../../engine/transforms/jvp.ts';

/** Count the literal instructions of a block, nested bodies included. */
function literals(block: Block): number {
  let n = 0;
  for (const i of block) {
    if (i.expr.kind === 'lit') n++;
    if (i.expr.kind === 'for') n += literals(i.expr.body);
  }
  return n;
}

describe('shareLiterals', () => {
  it('reuses a literal of the current or an enclosing block, never an inner one or -0', () => {
    const b = new DenseBuilder('lits');
    b.shareLiterals();
    const one = b.real(1);
    expect(b.real(1)).toBe(one);
    expect(b.real(-0)).not.toBe(b.real(-0));
    expect(b.real(0)).toBe(b.real(0));
    let inner = -1;
    const loop = b.forLoop(2, () => {
      expect(b.real(1)).toBe(one);
      inner = b.real(7);
      return b.prim('add', [inner, b.real(7)]);
    });
    expect(b.real(7)).not.toBe(inner);
    const f = b.finish(b.index(loop, b.lit(1, { kind: 'fin', size: 2 })));
    expect(interpret(materialize(f), [])).toBe(14);
  });

  it('is off by default', () => {
    const b = new DenseBuilder('fresh');
    expect(b.real(1)).not.toBe(b.real(1));
  });

  it('gives jvp one constant 1 for tanh in a chain and in a loop', () => {
    const g = fn([Vec(2, Real)], Real, (v) => {
      let a = v[0]!;
      for (let k = 0; k < 5; k++) a = tanh(add(a, v[1]!));
      return add(a, sum(2, (i) => tanh(tanh(v[i]!))));
    });
    const f = funcOf(g, 'x');
    if (f.kind !== 'transparent') throw new Error('expected a transparent function');
    // 1 - tanh² x: one `1` (emitted before the loop, whose body reuses it) next to the trace's
    expect(literals(jvp(f).body)).toBe(literals(f.body) + 1);
  });
});
