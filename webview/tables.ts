// The layer table (every fused layer, with each shown target's time, bound and memory) and the
// measured-vs-predicted table. Rows are keyboard navigable (roving tabindex; Enter selects).
import type { Report } from '../src/engine/profile';
import { fmtBytes, fmtFlops, fmtSeconds } from '../src/report/units';
import { placementText } from './charts';
import { h } from './dom';
import type { TooltipContent } from './tooltip';
import type { TargetResult } from '../src/engine/hardware/types';

export interface TableHost {
  selected(): string | null;
  select(layer: string | null): void;
  hover(c: TooltipContent | null, x: number, y: number): void;
}

/** Arrow keys move focus between rows, Enter/Space select, Escape clears. */
export function rovingRows(tbody: HTMLElement, host: TableHost): void {
  tbody.addEventListener('keydown', (e) => {
    const row = (e.target as HTMLElement).closest('tr');
    if (!row) return;
    let next: Element | null = null;
    if (e.key === 'ArrowDown') next = row.nextElementSibling;
    else if (e.key === 'ArrowUp') next = row.previousElementSibling;
    else if (e.key === 'Home') next = tbody.firstElementChild;
    else if (e.key === 'End') next = tbody.lastElementChild;
    else if (e.key === 'Enter' || e.key === ' ') {
      host.select(row.dataset.layer ?? null);
      e.preventDefault();
      return;
    } else if (e.key === 'Escape') {
      host.select(null);
      return;
    } else return;
    e.preventDefault();
    if (next instanceof HTMLElement) {
      row.tabIndex = -1;
      next.tabIndex = 0;
      next.focus();
      const r = next.getBoundingClientRect();
      host.hover(describeRow(next), r.left + 40, r.bottom);
    }
  });
  tbody.addEventListener('focusout', () => host.hover(null, 0, 0));
}

const rowInfo = new WeakMap<Element, TooltipContent>();
function describeRow(row: Element): TooltipContent | null {
  return rowInfo.get(row) ?? null;
}

export function layerTable(
  report: Report,
  targets: TargetResult[],
  measuredPerLayer: Map<string, number> | undefined,
  host: TableHost,
): { element: HTMLElement; rows: number; update(): void } {
  const head = h(
    'tr',
    {},
    h('th', { attrs: { scope: 'col' } }, '#'),
    h('th', { attrs: { scope: 'col' } }, 'layer'),
    h('th', { attrs: { scope: 'col' } }, 'ops'),
    h('th', { attrs: { scope: 'col' } }, 'FLOPs'),
    h('th', { attrs: { scope: 'col' } }, 'params'),
  );
  for (const t of targets)
    head.append(
      h('th', { attrs: { scope: 'col' } }, `${t.id} time`),
      h('th', { attrs: { scope: 'col' } }, 'bound'),
      h('th', { attrs: { scope: 'col' } }, 'memory'),
    );
  if (measuredPerLayer) head.append(h('th', { attrs: { scope: 'col' } }, 'measured'));
  const tbody = h('tbody');
  const byName = targets.map((t) => new Map(t.layers.map((l) => [l.name, l])));
  const sel = host.selected();
  report.layers.forEach((l, i) => {
    const tr = h(
      'tr',
      {
        tabIndex: (sel === null ? i === 0 : l.name === sel) ? 0 : -1,
        attrs: { 'data-layer': l.name, 'aria-selected': l.name === sel ? 'true' : 'false' },
      },
      h('td', { class: 'num' }, i),
      h('td', { class: 'name' }, l.name),
      h('td', {}, l.opTypes.join(' + ')),
      h('td', { class: 'num' }, fmtFlops(l.forwardFlops)),
      h('td', { class: 'num' }, fmtBytes(l.parameterBytes)),
    );
    const rows: [string, string][] = [
      ['ops', l.opTypes.join(' + ')],
      ['FLOPs', fmtFlops(l.forwardFlops)],
      ['parameters', fmtBytes(l.parameterBytes)],
      ['activations', fmtBytes(l.activationBytes)],
    ];
    targets.forEach((t, k) => {
      const tl = byName[k].get(l.name);
      tr.append(
        h('td', { class: 'num' }, tl ? fmtSeconds(tl.seconds) : '—'),
        h('td', {}, tl ? tl.bound : '—'),
        h('td', { class: 'num' }, tl ? fmtBytes(tl.memoryBytes) : '—'),
      );
      if (tl)
        rows.push([
          t.id,
          `${fmtSeconds(tl.seconds)}, ${tl.bound}-bound, ${fmtBytes(tl.memoryBytes)}, ${placementText(tl.placement)}`,
        ]);
      else rows.push([t.id, "not placed by this target's mapper"]);
    });
    if (measuredPerLayer) {
      const m = measuredPerLayer.get(l.name);
      tr.append(h('td', { class: 'num' }, m === undefined ? '—' : fmtSeconds(m)));
      if (m !== undefined) rows.push(['measured', fmtSeconds(m)]);
    }
    rowInfo.set(tr, { title: l.name, rows });
    tr.addEventListener('click', () => host.select(l.name === host.selected() ? null : l.name));
    tr.addEventListener('mouseenter', (e) => host.hover(rowInfo.get(tr) ?? null, e.clientX, e.clientY));
    tr.addEventListener('mouseleave', () => host.hover(null, 0, 0));
    tbody.append(tr);
  });
  rovingRows(tbody, host);
  const table = h('table', { class: 'layers', attrs: { 'aria-label': 'Layers' } }, h('thead', {}, head), tbody);
  const element = h(
    'section',
    { class: 'layer-table', attrs: { 'aria-label': 'Layer table' } },
    h('h2', {}, `Layers (${report.layers.length})`),
    h('div', { class: 'table-scroll' }, table),
  );
  return {
    element,
    rows: report.layers.length,
    update() {
      const s = host.selected();
      for (const tr of tbody.children) {
        const on = (tr as HTMLElement).dataset.layer === s;
        tr.setAttribute('aria-selected', on ? 'true' : 'false');
        if (on) {
          for (const o of tbody.children) (o as HTMLElement).tabIndex = -1;
          (tr as HTMLElement).tabIndex = 0;
          if (!element.contains(document.activeElement)) tr.scrollIntoView({ block: 'nearest' });
        }
      }
    },
  };
}
