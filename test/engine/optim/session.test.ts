/** @file Node: optimizer sessions on this thread (the runner, commands, trails, merging, disposal). */
import { describe, expect, it } from 'vitest';
import { Real, Vec, add, fn, mul, sub } from '../../../engine/index.ts';
import { makeProblem } from '../../../engine/optim/problem.ts';
import { createSession, mergeStates, trailCapacity, type SessionState } from '../../../engine/optim/session.ts';

const rosenbrock = fn([Vec(2, Real)], Real, (v) => {
  const a = sub(1, v[0]!);
  const b = sub(v[1]!, mul(v[0]!, v[0]!));
  return add(mul(a, a), mul(100, mul(b, b)));
});

/** Resolve once `check()` is true. */
async function until(check: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > 20000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('OptimizerSession on this thread', () => {
  it('runs to convergence with every iterate in the trails', async () => {
    const states: SessionState[] = [];
    let converged: SessionState | undefined;
    const session = createSession(makeProblem(rosenbrock, [-1.2, 1], {}, 'test'), {
      onState: (s) => states.push(s),
      onConverged: (s) => (converged = s),
    });
    expect(session.ranOn).toBe('main');
    expect(session.note).toBe('');
    await session.ready;
    session.start();
    await until(() => converged !== undefined, 'convergence');
    expect(converged!.x[0]).toBeCloseTo(1, 6);
    expect(converged!.running).toBe(false);
    // the states after ready, with their trails, pass through every iteration
    const points = states.slice(1).flatMap((s) => [...s.trail, s]);
    const seen = new Set(points.map((p) => p.x.join(' ')));
    expect(seen.size).toBeGreaterThanOrEqual(converged!.iteration);
    session.dispose();
  });

  it('steps, resets, sets and freezes; a set after convergence continues a started run', async () => {
    const states: SessionState[] = [];
    let converged = 0;
    const session = createSession(makeProblem(rosenbrock, [0, 0], {}, 'test'), {
      onState: (s) => states.push(s),
      onConverged: () => converged++,
    });
    await session.ready;
    session.step();
    session.step();
    await until(() => states.at(-1)?.iteration === 2, 'two steps');
    session.reset();
    await until(() => states.at(-1)?.cause === 'reset', 'reset');
    expect(Array.from(states.at(-1)!.x)).toEqual([0, 0]);
    session.start();
    await until(() => converged === 1, 'convergence');
    session.freeze(1, true);
    session.setParameter(1, 4);
    await until(() => converged === 2, 'convergence again');
    const last = states.at(-1)!;
    expect(last.x[1]).toBe(4);
    // x minimizes (1 - x)^2 + 100 (4 - x^2)^2: its derivative is zero there
    const x = last.x[0]!;
    expect(Math.abs(-2 * (1 - x) - 400 * x * (4 - x * x))).toBeLessThan(1e-4);
    expect(x).toBeCloseTo(2, 2);
    session.dispose();
    expect(session.closed).toBe(true);
  });

  it('rejects ready with aborted when disposed before compiling finished', async () => {
    const session = createSession(makeProblem(rosenbrock, [0, 0], {}, 'test'));
    session.dispose();
    await expect(session.ready).rejects.toMatchObject({ code: 'aborted' });
  });

  it('reports a bad command as an error', async () => {
    let error: { code: string } | undefined;
    const session = createSession(makeProblem(rosenbrock, [0, 0], {}, 'test'), { onError: (e) => (error = e) });
    await session.ready;
    session.setParameter(7, 1);
    expect(error?.code).toBe('invalid-value');
    expect(session.closed).toBe(true);
  });
});

describe('mergeStates', () => {
  const state = (x: number, cause: SessionState['cause'], trail: number[] = []): SessionState =>
    ({
      x: new Float64Array([x]),
      value: x,
      gradientNorm: 0,
      cause,
      trail: trail.map((t) => ({ x: new Float64Array([t]), value: t, gradientNorm: 0 })),
    }) as unknown as SessionState;

  it('keeps the path through a dropped state, and a reset', () => {
    const m = mergeStates(state(3, 'run', [1, 2]), state(6, 'run', [4, 5]));
    expect(m.trail.map((p) => p.x[0])).toEqual([1, 2, 3, 4, 5]);
    expect(m.x[0]).toBe(6);
    expect(mergeStates(state(0, 'reset'), state(2, 'run', [1])).cause).toBe('reset');
    const set = mergeStates(state(0, 'set'), state(2, 'run', [1]));
    expect([set.cause, ...set.trail.map((p) => p.x[0])]).toEqual(['set', 0, 1]);
    // a state that starts a new path drops what came before it
    expect(mergeStates(state(3, 'run', [1, 2]), state(7, 'set')).trail).toEqual([]);
    // a state that does not move keeps what the older one said
    const kept = mergeStates(state(3, 'set', []), state(3, 'freeze'));
    expect([kept.cause, kept.trail.length]).toEqual(['set', 0]);
    expect(mergeStates(state(0, 'start'), state(2, 'run', [1])).trail.map((p) => p.x[0])).toEqual([1]);
  });

  it('thins long trails to the capacity, keeping the newest', () => {
    const long = Array.from({ length: 200 }, (_, k) => k);
    const m = mergeStates(state(200, 'run', long), state(300, 'run', [250]));
    expect(m.trail.length).toBeLessThanOrEqual(trailCapacity(1));
    expect(m.trail.at(-1)!.x[0]).toBe(250);
    expect(trailCapacity(100000)).toBe(2);
  });
});
