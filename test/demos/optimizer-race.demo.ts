/**
 * @file Demo page tests of the optimizer race: on Rosenbrock and on Himmelblau all three lanes
 * converge to a minimum with L-BFGS first, the plots draw, and dragging the start on a contour
 * restarts every runner from the same new point.
 */
import type { Page } from 'playwright-core';
import { check, waitForDrawnPlots, type PageTest } from './harness.ts';

/** Wait until every lane's `data-state` is `converged`; return each lane's final point and place. */
async function waitForFinish(page: Page) {
  await page.waitForFunction(
    () => [...document.querySelectorAll<HTMLElement>('.lane')].every((l) => l.dataset['state'] === 'converged'),
    undefined,
    { timeout: 60_000, polling: 100 },
  );
  return page.evaluate(() => {
    const race = (window as unknown as { race: { runners: { method: string; state: { x: Float64Array; value: number } }[] } }).race;
    return race.runners.map((r) => ({
      method: r.method,
      x: [...r.state.x],
      value: r.state.value,
      status: document.querySelector(`.lane[data-method="${r.method}"] [data-out="status"]`)!.textContent!,
    }));
  });
}

/** The race's tests. */
export const optimizerRaceTests: PageTest[] = [
  {
    name: 'optimizer race: on Rosenbrock all three converge to (1, 1), L-BFGS first, and all six plots draw',
    path: '/demos/optimizer-race/',
    async run(page) {
      const lanes = await waitForFinish(page);
      for (const l of lanes)
        check(Math.abs(l.x[0]! - 1) < 1e-3 && Math.abs(l.x[1]! - 1) < 1e-3, `${l.method} ended at (${l.x}), not (1, 1)`);
      const first = lanes.find((l) => l.status.startsWith('1st'));
      check(first?.method === 'lbfgs', `first place: ${first?.method ?? 'nobody'}`);
      const drawn = await waitForDrawnPlots(page, 'rose-plot');
      check(drawn.length === 6, `expected 6 plots, found ${drawn.length}`);
    },
  },
  {
    name: 'optimizer race: on Himmelblau all three converge to one of its four minima',
    path: '/demos/optimizer-race/',
    async run(page) {
      await waitForFinish(page);
      await page.click('#problems button[data-problem="himmelblau"]');
      await page.waitForFunction(() => (window as unknown as { race: { problem: { id: string } } }).race.problem.id === 'himmelblau');
      const lanes = await waitForFinish(page);
      for (const l of lanes) check(l.value < 1e-8, `${l.method} stopped at f = ${l.value}`);
      await waitForDrawnPlots(page, 'rose-plot.contour');
    },
  },
  {
    name: 'optimizer race: dragging on a contour restarts every runner from the picked start',
    path: '/demos/optimizer-race/',
    async run(page) {
      await waitForFinish(page);
      await waitForDrawnPlots(page, '.lane[data-method="adam"] rose-plot.contour');
      const box = (await page.locator('.lane[data-method="adam"] rose-plot.contour').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.75);
      await page.mouse.down();
      await page.mouse.up();
      const starts = await page.evaluate(() => {
        const race = (window as unknown as { race: { start: number[]; runners: { source: { path: number[][] } }[] } }).race;
        return { start: race.start, firsts: race.runners.map((r) => r.source.path[0]) };
      });
      check(starts.start[0]! > 0 && starts.start[1]! < 1, `picked start (${starts.start}) is not in the lower right`);
      for (const f of starts.firsts) check(JSON.stringify(f) === JSON.stringify(starts.start), `a runner starts at (${f})`);
      const lanes = await waitForFinish(page);
      check(lanes.every((l) => l.value < 1e-8), 'a runner did not converge from the new start');
    },
  },
];
