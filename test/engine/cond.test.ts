/**
 * @file `cond` (engine/trace/cond.ts): traced into an IR `cond` with two blocks, valid IR that
 * prints, round-trips through the worker encoding, and interprets running only the branch taken.
 */
import { describe, expect, it } from 'vitest';
import { Bool, Real, Vec, fn, interp, lt, mul, opaque, sqrt, sub, sum, vec } from '../../engine/index.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import { decodeProgram, encodeProgram } from '../../engine/ir/serialize.ts';
import { BOOL, REAL, type TransparentFunc } from '../../engine/ir/types.ts';
import { cond } from '../../engine/trace/cond.ts';
import { funcOf } from '../../engine/trace/fn.ts';
import { interpret } from '../../engine/interp/interp.ts';
import { simplify } from '../../engine/transforms/simplify.ts';

/** Return an opaque identity that counts its calls in `calls.n`. */
function counting(calls: { n: number }) {
  return opaque([Real], Real, (x: number) => (calls.n++, x));
}

describe('cond', () => {
  it('runs only the branch taken', () => {
    const calls = { n: 0 };
    const spy = counting(calls);
    const f = fn([Real], Real, (x) => cond(lt(x, 0), Real, () => spy(mul(x, -1)), () => sqrt(x)));
    const g = interp(f);
    expect(g(4)).toBe(2);
    expect(calls.n).toBe(0);
    expect(g(-3)).toBe(3);
    expect(calls.n).toBe(1);
    check(funcOf(f, 't'));
  });

  it('yields vectors and structs, and values from outside its blocks', () => {
    const f = fn([Real, Bool], Vec(2, Real), (x, p) => cond(p, Vec(2, Real), () => [x, mul(x, 2)], () => [1, 2]));
    const g = interp(f);
    expect(g(3, true)).toEqual([3, 6]);
    expect(g(3, false)).toEqual([1, 2]);
    const h = interp(fn([Real, Bool], Real, (x, p) => cond(p, Real, () => x, () => 7)));
    expect([h(3, true), h(3, false)]).toEqual([3, 7]);
  });

  it('nests in loops and in itself, and holds loops and sums', () => {
    const f = fn([Vec(4, Real)], Real, (xs) =>
      sum(4, (i) =>
        cond(lt(xs[i]!, 0), Real, () => 0, () =>
          cond(lt(xs[i]!, 1), Real, () => sum(3, () => xs[i]!), () => sub(xs[i]!, 1)),
        ),
      ),
    );
    expect(interp(f)([-1, 0.5, 3, 0.25])).toBe(3 * 0.5 + 2 + 3 * 0.25);
    const g = fn([Real], Vec(3, Real), (x) => cond(lt(x, 0), Vec(3, Real), () => vec(3, Real, () => x), () => [0, 0, 0]));
    expect(interp(g)(-2)).toEqual([-2, -2, -2]);
  });

  it('prints both blocks and round-trips through the worker encoding', () => {
    const f = funcOf(fn([Real], Real, (x) => cond(lt(x, 0), Real, () => mul(x, x), () => x)), 't');
    expect(pprint(f)).toContain('if x');
    expect(pprint(f)).toMatch(/\} else \{/);
    const back = decodeProgram(encodeProgram(f).program).func;
    expect(pprint(back)).toBe(pprint(f));
  });

  it('refuses a non-bool condition, branches that are not functions, and values escaping a block', () => {
    expect(() => fn([Real], Real, (x) => cond(x as never, Real, () => x, () => x))).toThrow(/bool|Bool/i);
    expect(() => fn([Real, Bool], Real, (x, p) => cond(p, Real, x as never, () => x))).toThrow(/then branch must be a function/);
    let leaked: unknown;
    expect(() =>
      fn([Real, Bool], Real, (x, p) => {
        cond(p, Real, () => (leaked = mul(x, 2)) as never, () => x);
        return leaked as never;
      }),
    ).toThrow(/scope/);
  });
});

describe('the checker on cond', () => {
  /** Return a function whose then-block resolves an accumulator made outside the cond when `outer`. */
  function resolving(outer: boolean): TransparentFunc {
    const b = new FuncBuilder('f');
    const x = b.param(REAL);
    const p = b.param(BOOL);
    const acc = b.accum(x);
    b.beginBlock();
    const inner = outer ? acc : b.accum(x);
    const r = b.resolve(inner);
    const then = b.endBlock();
    const c = b.emit({ kind: 'cond', cond: p, then, thenRet: r, els: [], elsRet: x }, REAL);
    if (!outer) b.resolve(acc);
    return b.finish(c);
  }

  it('accepts accumulators made and resolved inside a block, refuses resolving outer ones', () => {
    expect(() => check(resolving(false))).not.toThrow();
    expect(() => check(resolving(true))).toThrow(/resolve of x\d+ inside a cond block/);
  });

  /**
   * Return `f(x: real, p: bool)` = `if <cond> { y = x * x; yield y } else { yield <els> }`, and
   * with `readAfter`, `add` of that and `y` (read out of its block) as the result.
   */
  function squaring(cond: 'x' | 'p', els: 'x' | 'p', readAfter = false): TransparentFunc {
    const b = new FuncBuilder('f');
    const vars = { x: b.param(REAL), p: b.param(BOOL) };
    b.beginBlock();
    const y = b.prim('mul', [vars.x, vars.x]);
    const then = b.endBlock();
    const c = b.emit({ kind: 'cond', cond: vars[cond], then, thenRet: y, els: [], elsRet: vars[els] }, REAL);
    return b.finish(readAfter ? b.prim('add', [c, y]) : c);
  }

  it('refuses mismatched result types, a non-bool condition and reads of a block\'s vars outside it', () => {
    expect(() => check(squaring('p', 'x'))).not.toThrow();
    expect(() => check(squaring('p', 'p'))).toThrow(/result type/);
    expect(() => check(squaring('x', 'x'))).toThrow(/expected bool/);
    expect(() => check(squaring('p', 'x', true))).toThrow(/out of scope/);
  });
});

describe('simplify on cond', () => {
  it('cleans inside blocks, keeps values of one block out of the other and after the cond', () => {
    const f = funcOf(
      fn([Real, Real], Real, (x, y) => {
        const a = cond(lt(x, y), Real, () => {
          void mul(y, y); // dead
          return mul(x, y);
        }, () => mul(x, y));
        return sub(a, mul(x, y));
      }),
      't',
    ) as TransparentFunc;
    const g = simplify(f);
    check(g);
    const text = pprint(g);
    // one mul per block and one after: none may be shared across blocks
    expect(text.match(/mul/g)?.length).toBe(3);
    for (const [x, y] of [[1, 2], [3, -1], [2, 2]] as const)
      expect(interpret(g, [x, y])).toBe(interpret(f, [x, y]));
  });

  it('turns a cond whose blocks compute nothing into a select, and keeps adds inside blocks', () => {
    const f = funcOf(fn([Real, Real], Real, (x, y) => cond(lt(x, y), Real, () => x, () => y)), 't') as TransparentFunc;
    expect(pprint(simplify(f))).toMatch(/\? /);
    const s = funcOf(
      fn([Vec(3, Real)], Real, (xs) => sum(3, (i) => cond(lt(xs[i]!, 0), Real, () => 0, () => mul(xs[i]!, 2)))),
      't',
    ) as TransparentFunc;
    const g = simplify(s);
    check(g);
    expect(interpret(g, [[1, -2, 3]])).toBe(8);
  });
});
