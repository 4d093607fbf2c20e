/**
 * @file Compile IR functions to one WebAssembly module (rose-reference §7, DESIGN.md §5).
 * Work in progress: the contract below is final; the implementation lands in following commits.
 */
import { internal } from '../errors.ts';
import type { Func, OpaqueFunc } from '../ir/types.ts';

/** The result of `generate`: module bytes plus what the JS side needs to instantiate and call it. */
export interface WasmArtifact {
  /** The module. Imports memory `'m'.''` (min 0 pages, no max) and `imports` below. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Opaque functions, imported as module '' field String(k) in this order, each (f64...) -> f64. */
  readonly imports: readonly OpaqueFunc[];
  /**
   * Bytes of scratch memory the root needs from `sp` (static, exact; checked against the 4 GiB
   * wasm32 limit). Export 'f' is the root: one wasm value per IR param whose type is not
   * zero-size (real/tan -> f64, bool/fin -> i32, vec/struct -> i32 pointer to its inline data,
   * ref -> i32 pointer to the accumulator's inline data), then one i32 `sp` (8-byte aligned start
   * of scratch memory). Result: the IR result's wasm value (f64 / i32 / i32 pointer), or none if
   * zero-size. A pointer result may point into the frame or into an argument's data: read it
   * before the next call or before overwriting arguments.
   */
  readonly frameSize: number;
}

/** Options of `generate`. */
export interface GenerateOptions {
  /**
   * Split a block into several wasm functions once its estimated size passes this many IR
   * instructions (default 20000). Tests set it low to force splitting.
   */
  readonly splitThreshold?: number;
  /** Refuse programs whose memory need passes this many bytes (default 2^32: wasm32's 4 GiB). */
  readonly maxMemoryBytes?: number;
}

/**
 * Compile `f` and every function it calls into one module importing memory `'m'.''`.
 * Throws `RoseError` (code `unsupported`) when the program would need more memory than wasm can
 * address; the message gives the size.
 */
export function generate(f: Func, options: GenerateOptions = {}): WasmArtifact {
  void f;
  void options;
  return internal('wasm codegen is not implemented yet');
}
