// The editor's page switch: the heatmaps (targets, charts) or the graph view. A radio group of two tabs,
// keyboard navigable (Left/Right), as the heatmap mode switch is.
import type { EditorPage } from '../../src/shared/protocol';
import { h } from '../dom';

const LABEL: Record<EditorPage, string> = { heatmaps: 'Heatmaps', graph: 'Graph' };

export function pageTabs(current: EditorPage, select: (p: EditorPage) => void): HTMLElement {
  const bar = h('div', { class: 'segmented page-tabs', role: 'tablist', attrs: { 'aria-label': 'View' } });
  for (const p of ['heatmaps', 'graph'] as EditorPage[]) {
    bar.append(
      h(
        'button',
        {
          class: 'seg',
          role: 'tab',
          tabIndex: p === current ? 0 : -1,
          attrs: { 'aria-selected': p === current ? 'true' : 'false', 'data-page': p },
          on: {
            click: () => select(p),
            keydown: (e) => {
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              const next = p === 'heatmaps' ? 'graph' : 'heatmaps';
              select(next);
              bar.querySelector<HTMLButtonElement>(`[data-page="${next}"]`)?.focus();
            },
          },
        },
        LABEL[p],
      ),
    );
  }
  return bar;
}

/** Marks the current page's tab. */
export function markPage(bar: HTMLElement, current: EditorPage): void {
  for (const b of bar.querySelectorAll<HTMLButtonElement>('[data-page]')) {
    const on = b.dataset.page === current;
    b.setAttribute('aria-selected', on ? 'true' : 'false');
    b.tabIndex = on ? 0 : -1;
  }
}
