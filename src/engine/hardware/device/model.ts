// Per-layer time on one device, as a runtime like onnxruntime runs a graph: one kernel after another, no overlap
// between layers. Each layer is a roofline (Williams, Waterman & Patterson 2009, "Roofline: an insightful visual
// performance model", CACM 52(4)): the larger of its compute time and its memory time, plus the fixed cost of
// every kernel the runtime dispatches for it:
//   t = kernels x dispatch + max(FLOPs / (peak x efficiency), bytes / (bandwidth x memory efficiency))
// FLOPs and bytes are the layer's costs as every other target reads them (gpu/generic.ts: the fused layer's
// FLOPs, its inputs, outputs and weights at the precision).
import type { Bound } from '../types';
import type { Node } from '../../onnx/ir';
import type { DevicePeaks, DeviceSpec } from './spec';

export interface LayerWork {
  flops: number;
  bytes: number;
  /** matrix kernels (MatMul, Conv, attention, recurrent) run at the matrix peak, the others at the vector peak */
  matrix: boolean;
  kernels: number;
}

export interface LayerTime {
  seconds: number;
  compute: number;
  memory: number;
  dispatch: number;
  bound: Bound;
}

export function layerTime(spec: DeviceSpec, peaks: DevicePeaks, w: LayerWork): LayerTime {
  const eff = spec.efficiency;
  const rate = w.matrix ? peaks.matrixFlops * eff.matrix : peaks.vectorFlops * eff.vector;
  const compute = w.flops > 0 && rate > 0 ? w.flops / rate : 0;
  const memory = w.bytes > 0 ? w.bytes / (peaks.bandwidth * eff.memory) : 0;
  const dispatch = w.kernels * spec.kernel.dispatch_us * 1e-6;
  const seconds = dispatch + Math.max(compute, memory);
  const bound: Bound = dispatch > Math.max(compute, memory) ? 'latency' : compute >= memory ? 'compute' : 'memory';
  return { seconds, compute, memory, dispatch, bound };
}

/** Ops a runtime removes before running (constants folded, no-ops eliminated): no kernel. */
const ELIDED = /^(Constant|Identity|Dropout)$/;
/** Ops onnxruntime's level-1/2 graph optimisations fold into the Conv / Gemm / MatMul before them (ConvBNFusion,
 * ConvActivationFusion, GemmActivationFusion, MatMulAddFusion; onnxruntime docs "Graph Optimizations"). */
const FOLDED = /^(BatchNormalization|Relu|LeakyRelu|Sigmoid|HardSigmoid|Tanh|Clip|Add)$/;
const ANCHORS = /^(Conv|Gemm|MatMul|FusedConv|FusedGemm|FusedMatMul)$/;

/** Kernels a layer's nodes become: one per node, less the elided ones and the element-wise ops that directly
 * follow the layer's Conv / Gemm / MatMul (fused into it). */
export function kernelsOf(nodes: readonly Node[]): number {
  let kernels = 0;
  let afterAnchor = false;
  for (const n of nodes) {
    if (ELIDED.test(n.opType)) continue;
    if (afterAnchor && FOLDED.test(n.opType)) continue;
    afterAnchor = ANCHORS.test(n.opType);
    kernels++;
  }
  return kernels;
}
