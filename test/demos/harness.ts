/**
 * @file The harness of the demo page tests: a Vite dev server of its own (on a free port, no
 * network), Debian's Chromium through playwright-core (`CHROME_PATH`, default /usr/bin/chromium,
 * headless, no sandbox, no background traffic), a fresh page per test that records page errors
 * and console errors, helpers that wait for elements and read canvas pixels, and a runner that
 * prints one line per test and closes with `N passed, N failed`.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

import { CHROME_ARGS, CHROME_PATH as CHROME } from '../../scripts/chromium.mjs';

/** A demo page test: gets a fresh page whose errors are checked after it. */
export interface PageTest {
  readonly name: string;
  /** The page's path under the server, e.g. `/demos/optimizer-race/`. */
  readonly path: string;
  readonly run: (page: Page, problems: string[]) => Promise<void>;
}

/** Start a Vite dev server of the repository on a free local port; return it and its URL. */
export async function startServer(root: string): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({
    root,
    configFile: `${root}/vite.config.ts`,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
    plugins: [
      {
        // browsers ask for /favicon.ico on pages without an icon link; answer instead of a 404
        name: 'demo-tests-favicon',
        configureServer(s) {
          s.middlewares.use('/favicon.ico', (_req, res) => {
            res.statusCode = 204;
            res.end();
          });
        },
      },
    ],
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('demo tests: the Vite server did not report its URL');
  return { server, url: url.replace(/\/$/, '') };
}

/** Launch headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROME, headless: true, args: [...CHROME_ARGS] });
}

/** Open `url` in a fresh page that records page errors and console errors into `problems`. */
export async function openPage(browser: Browser, url: string, problems: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

/**
 * Wait until every `<rose-plot>` matched by `selector` has painted and its canvas has at least
 * `minPixels` non-transparent pixels of at least `minColors` distinct colours; return the counts.
 */
export async function waitForDrawnPlots(
  page: Page,
  selector: string,
  minPixels = 200,
  minColors = 2,
): Promise<{ pixels: number; colors: number }[]> {
  // the page answers every plot's counts once all have drawn enough, and false until then
  const counts = await page.waitForFunction(
    ({ selector, minPixels, minColors }) => {
      const plots = [...document.querySelectorAll(selector)] as (HTMLElement & { canvas: HTMLCanvasElement | null })[];
      if (plots.length === 0) return false;
      const drawn: { pixels: number; colors: number }[] = [];
      for (const plot of plots) {
        const canvas = plot.canvas;
        if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let pixels = 0;
        const colors = new Set<number>();
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! === 0) continue;
          pixels++;
          colors.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
        }
        if (pixels < minPixels || colors.size < minColors) return false;
        drawn.push({ pixels, colors: colors.size });
      }
      return drawn;
    },
    { selector, minPixels, minColors },
    { timeout: 30_000, polling: 100 },
  );
  return (await counts.jsonValue()) as { pixels: number; colors: number }[];
}

/** Throw unless `condition`, with `message`. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Run `tests` one after another (a fresh page each); print a line per test and the summary; return failures. */
export async function runPageTests(tests: readonly PageTest[]): Promise<number> {
  const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
  let passed = 0;
  let failed = 0;
  const { server, url } = await startServer(root);
  const browser = await launchBrowser();
  try {
    for (const test of tests) {
      const problems: string[] = [];
      const started = performance.now();
      let page: Page | undefined;
      try {
        page = await openPage(browser, url + test.path, problems);
        await test.run(page, problems);
        check(problems.length === 0, `the page reported:\n      ${problems.join('\n      ')}`);
        passed++;
        console.log(`  ✓ ${test.name} (${Math.round(performance.now() - started)} ms)`);
      } catch (e) {
        failed++;
        console.log(`  ✗ ${test.name}\n      ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        await page?.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed;
}
