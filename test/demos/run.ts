/**
 * @file `npm run test:demos`: load every demo page in headless Chromium (playwright-core) from a
 * Vite dev server started here, check it renders, runs and converges without page or console
 * errors, and close with `N passed, N failed`. Exit code 1 when anything failed.
 *
 * Usage: node --import ./scripts/ts-register.mjs test/demos/run.ts [name filter]
 */
import { calculusExplorerTests } from './calculus-explorer.demo.ts';
import { galleryTests } from './gallery.demo.ts';
import { runPageTests } from './harness.ts';
import { optimizerRaceTests } from './optimizer-race.demo.ts';
import { otherDemoTests } from './other-demos.demo.ts';

const filter = process.argv[2];
const tests = [...galleryTests, ...calculusExplorerTests, ...optimizerRaceTests, ...otherDemoTests].filter(
  (t) => !filter || t.name.includes(filter),
);

runPageTests(tests).then(
  (failed) => {
    process.exitCode = failed > 0 ? 1 : 0;
  },
  (e: unknown) => {
    console.error(`demo tests could not run: ${e instanceof Error ? e.stack : String(e)}`);
    console.log('\n0 passed, 1 failed');
    process.exitCode = 1;
  },
);
