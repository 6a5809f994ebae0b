// The measured-vs-predicted view of an imported onnxruntime profile. Measured nodes arrive already matched
// to the model's nodes (src/measured/match.ts: by name, onnxruntime's renames, or output dims), so a fused
// ORT kernel covers several model nodes. Predictions come only from a target of the kind the profile was
// measured on (a CPU profile against a CPU target, a GPU profile against a single GPU): comparing a laptop's
// CPU times with a wafer's would say nothing about either.
import type { Report } from '../src/engine/profile';
import type { MeasuredMessage, NodeFacts } from '../src/shared/protocol';
import type { TargetResult } from '../src/engine/hardware/types';
import { fmtPercent, fmtRatio, fmtSeconds } from '../src/report/units';
import { h } from './dom';
import { rovingRows, type TableHost } from './tables';

export interface MeasuredRow {
  name: string;
  opType: string;
  layer: string | null;
  how: string;
  measured: number;
  predicted: number | null;
}

export interface MeasuredJoin {
  /** report layer name -> measured seconds (a fused ORT node split over the layers of its model nodes) */
  perLayer: Map<string, number>;
  rows: MeasuredRow[];
  unmatched: number;
  /** the target predictions come from, when one of the profile's kind was computed */
  target: TargetResult | undefined;
}

/** Whether `t` is the kind of device the profile was measured on. */
export function comparable(t: TargetResult, device: MeasuredMessage['device']): boolean {
  const kind = (t as { kind: string }).kind;
  const processor = (t as { processor?: string }).processor;
  return kind === 'device' && processor === device;
}

/**
 * Joins measured nodes with the model's nodes. A model node's predicted time is its layer's predicted time
 * split by the node's share of the layer's FLOPs (bytes when the layer has no FLOPs): the engine predicts
 * fused layers, not single nodes.
 */
export function joinMeasured(
  m: MeasuredMessage,
  nodes: NodeFacts[],
  report: Report,
  targets: TargetResult[],
): MeasuredJoin {
  const target = targets.find((t) => comparable(t, m.device));
  const facts = new Map(nodes.map((n) => [n.name, n]));
  const layerTotals = new Map<number, { flops: number; bytes: number }>();
  for (const n of nodes) {
    const t = layerTotals.get(n.layer) ?? { flops: 0, bytes: 0 };
    t.flops += n.flops;
    t.bytes += n.bytes;
    layerTotals.set(n.layer, t);
  }
  const tl = new Map((target?.layers ?? []).map((l) => [l.name, l]));
  const share = (f: NodeFacts) => {
    const tot = layerTotals.get(f.layer);
    return tot && tot.flops > 0 ? f.flops / tot.flops : tot && tot.bytes > 0 ? f.bytes / tot.bytes : 0;
  };
  const perLayer = new Map<string, number>();
  let unmatched = 0;
  const rows = m.nodes.map((mn): MeasuredRow => {
    const covered = mn.modelNodes.map((n) => facts.get(n)).filter((f): f is NodeFacts => !!f);
    if (!covered.length) {
      if (mn.how !== 'runtime') unmatched++;
      return { name: mn.name, opType: mn.opType, layer: null, how: mn.how, measured: mn.seconds, predicted: null };
    }
    let predicted: number | null = target ? 0 : null;
    const weights = covered.map((f) => f.flops + 1e-9 * f.bytes);
    const wsum = weights.reduce((a, b) => a + b, 0) || covered.length;
    covered.forEach((f, i) => {
      const layerName = report.layers[f.layer]?.name;
      if (layerName === undefined) return;
      const w = wsum > 0 ? (weights[i] || (wsum === covered.length ? 1 : 0)) / wsum : 1 / covered.length;
      perLayer.set(layerName, (perLayer.get(layerName) ?? 0) + mn.seconds * w);
      const lp = tl.get(layerName);
      if (predicted !== null && lp) predicted += lp.seconds * share(f);
    });
    return {
      name: mn.name,
      opType: mn.opType,
      layer: report.layers[covered[0]!.layer]?.name ?? null,
      how: mn.how,
      measured: mn.seconds,
      predicted,
    };
  });
  rows.sort((a, b) => b.measured - a.measured);
  return { perLayer, rows, unmatched, target };
}

const MAX_MEASURED_ROWS = 400;

const HOW: Record<string, string> = {
  name: 'same name',
  renamed: "onnxruntime's rename",
  output: 'named after its output',
  shape: 'output dims',
  runtime: 'inserted by onnxruntime',
  unmatched: 'not matched',
};

export function measuredTable(
  m: MeasuredMessage,
  join: MeasuredJoin,
  host: TableHost,
): { element: HTMLElement; rows: number } {
  const tname = join.target ? join.target.name || join.target.id : null;
  const tbody = h('tbody');
  for (const r of join.rows.slice(0, MAX_MEASURED_ROWS)) {
    const ratio = r.predicted && r.predicted > 0 ? r.measured / r.predicted : null;
    const tr = h(
      'tr',
      { tabIndex: -1, attrs: { 'data-layer': r.layer ?? '' } },
      h('td', { class: 'name' }, r.name),
      h('td', {}, r.opType),
      h('td', { class: 'name' }, r.layer ?? (r.how === 'runtime' ? 'inserted by onnxruntime' : 'not matched')),
      h('td', {}, HOW[r.how] ?? r.how),
      h('td', { class: 'num' }, fmtSeconds(r.measured)),
      h('td', { class: 'num' }, r.predicted === null ? '—' : fmtSeconds(r.predicted)),
      h('td', { class: 'num' }, ratio === null ? '—' : fmtRatio(ratio)),
    );
    if (r.layer) tr.addEventListener('click', () => host.select(r.layer));
    tbody.append(tr);
  }
  if (tbody.firstElementChild) (tbody.firstElementChild as HTMLElement).tabIndex = 0;
  rovingRows(tbody, host);
  const c = m.coverage;
  const kernels = c.measuredNodes - c.runtimeNodes;
  const device = m.device === 'cpu' ? 'a CPU' : m.device === 'gpu' ? 'a GPU' : 'an unknown device';
  const element = h(
    'section',
    { class: 'measured', id: 'measured', attrs: { 'aria-label': 'Measured vs predicted' } },
    h('h2', {}, `Measured vs predicted (${m.source})`),
    h(
      'p',
      { class: 'muted', id: 'measured-coverage' },
      `Measured on ${device}, ${m.runs} run(s), ${fmtSeconds(c.measuredSeconds)} per run in kernels. ` +
        `Matched ${c.matchedNodes} of ${kernels} kernels to the model (${fmtPercent(c.measuredSeconds > 0 ? c.matchedSeconds / c.measuredSeconds : 0)} of the time), ` +
        `covering ${c.modelNodesCovered} of ${c.modelNodes} model nodes; ${c.runtimeNodes} kernel(s) onnxruntime inserted (${fmtSeconds(c.runtimeSeconds)}). `,
      tname
        ? `Predicted: ${tname}, each layer's time split over its nodes by FLOPs share.`
        : `No ${m.device === 'unknown' ? 'comparable' : m.device.toUpperCase()} target is profiled: add one (for example ${m.device === 'gpu' ? 'h100-sxm' : 'cpu-xeon-8480'}) to compare predictions with these measurements.`,
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
            ...['node (onnxruntime)', 'op', 'layer', 'matched by', 'measured', 'predicted', 'measured / predicted'].map(
              (col) => h('th', { attrs: { scope: 'col' } }, col),
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
