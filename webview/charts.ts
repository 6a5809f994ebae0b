// Chart.js charts per target: per-layer time stacked by bound (with the measured time as an overlay line
// when a measured profile is imported), and memory per layer (wafer) or per pipeline stage (GPU cluster).
// Chart.js draws text on the canvas, so model strings never become HTML here either.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type Scale,
  type TooltipItem,
} from 'chart.js';
import type { Bound, GpuGrid, TargetResult } from '../src/engine/hardware/types';
import type { Report } from '../src/engine/profile';
import { binaryUnit, fmtBytes, fmtNumber, fmtSeconds, secondsUnit } from '../src/report/units';
import { afterPaint } from './afterPaint';
import { h } from './dom';
import { defaultGroups, perLayer, type ChartGroup } from './chartGroups';
import { css, mix, type RGB, type Theme } from './theme';

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);

export const BOUNDS: Bound[] = ['compute', 'memory', 'communication', 'latency'];

export function boundColor(b: Bound, theme: Theme): RGB {
  return b === 'compute'
    ? theme.charts.blue
    : b === 'memory'
      ? theme.charts.orange
      : b === 'communication'
        ? theme.charts.purple
        : theme.charts.yellow;
}

export interface ChartHost {
  theme(): Theme;
  selected(): string | null;
  select(layer: string | null): void;
}

/** Measured seconds per target layer (index-aligned with target.layers), or undefined. */
export type MeasuredPerLayer = (number | null)[] | undefined;

export class TargetCharts {
  readonly element: HTMLElement;
  private charts: Chart[] = [];
  /** recompute the bar colours for the current selection */
  private recolour: (() => void)[] = [];
  private disposed = false;
  /** the block whose layers are shown, or null for the default bars */
  private drilled: ChartGroup | null = null;
  /** whether the default bars are blocks rather than layers */
  private grouped = false;
  private regroup: () => void = () => undefined;
  private readonly caption = h('span', {}, 'Time per layer, by bound');
  private readonly back = h('button', { class: 'chart-back', attrs: { type: 'button', hidden: true } }, '← all blocks');

  constructor(
    private readonly target: TargetResult,
    private readonly report: Report,
    private readonly host: ChartHost,
    private readonly measured: MeasuredPerLayer,
  ) {
    const timeCanvas = h('canvas', {
      attrs: { role: 'img', 'aria-label': `${target.name || target.id}: time per layer, stacked by bound` },
    });
    const memCanvas = h('canvas', {
      attrs: {
        role: 'img',
        'aria-label': `${target.name || target.id}: memory per ${this.isGpu ? 'pipeline stage' : 'layer'}`,
      },
    });
    this.element = h(
      'div',
      { class: 'charts' },
      h(
        'figure',
        { class: 'chart' },
        h('figcaption', {}, this.caption, measured ? ' (line: measured)' : '', ' ', this.back),
        h('div', { class: 'chart-box' }, timeCanvas),
      ),
      h(
        'figure',
        { class: 'chart' },
        h('figcaption', {}, this.isGpu ? 'Memory per pipeline stage' : 'Memory per layer'),
        h('div', { class: 'chart-box' }, memCanvas),
      ),
    );
    this.back.addEventListener('click', () => this.drill(null));
    // created after insertion into the document (Chart.js measures its container), once the heatmaps are painted
    afterPaint(() => {
      if (!this.disposed) this.create(timeCanvas, memCanvas);
    });
  }

  private get isGpu(): boolean {
    return this.target.grid?.kind === 'gpu';
  }

  get count(): number {
    return this.charts.length;
  }

  private opsOf(name: string): string {
    return this.report.layers.find((l) => l.name === name)?.opTypes.join(' + ') ?? '';
  }

  private create(timeCanvas: HTMLCanvasElement, memCanvas: HTMLCanvasElement): void {
    const theme = this.host.theme();
    Chart.defaults.color = css(theme.fg);
    Chart.defaults.borderColor = css(mix(theme.bg, theme.fg, 0.15));
    Chart.defaults.font.family = theme.font;
    Chart.defaults.animation = false;
    const layers = this.target.layers;
    const all = defaultGroups(layers, this.report);
    this.grouped = all.length < layers.length;
    const bars = (): ChartGroup[] => (this.drilled ? perLayer(layers, this.report, this.drilled.layers) : all);
    let groups = bars();
    const sel = () => this.host.selected();
    const holdsSelected = (g: ChartGroup) => {
      const s = sel();
      return s !== null && g.layers.some((i) => layers[i]?.name === s);
    };
    // Bar colours as values, not scriptable functions: one colour per dataset (which Chart.js resolves once
    // and shares between bars) until a layer is selected, then one per bar; update() recomputes them.
    const highlight = (base: RGB): string | string[] => {
      if (sel() === null) return css(base);
      const on = css(theme.accent),
        off = css(mix(base, theme.bg, 0.6));
      return groups.map((g) => (holdsSelected(g) ? on : off));
    };
    const onClick = (_e: unknown, els: { index: number }[]) => {
      const g = els.length ? groups[els[0]!.index] : undefined;
      if (!g) return this.host.select(null);
      // a block's bar drills down to its layers; a layer's bar selects it everywhere
      if (!this.drilled && g.layers.length > 1 && g.block) return this.drill(g);
      this.host.select(layers[g.layers[0]!]?.name ?? null);
    };
    const bounds = BOUNDS.filter((b) => layers.some((l) => l.bound === b));
    /** a bar's measured seconds (the sum over its layers), NaN where none was measured */
    const measuredOf = (g: ChartGroup): number => {
      const v = g.layers.map((i) => this.measured?.[i]).filter((x): x is number => typeof x === 'number');
      return v.length ? v.reduce((a, b) => a + b, 0) : Number.NaN;
    };
    const timeData = () => {
      const datasets: ChartConfiguration<'bar' | 'line'>['data']['datasets'] = bounds.map((b) => ({
        type: 'bar' as const,
        label: `${b}-bound`,
        data: groups.map((g) => g.seconds[b]),
        backgroundColor: highlight(boundColor(b, theme)),
        stack: 'time',
      }));
      if (this.measured) {
        datasets.push({
          type: 'line' as const,
          label: 'measured',
          data: groups.map(measuredOf),
          borderColor: css(theme.fg),
          backgroundColor: css(theme.fg),
          pointRadius: 2,
          spanGaps: false,
          borderWidth: 1.5,
        });
      }
      return { labels: groups.map((g) => g.label), datasets };
    };
    const tooltip = (unit: 'time' | 'mem') => ({
      callbacks: {
        title: (items: TooltipItem<'bar' | 'line'>[]) =>
          items[0]
            ? unit === 'mem' && this.isGpu
              ? `stage ${items[0].dataIndex}`
              : (groups[items[0].dataIndex]?.title ?? '')
            : '',
        label: (item: TooltipItem<'bar' | 'line'>) => {
          if (unit === 'mem') return `${fmtBytes(Number(item.raw))}`;
          if (item.dataset.label === 'measured') return `measured ${fmtSeconds(Number(item.raw))}`;
          return Number(item.raw) > 0 ? `${fmtSeconds(Number(item.raw))} (${item.dataset.label})` : '';
        },
        afterBody: (items: TooltipItem<'bar' | 'line'>[]) => {
          const g = items[0] && !(unit === 'mem' && this.isGpu) ? groups[items[0].dataIndex] : undefined;
          if (!g) return [];
          const l = g.layers.length === 1 ? layers[g.layers[0]!] : undefined;
          return l
            ? [
                `ops: ${this.opsOf(l.name)}`,
                `memory: ${fmtBytes(l.memoryBytes)}`,
                `placement: ${placementText(l.placement)}`,
              ]
            : [`${g.layers.length} layers, ${fmtBytes(g.memoryBytes)}`, 'click to show its layers'];
        },
      },
      filter: (item: TooltipItem<'bar' | 'line'>) => Number(item.raw) > 0 || item.dataset.label === 'measured',
    });
    // label sizes from a sample of the (hundreds of) layer names, not every one (Chart.js ticks.sampleSize)
    const sampleSize = 64;
    /** the tallest bar (the stacked bounds) or measured point */
    const timeMax = (): number =>
      maxOf(
        groups.map((g) =>
          Math.max(
            bounds.reduce((a, b) => a + g.seconds[b], 0),
            measuredOf(g) || 0,
          ),
        ),
      );
    const timeAxis = unitAxis(timeCanvas, secondsUnit, timeMax());
    const timeChart = new Chart(timeCanvas, {
      type: 'bar',
      data: timeData(),
      options: {
        responsive: true,
        maintainAspectRatio: false,
        onClick,
        // a click or hover anywhere in a bar's column counts: thin bars are hard to hit
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: true, ticks: { autoSkip: true, maxRotation: 60, sampleSize } },
          y: {
            stacked: true,
            title: { display: true, text: 'seconds' },
            ticks: timeAxis.ticks,
            afterTickToLabelConversion: timeAxis.afterTickToLabelConversion,
          },
        },
        plugins: { tooltip: tooltip('time'), legend: { position: 'bottom' } },
      },
    } as ChartConfiguration<'bar'>);
    this.charts.push(timeChart);

    const rects = this.target.grid?.kind === 'wafer' ? this.target.grid.rects : [];
    const overLayer = (i: number) =>
      rects.some((r) => i >= r.layer && i < r.layer + Math.max(1, r.layerCount ?? 1) && r.memUtil > 1);
    const memData = () => {
      if (this.isGpu) {
        const g = this.target.grid as GpuGrid;
        return {
          labels: g.stageLayers.map((_, st) => `stage ${st}`),
          data: g.stageLayers.map((ls) => ls.reduce((a, i) => a + (layers[i]?.memoryBytes ?? 0), 0)),
          over: g.stageLayers.map((_, st) => g.memUtil.some((m, i) => g.stage[i] === st && m > 1)),
        };
      }
      return {
        labels: groups.map((g) => g.label),
        data: groups.map((g) => g.memoryBytes),
        over: groups.map((g) => g.layers.some(overLayer)),
      };
    };
    let mem = memData();
    const memColor = (): string | string[] => {
      const base = this.isGpu ? css(theme.charts.green) : highlight(theme.charts.green);
      if (!mem.over.some(Boolean)) return base;
      return mem.over.map((o, i) => (o ? css(theme.error) : typeof base === 'string' ? base : base[i]!));
    };
    // memory ticks in one binary unit, as fmtBytes writes the largest bar
    const memAxis = unitAxis(memCanvas, binaryUnit, maxOf(mem.data));
    const memChart = new Chart(memCanvas, {
      type: 'bar',
      data: {
        labels: mem.labels,
        datasets: [{ label: 'memory (red: over capacity)', data: mem.data, backgroundColor: memColor() }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        onClick: this.isGpu ? undefined : onClick,
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 60, sampleSize } },
          y: {
            title: { display: true, text: 'bytes' },
            ticks: memAxis.ticks,
            afterTickToLabelConversion: memAxis.afterTickToLabelConversion,
          },
        },
        plugins: { tooltip: tooltip('mem'), legend: { position: 'bottom' } },
      },
    } as ChartConfiguration<'bar'>);
    this.charts.push(memChart);
    this.recolour.push(() => {
      const t = timeData();
      timeChart.data.labels = t.labels;
      timeChart.data.datasets = t.datasets as typeof timeChart.data.datasets;
      memChart.data.datasets[0]!.backgroundColor = memColor();
    });
    this.regroup = () => {
      groups = bars();
      mem = memData();
      if (!this.isGpu) {
        memChart.data.labels = mem.labels;
        memChart.data.datasets[0]!.data = mem.data;
        // a block's layers may need a smaller unit than all blocks
        memAxis.rescale(memChart, maxOf(mem.data));
      }
      timeAxis.rescale(timeChart, timeMax());
      this.update();
      this.back.hidden = !this.drilled;
      this.caption.textContent = this.drilled
        ? `Time per layer in ${this.drilled.title}, by bound`
        : this.grouped
          ? 'Time per block, by bound (click a block for its layers)'
          : 'Time per layer, by bound';
    };
    this.regroup();
  }

  /** Shows the layers of one block (or, with null, the blocks again). */
  drill(g: ChartGroup | null): void {
    this.drilled = g;
    this.regroup();
  }

  /** Re-applies the selection highlight. */
  update(): void {
    for (const r of this.recolour) r();
    for (const c of this.charts) c.update('none');
  }

  dispose(): void {
    this.disposed = true;
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.recolour = [];
    this.element.remove();
  }
}

/**
 * A linear y axis with ticks at 1, 2 or 5 x 10^k of one unit (0, 200, 400 MiB; 0, 50, 100 µs), every label in
 * that unit: Chart.js takes its nice step (niceNum: 1, 2, 5 x 10^k) in multiples of ticks.stepSize, so a step
 * size of one unit does it, where on raw bytes its steps are decimal (200,000,000 B, read "191 MiB") and on
 * seconds each label picked its own unit ("0 s", "500 µs", "1 ms"). With a step size Chart.js drops its own
 * tick count limit: maxTicksLimit 11 is the one it uses without. The labels drawn go to the canvas's
 * data-y-ticks (canvas text is not in the page), for UI tests.
 */
function unitAxis(canvas: HTMLCanvasElement, unitOf: (max: number) => [number, string], max: number) {
  let unit = unitOf(max);
  return {
    ticks: {
      stepSize: unit[0],
      maxTicksLimit: 11,
      callback: (v: number | string) => `${fmtNumber(Number(v) / unit[0])} ${unit[1]}`,
    },
    afterTickToLabelConversion: (scale: Scale) => {
      canvas.dataset.yTicks = scale.ticks.map((t) => String(t.label)).join('|');
    },
    /** New data: its maximum may need another unit (set through the chart's options: Chart.js keeps a copy). */
    rescale(chart: Chart, newMax: number): void {
      unit = unitOf(newMax);
      const y = chart.options.scales?.y as { ticks: { stepSize?: number } } | undefined;
      if (y) y.ticks.stepSize = unit[0];
    },
  };
}

const maxOf = (xs: number[]): number => xs.reduce((a, b) => (b > a ? b : a), 0);

export function placementText(p: object): string {
  const e = Object.entries(p ?? {});
  return e.length ? e.map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ') : '—';
}
