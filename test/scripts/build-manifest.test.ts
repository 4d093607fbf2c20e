/** @file The Custom Elements Manifest builder (scripts/build-manifest.mjs) on small element sources. */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JS build script without type declarations
import { buildManifest } from '../../scripts/build-manifest.mjs';

const PLOT = `
import { LitElement } from 'lit';

/** Options of a controller: not an element. */
export class PlotController {}

/**
 * Draw a function of one or two parameters.
 * Canvas for pixels, SVG for axes.
 *
 * @summary A plot of a model.
 * @attr {'contour' | 'curve'} kind - What to draw.
 * @attr {string} x-range - The x range,
 *   as two numbers.
 * @prop {Fn} fn - The function to plot.
 * @fires {RoseErrorDetail} rose-error - A bad attribute.
 * @slot - Caption.
 * @slot legend - A legend.
 * @csspart canvas - The heatmap canvas.
 * @cssprop [--rose-plot-height=240px] - Height of the plot.
 */
export class RosePlot extends LitElement {}
customElements.define('rose-plot', RosePlot);
`;

const PARAM = `
/**
 * A named parameter.
 * @tag rose-param
 * @attr {number} value - Its value.
 */
export class RoseParam extends LitElement {}
`;

describe('buildManifest', () => {
  const manifest = buildManifest([
    { path: 'components/rose-plot/rose-plot.ts', text: PLOT },
    { path: 'components/rose-param/rose-param.ts', text: PARAM },
  ]);

  it('finds elements by customElements.define and by @tag, and skips other classes', () => {
    expect(manifest.schemaVersion).toBe('2.0.0');
    const names = manifest.modules.flatMap((m: { declarations: { name: string; tagName: string }[] }) =>
      m.declarations.map((d) => `${d.tagName}=${d.name}`),
    );
    expect(names).toEqual(['rose-plot=RosePlot', 'rose-param=RoseParam']);
  });

  it('reads description, summary, attributes, properties, events, slots, parts and CSS properties', () => {
    const plot = manifest.modules[0].declarations[0];
    expect(plot.description).toBe('Draw a function of one or two parameters.\nCanvas for pixels, SVG for axes.');
    expect(plot.summary).toBe('A plot of a model.');
    expect(plot.attributes).toEqual([
      { name: 'kind', type: { text: "'contour' | 'curve'" }, description: 'What to draw.', fieldName: 'kind' },
      { name: 'x-range', type: { text: 'string' }, description: 'The x range, as two numbers.', fieldName: 'xRange' },
    ]);
    expect(plot.members).toEqual([{ name: 'fn', type: { text: 'Fn' }, description: 'The function to plot.', kind: 'field' }]);
    expect(plot.events).toEqual([{ name: 'rose-error', type: { text: 'RoseErrorDetail' }, description: 'A bad attribute.' }]);
    expect(plot.slots).toEqual([{ name: '', description: 'Caption.' }, { name: 'legend', description: 'A legend.' }]);
    expect(plot.cssParts).toEqual([{ name: 'canvas', description: 'The heatmap canvas.' }]);
    expect(plot.cssProperties).toEqual([{ name: '--rose-plot-height', description: 'Height of the plot.', default: '240px' }]);
    expect(plot.superclass).toEqual({ name: 'LitElement', package: 'lit' });
  });

  it('exports each element as a JS class and as a custom-element definition', () => {
    expect(manifest.modules[1].exports).toEqual([
      { kind: 'js', name: 'RoseParam', declaration: { name: 'RoseParam', module: 'components/rose-param/rose-param.ts' } },
      {
        kind: 'custom-element-definition',
        name: 'rose-param',
        declaration: { name: 'RoseParam', module: 'components/rose-param/rose-param.ts' },
      },
    ]);
  });

  it('refuses two classes claiming one tag', () => {
    expect(() =>
      buildManifest([
        { path: 'a.ts', text: PARAM },
        { path: 'b.ts', text: PARAM.replace('RoseParam', 'OtherParam') },
      ]),
    ).toThrow(/<rose-param> is claimed by RoseParam and OtherParam/);
  });
});
