// Workload of a graph without the Megatron transformer pattern: one kernel per fused layer of
// Analysis.layers (FLOPs and bytes from the node costs), backward = 2x forward FLOPs and bytes
// (input gradient + weight gradient, the usual estimate), no tensor parallelism. Activation memory:
// training keeps every layer output for the backward pass; full recompute keeps one checkpoint per
// block (the block's input) plus one block's outputs; inference needs the liveness peak.
import type { Analysis } from '../types';
import type { Device, GemmShape } from './roofline';
import type { Work } from './work';
import { weightBytesAt } from '../../cost/layers';
import { boundDims, dimsById, graphValues, type GraphValues } from '../graphValues';
import type { Dim } from '../../onnx/ir';

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
  /** of paramCount: block-quantized weights, held as stored (weightBytesAt) */
  quantizedParamCount: number;
  quantizedParamBytes: number;
  block: string | null;
  /** a table lookup (embedding / rotary Gather): reads the rows it gathers, not the whole table */
  lookup: boolean;
  /** the matrix product of a MatMul / Gemm anchored layer at the graph batch, and which of its dims grows
   * with the samples (the rows of a product with a 2-D right operand, else the batch of products) */
  gemm?: GemmShape & { scales: 'm' | 'batch' };
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
  // value ids and typed arrays (graphValues) instead of maps keyed by name: this walks every node
  const { names, ins, inStart, outs, outStart, outputIds } = graphValues(a);
  const V = names.length;
  const lastUse = new Float64Array(V).fill(-1);
  for (let k = 0; k < g.nodes.length; k++)
    for (let q = inStart[k]; q < inStart[k + 1]; q++) if (ins[q] >= 0) lastUse[ins[q]] = k;
  for (let k = 0; k < g.outputs.length; k++) if (outputIds[k] >= 0) lastUse[outputIds[k]] = Infinity;
  // the live values in the order they became live (the order they are freed in, so the sums are the same)
  const size = new Float64Array(V);
  const isLive = new Uint8Array(V);
  const order: number[] = [];
  let live = 0,
    peak = 0;
  g.nodes.forEach((n, k) => {
    const c = a.nodeCosts[k];
    if (!c || n.opType === 'Constant') return;
    let count = 0;
    for (let q = outStart[k]; q < outStart[k + 1]; q++) if (outs[q] >= 0) count++;
    for (let q = outStart[k]; q < outStart[k + 1]; q++) {
      const o = outs[q];
      if (o < 0) continue;
      const s = c.outputBytes / count;
      if (!isLive[o]) {
        isLive[o] = 1;
        order.push(o);
      }
      size[o] = s;
      live += s;
    }
    peak = Math.max(peak, live);
    let w = 0;
    for (let r = 0; r < order.length; r++) {
      const o = order[r];
      if (lastUse[o] <= k) {
        live -= size[o];
        isLive[o] = 0;
      } else order[w++] = o;
    }
    order.length = w;
  });
  return peak;
}

/** The [m,k] x [k,n] product (times batch) a MatMul or Gemm node computes, from its inferred input shapes;
 * undefined when a shape is unknown. A right operand of rank 2 (a weight) makes one GEMM over all rows. */
function gemmShapeOf(
  a: Analysis,
  node: number,
  gv: GraphValues,
  bound: (dims: Dim[]) => number[] | null,
): (GemmShape & { scales: 'm' | 'batch' }) | undefined {
  const g = a.model.graph;
  const n = g.nodes[node];
  if (!n || (n.opType !== 'MatMul' && n.opType !== 'Gemm') || (n.domain !== '' && n.domain !== 'com.microsoft'))
    return undefined;
  const dimsOf = (k: number): number[] | undefined => {
    const q = gv.inStart[node] + k;
    const out = q < gv.inStart[node + 1] ? dimsById(gv, bound, gv.ins[q]) : null;
    return out && out.every((v) => v > 0) ? out : undefined;
  };
  const A = dimsOf(0),
    B = dimsOf(1);
  if (!A || !B || A.length === 0 || B.length === 0) return undefined;
  const prod = (xs: number[]) => xs.reduce((x, y) => x * y, 1);
  if (n.opType === 'Gemm') {
    const ta = n.attrs.transA?.type === 'int' && n.attrs.transA.value === 1;
    const tb = n.attrs.transB?.type === 'int' && n.attrs.transB.value === 1;
    if (A.length !== 2 || B.length !== 2) return undefined;
    return { m: ta ? A[1] : A[0], k: ta ? A[0] : A[1], n: tb ? B[0] : B[1], batch: 1, scales: 'm' };
  }
  const k = A[A.length - 1],
    nn = B.length === 1 ? 1 : B[B.length - 1];
  if (B.length <= 2) return { m: Math.max(1, prod(A.slice(0, -1))), k, n: nn, batch: 1, scales: 'm' };
  const lead = Math.max(prod(A.slice(0, -2)), prod(B.slice(0, -2)));
  return { m: A.length >= 2 ? A[A.length - 2] : 1, k, n: nn, batch: lead, scales: 'batch' };
}

export function genericModel(a: Analysis, bind: Record<string, number> = {}): GenericModel {
  const graphBatch = Math.max(1, a.samplesPerStep);
  // dominant float dtype of the parameters: FLOAT16/BFLOAT16 -> 2 bytes, else 4
  const byDtype = a.stats.parameterCountByDtype;
  const half = (byDtype[10] ?? 0) + (byDtype[16] ?? 0);
  const full = byDtype[1] ?? 0;
  const graphActBytes = half > full ? 2 : 4;
  const gv = graphValues(a),
    bound = boundDims(a, bind);
  const layers = a.layers.map<GenericLayer>((l, i) => ({
    layer: i,
    matrix: MATRIX_KINDS.has(l.kind),
    flopsPerSample: l.forwardFlops / graphBatch,
    actBytesPerSample: l.activationBytes / graphBatch,
    outBytesPerSample: l.activationBytes / graphBatch,
    inBytesPerSample: l.inputBytes / graphBatch,
    paramCount: l.paramCount,
    quantizedParamCount: l.quantizedParamCount,
    quantizedParamBytes: l.quantizedParamBytes,
    block: l.block,
    lookup: l.kind === 'embedding',
    gemm: l.kind === 'matmul' && l.nodeIndices.length ? gemmShapeOf(a, l.nodeIndices[0], gv, bound) : undefined,
  }));
  return {
    layers,
    graphBatch,
    graphActBytes,
    paramCount: a.stats.parameterCount,
    livePeakPerSample: livenessPeak(a) / graphBatch,
  };
}

/** The layer's matrix product for a microbatch of b samples (the graph's is for graphBatch). */
function gemmFor(m: GenericModel, l: GenericLayer, b: number): GemmShape | undefined {
  const g = l.gemm;
  if (!g) return undefined;
  const f = b / m.graphBatch;
  return g.scales === 'm'
    ? { m: Math.max(1, Math.round(g.m * f)), k: g.k, n: g.n, batch: 1 }
    : { m: g.m, k: g.k, n: g.n, batch: Math.max(1, Math.round(g.batch * f)) };
}

/** What a layer's kernel asks of a GPU for a microbatch of b samples (a Work without its names). */
export type Kernel = Pick<Work, 'kind' | 'flops' | 'bytes' | 'gemm'>;

/** Forward kernel of one layer for a microbatch of b samples, unnamed (the plan search times many layers'
 * kernels and names only the distinct ones). */
export function genericKernel(dev: Device, m: GenericModel, l: GenericLayer, b: number): Kernel {
  const scale = dev.actBytes / m.graphActBytes;
  const out = l.outBytesPerSample * b * scale;
  return {
    kind: l.matrix ? 'matrix' : 'vector',
    flops: l.flopsPerSample * b,
    // a lookup reads the rows it writes (and its indices), not the whole table
    bytes: l.lookup ? 2 * out : l.inBytesPerSample * b * scale + out + weightBytesAt(l, dev.weightBytes),
    gemm: l.matrix ? gemmFor(m, l, b) : undefined,
  };
}

/** The backward kernel: input gradient + weight gradient, twice the forward FLOPs and bytes. */
export function genericBackwardKernel(f: Kernel): Kernel {
  return { ...f, flops: 2 * f.flops, bytes: 2 * f.bytes };
}

/** Forward kernel of one layer for a microbatch of b samples. */
export function genericForward(dev: Device, m: GenericModel, l: GenericLayer, b: number): Work {
  return { name: `layer${l.layer}`, role: `layer:${l.layer}`, ...genericKernel(dev, m, l, b) };
}

export function genericBackward(dev: Device, m: GenericModel, l: GenericLayer, b: number): Work {
  return {
    name: `layer${l.layer}.bwd`,
    role: `layer:${l.layer}`,
    ...genericBackwardKernel(genericKernel(dev, m, l, b)),
  };
}

/** Activation bytes a stage keeps per microbatch in flight, and its working set. */
export function genericActivations(
  dev: Device,
  m: GenericModel,
  layers: GenericLayer[],
  b: number,
  training: boolean,
  recompute: 'none' | 'selective' | 'full',
): { stored: number; working: number } {
  const scale = (dev.actBytes / m.graphActBytes) * b;
  if (!training) return { stored: 0, working: m.livePeakPerSample * scale };
  const all = layers.reduce((s, l) => s + l.actBytesPerSample, 0) * scale;
  if (recompute !== 'full') return { stored: all, working: 0 };
  // checkpoint at block boundaries (or every layer outside blocks): keep each group's input
  const groups = new Map<string, GenericLayer[]>();
  layers.forEach((l) => {
    const key = l.block ?? `layer${l.layer}`;
    const g = groups.get(key);
    if (g) g.push(l);
    else groups.set(key, [l]);
  });
  let stored = 0,
    working = 0;
  for (const g of groups.values()) {
    stored += g[0].inBytesPerSample * scale;
    working = Math.max(working, g.reduce((s, l) => s + l.actBytesPerSample, 0) * scale);
  }
  return { stored, working };
}
