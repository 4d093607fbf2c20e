/**
 * @file The script-tag bundle's entry (`dist/rose-kit.js`, package export `rose-kit/elements`):
 * importing it defines every Rose Kit element (components/index.ts) and gives the whole engine
 * API, so one `<script type="module" src=".../rose-kit.js">` is all a page needs, and a module
 * script can `import { fn, compile, valueAndGrad } from '.../rose-kit.js'` next to the markup.
 */
export * from '../engine/index.ts';
export * from './index.ts';
