// Groups nodes into fused layers as a compiler would (one "layer" = one fused group; "kernel" is reserved for
// the wafer mapper's per-region work units, hardware/wafer/kernels.ts): a compute op (MatMul, Conv, Gemm,
// attention, recurrent, pooling, embedding gather) plus the cheap ops that follow it and consume its
// results (bias add, activation, normalisation, reshape/transpose, softmax). Repeated blocks are
// recognised from the node name hierarchy (/model/layers.N/..., /encoder/layer.N/..., /h.N/...).
import type { Model, Node } from '../onnx/ir';
import type { NodeCost } from './types';
import { topoOrder } from '../shapes/infer';

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
  const parts = name.split('/');
  for (let i = 0; i < parts.length; i++) {
    if (BLOCK_SEGMENT.test(parts[i]) || /^[a-z_]+\.\d+$/i.test(parts[i])) return parts.slice(0, i + 1).join('/');
  }
  return null;
}

export function buildLayers(model: Model, costs: NodeCost[]): Layer[] {
  const g = model.graph;
  const order = topoOrder(g);
  const producerLayer = new Map<string, number>();
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
      opTypes: [],
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
  for (const n of order) {
    const anchor = kindOf(n);
    let feedsFromCurrent = false,
      isolated = true;
    for (const i of n.inputs) {
      if (!i) continue;
      const p = producerLayer.get(i);
      if (p === undefined) continue;
      isolated = false;
      if (current !== null && p === current.id) feedsFromCurrent = true;
    }
    if (anchor || !current || (!feedsFromCurrent && !isolated)) {
      current = start(n, anchor ?? (isNorm(n) ? 'norm' : isData(n) ? 'data' : 'elementwise'));
    }
    const l: Layer = current;
    const c = costs[n.index];
    l.nodes.push(n.name || `${n.opType}_${n.index}`);
    l.nodeIndices.push(n.index);
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
    for (const o of n.outputs) if (o) producerLayer.set(o, l.id);
  }
  // Inputs and outputs that cross layer boundaries are what a fused kernel really reads and writes. Per tensor:
  // the one layer that reads it, or MANY_LAYERS (a number per tensor, not a set of layers).
  const MANY_LAYERS = -1;
  const readBy = new Map<string, number>();
  for (const l of layers)
    for (const idx of l.nodeIndices)
      for (const i of g.nodes[idx].inputs) {
        if (!i) continue;
        const r = readBy.get(i);
        if (r === undefined) readBy.set(i, l.id);
        else if (r !== l.id && r !== MANY_LAYERS) readBy.set(i, MANY_LAYERS);
      }
  for (const l of layers) {
    for (const idx of l.nodeIndices) {
      const n = g.nodes[idx];
      const c = costs[idx];
      if (!c) continue;
      let outs = 0;
      for (const o of n.outputs) if (o) outs++;
      for (const o of n.outputs) {
        if (!o) continue;
        const r = readBy.get(o);
        if (graphOutputs.has(o) || (r !== undefined && r !== l.id)) l.activationBytes += c.outputBytes / outs;
      }
      let crossing = false;
      for (const i of n.inputs) {
        if (!i) continue;
        const p = producerLayer.get(i);
        if (p === undefined || p !== l.id) {
          crossing = true;
          break;
        }
      }
      if (crossing) l.inputBytes += c.inputBytes;
    }
    l.bytesWritten = l.activationBytes;
    // exact-size lists: a list grown by push keeps spare slots (a third of the memory of a 1M-node report)
    l.nodes = l.nodes.slice();
    l.nodeIndices = l.nodeIndices.slice();
    l.opTypes = l.opTypes.slice();
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
