/**
 * @file A compact math rendering of expression trees (engine/expr) as Lit templates: parameters
 * in italics (Greek names as letters, `x_1` and `x1` with subscripts), powers as superscripts,
 * `*` as a middle dot (or nothing between a number and what follows), `sqrt` as a radical, `abs`
 * as bars, comparisons as ≤, ≥ and =. Parentheses only where the meaning needs them, as in
 * engine/expr/print.ts.
 */
import { html, type TemplateResult } from 'lit';
import { foldExpr, type Root } from '../../engine/expr/ast.ts';

/** Binding strength of a rendered node: higher binds tighter. */
const Level = { Compare: 0, Sum: 1, Product: 2, Unary: 3, Power: 4, Primary: 5 } as const;

interface Piece {
  readonly t: TemplateResult;
  readonly level: number;
  /** True for a plain number (a product of a number and this gets a dot). */
  readonly number?: boolean;
}

const GREEK: Record<string, string> = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ',
  iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', rho: 'ρ', sigma: 'σ', tau: 'τ',
  phi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω', Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ', Lambda: 'Λ',
  Sigma: 'Σ', Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
};
const COMPARE = { '<=': '≤', '>=': '≥', '==': '=' } as const;

/** Return `p`, parenthesized when it binds more loosely than `min`. */
function atLeast(p: Piece, min: number): TemplateResult {
  return p.level < min ? html`(${p.t})` : p.t;
}

/** Return a parameter name as math: `theta_1` → θ₁ (a subscript), `x2` → x₂. */
export function renderName(name: string): TemplateResult {
  const m = /^(.*?)(?:_([\p{L}\p{N}]+)|(\d+))$/u.exec(name);
  const base = m && m[1] ? m[1] : name;
  const sub = m && m[1] ? (m[2] ?? m[3]) : undefined;
  const letter = GREEK[base] ?? base;
  return sub === undefined ? html`<var>${letter}</var>` : html`<var>${letter}</var><sub>${GREEK[sub] ?? sub}</sub>`;
}

/** Return a number as written in math (a minus sign, no trailing `.0`). */
function renderNumber(value: number): string {
  const text = Math.abs(value) >= 1e21 || (value !== 0 && Math.abs(value) < 1e-6) ? value.toExponential() : String(value);
  return text.replace('-', '−');
}

/** Return the rendering of `root`. */
export function renderMath(root: Root): TemplateResult {
  return foldExpr<Piece>(root, (node, kids) => {
    switch (node.kind) {
      case 'number':
        return { t: html`<span class="num">${renderNumber(node.value)}</span>`, level: Level.Primary, number: true };
      case 'constant':
        return { t: html`<var class="const">${node.name === 'pi' ? 'π' : node.name}</var>`, level: Level.Primary };
      case 'param':
        return { t: renderName(node.name), level: Level.Primary };
      case 'call':
        return { t: renderCall(node.name, kids), level: Level.Primary };
      case 'unary':
        return { t: html`${node.op === '-' ? '−' : '+'}${atLeast(kids[0]!, Level.Unary)}`, level: Level.Unary };
      case 'compare':
        return { t: html`${kids[0]!.t}<span class="op"> ${COMPARE[node.op]} </span>${kids[1]!.t}`, level: Level.Compare };
      case 'binary':
        return renderBinary(node.op, kids[0]!, kids[1]!);
    }
  }).t;
}

function renderCall(name: string, args: readonly Piece[]): TemplateResult {
  if (name === 'sqrt') return html`√<span class="radicand">${args[0]!.t}</span>`;
  if (name === 'abs') return html`|${args[0]!.t}|`;
  const list = args.map((a, k) => (k === 0 ? a.t : html`, ${a.t}`));
  return html`<span class="fn">${name}</span>(${list})`;
}

function renderBinary(op: string, left: Piece, right: Piece): Piece {
  if (op === '^') {
    // the superscript groups its content: no parentheses needed around the exponent
    return { t: html`${atLeast(left, Level.Primary)}<sup>${right.t}</sup>`, level: Level.Power };
  }
  if (op === '+' || op === '-') {
    const r = atLeast(right, Level.Sum + 1);
    return { t: html`${atLeast(left, Level.Sum)}<span class="op"> ${op === '-' ? '−' : '+'} </span>${r}`, level: Level.Sum };
  }
  const r = atLeast(right, Level.Product + 1);
  const l = atLeast(left, Level.Product);
  if (op === '/') return { t: html`${l}<span class="op">/</span>${r}`, level: Level.Product };
  // a number times something that does not start with a digit reads as juxtaposition: 100(y − x²)²
  const juxtapose = left.number === true && right.number !== true && right.level >= Level.Power;
  return { t: juxtapose ? html`${l}${r}` : html`${l}<span class="op">·</span>${r}`, level: Level.Product };
}
