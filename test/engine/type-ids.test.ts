/** @file Tests of variable type ids: the type table, its id width, and `FuncBuilder.reserveFrom`. */
import { describe, expect, it } from 'vitest';
import { FuncBuilder } from '../../engine/ir/builder.ts';
import { check } from '../../engine/ir/check.ts';
import {
  LEAF_TYPES,
  REAL,
  TAN,
  UNIT,
  erase,
  finTy,
  linearPart,
  primalPart,
  structTy,
  typeTable,
  varTy,
  varTypeList,
  vecTy,
  type TransparentFunc,
  type Ty,
} from '../../engine/ir/types.ts';

/** Return a function with a param of each of `types` (in order) returning the first. */
function withParams(types: readonly Ty[]): TransparentFunc {
  const b = new FuncBuilder('many');
  const ps = types.map((t) => b.param(t));
  return b.finish(ps[0]!);
}

/** Return `n` distinct index types. */
const indexTypes = (n: number): Ty[] => Array.from({ length: n }, (_, k) => finTy(k + 2));

describe('type ids', () => {
  it('keep each type once, leaves first, one byte per variable while 256 types fit', () => {
    const pair = structTy(['a', 'b'], [REAL, TAN]);
    const f = withParams([REAL, pair, TAN, pair, vecTy(3, REAL)]);
    expect(f.types.slice(0, 4)).toEqual(LEAF_TYPES);
    expect(f.types.length).toBe(6);
    expect(f.varTypes).toBeInstanceOf(Uint8Array);
    expect(varTypeList(f)).toEqual([REAL, pair, TAN, pair, vecTy(3, REAL)]);
    expect(() => check(f)).not.toThrow();
  });

  it('widen to two bytes past 256 types and four past 65536, in the builder and in typeTable', () => {
    for (const [count, kind] of [
      [300, Uint16Array],
      [70000, Uint32Array],
    ] as const) {
      const types = indexTypes(count);
      const f = withParams(types);
      expect(f.varTypes).toBeInstanceOf(kind);
      expect(varTy(f, 0)).toBe(types[0]);
      expect(varTy(f, count - 1)).toBe(types[count - 1]);
      expect(varTypeList(f)).toEqual(types);
      const table = typeTable(types);
      expect(table.varTypes).toBeInstanceOf(kind);
      expect(table.types[table.varTypes[count - 1]!]).toBe(types[count - 1]);
    }
  });

  it('narrow back to one byte in typeTable when few types repeat', () => {
    const table = typeTable(Array.from({ length: 1000 }, (_, k) => (k % 2 ? REAL : TAN)));
    expect(table.varTypes).toBeInstanceOf(Uint8Array);
    expect(table.types.length).toBe(4);
  });
});

describe('FuncBuilder.reserveFrom', () => {
  const pair = structTy(['du', 're'], [TAN, REAL]);
  const src = withParams([REAL, pair, TAN, vecTy(2, TAN), ...indexTypes(300)]);

  it('maps every variable type, keeping the numbers', () => {
    const b = new FuncBuilder('copy');
    b.reserveFrom(src, primalPart, 4);
    for (let v = 0; v < src.varTypes.length; v++) expect(b.typeOf(v)).toBe(primalPart(varTy(src, v)));
    const extra = b.fresh(REAL);
    expect(extra).toBe(src.varTypes.length);
    expect(b.typeOf(extra)).toBe(REAL);
  });

  it('uses the second map for flagged variables', () => {
    const flags = Uint8Array.from(src.varTypes, (_, v) => v % 2);
    const b = new FuncBuilder('split');
    b.reserveFrom(src, erase, 0, flags, linearPart);
    for (let v = 0; v < src.varTypes.length; v++) {
      const t = varTy(src, v);
      expect(b.typeOf(v)).toBe(flags[v] === 1 ? linearPart(t) : erase(t));
    }
  });

  it('copies the ids when the map keeps them all, and stays right when new types follow', () => {
    const primal = withParams([REAL, vecTy(2, REAL), ...indexTypes(300)]);
    const b = new FuncBuilder('same');
    b.reserveFrom(primal, erase, 2);
    for (let v = 0; v < primal.varTypes.length; v++) expect(b.typeOf(v)).toBe(varTy(primal, v));
    const u = b.fresh(UNIT);
    const s = b.fresh(structTy(['x'], [REAL]));
    expect([b.typeOf(u).kind, b.typeOf(s).kind]).toEqual(['unit', 'struct']);
  });
});
