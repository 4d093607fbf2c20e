/** @file Vitest configuration: engine tests in Node, ending with a plain `N passed, N failed` line. */
import { defineConfig } from 'vitest/config';
import SummaryReporter from './scripts/summary-reporter.ts';

export default defineConfig({
  test: {
    // Rose's own API tests run against ours (test/engine/rose-own-tests.test.ts): transform them,
    // so that their import of Rose's index can be mocked
    server: { deps: { inline: ['rose'] } },
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    reporters: ['default', new SummaryReporter()],
  },
});
