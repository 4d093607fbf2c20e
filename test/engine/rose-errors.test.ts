/**
 * @file Misuse of the API, run on rose@0.4.10 and on Rose Kit with the same code: where Rose
 * throws, Rose Kit throws a `RoseError` whose message contains Rose's; where Rose accepts the
 * input, Rose Kit accepts it too, except for the cases listed as stricter, where Rose goes on
 * with a wrong or undefined result and Rose Kit stops with an error that says why.
 */
import { describe, expect, it } from 'vitest';
import * as rose from 'rose';
import * as kit from '../../engine/index.ts';

/** Either library, loosely typed: the cases are misuse on purpose. */
type Lib = any;

/** A misuse, written once for both libraries. */
type Case = (l: Lib) => unknown;

/** Cases where both libraries throw (Rose's message in ours) or both accept. */
const SAME: Record<string, Case> = {
  'a parameter that is not a type': (l) => l.fn(['x'], l.Real, (x: Lib) => x),
  'a result of the wrong type': (l) => l.fn([l.Real], l.Bool, (x: Lib) => x),
  'a boolean literal for a Real': (l) => l.fn([], l.Real, () => true),
  'a number literal for a Bool': (l) => l.fn([], l.Bool, () => 1),
  'undefined returned': (l) => l.fn([l.Real], l.Real, () => undefined),
  'a Tan parameter returned as Real': (l) => l.fn([l.Tan], l.Real, (t: Lib) => t),
  'an array literal too long': (l) => l.fn([], l.Vec(2, l.Real), () => [1, 2, 3]),
  'an array literal too short': (l) => l.fn([], l.Vec(2, l.Real), () => [1]),
  'a struct literal with another key': (l) => l.fn([], { a: l.Real }, () => ({ b: 1 })),
  'a struct literal missing a key': (l) => l.fn([], { a: l.Real, b: l.Real }, () => ({ a: 1 })),
  'a call argument of the wrong type': (l) => {
    const f = l.fn([l.Real], l.Real, (x: Lib) => x);
    return l.fn([l.Bool], l.Real, (b: Lib) => f(b));
  },
  'an op outside any fn': (l) => l.add(1, 2),
  'select outside any fn': (l) => l.select(true, l.Real, 1, 2),
  'zero outside any fn': (l) => l.zero(),
  'a fn defined inside another': (l) =>
    l.fn([l.Real], l.Real, (x: Lib) => {
      l.fn([l.Real], l.Real, (y: Lib) => y);
      return x;
    }),
  'a select branch of the wrong type': (l) => l.fn([l.Real], l.Real, (x: Lib) => l.select(true, l.Real, x, [x])),
  'a select condition that is a Real': (l) => l.fn([l.Real], l.Real, (x: Lib) => l.select(x, l.Real, x, x)),
  'sqrt of a Bool': (l) => l.fn([l.Bool], l.Real, (b: Lib) => l.sqrt(b)),
  'neg of a Bool': (l) => l.fn([l.Bool], l.Real, (b: Lib) => l.neg(b)),
  'not of a Real': (l) => l.fn([l.Real], l.Bool, (x: Lib) => l.not(x)),
  'and of a Real': (l) => l.fn([l.Real, l.Bool], l.Bool, (x: Lib, b: Lib) => l.and(x, b)),
  'lt of Bools': (l) => l.fn([l.Bool], l.Bool, (b: Lib) => l.lt(b, b)),
  'add of a Real and a Bool': (l) => l.fn([l.Real, l.Bool], l.Real, (x: Lib, b: Lib) => l.add(x, b)),
  'add of boolean literals': (l) => l.fn([], l.Real, () => l.add(true, true)),
  'mul by a string literal': (l) => l.fn([l.Real], l.Real, (x: Lib) => l.mul(x, '2')),
  'sqrt of a boolean literal': (l) => l.fn([], l.Real, () => l.sqrt(true)),
  'iadd of Reals': (l) => l.fn([l.Real], 3, (x: Lib) => l.iadd(3, x, x)),
  'a vec body of the wrong type': (l) => l.fn([], l.Vec(2, l.Real), () => l.vec(2, l.Real, () => true)),
  'a sum body of the wrong type': (l) => l.fn([], l.Real, () => l.sum(2, () => true)),
  'a Real used as a vector index': (l) => l.fn([l.Vec(2, l.Real), l.Real], l.Real, (v: Lib, x: Lib) => v[x]),
  'an index of another size used as a vector index': (l) =>
    l.fn([l.Vec(2, l.Real), 3], l.Real, (v: Lib, i: Lib) => v[i]),
  'an index of another size returned': (l) => l.fn([3], 4, (i: Lib) => i),
  'a struct member that is not a key': (l) => l.fn([{ a: l.Real }], l.Real, (s: Lib) => s.b),
  'a tangent times a Real, tangent on the right': (l) =>
    l.fn([l.Dual], l.Dual, ({ re, du }: Lib) => ({ re, du: l.mul(re, du) })),
  'a Real plus a tangent': (l) => l.fn([l.Dual], l.Dual, ({ re, du }: Lib) => ({ re, du: l.add(re, du) })),
  'a boolean cotangent': (l) => {
    const f = l.fn([l.Real], l.Real, (x: Lib) => x);
    return l.fn([l.Real], l.Real, (x: Lib) => l.vjp(f)(x).grad(true));
  },
  'a string passed to interp': (l) => l.interp(l.fn([l.Real], l.Real, (x: Lib) => x))('a'),
  'a struct with another key passed to interp': (l) =>
    l.interp(l.fn([{ a: l.Real }], l.Real, (s: Lib) => s.a))({ b: 1 }),
  'an index literal above its type, as Rose accepts': (l) => l.interp(l.fn([3], 3, (i: Lib) => i))(5),
  'an array literal of the right size': (l) => l.interp(l.fn([l.Vec(2, l.Real)], l.Real, (v: Lib) => v[1]))([1, 2]),
};

/** Cases where Rose accepts the input (or crashes) and Rose Kit stops with an error. */
const STRICTER: Record<string, { readonly run: Case; readonly rose: 'accepts' | 'panics' }> = {
  // Rose makes an index type of -1 or 1.5 and fails later, or never
  'a negative index type': { run: (l) => l.fn([-1], l.Real, () => 0), rose: 'accepts' },
  'a fractional index type': { run: (l) => l.fn([1.5], l.Real, () => 0), rose: 'accepts' },
  // Rose drops the extra argument
  'a call with too many arguments': {
    run: (l) => {
      const f = l.fn([l.Real], l.Real, (x: Lib) => x);
      return l.fn([l.Real], l.Real, (x: Lib) => f(x, x));
    },
    rose: 'accepts',
  },
  // Rose emits a read of another function's variable
  'a value captured from another fn body': {
    run: (l) => {
      let leak: Lib;
      l.fn([l.Real], l.Real, (x: Lib) => {
        leak = x;
        return x;
      });
      return l.fn([l.Real], l.Real, (y: Lib) => l.add(leak, y));
    },
    rose: 'accepts',
  },
  // Rose's opaque functions are of reals only, but it does not check
  'an opaque function of a Bool': { run: (l) => l.opaque([l.Bool], l.Real, () => 0), rose: 'accepts' },
  // Rose reads the first two numbers and drops the third
  'an array too long passed to interp': {
    run: (l) => l.interp(l.fn([l.Vec(2, l.Real)], l.Real, (v: Lib) => v[0]))([1, 2, 3]),
    rose: 'accepts',
  },
  // Rose reads true as 1
  'a boolean for a Real passed to interp': {
    run: (l) => l.interp(l.fn([l.Real], l.Real, (x: Lib) => x))(true),
    rose: 'accepts',
  },
  // Rose's wasm panics (`unreachable`, with a Rust backtrace on the console): not run on Rose
  'the derivative of an opaque function without a JVP': {
    run: (l) => {
      const s = l.opaque([l.Real], l.Real, Math.sin);
      const f = l.fn([l.Real], l.Real, (x: Lib) => s(x));
      return l.fn([l.Real], l.Real, (x: Lib) => l.vjp(f)(x).grad(1));
    },
    rose: 'panics',
  },
};

/** Return the error `body` throws on `lib`, or undefined when it returns. */
function thrown(body: Case, lib: Lib): unknown {
  try {
    body(lib);
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('misuse, on Rose and on Rose Kit', () => {
  it.each(Object.entries(SAME))("%s: the same outcome, Rose's message in ours", (_, body) => {
    const theirs = thrown(body, rose);
    const ours = thrown(body, kit);
    if (theirs === undefined) {
      expect(ours).toBeUndefined();
      return;
    }
    expect(ours).toBeInstanceOf(kit.RoseError);
    expect((ours as Error).message).toContain((theirs as Error).message);
  });

  it.each(Object.entries(STRICTER))('%s: Rose Kit stops with a RoseError', (_, { run, rose: behaviour }) => {
    if (behaviour === 'accepts') expect(thrown(run, rose)).toBeUndefined();
    const ours = thrown(run, kit);
    expect(ours).toBeInstanceOf(kit.RoseError);
    expect((ours as kit.RoseError).code).toMatch(/^[a-z-]+$/);
  });
});
