// Workload of a graph without the Megatron transformer pattern: one kernel per fused layer of
// Analysis.layers (FLOPs and bytes from the node costs), backward = 2x forward FLOPs and bytes
// (input gradient + weight gradient, the usual estimate), no tensor parallelism. Activation memory:
// training keeps every layer output for the backward pass; full recompute keeps one checkpoint per
// block (the block's input) plus one block's outputs; inference needs the liveness peak.
import type { Analysis } from '../types';
import type { Device } from './roofline';
import type { Work } from './work';

const MATRIX_KINDS = new Set(['matmul', 'conv', 'attention', 'recurrent']);

export interface GenericLayer {
  /** index into Analysis.layers */
  layer: number;
  matrix: boolean;
  /** per sample of the graph batch (activation-dependent) and fixed (parameter) parts */
  flopsPerSample: number;
  actBytesPerSample: number;
  outBytesPerSample: number;
  inBytesPerSample: number;
  paramCount: number;
  block: string | null;
  /** a table lookup (embedding / rotary Gather): reads the rows it gathers, not the whole table */
  lookup: boolean;
}

export interface GenericModel {
  layers: GenericLayer[];
  /** samples the analysis costed (the graph batch as bound) */
  graphBatch: number;
  /** bytes per element of the graph's float activations (to rescale to the chosen precision) */
  graphActBytes: number;
  paramCount: number;
  /** liveness peak of activations for one graph batch (bytes, graph dtype) */
  livePeakPerSample: number;
}

function livenessPeak(a: Analysis): number {
  const g = a.model.graph;
  const lastUse = new Map<string, number>();
  g.nodes.forEach((n, k) => n.inputs.forEach((i) => { if (i) lastUse.set(i, k); }));
  for (const o of g.outputs) lastUse.set(o.name, Infinity);
  const alive = new Map<string, number>();
  let live = 0, peak = 0;
  g.nodes.forEach((n, k) => {
    const c = a.nodeCosts[k];
    if (!c || n.opType === 'Constant') return;
    const outs = n.outputs.filter(Boolean);
    for (const o of outs) { const s = c.outputBytes / outs.length; alive.set(o, s); live += s; }
    peak = Math.max(peak, live);
    for (const [name, s] of alive) if ((lastUse.get(name) ?? -1) <= k) { live -= s; alive.delete(name); }
  });
  return peak;
}

export function genericModel(a: Analysis): GenericModel {
  const graphBatch = Math.max(1, a.samplesPerStep);
  // dominant float dtype of the parameters: FLOAT16/BFLOAT16 -> 2 bytes, else 4
  const byDtype = a.stats.parameterCountByDtype;
  const half = (byDtype[10] ?? 0) + (byDtype[16] ?? 0);
  const full = byDtype[1] ?? 0;
  const graphActBytes = half > full ? 2 : 4;
  const layers = a.layers.map<GenericLayer>((l, i) => ({
    layer: i,
    matrix: MATRIX_KINDS.has(l.kind),
    flopsPerSample: l.forwardFlops / graphBatch,
    actBytesPerSample: l.activationBytes / graphBatch,
    outBytesPerSample: l.activationBytes / graphBatch,
    inBytesPerSample: l.inputBytes / graphBatch,
    paramCount: l.paramCount,
    block: l.block,
    lookup: l.kind === 'embedding',
  }));
  return { layers, graphBatch, graphActBytes, paramCount: a.stats.parameterCount, livePeakPerSample: livenessPeak(a) / graphBatch };
}

/** Forward kernel of one layer for a microbatch of b samples. */
export function genericForward(dev: Device, m: GenericModel, l: GenericLayer, b: number): Work {
  const scale = dev.actBytes / m.graphActBytes;
  const out = l.outBytesPerSample * b * scale;
  return {
    name: `layer${l.layer}`, role: `layer:${l.layer}`, kind: l.matrix ? 'matrix' : 'vector',
    flops: l.flopsPerSample * b,
    // a lookup reads the rows it writes (and its indices), not the whole table
    bytes: l.lookup ? 2 * out : l.inBytesPerSample * b * scale + out + l.paramCount * dev.weightBytes,
  };
}

export function genericBackward(dev: Device, m: GenericModel, l: GenericLayer, b: number): Work {
  const f = genericForward(dev, m, l, b);
  return { ...f, name: `${f.name}.bwd`, flops: 2 * f.flops, bytes: 2 * f.bytes };
}

/** Activation bytes a stage keeps per microbatch in flight, and its working set. */
export function genericActivations(dev: Device, m: GenericModel, layers: GenericLayer[], b: number, training: boolean, recompute: 'none' | 'selective' | 'full'): { stored: number; working: number } {
  const scale = (dev.actBytes / m.graphActBytes) * b;
  if (!training) return { stored: 0, working: m.livePeakPerSample * scale };
  const all = layers.reduce((s, l) => s + l.actBytesPerSample, 0) * scale;
  if (recompute !== 'full') return { stored: all, working: 0 };
  // checkpoint at block boundaries (or every layer outside blocks): keep each group's input
  const groups = new Map<string, GenericLayer[]>();
  layers.forEach((l) => {
    const key = l.block ?? `layer${l.layer}`;
    const g = groups.get(key);
    if (g) g.push(l); else groups.set(key, [l]);
  });
  let stored = 0, working = 0;
  for (const g of groups.values()) {
    stored += g[0].inBytesPerSample * scale;
    working = Math.max(working, g.reduce((s, l) => s + l.actBytesPerSample, 0) * scale);
  }
  return { stored, working };
}
