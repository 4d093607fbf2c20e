/**
 * @file Rewrite relative `.ts` import specifiers in emitted declaration files to `.js`.
 * The sources import with explicit `.ts` extensions; `tsc` keeps them in `.d.ts` output even
 * with `rewriteRelativeImportExtensions` (that option only rewrites JS). TypeScript 7 resolves
 * them, but older consumers' compilers may not, while `./x.js` resolves to `./x.d.ts` everywhere.
 *
 * Usage: node scripts/fix-dts-extensions.mjs <dir>   (default dist/types)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// `from './x.ts'`, `import('./x.ts')` (inline type imports) and `import './x.ts'`.
const SPECIFIER = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*?)\.ts\2/g;

/** Rewrite every `.d.ts` file under `dir`; return how many files changed. */
function fixDir(dir) {
  let changed = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) changed += fixDir(path);
    else if (entry.name.endsWith('.d.ts')) {
      const before = readFileSync(path, 'utf8');
      const after = before.replace(SPECIFIER, '$1$2$3.js$2');
      if (after !== before) {
        writeFileSync(path, after);
        changed++;
      }
    }
  }
  return changed;
}

const dir = process.argv[2] ?? 'dist/types';
const changed = fixDir(dir);
process.stdout.write(`fix-dts-extensions: rewrote .ts specifiers in ${changed} file(s) under ${dir}\n`);
