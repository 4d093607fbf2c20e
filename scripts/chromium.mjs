/**
 * @file How every test starts Debian's Chromium (web-test-runner, the demo page tests, the
 * package's bundle check): the executable (`CHROME_PATH`, default /usr/bin/chromium, a wrapper
 * Puppeteer and Playwright accept) and the flags it needs here: no sandbox (CI runs as root), no
 * GPU, and no background network traffic (the machines have no network but the registries).
 */

/** The Chromium executable. */
export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

/** The command-line flags of every headless Chromium the tests start. */
export const CHROME_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-quic',
  '--metrics-recording-only',
]);
