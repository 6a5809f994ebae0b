// Single-device "heatmap": one CPU socket or one GPU runs the layers one after another, so there is no grid to
// place them on. A strip, one segment per layer in execution order, its width the layer's share of the step.
// Placement colours the segments by bound, memory fit fills the strip to the device's memory use, step time
// shades each segment by its share. Keyboard (canvas focused): arrows move between layers, Enter selects.
import type { DeviceGrid, DeviceTargetResult } from '../../src/engine/hardware/types';
import type { Report } from '../../src/engine/profile';
import type { HeatmapMode } from '../../src/shared/protocol';
import { fmtBytes, fmtPercent, fmtSeconds } from '../../src/report/units';
import { placeOf } from '../../src/report/plan';
import { css, mix, ramp, type RGB, type Theme } from '../theme';
import type { TooltipContent } from '../tooltip';
import { CanvasHeatmap } from './base';
import type { HeatmapHost } from './types';

const HEIGHT = 36;

function boundColor(bound: string, theme: Theme): RGB {
  const c = theme.charts;
  return bound === 'compute' ? c.blue : bound === 'memory' ? c.orange : bound === 'latency' ? c.purple : c.green;
}

export class DeviceHeatmap extends CanvasHeatmap {
  private width = 0;
  private cursor: number | undefined;
  /** left edge of each layer's segment, fractions of the width (n + 1 entries) */
  private readonly edges: number[];

  constructor(
    private readonly target: DeviceTargetResult,
    private readonly grid: DeviceGrid,
    private readonly report: Report,
    private readonly host: HeatmapHost,
  ) {
    super(1, {
      kind: 'device',
      canvasClass: 'heatmap-canvas device',
      label: `${target.name || target.id}: ${placeOf(target)}, ${grid.share.length} layers one after another, each as wide as its share of the step. Arrow keys move between layers, Enter selects.`,
    });
    const n = grid.share.length;
    // every layer gets at least a sliver so a click can reach it; the rest by its share of the step
    const min = n > 0 ? Math.min(0.002, 0.5 / n) : 0;
    const total = grid.share.reduce((a, s) => a + Math.max(min, s), 0) || 1;
    this.edges = [0];
    for (const s of grid.share) this.edges.push(this.edges[this.edges.length - 1]! + Math.max(min, s) / total);
    this.attach();
  }

  private paint(canvas: HTMLCanvasElement, width: number, dpr: number, mode: HeatmapMode, cursor: boolean): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const theme = this.host.theme();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = css(theme.bg);
    ctx.fillRect(0, 0, width, HEIGHT);
    if (mode === 'memory') {
      const u = this.grid.memUtil;
      ctx.fillStyle = css(mix(theme.fg, theme.bg, 0.85));
      ctx.fillRect(0, 0, width, HEIGHT);
      ctx.fillStyle = css(u > 1 ? theme.error : ramp(Math.min(1, u), theme));
      ctx.fillRect(0, 0, Math.max(1, Math.min(1, u) * width), HEIGHT);
      return;
    }
    const sel = this.host.selected();
    const maxShare = Math.max(...this.grid.share, 1e-12);
    this.target.layers.forEach((l, i) => {
      const x0 = this.edges[i]! * width,
        x1 = this.edges[i + 1]! * width;
      let c = mode === 'placement' ? boundColor(l.bound, theme) : ramp((this.grid.share[i] ?? 0) / maxShare, theme);
      if (sel !== null && l.name !== sel) c = mix(c, theme.bg, 0.65);
      ctx.fillStyle = css(c);
      ctx.fillRect(x0, 0, Math.max(1, x1 - x0), HEIGHT);
      if (sel !== null && l.name === sel) {
        ctx.strokeStyle = css(theme.accent);
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 + 1, 1, Math.max(1, x1 - x0 - 2), HEIGHT - 2);
      }
    });
    if (cursor && this.cursor !== undefined) {
      const x0 = this.edges[this.cursor]! * width,
        x1 = this.edges[this.cursor + 1]! * width;
      ctx.strokeStyle = css(theme.fg);
      ctx.lineWidth = 2;
      ctx.strokeRect(x0, 0, Math.max(2, x1 - x0), HEIGHT);
    }
  }

  override render(): void {
    if (!this.element.isConnected) return;
    const width = Math.max(120, this.element.clientWidth || 480);
    this.width = width;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * dpr);
    this.canvas.height = Math.round(HEIGHT * dpr);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${HEIGHT}px`;
    this.paint(this.canvas, width, dpr, this.mode, true);
    const t = this.target;
    this.status.textContent =
      this.mode === 'memory'
        ? `${fmtBytes(t.memory.usedBytes)} of ${fmtBytes(t.memory.capacityBytes)} (${fmtPercent(this.grid.memUtil)})`
        : `${placeOf(t)}: ${t.layers.length} layers one after another, ${fmtSeconds(t.stepSeconds)} per step` +
          (this.mode === 'placement' ? ' (colour: bound — compute, memory, latency)' : ' (shade: share of the step)');
  }

  override snapshot(mode: HeatmapMode, width: number): HTMLCanvasElement {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = HEIGHT;
    this.paint(c, width, 1, mode, false);
    return c;
  }

  private layerAt(clientX: number): number | undefined {
    if (!this.width) return undefined;
    const r = this.canvas.getBoundingClientRect();
    const f = (clientX - r.left) / this.width;
    if (f < 0 || f > 1) return undefined;
    const i = this.edges.findIndex((e, k) => k > 0 && f < e) - 1;
    return i >= 0 ? i : this.target.layers.length - 1;
  }

  private describe(i: number): TooltipContent {
    const l = this.target.layers[i]!;
    const base = this.report.layers.find((r) => r.name === l.name);
    const d = l.detail ?? {};
    const num = (k: string) => (typeof d[k] === 'number' ? (d[k] as number) : 0);
    return {
      title: l.name,
      rows: [
        ['ops', base ? base.opTypes.join(' + ') : '—'],
        ['time', `${fmtSeconds(l.seconds)} (${l.bound}-bound), ${fmtPercent(this.grid.share[i] ?? 0)} of the step`],
        [
          'roofline',
          `compute ${fmtSeconds(num('computeSeconds'))}, memory ${fmtSeconds(num('memorySeconds'))}, dispatch ${fmtSeconds(num('dispatchSeconds'))} (${l.placement.kernels} kernel(s))`,
        ],
        ['weights', fmtBytes(l.memoryBytes)],
        ['device', placeOf(this.target)],
      ],
    };
  }

  private showCursor(): void {
    if (this.cursor === undefined) return;
    const r = this.canvas.getBoundingClientRect();
    const x = ((this.edges[this.cursor]! + this.edges[this.cursor + 1]!) / 2) * this.width;
    this.host.hover(this.describe(this.cursor), r.left + x, r.top + HEIGHT / 2);
  }

  private attach(): void {
    const c = this.canvas;
    c.addEventListener('mousemove', (e) => {
      const i = this.mode === 'memory' ? undefined : this.layerAt(e.clientX);
      this.host.hover(i === undefined ? null : this.describe(i), e.clientX, e.clientY);
    });
    c.addEventListener('mouseleave', () => this.host.hover(null, 0, 0));
    c.addEventListener('click', (e) => {
      const i = this.layerAt(e.clientX);
      this.host.select(i === undefined ? null : (this.target.layers[i]?.name ?? null));
    });
    c.addEventListener('focus', () => {
      this.cursor ??= 0;
      this.render();
      this.showCursor();
    });
    c.addEventListener('blur', () => this.host.hover(null, 0, 0));
    c.addEventListener('keydown', (e) => {
      const n = this.target.layers.length;
      let cur = this.cursor ?? 0;
      let handled = true;
      if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') cur = Math.max(0, cur - 1);
      else if (e.key === 'ArrowRight' || e.key === 'ArrowDown') cur = Math.min(n - 1, cur + 1);
      else if (e.key === 'Enter' || e.key === ' ') this.host.select(this.target.layers[cur]?.name ?? null);
      else if (e.key === 'Escape') this.host.select(null);
      else handled = false;
      if (!handled || n === 0) return;
      e.preventDefault();
      this.cursor = cur;
      this.render();
      this.showCursor();
    });
  }
}
