/**
 * @file The engine's own scaling (run first by `npm run bench`, or alone with
 * `node --import ./scripts/ts-register.mjs bench/engine.bench.ts`): the tables of
 * `engine-scaling.ts` measured twice, in this Node process and in a page of headless Chromium
 * (Debian's, as the browser tests use it), where the engine runs for its users. The two V8s
 * differ: Chromium's compresses pointers (the IR takes about 2/3 of the heap, so less garbage
 * collection on large IR) and is a newer version. Chromium is skipped, with the reason printed,
 * when its executable is missing or `--no-browser` is given.
 * Each row also gives the page faults of its steps and their cost at this machine's price
 * (page-faults.ts): in Node its own, in Chromium its renderer processes' (Linux only).
 * The figures are steady-state throughput: every program is first run through all the steps at
 * a small size, so the first row is not charged with the JIT compiling the engine. Compare ratios,
 * not absolute times: the machines are shared and noisy.
 * `BENCH_MAX_OPS=100000` skips the larger straight-line programs (in both).
 * Last, the IR memory each pass keeps (`engine-memory.ts`), in Node (one process per program) and
 * in Chromium (one browser context per program), which does not depend on the machine's load.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROME_ARGS, CHROME_PATH } from '../scripts/chromium.mjs';
import { startServer } from '../test/demos/harness.ts';
import { MEMORY_OPS, MEMORY_PROGRAMS, memoryTable, type Retained } from './engine-memory.ts';
import { scalingTables } from './engine-scaling.ts';
import { faultMeter, type FaultMeter } from './page-faults.ts';

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Return Chromium launched for the benches: `gc()` exposed, exact heap sizes. */
function launchBenchBrowser(): Promise<Browser> {
  const args = [...CHROME_ARGS, '--js-flags=--expose-gc', '--enable-precise-memory-info'];
  return chromium.launch({ executablePath: CHROME_PATH, headless: true, args });
}

/**
 * Return what the bench page's function `name` (engine-browser.ts) returns for `arg`, run in a
 * page of a fresh browser context (so one measurement's heap does not carry into the next).
 */
async function onBenchPage<T>(
  browser: Browser,
  url: string,
  name: string,
  arg: unknown,
  prepare?: (page: Page) => Promise<void>,
): Promise<T> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/bench/engine-browser.html`, { waitUntil: 'load' });
    await prepare?.(page);
    await page.waitForFunction((f) => f in globalThis, name, { timeout: 60_000 });
    const result = await page.evaluate(
      ([f, a]) => (globalThis as unknown as Record<string, (a: unknown) => unknown>)[f as string]!(a),
      [name, arg] as const,
    );
    if (errors.length > 0) throw new Error(`engine bench page: ${errors.join('; ')}`);
    return result as T;
  } finally {
    await context.close();
  }
}

/** The path the bench page fetches its renderers' page-fault count from (`countRendererFaults`). */
const FAULTS_PATH = '/__rose-bench-faults';

/**
 * Return a counter of the minor page faults of Chromium's renderer processes (those alive now),
 * summed: the page's own and the idle spare ones, as it cannot tell which is its own. Read from
 * Linux's `/proc`; a process that has ended keeps its last count.
 */
async function rendererFaultCounter(browser: Browser): Promise<() => number> {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number }[];
  };
  const pids = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  const last = new Map<number, number>();
  // /proc/<pid>/stat: "pid (name) state ppid ...": minflt is the 10th field, the 8th after the name
  const minflt = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      last.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]));
    } catch {
      // ended: its faults stay counted as they were
    }
    return last.get(pid) ?? 0;
  };
  return () => pids.reduce((sum, pid) => sum + minflt(pid), 0);
}

/**
 * Make the bench page's fault counter work: its requests for FAULTS_PATH (synchronous, so the
 * tables' code stays synchronous) are answered with the renderers' fault count.
 */
async function countRendererFaults(page: Page): Promise<void> {
  const count = await rendererFaultCounter(page.context().browser()!);
  await page.route(`**${FAULTS_PATH}`, (route) => route.fulfill({ body: String(count()) }));
}

/** Return the scaling and memory tables measured in headless Chromium, or why they were not. */
async function inChromium(maxOps: number, meter: FaultMeter): Promise<{ scaling: string[]; memory: string[] }> {
  const skip = (why: string) => ({ scaling: [why], memory: [why] });
  if (process.argv.includes('--no-browser')) return skip('skipped (--no-browser)');
  if (!existsSync(CHROME_PATH)) return skip(`skipped: no Chromium at ${CHROME_PATH} (set CHROME_PATH)`);
  const { server, url } = await startServer(resolve(import.meta.dirname, '..'));
  const browser = await launchBenchBrowser();
  try {
    // faults are counted on Linux only (/proc); the price of one is this process's measure
    const faults = process.platform === 'linux' ? { path: FAULTS_PATH, costUs: meter.costUs } : undefined;
    const prepare = faults && countRendererFaults;
    const lines = await onBenchPage<string[]>(browser, url, 'roseEngineScaling', { maxOps, faults }, prepare);
    const rows: [string, Retained][] = [];
    for (const name of Object.keys(MEMORY_PROGRAMS))
      rows.push([name, await onBenchPage<Retained>(browser, url, 'roseEngineMemory', name)]);
    return { scaling: [`Chromium ${browser.version()}`, ...lines], memory: memoryTable(rows) };
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Return the memory table measured in Node, each program in a process of its own. */
function memoryInNode(): string[] {
  const rows: [string, Retained][] = Object.keys(MEMORY_PROGRAMS).map((name) => {
    const args = ['--expose-gc', '--import', './scripts/ts-register.mjs', 'bench/engine-memory-node.ts', name];
    const out = execFileSync(process.execPath, args, { cwd: resolve(import.meta.dirname, '..'), encoding: 'utf8' });
    return [name, JSON.parse(out) as Retained];
  });
  return memoryTable(rows);
}

async function main(): Promise<void> {
  const maxOps = Number(process.env['BENCH_MAX_OPS'] ?? Infinity);
  console.log(
    `Engine scaling: ns per primal IR instruction (median of repetitions, one process; ` +
      `load ${load()}; after a warm-up of at least 3 s on programs of 40k instructions)`,
  );
  console.log(`Node ${process.version}`);
  const meter = faultMeter();
  for (const line of scalingTables(maxOps, meter)) console.log(line);
  console.log(`\nThe same in headless Chromium (one page; load ${load()})`);
  const browser = await inChromium(maxOps, meter);
  for (const line of browser.scaling) console.log(line);
  console.log(`target: trace+ad <= 1000 ns per operation (load now ${load()})`);
  const what = `bytes per primal instruction, heap retained after a full GC, programs of ${MEMORY_OPS / 1000}k ops`;
  console.log(`\nIR kept by each pass (${what}), Node, one process per program`);
  for (const line of memoryInNode()) console.log(line);
  console.log('The same in headless Chromium (compressed pointers), one browser context per program');
  for (const line of browser.memory) console.log(line);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
