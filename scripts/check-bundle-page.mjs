/**
 * @file Load the script-tag bundle of an unpacked package in headless Chromium the way an author
 * does, from the same origin: a static server for `root` (the package folder) and a page with
 * `<script type="module" src="/dist/rose-kit.js">`, a markup `<rose-optimizer autostart>` on
 * Rosenbrock and a `<rose-plot for>` contour of it. Used by scripts/check-package.mjs (the
 * cross-origin case is test/browser/bundle/rose-kit.spec.ts). Chromium: `CHROME_PATH`, default
 * /usr/bin/chromium, launched with the flags of web-test-runner.config.mjs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROME_ARGS, CHROME_PATH } from './chromium.mjs';

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><script type="module" src="/dist/rose-kit.js"></script></head>
<body>
  <rose-optimizer id="opt" autostart>
    <rose-param name="x" value="-1.2"></rose-param>
    <rose-param name="y" value="1"></rose-param>
    <rose-objective>(1 - x)^2 + 100*(y - x^2)^2</rose-objective>
  </rose-optimizer>
  <rose-plot for="opt" kind="contour" style="display: block; width: 400px; height: 300px"></rose-plot>
</body></html>`;

const TYPES = { '.js': 'text/javascript', '.map': 'application/json', '.json': 'application/json' };

/** Serve `root` (and the test page at `/`) on a free port of 127.0.0.1; resolve with the server. */
function serve(root) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      return;
    }
    const file = join(root, path);
    const type = TYPES[extname(file)];
    if (!file.startsWith(root) || !type || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Open the page over the package in `root`; resolve with what happened: which of `tags` are not
 * defined, the optimizer's final state and values, the worker scripts started, how many canvas
 * pixels the plot painted, and page errors.
 */
export async function loadBundlePage(root, tags, timeoutMs = 30000) {
  const server = await serve(root);
  const browser = await chromium.launch({
    executablePath: CHROME_PATH,
    headless: true,
    args: [...CHROME_ARGS],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    const errors = [];
    const workers = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('worker', (w) => workers.push(new URL(w.url()).pathname));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(
      () => ['converged', 'error'].includes(document.querySelector('rose-optimizer')?.getAttribute('state') ?? ''),
      null,
      { timeout: timeoutMs },
    );
    await page.waitForFunction(() => document.querySelector('rose-plot')?.description?.includes('Smallest value'), null, { timeout: timeoutMs });
    const seen = await page.evaluate((tags) => {
      const opt = document.querySelector('rose-optimizer');
      const canvas = document.querySelector('rose-plot').canvas;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let p = 3; p < data.length; p += 4) if (data[p] !== 0) painted++;
      const undefinedTags = tags.filter((t) => customElements.get(t) === undefined);
      return { undefinedTags, state: opt.getAttribute('state'), values: opt.values, painted, pixels: canvas.width * canvas.height };
    }, tags);
    return { ...seen, workers, errors };
  } finally {
    await browser.close();
    server.close();
  }
}
