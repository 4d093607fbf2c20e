/**
 * @file The arrows drawn over the explorer's main contour plot: the gradient at the point (a
 * fixed length on screen, since its size varies by orders of magnitude; the panel gives its
 * norm), the Newton step to the stationary point of the quadratic model (to scale), and the
 * Hessian's eigenvector directions through the point. Positions come from the scales of the
 * plot's last painted frame, so the overlay follows resizes.
 */
import type { RosePlot } from '../../components/index.ts';
import type { LocalPicture } from './analysis.ts';

/** Length of the gradient arrow on screen, in CSS pixels. */
const GRADIENT_PX = 64;

/** An SVG layer over a contour plot that draws the arrows of a `LocalPicture`. */
export class ArrowOverlay {
  readonly #plot: RosePlot;
  readonly #svg: SVGSVGElement;
  readonly #parts: Record<'clip' | 'axis1' | 'axis2' | 'newton' | 'gradient' | 'gradientLabel' | 'newtonLabel', SVGElement>;

  constructor(plot: RosePlot, svg: SVGSVGElement) {
    this.#plot = plot;
    this.#svg = svg;
    svg.innerHTML = `
      <defs>
        <marker id="arrow-gradient" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,1 L9,5 L0,9 z" class="head-gradient"/></marker>
        <marker id="arrow-newton" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,1 L9,5 L0,9 z" class="head-newton"/></marker>
        <clipPath id="plot-area-clip"><rect data-part="clip"/></clipPath>
      </defs>
      <g clip-path="url(#plot-area-clip)">
      <line class="eigen" data-part="axis1"/><line class="eigen" data-part="axis2"/>
      <line class="newton" data-part="newton" marker-end="url(#arrow-newton)"/>
      <line class="gradient" data-part="gradient" marker-end="url(#arrow-gradient)"/>
      <text class="label gradient-label" data-part="gradientLabel">∇f</text>
      <text class="label newton-label" data-part="newtonLabel">Newton</text>
      </g>`;
    const part = (name: string) => svg.querySelector<SVGElement>(`[data-part="${name}"]`)!;
    this.#parts = {
      clip: part('clip'),
      axis1: part('axis1'),
      axis2: part('axis2'),
      newton: part('newton'),
      gradient: part('gradient'),
      gradientLabel: part('gradientLabel'),
      newtonLabel: part('newtonLabel'),
    };
  }

  /** Draw the arrows of `p`, or hide them when `p` is undefined or the plot has no frame yet. */
  draw(p: LocalPicture | undefined): void {
    const axes = this.#plot.controller.painted?.axes;
    const show = !!p && !!axes && Number.isFinite(p.value);
    this.#svg.style.visibility = show ? 'visible' : 'hidden';
    if (!show) return;
    const { x: sx, y: sy, area } = axes;
    this.#svg.setAttribute('viewBox', `0 0 ${axes.width} ${axes.height}`);
    const clip = this.#parts.clip;
    clip.setAttribute('x', String(area.left));
    clip.setAttribute('y', String(area.top));
    clip.setAttribute('width', String(area.width));
    clip.setAttribute('height', String(area.height));
    const px = sx.map(p.x);
    const py = sy.map(p.y);
    // a data-space vector drawn in screen space: y grows downwards
    const kx = (sx.map(p.x + 1) - px) || 1;
    const ky = (sy.map(p.y + 1) - py) || -1;
    const reach = Math.min(area.width, area.height) * 0.22;
    for (const [name, sign] of [['axis1', 1], ['axis2', -1]] as const) {
      const [ex, ey] = name === 'axis1' ? p.eigenvector : [-p.eigenvector[1], p.eigenvector[0]];
      const [dx, dy] = unit(ex * kx * sign, ey * ky * sign);
      line(this.#parts[name], px - dx * reach, py - dy * reach, px + dx * reach, py + dy * reach, true);
    }
    const [gx, gy] = unit(p.gradient[0] * kx, p.gradient[1] * ky);
    const gradientShown = !p.critical && p.gradientNorm > 0 && Number.isFinite(gx);
    line(this.#parts.gradient, px, py, px + gx * GRADIENT_PX, py + gy * GRADIENT_PX, gradientShown);
    place(this.#parts.gradientLabel, px + gx * (GRADIENT_PX + 14), py + gy * (GRADIENT_PX + 14), gradientShown);
    const s = p.newtonStep;
    const nx = s ? px + s[0] * kx : NaN;
    const ny = s ? py + s[1] * ky : NaN;
    const newtonShown = !!s && Math.hypot(nx - px, ny - py) > 6 && Math.hypot(nx - px, ny - py) < 4 * reach;
    line(this.#parts.newton, px, py, nx, ny, newtonShown);
    // the label beyond the tip, unless it would sit on the gradient's label
    const [ux, uy] = unit(nx - px, ny - py);
    const lx = nx + ux * 30;
    const ly = ny + uy * 14;
    const clash = gradientShown && Math.hypot(lx - (px + gx * (GRADIENT_PX + 14)), ly - (py + gy * (GRADIENT_PX + 14))) < 40;
    place(this.#parts.newtonLabel, lx, ly, newtonShown && !clash);
  }
}

/** Return `(x, y)` scaled to length 1 (NaNs for the zero vector). */
function unit(x: number, y: number): [number, number] {
  const n = Math.hypot(x, y);
  return [x / n, y / n];
}

/** Set a line's end points and visibility. */
function line(el: SVGElement, x1: number, y1: number, x2: number, y2: number, shown: boolean): void {
  el.style.display = shown ? '' : 'none';
  if (!shown) return;
  el.setAttribute('x1', x1.toFixed(1));
  el.setAttribute('y1', y1.toFixed(1));
  el.setAttribute('x2', x2.toFixed(1));
  el.setAttribute('y2', y2.toFixed(1));
}

/** Set a label's position and visibility. */
function place(el: SVGElement, x: number, y: number, shown: boolean): void {
  el.style.display = shown ? '' : 'none';
  if (!shown) return;
  el.setAttribute('x', x.toFixed(1));
  el.setAttribute('y', y.toFixed(1));
}
