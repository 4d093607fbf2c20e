/**
 * @file Demo page tests of the calculus explorer: the numbers at Rosenbrock's classic start
 * (value, gradient, Hessian), the plots draw, a parse error is shown with line, column and
 * caret, Newton's method finds the saddle of x^2 - y^2, and dragging on the plot moves the point.
 */
import type { Page } from 'playwright-core';
import { check, waitForDrawnPlots, type PageTest } from './harness.ts';

/** Return the texts of the panel's readouts by name. */
function readouts(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries([...document.querySelectorAll<HTMLElement>('[data-out]')].map((el) => [el.dataset['out'], el.textContent!.trim()])),
  );
}

/** Wait until the readout `name` reads `text`. */
async function waitForReadout(page: Page, name: string, text: string): Promise<void> {
  await page.locator(`[data-out="${name}"]`).filter({ hasText: text }).first().waitFor({ timeout: 30_000 });
}

/** The explorer's tests. */
export const calculusExplorerTests: PageTest[] = [
  {
    name: 'calculus explorer: value, gradient and Hessian of Rosenbrock at (-1.2, 1), and all three plots draw',
    path: '/demos/calculus-explorer/',
    async run(page) {
      await waitForReadout(page, 'value', '24.2');
      const r = await readouts(page);
      // f = 0.2^2... exactly: (2.2)^2 + 100 (1 - 1.44)^2 = 4.84 + 19.36 = 24.2; grad = (-215.6, -88); H = [[1330, 480], [480, 200]]
      const expected = { gx: '−215.6', gy: '−88', hxx: '1330', hxy: '480', hyx: '480', hyy: '200', shape: 'model: minimum' };
      for (const [name, text] of Object.entries(expected)) check(r[name] === text, `${name} reads ${r[name]}, expected ${text}`);
      const drawn = await waitForDrawnPlots(page, 'rose-plot');
      check(drawn.length === 3, `expected 3 plots, found ${drawn.length}`);
      const arrow = await page.evaluate(() => getComputedStyle(document.querySelector('#arrows [data-part="gradient"]')!).display);
      check(arrow !== 'none', 'the gradient arrow is not drawn');
    },
  },
  {
    name: 'calculus explorer: a mistake in the expression is shown with line, column and caret, and fixing it clears it',
    path: '/demos/calculus-explorer/',
    async run(page) {
      await waitForReadout(page, 'value', '24.2');
      await page.fill('#expression', 'x^2 + z*y');
      const box = page.locator('#expression-error');
      await box.filter({ hasText: 'Line 1, column 7' }).waitFor({ timeout: 10_000 });
      const text = await box.innerText();
      check(text.includes("unknown name 'z'") && /\|\s+\^/.test(text), `error box reads: ${text}`);
      check((await page.getAttribute('#expression', 'aria-invalid')) === 'true', 'the editor is not marked invalid');
      await page.fill('#expression', 'x^2 + 3*y');
      await box.waitFor({ state: 'hidden', timeout: 10_000 });
    },
  },
  {
    name: 'calculus explorer: Newton from the saddle preset lands on the saddle point (0, 0)',
    path: '/demos/calculus-explorer/',
    async run(page) {
      await waitForReadout(page, 'value', '24.2');
      await page.click('#presets button[data-preset="saddle"]');
      await waitForReadout(page, 'shape', 'model: saddle');
      await page.click('#newton');
      await waitForReadout(page, 'shape', 'critical point: saddle');
      const r = await readouts(page);
      check(r['value'] === '0' && r['l1'] === '−2' && r['l2'] === '2', `at the saddle: f ${r['value']}, eigenvalues ${r['l1']}, ${r['l2']}`);
    },
  },
  {
    name: 'calculus explorer: dragging on the contour plot moves the point and the readouts follow',
    path: '/demos/calculus-explorer/',
    async run(page) {
      await waitForReadout(page, 'value', '24.2');
      await waitForDrawnPlots(page, '#main-plot');
      const box = (await page.locator('#main-plot').boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.3);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.35, { steps: 8 });
      await page.mouse.up();
      await page.waitForFunction(() => (document.querySelector('#point-x') as HTMLInputElement).value !== '-1.2');
      const [x, value] = await page.evaluate(() => [Number((document.querySelector('#point-x') as HTMLInputElement).value),
        document.querySelector('[data-out="value"]')!.textContent]);
      check(x > 0.5 && x < 2, `the point moved to x = ${x}, expected right of the middle`);
      check(value !== '24.2', 'the value did not follow the point');
    },
  },
];
