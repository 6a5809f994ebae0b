// Groups nodes into fused layers as a compiler would (one "layer" = one fused group; "kernel" is reserved for
// the wafer mapper's per-region work units, hardware/wafer/kernels.ts): a compute op (MatMul, Conv, Gemm,
// attention, recurrent, pooling, embedding gather) plus the cheap ops that follow it and consume its
// results (bias add, activation, normalisation, reshape/transpose, softmax). Repeated blocks are
// recognised from the node name hierarchy (/model/layers.N/..., /encoder/layer.N/..., /h.N/...).
import type { Model, Node } from '../onnx/ir';
import type { NodeCost } from './types';
import { topoOrder } from '../shapes/infer';
import { graphIds } from '../onnx/nameIds';

export type LayerKind =
  | 'matmul'
  | 'conv'
  | 'attention'
  | 'recurrent'
  | 'pool'
  | 'embedding'
  | 'norm'
  | 'elementwise'
  | 'data'
  | 'control'
  | 'other';

export interface Layer {
  id: number;
  name: string;
  kind: LayerKind;
  opTypes: string[];
  nodes: string[];
  nodeIndices: number[];
  /** repeated block the layer belongs to, e.g. "/model/layers.3", or null */
  block: string | null;
  forwardFlops: number;
  paramCount: number;
  parameterBytes: number;
  /** of paramCount: logical elements of block-quantized weights (int4 MatMulNBits ...) */
  quantizedParamCount: number;
  /** of parameterBytes: stored bytes of those weights with their scales / zero points */
  quantizedParamBytes: number;
  /** bytes of activations this layer writes that leave it (outputs consumed by other layers or graph outputs) */
  activationBytes: number;
  inputBytes: number;
  bytesRead: number;
  bytesWritten: number;
  modelled: boolean;
  approximate: boolean;
}

const ANCHOR_KIND: Record<string, LayerKind> = {
  MatMul: 'matmul',
  Gemm: 'matmul',
  MatMulInteger: 'matmul',
  QLinearMatMul: 'matmul',
  Einsum: 'matmul',
  MatMulNBits: 'matmul',
  Conv: 'conv',
  ConvTranspose: 'conv',
  ConvInteger: 'conv',
  QLinearConv: 'conv',
  DeformConv: 'conv',
  Attention: 'attention',
  MultiHeadAttention: 'attention',
  GroupQueryAttention: 'attention',
  GatherBlockQuantized: 'embedding',
  MoE: 'matmul',
  QMoE: 'matmul',
  LSTM: 'recurrent',
  GRU: 'recurrent',
  RNN: 'recurrent',
  MaxPool: 'pool',
  AveragePool: 'pool',
  GlobalAveragePool: 'pool',
  GlobalMaxPool: 'pool',
  LpPool: 'pool',
  MaxRoiPool: 'pool',
  RoiAlign: 'pool',
  If: 'control',
  Loop: 'control',
  Scan: 'control',
};

const BLOCK_SEGMENT =
  /^(layers?|h|blocks?|block_\w+|stages?|encoder_layer|decoder_layer|transformer_blocks|resblocks|res\d+|layer\d+)[._]?\d+$/i;

export function blockOf(name: string): string | null {
  // segment by segment without split(): one array of parts per layer was most of this pass's garbage
  for (let start = 0; ;) {
    const slash = name.indexOf('/', start);
    const end = slash < 0 ? name.length : slash;
    const part = name.substring(start, end);
    if (BLOCK_SEGMENT.test(part) || /^[a-z_]+\.\d+$/i.test(part)) return name.substring(0, end);
    if (slash < 0) return null;
    start = slash + 1;
  }
}

/** readBy codes besides a layer id: no layer reads the tensor, or more than one does. */
const NO_LAYER = -1;
const MANY_LAYERS = -2;

export function buildLayers(model: Model, costs: NodeCost[]): Layer[] {
  const g = model.graph;
  const order = topoOrder(g);
  // per tensor id (onnx/nameIds.ts): its producer's layer, and the layer that reads it
  const ids = graphIds(g);
  const { ins, insEnd, outs, outsEnd } = ids.names;
  const producerLayer = new Int32Array(ids.count).fill(NO_LAYER);
  const readBy = new Int32Array(ids.count).fill(NO_LAYER);
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const layers: Layer[] = [];
  let current: Layer | null = null;
  const kindOf = (n: Node): LayerKind | null => {
    if (n.domain === '' || n.domain === 'com.microsoft') {
      const k = ANCHOR_KIND[n.opType];
      if (k) return k;
      if (n.opType === 'Gather' && costs[n.index]?.paramBytes > 1 << 20) return 'embedding';
    }
    return null;
  };
  const start = (n: Node, kind: LayerKind): Layer => {
    const l: Layer = {
      id: layers.length,
      name: n.name || `${n.opType}_${n.index}`,
      kind,
      opTypes: [n.opType],
      nodes: [],
      nodeIndices: [],
      block: blockOf(n.name),
      forwardFlops: 0,
      paramCount: 0,
      parameterBytes: 0,
      quantizedParamCount: 0,
      quantizedParamBytes: 0,
      activationBytes: 0,
      inputBytes: 0,
      bytesRead: 0,
      bytesWritten: 0,
      modelled: true,
      approximate: false,
    };
    layers.push(l);
    return l;
  };
  // a layer takes nodes only while it is the current one: its nodes are one run of `order`, [runStart[id], next)
  const runStart: number[] = [];
  for (let pos = 0; pos < order.length; pos++) {
    const n = order[pos];
    const anchor = kindOf(n);
    let feedsFromCurrent = false,
      isolated = true;
    for (let j = n.index ? insEnd[n.index - 1] : 0, e = insEnd[n.index]; j < e; j++) {
      const p = ins[j] >= 0 ? producerLayer[ins[j]] : NO_LAYER;
      if (p === NO_LAYER) continue;
      isolated = false;
      if (current !== null && p === current.id) feedsFromCurrent = true;
    }
    if (anchor || !current || (!feedsFromCurrent && !isolated)) {
      current = start(n, anchor ?? (isNorm(n) ? 'norm' : isData(n) ? 'data' : 'elementwise'));
      runStart.push(pos);
    }
    const l: Layer = current;
    const c = costs[n.index];
    if (!l.opTypes.includes(n.opType)) l.opTypes.push(n.opType);
    if (c) {
      l.forwardFlops += c.flops;
      l.paramCount += c.paramCount;
      l.parameterBytes += c.paramBytes;
      l.quantizedParamCount += c.quantizedParamCount ?? 0;
      l.quantizedParamBytes += c.quantizedParamBytes ?? 0;
      l.bytesRead += c.bytesRead;
      l.modelled &&= c.modelled;
      l.approximate ||= c.approximate;
    }
    for (let j = n.index ? outsEnd[n.index - 1] : 0, e = outsEnd[n.index]; j < e; j++)
      if (outs[j] >= 0) producerLayer[outs[j]] = l.id;
  }
  // exact-size lists, made once (lists grown by push keep spare slots: a third of a 1M-node report's memory)
  for (let id = 0; id < layers.length; id++) {
    const run = order.slice(runStart[id], id + 1 < layers.length ? runStart[id + 1] : order.length);
    const l = layers[id];
    l.nodes = run.map((n) => n.name || `${n.opType}_${n.index}`);
    l.nodeIndices = run.map((n) => n.index);
    if (l.opTypes.length > 1) l.opTypes = l.opTypes.slice();
  }
  // Inputs and outputs that cross layer boundaries are what a fused kernel really reads and writes. Per produced
  // tensor: the one layer that reads it, or MANY_LAYERS (a number per tensor, not a set of layers).
  for (const l of layers)
    for (const idx of l.nodeIndices)
      for (let j = idx ? insEnd[idx - 1] : 0, e = insEnd[idx]; j < e; j++) {
        const id = ins[j];
        if (id < 0) continue;
        const r = readBy[id];
        if (r === NO_LAYER) readBy[id] = l.id;
        else if (r !== l.id && r !== MANY_LAYERS) readBy[id] = MANY_LAYERS;
      }
  for (const l of layers) {
    for (const idx of l.nodeIndices) {
      const n = g.nodes[idx];
      const c = costs[idx];
      if (!c) continue;
      const o0 = idx ? outsEnd[idx - 1] : 0,
        o1 = outsEnd[idx];
      let named = 0;
      for (let j = o0; j < o1; j++) if (outs[j] >= 0) named++;
      for (let j = o0; j < o1; j++) {
        const id = outs[j];
        if (id < 0) continue;
        const r = readBy[id];
        if (graphOutputs.has(n.outputs[j - o0]) || (r !== NO_LAYER && r !== l.id))
          l.activationBytes += c.outputBytes / named;
      }
      let crossing = false;
      for (let j = idx ? insEnd[idx - 1] : 0, e = insEnd[idx]; j < e; j++) {
        const id = ins[j];
        if (id < 0) continue;
        const p = producerLayer[id];
        if (p === NO_LAYER || p !== l.id) {
          crossing = true;
          break;
        }
      }
      if (crossing) l.inputBytes += c.inputBytes;
    }
    l.bytesWritten = l.activationBytes;
  }
  return layers;
}

/** Parameter counts and stored bytes a weight-bytes rule needs (a Layer, or a whole model's stats). */
export interface WeightCounts {
  paramCount: number;
  quantizedParamCount: number;
  quantizedParamBytes: number;
}

/**
 * Bytes of weights held at `bytesPerParam` (the run's precision): float weights take the precision's size,
 * block-quantized weights stay as stored (their packed int4/int8 values plus scales and zero points), since
 * the model ships them so and the kernels read them so (onnxruntime MatMulNBits dequantizes on the fly).
 */
export function weightBytesAt(w: WeightCounts, bytesPerParam: number): number {
  return (w.paramCount - w.quantizedParamCount) * bytesPerParam + w.quantizedParamBytes;
}

/** weightBytesAt expressed in parameters of `bytesPerParam` each: for formulas written per parameter. */
export function effectiveParams(w: WeightCounts, bytesPerParam: number): number {
  return bytesPerParam > 0 ? weightBytesAt(w, bytesPerParam) / bytesPerParam : w.paramCount;
}

function isNorm(n: Node): boolean {
  return /Normalization$|^LRN$|^MeanVarianceNormalization$/.test(n.opType);
}

function isData(n: Node): boolean {
  return /^(Reshape|Transpose|Squeeze|Unsqueeze|Flatten|Concat|Split|Slice|Gather|Shape|Size|Expand|Tile|Pad|Identity|Cast|Constant|ConstantOfShape|Range)$/.test(
    n.opType,
  );
}
