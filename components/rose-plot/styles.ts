/** @file The shadow-DOM styles of `<rose-plot>`: layout, axes typography, legend, error box. */
import { css } from 'lit';

/** Styles of `<rose-plot>`. */
export const plotStyles = css`
  :host {
    display: block;
    position: relative;
    height: 320px;
    min-height: 120px;
    background: var(--rose-plot-background, transparent);
    border-radius: var(--rose-radius, 0);
  }
  .frame {
    position: absolute;
    inset: 0;
    touch-action: none;
  }
  svg,
  canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    display: block;
  }
  .interactive canvas {
    cursor: crosshair;
  }
  svg {
    overflow: visible;
  }
  svg .area {
    fill: var(--rose-area-background, #ffffff);
    stroke: var(--rose-axis-color, #94a3b8);
    stroke-width: 1;
    shape-rendering: crispEdges;
  }
  svg .grid line {
    stroke: var(--rose-grid-color, #e2e8f0);
    stroke-width: 1;
    shape-rendering: crispEdges;
  }
  svg .ticks line {
    stroke: var(--rose-axis-color, #94a3b8);
    shape-rendering: crispEdges;
  }
  svg text {
    fill: var(--rose-muted, #475569);
    font-size: var(--rose-tick-size, 11.5px);
    font-variant-numeric: tabular-nums;
  }
  svg text.x {
    text-anchor: middle;
  }
  svg text.y {
    text-anchor: end;
    dominant-baseline: middle;
  }
  svg text.title {
    fill: var(--rose-text, #0f172a);
    font-size: var(--rose-title-size, 13px);
    font-style: italic;
    font-family: var(--rose-label-font, Georgia, 'Times New Roman', serif);
    text-anchor: middle;
  }
  .legend {
    position: absolute;
    top: 22px;
    right: 24px;
    margin: 0;
    padding: 6px 10px;
    list-style: none;
    background: var(--rose-legend-background, rgba(255, 255, 255, 0.88));
    border: 1px solid var(--rose-grid-color, #e2e8f0);
    border-radius: 6px;
    font-size: 12.5px;
    line-height: 1.6;
  }
  .legend li {
    display: flex;
    align-items: center;
    gap: 6px;
    font-style: italic;
    font-family: var(--rose-label-font, Georgia, 'Times New Roman', serif);
  }
  .legend i {
    display: inline-block;
    width: 14px;
    height: 3px;
    border-radius: 2px;
  }
  .error {
    position: absolute;
    left: 12px;
    right: 12px;
    top: 12px;
  }
`;
