/**
 * @file A Vitest reporter that ends every run with one plain line, `N passed, N failed` (plus
 * `, N skipped` when some were skipped), counting test cases, not files. CI reads this line.
 * A test file that failed outside its tests (an import error, a failing `beforeAll`/`afterAll`)
 * counts as one failed test, and so does each unhandled error and a run that found no tests, so
 * the line never reads `0 failed` while Vitest exits non-zero.
 */
import { writeSync } from 'node:fs';
import type { Reporter, SerializedError, TestModule, TestRunEndReason, Vitest } from 'vitest/node';

/** Totals of one run. */
export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

/** Count the tests of `modules` (plus file-level and unhandled errors) by outcome. */
export function tally(
  modules: ReadonlyArray<TestModule>,
  unhandledErrors: ReadonlyArray<SerializedError>,
  reason: TestRunEndReason,
): Tally {
  const t: Tally = { passed: 0, failed: 0, skipped: 0 };
  for (const mod of modules) {
    let failedHere = 0;
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') t.passed++;
      else if (state === 'skipped') t.skipped++;
      else failedHere++; // 'failed', or 'pending' when the run was cut short
    }
    // The file failed without any failing test: collection or hook error.
    if (failedHere === 0 && mod.state() === 'failed') failedHere = 1;
    t.failed += failedHere;
  }
  t.failed += unhandledErrors.length;
  if (modules.length === 0 && reason !== 'passed') t.failed++; // e.g. no test files found
  return t;
}

/** Format totals as the closing line: `N passed, N failed[, N skipped]`. */
export function summaryLine(t: Tally): string {
  const skipped = t.skipped > 0 ? `, ${t.skipped} skipped` : '';
  return `${t.passed} passed, ${t.failed} failed${skipped}`;
}

/**
 * Reporter printing `summaryLine` as the very last output of a `vitest run`. Vitest writes more
 * after `onTestRunEnd` (e.g. "No test files found" on stderr), so a single run prints the line at
 * process exit; watch mode prints it after each run.
 */
export default class SummaryReporter implements Reporter {
  private watch = false;
  private line: string | undefined;

  onInit(vitest: Vitest): void {
    this.watch = vitest.config.watch;
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    const line = summaryLine(tally(modules, unhandledErrors, reason));
    if (this.watch) {
      process.stdout.write(`\n${line}\n`);
      return;
    }
    if (this.line === undefined) process.once('exit', () => writeSync(1, `\n${this.line}\n`));
    this.line = line;
  }
}
