/**
 * @file The module cache: its key, the hash of a program's binary form (engine/ir/serialize.ts via
 * wire.ts): same IR -> same hash, any change -> a new one; and its promise cache.
 */
import { describe, expect, it } from 'vitest';
import {
  Dual,
  Real,
  Vec,
  add,
  div,
  fn,
  grad,
  mul,
  opaque,
  sin,
  struct,
  sum,
  valueAndGrad,
  vec,
} from '../../../engine/index.ts';
import { funcOf, type Fn } from '../../../engine/trace/fn.ts';
import { PromiseCache } from '../../../engine/runtime/cache.ts';
import { toWire, wireHash } from '../../../engine/runtime/wire.ts';

const hash = (f: Fn) => wireHash(toWire(funcOf(f, 'test')));

/** Return a small program with a helper function, parameterized by what the tests vary. */
function program(c = 2, n = 3, useSin = true) {
  const sq = fn([Real], Real, (x) => mul(x, x));
  return fn([Vec(n, Real)], Real, (xs) =>
    sum(n, (i) => add(sq(xs[i]!), useSin ? sin(mul(xs[i]!, c)) : mul(xs[i]!, c))),
  );
}

describe('the hash of a program', () => {
  it('gives the same hash for the same IR traced twice (new Func objects and ids)', () => {
    const a = program();
    const b = program();
    expect(funcOf(a, 't')).not.toBe(funcOf(b, 't'));
    expect(hash(a)).toBe(hash(b));
    expect(hash(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(hash(grad(program()))).toBe(hash(grad(program())));
  });

  it('changes with a literal, an operation, a size or a derivative', () => {
    const hashes = [
      hash(program()),
      hash(program(3)),
      hash(program(-0)),
      hash(program(0)),
      hash(program(2, 4)),
      hash(program(2, 3, false)),
      hash(grad(program())),
      hash(valueAndGrad(program())),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('sees struct keys, result types and the sharing of callees', () => {
    const s1 = fn([Real], struct({ a: Real, b: Real }), (x) => ({ a: x, b: mul(x, 2) }));
    const s2 = fn([Real], struct({ a: Real, c: Real }), (x) => ({ a: x, c: mul(x, 2) }));
    expect(hash(s1)).not.toBe(hash(s2));
    const v = fn([Real], Vec(2, Real), (x) => vec(2, Real, () => x));
    const w = fn([Real], Vec(3, Real), (x) => vec(3, Real, () => x));
    expect(hash(v)).not.toBe(hash(w));
    // one helper called twice vs two equal helpers called once each
    const h1 = fn([Real], Real, (x) => mul(x, 3));
    const shared = fn([Real], Real, (x) => add(h1(x), h1(x)));
    const h2 = fn([Real], Real, (x) => mul(x, 3));
    const h3 = fn([Real], Real, (x) => mul(x, 3));
    const separate = fn([Real], Real, (x) => add(h2(x), h3(x)));
    expect(hash(shared)).not.toBe(hash(separate));
  });

  it('hashes opaque functions by signature and custom JVP, not by implementation', () => {
    const make = (impl: (x: number) => number, withJvp: boolean) => {
      const o = opaque([Real], Real, impl);
      if (withJvp) o.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: o(x), du: div(dx, x) }));
      return fn([Real], Real, (x) => mul(o(x), 2));
    };
    const named = function ln(x: number) {
      return Math.log(x);
    };
    const other = function ln(x: number) {
      return Math.log(x) + 1;
    };
    expect(hash(make(named, true))).toBe(hash(make(other, true)));
    expect(hash(make(named, true))).not.toBe(hash(make(named, false)));
  });
});

describe('PromiseCache', () => {
  it('counts hits and misses, and drops rejected entries', async () => {
    const cache = new PromiseCache<number>();
    let made = 0;
    const one = () => Promise.resolve(++made);
    expect(await cache.get('a', one)).toBe(1);
    expect(await cache.get('a', one)).toBe(1);
    expect([cache.hits, cache.misses, cache.size]).toEqual([1, 1, 1]);
    await expect(cache.get('b', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(cache.size).toBe(1);
    expect(await cache.get('b', one)).toBe(2);
  });
});
