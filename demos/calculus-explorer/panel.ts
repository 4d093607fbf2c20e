/**
 * @file The explorer's readouts: value, gradient, Hessian, eigenvalues and the shape of the local
 * quadratic model written into the panel's fixed slots (`data-out` attributes), so updating at
 * pointer rate touches only text; and the inline display of expression errors with their place
 * and caret excerpt.
 */
import type { ExpressionError } from '../../engine/index.ts';
import type { LocalPicture, Shape } from './analysis.ts';

/** Return `v` for display: 5 significant digits, exponent form when large or tiny, a real minus sign. */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'undefined';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  let text: string;
  if (a === 0) text = '0';
  else if (a >= 1e5 || a < 1e-3) text = v.toExponential(2).replace(/e\+?/, '×10^');
  else text = String(Number(v.toPrecision(5)));
  text = text.replace(/\^(-?\d+)$/, (_, e: string) => superscript(e));
  return text.replace(/-/g, '−');
}

const SUPERSCRIPTS: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};

/** Return the digits of an exponent as superscripts. */
function superscript(digits: string): string {
  return [...digits].map((c) => SUPERSCRIPTS[c] ?? c).join('');
}

/** The words for each shape: a badge, and a sentence with and without a vanishing gradient. */
const SHAPE_WORDS: Record<Shape, { badge: string; critical: string; model: string }> = {
  minimum: {
    badge: 'minimum',
    critical: 'A local minimum: the gradient vanishes and f curves up in every direction.',
    model: 'Both eigenvalues are positive: the quadratic model is a bowl, with its minimum at the Newton step.',
  },
  maximum: {
    badge: 'maximum',
    critical: 'A local maximum: the gradient vanishes and f curves down in every direction.',
    model: 'Both eigenvalues are negative: the quadratic model is a dome, with its top at the Newton step.',
  },
  saddle: {
    badge: 'saddle',
    critical: 'A saddle point: the gradient vanishes, f curves up along one eigenvector and down along the other.',
    model: 'The eigenvalues have opposite signs: the quadratic model is a saddle.',
  },
  degenerate: {
    badge: 'degenerate',
    critical: 'A degenerate critical point: an eigenvalue is zero, so second derivatives cannot tell its kind.',
    model: 'An eigenvalue is zero: the quadratic model is flat along one direction.',
  },
  undefined: {
    badge: 'undefined',
    critical: 'f or its derivatives are not defined here.',
    model: 'f or its derivatives are not defined here (outside the domain of a function such as log or sqrt).',
  },
};

/** Write the local picture `p` into the slots under `root`. */
export function showPicture(root: ParentNode, p: LocalPicture): void {
  const set = (name: string, text: string) => {
    const el = root.querySelector(`[data-out="${name}"]`);
    if (el && el.textContent !== text) el.textContent = text;
  };
  set('value', formatNumber(p.value));
  set('gx', formatNumber(p.gradient[0]));
  set('gy', formatNumber(p.gradient[1]));
  set('gnorm', formatNumber(p.gradientNorm));
  set('hxx', formatNumber(p.hessian[0]));
  set('hxy', formatNumber(p.hessian[1]));
  set('hyx', formatNumber(p.hessian[2]));
  set('hyy', formatNumber(p.hessian[3]));
  set('l1', formatNumber(p.eigenvalues[0]));
  set('l2', formatNumber(p.eigenvalues[1]));
  const words = SHAPE_WORDS[p.shape];
  const critical = p.critical && p.shape !== 'undefined';
  set('shape', critical ? `critical point: ${words.badge}` : `model: ${words.badge}`);
  set('shape-text', critical ? words.critical : words.model);
  const badge = root.querySelector<HTMLElement>('[data-out="shape"]');
  if (badge) badge.dataset['shape'] = p.shape;
}

/** Show `error` (an `ExpressionError`) in `box`, or clear the box when `error` is undefined. */
export function showExpressionError(box: HTMLElement, error: ExpressionError | undefined): void {
  if (!error) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const { line, column } = error.position;
  const title = document.createElement('p');
  title.className = 'error-title';
  const where = document.createElement('strong');
  where.textContent = `Line ${line}, column ${column}: `;
  title.append(where, error.problem);
  const excerpt = document.createElement('pre');
  excerpt.className = 'error-excerpt';
  excerpt.textContent = caretLines(error.message);
  const hint = document.createElement('p');
  hint.className = 'error-hint';
  hint.textContent = error.hint.endsWith('.') ? error.hint : `${error.hint}.`;
  box.replaceChildren(title, excerpt, hint);
  box.hidden = false;
}

/** Return the source line and caret line that close an `ExpressionError` message. */
function caretLines(message: string): string {
  return message
    .split('\n')
    .filter((l) => /^\s+\d*\s\|/.test(l))
    .join('\n');
}
