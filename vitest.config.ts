/** @file Vitest configuration: engine tests in Node, ending with a plain `N passed, N failed` line. */
import { defineConfig } from 'vitest/config';
import SummaryReporter from './scripts/summary-reporter.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    reporters: ['default', new SummaryReporter()],
  },
});
