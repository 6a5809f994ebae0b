// Joins an imported onnxruntime profile (matched to the model's nodes by match.ts) with a prediction, row by row
// and in total. Predictions come only from a target of the kind the profile was measured on (a CPU profile with a
// CPU device target, a GPU profile with one GPU): comparing a laptop's CPU times with a wafer's would say nothing
// about either. Pure: the webview's measured view and the tests call it.
import type { Report } from '../engine/profile';
import type { MeasuredMessage, NodeFacts } from '../shared/protocol';
import type { TargetResult } from '../engine/hardware/types';

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
  totals: MeasuredTotals;
}

export interface MeasuredTotals {
  /** measured seconds per run of the kernels matched to model nodes */
  matchedMeasured: number;
  /** predicted seconds of those kernels' model nodes (0 without a target) */
  matchedPredicted: number;
  /** measured seconds per run of every kernel (runtime-inserted and unmatched ones too) */
  measured: number;
  /** the target's predicted step (the whole model), when there is a target */
  predictedStep?: number;
}

/** measured / predicted, or undefined when there is no positive prediction. */
export function ratioOf(measured: number, predicted: number | null | undefined): number | undefined {
  return predicted && predicted > 0 && measured >= 0 ? measured / predicted : undefined;
}

/** Whether `t` is the kind of device the profile was measured on: a device target of the same processor. */
export function comparable(t: TargetResult, device: MeasuredMessage['device']): boolean {
  return t.kind === 'device' && t.processor === device;
}

/**
 * Joins measured nodes with the model's nodes. A model node's predicted time is its layer's predicted time split
 * over the layer's nodes (the engine predicts fused layers, not single nodes): a device target's per-kernel
 * dispatch time equally, the rest by the node's share of the layer's FLOPs (bytes when the layer has no FLOPs).
 */
export function joinMeasured(
  m: MeasuredMessage,
  nodes: NodeFacts[],
  report: Report,
  targets: TargetResult[],
): MeasuredJoin {
  const own = m.prediction?.target;
  const target = own && comparable(own, m.device) ? own : targets.find((t) => comparable(t, m.device));
  const facts = new Map(nodes.map((n) => [n.name, n]));
  const layerTotals = new Map<number, { flops: number; bytes: number; nodes: number }>();
  for (const n of nodes) {
    const t = layerTotals.get(n.layer) ?? { flops: 0, bytes: 0, nodes: 0 };
    t.flops += n.flops;
    t.bytes += n.bytes;
    t.nodes++;
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
    /** a node's part of its layer's prediction: the layer's fixed dispatch time shared equally by its nodes (each
     * one a kernel onnxruntime may run on its own), the rest by the node's FLOPs share (bytes without FLOPs) */
    const nodePart = (f: NodeFacts, layerName: string): number => {
      const lp = tl.get(layerName);
      if (!lp) return 0;
      const d = lp.detail?.dispatchSeconds;
      const dispatch = typeof d === 'number' && d > 0 && d <= lp.seconds ? d : 0;
      return dispatch / Math.max(1, layerTotals.get(f.layer)?.nodes ?? 1) + (lp.seconds - dispatch) * share(f);
    };
    const weights = covered.map((f) => f.flops + 1e-9 * f.bytes);
    const wsum = weights.reduce((a, b) => a + b, 0) || covered.length;
    covered.forEach((f, i) => {
      const layerName = report.layers[f.layer]?.name;
      if (layerName === undefined) return;
      const w = wsum > 0 ? (weights[i] || (wsum === covered.length ? 1 : 0)) / wsum : 1 / covered.length;
      perLayer.set(layerName, (perLayer.get(layerName) ?? 0) + mn.seconds * w);
      if (predicted !== null) predicted += nodePart(f, layerName);
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
  const totals: MeasuredTotals = { matchedMeasured: 0, matchedPredicted: 0, measured: 0 };
  for (const r of rows) {
    totals.measured += r.measured;
    if (r.layer === null) continue;
    totals.matchedMeasured += r.measured;
    totals.matchedPredicted += r.predicted ?? 0;
  }
  if (target) totals.predictedStep = target.stepSeconds;
  return { perLayer, rows, unmatched, target, totals };
}
