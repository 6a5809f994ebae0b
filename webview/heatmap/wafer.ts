// Wafer heatmap: every core of the wafer (745,500 on WSE-2) drawn from the compact per-rectangle grid
// (WaferGrid: one rect per placed kernel). Each frame fills the wafer's unused colour, then one rectangle
// per region at the current zoom (device pixels), so its cost follows the regions, not the cores; zooming
// in shows single cores with grid lines. Hit tests look the core up in a coarse bucket index of the rects.
// The bordered stage spans the panel; in the fitted view the canvas inside it covers only the wafer's box
// (a portrait wafer leaves most of a wide stage empty), as fewer pixels to allocate, fill and composite.
// Mouse: wheel zooms at the pointer, drag pans, hover shows the core's layer, click selects it.
// Keyboard (canvas focused): arrows move a core cursor (Shift: 10 cores), +/- zoom, 0 fits, P zooms to the placed regions,
// Enter selects the cursor's layer, Escape clears the selection.
import type { TargetLayer, WaferGrid, WaferTargetResult } from '../../src/engine/hardware/types';
import type { Report } from '../../src/engine/profile';
import type { HeatmapMode } from '../../src/shared/protocol';
import { fmtBytes, fmtDetail, fmtSeconds } from '../../src/report/units';
import { groupDigits, h } from '../dom';
import { categorical, css, mix, ramp, type RGB, type Theme } from '../theme';
import type { TooltipContent } from '../tooltip';
import { CanvasHeatmap } from './base';
import type { HeatmapHost } from './types';

interface View {
  /** CSS pixels per core */
  scale: number;
  /** core coordinates at the canvas's top-left */
  ox: number;
  oy: number;
}

/** Placed regions covering less than this share of the wafer: the first view zooms to them. */
const AUTO_ZOOM_BELOW = 0.02;
const MAX_SCALE = 48;
const GRID_LINES_FROM = 6;
/** cores per side of a hit-test bucket */
const BUCKET = 32;

type Rect = WaferGrid['rects'][number];

/** A region may host several consecutive layers (decode blocks, weight streaming): layer .. layer + layerCount - 1. */
function hosts(r: Rect, layer: number): boolean {
  return layer >= r.layer && layer < r.layer + Math.max(1, r.layerCount ?? 1);
}

/** Systems the grid spans (a model too large for one wafer runs on several). */
function systemsOf(target: WaferTargetResult, grid: WaferGrid): number {
  return Math.max(1, target.systems ?? 1, ...grid.rects.map((r) => r.system + 1));
}

export class WaferHeatmap extends CanvasHeatmap {
  /** the bordered area the view maps to (CSS px from its content box); holds the canvas */
  private readonly stage: HTMLElement;
  private readonly systems: number;
  /** per system, lazily: the indices of the rects overlapping each BUCKET×BUCKET block of cores, ascending */
  private readonly buckets: (number[][] | undefined)[] = [];
  /** the CSS size last drawn, so a resize observation of an unchanged size does not redraw */
  private drawn = '';
  private system = 0;
  private view: View | undefined;
  private cursor: { x: number; y: number } | undefined;
  private drag: { x: number; y: number; ox: number; oy: number; moved: boolean } | undefined;

  constructor(
    private readonly target: WaferTargetResult,
    private readonly grid: WaferGrid,
    private readonly report: Report,
    private readonly host: HeatmapHost,
  ) {
    super(grid.width * grid.height * systemsOf(target, grid), {
      kind: 'wafer',
      canvasClass: 'wafer',
      label: `${target.name || target.id}: wafer heatmap, ${grid.width} by ${grid.height} cores. Arrow keys move a core cursor, plus and minus zoom, 0 fits the wafer, P the placed regions, Enter selects the layer.`,
      holder: (canvas) => {
        canvas.style.cssText = 'position: absolute; display: block; left: 0; top: 0';
        const stage = h('div', { class: 'heatmap-canvas wafer-stage' }, canvas);
        stage.style.position = 'relative';
        stage.style.boxSizing = 'content-box';
        return stage;
      },
    });
    this.stage = this.canvas.parentElement!;
    this.systems = systemsOf(target, grid);
    const controls = h('div', { class: 'heatmap-tools' });
    if (this.systems > 1) {
      const sel = h('select', {
        attrs: { 'aria-label': 'wafer system shown' },
        on: {
          change: () => {
            this.system = Number(sel.value);
            this.render();
          },
        },
      });
      for (let s = 0; s < this.systems; s++)
        sel.append(h('option', { attrs: { value: s } }, `system ${s + 1} of ${this.systems}`));
      controls.append(sel);
    }
    controls.append(
      h('button', { class: 'icon-button', title: 'Zoom in (+)', on: { click: () => this.zoomBy(2) } }, '+'),
      h('button', { class: 'icon-button', title: 'Zoom out (-)', on: { click: () => this.zoomBy(0.5) } }, '−'),
      h(
        'button',
        {
          class: 'icon-button',
          title: 'Fit the wafer (0)',
          on: {
            click: () => {
              this.view = undefined;
              this.render();
            },
          },
        },
        'Fit',
      ),
      h(
        'button',
        { class: 'icon-button', title: 'Zoom to the placed regions (P)', on: { click: () => this.zoomToPlaced() } },
        'Placed',
      ),
    );
    // the tools above the stage
    this.element.prepend(controls);
    this.attach();
  }

  protected override resized(): void {
    const { w, h: hgt } = this.cssSize();
    if (`${w}x${hgt}` !== this.drawn) this.render();
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

  /** a CSS colour per rect, then the unused cores' colour */
  private rectColors(mode: HeatmapMode, theme: Theme, selected: string | null): string[] {
    const out: string[] = new Array(this.grid.rects.length + 1);
    const layers = this.target.layers;
    const sel = selected === null ? -1 : layers.findIndex((l) => l.name === selected);
    this.grid.rects.forEach((r, i) => {
      let c: RGB;
      if (mode === 'placement') c = categorical(r.layer, theme);
      else if (mode === 'memory') c = r.memUtil > 1 ? theme.error : ramp(r.memUtil, theme);
      else c = ramp(r.busy, theme);
      if (sel >= 0 && !hosts(r, sel)) c = mix(c, theme.bg, 0.65);
      out[i] = css(c);
    });
    out[this.grid.rects.length] = css(mix(theme.bg, theme.fg, 0.07)); // unused core
    return out;
  }

  /**
   * Rect indices in drawing order: bottom-right first, so that where regions share a pixel the one whose cores
   * come first in row-major order shows (as when each pixel showed the first placed core it covers);
   * a pair of overlapping rects (the mappers emit none) keeps its index order: the later one owns the shared
   * cores, as in hit tests.
   */
  private drawOrder(ids: number[]): number[] {
    const rs = this.grid.rects;
    const overlap = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    return ids.sort((i, j) => {
      const a = rs[i],
        b = rs[j];
      return overlap(a, b) ? i - j : b.y - a.y || b.x - a.x || i - j;
    });
  }

  /** Draws `view` of one system into `canvas` (device pixels). */
  private paint(canvas: HTMLCanvasElement, view: View, dpr: number, mode: HeatmapMode, cursor: boolean): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const theme = this.host.theme();
    const selected = this.host.selected();
    const W = canvas.width,
      H = canvas.height;
    const colors = this.rectColors(mode, theme, selected);
    const gw = this.grid.width,
      gh = this.grid.height;
    const s = view.scale * dpr;
    if (!(s > 0 && Number.isFinite(s) && Number.isFinite(view.ox) && Number.isFinite(view.oy))) return;
    // Device pixel i along an axis shows the cores [first(i), end(i)) (several when zoomed out, else one);
    // a region is drawn on every pixel whose cores it touches, so no region vanishes from the fitted view
    // however small it is. A pixel shared by two regions shows the one drawn last: placed regions are drawn
    // over the unused cores, and those of the selected layer over all others.
    const first = (o: number, i: number) => Math.floor(o + i / s);
    const end = (o: number, i: number) => Math.max(first(o, i) + 1, Math.floor(o + (i + 1) / s));
    /** the pixels [a, b) whose cores meet [c0, c1): closed-form, then nudged past floating-point rounding */
    const span = (c0: number, c1: number, o: number, lim: number): [number, number] => {
      let a = Math.ceil(s < 1 ? (c0 - o) * s + s - 1 : (c0 - o) * s);
      for (let k = 0; k < 4 && end(o, a - 1) > c0; k++) a--;
      for (let k = 0; k < 4 && end(o, a) <= c0; k++) a++;
      let b = Math.max(a, Math.ceil((c1 - o) * s));
      for (let k = 0; k < 4 && b > a && first(o, b - 1) >= c1; k++) b--;
      for (let k = 0; k < 4 && first(o, b) < c1; k++) b++;
      return [Math.max(0, a), Math.min(lim, b)];
    };
    const fill = (x: number, y: number, w: number, hh: number, colour: string) => {
      const [x0, x1] = span(x, x + w, view.ox, W),
        [y0, y1] = span(y, y + hh, view.oy, H);
      if (x0 >= x1 || y0 >= y1) return;
      ctx.fillStyle = colour;
      ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    };
    ctx.fillStyle = css(theme.bg);
    ctx.fillRect(0, 0, W, H);
    fill(0, 0, gw, gh, colors[colors.length - 1]);
    const sel = selected === null ? -1 : this.target.layers.findIndex((l) => l.name === selected);
    const cold: number[] = [],
      hot: number[] = [];
    this.grid.rects.forEach((r, i) => {
      if (r.system === this.system) (sel >= 0 && hosts(r, sel) ? hot : cold).push(i);
    });
    for (const i of [...this.drawOrder(cold), ...this.drawOrder(hot)]) {
      const r = this.grid.rects[i];
      fill(r.x, r.y, r.w, r.h, colors[i]);
    }
    const toX = (cx: number) => (cx - view.ox) * s;
    const toY = (cy: number) => (cy - view.oy) * s;
    if (view.scale >= GRID_LINES_FROM) {
      ctx.strokeStyle = css(theme.bg, 0.45);
      ctx.lineWidth = 1;
      ctx.beginPath();
      const x0 = Math.max(0, Math.floor(view.ox)),
        x1 = Math.min(gw, Math.ceil(view.ox + W / s));
      const y0 = Math.max(0, Math.floor(view.oy)),
        y1 = Math.min(gh, Math.ceil(view.oy + H / s));
      for (let x = x0; x <= x1; x++) {
        ctx.moveTo(Math.round(toX(x)) + 0.5, toY(y0));
        ctx.lineTo(Math.round(toX(x)) + 0.5, toY(y1));
      }
      for (let y = y0; y <= y1; y++) {
        ctx.moveTo(toX(x0), Math.round(toY(y)) + 0.5);
        ctx.lineTo(toX(x1), Math.round(toY(y)) + 0.5);
      }
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

  override render(): void {
    if (!this.element.isConnected) return;
    const { w, h: hgt } = this.cssSize();
    this.drawn = `${w}x${hgt}`;
    const dpr = window.devicePixelRatio || 1;
    this.stage.style.width = `${w}px`;
    this.stage.style.height = `${hgt}px`;
    const fitted = this.fit(w, hgt);
    // a small model placed in a corner of the wafer would first show as an empty grey wafer: start zoomed
    // to its regions ("Fit" or 0 shows the whole wafer)
    if (!this.view && this.placedShare() < AUTO_ZOOM_BELOW) return this.zoomToPlaced(true);
    if (!this.view || this.view.scale < fitted.scale) this.view = fitted;
    const v = this.view;
    // the canvas's box in the stage (device px): the whole stage, or in the fitted view the wafer's box
    // with a margin for the outlines drawn on its edge
    const W = Math.round(w * dpr),
      H = Math.round(hgt * dpr);
    let [l, t, r, b] = [0, 0, W, H];
    if (v.scale === fitted.scale && v.ox === fitted.ox && v.oy === fitted.oy) {
      const s = v.scale * dpr,
        pad = Math.ceil(3 * dpr);
      [l, t] = [Math.max(0, Math.floor(-v.ox * s) - pad), Math.max(0, Math.floor(-v.oy * s) - pad)];
      [r, b] = [
        Math.min(W, Math.ceil((this.grid.width - v.ox) * s) + pad),
        Math.min(H, Math.ceil((this.grid.height - v.oy) * s) + pad),
      ];
    }
    if (this.canvas.width !== r - l || this.canvas.height !== b - t) {
      this.canvas.width = r - l;
      this.canvas.height = b - t;
    }
    Object.assign(this.canvas.style, {
      left: `${l / dpr}px`,
      top: `${t / dpr}px`,
      width: `${(r - l) / dpr}px`,
      height: `${(b - t) / dpr}px`,
    });
    // the view of the canvas itself: the stage's view shifted by the canvas's offset
    const cv: View = { scale: v.scale, ox: v.ox + l / dpr / v.scale, oy: v.oy + t / dpr / v.scale };
    this.paint(this.canvas, cv, dpr, this.mode, true);
    // the canvas's view transform (CSS px from the canvas's own box), for UI tests that aim the mouse at a given core
    this.canvas.dataset.view = `${cv.scale},${cv.ox},${cv.oy},${this.system}`;
    const over = this.grid.rects.filter((r) => r.system === this.system && r.memUtil > 1).length;
    const used = this.grid.rects.filter((r) => r.system === this.system).reduce((a, r) => a + r.w * r.h, 0);
    this.status.textContent =
      `${this.grid.width}×${this.grid.height} cores (${groupDigits(this.grid.width * this.grid.height)}), ` +
      `${groupDigits(used)} placed in ${this.grid.rects.filter((r) => r.system === this.system).length} regions` +
      `${over ? `; ${over} region(s) over capacity` : ''}; ${this.view.scale >= 1 ? `${this.view.scale.toFixed(1)} px per core` : `${(1 / this.view.scale).toFixed(1)} cores per px`}`;
  }

  override snapshot(mode: HeatmapMode, width: number): HTMLCanvasElement {
    const c = document.createElement('canvas');
    const scale = width / this.grid.width;
    c.width = Math.round(width);
    c.height = Math.max(1, Math.round(this.grid.height * scale));
    this.paint(c, { scale, ox: 0, oy: 0 }, 1, mode, false);
    return c;
  }

  /** The client position of the stage's content box, where the view's origin is. */
  private origin(): { left: number; top: number } {
    const r = this.stage.getBoundingClientRect();
    return { left: r.left + this.stage.clientLeft, top: r.top + this.stage.clientTop };
  }

  private coreAt(clientX: number, clientY: number): { x: number; y: number } | undefined {
    if (!this.view) return undefined;
    const r = this.origin();
    const x = Math.floor(this.view.ox + (clientX - r.left) / this.view.scale);
    const y = Math.floor(this.view.oy + (clientY - r.top) / this.view.scale);
    return x >= 0 && y >= 0 && x < this.grid.width && y < this.grid.height ? { x, y } : undefined;
  }

  /** The index of the rect of the shown system that owns a core (the last drawn one where rects overlap), or -1. */
  private rectAt(x: number, y: number): number {
    const bw = Math.ceil(this.grid.width / BUCKET);
    let index = this.buckets[this.system];
    if (!index) {
      index = Array.from({ length: bw * Math.ceil(this.grid.height / BUCKET) }, () => [] as number[]);
      this.grid.rects.forEach((r, i) => {
        if (r.system !== this.system || r.w <= 0 || r.h <= 0) return;
        const bx0 = Math.max(0, Math.floor(r.x / BUCKET)),
          bx1 = Math.min(bw - 1, Math.floor((r.x + r.w - 1) / BUCKET));
        const by0 = Math.max(0, Math.floor(r.y / BUCKET)),
          by1 = Math.min(index!.length / bw - 1, Math.floor((r.y + r.h - 1) / BUCKET));
        for (let by = by0; by <= by1; by++) for (let bx = bx0; bx <= bx1; bx++) index![by * bw + bx].push(i);
      });
      this.buckets[this.system] = index;
    }
    const list = index[Math.floor(y / BUCKET) * bw + Math.floor(x / BUCKET)] ?? [];
    for (let k = list.length - 1; k >= 0; k--) {
      const r = this.grid.rects[list[k]];
      if (x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h) return list[k];
    }
    return -1;
  }

  /** The region under a core and its layer: the selected one when the region hosts it, else the region's first. */
  private layerAt(core: {
    x: number;
    y: number;
  }): { rect: Rect; layer: TargetLayer; hosted: TargetLayer[] } | undefined {
    const i = this.rectAt(core.x, core.y);
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
      [
        'placement',
        `${rect.w}×${rect.h} cores at (${rect.x}, ${rect.y})${this.systems > 1 ? ` on system ${rect.system + 1}` : ''}`,
      ],
    ];
    if (hosted.length > 1)
      rows.push([
        'region',
        `shared by ${hosted.length} layers: ${hosted
          .slice(0, 3)
          .map((l) => l.name)
          .join(', ')}${hosted.length > 3 ? ', …' : ''}`,
      ]);
    for (const [k, v] of Object.entries(layer.detail ?? {}).slice(0, 8)) rows.push(fmtDetail(k, v));
    return {
      title: layer.name,
      rows,
      flag: rect.memUtil > 1 ? "over capacity: does not fit in its cores' SRAM" : undefined,
    };
  }

  private zoomBy(f: number, anchor?: { x: number; y: number }): void {
    if (!this.view) return;
    const { w, h: hgt } = this.cssSize();
    const fitted = this.fit(w, hgt);
    const scale = Math.max(fitted.scale, Math.min(MAX_SCALE, this.view.scale * f));
    const ax = anchor?.x ?? w / 2,
      ay = anchor?.y ?? hgt / 2;
    const cx = this.view.ox + ax / this.view.scale,
      cy = this.view.oy + ay / this.view.scale;
    this.view = scale === fitted.scale ? fitted : { scale, ox: cx - ax / scale, oy: cy - ay / scale };
    this.render();
  }

  /** The share of this system's wafer inside the bounding box of its placed regions. */
  private placedShare(): number {
    const rs = this.grid.rects.filter((r) => r.system === this.system);
    if (!rs.length) return 1;
    const bw = Math.max(...rs.map((r) => r.x + r.w)) - Math.min(...rs.map((r) => r.x));
    const bh = Math.max(...rs.map((r) => r.y + r.h)) - Math.min(...rs.map((r) => r.y));
    return (bw * bh) / (this.grid.width * this.grid.height);
  }

  /** Fits the bounding box of this system's placed regions (small models use a corner of the wafer). */
  private zoomToPlaced(top = false): void {
    const rs = this.grid.rects.filter((r) => r.system === this.system);
    if (!rs.length) return;
    const x0 = Math.min(...rs.map((r) => r.x)),
      y0 = Math.min(...rs.map((r) => r.y));
    const x1 = Math.max(...rs.map((r) => r.x + r.w)),
      y1 = Math.max(...rs.map((r) => r.y + r.h));
    const { w, h: hgt } = this.cssSize();
    const fitted = this.fit(w, hgt);
    const bw = Math.max(8, x1 - x0),
      bh = Math.max(8, y1 - y0);
    const scale = Math.max(fitted.scale, Math.min(MAX_SCALE, Math.min(w / bw, hgt / bh)));
    // centred; the first view of a small model puts the regions at the top, where the eye is (a wide, short band
    // centred in a tall canvas would sit below the fold)
    const oy = top ? Math.max(0, y0 - 2 / scale) : y0 - (hgt / scale - (y1 - y0)) / 2;
    this.view = { scale, ox: x0 - (w / scale - (x1 - x0)) / 2, oy };
    this.render();
  }

  private showCursor(): void {
    if (!this.cursor || !this.view) return;
    const r = this.origin();
    const x = r.left + (this.cursor.x + 0.5 - this.view.ox) * this.view.scale;
    const y = r.top + (this.cursor.y + 0.5 - this.view.oy) * this.view.scale;
    this.host.hover(this.describe(this.cursor), x, y);
  }

  private keepCursorVisible(): void {
    if (!this.cursor || !this.view) return;
    const { w, h: hgt } = this.cssSize();
    const vw = w / this.view.scale,
      vh = hgt / this.view.scale;
    if (this.cursor.x < this.view.ox) this.view.ox = this.cursor.x;
    if (this.cursor.x + 1 > this.view.ox + vw) this.view.ox = this.cursor.x + 1 - vw;
    if (this.cursor.y < this.view.oy) this.view.oy = this.cursor.y;
    if (this.cursor.y + 1 > this.view.oy + vh) this.view.oy = this.cursor.y + 1 - vh;
  }

  private attach(): void {
    const c = this.canvas;
    // the mouse acts on the whole stage (the canvas may cover only the wafer), the keyboard on the canvas
    const m = this.stage;
    m.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = this.origin();
        this.zoomBy(e.deltaY < 0 ? 1.25 : 0.8, { x: e.clientX - r.left, y: e.clientY - r.top });
      },
      { passive: false },
    );
    m.addEventListener('mousedown', (e) => {
      if (e.target !== c) {
        e.preventDefault();
        c.focus({ preventScroll: true });
      } // a press beside the wafer focuses it too
      if (!this.view) return;
      this.drag = { x: e.clientX, y: e.clientY, ox: this.view.ox, oy: this.view.oy, moved: false };
    });
    window.addEventListener('mouseup', this.onUp);
    m.addEventListener('mousemove', (e) => {
      if (this.drag && this.view && e.buttons & 1) {
        const dx = e.clientX - this.drag.x,
          dy = e.clientY - this.drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) this.drag.moved = true;
        this.view.ox = this.drag.ox - dx / this.view.scale;
        this.view.oy = this.drag.oy - dy / this.view.scale;
        this.render();
        return;
      }
      const core = this.coreAt(e.clientX, e.clientY);
      this.host.hover(core ? this.describe(core) : null, e.clientX, e.clientY);
    });
    m.addEventListener('mouseleave', () => this.host.hover(null, 0, 0));
    m.addEventListener('click', (e) => {
      if (this.dragged) {
        this.dragged = false;
        return;
      }
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
        case 'ArrowLeft':
          cur.x = Math.max(0, cur.x - step);
          break;
        case 'ArrowRight':
          cur.x = Math.min(this.grid.width - 1, cur.x + step);
          break;
        case 'ArrowUp':
          cur.y = Math.max(0, cur.y - step);
          break;
        case 'ArrowDown':
          cur.y = Math.min(this.grid.height - 1, cur.y + step);
          break;
        case '+':
        case '=':
          this.zoomBy(2);
          break;
        case '-':
        case '_':
          this.zoomBy(0.5);
          break;
        case '0':
          this.view = undefined;
          break;
        case 'p':
        case 'P':
          this.zoomToPlaced();
          break;
        case 'Enter':
        case ' ': {
          const hit = this.layerAt(cur);
          this.host.select(hit ? hit.layer.name : null);
          break;
        }
        case 'Escape':
          this.host.select(null);
          break;
        default:
          handled = false;
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

  override dispose(): void {
    window.removeEventListener('mouseup', this.onUp);
    super.dispose();
  }
}
