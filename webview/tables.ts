// The layer table (every fused layer, with each shown target's time, bound and memory) and the
// measured-vs-predicted table. Rows are keyboard navigable (roving tabindex; Enter selects).
import type { Report } from '../src/engine/profile';
import type { MeasuredMessage, NodeFacts } from '../src/shared/protocol';
import { fmtBytes, fmtFlops, fmtSeconds } from '../src/report/units';
import { placementText } from './charts';
import { h } from './dom';
import { isComputed } from './targetPanel';
import type { TooltipContent } from './tooltip';
import type { TargetOutcome, TargetResult } from '../src/engine/hardware/types';

export interface TableHost {
  selected(): string | null;
  select(layer: string | null): void;
  hover(c: TooltipContent | null, x: number, y: number): void;
}

/** Arrow keys move focus between rows, Enter/Space select, Escape clears. */
function rovingRows(tbody: HTMLElement, host: TableHost): void {
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

export interface MeasuredJoin {
  /** report layer name -> measured seconds (sum over its nodes) */
  perLayer: Map<string, number>;
  rows: { name: string; opType: string; layer: string | null; measured: number; predicted: number | null }[];
  unmatched: number;
}

/**
 * Joins measured node times with the model's nodes. A node's predicted time is its layer's predicted time
 * on `target` split by the node's share of the layer's FLOPs (bytes when the layer has no FLOPs): the
 * engine predicts fused layers, not single nodes.
 */
export function joinMeasured(
  m: MeasuredMessage,
  nodes: NodeFacts[],
  report: Report,
  target: TargetResult | undefined,
): MeasuredJoin {
  const facts = new Map(nodes.map((n) => [n.name, n]));
  const layerTotals = new Map<number, { flops: number; bytes: number }>();
  for (const n of nodes) {
    const t = layerTotals.get(n.layer) ?? { flops: 0, bytes: 0 };
    t.flops += n.flops;
    t.bytes += n.bytes;
    layerTotals.set(n.layer, t);
  }
  const tl = new Map((target?.layers ?? []).map((l) => [l.name, l]));
  const perLayer = new Map<string, number>();
  let unmatched = 0;
  const rows = m.nodes.map((mn) => {
    const f = facts.get(mn.name);
    if (!f) {
      unmatched++;
      return { name: mn.name, opType: mn.opType, layer: null, measured: mn.seconds, predicted: null };
    }
    const layerName = report.layers[f.layer]?.name ?? null;
    if (layerName !== null) perLayer.set(layerName, (perLayer.get(layerName) ?? 0) + mn.seconds);
    const tot = layerTotals.get(f.layer);
    const share = tot && tot.flops > 0 ? f.flops / tot.flops : tot && tot.bytes > 0 ? f.bytes / tot.bytes : 0;
    const lp = layerName !== null ? tl.get(layerName) : undefined;
    return {
      name: mn.name,
      opType: mn.opType || f.opType,
      layer: layerName,
      measured: mn.seconds,
      predicted: lp ? lp.seconds * share : null,
    };
  });
  rows.sort((a, b) => b.measured - a.measured);
  return { perLayer, rows, unmatched };
}

const MAX_MEASURED_ROWS = 400;

export function measuredTable(
  m: MeasuredMessage,
  join: MeasuredJoin,
  target: TargetOutcome | undefined,
  host: TableHost,
): { element: HTMLElement; rows: number } {
  const tname = target && isComputed(target) ? target.name || target.id : null;
  const tbody = h('tbody');
  for (const r of join.rows.slice(0, MAX_MEASURED_ROWS)) {
    const ratio = r.predicted && r.predicted > 0 ? r.measured / r.predicted : null;
    const tr = h(
      'tr',
      { tabIndex: -1, attrs: { 'data-layer': r.layer ?? '' } },
      h('td', { class: 'name' }, r.name),
      h('td', {}, r.opType),
      h('td', { class: 'name' }, r.layer ?? 'not in the model'),
      h('td', { class: 'num' }, fmtSeconds(r.measured)),
      h('td', { class: 'num' }, r.predicted === null ? '—' : fmtSeconds(r.predicted)),
      h('td', { class: 'num' }, ratio === null ? '—' : `${ratio.toPrecision(3)}×`),
    );
    if (r.layer) tr.addEventListener('click', () => host.select(r.layer));
    tbody.append(tr);
  }
  if (tbody.firstElementChild) (tbody.firstElementChild as HTMLElement).tabIndex = 0;
  rovingRows(tbody, host);
  const total = join.rows.reduce((a, r) => a + r.measured, 0);
  const element = h(
    'section',
    { class: 'measured', id: 'measured', attrs: { 'aria-label': 'Measured vs predicted' } },
    h('h2', {}, `Measured vs predicted (${m.source})`),
    h(
      'p',
      { class: 'muted' },
      `${m.nodes.length} measured node(s) over ${m.runs} run(s), ${fmtSeconds(total)} per run in kernels; ${join.unmatched} not in this model. `,
      tname
        ? `Predicted: ${tname}, each layer's time split over its nodes by FLOPs share.`
        : 'No computed target to compare with.',
    ),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'layers' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['node', 'op', 'layer', 'measured', 'predicted', 'measured / predicted'].map((c) =>
              h('th', { attrs: { scope: 'col' } }, c),
            ),
          ),
        ),
        tbody,
      ),
    ),
    join.rows.length > MAX_MEASURED_ROWS
      ? h('p', { class: 'muted' }, `… ${join.rows.length - MAX_MEASURED_ROWS} more node(s) not listed`)
      : null,
  );
  return { element, rows: Math.min(join.rows.length, MAX_MEASURED_ROWS) };
}
