/**
 * @file Memory layout of IR values in wasm linear memory: size, alignment and stride of every
 * type, member offsets of structs, and leaf enumeration. Used by codegen and by the JS-side
 * marshalling, which must agree byte for byte.
 *
 * Rules (all little-endian, as wasm):
 * - unit: 0 bytes. bool: u8 (0 or 1). real/tan: f64 (align 8).
 * - fin(n): 0 bytes if n <= 1 (the only value is 0), u8 if n <= 256, u16 if n <= 65536, else u32.
 * - vec(n, t): `n` elements INLINE at stride `sizeOf(t)`; alignment of `t`.
 * - struct: members INLINE, placed by descending alignment (ties in key order), each at the next
 *   offset aligned for it; alignment = largest member alignment. Since every size is a multiple
 *   of its alignment, this order leaves no padding between members.
 * - Every size is rounded up to its alignment, so size = stride (as in C).
 * - ref(t): a 4-byte pointer (refs never occur inside aggregates; this is their wasm value size).
 *
 * Sizes are plain JS numbers and may exceed 2^32 for huge types; codegen refuses those
 * (`checkAddressable`). Results are memoized per type object (types are immutable and shared).
 */
import type { StructTy, Ty } from '../ir/types.ts';

/** How a scalar leaf is stored in memory. `none` for zero-size leaves (unit, fin(0), fin(1)). */
export type Storage = 'none' | 'u8' | 'u16' | 'u32' | 'f64';

/** The layout of one type. */
export interface Layout {
  /** Bytes, a multiple of `align` (so it is also the stride in a vec). */
  readonly size: number;
  /** Alignment in bytes: 1, 2, 4 or 8. */
  readonly align: number;
}

interface StructLayout extends Layout {
  /** Byte offset of each member, by member position (key order). */
  readonly offsets: readonly number[];
  /** Member positions in memory order. */
  readonly order: readonly number[];
}

const UNIT_LAYOUT: Layout = { size: 0, align: 1 };
/** The layout of each scalar storage (shared: no object per call). */
const STORAGE_LAYOUT: Readonly<Record<Storage, Layout>> = {
  none: UNIT_LAYOUT,
  u8: { size: 1, align: 1 },
  u16: { size: 2, align: 2 },
  u32: { size: 4, align: 4 },
  f64: { size: 8, align: 8 },
};
const cache = new WeakMap<Ty, Layout>();

/** Return the storage of a scalar leaf type (`none` for zero-size leaves). */
export function storageOf(t: Ty): Storage {
  switch (t.kind) {
    case 'unit':
      return 'none';
    case 'bool':
      return 'u8';
    case 'real':
    case 'tan':
      return 'f64';
    case 'fin':
      return t.size <= 1 ? 'none' : t.size <= 256 ? 'u8' : t.size <= 65536 ? 'u16' : 'u32';
    case 'ref':
      return 'u32';
    default:
      throw new Error(`internal: storageOf a ${t.kind} (not a leaf)`);
  }
}

/** Return the layout (size and alignment) of `t` (a scalar's: its `storageOf`'s bytes). */
export function layoutOf(t: Ty): Layout {
  switch (t.kind) {
    case 'unit':
    case 'bool':
    case 'real':
    case 'tan':
    case 'fin':
    case 'ref':
      return STORAGE_LAYOUT[storageOf(t)];
    case 'vec':
    case 'struct': {
      let l = cache.get(t);
      if (l === undefined) cache.set(t, (l = t.kind === 'vec' ? vecLayout(t.size, t.elem) : structLayout(t)));
      return l;
    }
  }
}

function vecLayout(n: number, elem: Ty): Layout {
  const e = layoutOf(elem);
  return { size: n * e.size, align: e.align };
}

function structLayout(t: StructTy): StructLayout {
  const ls = t.members.map(layoutOf);
  const order = ls.map((_, k) => k).sort((a, b) => ls[b]!.align - ls[a]!.align || a - b);
  const offsets: number[] = new Array<number>(ls.length).fill(0);
  let at = 0;
  let align = 1;
  for (const k of order) {
    const l = ls[k]!;
    at = roundUp(at, l.align);
    offsets[k] = at;
    at += l.size;
    align = Math.max(align, l.align);
  }
  return { size: roundUp(at, align), align, offsets, order };
}

/** Return `n` rounded up to a multiple of `align`. */
export function roundUp(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** Return the size in bytes of `t` (also its stride as a vec element). */
export function sizeOf(t: Ty): number {
  return layoutOf(t).size;
}

/** Return the alignment in bytes of `t`. */
export function alignOf(t: Ty): number {
  return layoutOf(t).align;
}

/** Return the stride of the elements of a vec of `elem` (equal to `sizeOf(elem)`). */
export function strideOf(elem: Ty): number {
  return layoutOf(elem).size;
}

/** Return true when values of `t` take no bytes (and no wasm value): unit, fin(<=1), empty aggregates. */
export function isZeroSize(t: Ty): boolean {
  return layoutOf(t).size === 0;
}

/** Return the byte offset of member number `k` (position in `keys`) of a struct. */
export function memberOffset(t: StructTy, k: number): number {
  const l = layoutOf(t) as StructLayout;
  const off = l.offsets[k];
  if (off === undefined) throw new Error(`internal: member ${k} of a struct with ${t.members.length}`);
  return off;
}

/** Return the member positions of a struct in memory order (by descending alignment). */
export function memberOrder(t: StructTy): readonly number[] {
  return (layoutOf(t) as StructLayout).order;
}

/** A scalar leaf of a value: its type, storage, and byte offset from the value's start. */
export interface Leaf {
  readonly ty: Ty;
  readonly storage: Exclude<Storage, 'none'>;
  readonly offset: number;
}

/**
 * Call `visit` on every non-zero-size scalar leaf of `t` (stored at `base`), in logical order:
 * vec elements by index, struct members in key order. Zero-size leaves are skipped.
 */
export function forEachLeaf(t: Ty, base: number, visit: (leaf: Leaf) => void): void {
  switch (t.kind) {
    case 'vec': {
      const stride = strideOf(t.elem);
      if (stride === 0) return;
      for (let i = 0; i < t.size; i++) forEachLeaf(t.elem, base + i * stride, visit);
      return;
    }
    case 'struct':
      t.members.forEach((m, k) => forEachLeaf(m, base + memberOffset(t, k), visit));
      return;
    default: {
      const storage = storageOf(t);
      if (storage !== 'none') visit({ ty: t, storage, offset: base });
    }
  }
}

/** Return the non-zero-size scalar leaves of `t` with their offsets (see `forEachLeaf`). */
export function leavesOf(t: Ty): Leaf[] {
  const out: Leaf[] = [];
  forEachLeaf(t, 0, (l) => out.push(l));
  return out;
}

/**
 * The wasm value that represents a value of `t` in locals, params and results: `f64` for
 * real/tan, `i32` for bool, fin and pointers (vec, struct, ref: the address of the inline data),
 * `none` for zero-size types.
 */
export type WasmRep = 'none' | 'i32' | 'f64';

/** Return how a value of `t` is passed in wasm (see `WasmRep`; refs are treated as pointers). */
export function wasmRep(t: Ty): WasmRep {
  if (t.kind === 'ref') return isZeroSize(t.inner) ? 'none' : 'i32';
  if (isZeroSize(t)) return 'none';
  return t.kind === 'real' || t.kind === 'tan' ? 'f64' : 'i32';
}

/** The largest byte count a wasm32 memory can address: 65536 pages of 64 KiB (4 GiB). */
export const MAX_MEMORY_BYTES = 2 ** 32;

/** Return a human-readable byte count, e.g. `8589934592 bytes (8192 MiB)`. */
export function formatBytes(n: number): string {
  return `${n} bytes (${(n / 2 ** 20).toFixed(n < 2 ** 20 ? 3 : 0)} MiB)`;
}
