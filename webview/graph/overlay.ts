// What the graph's boxes are coloured by, per node and per block, for one target: time (the node's share of
// its fused layer's time), bound, memory fit (the layer's region or pipeline stage against capacity),
// placement (wafer region or GPU stage, in the heatmaps' placement colours), FLOPs, parameters, and measured
// vs predicted when an onnxruntime profile is imported. Blocks aggregate their nodes: sums for time, FLOPs
// and parameters, the worst memory fit, and the bound and placement of the layer that takes most time.
import type { Bound, GpuGrid, TargetLayer, TargetResult, WaferGrid } from '../../src/engine/hardware/types';
import type { Report } from '../../src/engine/profile';
import type { GraphPayload } from '../../src/shared/graph';
import { fmtBytes, fmtFlops, fmtSeconds } from '../../src/report/units';
import { BOUNDS, boundColor, placementText } from '../charts';
import { categorical, css, mix, ramp, type RGB, type Theme } from '../theme';

export type OverlayKind = 'time' | 'bound' | 'memory' | 'placement' | 'flops' | 'params' | 'measured' | 'op';

export const OVERLAY_LABEL: Record<OverlayKind, string> = {
  time: 'Time on target',
  bound: 'Bound',
  memory: 'Memory fit',
  placement: 'Placement',
  flops: 'FLOPs',
  params: 'Parameters',
  measured: 'Measured vs predicted',
  op: 'Op type',
};

/** One target's facts per node of the graph. */
export interface TargetFacts {
  target: TargetResult;
  /** per node: its estimated seconds (share of its layer's time), NaN when the target did not place its layer */
  seconds: Float64Array;
  /** per node: the target layer it belongs to, or undefined */
  layer: (TargetLayer | undefined)[];
  /** per node: index of that layer in target.layers, -1 when none */
  layerIndex: Int32Array;
  /** per target layer: memory use against capacity of its region/stage (NaN: unknown) */
  memUtil: Float64Array;
  /** per target layer: placement colour key (wafer: layer index; GPU: stage) and text */
  placeKey: Int32Array;
}

export interface Aggregate {
  seconds: number;
  flops: number;
  paramBytes: number;
  memUtil: number;
  bound: Bound | null;
  placeKey: number;
  /** the layer that takes most time among the nodes */
  mainLayer: TargetLayer | undefined;
  measured: number;
  /** predicted seconds of the nodes that have a measurement */
  predictedMeasured: number;
  ops: Map<string, number>;
}

function hostsLayer(r: WaferGrid['rects'][number], li: number): boolean {
  return li >= r.layer && li < r.layer + Math.max(1, r.layerCount ?? 1);
}

export function targetFacts(graph: GraphPayload, report: Report, t: TargetResult): TargetFacts {
  const byName = new Map(t.layers.map((l, i) => [l.name, i]));
  const n = graph.nodes.length;
  const layerIndex = new Int32Array(n).fill(-1);
  const layer: (TargetLayer | undefined)[] = new Array(n);
  graph.nodes.forEach((node, i) => {
    const rl = node.layer >= 0 ? report.layers[node.layer] : undefined;
    const li = rl ? byName.get(rl.name) : undefined;
    if (li !== undefined) {
      layerIndex[i] = li;
      layer[i] = t.layers[li];
    }
  });
  // a node's share of its layer: by FLOPs for compute-bound layers, by bytes moved otherwise
  const weight = (i: number): number => {
    const nd = graph.nodes[i];
    return layer[i]?.bound === 'compute' ? nd.flops : nd.bytesRead + nd.bytesWritten;
  };
  const sums = new Float64Array(t.layers.length);
  const counts = new Int32Array(t.layers.length);
  for (let i = 0; i < n; i++)
    if (layerIndex[i] >= 0) {
      sums[layerIndex[i]] += weight(i);
      counts[layerIndex[i]]++;
    }
  const seconds = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const li = layerIndex[i];
    if (li < 0) continue;
    const s = t.layers[li].seconds;
    seconds[i] = sums[li] > 0 ? (s * weight(i)) / sums[li] : s / counts[li];
  }
  const memUtil = new Float64Array(t.layers.length).fill(NaN);
  const placeKey = new Int32Array(t.layers.length).fill(-1);
  const g = t.grid;
  if (g?.kind === 'wafer') {
    for (const r of (g as WaferGrid).rects)
      for (let li = r.layer; li < r.layer + Math.max(1, r.layerCount ?? 1) && li < t.layers.length; li++) {
        if (!hostsLayer(r, li)) continue;
        memUtil[li] = Math.max(Number.isNaN(memUtil[li]) ? 0 : memUtil[li], r.memUtil);
        placeKey[li] = r.layer;
      }
  } else if (g?.kind === 'gpu') {
    const gg = g as GpuGrid;
    gg.stageLayers.forEach((ls, stage) => {
      let worst = 0;
      gg.stage.forEach((s, k) => {
        if (s === stage) worst = Math.max(worst, gg.memUtil[k] ?? 0);
      });
      for (const li of ls) {
        memUtil[li] = worst;
        placeKey[li] = stage;
      }
    });
  }
  return { target: t, seconds, layer, layerIndex, memUtil, placeKey };
}

export function aggregate(
  nodes: ArrayLike<number>,
  graph: GraphPayload,
  f: TargetFacts | undefined,
  measured: Map<string, number> | undefined,
): Aggregate {
  const a: Aggregate = {
    seconds: 0,
    flops: 0,
    paramBytes: 0,
    memUtil: NaN,
    bound: null,
    placeKey: -1,
    mainLayer: undefined,
    measured: 0,
    predictedMeasured: 0,
    ops: new Map(),
  };
  const perLayer = new Map<number, number>();
  for (let k = 0; k < nodes.length; k++) {
    const i = nodes[k];
    const nd = graph.nodes[i];
    a.flops += nd.flops;
    a.paramBytes += nd.paramBytes;
    a.ops.set(nd.opType, (a.ops.get(nd.opType) ?? 0) + 1);
    if (!f) continue;
    const s = f.seconds[i];
    if (!Number.isNaN(s)) {
      a.seconds += s;
      const li = f.layerIndex[i];
      perLayer.set(li, (perLayer.get(li) ?? 0) + s);
      const mu = f.memUtil[li];
      if (!Number.isNaN(mu)) a.memUtil = Number.isNaN(a.memUtil) ? mu : Math.max(a.memUtil, mu);
      const m = measured?.get(nd.name);
      if (m !== undefined) {
        a.measured += m;
        a.predictedMeasured += s;
      }
    }
  }
  let best = -1,
    bestS = -1;
  for (const [li, s] of perLayer)
    if (s > bestS) {
      best = li;
      bestS = s;
    }
  if (f && best >= 0) {
    a.mainLayer = f.target.layers[best];
    a.bound = a.mainLayer?.bound ?? null;
    a.placeKey = f.placeKey[best];
  }
  return a;
}

/** A log position in [0, 1] of v between lo and hi (all > 0). */
function logPos(v: number, lo: number, hi: number): number {
  if (!(v > 0) || !(hi > lo)) return v > 0 ? 1 : 0;
  return Math.max(0, Math.min(1, Math.log(v / lo) / Math.log(hi / lo)));
}

export interface Scale {
  lo: number;
  hi: number;
}

/** The value a ramp overlay shows for an aggregate. */
export function rampValue(kind: OverlayKind, a: Aggregate): number {
  return kind === 'time' ? a.seconds : kind === 'flops' ? a.flops : kind === 'params' ? a.paramBytes : NaN;
}

export function scaleOf(kind: OverlayKind, aggs: Aggregate[]): Scale {
  let lo = Infinity,
    hi = 0;
  for (const a of aggs) {
    const v = rampValue(kind, a);
    if (v > 0) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return { lo: Number.isFinite(lo) ? lo : 0, hi };
}

function opColor(op: string, theme: Theme): RGB {
  let hsh = 0;
  for (let k = 0; k < op.length; k++) hsh = (hsh * 31 + op.charCodeAt(k)) | 0;
  return categorical(Math.abs(hsh) % 97, theme);
}

/** The fill of a box, or null for "no data" (drawn in the neutral colour). */
export function colorOf(
  kind: OverlayKind,
  a: Aggregate,
  scale: Scale,
  theme: Theme,
  mainOp: string | undefined,
): RGB | null {
  switch (kind) {
    case 'time':
    case 'flops':
    case 'params': {
      // no time: the target did not place the node's layer; zero FLOPs or parameters are data (lowest colour)
      if (kind === 'time' && !a.mainLayer) return null;
      const v = rampValue(kind, a);
      return ramp(0.08 + 0.92 * (v > 0 ? logPos(v, scale.lo, scale.hi) : 0), theme);
    }
    case 'bound':
      return a.bound ? boundColor(a.bound, theme) : null;
    case 'memory':
      return Number.isNaN(a.memUtil) ? null : a.memUtil > 1 ? theme.error : ramp(a.memUtil, theme);
    case 'placement':
      return a.placeKey >= 0 ? categorical(a.placeKey, theme) : null;
    case 'measured': {
      if (!(a.predictedMeasured > 0) || !(a.measured > 0)) return null;
      const r = Math.log2(a.measured / a.predictedMeasured);
      const x = Math.max(-1, Math.min(1, r / 3));
      const mid = mix(theme.bg, theme.fg, 0.2);
      return x < 0 ? mix(mid, theme.charts.blue, -x) : mix(mid, theme.charts.red, x);
    }
    case 'op':
      return mainOp ? opColor(mainOp, theme) : null;
  }
}

export interface LegendEntry {
  color: RGB;
  label: string;
}

/** Swatches and labels of the legend for an overlay. */
export function legendOf(
  kind: OverlayKind,
  scale: Scale,
  theme: Theme,
  f: TargetFacts | undefined,
  shownOps: string[],
): { entries: LegendEntry[]; note: string } {
  const neutral = mix(theme.bg, theme.fg, 0.14);
  const none = { color: neutral, label: 'no data' };
  const fmt = kind === 'time' ? fmtSeconds : kind === 'flops' ? fmtFlops : fmtBytes;
  switch (kind) {
    case 'time':
    case 'flops':
    case 'params':
      return {
        entries: [0, 0.25, 0.5, 0.75, 1]
          .map((p) => ({
            color: ramp(0.08 + 0.92 * p, theme),
            label: scale.hi > 0 ? fmt(scale.lo * Math.pow(scale.hi / Math.max(scale.lo, 1e-300), p)) : '—',
          }))
          .concat([none]),
        note:
          kind === 'time'
            ? `estimated time on ${f?.target.id ?? 'no target'} (a node's share of its fused layer, by FLOPs when compute-bound, else by bytes); log scale over the boxes shown`
            : `log scale over the boxes shown`,
      };
    case 'bound':
      return {
        entries: BOUNDS.map((b) => ({ color: boundColor(b, theme), label: `${b}-bound` })).concat([none]),
        note: `the bound of the fused layer on ${f?.target.id ?? 'no target'} (a block: of its slowest layer)`,
      };
    case 'memory':
      return {
        entries: [
          { color: ramp(0, theme), label: '0%' },
          { color: ramp(0.5, theme), label: '50%' },
          { color: ramp(1, theme), label: '100%' },
          { color: theme.error, label: 'over capacity' },
          none,
        ],
        note: `memory use of the layer's ${f?.target.kind === 'gpu-cluster' ? 'pipeline stage (worst GPU)' : 'wafer region'} against capacity`,
      };
    case 'placement':
      return {
        entries: [none],
        note:
          f?.target.kind === 'gpu-cluster'
            ? 'colour: the pipeline stage that runs the layer (as in the GPU heatmap)'
            : "colour: the layer's wafer region (as in the wafer heatmap's placement colours)",
      };
    case 'measured': {
      const mid = mix(theme.bg, theme.fg, 0.2);
      return {
        entries: [
          { color: theme.charts.blue, label: '≤ 1/8 of predicted' },
          { color: mix(mid, theme.charts.blue, 0.33), label: '½' },
          { color: mid, label: 'as predicted' },
          { color: mix(mid, theme.charts.red, 0.33), label: '2×' },
          { color: theme.charts.red, label: '≥ 8× predicted' },
          { color: neutral, label: 'not measured' },
        ],
        note: `measured time (imported profile) against the prediction on ${f?.target.id ?? 'no target'}`,
      };
    }
    case 'op':
      return {
        entries: shownOps.slice(0, 12).map((op) => ({ color: opColor(op, theme), label: op })),
        note: "a block takes its most frequent op's colour",
      };
  }
}

export { css, placementText };
