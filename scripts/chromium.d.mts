/** @file Types of scripts/chromium.mjs (for the TypeScript test harnesses). */
/** The Chromium executable (`CHROME_PATH`, default /usr/bin/chromium). */
export declare const CHROME_PATH: string;
/** The command-line flags of every headless Chromium the tests start. */
export declare const CHROME_ARGS: readonly string[];
