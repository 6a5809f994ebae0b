// What the heatmaps need from the page around them.
import type { HeatmapMode } from '../../src/shared/protocol';
import type { Theme } from '../theme';
import type { TooltipContent } from '../tooltip';

export interface HeatmapHost {
  theme(): Theme;
  /** the selected layer's name, or null */
  selected(): string | null;
  hover(content: TooltipContent | null, clientX: number, clientY: number): void;
  select(layer: string | null): void;
}

export interface Heatmap {
  readonly element: HTMLElement;
  /** cores (wafer) or GPUs (cluster) the heatmap covers */
  readonly cells: number;
  setMode(m: HeatmapMode): void;
  /** redraw (resize, theme or selection change) */
  render(): void;
  /** one heatmap of the whole grid as an image, for the HTML report */
  snapshot(mode: HeatmapMode, width: number): HTMLCanvasElement;
  dispose(): void;
}

export const MODE_LABEL: Record<HeatmapMode, string> = {
  placement: 'Placement',
  memory: 'Memory fit',
  time: 'Step time (busy)',
};
