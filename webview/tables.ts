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
  // columns: label and the sort value of each layer (numbers sort descending first, text ascending)
  const byName = targets.map((t) => new Map(t.layers.map((l) => [l.name, l])));
  const cols: { label: string; value: (l: Report['layers'][number], i: number) => number | string }[] = [
    { label: '#', value: (_l, i) => i },
    { label: 'layer', value: (l) => l.name },
    { label: 'ops', value: (l) => l.opTypes.join(' + ') },
    { label: 'FLOPs', value: (l) => l.forwardFlops },
    { label: 'params', value: (l) => l.parameterBytes },
  ];
  targets.forEach((t, k) =>
    cols.push(
      { label: `${t.id} time`, value: (l) => byName[k]!.get(l.name)?.seconds ?? -1 },
      { label: 'bound', value: (l) => byName[k]!.get(l.name)?.bound ?? '' },
      { label: 'memory', value: (l) => byName[k]!.get(l.name)?.memoryBytes ?? -1 },
    ),
  );
  if (measuredPerLayer) cols.push({ label: 'measured', value: (l) => measuredPerLayer.get(l.name) ?? -1 });
  const head = h('tr', {});
  const ths = cols.map((c, ci) => {
    const b = h('button', { class: 'sort', attrs: { type: 'button', title: `Sort by ${c.label}` } }, c.label);
    b.addEventListener('click', () => sortBy(ci));
    const th = h('th', { attrs: { scope: 'col', 'aria-sort': ci === 0 ? 'ascending' : 'none' } }, b);
    head.append(th);
    return th;
  });
  const tbody = h('tbody');
  const trs: HTMLElement[] = [];
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
    trs.push(tr);
  });
  rovingRows(tbody, host);
  let sorted = { col: 0, dir: 1 };
  function sortBy(ci: number): void {
    const first = typeof cols[ci]!.value(report.layers[0]!, 0) === 'number' && ci !== 0 ? -1 : 1;
    sorted = { col: ci, dir: sorted.col === ci ? -sorted.dir : first };
    const keys = report.layers.map((l, i) => cols[ci]!.value(l, i));
    const order = trs.map((_, i) => i);
    order.sort((a, b) => {
      const x = keys[a]!;
      const y = keys[b]!;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return c * sorted.dir || a - b;
    });
    for (const i of order) tbody.append(trs[i]!);
    ths.forEach((th, k) =>
      th.setAttribute('aria-sort', k === ci ? (sorted.dir > 0 ? 'ascending' : 'descending') : 'none'),
    );
  }
  const count = h('span', { class: 'muted', id: 'layer-count' }, `${report.layers.length} layers`);
  const filter = h('input', {
    class: 'layer-filter',
    attrs: { type: 'search', placeholder: 'Filter layers by name or op', 'aria-label': 'Filter layers' },
  }) as HTMLInputElement;
  filter.addEventListener('input', () => {
    const q = filter.value.trim().toLowerCase();
    let shown = 0;
    report.layers.forEach((l, i) => {
      const on = !q || l.name.toLowerCase().includes(q) || l.opTypes.some((o) => o.toLowerCase().includes(q));
      trs[i]!.hidden = !on;
      if (on) shown++;
    });
    count.textContent = q ? `${shown} of ${report.layers.length} layers` : `${report.layers.length} layers`;
  });
  const table = h('table', { class: 'layers', attrs: { 'aria-label': 'Layers' } }, h('thead', {}, head), tbody);
  const element = h(
    'section',
    { class: 'layer-table', attrs: { 'aria-label': 'Layer table' } },
    h('h2', {}, `Layers (${report.layers.length})`),
    h('div', { class: 'table-tools' }, filter, count),
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
