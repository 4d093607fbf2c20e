/**
 * @file `npm test`: run each named npm script in turn (e.g. `typecheck test:engine`), echo its
 * output, and close with one total line `N passed, N failed[, N skipped]` summed over every step.
 * A test step is read by its own closing line (Vitest's summary reporter, web-test-runner's);
 * a step without such a line (the typecheck) counts as one failed test when it exits non-zero.
 * Every step runs even after a failure; the exit code is 1 when anything failed.
 *
 * Usage: node scripts/run-tests.mjs <npm-script>...
 */
import { spawn } from 'node:child_process';

const SUMMARY = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Run `npm run <script>`, echoing its output; resolve to its exit code and last summary line. */
function runStep(script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let summary;
    const scan = (out) => {
      let partial = '';
      return (chunk) => {
        out.write(chunk);
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const m = SUMMARY.exec(line.replace(ANSI, ''));
          if (m) summary = { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
        }
      };
    };
    child.stdout.on('data', scan(process.stdout));
    child.stderr.on('data', scan(process.stderr));
    child.on('error', (err) => {
      process.stderr.write(`run-tests: cannot start npm: ${err.message}\n`);
      resolve({ code: 1, summary });
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), summary }));
  });
}

/** Run every step, print the total line, and set the exit code. */
async function main(steps) {
  if (steps.length === 0) {
    process.stderr.write('usage: node scripts/run-tests.mjs <npm-script>...\n');
    return 2;
  }
  const total = { passed: 0, failed: 0, skipped: 0 };
  const failedSteps = [];
  for (const step of steps) {
    process.stdout.write(`\n=== ${step} ===\n`);
    const started = performance.now();
    const { code, summary } = await runStep(step);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(`=== ${step}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`}, ${seconds} s ===\n`);
    if (summary) {
      total.passed += summary.passed;
      total.failed += summary.failed;
      total.skipped += summary.skipped;
    }
    // A non-zero exit must show as a failure even if the step reported none.
    if (code !== 0 && (!summary || summary.failed === 0)) total.failed++;
    if (code !== 0) failedSteps.push(`${step} (exit ${code})`);
  }
  if (failedSteps.length > 0) process.stdout.write(`\nfailed steps: ${failedSteps.join(', ')}\n`);
  const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
  process.stdout.write(`\n${total.passed} passed, ${total.failed} failed${skipped}\n`);
  return failedSteps.length > 0 || total.failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
