/**
 * @file web-test-runner configuration: the browser tests (test/browser/**\/*.spec.ts) in Debian's
 * Chromium (`CHROME_PATH`, default /usr/bin/chromium), headless, without sandbox (CI runs as
 * root) and without any background network traffic. TypeScript is stripped by esbuild. The run
 * closes with a plain `N passed, N failed, N skipped` line that scripts/run-tests.mjs reads.
 * Browser tests are named `.spec.ts` so that Vitest (test/**\/*.test.ts, Node) never runs them.
 */
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter } from '@web/test-runner';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

import { CHROME_ARGS, CHROME_PATH as CHROME } from './scripts/chromium.mjs';

/** Return a reporter that prints one plain `N passed, N failed, N skipped` line at exit. */
function summaryLineReporter() {
  return {
    stop({ sessions }) {
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      const walk = (suite) => {
        for (const t of suite.tests) {
          if (t.skipped) skipped++;
          else if (t.passed) passed++;
          else failed++;
        }
        suite.suites.forEach(walk);
      };
      for (const s of sessions) {
        if (s.testResults) walk(s.testResults);
        // a file that failed to load, or an error outside any test, counts as one failure
        if (s.errors?.length || (!s.passed && !s.testResults)) failed++;
      }
      // the runner's terminal swallows reporter output while it runs: write at process exit
      process.once('exit', () => writeSync(1, `\n${passed} passed, ${failed} failed, ${skipped} skipped\n`));
    },
  };
}

/**
 * Serve `x.ts` for a request of a missing `x.js`: the engine starts its worker as
 * `new Worker(new URL('./worker.js', import.meta.url))` (the name it has in the package), a plain
 * request that the esbuild plugin's import rewriting never sees.
 */
function jsToTs(ctx, next) {
  const ts = ctx.path.replace(/\.js$/, '.ts');
  if (ts !== ctx.path && !existsSync('.' + ctx.path) && existsSync('.' + ts)) ctx.path = ts;
  return next();
}

/**
 * Build the package's bundles (rollup.config.js) into a private folder and serve them from a
 * second origin (127.0.0.1, another port) with CORS, as a CDN would. Tests ask the test server's
 * `/__cdn__/origin` for that origin and import the bundle from there (test/browser/cdn.spec.ts).
 */
function cdnOrigin() {
  const root = mkdtempSync(join(tmpdir(), 'rose-kit-cdn-'));
  execFileSync(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c', '--silent'], {
    env: { ...process.env, ROSE_KIT_OUT: join(root, 'engine') },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const types = { '.js': 'text/javascript', '.map': 'application/json' };
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file) || !types[extname(file)]) {
      res.writeHead(404, { 'access-control-allow-origin': '*' }).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)], 'access-control-allow-origin': '*' });
    res.end(readFileSync(file));
  });
  const ready = new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
  server.unref();
  return async (ctx, next) => {
    if (ctx.path !== '/__cdn__/origin') return next();
    ctx.type = 'text/plain';
    ctx.body = await ready;
  };
}

export default {
  files: ['test/browser/**/*.spec.ts'],
  nodeResolve: true,
  middleware: [jsToTs, cdnOrigin()],
  reporters: [defaultReporter(), summaryLineReporter()],
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' })],
  browsers: [
    chromeLauncher({ launchOptions: { executablePath: CHROME, headless: true, args: [...CHROME_ARGS] } }),
  ],
  concurrency: 1,
  testFramework: { config: { timeout: 30000 } },
  testsFinishTimeout: 300000,
  browserStartTimeout: 60000,
};
