/**
 * @file `npm run bench`: the engine's own benches (scaling of the passes, the wasm math library),
 * then every workload on every system side by side, each measurement in a process of its own
 * (`bench/<system>.ts <workload>`, which prints one JSON line). Prints one table per workload,
 * the marshalling table and the summary of the DESIGN.md §9 targets, and writes everything to
 * `bench/results/latest.json`.
 *
 * Options: `--workloads=a,b` and `--systems=hand,compiled,interp,rose,tfjs` run a subset (and
 * leave the results file alone, as `--no-write` does); `--no-engine` skips the engine's benches
 * (the optimizers' too); `--no-optim` skips only the optimizers' bench (bench/optim.bench.ts);
 * `--optim-only` runs only that one.
 * The machine is shared and noisy: compare ratios within one run, not absolute times across runs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RESULT_TAG, type Result } from './harness.ts';
import {
  check,
  printMarshal,
  printTargets,
  printWorkload,
  type Results,
  type SystemName,
} from './report.ts';
import { WORKLOADS, workloadId, type WorkloadId } from './workloads.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** How to run a system. */
interface System {
  readonly key: string;
  readonly name: SystemName;
  readonly file: string;
  readonly args: string[];
}

/** How to run each system: its key for `--systems`, its file, and extra arguments. */
const SYSTEMS: readonly System[] = [
  { key: 'hand', name: 'hand JS', file: 'bench/handjs.ts', args: [] },
  { key: 'compiled', name: 'Rose Kit compiled', file: 'bench/rosekit.ts', args: [] },
  { key: 'interp', name: 'Rose Kit interp', file: 'bench/rosekit.ts', args: ['--interp'] },
  { key: 'rose', name: 'rose@0.4.10', file: 'bench/rose.ts', args: [] },
  { key: 'tfjs', name: 'TensorFlow.js', file: 'bench/tfjs.ts', args: [] },
];

/** tfjs runs one vectorized program per workload family: the unrolled variants reuse it. */
const TFJS_SAME_AS: Partial<Record<WorkloadId, WorkloadId>> = {
  'pairwise-unrolled': 'pairwise-calls',
  'spring-unrolled': 'spring-calls',
  'rosenbrock-unrolled': 'rosenbrock-vec',
};

/** A child gets this long before it is stopped and reported n/a. */
const TIMEOUT_MS = 180_000;

/** Return the value of `--name=value` on the command line, if given. */
function option(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

/** What a child process printed, and how it ended. */
interface Output {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `node --import ./scripts/ts-register.mjs <args>`; resolve with its exit code and output. */
function node(args: string[], inherit: boolean): Promise<Output> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', './scripts/ts-register.mjs', ...args], {
      cwd: ROOT,
      stdio: inherit ? 'inherit' : 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const killed = signal === 'SIGKILL';
      resolve({ code, stdout, stderr: killed ? `timed out after ${TIMEOUT_MS / 1000} s` : stderr });
    });
  });
}

/** Measure one system on one workload in a fresh process; never throws. */
async function measure(system: System, w: WorkloadId): Promise<Result> {
  const out = await node([system.file, w, ...system.args], false);
  const line = out.stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
  if (line !== undefined) {
    return { ...(JSON.parse(line.slice(RESULT_TAG.length)) as Result), system: system.name };
  }
  const useful = (l: string) => l.trim() !== '' && !l.startsWith('    at ') && !l.startsWith('Node.js');
  const lines = out.stderr.split('\n').filter(useful);
  const why = (lines.find((l) => /Error\b/.test(l)) ?? lines.at(-1) ?? '').slice(0, 160);
  return { system: system.name, workload: w, ok: false, reason: `process failed (exit ${out.code}): ${why}` };
}

/** Run the chosen workloads on the chosen systems, printing each workload's table when done. */
async function runAll(workloads: readonly WorkloadId[], systems: readonly System[]): Promise<Results> {
  const results: Results = new Map();
  for (const w of workloads) {
    const byName = new Map<SystemName, Result>();
    results.set(w, byName);
    for (const s of systems) {
      const same = s.name === 'TensorFlow.js' ? TFJS_SAME_AS[w] : undefined;
      const earlier = same === undefined ? undefined : results.get(same)?.get(s.name);
      const reused = `the vectorized program of ${same} (nothing to unroll)`;
      const r =
        earlier !== undefined
          ? { ...earlier, workload: w, notes: [...(earlier.notes ?? []), reused] }
          : await measure(s, w);
      byName.set(s.name, r);
      const outcome = r.ok ? `${r.grad?.us.toFixed(1)} us` : `n/a (${r.reason})`;
      process.stderr.write(`  ${w} / ${s.name}: ${outcome}\n`);
    }
    printWorkload(w, byName);
  }
  return results;
}

/** Write the results (not the gradients), checks and verdicts to bench/results/latest.json. */
function write(results: Results, verdicts: unknown): void {
  const dir = `${ROOT}bench/results`;
  mkdirSync(dir, { recursive: true });
  const rows = [...results.values()].flatMap((m) => [...m.values()]);
  const checks = rows.map((r) => ({
    workload: r.workload,
    system: r.system,
    check: check(r, results.get(r.workload)?.get('hand JS')),
  }));
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    loadavg: loadavg(),
  };
  // The gradients themselves (up to 1000 numbers each) are left out: their checks are kept.
  const raw = rows.map(({ gradient, ...r }) => ({ ...r, gradientLength: gradient?.length }));
  const json = { date: new Date().toISOString(), machine, results: raw, checks, targets: verdicts };
  writeFileSync(`${dir}/latest.json`, `${JSON.stringify(json, null, 1)}\n`);
  console.log(`\nraw results: bench/results/latest.json`);
}

/** The load averages over 1, 5 and 15 minutes. */
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const t0 = Date.now();
  const workloads = option('workloads')?.split(',').map(workloadId) ?? WORKLOADS;
  const keys = option('systems')?.split(',');
  const systems = SYSTEMS.filter((s) => keys === undefined || keys.includes(s.key));
  const optim = !process.argv.includes('--no-optim');
  if (process.argv.includes('--optim-only')) return void (await node(['bench/optim.bench.ts'], true));
  if (!process.argv.includes('--no-engine')) {
    const benches = ['bench/engine.bench.ts', 'bench/math.bench.ts', ...(optim ? ['bench/optim.bench.ts'] : [])];
    for (const bench of benches) {
      const out = await node([bench], true);
      if (out.code !== 0) console.log(`!! ${bench} failed (exit ${out.code})`);
      console.log();
    }
  }
  console.log(`# Side by side: ${process.version}, ${cpus().length} cores, load ${load()}`);
  console.log('medians, one process per cell; grad: one value-and-gradient call;');
  console.log('setup: trace + transform + compile + the first value-and-gradient call');
  const results = await runAll(workloads, systems);
  printMarshal(results);
  const compiledRan = [...results.values()].some((m) => m.get('Rose Kit compiled')?.ok);
  const tier: SystemName = compiledRan ? 'Rose Kit compiled' : 'Rose Kit interp';
  if (!compiledRan) console.log('\n(Rose Kit compiled did not run: targets judged on the interpreter)');
  const verdicts = printTargets(results, tier);
  const subset = option('workloads') !== undefined || option('systems') !== undefined;
  if (!subset && !process.argv.includes('--no-write')) write(results, { tier, verdicts });
  const mismatches = [...results.values()]
    .flatMap((m) => [...m.values()])
    .filter((r) => check(r, results.get(r.workload)?.get('hand JS'))?.ok === false);
  if (mismatches.length > 0) {
    const which = mismatches.map((r) => `${r.system} on ${r.workload}`).join(', ');
    console.log(`\n!! ${mismatches.length} GRADIENT MISMATCH(ES): ${which}`);
    process.exitCode = 1;
  }
  console.log(`bench done in ${((Date.now() - t0) / 1000).toFixed(0)} s (load now ${load()})`);
}

void main();
