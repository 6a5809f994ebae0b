// GPU-cluster heatmap: one cell per GPU (GpuGrid: nodes x GPUs per node), each node a row strip;
// strips wrap into columns when the cluster is tall. Placement colours the pipeline stage, memory fit
// the memory use per GPU (over capacity in the error colour), step time the busy fraction.
// Keyboard (canvas focused): arrows move a GPU cursor, Enter selects the stage's heaviest layer, Escape clears.
import type { GpuGrid, GpuTargetResult } from '../../src/engine/hardware/types';
import type { Report } from '../../src/engine/profile';
import type { HeatmapMode } from '../../src/shared/protocol';
import { fmtBytes, fmtPercent, fmtSeconds } from '../../src/report/units';
import { planSentence } from '../../src/report/plan';
import { placementText } from '../charts';
import { categorical, css, mix, ramp, type RGB } from '../theme';
import type { TooltipContent } from '../tooltip';
import { CanvasHeatmap } from './base';
import type { HeatmapHost } from './types';

interface Layout {
  cell: number;
  gap: number;
  /** node strips per layout row */
  perRow: number;
  width: number;
  height: number;
}

export class GpuHeatmap extends CanvasHeatmap {
  private layout: Layout | undefined;
  private cursor: number | undefined;

  constructor(
    private readonly target: GpuTargetResult,
    private readonly grid: GpuGrid,
    private readonly report: Report,
    private readonly host: HeatmapHost,
  ) {
    super(grid.nodes * grid.gpusPerNode, {
      kind: 'gpu',
      canvasClass: 'heatmap-canvas gpu',
      label: `${target.name || target.id}: GPU heatmap, ${grid.nodes} nodes of ${grid.gpusPerNode} GPUs. Arrow keys move between GPUs, Enter selects the stage's main layer.`,
    });
    this.attach();
  }

  private computeLayout(maxWidth: number): Layout {
    const g = this.grid;
    const gap = 6;
    for (let cell = 36; cell >= 3; cell--) {
      const strip = g.gpusPerNode * cell;
      const perRow = Math.max(1, Math.floor((maxWidth + gap) / (strip + gap)));
      const rows = Math.ceil(g.nodes / perRow);
      const height = rows * (cell + gap) - gap;
      if (height <= 420 || cell === 3)
        return {
          cell,
          gap,
          perRow,
          width: Math.min(maxWidth, perRow * (strip + gap) - gap),
          height: Math.max(cell, height),
        };
    }
    return { cell: 3, gap, perRow: 1, width: maxWidth, height: 3 };
  }

  private cellRect(i: number, L: Layout): [number, number, number, number] {
    const node = Math.floor(i / this.grid.gpusPerNode),
      gpu = i % this.grid.gpusPerNode;
    const col = node % L.perRow,
      row = Math.floor(node / L.perRow);
    const x = col * (this.grid.gpusPerNode * L.cell + L.gap) + gpu * L.cell;
    const y = row * (L.cell + L.gap);
    return [x, y, L.cell, L.cell];
  }

  private stageOf(layerName: string | null): number {
    if (layerName === null) return -1;
    const li = this.target.layers.findIndex((l) => l.name === layerName);
    return li < 0 ? -1 : this.grid.stageLayers.findIndex((s) => s.includes(li));
  }

  private color(i: number, mode: HeatmapMode, selStage: number): RGB {
    const theme = this.host.theme();
    let c: RGB;
    const mem = this.grid.memUtil[i] ?? 0;
    const stage = this.grid.stage[i] ?? 0;
    // an idle GPU (stage -1: the plan leaves it unused) is drawn as the wafer's unused cores are, not as a stage
    if (stage < 0) c = mix(theme.bg, theme.fg, 0.07);
    else if (mode === 'placement') c = categorical(stage, theme);
    else if (mode === 'memory') c = mem > 1 ? theme.error : ramp(mem, theme);
    else c = ramp(this.grid.busy[i] ?? 0, theme);
    if (selStage >= 0 && this.grid.stage[i] !== selStage) c = mix(c, theme.bg, 0.65);
    return c;
  }

  private paint(canvas: HTMLCanvasElement, L: Layout, dpr: number, mode: HeatmapMode, cursor: boolean): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const theme = this.host.theme();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = css(theme.bg);
    ctx.fillRect(0, 0, canvas.width / dpr, canvas.height / dpr);
    const selStage = this.stageOf(this.host.selected());
    const inset = L.cell >= 8 ? 1 : 0;
    for (let i = 0; i < this.cells; i++) {
      const [x, y, w, hh] = this.cellRect(i, L);
      ctx.fillStyle = css(this.color(i, mode, selStage));
      ctx.fillRect(x + inset, y + inset, w - 2 * inset, hh - 2 * inset);
      if (selStage >= 0 && this.grid.stage[i] === selStage) {
        ctx.strokeStyle = css(theme.accent);
        ctx.lineWidth = 2;
        ctx.strokeRect(x + 1, y + 1, w - 2, hh - 2);
      }
    }
    if (cursor && this.cursor !== undefined) {
      const [x, y, w, hh] = this.cellRect(this.cursor, L);
      ctx.strokeStyle = css(theme.fg);
      ctx.lineWidth = 2;
      ctx.strokeRect(x, y, w, hh);
    }
  }

  override render(): void {
    if (!this.element.isConnected) return;
    const L = this.computeLayout(Math.max(120, this.element.clientWidth || 480));
    this.layout = L;
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(L.width * dpr);
    this.canvas.height = Math.round(L.height * dpr);
    this.canvas.style.width = `${L.width}px`;
    this.canvas.style.height = `${L.height}px`;
    this.paint(this.canvas, L, dpr, this.mode, true);
    const over = this.grid.memUtil.filter((m) => m > 1).length;
    this.status.textContent = `${this.grid.nodes} node(s) × ${this.grid.gpusPerNode} GPUs, ${this.grid.stageLayers.length} pipeline stage(s)${over ? `; ${over} GPU(s) over memory capacity` : ''}`;
  }

  override snapshot(mode: HeatmapMode, width: number): HTMLCanvasElement {
    const L = this.computeLayout(width);
    const c = document.createElement('canvas');
    c.width = L.width;
    c.height = L.height;
    this.paint(c, L, 1, mode, false);
    return c;
  }

  private gpuAt(clientX: number, clientY: number): number | undefined {
    if (!this.layout) return undefined;
    const r = this.canvas.getBoundingClientRect();
    const x = clientX - r.left,
      y = clientY - r.top;
    for (let i = 0; i < this.cells; i++) {
      const [cx, cy, w, hh] = this.cellRect(i, this.layout);
      if (x >= cx && x < cx + w && y >= cy && y < cy + hh) return i;
    }
    return undefined;
  }

  /** The layer of a stage that takes the most time (what Enter/click selects). */
  private mainLayer(stage: number): string | null {
    const ls = (this.grid.stageLayers[stage] ?? []).map((i) => this.target.layers[i]).filter(Boolean);
    if (!ls.length) return null;
    return ls.reduce((a, b) => (b.seconds > a.seconds ? b : a)).name;
  }

  /**
   * A GPU's tooltip: the layer it is shown for (the selected layer when its stage runs it, else the stage's
   * heaviest) with ops, time, bound, memory and placement, then the GPU's stage, memory use and busy share.
   */
  private describe(i: number): TooltipContent {
    const node = Math.floor(i / this.grid.gpusPerNode),
      gpu = i % this.grid.gpusPerNode;
    const stage = this.grid.stage[i];
    const layers = (this.grid.stageLayers[stage] ?? []).map((k) => this.target.layers[k]).filter(Boolean);
    const secs = layers.reduce((a, l) => a + l.seconds, 0);
    const sel = this.host.selected();
    const main =
      layers.find((l) => l.name === sel) ??
      (layers.length ? layers.reduce((a, b) => (b.seconds > a.seconds ? b : a)) : undefined);
    const rows: [string, string][] = [['GPU', `node ${node} / GPU ${gpu}`]];
    if (main) {
      const base = this.report.layers.find((r) => r.name === main.name);
      rows.push(
        ['layer', `${main.name}${main.name === sel ? ' (selected)' : ' (heaviest in this stage)'}`],
        ['ops', base ? base.opTypes.join(' + ') : '—'],
        ['time', `${fmtSeconds(main.seconds)} (${main.bound}-bound)`],
        ['memory', fmtBytes(main.memoryBytes)],
        ['placement', placementText(main.placement)],
      );
    }
    const cap = this.target.memory.capacityBytes;
    const used = (this.grid.memUtil[i] ?? 0) * cap;
    rows.push(
      stage >= 0 && stage < this.grid.stageLayers.length
        ? ['stage', `${stage + 1} of ${this.grid.stageLayers.length}: ${layers.length} layer(s), ${fmtSeconds(secs)}`]
        : ['stage', 'idle: this plan does not use this GPU'],
      ['GPU memory', `${fmtBytes(used)} of ${fmtBytes(cap)} (${fmtPercent(this.grid.memUtil[i] ?? 0)})`],
      ['busy', `${fmtPercent(this.grid.busy[i] ?? 0)} of the step`],
    );
    rows.push(['plan', planSentence(this.target)]);
    return {
      title: `node ${node} / GPU ${gpu}`,
      rows,
      flag: (this.grid.memUtil[i] ?? 0) > 1 ? 'over capacity: the stage does not fit in GPU memory' : undefined,
    };
  }

  private showCursor(): void {
    if (this.cursor === undefined || !this.layout) return;
    const r = this.canvas.getBoundingClientRect();
    const [x, y, w, hh] = this.cellRect(this.cursor, this.layout);
    this.host.hover(this.describe(this.cursor), r.left + x + w / 2, r.top + y + hh / 2);
  }

  private attach(): void {
    const c = this.canvas;
    c.addEventListener('mousemove', (e) => {
      const i = this.gpuAt(e.clientX, e.clientY);
      this.host.hover(i === undefined ? null : this.describe(i), e.clientX, e.clientY);
    });
    c.addEventListener('mouseleave', () => this.host.hover(null, 0, 0));
    c.addEventListener('click', (e) => {
      const i = this.gpuAt(e.clientX, e.clientY);
      this.host.select(i === undefined ? null : this.mainLayer(this.grid.stage[i]));
    });
    c.addEventListener('focus', () => {
      this.cursor ??= 0;
      this.render();
      this.showCursor();
    });
    c.addEventListener('blur', () => this.host.hover(null, 0, 0));
    c.addEventListener('keydown', (e) => {
      const g = this.grid;
      let cur = this.cursor ?? 0;
      let handled = true;
      switch (e.key) {
        case 'ArrowLeft':
          cur = Math.max(0, cur - 1);
          break;
        case 'ArrowRight':
          cur = Math.min(this.cells - 1, cur + 1);
          break;
        case 'ArrowUp':
          cur = Math.max(0, cur - g.gpusPerNode);
          break;
        case 'ArrowDown':
          cur = Math.min(this.cells - 1, cur + g.gpusPerNode);
          break;
        case 'Enter':
        case ' ':
          this.host.select(this.mainLayer(g.stage[cur]));
          break;
        case 'Escape':
          this.host.select(null);
          break;
        default:
          handled = false;
      }
      if (!handled) return;
      e.preventDefault();
      this.cursor = cur;
      this.render();
      this.showCursor();
    });
  }
}
