/**
 * @file The module cache of the worker runtime: a stable structural hash of a `Func` graph, and a
 * cache of compiled modules keyed by it.
 *
 * The hash reads everything that decides the generated code: every function reachable from the
 * root (through calls and custom JVPs), in a canonical order, with its name, types, variables
 * and instructions; callees are named by their position in that order, never by their process
 * id. So the same program traced twice (two `Func` objects, different ids) hashes the same, and
 * any change to a type, a literal, an operation or the call structure changes the hash. Opaque
 * functions are hashed by name and signature only: their JS implementations are imports, supplied
 * at instantiation, so one compiled module serves every implementation.
 *
 * The hash is 128 bits (four 32-bit lanes, each a multiply-xorshift mix of its own seed), so an
 * accidental collision is out of reach for any number of programs a page compiles.
 */
import type { Block, Expr, Func, Ty } from '../ir/types.ts';
import { forEachOperand } from '../ir/visit.ts';

/** A streaming 128-bit hash of numbers and strings (not cryptographic). */
class Hasher {
  #a = 0x9e3779b9 | 0;
  #b = 0x85ebca6b | 0;
  #c = 0xc2b2ae35 | 0;
  #d = 0x27d4eb2f | 0;
  readonly #f64 = new Float64Array(1);
  readonly #u32 = new Uint32Array(this.#f64.buffer);

  /** Mix one 32-bit integer into every lane. */
  int(x: number): void {
    const k = x | 0;
    this.#a = Math.imul(this.#a ^ k, 0x85ebca77);
    this.#a ^= this.#a >>> 15;
    this.#b = Math.imul(this.#b ^ k, 0xc2b2ae3d);
    this.#b ^= this.#b >>> 13;
    this.#c = Math.imul(this.#c ^ k, 0x27d4eb2f);
    this.#c ^= this.#c >>> 16;
    this.#d = Math.imul(this.#d ^ k, 0x165667b1);
    this.#d ^= this.#d >>> 14;
    // rotate the lanes into each other so every input reaches all 128 bits
    const t = this.#a;
    this.#a = (this.#a + this.#b) | 0;
    this.#b = (this.#b + this.#c) | 0;
    this.#c = (this.#c + this.#d) | 0;
    this.#d = (this.#d + t) | 0;
  }

  /** Mix a float64, bit for bit (so 0 and -0 differ, and every NaN payload counts). */
  real(x: number): void {
    this.#f64[0] = x;
    this.int(this.#u32[0]!);
    this.int(this.#u32[1]!);
  }

  /** Mix a string, with its length. */
  str(s: string): void {
    this.int(s.length);
    for (let i = 0; i < s.length; i++) this.int(s.charCodeAt(i));
  }

  /** Return the hash as 32 hex digits. */
  digest(): string {
    const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');
    return hex(this.#a) + hex(this.#b) + hex(this.#c) + hex(this.#d);
  }
}

const KINDS: Record<Ty['kind'], number> = {
  unit: 1,
  bool: 2,
  real: 3,
  tan: 4,
  fin: 5,
  vec: 6,
  struct: 7,
  ref: 8,
};

/** Mix the structure of type `t`. */
function hashTy(h: Hasher, t: Ty): void {
  h.int(KINDS[t.kind]);
  switch (t.kind) {
    case 'fin':
      h.int(t.size);
      return;
    case 'vec':
      h.int(t.size);
      hashTy(h, t.elem);
      return;
    case 'ref':
      hashTy(h, t.inner);
      return;
    case 'struct':
      h.int(t.keys.length);
      t.keys.forEach((k, i) => {
        h.str(k);
        hashTy(h, t.members[i]!);
      });
      return;
    default:
      return;
  }
}

/**
 * Return the functions reachable from `root` (calls, custom JVPs), callees before callers (but
 * for cycles: a custom JVP may call the function it belongs to).
 */
export function reachableFuncs(root: Func): Func[] {
  const order: Func[] = [];
  const seen = new Set<Func>();
  const visit = (f: Func): void => {
    if (seen.has(f)) return;
    seen.add(f);
    if (f.customJvp !== undefined) visit(f.customJvp);
    if (f.kind === 'transparent') visitCalls(f.body, visit);
    order.push(f);
  };
  visit(root);
  return order;
}

/** Call `visit` on the callee of every call in `block` and its nested blocks. */
function visitCalls(block: Block, visit: (f: Func) => void): void {
  for (const { expr } of block) {
    if (expr.kind === 'call') visit(expr.func);
    else if (expr.kind === 'for') visitCalls(expr.body, visit);
  }
}

/** Mix one expression; callees by their position in `index`. */
function hashExpr(h: Hasher, e: Expr, index: Map<Func, number>): void {
  h.str(e.kind);
  switch (e.kind) {
    case 'lit':
      if (e.value === null) h.int(0);
      else if (typeof e.value === 'boolean') h.int(e.value ? 2 : 1);
      else h.real(e.value);
      return;
    case 'member':
    case 'field':
      h.int(e.member);
      break;
    case 'prim':
      h.str(e.prim);
      break;
    case 'call':
      h.int(index.get(e.func)!);
      break;
    case 'for':
      h.int(e.index);
      h.int(e.ret);
      hashBlock(h, e.body, index);
      return;
    default:
      break;
  }
  let n = 0;
  forEachOperand(e, (v) => {
    h.int(v);
    n++;
  });
  h.int(n);
}

/** Mix a block: its length, then each instruction. */
function hashBlock(h: Hasher, block: Block, index: Map<Func, number>): void {
  h.int(block.length);
  for (const { var: v, expr } of block) {
    h.int(v);
    hashExpr(h, expr, index);
  }
}

/** Mix one function; every function of the program has its position in `index`. */
function hashFunc(h: Hasher, f: Func, index: Map<Func, number>): void {
  h.str(f.kind);
  h.str(f.name);
  h.int(f.paramTypes.length);
  for (const t of f.paramTypes) hashTy(h, t);
  hashTy(h, f.retType);
  h.int(f.customJvp === undefined ? -1 : index.get(f.customJvp)!);
  if (f.kind === 'opaque') return;
  h.int(f.vars.length);
  for (const t of f.vars) hashTy(h, t);
  h.int(f.params.length);
  for (const p of f.params) h.int(p);
  h.int(f.ret);
  hashBlock(h, f.body, index);
}

const hashes = new WeakMap<Func, string>();

/**
 * Return the structural hash of the program rooted at `root` (32 hex digits; see the file
 * comment). Memoized per `Func` object: IR is immutable once built.
 */
export function hashFuncGraph(root: Func): string {
  let digest = hashes.get(root);
  if (digest !== undefined) return digest;
  const h = new Hasher();
  const funcs = reachableFuncs(root);
  // positions first: a custom JVP may call the function it belongs to (a cycle)
  const index = new Map<Func, number>(funcs.map((f, i) => [f, i]));
  h.int(funcs.length);
  for (const f of funcs) hashFunc(h, f, index);
  digest = h.digest();
  hashes.set(root, digest);
  return digest;
}

/**
 * A cache of settled or pending results by key; a rejected entry is dropped, so a failure (or a
 * cancellation) is retried by the next request. Counts hits and misses for tests and diagnostics.
 */
export class PromiseCache<T> {
  readonly #entries = new Map<string, Promise<T>>();
  hits = 0;
  misses = 0;

  /** Return the cached promise for `key`, or store and return `make()`. */
  get(key: string, make: () => Promise<T>): Promise<T> {
    const known = this.#entries.get(key);
    if (known !== undefined) {
      this.hits++;
      return known;
    }
    this.misses++;
    const p = make();
    this.#entries.set(key, p);
    p.catch(() => {
      if (this.#entries.get(key) === p) this.#entries.delete(key);
    });
    return p;
  }

  /** Forget every entry. */
  clear(): void {
    this.#entries.clear();
  }

  /** Return the number of entries. */
  get size(): number {
    return this.#entries.size;
  }
}
