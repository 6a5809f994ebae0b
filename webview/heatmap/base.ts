// What every heatmap kind (device strip, GPU cluster, wafer) shares: a focusable canvas described for screen
// readers (role img, a label saying what it shows and which keys it takes, data-cells for UI tests), a status
// line under it that is read out when it changes, a redraw when its element is resized, the mode, and dispose.
// The kinds differ in what they draw, how they hit-test and which keys they take.
import type { HeatmapMode } from '../../src/shared/protocol';
import { h } from '../dom';
import type { Heatmap } from './types';

export interface CanvasHeatmapParts {
  /** the element's class: `heatmap <kind>-heatmap` */
  kind: 'device' | 'gpu' | 'wafer';
  /** the canvas's classes */
  canvasClass: string;
  /** the canvas's aria-label */
  label: string;
  /** what holds the canvas in the element (the wafer's stage), given the canvas; by default the canvas itself */
  holder?: (canvas: HTMLCanvasElement) => HTMLElement;
}

export abstract class CanvasHeatmap implements Heatmap {
  readonly element: HTMLElement;
  protected readonly canvas: HTMLCanvasElement;
  protected readonly status: HTMLElement;
  protected mode: HeatmapMode = 'placement';
  private readonly resize: ResizeObserver;

  protected constructor(
    readonly cells: number,
    parts: CanvasHeatmapParts,
  ) {
    this.canvas = h('canvas', {
      class: parts.canvasClass,
      tabIndex: 0,
      attrs: { role: 'img', 'aria-label': parts.label, 'data-cells': cells },
    });
    this.status = h('div', { class: 'heatmap-status', attrs: { 'aria-live': 'polite' } });
    this.element = h(
      'div',
      { class: `heatmap ${parts.kind}-heatmap` },
      parts.holder ? parts.holder(this.canvas) : this.canvas,
      this.status,
    );
    // observations are delivered after layout, never while a subclass's constructor still runs
    this.resize = new ResizeObserver(() => this.resized());
    this.resize.observe(this.element);
  }

  /** The element was laid out or resized: redraw (a kind may skip a size it has drawn). */
  protected resized(): void {
    this.render();
  }

  setMode(m: HeatmapMode): void {
    this.mode = m;
    this.render();
  }

  abstract render(): void;

  abstract snapshot(mode: HeatmapMode, width: number): HTMLCanvasElement;

  dispose(): void {
    this.resize.disconnect();
    this.element.remove();
  }
}
