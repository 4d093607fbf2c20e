/**
 * @file How much memory the IR of each pass keeps, measured the same way in Node and in
 * Chromium (`engine.bench.ts` runs both): the heap retained after a full garbage collection,
 * before and after each of trace, jvp, unzip and transpose (the dense passes), and after
 * materializing fwd and bwd as object IR for the passes that still read that, in bytes per
 * primal IR instruction (plus the IR's typed arrays, whose contents live outside the JS heap:
 * the dense IR's columns, the variables' type ids),
 * for the straight-line, loop-heavy and call-heavy programs of `engine-scaling.ts`. Unlike the
 * times, these figures do not depend on the load of the machine; at 1M instructions and beyond,
 * the time of the passes follows them (allocation, page faults and garbage collection).
 *
 * Needs `gc()` (Node: `--expose-gc`; Chromium: `--js-flags=--expose-gc`) and, in Chromium, exact
 * heap sizes (`--enable-precise-memory-info`). Each program should run in a process (or page) of
 * its own: V8 can keep the last large trace alive from a handle of its own until similar code
 * runs again, which would charge one program's IR to the next one.
 */
import type { Fn } from '../engine/index.ts';
import { materialize } from '../engine/ir/dense-convert.ts';
import type { Callee, DenseFunc } from '../engine/ir/dense.ts';
import type { TransparentFunc } from '../engine/ir/types.ts';
import { directCallees } from '../engine/ir/visit.ts';
import { funcOf } from '../engine/trace/fn.ts';
import { denseJvp } from '../engine/transforms/jvp.ts';
import { denseTransposed } from '../engine/transforms/transpose.ts';
import { denseUnzip } from '../engine/transforms/unzip.ts';
import { callHeavy, countInstrs, loopHeavy, straightLine, type Program } from './engine-scaling.ts';

/** The programs measured, by name. */
export const MEMORY_PROGRAMS: Readonly<Record<string, Program>> = {
  straight: straightLine,
  loops: loopHeavy,
  calls: callHeavy,
};

/** The size of the programs measured (instructions). */
export const MEMORY_OPS = 100_000;

/** The IR of the program being measured. */
interface Held {
  f?: Fn;
  g?: TransparentFunc;
  fwd?: DenseFunc;
  lin?: DenseFunc;
  bwd?: DenseFunc;
  ops?: number;
  /** The functions made so far (the steps' results). */
  out: Callee[];
}

/** The steps of the pipeline, each a function of its own so that no frame keeps its IR. */
const STEPS: ((held: Held, program: Program, n: number) => void)[] = [
  (h, program, n) => void (h.f = program(n)),
  (h) => {
    h.g = funcOf(h.f, 'bench') as TransparentFunc;
    h.ops = countInstrs(h.g);
    h.out.push(denseJvp(h.g));
  },
  (h) => {
    const u = denseUnzip(h.out[0] as DenseFunc);
    h.fwd = u.fwd;
    h.lin = u.lin;
    h.out.push(u.fwd, u.lin);
  },
  (h) => void h.out.push((h.bwd = denseTransposed(h.lin!).bwd)),
  (h) => void h.out.push(materialize(h.fwd!), materialize(h.bwd!)),
];

/** What one program retains: its size, and bytes per instruction after each step. */
export interface Retained {
  readonly ops: number;
  readonly bytes: readonly number[];
}

/**
 * Return the memory in use: in Node, the JS heap (`heapUsed`, which leaves out the contents of
 * array buffers) plus the bytes of the IR's typed arrays (`typedArrayBytes`); in Chromium, its
 * `performance.memory`, which counts array buffer contents already (a 50 MB `Uint8Array` adds
 * 50 MB to it: V8 keeps them in its sandbox there).
 */
function memoryUsed(held: Held): number {
  const node = (globalThis as { process?: { memoryUsage(): { heapUsed: number } } }).process;
  if (node !== undefined) return node.memoryUsage().heapUsed + typedArrayBytes(held);
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  if (memory === undefined) throw new Error('no performance.memory (Chromium only)');
  return memory.usedJSHeapSize;
}

/**
 * Return the bytes of the typed arrays of the IR `held` (and the functions it calls): their
 * contents are outside the JS heap that Node's `heapUsed` reports. Each buffer counts once.
 */
function typedArrayBytes(held: Held): number {
  const buffers = new Set<ArrayBufferLike>();
  const seen = new Set<Callee>();
  const stack: Callee[] = held.g === undefined ? [...held.out] : [held.g, ...held.out];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    if (f.kind === 'opaque') continue;
    buffers.add(f.varTypes.buffer);
    if (f.kind === 'transparent') stack.push(...directCallees(f));
    else {
      for (const a of [f.op, f.a, f.b, f.c, f.lits, f.lists, f.blockStart, f.blockLength, f.blockRet, f.blockVars])
        buffers.add(a.buffer);
      stack.push(...f.funcs);
    }
  }
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

/**
 * Return the bytes retained by each step of program `name` at `n` instructions, per
 * instruction. Each reading waits for a new task first: objects held by `WeakRef`s (the passes'
 * scratch pool) stay alive until the task that made them ends.
 */
export async function retained(name: string, n = MEMORY_OPS): Promise<Retained> {
  const program = MEMORY_PROGRAMS[name];
  if (program === undefined) throw new Error(`unknown program ${name}: one of ${Object.keys(MEMORY_PROGRAMS)}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('no gc(): run Node with --expose-gc, Chromium with --js-flags=--expose-gc');
  const heap = async () => {
    await new Promise((done) => setTimeout(done, 0));
    gc();
    return memoryUsed(held);
  };
  const held: Held = { out: [] };
  const readings = [await heap()];
  for (const step of STEPS) {
    step(held, program, n);
    readings.push(await heap());
  }
  return { ops: held.ops!, bytes: readings.slice(1).map((h, i) => (h - readings[i]!) / held.ops!) };
}

/** Return the lines of a table of `rows` (program name and what it retained). */
export function memoryTable(rows: readonly (readonly [string, Retained])[]): string[] {
  const cell = (c: string | number, w = 12) => String(c).padStart(w);
  const head = ['program', 'ops', 'trace', 'jvp', 'unzip', 'transpose', 'total', 'to objects'];
  const lines = [head.map((c, i) => cell(c, i ? 12 : 10)).join('')];
  for (const [name, { ops, bytes }] of rows) {
    // the four steps, their total, then what materializing fwd and bwd adds
    const steps = bytes.slice(0, 4);
    const total = steps.reduce((a, b) => a + b, 0);
    lines.push([cell(name, 10), cell(ops), ...[...steps, total, bytes[4]!].map((b) => cell(b.toFixed(0)))].join(''));
  }
  return lines;
}
