/**
 * @file Wasm memory management: one `WebAssembly.Memory` per runtime, shared by every module the
 * runtime instantiates. The memory is split in two:
 *
 * ```
 *  0                      heapTop                               heapTop + scratchNeed
 *  | pinned regions ...   | scratch: args of a call | frame ... |  (rest of the memory)
 * ```
 *
 * - Pinned regions are persistent (the parameter and gradient vectors of a zero-copy object):
 *   no call writes into them. A first-fit free list with coalescing reuses freed regions, and
 *   freeing the topmost region lowers `heapTop`, so compile/dispose cycles keep memory bounded.
 * - The scratch region starts at `heapTop`: a convenience call writes its arguments there and
 *   passes the address after them as the frame pointer `sp`. Every compiled function shares it, so
 *   calls are not re-entrant (an opaque JS function must not call a compiled function of the same
 *   runtime; `enter` refuses that).
 *
 * Memory only grows, by exactly the pages needed (Rose: a 16-byte function compiled into a 0-page
 * memory leaves exactly 1 page). Growth detaches the old `ArrayBuffer`, so views are re-read
 * whenever `memory.buffer` changed (`sync`), also after growth by other code sharing the memory.
 */
import { RoseError, formatMessage } from '../errors.ts';

/** Bytes in a wasm page. */
export const PAGE = 65536;
/** Pages a 32-bit wasm memory can address (4 GiB). */
export const MAX_PAGES = 65536;
/** Alignment of pinned regions and of the scratch base, in bytes. */
export const ALIGN = 8;

/** Return `n` rounded up to a multiple of `ALIGN`. */
export function alignUp(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** A free block of the pinned heap. */
interface Block {
  ptr: number;
  size: number;
}

/**
 * A wasm memory with its current views, pinned heap and scratch region. Views are plain fields
 * (fast to read in hot code); call `sync()` before using them after anything that may have grown
 * the memory.
 */
export class Runtime {
  readonly memory: WebAssembly.Memory;
  /** The buffer the views below were made from. */
  buffer: ArrayBuffer;
  u8!: Uint8Array;
  u16!: Uint16Array;
  u32!: Uint32Array;
  f64!: Float64Array;
  /** Start of the scratch region (= end of the pinned heap); always `ALIGN`-aligned. */
  heapTop = 0;
  /** Largest scratch (arguments + frame) any compiled function of this runtime asked for. */
  scratchNeed = 0;
  /** Free blocks below `heapTop`, sorted by address, never adjacent to each other. */
  readonly #free: Block[] = [];
  /** Sizes of the live pinned regions, by address. */
  readonly #live = new Map<number, number>();
  #busy = false;

  constructor(memory: WebAssembly.Memory) {
    this.memory = memory;
    this.buffer = memory.buffer as ArrayBuffer;
    if (typeof SharedArrayBuffer !== 'undefined' && this.buffer instanceof SharedArrayBuffer)
      throw new RoseError(
        'unsupported',
        formatMessage(
          'unsupported: a shared (SharedArrayBuffer) wasm memory; compiled modules import an ' +
            'unshared one',
          'compile options',
          'Pass a memory made with new WebAssembly.Memory({ initial: 0 })',
        ),
      );
    this.#views();
  }

  /**
   * Re-read the views if the memory grew since they were made. Growth detaches the old buffer,
   * which empties its views: that check is a field read, whereas the `memory.buffer` getter is a
   * call into the engine.
   */
  sync(): void {
    if (this.u8.length === 0) {
      const b = this.memory.buffer as ArrayBuffer;
      if (b !== this.buffer) {
        this.buffer = b;
        this.#views();
      }
    }
  }

  #views(): void {
    const b = this.buffer;
    this.u8 = new Uint8Array(b);
    this.u16 = new Uint16Array(b);
    this.u32 = new Uint32Array(b);
    this.f64 = new Float64Array(b);
  }

  /** Grow the memory, by exactly the pages needed, until it holds `bytes` bytes; then `sync`. */
  reserve(bytes: number, where: string): void {
    const pages = Math.ceil(bytes / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (pages > have) {
      if (pages > MAX_PAGES) throw tooLarge(bytes, where);
      try {
        this.memory.grow(pages - have);
      } catch (e) {
        throw new RoseError(
          'unsupported',
          formatMessage(
            `could not grow the wasm memory to ${bytes} bytes (${pages} pages): ${String(e)}`,
            where,
            'Use smaller vectors, or pass a memory without a lower `maximum`',
          ),
          { cause: e },
        );
      }
    }
    this.sync();
  }

  /** Make sure the scratch region can hold `bytes` (arguments + frame) for every later call. */
  needScratch(bytes: number, where: string): void {
    if (bytes > this.scratchNeed) this.scratchNeed = bytes;
    this.reserve(this.heapTop + this.scratchNeed, where);
  }

  /** Return the address of a new pinned region of `size` bytes (`ALIGN`-aligned, zeroed). */
  pin(size: number, where: string): number {
    const want = Math.max(ALIGN, alignUp(size));
    const free = this.#free;
    let ptr = -1;
    for (let k = 0; k < free.length; k++) {
      const b = free[k]!;
      if (b.size < want) continue;
      ptr = b.ptr;
      if (b.size === want) free.splice(k, 1);
      else {
        b.ptr += want;
        b.size -= want;
      }
      break;
    }
    if (ptr < 0) {
      ptr = this.heapTop;
      this.reserve(ptr + want + this.scratchNeed, where);
      this.heapTop = ptr + want;
    }
    this.sync();
    this.u8.fill(0, ptr, ptr + want);
    this.#live.set(ptr, want);
    return ptr;
  }

  /** Free the pinned region at `ptr` (from `pin`); freeing twice is a no-op. */
  unpin(ptr: number): void {
    const size = this.#live.get(ptr);
    if (size === undefined) return;
    this.#live.delete(ptr);
    const free = this.#free;
    let k = 0;
    while (k < free.length && free[k]!.ptr < ptr) k++;
    free.splice(k, 0, { ptr, size });
    // coalesce with the next block, then with the previous one
    const next = free[k + 1];
    if (next !== undefined && ptr + size === next.ptr) {
      free[k]!.size += next.size;
      free.splice(k + 1, 1);
    }
    const prev = free[k - 1];
    if (prev !== undefined && prev.ptr + prev.size === ptr) {
      prev.size += free[k]!.size;
      free.splice(k, 1);
    }
    // a free block at the top of the heap gives its bytes back to the scratch region
    const last = free[free.length - 1];
    if (last !== undefined && last.ptr + last.size === this.heapTop) {
      this.heapTop = last.ptr;
      free.pop();
    }
  }

  /** Return the number of live pinned regions (for tests and diagnostics). */
  get pinnedCount(): number {
    return this.#live.size;
  }

  /**
   * Mark the scratch region as in use by a call; throw if it already is (a compiled function
   * called from an opaque function while another call of the same runtime is running).
   */
  enter(where: string): void {
    if (this.#busy)
      throw new RoseError(
        'unsupported',
        formatMessage(
          're-entrant call: a compiled function was called while another compiled function ' +
            'of the same memory was running (from an opaque function)',
          where,
          'Compile the inner function into its own memory: compile(f, { memory: new WebAssembly.Memory({ initial: 0 }) })',
        ),
      );
    this.#busy = true;
  }

  /** Release the scratch region after a call (also after a failed one). */
  leave(): void {
    this.#busy = false;
  }
}

/** Return the error for a memory request beyond what 32-bit wasm can address. */
function tooLarge(bytes: number, where: string): RoseError {
  return new RoseError(
    'unsupported',
    formatMessage(
      `the function needs ${bytes} bytes of wasm memory, more than the ${MAX_PAGES * PAGE} ` +
        'bytes (4 GiB) a 32-bit wasm memory can address',
      where,
      'Use smaller vectors or split the computation',
    ),
  );
}

const runtimes = new WeakMap<WebAssembly.Memory, Runtime>();
let defaultRt: Runtime | undefined;

/** Return the runtime of `memory` (one per memory), or the default runtime without one. */
export function runtimeFor(memory?: WebAssembly.Memory): Runtime {
  if (memory === undefined) {
    defaultRt ??= new Runtime(new WebAssembly.Memory({ initial: 0 }));
    return defaultRt;
  }
  if (!(memory instanceof WebAssembly.Memory))
    throw new RoseError(
      'invalid-value',
      formatMessage('invalid value: `memory` must be a WebAssembly.Memory', 'compile options'),
    );
  let rt = runtimes.get(memory);
  if (rt === undefined) runtimes.set(memory, (rt = new Runtime(memory)));
  return rt;
}

/** Return the memory shared by every function compiled without `options.memory`. */
export function defaultMemory(): WebAssembly.Memory {
  return runtimeFor().memory;
}
