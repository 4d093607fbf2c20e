/**
 * @file How much memory the IR of each pass keeps (Node only, run by `engine.bench.ts`): the
 * heap retained after a full garbage collection, before and after each of trace, jvp, unzip and
 * transpose, in bytes per primal IR instruction, for the straight-line, loop-heavy and call-heavy
 * programs of `engine-scaling.ts`. Unlike the times, these figures do not depend on the load of
 * the machine; at 1M instructions and beyond, the time of the passes follows them (allocation,
 * page faults and garbage collection of a heap of this size).
 *
 * Each program is measured in a process of its own: within one process, V8 can keep the last
 * large trace alive from a handle of its own until similar code runs again, which would charge
 * one program's IR to the next one. Alone: `node --expose-gc --import ./scripts/ts-register.mjs
 * bench/engine-memory.ts <straight|loops|calls> [instructions]` prints one JSON line.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Fn } from '../engine/index.ts';
import type { TransparentFunc } from '../engine/ir/types.ts';
import { funcOf } from '../engine/trace/fn.ts';
import { jvp } from '../engine/transforms/jvp.ts';
import { transpose } from '../engine/transforms/transpose.ts';
import { unzip } from '../engine/transforms/unzip.ts';
import { callHeavy, countInstrs, loopHeavy, straightLine, type Program } from './engine-scaling.ts';

/** The programs measured, by name. */
const PROGRAMS: Readonly<Record<string, Program>> = { straight: straightLine, loops: loopHeavy, calls: callHeavy };

/** The IR of the program being measured. */
interface Held {
  f?: Fn;
  g?: TransparentFunc;
  lin?: TransparentFunc;
  ops?: number;
  out: unknown[];
}

/** The steps of the pipeline, each a function of its own so that no frame keeps its IR. */
const STEPS: ((held: Held, program: Program, n: number) => void)[] = [
  (h, program, n) => void (h.f = program(n)),
  (h) => {
    h.g = funcOf(h.f, 'bench') as TransparentFunc;
    h.ops = countInstrs(h.g);
    h.out.push(jvp(h.g));
  },
  (h) => {
    const u = unzip(h.out[0] as TransparentFunc);
    h.lin = u.lin;
    h.out.push(u);
  },
  (h) => void h.out.push(transpose(h.lin!)),
];

/**
 * Return the bytes retained by each step of `program` at `n` instructions, per instruction
 * (needs `--expose-gc`). Each reading waits for a new task first: objects held by `WeakRef`s (the
 * passes' scratch pool) stay alive until the task that made them ends.
 */
async function retained(program: Program, n: number): Promise<{ ops: number; bytes: number[] }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const heap = async () => {
    await new Promise((done) => setTimeout(done, 0));
    gc();
    return process.memoryUsage().heapUsed;
  };
  const held: Held = { out: [] };
  const readings = [await heap()];
  for (const step of STEPS) {
    step(held, program, n);
    readings.push(await heap());
  }
  return { ops: held.ops!, bytes: readings.slice(1).map((h, i) => (h - readings[i]!) / held.ops!) };
}

/** Return the lines of the table: one row per program, one column per step and their total. */
export function memoryTable(n = 100_000): string[] {
  const cell = (c: string | number, w = 12) => String(c).padStart(w);
  const head = ['program', 'ops', 'trace', 'jvp', 'unzip', 'transpose', 'total'];
  const lines = [head.map((c, i) => cell(c, i ? 12 : 10)).join('')];
  for (const name of Object.keys(PROGRAMS)) {
    const args = ['--expose-gc', '--import', './scripts/ts-register.mjs', 'bench/engine-memory.ts', name, String(n)];
    const out = execFileSync(process.execPath, args, { cwd: resolve(import.meta.dirname, '..'), encoding: 'utf8' });
    const { ops, bytes } = JSON.parse(out) as { ops: number; bytes: number[] };
    const total = bytes.reduce((a, b) => a + b, 0);
    lines.push([cell(name, 10), cell(ops), ...[...bytes, total].map((b) => cell(b.toFixed(0)))].join(''));
  }
  return lines;
}

if (process.argv[1] === import.meta.filename) {
  const [name = 'straight', n = '100000'] = process.argv.slice(2);
  const program = PROGRAMS[name];
  if (program === undefined) throw new Error(`unknown program ${name}: one of ${Object.keys(PROGRAMS).join(', ')}`);
  console.log(JSON.stringify(await retained(program, Number(n))));
}
