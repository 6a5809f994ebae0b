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
  type TooltipItem,
} from 'chart.js';
import type { Bound, GpuGrid, TargetResult } from '../src/engine/hardware/types';
import type { Report } from '../src/engine/profile';
import { fmtBytes, fmtSeconds } from '../src/report/units';
import { afterPaint } from './afterPaint';
import { h, shortName } from './dom';
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
        h('figcaption', {}, 'Time per layer, by bound', measured ? ' (line: measured)' : ''),
        h('div', { class: 'chart-box' }, timeCanvas),
      ),
      h(
        'figure',
        { class: 'chart' },
        h('figcaption', {}, this.isGpu ? 'Memory per pipeline stage' : 'Memory per layer'),
        h('div', { class: 'chart-box' }, memCanvas),
      ),
    );
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
    const labels = layers.map((l) => shortName(l.name, 24));
    const sel = () => this.host.selected();
    // Bar colours as values, not scriptable functions: one colour per dataset (which Chart.js resolves once
    // and shares between bars) until a layer is selected, then one per bar; update() recomputes them.
    const highlight = (base: RGB): string | string[] => {
      const s = sel();
      if (s === null) return css(base);
      const on = css(theme.accent),
        off = css(mix(base, theme.bg, 0.6));
      return layers.map((l) => (l.name === s ? on : off));
    };
    const onClick = (_e: unknown, els: { index: number }[]) =>
      this.host.select(els.length ? (layers[els[0].index]?.name ?? null) : null);
    const bounds = BOUNDS.filter((b) => layers.some((l) => l.bound === b));
    const datasets: ChartConfiguration<'bar' | 'line'>['data']['datasets'] = bounds.map((b) => ({
      type: 'bar' as const,
      label: `${b}-bound`,
      data: layers.map((l) => (l.bound === b ? l.seconds : 0)),
      backgroundColor: highlight(boundColor(b, theme)),
      stack: 'time',
    }));
    if (this.measured) {
      datasets.push({
        type: 'line' as const,
        label: 'measured',
        data: this.measured.map((v) => v ?? Number.NaN),
        borderColor: css(theme.fg),
        backgroundColor: css(theme.fg),
        pointRadius: 2,
        spanGaps: false,
        borderWidth: 1.5,
      });
    }
    const tooltip = (unit: 'time' | 'mem') => ({
      callbacks: {
        title: (items: TooltipItem<'bar' | 'line'>[]) =>
          items[0]
            ? unit === 'mem' && this.isGpu
              ? `stage ${items[0].dataIndex}`
              : (layers[items[0].dataIndex]?.name ?? '')
            : '',
        label: (item: TooltipItem<'bar' | 'line'>) => {
          if (unit === 'mem') return `${fmtBytes(Number(item.raw))}`;
          if (item.dataset.label === 'measured') return `measured ${fmtSeconds(Number(item.raw))}`;
          return Number(item.raw) > 0 ? `${fmtSeconds(Number(item.raw))} (${item.dataset.label})` : '';
        },
        afterBody: (items: TooltipItem<'bar' | 'line'>[]) => {
          const l = items[0] && !(unit === 'mem' && this.isGpu) ? layers[items[0].dataIndex] : undefined;
          return l
            ? [
                `ops: ${this.opsOf(l.name)}`,
                `memory: ${fmtBytes(l.memoryBytes)}`,
                `placement: ${placementText(l.placement)}`,
              ]
            : [];
        },
      },
      filter: (item: TooltipItem<'bar' | 'line'>) => Number(item.raw) > 0 || item.dataset.label === 'measured',
    });
    // label sizes from a sample of the (hundreds of) layer names, not every one (Chart.js ticks.sampleSize)
    const sampleSize = 64;
    const timeChart = new Chart(timeCanvas, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        onClick,
        scales: {
          x: { stacked: true, ticks: { autoSkip: true, maxRotation: 60, sampleSize } },
          y: {
            stacked: true,
            title: { display: true, text: 'seconds' },
            ticks: { callback: (v) => fmtSeconds(Number(v)) },
          },
        },
        plugins: { tooltip: tooltip('time'), legend: { position: 'bottom' } },
      },
    } as ChartConfiguration<'bar'>);
    this.charts.push(timeChart);
    this.recolour.push(() =>
      bounds.forEach((b, i) => {
        timeChart.data.datasets[i].backgroundColor = highlight(boundColor(b, theme));
      }),
    );

    let memLabels: string[], memData: number[], over: boolean[];
    if (this.isGpu) {
      const g = this.target.grid as GpuGrid;
      memLabels = g.stageLayers.map((_, s) => `stage ${s}`);
      memData = g.stageLayers.map((ls) => ls.reduce((a, i) => a + (layers[i]?.memoryBytes ?? 0), 0));
      over = g.stageLayers.map((_, s) => g.memUtil.some((m, i) => g.stage[i] === s && m > 1));
    } else {
      memLabels = labels;
      memData = layers.map((l) => l.memoryBytes);
      const rects = this.target.grid?.kind === 'wafer' ? this.target.grid.rects : [];
      over = layers.map((_, i) =>
        rects.some((r) => i >= r.layer && i < r.layer + Math.max(1, r.layerCount ?? 1) && r.memUtil > 1),
      );
    }
    const memColor = (): string | string[] => {
      const base = this.isGpu ? css(theme.charts.green) : highlight(theme.charts.green);
      if (!over.some(Boolean)) return base;
      return over.map((o, i) => (o ? css(theme.error) : typeof base === 'string' ? base : base[i]));
    };
    const memChart = new Chart(memCanvas, {
      type: 'bar',
      data: {
        labels: memLabels,
        datasets: [{ label: 'memory (red: over capacity)', data: memData, backgroundColor: memColor() }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        onClick: this.isGpu ? undefined : onClick,
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 60, sampleSize } },
          y: { title: { display: true, text: 'bytes' }, ticks: { callback: (v) => fmtBytes(Number(v)) } },
        },
        plugins: { tooltip: tooltip('mem'), legend: { position: 'bottom' } },
      },
    } as ChartConfiguration<'bar'>);
    this.charts.push(memChart);
    this.recolour.push(() => {
      memChart.data.datasets[0].backgroundColor = memColor();
    });
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

export function placementText(p: object): string {
  const e = Object.entries(p ?? {});
  return e.length ? e.map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ') : '—';
}
