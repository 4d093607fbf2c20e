/**
 * @file Contour lines by marching squares. The field is sampled on a grid, row-major:
 * `values[j * nx + i]` is the value at column `i`, row `j`. For each cell and level, the corners
 * above the level form one of 16 cases; each case crosses the cell with zero, one or two
 * segments whose ends are placed on the cell edges by linear interpolation. The two ambiguous
 * saddle cases are resolved by the value at the cell centre (the mean of the corners). Cells with
 * a non-finite corner are skipped, so holes in the domain leave gaps instead of wrong lines.
 *
 * Output coordinates are fractional grid indices (column, row); map them to pixels afterwards.
 */

/** Edges of a cell: 0 bottom (row j), 1 right (column i+1), 2 top (row j+1), 3 left (column i). */
type Edge = 0 | 1 | 2 | 3;

/**
 * Segments per case, as pairs of edges. The case number has bit 1 for the corner (i, j),
 * 2 for (i+1, j), 4 for (i+1, j+1), 8 for (i, j+1), each set when the corner is above the level.
 * Saddles (5 and 10) list the pairing used when the centre is below the level.
 */
const CASES: readonly (readonly Edge[])[] = [
  [], [3, 0], [0, 1], [3, 1],
  [1, 2], [3, 0, 1, 2], [0, 2], [3, 2],
  [2, 3], [2, 0], [0, 1, 2, 3], [2, 1],
  [1, 3], [1, 0], [0, 3], [],
];

/** Saddle pairings when the centre is above the level. */
const SADDLE_ABOVE: Readonly<Record<number, readonly Edge[]>> = {
  5: [3, 2, 1, 0],
  10: [0, 3, 2, 1],
};

/**
 * Return the contour segments of `values` (an `nx` x `ny` grid) at `level`, as a flat array
 * `[x0, y0, x1, y1, ...]` in grid coordinates.
 */
export function contourSegments(
  values: ArrayLike<number>,
  nx: number,
  ny: number,
  level: number,
): Float64Array {
  const out: number[] = [];
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const a = values[j * nx + i]!; // (i, j)
      const b = values[j * nx + i + 1]!; // (i+1, j)
      const c = values[(j + 1) * nx + i + 1]!; // (i+1, j+1)
      const d = values[(j + 1) * nx + i]!; // (i, j+1)
      if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d)))
        continue;
      const index = (a > level ? 1 : 0) | (b > level ? 2 : 0) | (c > level ? 4 : 0) | (d > level ? 8 : 0);
      let edges = CASES[index]!;
      if ((index === 5 || index === 10) && (a + b + c + d) / 4 > level) edges = SADDLE_ABOVE[index]!;
      for (let k = 0; k < edges.length; k += 2) {
        pushEdgePoint(out, edges[k]!, i, j, a, b, c, d, level);
        pushEdgePoint(out, edges[k + 1]!, i, j, a, b, c, d, level);
      }
    }
  }
  return Float64Array.from(out);
}

/** Append the point where `level` crosses `edge` of cell (i, j) with corners a, b, c, d. */
function pushEdgePoint(
  out: number[],
  edge: Edge,
  i: number,
  j: number,
  a: number,
  b: number,
  c: number,
  d: number,
  level: number,
): void {
  switch (edge) {
    case 0:
      out.push(i + crossing(a, b, level), j);
      break;
    case 1:
      out.push(i + 1, j + crossing(b, c, level));
      break;
    case 2:
      out.push(i + crossing(d, c, level), j + 1);
      break;
    case 3:
      out.push(i, j + crossing(a, d, level));
      break;
  }
}

/** Return where, between 0 (value `p`) and 1 (value `q`), the linear interpolant equals `level`. */
export function crossing(p: number, q: number, level: number): number {
  if (p === q) return 0.5;
  return Math.min(1, Math.max(0, (level - p) / (q - p)));
}
