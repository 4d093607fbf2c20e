/**
 * @file Demo page tests of the gallery (index.html): the quick-start optimizer converges and its
 * plots draw, the code block shows exactly the markup that runs, and every demo card links to a
 * page that exists with a thumbnail that loads.
 */
import { check, waitForDrawnPlots, type PageTest } from './harness.ts';

/** The gallery's tests. */
export const galleryTests: PageTest[] = [
  {
    name: 'gallery: the quick-start <rose-optimizer> converges to (1, 1) and its contour and loss plots draw',
    path: '/',
    async run(page) {
      await page.locator('rose-optimizer#opt[state="converged"]').waitFor({ timeout: 30_000 });
      const x = await page.evaluate(() => document.querySelector('rose-optimizer')!.modelSource.x);
      check(Math.abs(x[0]! - 1) < 1e-4 && Math.abs(x[1]! - 1) < 1e-4, `converged to (${x}), not (1, 1)`);
      const drawn = await waitForDrawnPlots(page, '#quick-live rose-plot');
      check(drawn.length === 2, `expected 2 plots, found ${drawn.length}`);
      check(drawn[0]!.colors > 50, `the contour heatmap has only ${drawn[0]!.colors} colours`);
    },
  },
  {
    name: 'gallery: the quick-start code block is the markup running beside it',
    path: '/',
    async run(page) {
      const same = await page.evaluate(() => {
        const text = document.querySelector('#quick-code')!.textContent!;
        const shown = new DOMParser().parseFromString(text, 'text/html').body;
        const live = document.querySelector('#quick-live')!;
        const describe = (root: Element) =>
          [...root.querySelectorAll('rose-optimizer, rose-param, rose-objective, rose-plot')].map((el) =>
            [el.localName, ...[...el.attributes].map((a) => `${a.name}=${a.value}`).filter((a) => !a.startsWith('state=')).sort(),
              el.localName === 'rose-objective' ? el.textContent!.trim() : ''].join(' '),
          );
        return { shown: describe(shown), live: describe(live) };
      });
      check(same.live.length === 6, `expected 6 elements live, found ${same.live.length}`);
      check(JSON.stringify(same.shown) === JSON.stringify(same.live),
        `code block and live markup differ:\n      shown ${JSON.stringify(same.shown)}\n      live  ${JSON.stringify(same.live)}`);
    },
  },
  {
    name: 'gallery: every demo card links to an existing page and shows a thumbnail',
    path: '/',
    async run(page) {
      const cards = await page.evaluate(async () => {
        const links = [...document.querySelectorAll<HTMLAnchorElement>('a.demo[href^="./demos/"]')];
        return Promise.all(links.map(async (a) => {
          const img = a.querySelector('img')!;
          img.loading = 'eager';
          await img.decode().catch(() => undefined);
          const response = await fetch(a.href);
          const html = await response.text();
          return { href: a.href, status: response.status, page: /<rose-|<script type="module"/.test(html), width: img.naturalWidth };
        }));
      });
      check(cards.length === 5, `expected 5 demo cards, found ${cards.length}`);
      for (const c of cards) {
        check(c.status === 200 && c.page, `${c.href} answered ${c.status} without a demo page`);
        check(c.width > 0, `the thumbnail of ${c.href} did not load`);
      }
    },
  },
];
