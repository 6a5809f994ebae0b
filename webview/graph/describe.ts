// Tooltip content for the graph's boxes, in the heatmaps' tooltip format (webview/tooltip.ts): op, shapes,
// FLOPs, parameters, then per target its time, bound, memory and placement, and the measured time.
import type { Dim } from '../../src/engine/onnx/ir';
import type { GraphPayload, GraphTensor } from '../../src/shared/graph';
import { fmtBytes, fmtFlops, fmtRatio, fmtSeconds } from '../../src/report/units';
import type { Report } from '../../src/engine/profile';
import { placementText } from '../charts';
import type { TooltipContent } from '../tooltip';
import { blockPath, type Group } from './hierarchy';
import { aggregate, type TargetFacts } from './overlay';

export function dimsText(dims: Dim[] | null): string {
  return dims ? `[${dims.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '[rank unknown]';
}

export function tensorText(t: GraphTensor): string {
  return `${t.dtype || '?'}${dimsText(t.dims)}`;
}

const MAX_IO = 4;

function ioText(graph: GraphPayload, ts: number[]): string {
  const shown = ts.filter((t) => t >= 0);
  const head = shown.slice(0, MAX_IO).map((t) => tensorText(graph.tensors[t]));
  return (head.join(', ') || '—') + (shown.length > MAX_IO ? `, … ${shown.length} in all` : '');
}

export function describeNode(
  graph: GraphPayload,
  report: Report,
  i: number,
  facts: TargetFacts[],
  measured: Map<string, number> | undefined,
): TooltipContent {
  const n = graph.nodes[i];
  const data = n.inputs.filter((t) => t >= 0 && !graph.tensors[t].init);
  const weights = n.inputs.filter((t) => t >= 0 && graph.tensors[t].init);
  const rows: [string, string][] = [
    ['op', `${n.domain ? `${n.domain}.` : ''}${n.opType}`],
    ['inputs', ioText(graph, data)],
  ];
  if (weights.length) rows.push(['weights', ioText(graph, weights)]);
  rows.push(['outputs', ioText(graph, n.outputs)], ['FLOPs', fmtFlops(n.flops)]);
  if (n.paramBytes) rows.push(['parameters', fmtBytes(n.paramBytes)]);
  const layer = n.layer >= 0 ? report.layers[n.layer] : undefined;
  rows.push(['layer', layer ? layer.name : '— (in no fused layer)']);
  for (const f of facts) {
    const tl = f.layer[i];
    if (!tl) {
      rows.push([`time on ${f.target.id}`, "not placed by this target's mapper"]);
      continue;
    }
    rows.push([
      `time on ${f.target.id}`,
      `≈${fmtSeconds(f.seconds[i])} of its layer's ${fmtSeconds(tl.seconds)}, ${tl.bound}-bound`,
    ]);
    const mu = f.memUtil[f.layerIndex[i]];
    rows.push([
      `memory on ${f.target.id}`,
      `${fmtBytes(tl.memoryBytes)}${Number.isNaN(mu) ? '' : ` (${(mu * 100).toFixed(0)}% of its ${f.target.kind === 'wafer' ? 'region' : 'stage'}'s capacity)`}`,
    ]);
    rows.push([`placement on ${f.target.id}`, placementText(tl.placement)]);
  }
  const m = measured?.get(n.name);
  if (m !== undefined) {
    const p = facts[0]?.seconds[i];
    rows.push([
      'measured',
      `${fmtSeconds(m)}${p && p > 0 ? ` (${fmtRatio(m / p)} the prediction on ${facts[0].target.id})` : ''}`,
    ]);
  }
  const over = facts.find((f) => (f.memUtil[f.layerIndex[i]] ?? 0) > 1);
  return {
    title: n.name,
    rows,
    flag: over ? `over capacity on ${over.target.id}: the layer's memory does not fit` : undefined,
  };
}

export function describeBlock(
  graph: GraphPayload,
  g: Group,
  facts: TargetFacts[],
  measured: Map<string, number> | undefined,
): TooltipContent {
  const base = aggregate(g.nodes, graph, facts[0], measured);
  const ops = [...base.ops.entries()].sort((a, b) => b[1] - a[1]);
  const rows: [string, string][] = [
    ['block', `${g.nodes.length} nodes${g.run ? ' (a run of consecutive blocks)' : ''}`],
    [
      'ops',
      ops
        .slice(0, 6)
        .map(([op, c]) => `${op}×${c}`)
        .join(', ') + (ops.length > 6 ? ', …' : ''),
    ],
    ['FLOPs', fmtFlops(base.flops)],
    ['parameters', fmtBytes(base.paramBytes)],
  ];
  facts.forEach((f, k) => {
    const a = k === 0 ? base : aggregate(g.nodes, graph, f, measured);
    if (!a.mainLayer) {
      rows.push([`time on ${f.target.id}`, "not placed by this target's mapper"]);
      return;
    }
    rows.push([
      `time on ${f.target.id}`,
      `≈${fmtSeconds(a.seconds)}, slowest layer ${a.mainLayer.name} ${a.mainLayer.bound}-bound`,
    ]);
    if (!Number.isNaN(a.memUtil))
      rows.push([`memory on ${f.target.id}`, `worst ${(a.memUtil * 100).toFixed(0)}% of capacity`]);
    rows.push([`placement on ${f.target.id}`, placementText(a.mainLayer.placement)]);
  });
  if (base.measured > 0)
    rows.push([
      'measured',
      `${fmtSeconds(base.measured)} (predicted ${fmtSeconds(base.predictedMeasured)} for the measured nodes)`,
    ]);
  return {
    title: blockPath(g) + (g.run ? ` [${g.label}]` : '') || 'graph',
    rows,
    flag: facts.some((f) => aggregate(g.nodes, graph, f, undefined).memUtil > 1)
      ? 'over capacity: a layer in this block does not fit'
      : undefined,
  };
}

export function describeIo(graph: GraphPayload, ts: number[], kind: 'input' | 'output'): TooltipContent {
  if (ts.length === 1) {
    const x = graph.tensors[ts[0]];
    return { title: x.name, rows: [['graph ' + kind, tensorText(x)]] };
  }
  const rows: [string, string][] = ts.slice(0, 8).map((t) => [graph.tensors[t].name, tensorText(graph.tensors[t])]);
  if (ts.length > 8) rows.push(['…', `${ts.length - 8} more`]);
  return { title: `${ts.length} graph ${kind}s`, rows };
}
