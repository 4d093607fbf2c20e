/**
 * @file The differentiation API end to end: `vjp` (several parameters, `wrt` subsets), `grad`,
 * `valueAndGrad`, `hessian`, Rose's README example (x^y Hessian at (2, 3)), custom JVPs
 * differentiated twice, reverse-over-reverse and forward-over-reverse, checked against analytic
 * derivatives.
 */
import { describe, expect, it } from 'vitest';
import {
  Bool,
  Dual,
  Real,
  Vec,
  add,
  cos,
  div,
  exp,
  fn,
  grad,
  hessian,
  interp,
  jvp,
  log,
  mul,
  opaque,
  pow,
  select,
  sin,
  struct,
  sub,
  sum,
  valueAndGrad,
  vec,
  vjp,
} from '../../engine/index.ts';
import { check } from '../../engine/ir/check.ts';
import { funcOf, type Fn } from '../../engine/trace/fn.ts';

/** Assert that every number of `got` is within `tol` of `want` (same nesting). */
function close(got: unknown, want: unknown, tol = 1e-12): void {
  if (typeof want === 'number') {
    expect(typeof got).toBe('number');
    expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want)));
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got)).toBe(true);
    expect((got as unknown[]).length).toBe(want.length);
    want.forEach((w, i) => close((got as unknown[])[i], w, tol));
    return;
  }
  if (typeof want === 'object' && want !== null) {
    expect(Object.keys(got as object).sort()).toEqual(Object.keys(want).sort());
    for (const [k, w] of Object.entries(want)) close((got as Record<string, unknown>)[k], w, tol);
    return;
  }
  expect(got).toEqual(want);
}

/** Return `f` after checking its IR (and everything it calls). */
function checked<F extends Fn>(f: F): F {
  check(funcOf(f, 'test'));
  return f;
}

const sq = fn([Real], Real, (x) => mul(x, x));
/** f(x, y) = x y^2 + sin x */
const f2 = fn([Real, Real], Real, (x, y) => add(mul(x, mul(y, y)), sin(x)));

describe('vjp', () => {
  it('differentiates inside a body (derivative 2x)', () => {
    const d = checked(fn([Real], Real, (x) => vjp(sq)(x).grad(1)));
    expect(interp(d)(3)).toBe(6);
  });

  it('returns the primal result and allows several grad calls', () => {
    const f = checked(
      fn([Real], Vec(3, Real), (x) => {
        const { ret, grad } = vjp(sq)(x);
        return [ret, grad(1), grad(10)];
      }),
    );
    expect(interp(f)(3)).toEqual([9, 6, 60]);
  });

  it('pulls back vector cotangents', () => {
    const rot = fn([Vec(2, Real)], Vec(2, Real), ([x, y]) => [mul(x, y), sin(x)]);
    const f = checked(
      fn([Vec(2, Real)], Vec(2, Vec(2, Real)), (v) => {
        const { grad } = vjp(rot)(v);
        return [grad([1, 0]), grad([0, 1])];
      }),
    );
    close(interp(f)([2, 5]), [
      [5, 2],
      [Math.cos(2), 0],
    ]);
  });

  it('handles several parameters, returning an array of gradients', () => {
    const f = checked(
      fn([Real, Real], Vec(2, Real), (x, y) => {
        const [gx, gy] = vjp(f2)(x, y).grad(1) as [Real, Real];
        return [gx, gy];
      }),
    );
    close(interp(f)(2, 3), [9 + Math.cos(2), 12]);
  });

  it('differentiates only the parameters in wrt', () => {
    const one = checked(fn([Real, Real], Real, (x, y) => vjp(f2, 1)(x, y).grad(2)));
    close(interp(one)(2, 3), 24);
    const some = checked(
      fn([Real, Real], Vec(2, Real), (x, y) => {
        const [gy, gx] = vjp(f2, [1, 0])(x, y).grad(1) as [Real, Real];
        return [gy, gx];
      }),
    );
    close(interp(some)(2, 3), [12, 9 + Math.cos(2)]);
  });

  it('copies Bool and index leaves of gradients from the input', () => {
    const S = struct({ b: Bool, i: 3, x: Real });
    const f = fn([S], Real, (s) => select(s.b, Real, mul(s.x, s.x), s.x));
    const g = checked(fn([S], S, (s) => vjp(f)(s).grad(1)));
    expect(interp(g)({ b: true, i: 2, x: 5 })).toEqual({ b: true, i: 2, x: 10 });
    expect(interp(g)({ b: false, i: 1, x: 5 })).toEqual({ b: false, i: 1, x: 1 });
  });

  it('differentiates through dynamic indexing and sum', () => {
    const f = fn([Vec(3, Real), 3], Real, (v, i) => add(mul(v[i]!, v[i]!), sum(3, (j) => v[j]!)));
    const g = checked(fn([Vec(3, Real), 3], Vec(3, Real), (v, i) => vjp(f, 0)(v, i).grad(1)));
    expect(interp(g)([1, 2, 3], 1)).toEqual([1, 5, 1]);
  });
});

describe('grad and valueAndGrad', () => {
  it('returns the gradient function of a scalar function', () => {
    const g = checked(grad(sq));
    expect(interp(g)(3)).toBe(6);
    expect(grad(sq)).toBe(g); // memoized
  });

  it('selects parameters with argnums', () => {
    close(interp(grad(f2))(2, 3), 9 + Math.cos(2));
    close(interp(grad(f2, 1))(2, 3), 12);
    close(interp(checked(grad(f2, [1, 0])))(2, 3), [12, 9 + Math.cos(2)]);
  });

  it('computes values and gradients together', () => {
    const vg = checked(valueAndGrad(f2));
    close(interp(vg)(2, 3), { value: 18 + Math.sin(2), grad: 9 + Math.cos(2) });
    const both = checked(valueAndGrad(f2, [0, 1]));
    close(interp(both)(2, 3), { value: 18 + Math.sin(2), grad: [9 + Math.cos(2), 12] });
  });

  it('differentiates vector parameters', () => {
    const norm2 = fn([Vec(3, Real)], Real, (v) => sum(3, (i) => mul(v[i]!, v[i]!)));
    expect(interp(grad(norm2))([1, -2, 3])).toEqual([2, -4, 6]);
  });

  it('calls gradient functions from bodies', () => {
    const g = grad(f2, [0, 1]);
    const f = checked(
      fn([Real], Real, (x) => {
        const [gx, gy] = g(x, 1) as [Real, Real];
        return add(gx, mul(gy, grad(sq)(x)));
      }),
    );
    // gx = 1 + cos x, gy = 2x, grad(sq) = 2x
    close(interp(f)(0.5), 1 + Math.cos(0.5) + 1);
  });
});

describe('second order', () => {
  it('computes the Hessian of Rosenbrock', () => {
    const rosen = fn([Vec(2, Real)], Real, ([x, y]) =>
      add(pow(sub(1, x), 2), mul(100, pow(sub(y, mul(x, x)), 2))),
    );
    const h = checked(hessian(rosen));
    for (const [x, y] of [
      [-1.2, 1],
      [1, 1],
      [0.3, -0.7],
    ] as const) {
      close(
        interp(h)([x, y]),
        [
          [2 - 400 * (y - x * x) + 800 * x * x, -400 * x],
          [-400 * x, 200],
        ],
        1e-11,
      );
    }
  });

  it('computes the Hessian of a function of one Real', () => {
    const cube = fn([Real], Real, (x) => mul(x, mul(x, x)));
    expect(interp(checked(hessian(cube)))(2)).toBe(12);
  });

  it("computes Rose's README example: the Hessian of x^y at (2, 3)", () => {
    const logO = opaque([Real], Real, Math.log);
    logO.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: logO(x), du: div(dx, x) }));
    const powO = opaque([Real, Real], Real, Math.pow);
    powO.jvp = fn([Dual, Dual], Dual, ({ re: x, du: dx }, { re: y, du: dy }) => {
      const z = powO(x, y);
      return { re: z, du: mul(add(mul(dx, div(y, x)), mul(dy, logO(x))), z) };
    });
    const f = fn([Vec(2, Real)], Real, ([x, y]) => powO(x, y));
    const g = fn([Vec(2, Real)], Vec(2, Real), (v) => vjp(f)(v).grad(1));
    const h = checked(
      fn([Vec(2, Real)], Vec(2, Vec(2, Real)), (v) => {
        const { grad } = vjp(g)(v);
        return [grad([1, 0]), grad([0, 1])];
      }),
    );
    const l2 = Math.log(2);
    const want = [
      [12, 4 + 12 * l2],
      [4 + 12 * l2, 8 * l2 * l2],
    ];
    close(interp(h)([2, 3]), want);
    close(interp(hessian(f))([2, 3]), want);
  });

  it('differentiates custom JVPs twice', () => {
    const sinO = opaque([Real], Real, Math.sin);
    const cosO = opaque([Real], Real, Math.cos);
    sinO.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: sinO(x), du: mul(dx, cosO(x)) }));
    cosO.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: cosO(x), du: mul(dx, mul(-1, sinO(x))) }));
    const f = fn([Real], Real, (x) => sinO(x));
    for (const x of [0.3, 2]) {
      close(interp(grad(f))(x), Math.cos(x));
      close(interp(grad(grad(f)))(x), -Math.sin(x));
      close(interp(hessian(f))(x), -Math.sin(x));
      close(interp(grad(grad(grad(f))))(x), -Math.cos(x));
    }
  });

  it('nests reverse mode (VJP twice)', () => {
    const f = fn([Real], Real, (x) => mul(exp(x), sin(x)));
    const g = fn([Real], Real, (x) => vjp(f)(x).grad(1));
    const h = checked(fn([Real], Real, (x) => vjp(g)(x).grad(1)));
    const x = 0.7;
    // f' = e^x (sin x + cos x), f'' = 2 e^x cos x
    close(interp(g)(x), Math.exp(x) * (Math.sin(x) + Math.cos(x)));
    close(interp(h)(x), 2 * Math.exp(x) * Math.cos(x));
  });

  it('nests forward over reverse (jvp of a gradient)', () => {
    const f = fn([Real, Real], Real, (x, y) => mul(log(x), mul(y, y)));
    const gx = grad(f, 0); // y^2 / x
    const r = interp(checked(jvp(gx)))({ re: 2, du: 1 }, { re: 3, du: 0 });
    close(r, { re: 9 / 2, du: -9 / 4 });
  });

  it('computes Hessians inside loops over vectors of points', () => {
    const energy = fn([Vec(2, Real)], Real, ([x, y]) => add(mul(x, mul(x, y)), cos(y)));
    const h = hessian(energy);
    const f = checked(
      fn([Vec(3, Vec(2, Real))], Vec(3, Real), (ps) => vec(3, Real, (i) => h(ps[i]!)[0]![1]!)),
    );
    // d2/dxdy (x^2 y + cos y) = 2x
    close(interp(f)([[1, 0], [2, 5], [-3, 1]]), [2, 4, -6]);
  });
});
