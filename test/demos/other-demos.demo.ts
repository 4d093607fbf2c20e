/**
 * @file Demo page tests of the demos written by others: the plot gallery (every plot draws),
 * the engine-live page (its canvas draws and its readouts show numbers), and the constrained toy
 * when present (its `<rose-optimizer>` converges and its plots draw).
 */
import { existsSync } from 'node:fs';
import { check, waitForDrawnPlots, type PageTest } from './harness.ts';

const root = new URL('../..', import.meta.url).pathname;

/** The tests of the other demo pages present in the repository. */
export const otherDemoTests: PageTest[] = [
  {
    name: 'plot gallery: every <rose-plot> draws and the contour path runs',
    path: '/demos/plot-gallery/',
    async run(page) {
      const count = await page.locator('rose-plot').count();
      check(count >= 5, `expected at least 5 plots, found ${count}`);
      await waitForDrawnPlots(page, 'rose-plot');
      await page.waitForFunction(() => (document.querySelector('#rosenbrock-loss') as HTMLElement & { description: string }).description !== '');
    },
  },
  {
    name: 'engine live: the plot draws and the derivative readouts show numbers',
    path: '/demos/engine-live/',
    async run(page) {
      await page.waitForFunction(
        () => {
          const canvas = document.querySelector<HTMLCanvasElement>('[data-engine-live] canvas');
          if (!canvas || canvas.width === 0) return false;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let drawn = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) drawn++;
          return drawn > 500;
        },
        undefined,
        { timeout: 30_000 },
      );
      const text = await page.locator('[data-engine-live]').innerText();
      check(/\d\.\d/.test(text), `no numbers shown: ${text.slice(0, 200)}`);
    },
  },
];

if (existsSync(`${root}demos/constrained-toy/index.html`))
  otherDemoTests.push({
    name: 'constrained toy: the <rose-optimizer> converges and its plots draw',
    path: '/demos/constrained-toy/',
    async run(page) {
      await page.locator('rose-optimizer[state="converged"]').first().waitFor({ timeout: 60_000 });
      await waitForDrawnPlots(page, 'rose-plot');
    },
  });
