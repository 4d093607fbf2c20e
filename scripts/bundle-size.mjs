/**
 * @file Measure what a page downloads to run Rose Kit's elements: the script-tag bundle
 * `dist/rose-kit.js` and every file it reaches, by static `import`/`export ... from`, dynamic
 * `import()` of a relative file, or `new URL('./x.js', import.meta.url)` (the worker chunk, whose
 * own imports are followed too). Bare specifiers (`binaryen`, the optional optimizer that the
 * bundle never loads unless asked) are listed as not counted. Prints one row per file (raw and
 * gzip -9 and brotli bytes) and the total unique bytes, against the 50 KB gzip budget of DESIGN.md §9.
 *
 * Usage: node scripts/bundle-size.mjs [entry] [--budget KB] [--strict]
 *   (default dist/rose-kit.js, 50; --strict exits 1 over budget)
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

// `from"./x.js"`, `import"./x.js"`, `import("./x.js")`, `new URL("./x.js",import.meta.url)`
const RELATIVE = /(?:\bfrom\s*|\bimport\s*\(?\s*|new URL\(\s*)(["'`])(\.{1,2}\/[^"'`]+?)\1/g;
const BARE = /(?:\bfrom\s*|\bimport\s*\(\s*)(["'])([^./"'][^"']*)\1/g;

/** Return the files `entry` reaches (itself first) and the bare specifiers it imports. */
export function reachableFiles(entry) {
  const files = [];
  const bare = new Set();
  const seen = new Set();
  const stack = [resolve(entry)];
  while (stack.length > 0) {
    const file = stack.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!existsSync(file)) throw new Error(`bundle-size: ${file} is imported but does not exist`);
    const code = readFileSync(file, 'utf8');
    const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    files.push({ file, raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length, brotli });
    for (const m of code.matchAll(RELATIVE)) stack.push(resolve(dirname(file), m[2]));
    for (const m of code.matchAll(BARE)) bare.add(m[2]);
  }
  return { files, bare: [...bare] };
}

/** Return `n` bytes as `12,345 B (12.1 KB)`. */
function bytes(n) {
  return `${n.toLocaleString('en-US').padStart(9)} B ${`(${(n / 1024).toFixed(1)} KB)`.padStart(10)}`;
}

/** Print the table; return true when the total is within the budget. */
function report(entry, budgetKb) {
  const { files, bare } = reachableFiles(entry);
  const root = dirname(resolve(entry));
  const width = Math.max(...files.map((f) => relative(root, f.file).length), 5);
  const line = (name, raw, gzip, brotli) => `  ${name.padEnd(width)}  ${bytes(raw)}  ${bytes(gzip)}  ${bytes(brotli)}`;
  process.stdout.write(`bundle-size: what a page loads for ${relative(process.cwd(), resolve(entry))}\n`);
  const head = ['raw', 'gzip -9', 'brotli 11'].map((h) => h.padStart(21)).join('  ');
  process.stdout.write(`  ${'file'.padEnd(width)}  ${head}\n`);
  for (const f of files) process.stdout.write(`${line(relative(root, f.file), f.raw, f.gzip, f.brotli)}\n`);
  const sum = (key) => files.reduce((n, f) => n + f[key], 0);
  const gzip = sum('gzip');
  process.stdout.write(`${line('total', sum('raw'), gzip, sum('brotli'))}\n`);
  if (bare.length > 0) process.stdout.write(`  not counted (bare imports, loaded only on request): ${bare.join(', ')}\n`);
  const within = gzip <= budgetKb * 1024;
  const gap = ((gzip - budgetKb * 1024) / 1024).toFixed(1);
  process.stdout.write(
    within
      ? `  within the ${budgetKb} KB gzip budget\n`
      : `  OVER the ${budgetKb} KB gzip budget by ${gap} KB (see README, "Script tag")\n`,
  );
  return within;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const budgetAt = args.indexOf('--budget');
  const budgetKb = budgetAt >= 0 ? Number(args[budgetAt + 1]) : 50;
  const entry = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--budget') ?? 'dist/rose-kit.js';
  const within = report(entry, budgetKb);
  if (!within && args.includes('--strict')) process.exitCode = 1;
}
