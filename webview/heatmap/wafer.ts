// Wafer heatmap: every core of the wafer (745,500 on WSE-2) drawn from the compact per-rectangle grid
// (WaferGrid: one rect per placed kernel). A per-core owner map (Int32Array, rect index or -1) is built
// once; each frame samples it per device pixel, so zooming in shows single cores with grid lines.
// Mouse: wheel zooms at the pointer, drag pans, hover shows the core's layer, click selects it.
// Keyboard (canvas focused): arrows move a core cursor (Shift: 10 cores), +/- zoom, 0 fits, P zooms to the placed regions,
// Enter selects the cursor's layer, Escape clears the selection.
import type { TargetLayer, TargetResult, WaferGrid } from '../../src/engine/hardware/types';
import type { Report } from '../../src/engine/profile';
import type { HeatmapMode } from '../../src/shared/protocol';
import { fmtBytes, fmtDetail, fmtSeconds } from '../../src/report/units';
import { h } from '../dom';
import { categorical, css, mix, ramp, type RGB, type Theme } from '../theme';
import type { TooltipContent } from '../tooltip';
import type { Heatmap, HeatmapHost } from './types';

interface View {
  /** CSS pixels per core */
  scale: number;
  /** core coordinates at the canvas's top-left */
  ox: number;
  oy: number;
}

const MAX_SCALE = 48;
const GRID_LINES_FROM = 6;

function pack(c: RGB): number {
  // ImageData is RGBA in memory; a Uint32Array view on little-endian hardware reads it as ABGR
  return (255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0];
}

type Rect = WaferGrid['rects'][number];

/** A region may host several consecutive layers (decode blocks, weight streaming): layer .. layer + layerCount - 1. */
function hosts(r: Rect, layer: number): boolean {
  return layer >= r.layer && layer < r.layer + Math.max(1, r.layerCount ?? 1);
}

export class WaferHeatmap implements Heatmap {
  readonly element: HTMLElement;
  readonly cells: number;
  private readonly canvas: HTMLCanvasElement;
  private readonly systems: number;
  private readonly owner: Int32Array[];
  private mode: HeatmapMode = 'placement';
  private system = 0;
  private view: View | undefined;
  private cursor: { x: number; y: number } | undefined;
  private drag: { x: number; y: number; ox: number; oy: number; moved: boolean } | undefined;
  private readonly status: HTMLElement;
  private readonly resize: ResizeObserver;

  constructor(private readonly target: TargetResult, private readonly grid: WaferGrid, private readonly report: Report, private readonly host: HeatmapHost) {
    this.systems = Math.max(1, target.systems ?? 1, ...grid.rects.map((r) => r.system + 1));
    this.owner = [];
    for (let s = 0; s < this.systems; s++) this.owner.push(new Int32Array(grid.width * grid.height).fill(-1));
    grid.rects.forEach((r, i) => {
      const o = this.owner[r.system] ?? this.owner[0];
      const x0 = Math.max(0, Math.floor(r.x)), y0 = Math.max(0, Math.floor(r.y));
      const x1 = Math.min(grid.width, Math.floor(r.x + r.w)), y1 = Math.min(grid.height, Math.floor(r.y + r.h));
      for (let y = y0; y < y1; y++) o.fill(i, y * grid.width + x0, y * grid.width + x1);
    });
    this.cells = grid.width * grid.height * this.systems;
    this.canvas = h('canvas', {
      class: 'heatmap-canvas wafer',
      tabIndex: 0,
      attrs: {
        role: 'img',
        'aria-label': `${target.name || target.id}: wafer heatmap, ${grid.width} by ${grid.height} cores. Arrow keys move a core cursor, plus and minus zoom, 0 fits the wafer, P the placed regions, Enter selects the layer.`,
        'data-cells': this.cells,
      },
    });
    this.status = h('div', { class: 'heatmap-status', attrs: { 'aria-live': 'polite' } });
    const controls = h('div', { class: 'heatmap-tools' });
    if (this.systems > 1) {
      const sel = h('select', { attrs: { 'aria-label': 'wafer system shown' }, on: { change: () => { this.system = Number(sel.value); this.render(); } } });
      for (let s = 0; s < this.systems; s++) sel.append(h('option', { attrs: { value: s } }, `system ${s + 1} of ${this.systems}`));
      controls.append(sel);
    }
    controls.append(
      h('button', { class: 'icon-button', title: 'Zoom in (+)', on: { click: () => this.zoomBy(2) } }, '+'),
      h('button', { class: 'icon-button', title: 'Zoom out (-)', on: { click: () => this.zoomBy(0.5) } }, '−'),
      h('button', { class: 'icon-button', title: 'Fit the wafer (0)', on: { click: () => { this.view = undefined; this.render(); } } }, 'Fit'),
      h('button', { class: 'icon-button', title: 'Zoom to the placed regions (P)', on: { click: () => this.zoomToPlaced() } }, 'Placed'),
    );
    this.element = h('div', { class: 'heatmap wafer-heatmap' }, controls, this.canvas, this.status);
    this.attach();
    this.resize = new ResizeObserver(() => this.render());
    this.resize.observe(this.element);
  }

  setMode(m: HeatmapMode): void {
    this.mode = m;
    this.render();
  }

  private cssSize(): { w: number; h: number } {
    const w = Math.max(120, Math.floor(this.element.clientWidth || 480));
    const aspect = this.grid.height / Math.max(1, this.grid.width);
    return { w, h: Math.max(120, Math.min(Math.round(w * aspect), Math.round(window.innerHeight * 0.7))) };
  }

  private fit(w: number, hgt: number): View {
    const scale = Math.min(w / this.grid.width, hgt / this.grid.height);
    return { scale, ox: -(w / scale - this.grid.width) / 2, oy: -(hgt / scale - this.grid.height) / 2 };
  }

  private rectColors(mode: HeatmapMode, theme: Theme, selected: string | null): Uint32Array {
    const out = new Uint32Array(this.grid.rects.length + 1);
    const layers = this.target.layers;
    const sel = selected === null ? -1 : layers.findIndex((l) => l.name === selected);
    this.grid.rects.forEach((r, i) => {
      let c: RGB;
      if (mode === 'placement') c = categorical(r.layer, theme);
      else if (mode === 'memory') c = r.memUtil > 1 ? theme.error : ramp(r.memUtil, theme);
      else c = ramp(r.busy, theme);
      if (sel >= 0 && !hosts(r, sel)) c = mix(c, theme.bg, 0.65);
      out[i] = pack(c);
    });
    out[this.grid.rects.length] = pack(mix(theme.bg, theme.fg, 0.07)); // unused core
    return out;
  }

  /** Draws `view` of one system into `canvas` (device pixels). */
  private paint(canvas: HTMLCanvasElement, view: View, dpr: number, mode: HeatmapMode, cursor: boolean): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const theme = this.host.theme();
    const selected = this.host.selected();
    const W = canvas.width, H = canvas.height;
    const colors = this.rectColors(mode, theme, selected);
    const empty = colors.length - 1;
    const outside = pack(theme.bg);
    const img = ctx.createImageData(W, H);
    const px = new Uint32Array(img.data.buffer);
    const owner = this.owner[this.system] ?? this.owner[0];
    const gw = this.grid.width, gh = this.grid.height;
    const s = view.scale * dpr;
    // Each device pixel covers the cores [floor(ox + x/s), floor(ox + (x+1)/s)) per axis. When a pixel covers
    // several cores (zoomed out), a placed core wins over an unused one, and a core of the selected layer
    // over any other, so no region vanishes from the fitted view however small it is.
    const sel = selected === null ? -1 : this.target.layers.findIndex((l) => l.name === selected);
    const hot = new Uint8Array(this.grid.rects.length);
    if (sel >= 0) this.grid.rects.forEach((r, i) => { hot[i] = hosts(r, sel) ? 1 : 0; });
    const span = (o: number, i: number, lim: number): [number, number] => {
      const a = Math.floor(o + i / s), b = Math.max(a + 1, Math.floor(o + (i + 1) / s));
      return [Math.max(0, a), Math.min(lim, b)];
    };
    const cols: [number, number][] = [];
    for (let x = 0; x < W; x++) cols.push(span(view.ox, x, gw));
    for (let y = 0; y < H; y++) {
      const [y0, y1] = span(view.oy, y, gh);
      const row = y * W;
      if (y0 >= y1) { px.fill(outside, row, row + W); continue; }
      for (let x = 0; x < W; x++) {
        const [x0, x1] = cols[x];
        if (x0 >= x1) { px[row + x] = outside; continue; }
        let best = -1;
        for (let cy = y0; cy < y1 && !(best >= 0 && (sel < 0 || hot[best])); cy++) {
          const base = cy * gw;
          for (let cx = x0; cx < x1; cx++) {
            const o = owner[base + cx];
            if (o >= 0 && (best < 0 || (hot[o] && !hot[best]))) best = o;
          }
        }
        px[row + x] = colors[best < 0 ? empty : best];
      }
    }
    ctx.putImageData(img, 0, 0);
    const toX = (cx: number) => (cx - view.ox) * s;
    const toY = (cy: number) => (cy - view.oy) * s;
    if (view.scale >= GRID_LINES_FROM) {
      ctx.strokeStyle = css(theme.bg, 0.45);
      ctx.lineWidth = 1;
      ctx.beginPath();
      const x0 = Math.max(0, Math.floor(view.ox)), x1 = Math.min(gw, Math.ceil(view.ox + W / s));
      const y0 = Math.max(0, Math.floor(view.oy)), y1 = Math.min(gh, Math.ceil(view.oy + H / s));
      for (let x = x0; x <= x1; x++) { ctx.moveTo(Math.round(toX(x)) + 0.5, toY(y0)); ctx.lineTo(Math.round(toX(x)) + 0.5, toY(y1)); }
      for (let y = y0; y <= y1; y++) { ctx.moveTo(toX(x0), Math.round(toY(y)) + 0.5); ctx.lineTo(toX(x1), Math.round(toY(y)) + 0.5); }
      ctx.stroke();
    }
    if (selected !== null) {
      const li = this.target.layers.findIndex((l) => l.name === selected);
      ctx.strokeStyle = css(theme.accent);
      ctx.lineWidth = Math.max(2, dpr * 2);
      for (const r of this.grid.rects) {
        if (li < 0 || !hosts(r, li) || r.system !== this.system) continue;
        ctx.strokeRect(toX(r.x), toY(r.y), Math.max(2, r.w * s), Math.max(2, r.h * s));
      }
    }
    if (cursor && this.cursor) {
      ctx.strokeStyle = css(theme.fg);
      ctx.lineWidth = Math.max(1, dpr);
      const c = Math.max(4, s);
      ctx.strokeRect(toX(this.cursor.x) - (c - s) / 2, toY(this.cursor.y) - (c - s) / 2, c, c);
    }
  }

  render(): void {
    if (!this.element.isConnected) return;
    const { w, h: hgt } = this.cssSize();
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(hgt * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(hgt * dpr);
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${hgt}px`;
    }
    const fitted = this.fit(w, hgt);
    if (!this.view || this.view.scale < fitted.scale) this.view = fitted;
    this.paint(this.canvas, this.view, dpr, this.mode, true);
    // the view transform, for UI tests that aim the mouse at a given core
    this.canvas.dataset.view = `${this.view.scale},${this.view.ox},${this.view.oy},${this.system}`;
    const over = this.grid.rects.filter((r) => r.system === this.system && r.memUtil > 1).length;
    const used = this.grid.rects.filter((r) => r.system === this.system).reduce((a, r) => a + r.w * r.h, 0);
    this.status.textContent = `${this.grid.width}×${this.grid.height} cores (${(this.grid.width * this.grid.height).toLocaleString('en-US')}), ` +
      `${used.toLocaleString('en-US')} placed in ${this.grid.rects.filter((r) => r.system === this.system).length} regions` +
      `${over ? `; ${over} region(s) over capacity` : ''}; ${this.view.scale >= 1 ? `${this.view.scale.toFixed(1)} px per core` : `${(1 / this.view.scale).toFixed(1)} cores per px`}`;
  }

  snapshot(mode: HeatmapMode, width: number): HTMLCanvasElement {
    const c = document.createElement('canvas');
    const scale = width / this.grid.width;
    c.width = Math.round(width);
    c.height = Math.max(1, Math.round(this.grid.height * scale));
    this.paint(c, { scale, ox: 0, oy: 0 }, 1, mode, false);
    return c;
  }

  private coreAt(clientX: number, clientY: number): { x: number; y: number } | undefined {
    if (!this.view) return undefined;
    const r = this.canvas.getBoundingClientRect();
    const x = Math.floor(this.view.ox + (clientX - r.left) / this.view.scale);
    const y = Math.floor(this.view.oy + (clientY - r.top) / this.view.scale);
    return x >= 0 && y >= 0 && x < this.grid.width && y < this.grid.height ? { x, y } : undefined;
  }

  /** The region under a core and its layer: the selected one when the region hosts it, else the region's first. */
  private layerAt(core: { x: number; y: number }): { rect: Rect; layer: TargetLayer; hosted: TargetLayer[] } | undefined {
    const i = (this.owner[this.system] ?? this.owner[0])[core.y * this.grid.width + core.x];
    if (i < 0) return undefined;
    const rect = this.grid.rects[i];
    const hosted = this.target.layers.slice(rect.layer, rect.layer + Math.max(1, rect.layerCount ?? 1));
    const sel = this.host.selected();
    const layer = hosted.find((l) => l.name === sel) ?? hosted[0];
    return layer ? { rect, layer, hosted } : undefined;
  }

  private describe(core: { x: number; y: number }): TooltipContent {
    const hit = this.layerAt(core);
    const where = `core (${core.x}, ${core.y})${this.systems > 1 ? `, system ${this.system + 1}` : ''}`;
    if (!hit) return { title: where, rows: [['placement', 'no kernel on this core']] };
    const { rect, layer, hosted } = hit;
    const base = this.report.layers.find((l) => l.name === layer.name);
    const rows: [string, string][] = [
      ['core', where],
      ['ops', base ? base.opTypes.join(' + ') : '—'],
      ['time', `${fmtSeconds(layer.seconds)} (${layer.bound}-bound)`],
      ['memory', `${fmtBytes(layer.memoryBytes)}, ${(rect.memUtil * 100).toFixed(0)}% of the region's SRAM`],
      ['busy', `${(rect.busy * 100).toFixed(0)}% of the step`],
      ['placement', `${rect.w}×${rect.h} cores at (${rect.x}, ${rect.y})${this.systems > 1 ? ` on system ${rect.system + 1}` : ''}`],
    ];
    if (hosted.length > 1) rows.push(['region', `shared by ${hosted.length} layers: ${hosted.slice(0, 3).map((l) => l.name).join(', ')}${hosted.length > 3 ? ', …' : ''}`]);
    for (const [k, v] of Object.entries(layer.detail ?? {}).slice(0, 8)) rows.push(fmtDetail(k, v));
    return { title: layer.name, rows, flag: rect.memUtil > 1 ? 'over capacity: does not fit in its cores\' SRAM' : undefined };
  }

  private zoomBy(f: number, anchor?: { x: number; y: number }): void {
    if (!this.view) return;
    const { w, h: hgt } = this.cssSize();
    const fitted = this.fit(w, hgt);
    const scale = Math.max(fitted.scale, Math.min(MAX_SCALE, this.view.scale * f));
    const ax = anchor?.x ?? w / 2, ay = anchor?.y ?? hgt / 2;
    const cx = this.view.ox + ax / this.view.scale, cy = this.view.oy + ay / this.view.scale;
    this.view = scale === fitted.scale ? fitted : { scale, ox: cx - ax / scale, oy: cy - ay / scale };
    this.render();
  }

  /** Fits the bounding box of this system's placed regions (small models use a corner of the wafer). */
  private zoomToPlaced(): void {
    const rs = this.grid.rects.filter((r) => r.system === this.system);
    if (!rs.length) return;
    const x0 = Math.min(...rs.map((r) => r.x)), y0 = Math.min(...rs.map((r) => r.y));
    const x1 = Math.max(...rs.map((r) => r.x + r.w)), y1 = Math.max(...rs.map((r) => r.y + r.h));
    const { w, h: hgt } = this.cssSize();
    const fitted = this.fit(w, hgt);
    const bw = Math.max(8, x1 - x0), bh = Math.max(8, y1 - y0);
    const scale = Math.max(fitted.scale, Math.min(MAX_SCALE, Math.min(w / bw, hgt / bh)));
    this.view = { scale, ox: x0 - (w / scale - (x1 - x0)) / 2, oy: y0 - (hgt / scale - (y1 - y0)) / 2 };
    this.render();
  }

  private showCursor(): void {
    if (!this.cursor || !this.view) return;
    const r = this.canvas.getBoundingClientRect();
    const x = r.left + (this.cursor.x + 0.5 - this.view.ox) * this.view.scale;
    const y = r.top + (this.cursor.y + 0.5 - this.view.oy) * this.view.scale;
    this.host.hover(this.describe(this.cursor), x, y);
  }

  private keepCursorVisible(): void {
    if (!this.cursor || !this.view) return;
    const { w, h: hgt } = this.cssSize();
    const vw = w / this.view.scale, vh = hgt / this.view.scale;
    if (this.cursor.x < this.view.ox) this.view.ox = this.cursor.x;
    if (this.cursor.x + 1 > this.view.ox + vw) this.view.ox = this.cursor.x + 1 - vw;
    if (this.cursor.y < this.view.oy) this.view.oy = this.cursor.y;
    if (this.cursor.y + 1 > this.view.oy + vh) this.view.oy = this.cursor.y + 1 - vh;
  }

  private attach(): void {
    const c = this.canvas;
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = c.getBoundingClientRect();
      this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8, { x: e.clientX - r.left, y: e.clientY - r.top });
    }, { passive: false });
    c.addEventListener('mousedown', (e) => {
      if (!this.view) return;
      this.drag = { x: e.clientX, y: e.clientY, ox: this.view.ox, oy: this.view.oy, moved: false };
    });
    window.addEventListener('mouseup', this.onUp);
    c.addEventListener('mousemove', (e) => {
      if (this.drag && this.view && (e.buttons & 1)) {
        const dx = e.clientX - this.drag.x, dy = e.clientY - this.drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) this.drag.moved = true;
        this.view.ox = this.drag.ox - dx / this.view.scale;
        this.view.oy = this.drag.oy - dy / this.view.scale;
        this.render();
        return;
      }
      const core = this.coreAt(e.clientX, e.clientY);
      this.host.hover(core ? this.describe(core) : null, e.clientX, e.clientY);
    });
    c.addEventListener('mouseleave', () => this.host.hover(null, 0, 0));
    c.addEventListener('click', (e) => {
      if (this.dragged) { this.dragged = false; return; }
      const core = this.coreAt(e.clientX, e.clientY);
      const hit = core && this.layerAt(core);
      this.host.select(hit ? hit.layer.name : null);
    });
    c.addEventListener('focus', () => {
      this.cursor ??= { x: Math.floor(this.grid.width / 2), y: Math.floor(this.grid.height / 2) };
      this.render();
      this.showCursor();
    });
    c.addEventListener('blur', () => this.host.hover(null, 0, 0));
    c.addEventListener('keydown', (e) => {
      const step = e.shiftKey ? 10 : 1;
      const cur = this.cursor ?? { x: 0, y: 0 };
      let handled = true;
      switch (e.key) {
        case 'ArrowLeft': cur.x = Math.max(0, cur.x - step); break;
        case 'ArrowRight': cur.x = Math.min(this.grid.width - 1, cur.x + step); break;
        case 'ArrowUp': cur.y = Math.max(0, cur.y - step); break;
        case 'ArrowDown': cur.y = Math.min(this.grid.height - 1, cur.y + step); break;
        case '+': case '=': this.zoomBy(2); break;
        case '-': case '_': this.zoomBy(0.5); break;
        case '0': this.view = undefined; break;
        case 'p': case 'P': this.zoomToPlaced(); break;
        case 'Enter': case ' ': { const hit = this.layerAt(cur); this.host.select(hit ? hit.layer.name : null); break; }
        case 'Escape': this.host.select(null); break;
        default: handled = false;
      }
      if (!handled) return;
      e.preventDefault();
      this.cursor = cur;
      this.keepCursorVisible();
      this.render();
      this.showCursor();
    });
  }

  private dragged = false;
  private readonly onUp = () => {
    this.dragged = !!this.drag?.moved;
    this.drag = undefined;
  };

  dispose(): void {
    this.resize.disconnect();
    window.removeEventListener('mouseup', this.onUp);
    this.element.remove();
  }
}
