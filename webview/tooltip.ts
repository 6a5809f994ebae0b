// The floating tooltip shared by the heatmaps and the layer table. Content is a title and key/value
// rows, written as text nodes only.
import { clear, h } from './dom';

export interface TooltipContent {
  title: string;
  rows: [string, string][];
  /** e.g. "over capacity" */
  flag?: string;
}

export class Tooltip {
  readonly el = h('div', {
    class: 'tooltip',
    id: 'tooltip',
    role: 'tooltip',
    attrs: { 'aria-live': 'polite', hidden: true },
  });

  constructor() {
    document.body.appendChild(this.el);
  }

  show(c: TooltipContent, x: number, y: number): void {
    clear(this.el);
    this.el.appendChild(h('div', { class: 'tooltip-title' }, c.title));
    if (c.flag) this.el.appendChild(h('div', { class: 'tooltip-flag' }, c.flag));
    const dl = h('dl');
    for (const [k, v] of c.rows) dl.append(h('dt', {}, k), h('dd', {}, v));
    this.el.appendChild(dl);
    this.el.hidden = false;
    // keep inside the viewport
    const r = this.el.getBoundingClientRect();
    const left = Math.min(x + 14, window.innerWidth - r.width - 4);
    const top = y + 16 + r.height > window.innerHeight ? Math.max(4, y - r.height - 8) : y + 16;
    this.el.style.left = `${Math.max(4, left)}px`;
    this.el.style.top = `${top}px`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
