/**
 * @file The public API on invalid programs: every error of Rose's catalog (rose-reference §3.11)
 * that our API can produce, checked by Rose's message (a substring of ours) and by `code`; plus
 * our own checks (argument counts, grad of non-scalars) and the trace state after a failure.
 */
import { describe, expect, it } from 'vitest';
import {
  Bool,
  Dual,
  Null,
  Real,
  RoseError,
  Tan,
  Vec,
  add,
  fn,
  grad,
  interp,
  jvp,
  mul,
  neg,
  not,
  opaque,
  select,
  sqrt,
  struct,
  vec,
  vjp,
  zero,
  type RoseErrorCode,
} from '../../engine/index.ts';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { REAL } from '../../engine/ir/types.ts';
import { makeFn } from '../../engine/trace/fn.ts';

/** Assert that `body` throws a RoseError with `code` whose message contains `message`. */
function throwsRose(body: () => unknown, code: RoseErrorCode, message: string): RoseError {
  let caught: unknown;
  try {
    body();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(RoseError);
  const err = caught as RoseError;
  expect(err.message).toContain(message);
  expect(err.code).toBe(code);
  return err;
}

describe('types', () => {
  it('rejects things that are not types', () => {
    throwsRose(() => fn(['x' as never], Real, (x) => x), 'invalid-type', 'invalid type');
    throwsRose(() => fn([Real], undefined as never, (x) => x as never), 'invalid-type', 'invalid type');
    throwsRose(() => fn([-1], Real, () => 0), 'invalid-type', 'invalid type');
    throwsRose(() => fn([1.5], Real, () => 0), 'invalid-type', 'invalid type');
    throwsRose(() => fn([[Real] as never], Real, () => 0), 'invalid-type', 'invalid type');
  });

  it('rejects vector index types that are not index types', () => {
    throwsRose(
      () => fn([Vec(Real, Real)], Real, () => 0),
      'invalid-type',
      'index type cannot be used as an index',
    );
    throwsRose(
      () => fn([], Vec(2, Real), () => vec(Real as never, Real, () => 0)),
      'invalid-type',
      'index type cannot be used as an index',
    );
  });

  it('accepts only Real in opaque signatures', () => {
    throwsRose(() => opaque([Bool as never], Real, () => 0), 'invalid-type', 'opaque');
    throwsRose(() => opaque([Real], Vec(2, Real) as never, () => 0), 'invalid-type', 'opaque');
  });
});

describe('literal values (valId)', () => {
  const cases: [string, unknown, unknown, RoseErrorCode, string][] = [
    ['undefined', Real, undefined, 'invalid-value', 'invalid value'],
    ['a string', Real, '1', 'invalid-value', 'invalid value'],
    ['a bigint', Real, 1n, 'invalid-value', 'invalid value'],
    ['a function', Real, () => 1, 'invalid-value', 'invalid value'],
    ['a short array', Vec(3, Real), [1, 2], 'invalid-value', 'wrong array size'],
    ['a long array', Vec(1, Real), [1, 2], 'invalid-value', 'wrong array size'],
    ['missing keys', struct({ a: Real, b: Real }), { a: 1 }, 'invalid-value', 'wrong struct keys'],
    ['extra keys', struct({ a: Real }), { a: 1, c: 2 }, 'invalid-value', 'wrong struct keys'],
    ['null for a Real', Real, null, 'invalid-value', 'did not expect null'],
    ['a boolean for a Real', Real, true, 'invalid-value', 'did not expect boolean'],
    ['a number for a Bool', Bool, 1, 'invalid-value', 'type is not numeric'],
    ['a number for Null', Null, 0, 'invalid-value', 'type is not numeric'],
    ['a negative index', 3, -1, 'invalid-value', "can't be represented by an unsigned integer"],
    ['a fractional index', 3, 0.5, 'invalid-value', "can't be represented by an unsigned integer"],
    ['an array for a struct', struct({ a: Real }), [1], 'invalid-value', 'type is not an array'],
    ['an object for a vector', Vec(1, Real), { a: 1 }, 'invalid-value', 'type is not a struct'],
  ];
  for (const [name, ty, value, code, message] of cases) {
    it(`rejects ${name} returned from a body`, () => {
      throwsRose(() => fn([], ty, () => value as never), code, message);
    });
    it(`rejects ${name} passed to interp`, () => {
      const id = fn([ty], ty, (x) => x as never);
      throwsRose(() => interp(id)(value as never), code, message);
    });
  }

  it('accepts an index literal above the size, as Rose does', () => {
    expect(() => fn([], 3, () => 5)).not.toThrow();
  });

  it('rejects a symbolic value of the wrong type', () => {
    throwsRose(() => fn([Bool], Real, (b) => b as never), 'type-mismatch', 'variable type mismatch');
    // index values are JS symbols, which Rose looks up by type: one of another type is `invalid value`
    throwsRose(() => fn([3], 4, (i) => i), 'type-mismatch', 'invalid value');
    throwsRose(
      () => fn([Vec(2, Real)], Vec(3, Real), (v) => v as never),
      'type-mismatch',
      'variable type mismatch',
    );
    throwsRose(() => fn([Real], Tan, (x) => x), 'type-mismatch', 'variable type mismatch');
  });

  it('rejects a symbol that is not an index of this function', () => {
    throwsRose(() => fn([], 3, () => Symbol() as never), 'invalid-value', 'invalid value');
  });
});

describe('operands', () => {
  it('rejects mixing reals and tangents', () => {
    throwsRose(
      () => fn([Dual], Real, ({ du }) => add(du, 1) as never),
      'type-mismatch',
      'left and right have invalid types',
    );
    throwsRose(
      () => fn([Real], Real, (x) => mul(x, zero())),
      'type-mismatch',
      'left and right have invalid types',
    );
  });

  it('rejects operands of the wrong kind', () => {
    // Rose checks the operand of an op on reals only (or booleans only) against that one type
    throwsRose(() => fn([Bool], Real, (b) => sqrt(b as never)), 'type-mismatch', 'variable type mismatch');
    throwsRose(() => fn([Real], Bool, (x) => not(x as never)), 'type-mismatch', 'variable type mismatch');
    // and those of ops on reals or tangents together
    throwsRose(() => fn([Bool], Real, (b) => neg(b as never)), 'type-mismatch', 'arg has invalid type');
    throwsRose(
      () => fn([Bool, Real], Real, (b, x) => add(b as never, x)),
      'type-mismatch',
      'left and right have invalid types',
    );
    throwsRose(() => fn([], Real, () => neg('1' as never)), 'invalid-value', 'invalid value');
  });

  it('checks select branches against the given type', () => {
    throwsRose(
      () => fn([Bool, Real], Real, (c, x) => select(c, Bool, x as never, true) as never),
      'type-mismatch',
      'variable type mismatch',
    );
  });
});

describe('contexts', () => {
  it('needs a `fn` body for ops', () => {
    throwsRose(() => add(1, 2), 'no-context', 'no `fn` context found');
    throwsRose(() => zero(), 'no-context', 'no `fn` context found');
    throwsRose(() => vec(2, Real, () => 0), 'no-context', 'no `fn` context found');
  });

  it('needs a `fn` body for calls', () => {
    const f = fn([Real], Real, (x) => x);
    throwsRose(() => f(1), 'no-context', 'no `fn` context found');
  });

  it('forbids defining a function inside another', () => {
    throwsRose(
      () => fn([Real], Real, (x) => fn([Real], Real, (y) => y)(x)),
      'nested-fn',
      "can't define a function while defining another function",
    );
    throwsRose(
      () => fn([], Real, () => opaque([Real], Real, Math.sin)(1)),
      'nested-fn',
      "can't define a function while defining another function",
    );
  });

  it('reports vectors and structs used outside their body', () => {
    let v: unknown;
    let s: unknown;
    fn([Vec(2, Real), struct({ a: Real })], Real, (x, y) => {
      v = x;
      s = y;
      return 0;
    });
    const vs = v as Real[];
    const ss = s as { a: Real };
    throwsRose(() => vs[0], 'no-context', 'no `fn` context found');
    throwsRose(() => ss.a, 'no-context', 'no `fn` context found');
    throwsRose(() => fn([], Real, () => vs[0] as never), 'escaped', 'array escaped its context');
    throwsRose(() => fn([], Real, () => ss.a as never), 'escaped', 'struct escaped its context');
    throwsRose(() => fn([], Vec(2, Real), () => vs as never), 'escaped', 'array escaped its context');
  });

  it('reports scalars used in another body', () => {
    let x: unknown;
    fn([Real], Real, (y) => (x = y));
    throwsRose(() => fn([], Real, () => add(x as never, 1)), 'escaped', 'escaped its context');
  });

  it('reports variables of an ended vec body', () => {
    throwsRose(
      () =>
        fn([], Real, () => {
          let inner: unknown;
          vec(2, Real, (i) => {
            inner = mul(2, 3);
            return 0;
          });
          return add(inner as never, 1);
        }),
      'out-of-scope',
      'variable is out of scope',
    );
    throwsRose(
      () =>
        fn([Vec(2, Real)], 2, (v) => {
          let index: unknown;
          vec(2, Real, (i) => {
            index = i;
            return v[i]!;
          });
          return index as never;
        }),
      'out-of-scope',
      'variable is out of scope',
    );
  });

  it('rejects unknown struct keys and symbols', () => {
    throwsRose(
      () => fn([struct({ a: Real })], Real, (s) => (s as unknown as { b: Real }).b),
      'type-mismatch',
      'unexpected key',
    );
    throwsRose(
      () => fn([struct({ a: Real })], Real, (s) => (s as unknown as Record<symbol, Real>)[Symbol.iterator]!),
      'invalid-value',
      'unexpected symbol',
    );
  });

  it('explains symbolic values used with JS operators', () => {
    throwsRose(() => fn([Real], Real, (x) => (x as unknown as number) + 1), 'type-mismatch', 'add(x, y)');
    throwsRose(
      () => fn([Vec(2, Real)], Real, (v) => `${v as unknown as string}` as never),
      'type-mismatch',
      'JS operator',
    );
  });

  it('leaves no stale state after an exception in a body', () => {
    expect(() =>
      fn([Real], Real, () => {
        throw new Error('user error');
      }),
    ).toThrow('user error');
    expect(() =>
      fn([Real], Vec(2, Real), (x) =>
        vec(2, Real, () => {
          throw new Error('inside vec');
        }),
      ),
    ).toThrow('inside vec');
    throwsRose(() => add(1, 2), 'no-context', 'no `fn` context found');
    const f = fn([Real], Real, (x) => mul(x, 3));
    expect(interp(f)(2)).toBe(6);
  });
});

describe('functions', () => {
  it('checks the number of arguments of calls (Rose does not)', () => {
    const f = fn([Real, Real], Real, (x, y) => add(x, y));
    throwsRose(() => fn([Real], Real, (x) => (f as (...a: unknown[]) => Real)(x)), 'arity', 'wrong number of arguments');
    throwsRose(() => (interp(f) as (...a: unknown[]) => unknown)(1), 'arity', 'wrong number of arguments');
  });

  it('accepts only functions as custom JVPs', () => {
    const f = fn([Real], Real, (x) => x);
    throwsRose(() => (f.jvp = 3 as never), 'invalid-value', 'invalid value');
  });

  it('requires a custom JVP to differentiate an opaque function', () => {
    const o = opaque([Real], Real, Math.exp);
    throwsRose(() => jvp(o), 'no-jvp', 'no JVP provided for opaque function');
    const f = fn([Real], Real, (x) => mul(o(x), 2));
    throwsRose(() => jvp(f), 'no-jvp', 'no JVP provided for opaque function');
  });

  it('reports Ref results', () => {
    const b = new FuncBuilder('leak');
    const acc = b.accum(b.param(REAL));
    throwsRose(() => interp(makeFn(b.finish(acc)))(1), 'unsupported', 'Ref not supported');
  });

  it('rejects values that are not functions where an Fn is expected', () => {
    throwsRose(() => interp((() => 1) as never), 'invalid-value', 'invalid value');
    throwsRose(() => jvp({} as never), 'invalid-value', 'invalid value');
  });
});

describe('reverse mode', () => {
  it('needs a Real result for grad', () => {
    const f = fn([Real], Vec(2, Real), (x) => [x, x]);
    throwsRose(() => grad(f), 'type-mismatch', 'returns Real');
  });

  it('rejects parameter selections out of range', () => {
    const f = fn([Real], Real, (x) => x);
    throwsRose(() => grad(f, 1 as never), 'invalid-value', 'parameters to differentiate');
    throwsRose(() => vjp(f, [0, 2]), 'invalid-value', 'parameters to differentiate');
  });

  it('reports VJP closures used in another body', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    let g: ((ct: unknown) => unknown) | undefined;
    fn([Real], Real, (x) => {
      const r = vjp(sq)(x);
      g = r.grad;
      return r.ret;
    });
    throwsRose(() => fn([], Real, () => g!(1) as never), 'escaped', 'VJP closure escaped its context');
    throwsRose(() => g!(1), 'no-context', 'no `fn` context found');
  });

  it('needs a `fn` body for vjp closures', () => {
    const sq = fn([Real], Real, (x) => mul(x, x));
    throwsRose(() => vjp(sq)(2), 'no-context', 'no `fn` context found');
  });
});
