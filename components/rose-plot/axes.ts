/**
 * @file Layout and axes of `<rose-plot>`: the plot area inside the element's box, and the SVG of
 * the axes (frame, grid lines, ticks, tick labels and axis titles). The SVG lies under the
 * canvas; the canvas paints only inside the plot area, so labels in the margins stay visible and
 * grid lines show through wherever the data leaves the canvas transparent.
 */
import { svg, type SVGTemplateResult } from 'lit';
import { formatTick, type Scale } from './scales.ts';

/** The plot area in CSS pixels, relative to the element's box. */
export interface Area {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Margins around the plot area, in CSS pixels: room for ticks, labels and titles. */
const MARGIN = { left: 58, right: 16, top: 14, bottom: 44 } as const;

/** Return the plot area of a `width` x `height` box (never negative). */
export function plotArea(width: number, height: number): Area {
  return {
    left: MARGIN.left,
    top: MARGIN.top,
    width: Math.max(0, width - MARGIN.left - MARGIN.right),
    height: Math.max(0, height - MARGIN.top - MARGIN.bottom),
  };
}

/** What the axes show. */
export interface AxesSpec {
  readonly width: number;
  readonly height: number;
  readonly area: Area;
  readonly x: Scale;
  readonly y: Scale;
  readonly xTitle: string;
  readonly yTitle: string;
  /** Draw grid lines across the area (line plots; a heatmap hides them anyway). */
  readonly grid: boolean;
}

/** Return the number of ticks that fit in `pixels` with about `spacing` pixels between them. */
function tickCount(pixels: number, spacing: number): number {
  return Math.max(2, Math.floor(pixels / spacing));
}

/** Return the SVG of the axes. */
export function axesTemplate(a: AxesSpec): SVGTemplateResult {
  const { area } = a;
  const right = area.left + area.width;
  const bottom = area.top + area.height;
  const xTicks = a.x.ticks(tickCount(area.width, 80)).filter((t) => inside(a.x.map(t), area.left, right));
  const yTicks = a.y.ticks(tickCount(area.height, 44)).filter((t) => inside(a.y.map(t), area.top, bottom));
  const xLog = a.x.kind === 'log';
  const yLog = a.y.kind === 'log';
  return svg`
    <rect class="area" x=${area.left} y=${area.top} width=${area.width} height=${area.height}></rect>
    ${a.grid
      ? svg`<g class="grid">
          ${xTicks.map((t) => svg`<line x1=${a.x.map(t)} x2=${a.x.map(t)} y1=${area.top} y2=${bottom}></line>`)}
          ${yTicks.map((t) => svg`<line x1=${area.left} x2=${right} y1=${a.y.map(t)} y2=${a.y.map(t)}></line>`)}
        </g>`
      : null}
    <g class="ticks">
      ${xTicks.map((t) => svg`
        <line x1=${a.x.map(t)} x2=${a.x.map(t)} y1=${bottom} y2=${bottom + 5}></line>
        <text class="x" x=${a.x.map(t)} y=${bottom + 18}>${formatTick(t, xTicks, xLog)}</text>`)}
      ${yTicks.map((t) => svg`
        <line x1=${area.left - 5} x2=${area.left} y1=${a.y.map(t)} y2=${a.y.map(t)}></line>
        <text class="y" x=${area.left - 8} y=${a.y.map(t)}>${formatTick(t, yTicks, yLog)}</text>`)}
    </g>
    <text class="title x-title" x=${area.left + area.width / 2} y=${a.height - 6}>${a.xTitle}</text>
    <text class="title y-title" transform=${`translate(14 ${area.top + area.height / 2}) rotate(-90)`}>${a.yTitle}</text>
  `;
}

/** Return true if pixel `p` lies within [lo, hi] (with half a pixel of slack). */
function inside(p: number, lo: number, hi: number): boolean {
  return p >= lo - 0.5 && p <= hi + 0.5;
}
