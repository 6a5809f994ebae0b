// Draws a laid-out scene on one canvas: expanded blocks as framed areas with a header, collapsed blocks and
// nodes as filled boxes (the overlay's colours), edges as curves from a box's bottom to the next one's top.
// Only what is in the viewport is drawn; labels are left out when zoomed far out. Wheel zooms at the
// pointer, a drag pans; hover, click and double-click are reported to the host with the box under the pointer.
import { css, mix, type RGB, type Theme } from '../theme';
import type { Item, Scene } from './layout';

export interface CanvasHost {
  theme(): Theme;
  /** fill of a box (null: no data) */
  fill(it: Item): RGB | null;
  /** the full name of a box (node name, block path, tensor name) */
  title(it: Item): string;
  /** first and second label line of a box */
  labels(it: Item): [string, string];
  /** the box belongs to the selected layer (or holds one of its nodes) */
  selected(it: Item): boolean;
  matched(it: Item): boolean;
  focused(): string | null;
  hover(it: Item | null, clientX: number, clientY: number): void;
  click(it: Item | null, e: MouseEvent): void;
  dblclick(it: Item | null): void;
}

export interface View {
  s: number;
  tx: number;
  ty: number;
}

const MIN_S = 0.02;
const MAX_S = 4;
const LABELS_FROM = 0.35;

function luminance(c: RGB): number {
  return (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
}

export class GraphCanvas {
  readonly canvas: HTMLCanvasElement;
  scene: Scene | undefined;
  view: View = { s: 1, tx: 0, ty: 0 };
  /** ms of the last draw */
  drawMs = 0;
  private drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | undefined;
  private size = { w: 0, h: 0 };

  constructor(private readonly host: CanvasHost) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'graph-canvas';
    this.canvas.tabIndex = 0;
    this.attach();
    // for tests and the benchmark (they aim the mouse at boxes): the boxes in view, in canvas CSS pixels
    Object.defineProperty(this.canvas, 'graphBoxes', { value: () => this.boxesInView() });
  }

  private boxesInView(): { key: string; kind: string; title: string; x: number; y: number; w: number; h: number }[] {
    const v = this.view;
    const { w, h } = this.size;
    return (this.scene?.items ?? [])
      .map((it) => ({
        key: it.key,
        kind: it.kind,
        title: this.host.title(it),
        x: it.x * v.s + v.tx,
        y: it.y * v.s + v.ty,
        w: it.w * v.s,
        h: it.h * v.s,
      }))
      .filter((b) => b.x >= 0 && b.y >= 0 && b.x + b.w <= w && b.y + b.h <= h);
  }

  /** Sizes the canvas to its box (CSS px); true when the size changed. */
  resize(w: number, h: number): boolean {
    w = Math.max(100, Math.floor(w));
    h = Math.max(100, Math.floor(h));
    if (w === this.size.w && h === this.size.h) return false;
    this.size = { w, h };
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    return true;
  }

  get cssSize(): { w: number; h: number } {
    return this.size;
  }

  /**
   * The whole graph in view (not larger than 1:1). `readable` (the first view): fit the width only, at a
   * scale where labels show, from the top: a tall LLM is scrolled, not shrunk to unreadable boxes.
   */
  fit(readable = false): void {
    const sc = this.scene;
    if (!sc) return;
    const { w, h } = this.size;
    const m = 16;
    const sw = (w - 2 * m) / Math.max(1, sc.width);
    let s = readable ? Math.max(0.5, Math.min(1, sw)) : Math.min(sw, (h - 2 * m) / Math.max(1, sc.height), 1);
    s = Math.max(MIN_S, s);
    this.view = {
      s,
      tx: sc.width * s < w - 2 * m ? (w - sc.width * s) / 2 : m,
      ty: sc.height * s < h - 2 * m ? (h - sc.height * s) / 2 : m,
    };
  }

  /** Centres a box, zooming in to at least `minScale`. */
  reveal(it: Item, minScale = 0.8): void {
    const { w, h } = this.size;
    const s = Math.max(this.view.s, minScale);
    this.view = { s, tx: w / 2 - (it.x + it.w / 2) * s, ty: h / 2 - (it.y + it.h / 2) * s };
  }

  /** Keeps a box in view, panning only as far as needed. */
  keepInView(it: Item): void {
    const { w, h } = this.size;
    const v = this.view;
    const x0 = it.x * v.s + v.tx,
      y0 = it.y * v.s + v.ty;
    const x1 = x0 + it.w * v.s,
      y1 = y0 + it.h * v.s;
    if (x0 < 8) v.tx += 8 - x0;
    else if (x1 > w - 8) v.tx -= x1 - (w - 8);
    if (y0 < 8) v.ty += 8 - y0;
    else if (y1 > h - 8) v.ty -= y1 - (h - 8);
  }

  zoomAt(factor: number, cx = this.size.w / 2, cy = this.size.h / 2): void {
    const v = this.view;
    const s = Math.max(MIN_S, Math.min(MAX_S, v.s * factor));
    const wx = (cx - v.tx) / v.s,
      wy = (cy - v.ty) / v.s;
    this.view = { s, tx: cx - wx * s, ty: cy - wy * s };
  }

  pan(dx: number, dy: number): void {
    this.view.tx += dx;
    this.view.ty += dy;
  }

  /** The box under a point (client coordinates): nodes and collapsed blocks before the frames around them. */
  itemAt(clientX: number, clientY: number): Item | null {
    const sc = this.scene;
    if (!sc) return null;
    const r = this.canvas.getBoundingClientRect();
    const v = this.view;
    const x = (clientX - r.left - v.tx) / v.s,
      y = (clientY - r.top - v.ty) / v.s;
    for (let k = sc.items.length - 1; k >= 0; k--) {
      const it = sc.items[k];
      if (x >= it.x && x < it.x + it.w && y >= it.y && y < it.y + it.h) return it;
    }
    return null;
  }

  /** Client coordinates of a box's centre. */
  clientCentre(it: Item): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    const v = this.view;
    return { x: r.left + v.tx + (it.x + it.w / 2) * v.s, y: r.top + v.ty + (it.y + it.h / 2) * v.s };
  }

  draw(): void {
    const t0 = performance.now();
    const ctx = this.canvas.getContext('2d');
    const sc = this.scene;
    if (!ctx) return;
    const theme = this.host.theme();
    const dpr = window.devicePixelRatio || 1;
    const { w, h } = this.size;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = css(theme.bg);
    ctx.fillRect(0, 0, w, h);
    if (!sc) return;
    const v = this.view;
    ctx.setTransform(dpr * v.s, 0, 0, dpr * v.s, dpr * v.tx, dpr * v.ty);
    // the world rectangle in view, for culling
    const vx0 = -v.tx / v.s,
      vy0 = -v.ty / v.s,
      vx1 = (w - v.tx) / v.s,
      vy1 = (h - v.ty) / v.s;
    const visible = (it: Item) => it.x < vx1 && it.x + it.w > vx0 && it.y < vy1 && it.y + it.h > vy0;
    const labels = v.s >= LABELS_FROM;
    const neutral = mix(theme.bg, theme.fg, 0.14);
    const frameFill = mix(theme.bg, theme.fg, 0.04);
    const line = mix(theme.bg, theme.fg, 0.45);
    const focused = this.host.focused();
    const px = 1 / v.s;
    // frames (outer first)
    ctx.font = `600 12px ${theme.font}`;
    ctx.textBaseline = 'middle';
    for (const it of sc.items) {
      if (it.kind !== 'frame' || !visible(it)) continue;
      ctx.fillStyle = css(frameFill);
      ctx.fillRect(it.x, it.y, it.w, it.h);
      ctx.lineWidth = (this.host.selected(it) ? 2 : 1) * px;
      ctx.strokeStyle = css(this.host.selected(it) ? theme.accent : mix(theme.bg, theme.fg, 0.3));
      ctx.strokeRect(it.x, it.y, it.w, it.h);
      if (labels) {
        ctx.fillStyle = css(theme.fg);
        ctx.fillText(`▾ ${this.host.labels(it)[0]}`, it.x + 6, it.y + 11, it.w - 12);
      }
      if (it.key === focused) this.focusRing(ctx, it, theme, px);
    }
    // edges
    ctx.lineWidth = Math.max(1, 1.2 * px);
    ctx.strokeStyle = css(line, 0.7);
    ctx.beginPath();
    for (const [a, b] of sc.edges) {
      const A = sc.items[a],
        B = sc.items[b];
      const x0 = A.x + A.w / 2,
        y0 = A.y + A.h,
        x1 = B.x + B.w / 2,
        y1 = B.y;
      if (Math.max(x0, x1) < vx0 || Math.min(x0, x1) > vx1 || Math.max(y0, y1) < vy0 || Math.min(y0, y1) > vy1)
        continue;
      const dy = Math.max(20, Math.abs(y1 - y0) / 2);
      ctx.moveTo(x0, y0);
      ctx.bezierCurveTo(x0, y0 + dy, x1, y1 - dy, x1, y1);
    }
    ctx.stroke();
    // arrow heads where the edge enters its target
    if (labels) {
      ctx.fillStyle = css(line);
      ctx.beginPath();
      for (const [, b] of sc.edges) {
        const B = sc.items[b];
        if (!visible(B)) continue;
        const x1 = B.x + B.w / 2;
        ctx.moveTo(x1, B.y);
        ctx.lineTo(x1 - 4, B.y - 6);
        ctx.lineTo(x1 + 4, B.y - 6);
      }
      ctx.fill();
    }
    // boxes
    for (const it of sc.items) {
      if (it.kind === 'frame' || !visible(it)) continue;
      const fill = this.host.fill(it) ?? neutral;
      const io = it.kind === 'input' || it.kind === 'output';
      ctx.fillStyle = css(io ? mix(theme.bg, theme.fg, 0.08) : fill);
      const r = io ? it.h / 2 : it.kind === 'block' ? 6 : 3;
      roundRect(ctx, it.x, it.y, it.w, it.h, r);
      ctx.fill();
      const sel = this.host.selected(it);
      const match = this.host.matched(it);
      if (it.kind === 'block' || sel || match || io) {
        ctx.lineWidth = (sel || match ? 2.5 : 1) * px;
        ctx.strokeStyle = css(sel ? theme.accent : match ? theme.warning : mix(theme.bg, theme.fg, 0.5));
        if (it.kind === 'block' && !sel && !match) ctx.setLineDash([]);
        ctx.stroke();
      }
      if (it.kind === 'block') {
        // a stacked edge: the block holds more
        ctx.lineWidth = px;
        ctx.strokeStyle = css(mix(theme.bg, theme.fg, 0.5));
        ctx.beginPath();
        ctx.moveTo(it.x + 4, it.y + it.h + 3);
        ctx.lineTo(it.x + it.w - 4, it.y + it.h + 3);
        ctx.stroke();
      }
      if (it.key === focused) this.focusRing(ctx, it, theme, px);
      if (!labels) continue;
      const [l1, l2] = this.host.labels(it);
      const ink = io ? theme.fg : luminance(fill) > 0.55 ? ([20, 20, 20] as RGB) : ([240, 240, 240] as RGB);
      ctx.fillStyle = css(ink);
      if (l2) {
        ctx.font = `600 12px ${theme.font}`;
        ctx.fillText(l1, it.x + 7, it.y + it.h * 0.33, it.w - 14);
        ctx.font = `11px ${theme.font}`;
        ctx.fillStyle = css(ink, 0.85);
        ctx.fillText(l2, it.x + 7, it.y + it.h * 0.7, it.w - 14);
      } else {
        ctx.font = `600 12px ${theme.font}`;
        ctx.fillText(l1, it.x + 7, it.y + it.h / 2, it.w - 14);
      }
    }
    this.drawMs = performance.now() - t0;
  }

  private focusRing(ctx: CanvasRenderingContext2D, it: Item, theme: Theme, px: number): void {
    ctx.save();
    ctx.setLineDash([4 * px, 3 * px]);
    ctx.lineWidth = 2 * px;
    ctx.strokeStyle = css(theme.fg);
    ctx.strokeRect(it.x - 3 * px, it.y - 3 * px, it.w + 6 * px, it.h + 6 * px);
    ctx.restore();
  }

  private attach(): void {
    const c = this.canvas;
    c.addEventListener(
      'wheel',
      (e) => {
        e.preventDefault();
        const r = c.getBoundingClientRect();
        if (e.ctrlKey || e.metaKey || Math.abs(e.deltaY) >= Math.abs(e.deltaX))
          this.zoomAt(Math.pow(1.0015, -e.deltaY), e.clientX - r.left, e.clientY - r.top);
        else this.pan(-e.deltaX, 0);
        this.draw();
        this.host.hover(null, 0, 0);
      },
      { passive: false },
    );
    c.addEventListener('mousedown', (e) => {
      if (e.button !== 0) return;
      this.drag = { x: e.clientX, y: e.clientY, tx: this.view.tx, ty: this.view.ty, moved: false };
    });
    window.addEventListener('mouseup', () => {
      setTimeout(() => (this.drag = undefined), 0);
    });
    c.addEventListener('mousemove', (e) => {
      const d = this.drag;
      if (d && (e.buttons & 1) === 1) {
        const dx = e.clientX - d.x,
          dy = e.clientY - d.y;
        if (d.moved || Math.abs(dx) + Math.abs(dy) > 4) {
          d.moved = true;
          this.view.tx = d.tx + dx;
          this.view.ty = d.ty + dy;
          this.draw();
          this.host.hover(null, 0, 0);
          return;
        }
      }
      this.host.hover(this.itemAt(e.clientX, e.clientY), e.clientX, e.clientY);
    });
    c.addEventListener('mouseleave', () => this.host.hover(null, 0, 0));
    c.addEventListener('click', (e) => {
      if (this.drag?.moved) return;
      this.host.click(this.itemAt(e.clientX, e.clientY), e);
    });
    c.addEventListener('dblclick', (e) => this.host.dblclick(this.itemAt(e.clientX, e.clientY)));
  }
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, h: number, r: number): void {
  ctx.beginPath();
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}
