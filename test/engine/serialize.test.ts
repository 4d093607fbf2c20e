/** @file The binary form of programs (engine/ir/serialize.ts): layout checks and misuse. */
import { describe, expect, it } from 'vitest';
import { Real, Vec, fn, mul, sin, sum } from '../../engine/index.ts';
import { decodeProgram, encodeProgram, hashProgram } from '../../engine/ir/serialize.ts';
import { pprint } from '../../engine/ir/pprint.ts';
import { funcOf } from '../../engine/trace/fn.ts';

const program = () =>
  encodeProgram(funcOf(fn([Vec(3, Real)], Real, (xs) => sum(3, (i) => sin(mul(xs[i]!, 2.5)))), 't')).program;

describe('encodeProgram / decodeProgram', () => {
  it('keeps literals bit for bit and decodes to the same text', () => {
    const p = program();
    expect([...p.reals]).toContain(2.5);
    const f = funcOf(fn([Real], Real, (x) => mul(x, -0)), 't');
    const back = decodeProgram(encodeProgram(f).program).func;
    expect(pprint(back)).toBe(pprint(f));
    expect(hashProgram(encodeProgram(back).program)).toBe(hashProgram(encodeProgram(f).program));
    const g = funcOf(fn([Real], Real, (x) => mul(x, 0)), 't');
    expect(hashProgram(encodeProgram(g).program)).not.toBe(hashProgram(encodeProgram(f).program));
  });

  it('refuses another encoding version, truncated data and trailing data as internal errors', () => {
    const p = program();
    const other = { ...p, ints: Int32Array.from(p.ints, (x, k) => (k === 0 ? x + 1 : x)) };
    expect(() => decodeProgram(other)).toThrow(/internal: decodeProgram: a program of another encoding version/);
    expect(() => decodeProgram({ ...p, ints: p.ints.slice(0, p.ints.length - 3) })).toThrow(/internal: decodeProgram/);
    const longer = new Int32Array(p.ints.length + 1);
    longer.set(p.ints);
    expect(() => decodeProgram({ ...p, ints: longer })).toThrow(/internal: decodeProgram: trailing data/);
  });
});
