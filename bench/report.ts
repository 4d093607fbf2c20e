/**
 * @file The runner's output: one table per workload (setup, gradient, primal, their ratios, the
 * gradient check against the hand-written one), the marshalling table, and the summary of the
 * DESIGN.md §9 targets, each marked met or missed with its factor.
 */
import type { Result } from './harness.ts';
import { DESCRIPTIONS, WORKLOADS, type WorkloadId } from './workloads.ts';

/** The systems, in table order; the first is the reference every gradient is checked against. */
export const SYSTEM_NAMES = [
  'hand JS',
  'Rose Kit compiled',
  'Rose Kit interp',
  'rose@0.4.10',
  'TensorFlow.js',
] as const;

/** A system's display name. */
export type SystemName = (typeof SYSTEM_NAMES)[number];

/** Largest gap allowed between a gradient and the hand-written one, relative to its largest entry. */
const TOLERANCE: { [S in SystemName]: number } = {
  'hand JS': 0,
  'Rose Kit compiled': 1e-9,
  'Rose Kit interp': 1e-9,
  'rose@0.4.10': 1e-9,
  'TensorFlow.js': 1e-4, // float32
};

/** All results, by workload and system. */
export type Results = Map<WorkloadId, Map<SystemName, Result>>;

/** How a system's gradient compares to the hand-written one. */
export interface Check {
  /** max |g - hand| / max |hand|, and the same for the value. */
  readonly gradErr: number;
  readonly valueErr: number;
  readonly ok: boolean;
}

/** Compare `r`'s value and gradient to the hand-written `hand`'s. */
export function check(r: Result, hand: Result | undefined): Check | undefined {
  if (!r.ok || !hand?.ok || r.gradient === undefined || hand.gradient === undefined) return undefined;
  const h = hand.gradient;
  const scale = Math.max(...h.map(Math.abs), 1e-300);
  let gradErr = r.gradient.length === h.length ? 0 : Infinity;
  for (let i = 0; i < h.length && gradErr < Infinity; i++)
    gradErr = Math.max(gradErr, Math.abs(r.gradient[i]! - h[i]!) / scale);
  if (Number.isNaN(gradErr)) gradErr = Infinity;
  const valueErr = Math.abs((r.value ?? NaN) - hand.value!) / Math.max(Math.abs(hand.value!), 1e-300);
  const tol = TOLERANCE[r.system as SystemName] ?? 1e-9;
  return { gradErr, valueErr, ok: gradErr <= tol && valueErr <= Math.max(tol, 1e-12) };
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** Format a number with about 3 significant digits. */
function num(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return x === undefined ? '-' : String(x);
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

/** Format a ratio `a / b` as `2.31x`. */
function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined ? '-' : `${num(a / b)}x`;
}

/** Render rows as a text table, the first row the header, columns padded to fit. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const pad = (cell: string, c: number) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!));
  const line = (r: string[]) => r.map(pad).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join('\n');
}

/** Print the table of one workload, and under it the reasons and notes. */
export function printWorkload(w: WorkloadId, byName: Map<SystemName, Result>): void {
  const hand = byName.get('hand JS');
  console.log(`\n## ${w}: ${DESCRIPTIONS[w]}`);
  const head = ['system', 'setup ms', 'grad us', '(min)', 'primal us', 'grad/primal', 'grad/hand'];
  const rows = [[...head, 'gradient check']];
  const notes: string[] = [];
  for (const name of SYSTEM_NAMES) {
    const r = byName.get(name);
    if (r === undefined) continue;
    if (!r.ok) {
      rows.push([name, 'n/a', '', '', '', '', '', '']);
      notes.push(`${name}: n/a: ${r.reason}`);
      continue;
    }
    const c = check(r, hand);
    const verdict = c === undefined ? '-' : `${c.ok ? 'ok' : '!! MISMATCH'} ${c.gradErr.toExponential(1)}`;
    const checked = name === 'hand JS' ? 'reference' : verdict;
    rows.push([
      name,
      num(r.setupMs),
      num(r.grad?.us),
      num(r.grad?.minUs),
      num(r.primal?.us),
      ratio(r.grad?.us, r.primal?.us),
      ratio(r.grad?.us, hand?.grad?.us),
      checked,
    ]);
    if (c !== undefined && !c.ok)
      notes.push(
        `!! ${name}: gradient differs from hand JS by ${c.gradErr.toExponential(2)}, ` +
          `value by ${c.valueErr.toExponential(2)}`,
      );
    if (r.setupParts !== undefined) {
      const parts = Object.entries(r.setupParts).map(([k, ms]) => `${k} ${num(ms)}`);
      notes.push(`${name}: setup ms = ${parts.join(' + ')}`);
    }
    for (const note of r.notes ?? []) notes.push(`${name}: ${note}`);
  }
  console.log(table(rows));
  for (const note of notes) console.log(`  ${note}`);
}

/** Print the marshalling costs of the compiled systems' convenience calls. */
export function printMarshal(results: Results): void {
  console.log('\n## Marshalling: converting JS arrays at the call boundary (convenience call)');
  const head = ['workload', 'system', 'numbers', 'in ns/num', 'out ns/num', 'share of grad'];
  const rows = [[...head, 'convenience us', 'zero-copy us']];
  for (const w of WORKLOADS) {
    for (const name of ['Rose Kit compiled', 'rose@0.4.10'] as const) {
      const r = results.get(w)?.get(name);
      if (!r?.ok || r.marshal === undefined) continue;
      const n = r.gradient?.length ?? 0;
      const m = r.marshal;
      const share = (n * (m.inNs + m.outNs)) / 1000 / (m.convenienceUs ?? r.grad!.us);
      const percent = `${(100 * share).toFixed(0)}%`;
      rows.push([w, name, String(n), num(m.inNs), num(m.outNs), percent, num(m.convenienceUs), num(m.zeroCopyUs)]);
    }
  }
  if (rows.length === 1) console.log('(no compiled system ran)');
  else console.log(table(rows));
  console.log('  in/out: per number, from v => v[0] and v => v against a scalar call');
  console.log('  share of grad: n x (in + out) / the convenience value-and-gradient call');
}

// ---------------------------------------------------------------------------------------------
// Targets

/** One target's verdict on one workload. */
interface Verdict {
  readonly met: boolean | undefined;
  readonly text: string;
}

/** Judge `value` against `limit` (`value <= limit` when `atMost`), showing the factor. */
function judge(value: number | undefined, limit: number, atMost: boolean): Verdict {
  if (value === undefined || !Number.isFinite(value)) return { met: undefined, text: 'n/a' };
  const met = atMost ? value <= limit : value >= limit;
  return { met, text: `${met ? 'met' : 'MISSED'} ${num(value)}x` };
}

/** A target: its column title, and its verdict from a workload's results. */
interface Target {
  readonly name: string;
  readonly judge: (rk: Result, by: Map<SystemName, Result>) => Verdict;
}

/** The time of a system's gradient call on this workload, NaN if it did not run. */
const gradOf = (by: Map<SystemName, Result>, name: SystemName) => by.get(name)?.grad?.us ?? NaN;

/** The DESIGN.md §9 targets, as functions of a workload's results. */
const TARGETS: readonly Target[] = [
  {
    name: 'grad <= 1.5x hand JS',
    judge: (rk, by) => judge(rk.grad!.us / gradOf(by, 'hand JS'), 1.5, true),
  },
  { name: 'grad <= 3x own primal', judge: (rk) => judge(rk.grad!.us / rk.primal!.us, 3, true) },
  {
    name: 'faster than rose',
    judge: (rk, by) => {
      const rose = by.get('rose@0.4.10');
      if (rose !== undefined && !rose.ok) return { met: true, text: 'met (rose fails)' };
      return judge(rk.grad!.us / (rose?.grad?.us ?? NaN), 1, true);
    },
  },
  {
    name: 'same, both with JS arrays',
    judge: (rk, by) => {
      const rose = by.get('rose@0.4.10');
      if (rose !== undefined && !rose.ok) return { met: true, text: 'met (rose fails)' };
      return judge((rk.marshal?.convenienceUs ?? rk.grad!.us) / (rose?.grad?.us ?? NaN), 1, true);
    },
  },
  {
    name: 'setup <= 1/5 rose',
    judge: (rk, by) => {
      const rose = by.get('rose@0.4.10');
      if (rose !== undefined && !rose.ok) return { met: true, text: 'met (rose fails)' };
      return judge(rk.setupMs! / (rose?.setupMs ?? NaN), 0.2, true);
    },
  },
  {
    name: '>= 100x faster than tfjs',
    judge: (rk, by) => judge(gradOf(by, 'TensorFlow.js') / rk.grad!.us, 100, false),
  },
];

/** Print the summary of the targets for `tier` (a Rose Kit system); return the verdicts. */
export function printTargets(results: Results, tier: SystemName): Record<string, object> {
  console.log(`\n## DESIGN.md §9 targets for ${tier} (factor: ours / theirs, tfjs: theirs / ours)`);
  const rows = [['workload', ...TARGETS.map((t) => t.name)]];
  const out: Record<string, object> = {};
  const tally = TARGETS.map(() => ({ met: 0, missed: 0 }));
  for (const w of WORKLOADS.filter((id) => results.has(id))) {
    const by = results.get(w);
    const rk = by?.get(tier);
    const none: Verdict = { met: undefined, text: 'n/a' };
    const verdicts = TARGETS.map((t) => (rk?.ok && by ? t.judge(rk, by) : none));
    verdicts.forEach((v, i) => {
      if (v.met === true) tally[i]!.met++;
      if (v.met === false) tally[i]!.missed++;
    });
    rows.push([w, ...verdicts.map((v) => v.text)]);
    out[w] = Object.fromEntries(TARGETS.map((t, i) => [t.name, verdicts[i]!.text]));
  }
  rows.push(['(met / missed)', ...tally.map((t) => `${t.met} / ${t.missed}`)]);
  console.log(table(rows));
  return out;
}
