/**
 * @file The engine's own scaling (run first by `npm run bench`, or alone with
 * `node --import ./scripts/ts-register.mjs bench/engine.bench.ts`): the tables of
 * `engine-scaling.ts` measured twice, in this Node process and in a page of headless Chromium
 * (Debian's, as the browser tests use it), where the engine runs for its users. The two V8s
 * differ: Chromium's compresses pointers (the IR takes about 2/3 of the heap, so less garbage
 * collection on large IR) and is a newer version. Chromium is skipped, with the reason printed,
 * when its executable is missing or `--no-browser` is given.
 * The figures are steady-state throughput: every program is first run through all the steps at
 * a small size, so the first row is not charged with the JIT compiling the engine. Compare ratios,
 * not absolute times: the machines are shared and noisy.
 * `BENCH_MAX_OPS=100000` skips the larger straight-line programs (in both).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { CHROME_PATH } from '../scripts/chromium.mjs';
import { launchBrowser, startServer } from '../test/demos/harness.ts';
import { memoryTable } from './engine-memory.ts';
import { scalingTables } from './engine-scaling.ts';

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Return the tables measured in a page of headless Chromium, or why they were not. */
async function inChromium(maxOps: number): Promise<string[]> {
  if (process.argv.includes('--no-browser')) return ['skipped (--no-browser)'];
  if (!existsSync(CHROME_PATH)) return [`skipped: no Chromium at ${CHROME_PATH} (set CHROME_PATH)`];
  const { server, url } = await startServer(resolve(import.meta.dirname, '..'));
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/bench/engine-browser.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => 'roseEngineScaling' in globalThis, undefined, { timeout: 60_000 });
    const version = browser.version();
    const lines = await page.evaluate(
      (max) => (globalThis as unknown as { roseEngineScaling(max: number): string[] }).roseEngineScaling(max),
      maxOps,
    );
    if (errors.length > 0) throw new Error(`engine bench page: ${errors.join('; ')}`);
    return [`Chromium ${version}`, ...lines];
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  const maxOps = Number(process.env['BENCH_MAX_OPS'] ?? Infinity);
  console.log(
    `Engine scaling: ns per primal IR instruction (median of repetitions, one process; ` +
      `load ${load()}; after a warm-up of at least 3 s on programs of 40k instructions)`,
  );
  console.log(`Node ${process.version}`);
  for (const line of scalingTables(maxOps)) console.log(line);
  console.log(`\nThe same in headless Chromium (one page; load ${load()})`);
  for (const line of await inChromium(maxOps)) console.log(line);
  console.log(`target: trace+ad <= 1000 ns per operation (load now ${load()})`);
  console.log('\nIR retained per primal instruction (bytes, Node, after a full GC), programs of 100k ops');
  for (const line of memoryTable()) console.log(line);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
