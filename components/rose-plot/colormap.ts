/**
 * @file Colour maps of `<rose-plot>`: viridis (perceptually uniform, readable in greyscale and by
 * most colour-blind readers) as a 256-entry RGB lookup table built from eleven stops of the
 * published map, plus helpers to colour a value and to parse CSS colours for canvas use.
 */

/** Viridis sampled at 0, 0.1, ..., 1 (matplotlib's published values). */
const VIRIDIS_STOPS = [
  '#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c',
  '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725',
];

/** A colour map: 256 RGB triples, entry `k` for `t = k / 255`. */
export type ColorTable = Uint8Array;

/** Return the RGB components of a `#rrggbb` colour. */
export function parseHex(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Return a 256-entry table interpolating `stops` (evenly spaced `#rrggbb` colours) linearly. */
export function buildTable(stops: readonly string[]): ColorTable {
  const rgb = stops.map(parseHex);
  const table = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) {
    const s = (k / 255) * (rgb.length - 1);
    const i = Math.min(rgb.length - 2, Math.floor(s));
    const f = s - i;
    for (let c = 0; c < 3; c++)
      table[k * 3 + c] = Math.round(rgb[i]![c]! * (1 - f) + rgb[i + 1]![c]! * f);
  }
  return table;
}

/** The viridis colour table. */
export const VIRIDIS: ColorTable = buildTable(VIRIDIS_STOPS);

/** Return the table index (0..255) of `t`, clamped to [0, 1]; NaN gives -1. */
export function colorIndex(t: number): number {
  if (Number.isNaN(t)) return -1;
  return Math.round(Math.min(1, Math.max(0, t)) * 255);
}

/** Return the CSS `rgb(...)` colour of `t` in `table`. */
export function cssColor(table: ColorTable, t: number): string {
  const k = Math.max(0, colorIndex(t)) * 3;
  return `rgb(${table[k]}, ${table[k + 1]}, ${table[k + 2]})`;
}

/** Return the relative luminance (0..1) of `t`'s colour, to pick readable overlays. */
export function luminance(table: ColorTable, t: number): number {
  const k = Math.max(0, colorIndex(t)) * 3;
  return (0.2126 * table[k]! + 0.7152 * table[k + 1]! + 0.0722 * table[k + 2]!) / 255;
}
