/**
 * @file `PlotController`: the logic of `<rose-plot>`. It checks the attributes, resolves the
 * objective and the model source, samples the objective with compiled wasm (asynchronously,
 * newest request wins), and paints at most once per animation frame through the painters. The
 * element only holds properties and renders the SVG, legend, description and error it exposes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ErrorReporter, describeElement, toElementError } from '../shared/element-error.ts';
import { emit } from '../shared/events.ts';
import { FrameScheduler } from '../shared/frame-scheduler.ts';
import type { ModelSource } from '../shared/model-source.ts';
import { SizeController } from '../shared/size-controller.ts';
import { SourceController } from '../shared/source-controller.ts';
import { plotArea } from './axes.ts';
import { parseConfig, type PlotAttributes, type PlotConfig } from './config.ts';
import { Layer, prepareCanvas, type Field, type Theme } from './draw.ts';
import { robustExtent } from './levels.ts';
import { paintContour, paintCurve, paintLoss, paintTrace, type Canvas, type Painted } from './painters.ts';
import {
  basePoint,
  currentPoint,
  lossesOf,
  parameterNames,
  pathOf,
  plotAxes,
  rangeOf,
  resolveObjective,
  type PlotInputs,
  type ResolvedObjective,
} from './plot-data.ts';
import { gridSize, linspace, sampleCurve, sampleGrid, valueAndGradientAt } from './sampler.ts';
import type { Scale } from './scales.ts';

/** What the controller needs from its element. */
export interface PlotHost extends ReactiveControllerHost, HTMLElement, PlotAttributes, PlotInputs {
  readonly htmlFor: string | null;
  readonly source: ModelSource | undefined;
  readonly log: boolean;
  readonly xLabel: string | undefined;
  readonly yLabel: string | undefined;
  /** The canvas in the element's shadow root, once rendered. */
  readonly canvas: HTMLCanvasElement | null;
}

const DEFAULT_RANGE = [-2, 2] as const;

/** A sampling request: its key, and the promise of its result. */
interface Job<T> {
  readonly key: string;
  result?: T;
}

/** Reads the element's inputs, samples, and paints. */
export class PlotController implements ReactiveController {
  readonly #host: PlotHost;
  readonly #errors: ErrorReporter;
  readonly scheduler: FrameScheduler;
  readonly size: SizeController;
  readonly source: SourceController;
  #config: PlotConfig | undefined;
  #configError: unknown;
  #objective: ResolvedObjective | undefined;
  #objectiveError: unknown;
  #objectiveStale = true;
  /** Bumped whenever the objective changes; part of every sampling key. */
  #version = 0;
  #field: Job<Field> | undefined;
  #curve: Job<{ xs: Float64Array; values: Float64Array }> | undefined;
  #tangent: Job<{ x: number; value: number; slope: number }> | undefined;
  #sampleError: unknown;
  /** A problem found while drawing (an axis naming no parameter of the source). */
  #paintError: unknown;
  #scales: { x: Scale; y: Scale } | undefined;
  readonly #layer = new Layer();
  /** The last painted frame, for the element's SVG, legend and description. */
  painted: Painted | undefined;

  constructor(host: PlotHost) {
    this.#host = host;
    this.#errors = new ErrorReporter(host);
    this.scheduler = new FrameScheduler(host, () => this.#paint());
    this.size = new SizeController(host, () => this.scheduler.schedule());
    this.source = new SourceController(host, {
      onModel: () => this.#invalidate(true),
      onStep: () => this.#invalidate(false),
    });
    host.addController(this);
  }

  /** The error shown in the element, if any. */
  get error() {
    return this.#errors.current;
  }

  /** Re-read the element's properties after a change of `changed` (names of properties). */
  configure(changed: ReadonlySet<PropertyKey>): void {
    const has = (...keys: string[]) => keys.some((k) => changed.has(k));
    this.#paintError = undefined; // something changed: try again
    if (has('kind', 'xRange', 'yRange', 'levels', 'params', 'xParam', 'yParam') || !this.#config) {
      try {
        this.#config = parseConfig(this.#host);
        this.#configError = undefined;
      } catch (e) {
        this.#configError = e;
      }
      this.#objectiveStale = true;
    }
    if (has('fn', 'expression')) this.#objectiveStale = true;
    this.source.bind(this.#host.source, this.#host.htmlFor);
    this.#refreshErrors();
    this.scheduler.schedule();
  }

  /** Return the data coordinates of element-relative CSS pixel `(px, py)`, if inside the plot area. */
  dataAt(px: number, py: number, clamp: boolean): { x: number; y: number } | undefined {
    const s = this.#scales;
    if (!s) return undefined;
    const [x0, x1] = [s.x.range[0], s.x.range[1]];
    const [y1, y0] = [s.y.range[0], s.y.range[1]];
    if (!clamp && (px < x0 || px > x1 || py < y0 || py > y1)) return undefined;
    const cx = Math.min(x1, Math.max(x0, px));
    const cy = Math.min(y1, Math.max(y0, py));
    return { x: s.x.invert(cx), y: s.y.invert(cy) };
  }

  hostDisconnected(): void {
    this.#field = this.#curve = this.#tangent = undefined;
    this.#layer.release();
  }

  #invalidate(model: boolean): void {
    if (model) {
      this.#objectiveStale = true;
      if (this.#paintError !== undefined) {
        this.#paintError = undefined;
        this.#refreshErrors();
      }
    }
    this.scheduler.schedule();
  }

  #refreshErrors(): void {
    const e = this.#configError ?? this.#objectiveError ?? this.#sampleError ?? this.#paintError;
    this.#errors.set(e === undefined ? undefined : toElementError(e, describeElement(this.#host)));
    this.#host.requestUpdate();
  }

  #resolve(config: PlotConfig): void {
    if (!this.#objectiveStale) return;
    this.#objectiveStale = false;
    const before = this.#objective;
    try {
      this.#objective = config.kind === 'contour' || config.kind === 'curve'
        ? resolveObjective(config, this.#host, this.source.source)
        : undefined;
      this.#objectiveError = undefined;
    } catch (e) {
      this.#objective = undefined;
      this.#objectiveError = e;
    }
    if (this.#objective?.objective !== before?.objective) {
      this.#version++;
      this.#sampleError = undefined;
    }
    this.#refreshErrors();
  }

  #paint(): void {
    const host = this.#host;
    const { width, height, dpr } = this.size.size;
    const canvas = host.canvas;
    if (!canvas || width <= 0 || height <= 0) return;
    const config = this.#config;
    if (config && !this.#configError) this.#resolve(config);
    const ctx = prepareCanvas(canvas, width, height, dpr);
    if (!ctx) return;
    if (!config || this.error) {
      this.painted = undefined;
      this.#scales = undefined;
      host.requestUpdate();
      return;
    }
    const c: Canvas = {
      ctx,
      width,
      height,
      dpr,
      layer: this.#layer,
      area: plotArea(width, height),
      theme: readTheme(host),
      xTitle: host.xLabel,
      yTitle: host.yLabel,
    };
    let painted: Painted;
    try {
      painted = this.#paintKind(config, c);
    } catch (e) {
      this.#paintError = e;
      this.#refreshErrors();
      prepareCanvas(canvas, width, height, dpr);
      return;
    }
    this.painted = painted;
    this.#scales = painted.axes;
    host.requestUpdate();
    emit(host, 'rose-render', { kind: config.kind, frame: this.scheduler.frames });
  }

  #paintKind(config: PlotConfig, c: Canvas): Painted {
    const source = this.source.source;
    switch (config.kind) {
      case 'contour':
        return this.#paintContour(config, c);
      case 'curve':
        return this.#paintCurve(config, c);
      case 'loss':
        return paintLoss(c, lossesOf(this.#host, source));
      case 'trace': {
        const path = pathOf(this.#host, source);
        return paintTrace(c, parameterNames(config, source, path[0]?.length ?? 1), path);
      }
    }
  }

  #paintContour(config: PlotConfig, c: Canvas): Painted {
    const source = this.source.source;
    const obj = this.#objective;
    const n = obj?.objective.n ?? 2;
    const names = parameterNames(config, source, Math.max(2, n), obj);
    const { ix, iy } = plotAxes(config, names);
    const xRange = rangeOf(config.xRange, source, ix, DEFAULT_RANGE);
    const yRange = rangeOf(config.yRange, source, iy, DEFAULT_RANGE);
    const point = currentPoint(this.#host, source);
    if (obj) {
      const nx = gridSize(c.area.width);
      const ny = gridSize(c.area.height);
      const base = basePoint(n > 2 ? point : undefined, n);
      base[ix] = base[iy] = 0; // replaced on the grid: keep them out of the key
      const key = `${this.#version} ${nx} ${ny} ${ix} ${iy} ${xRange} ${yRange} ${base.join(' ')}`;
      this.#field = this.#request(this.#field, key, async () => {
        const xs = linspace(xRange[0], xRange[1], nx);
        const ys = linspace(yRange[0], yRange[1], ny);
        const values = await sampleGrid(obj.objective, { ix, iy }, xs, ys, base);
        return { xs, ys, values, extent: robustExtent(values) };
      });
    }
    const losses = source?.lossHistory;
    const lastLoss = losses && !this.#host.point ? losses[losses.length - 1] : undefined;
    return paintContour(c, {
      what: obj?.what ?? 'no function',
      names: [names[ix]!, names[iy]!],
      xRange,
      yRange,
      field: obj ? this.#field?.result : undefined,
      levels: config.levels,
      log: this.#host.log,
      path: pathOf(this.#host, source).map((p) => [p[ix] ?? NaN, p[iy] ?? NaN] as const),
      point: point && point.length > Math.max(ix, iy) ? [point[ix]!, point[iy]!] : undefined,
      pointValue: lastLoss !== undefined && Number.isFinite(lastLoss) ? lastLoss : undefined,
    });
  }

  #paintCurve(config: PlotConfig, c: Canvas): Painted {
    const source = this.source.source;
    const obj = this.#objective;
    const n = obj?.objective.n ?? 1;
    const names = parameterNames(config, source, n, obj);
    const { ix } = plotAxes(config, names);
    const xRange = rangeOf(config.xRange, source, ix, DEFAULT_RANGE);
    const point = currentPoint(this.#host, source);
    if (obj) {
      const base = basePoint(point, n);
      const samples = Math.min(512, Math.max(64, Math.ceil(c.area.width / 2 / 32) * 32));
      const rest = base.filter((_, k) => k !== ix).join(' '); // the slice, without the moving x
      this.#curve = this.#request(this.#curve, `${this.#version} ${samples} ${ix} ${xRange} ${rest}`, async () => {
        const xs = linspace(xRange[0], xRange[1], samples);
        return { xs, values: await sampleCurve(obj.objective, { ix }, xs, base) };
      });
      if (point && Number.isFinite(point[ix])) {
        this.#tangent = this.#request(this.#tangent, `${this.#version} ${ix} ${base.join(' ')}`, async () => {
          const { value, grad } = await valueAndGradientAt(obj.objective, base);
          return { x: base[ix]!, value, slope: grad[ix]! };
        });
      }
    }
    const curve = obj ? this.#curve?.result : undefined;
    return paintCurve(c, {
      what: obj?.what ?? 'no function',
      name: names[ix]!,
      xRange,
      yRange: config.yRange,
      xs: curve?.xs,
      values: curve?.values,
      tangent: obj && point ? this.#tangent?.result : undefined,
    });
  }

  /**
   * Return the job for `key`: `current` if it has that key, else a new job whose result arrives
   * later (the previous result stays on screen meanwhile); its completion schedules a frame.
   * The caller keeps the returned job, so a late result of an older job is never shown.
   */
  #request<T>(current: Job<T> | undefined, key: string, run: () => Promise<T>): Job<T> {
    if (current?.key === key) return current;
    const job: Job<T> = { key };
    if (current?.result !== undefined) job.result = current.result;
    run().then(
      (result) => {
        if (!this.#host.isConnected) return;
        job.result = result;
        this.scheduler.schedule();
      },
      (e: unknown) => {
        this.#sampleError = e;
        this.#refreshErrors();
      },
    );
    return job;
  }
}

/** Return the colours of `el` from its `--rose-*` custom properties, with defaults. */
function readTheme(el: Element): Theme {
  const style = getComputedStyle(el);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const series = [
    read('--rose-series-1', '#2563eb'),
    read('--rose-series-2', '#e11d48'),
    read('--rose-series-3', '#059669'),
    read('--rose-series-4', '#d97706'),
    read('--rose-series-5', '#7c3aed'),
    read('--rose-series-6', '#0891b2'),
  ];
  return {
    line: read('--rose-line-color', '#2563eb'),
    accent: read('--rose-accent', '#e11d48'),
    path: read('--rose-path-color', '#ff4f6d'),
    contour: read('--rose-contour-color', 'rgba(255, 255, 255, 0.45)'),
    point: read('--rose-point-color', '#ff4f6d'),
    series,
  };
}
