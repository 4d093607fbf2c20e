/**
 * @file Number formatting shared by the elements' readouts and text alternatives.
 */

/** Return a compact label for any number: 4 significant digits, exponent form when very large or small, a real minus sign. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '\u221e' : '\u2212\u221e';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace(/-/g, '\u2212');
  return String(Number(v.toPrecision(4))).replace(/-/g, '\u2212');
}
