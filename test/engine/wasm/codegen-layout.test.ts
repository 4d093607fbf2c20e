/**
 * @file Layout of IR values in wasm memory (engine/wasm/layout.ts): sizes, alignments, inline
 * vecs and structs, member order by descending alignment, leaves with offsets, wasm values.
 */
import { describe, expect, it } from 'vitest';
import { BOOL, REAL, TAN, UNIT, finTy, refTy, structTy, vecTy } from '../../../engine/ir/types.ts';
import {
  alignOf,
  formatBytes,
  isZeroSize,
  leavesOf,
  memberOffset,
  memberOrder,
  sizeOf,
  storageOf,
  strideOf,
  wasmRep,
} from '../../../engine/wasm/layout.ts';

describe('layout', () => {
  it('sizes scalar leaves like Rose', () => {
    expect([UNIT, BOOL, REAL, TAN].map(sizeOf)).toEqual([0, 1, 8, 8]);
    expect([0, 1, 2, 256, 257, 65536, 65537, 2 ** 32].map((n) => sizeOf(finTy(n)))).toEqual([0, 0, 1, 1, 2, 2, 4, 4]);
    expect(storageOf(finTy(300))).toBe('u16');
    expect(alignOf(REAL)).toBe(8);
    expect(alignOf(UNIT)).toBe(1);
  });

  it('stores vecs inline at the element stride', () => {
    expect(sizeOf(vecTy(3, REAL))).toBe(24);
    expect(sizeOf(vecTy(5, BOOL))).toBe(5);
    expect(sizeOf(vecTy(4, vecTy(3, finTy(300))))).toBe(24);
    expect(strideOf(vecTy(3, REAL))).toBe(24);
    expect(sizeOf(vecTy(1000, UNIT))).toBe(0);
    expect(sizeOf(vecTy(2 ** 30, REAL))).toBe(2 ** 33); // sizes are plain numbers, not wrapped
  });

  it('places struct members by descending alignment without padding, rounded to the alignment', () => {
    const s = structTy(['a', 'b', 'c', 'd'], [BOOL, REAL, finTy(1000), vecTy(2, REAL)]);
    expect(memberOrder(s)).toEqual([1, 3, 2, 0]);
    expect([0, 1, 2, 3].map((k) => memberOffset(s, k))).toEqual([26, 0, 24, 8]);
    expect(sizeOf(s)).toBe(32);
    expect(alignOf(s)).toBe(8);
    const small = structTy(['p', 'q'], [BOOL, finTy(70000)]);
    expect([memberOffset(small, 0), memberOffset(small, 1), sizeOf(small)]).toEqual([4, 0, 8]);
    expect(sizeOf(structTy([], []))).toBe(0);
    // a vec of structs keeps every element aligned
    expect(sizeOf(vecTy(3, structTy(['x', 'ok'], [REAL, BOOL])))).toBe(48);
  });

  it('lists leaves in logical order with offsets, skipping zero-size ones', () => {
    const s = structTy(['a', 'u', 'v'], [BOOL, UNIT, vecTy(2, structTy(['k', 'x'], [finTy(3), REAL]))]);
    expect(leavesOf(s).map((l) => [l.storage, l.offset])).toEqual([
      ['u8', 32],
      ['u8', 8],
      ['f64', 0],
      ['u8', 24],
      ['f64', 16],
    ]);
  });

  it('gives each type its wasm value', () => {
    expect([REAL, TAN, BOOL, finTy(3), finTy(1), UNIT, vecTy(2, REAL), vecTy(0, REAL)].map(wasmRep)).toEqual([
      'f64', 'f64', 'i32', 'i32', 'none', 'none', 'i32', 'none',
    ]);
    expect([refTy(REAL), refTy(UNIT), refTy(vecTy(2, REAL))].map(wasmRep)).toEqual(['i32', 'none', 'i32']);
    expect(isZeroSize(structTy(['a'], [finTy(1)]))).toBe(true);
  });

  it('formats byte counts with MiB', () => {
    expect(formatBytes(2 ** 33)).toBe('8589934592 bytes (8192 MiB)');
  });
});
