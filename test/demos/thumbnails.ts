/**
 * @file `npm run thumbnails`-style script (run by hand after a demo changes): screenshot each
 * demo page's main content in headless Chromium, once it has drawn, and save it as the
 * gallery card's thumbnail, demos/shared/thumbs/<demo>.jpg (640 x 400).
 *
 * Usage: node --import ./scripts/ts-register.mjs test/demos/thumbnails.ts
 */
import { mkdirSync } from 'node:fs';
import { launchBrowser, startServer, waitForDrawnPlots } from './harness.ts';

/** Each demo: its path, the element the thumbnail starts at, and what to wait for. */
const DEMOS = [
  { name: 'calculus-explorer', path: '/demos/calculus-explorer/', from: '.explorer', plots: 'rose-plot', width: 1200 },
  { name: 'optimizer-race', path: '/demos/optimizer-race/', from: '.lanes', plots: 'rose-plot', width: 1200, ready: '.lane[data-method="gd"][data-state="converged"]' },
  { name: 'constrained-toy', path: '/demos/constrained-toy/', from: 'main', plots: 'rose-plot', width: 1040, ready: 'rose-optimizer[state="converged"]' },
  { name: 'plot-gallery', path: '/demos/plot-gallery/', from: 'main', plots: 'rose-plot', width: 960 },
  { name: 'engine-live', path: '/demos/engine-live/', from: 'main', plots: '', width: 960 },
] as const;

/** Take every thumbnail. */
async function main(): Promise<void> {
  const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
  const out = `${root}/demos/shared/thumbs`;
  mkdirSync(out, { recursive: true });
  const { server, url } = await startServer(root);
  const browser = await launchBrowser();
  try {
    for (const demo of DEMOS) {
      // a demo.width x (0.625 demo.width) region of a 1280 px wide page, scaled to 640 x 400
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 640 / demo.width });
      await page.goto(url + demo.path);
      if ('ready' in demo) await page.locator(demo.ready).first().waitFor({ timeout: 60_000 });
      if (demo.plots) await waitForDrawnPlots(page, demo.plots);
      await page.waitForTimeout(800);
      const box = await page.evaluate((sel) => {
        const r = document.querySelector(sel)!.getBoundingClientRect();
        return { left: r.left + scrollX, top: r.top + scrollY };
      }, demo.from);
      const clip = { x: Math.max(0, box.left - 12), y: Math.max(0, box.top - 12), width: demo.width, height: demo.width * 0.625 };
      await page.screenshot({ path: `${out}/${demo.name}.jpg`, type: 'jpeg', quality: 84, clip, fullPage: true });
      console.log(`wrote ${out}/${demo.name}.jpg`);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

void main();
