/// <reference types="mocha" />
/**
 * @file Browser: `compile` and `compileValueAndGrad` in the compile worker. Results equal the
 * interpreter's; opaque implementations are reattached on the main thread; errors keep their
 * code and message across the boundary; the module cache answers repeated IR without the worker;
 * `optimize: true` loads binaryen in the worker; a sum's fused gradient, and a gradient through
 * conds, come out of the worker equal to the interpreter's;
 * a dying worker rejects its pending calls with `worker-failed` and is replaced; an AbortSignal
 * rejects with `aborted`. Every test awaits a settled promise: a hang fails by mocha's timeout.
 */
import { expect } from 'chai';
import {
  Dual,
  Real,
  RoseError,
  Vec,
  add,
  compile,
  compileValueAndGrad,
  cond,
  div,
  fn,
  interp,
  lt,
  mul,
  opaque,
  sin,
  sqrt,
  sub,
  sum,
  valueAndGrad,
} from '../../engine/index.ts';
import { workerClient } from '../../engine/runtime/client.ts';
import { moduleCacheStats } from '../../engine/runtime/remote.ts';

/** Return the Rosenbrock function of `n` variables (traced anew on every call). */
function rosenbrock(n: number) {
  return fn([Vec(n, Real)], Real, (x) => {
    let s: Real | number = 0;
    for (let i = 0; i + 1 < n; i++) {
      const d = sub(x[i + 1]!, mul(x[i]!, x[i]!));
      const e = sub(1, x[i]!);
      s = add(s, add(mul(100, mul(d, d)), mul(e, e)));
    }
    return s;
  });
}

/** Return an unrolled function of `ops` terms: slow enough to compile that a test can interrupt it. */
function unrolled(ops: number, scale = 1) {
  return fn([Vec(8, Real)], Real, (x) => {
    let s: Real | number = 0;
    for (let k = 0; k < ops; k++) s = add(s, mul(sin(mul(x[k % 8]!, k * scale)), x[(k * 3) % 8]!));
    return s;
  });
}

/** Return the error `p` rejects with (fails if it resolves). */
async function rejection(p: Promise<unknown>): Promise<RoseError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(RoseError);
    return e as RoseError;
  }
  throw new Error('expected a rejection');
}

describe('compile in the worker', () => {
  it('gives the interpreter results, and the work went to the worker', async () => {
    const posted = workerClient().posted;
    const f = rosenbrock(5);
    const g = await compile(f);
    expect(workerClient().posted).to.equal(posted + 1);
    const x = [0.5, -1.25, 2, 0.75, 3];
    expect(g(x)).to.equal(interp(f)(x));
    const h = await compile(valueAndGrad(f));
    expect(h(x)).to.deep.equal(interp(valueAndGrad(f))(x));
  });

  it('compileValueAndGrad runs valueAndGrad in the worker, zero-copy views on the main thread', async () => {
    const f = rosenbrock(4);
    const h = await compileValueAndGrad(f);
    const x = [-1.2, 1, 0.5, 2];
    h.x.set(x);
    const value = h.evaluate();
    const want = interp(valueAndGrad(f))(x) as { value: number; grad: number[] };
    expect(value).to.equal(want.value);
    expect([...h.gradient]).to.deep.equal(want.grad);
    h.dispose();
  });

  it('a sum fuses its forward and backward loops in the worker: the same value and gradient as interpreted', async () => {
    const n = 40;
    // arithmetic only: the interpreter's sin is Math.sin, the compiled one is within 1 ulp of it
    const f = fn([Vec(n, Real)], Real, (x) => sum(n, (i) => mul(mul(x[i]!, x[i]!), sub(x[i]!, 0.5))));
    const h = await compileValueAndGrad(f);
    const x = Array.from({ length: n }, (_, k) => Math.cos(k * 0.7) * 2);
    h.x.set(x);
    const want = interp(valueAndGrad(f))(x) as { value: number; grad: number[] };
    expect(h.evaluate()).to.equal(want.value);
    expect([...h.gradient]).to.deep.equal(want.grad);
    h.dispose();
  });

  it('conds compile in the worker: the same value and gradient as interpreted, on both paths', async () => {
    const n = 30;
    // a penalty only where x_i > 0.25 (sqrt of it only there); arithmetic and sqrt are exact in both
    const f = fn([Vec(n, Real)], Real, (x) =>
      sum(n, (i) => cond(lt(x[i]!, 0.25), Real, () => 0, () => mul(sqrt(x[i]!), sub(x[i]!, 0.25)))),
    );
    const h = await compileValueAndGrad(f);
    const x = Array.from({ length: n }, (_, k) => Math.cos(k * 0.7));
    h.x.set(x);
    const want = interp(valueAndGrad(f))(x) as { value: number; grad: number[] };
    expect(want.grad.filter((g) => g === 0).length).to.be.within(1, n - 1); // both paths taken
    expect(h.evaluate()).to.equal(want.value);
    expect([...h.gradient]).to.deep.equal(want.grad);
    h.dispose();
  });

  it('reattaches opaque implementations (and their custom JVPs) on the main thread', async () => {
    const calls: number[] = [];
    const ln = opaque([Real], Real, (x) => (calls.push(x), Math.log(x)));
    ln.jvp = fn([Dual], Dual, ({ re: x, du: dx }) => ({ re: ln(x), du: div(dx, x) }));
    const f = fn([Vec(2, Real)], Real, (x) => add(mul(x[0]!, ln(x[1]!)), ln(x[0]!)));
    const g = await compile(f);
    expect(g([2, 3])).to.equal(interp(f)([2, 3]));
    expect(calls).to.include(3);
    const h = await compileValueAndGrad(f);
    h.x.set([2, 3]);
    const want = interp(valueAndGrad(f))([2, 3]) as { value: number; grad: number[] };
    expect(h.evaluate()).to.equal(want.value);
    expect([...h.gradient]).to.deep.equal(want.grad);
    h.dispose();
  });

  it('answers the same IR from the module cache without posting it again', async () => {
    const first = await compile(rosenbrock(7));
    const before = moduleCacheStats();
    const posted = workerClient().posted;
    const again = await compile(rosenbrock(7)); // traced anew: another Func, the same IR
    expect(moduleCacheStats().hits).to.equal(before.hits + 1);
    expect(workerClient().posted).to.equal(posted);
    expect(again([1, 2, 3, 4, 5, 6, 7])).to.equal(first([1, 2, 3, 4, 5, 6, 7]));
    await compile(rosenbrock(8)); // different IR: a miss, posted
    expect(workerClient().posted).to.equal(posted + 1);
  });

  it('optimize: true runs binaryen in the worker; results equal the interpreter', async () => {
    const f = rosenbrock(6);
    const posted = workerClient().posted;
    const g = await compile(valueAndGrad(f), { optimize: true });
    expect(workerClient().posted).to.equal(posted + 1);
    const x = [0.5, -1.25, 2, 0.75, 3, -0.5];
    expect(g(x)).to.deep.equal(interp(valueAndGrad(f))(x));
  });
});

describe('errors across the worker boundary', () => {
  it('keep their code and message', async () => {
    const noJvp = opaque([Real], Real, Math.cos);
    const f = fn([Vec(2, Real)], Real, (x) => mul(noJvp(x[0]!), x[1]!));
    const inWorker = await rejection(compileValueAndGrad(f));
    const inPage = await rejection(compileValueAndGrad(f, { worker: false }));
    expect(inWorker.code).to.equal('no-jvp');
    expect(inWorker.message).to.equal(inPage.message);
  });

  it('a wrong signature is refused before anything is posted', async () => {
    const posted = workerClient().posted;
    const e = await rejection(compileValueAndGrad(fn([Real], Real, (x) => x)));
    expect(e.code).to.equal('unsupported');
    expect(workerClient().posted).to.equal(posted);
  });
});

describe('worker death and cancellation', () => {
  it('a terminated worker rejects its pending call with worker-failed; the next call works', async () => {
    const client = workerClient();
    const pending = compile(unrolled(3000, 1.5));
    expect(client.pendingCount).to.equal(1);
    client.terminate();
    const e = await rejection(pending);
    expect(e.code).to.equal('worker-failed');
    expect(e.message).to.match(/worker failed: .*terminated/);
    const started = client.started;
    const f = rosenbrock(3);
    expect((await compile(f))([1, 2, 3])).to.equal(interp(f)([1, 2, 3]));
    expect(client.started).to.equal(started + 1);
  });

  it('an uncaught error in the worker rejects the pending calls and replaces it', async () => {
    const client = workerClient();
    const f = rosenbrock(9);
    await compile(rosenbrock(2)); // a live worker
    const crash = client.request({ type: 'crash' }, { where: 'test' });
    const e = await rejection(crash);
    expect(e.code).to.equal('worker-failed');
    expect(e.message).to.contain('crash requested by the client');
    expect((await compile(f))([1, 2, 3, 4, 5, 6, 7, 8, 9])).to.equal(interp(f)([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('an AbortSignal rejects with aborted, before and during the compile', async () => {
    const ctl = new AbortController();
    ctl.abort(new Error('user left'));
    const before = await rejection(compile(rosenbrock(11), { signal: ctl.signal }));
    expect(before.code).to.equal('aborted');
    expect(before.message).to.contain('user left');

    const during = new AbortController();
    const pending = compile(unrolled(3000, 2.5), { signal: during.signal });
    during.abort();
    const e = await rejection(pending);
    expect(e.code).to.equal('aborted');
    const f = rosenbrock(12);
    const x = Array.from({ length: 12 }, (_, i) => i / 7);
    expect((await compile(f, { signal: new AbortController().signal }))(x)).to.equal(interp(f)(x));
  });
});
