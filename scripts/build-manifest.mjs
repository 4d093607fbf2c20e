/**
 * @file Build `custom-elements.json` (the Custom Elements Manifest, schema 2.0.0) from the JSDoc
 * of the element classes in `components/`: editors, linters and docs tools read it to know each
 * tag's attributes, properties, events, slots, CSS parts and CSS custom properties.
 *
 * An element is an exported class whose JSDoc names its tag (`@tag rose-plot`) or whose class is
 * passed to `customElements.define('rose-plot', RosePlot)` (or to a `define(tag, class)` helper,
 * as components/index.ts does) in any scanned file. Its JSDoc may use:
 * `@summary text`, `@attr {type} name - text` (also `@attribute`), `@prop {type} name - text`
 * (also `@property`), `@fires {DetailType} name - text` (also `@event`), `@slot name - text`
 * (`@slot - text` is the default slot), `@csspart name - text`, `@cssprop --name - text` (also
 * `@cssproperty`; `[--name=default]` gives a default). Free text before the first tag is the
 * description. No TypeScript compiler API is used (TypeScript 7 has none in JS): the scanner
 * reads JSDoc blocks, which is all the manifest needs.
 *
 * Usage: node scripts/build-manifest.mjs [outFile] [dir]   (defaults: dist/custom-elements.json, components)
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLASS = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export\s+(?:default\s+)?class\s+(\w+)\s+extends\s+([\w.]+)/g;
// `customElements.define('rose-plot', RosePlot)`, or a helper named `define` with the same arguments
const DEFINE = /\b(?:customElements\.)?define\(\s*['"]([a-z][\w-]*-[\w-]*)['"]\s*,\s*(\w+)\s*\)/g;

/** Return the text of a JSDoc block without its leading `*`s, one string per line. */
function jsdocLines(block) {
  return block.split('\n').map((line) => line.replace(/^\s*\*? ?/, '').trimEnd());
}

/** Split JSDoc lines into the free description and `{ tag, text }` entries (continuations joined). */
function parseJsdoc(block) {
  const description = [];
  const tags = [];
  for (const line of jsdocLines(block)) {
    const m = /^@(\w+)\s*(.*)$/.exec(line.trim());
    if (m) tags.push({ tag: m[1], text: m[2] });
    else if (tags.length > 0) {
      if (line.trim() !== '') tags[tags.length - 1].text += ` ${line.trim()}`;
    } else description.push(line);
  }
  return { description: description.join('\n').trim(), tags };
}

/** Parse `{type} name - text`, `name - text` or `- text` (the name may be `[name=default]`). */
function parseEntry(text) {
  let rest = text.trim();
  let type;
  if (rest.startsWith('{')) {
    let depth = 0;
    let end = 0;
    for (; end < rest.length; end++) {
      if (rest[end] === '{') depth++;
      else if (rest[end] === '}' && --depth === 0) break;
    }
    type = rest.slice(1, end).trim();
    rest = rest.slice(end + 1).trim();
  }
  let name = '';
  let dflt;
  const bracket = /^\[([^\]=\s]+)(?:=([^\]]*))?\]/.exec(rest);
  if (bracket) {
    name = bracket[1];
    dflt = bracket[2];
    rest = rest.slice(bracket[0].length);
  } else if (!rest.startsWith('-')) {
    const m = /^(\S+)/.exec(rest);
    name = m ? m[1] : '';
    rest = rest.slice(name.length);
  }
  const description = rest.replace(/^\s*-\s*/, '').trim();
  const out = { name };
  if (type) out.type = { text: type };
  if (description) out.description = description;
  if (dflt !== undefined) out.default = dflt;
  return out;
}

const KINDS = {
  attr: 'attributes',
  attribute: 'attributes',
  prop: 'members',
  property: 'members',
  fires: 'events',
  event: 'events',
  slot: 'slots',
  csspart: 'cssParts',
  cssprop: 'cssProperties',
  cssproperty: 'cssProperties',
};

/** Return the manifest declaration of one element class. */
function declaration(name, superclass, doc, tagName) {
  const { description, tags } = parseJsdoc(doc);
  const decl = { kind: 'class', name, customElement: true, tagName, description };
  const summary = tags.find((t) => t.tag === 'summary');
  if (summary) decl.summary = summary.text.trim();
  for (const { tag, text } of tags) {
    const key = KINDS[tag];
    if (key === undefined) continue;
    const entry = parseEntry(text);
    if (key === 'members') Object.assign(entry, { kind: 'field' });
    if (key === 'attributes') entry.fieldName = camelCase(entry.name);
    (decl[key] ??= []).push(entry);
  }
  decl.superclass = { name: superclass, ...(superclass === 'LitElement' ? { package: 'lit' } : {}) };
  return decl;
}

/** Return `max-iterations` as `maxIterations`. */
function camelCase(name) {
  return name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
}

/** Return every `.ts` file under `dir` (recursively), skipping tests and declaration files. */
function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.ts$/.test(entry) && !/\.(d|test|spec)\.ts$/.test(entry)) out.push(path);
  }
  return out;
}

/**
 * Return the manifest of `files` (`{ path, text }` with `/`-separated paths relative to the
 * package root). Throws when an element has no tag name or two classes claim one tag.
 */
export function buildManifest(files) {
  const tagOf = new Map();
  for (const { text } of files) for (const m of text.matchAll(DEFINE)) tagOf.set(m[2], m[1]);
  const modules = [];
  const tags = new Map();
  for (const { path, text } of files) {
    const declarations = [];
    const exports = [];
    for (const m of text.matchAll(CLASS)) {
      const [, doc, name, superclass] = m;
      const tag = /@(?:tag|tagname|element|customElement)\s+([a-z][\w-]*-[\w-]*)/.exec(doc)?.[1] ?? tagOf.get(name);
      if (tag === undefined) continue; // an exported class that is not an element (e.g. a controller)
      if (tags.has(tag)) throw new Error(`build-manifest: <${tag}> is claimed by ${tags.get(tag)} and ${name}`);
      tags.set(tag, name);
      declarations.push(declaration(name, superclass, doc, tag));
      exports.push({ kind: 'js', name, declaration: { name, module: path } });
      exports.push({ kind: 'custom-element-definition', name: tag, declaration: { name, module: path } });
    }
    if (declarations.length > 0) modules.push({ kind: 'javascript-module', path, declarations, exports });
  }
  return { schemaVersion: '2.0.0', readme: 'README.md', modules };
}

/** Write the manifest of the elements under `dir` to `outFile`; return how many elements it has. */
export function writeManifest(outFile, dir, root = process.cwd()) {
  const files = sourceFiles(dir).map((p) => ({
    path: relative(root, p).split(sep).join('/'),
    text: readFileSync(p, 'utf8'),
  }));
  const manifest = buildManifest(files);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest.modules.reduce((n, m) => n + m.declarations.length, 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [out = 'dist/custom-elements.json', dir = 'components'] = process.argv.slice(2);
  const count = writeManifest(out, dir);
  process.stdout.write(`build-manifest: ${count} element(s) -> ${out}\n`);
}
