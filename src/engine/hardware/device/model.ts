// Per-layer time on one device, as a runtime like onnxruntime runs a graph: one kernel after another, no overlap
// between layers. Each layer is a roofline (Williams, Waterman & Patterson 2009, "Roofline: an insightful visual
// performance model", CACM 52(4)): the larger of its compute time and its memory time, plus the fixed cost of
// every kernel the runtime dispatches for it:
//   t = kernels x dispatch + max(FLOPs / (peak x efficiency), bytes / bandwidth of the level its working set fits)
// FLOPs and bytes are the layer's costs as every other target reads them (gpu/generic.ts: the fused layer's
// FLOPs, its inputs, outputs and weights at the precision). The memory level is the hierarchical roofline's
// (Ilic, Pratas & Sousa 2014, "Cache-aware Roofline model", IEEE CAL 13(1)): bytes whose working set fits a cache
// stream at that cache's bandwidth. The matrix efficiency, when the spec has a table by work (GFLOP per core,
// one pass), is the table's row for the kernel's size, as the GPU targets read theirs (gpu/roofline.ts).
import type { Bound } from '../types';
import type { Node } from '../../onnx/ir';
import { lookupEfficiency } from '../gpu/roofline';
import type { DevicePeaks, DeviceSpec, MemoryLevel } from './spec';

export interface LayerWork {
  flops: number;
  bytes: number;
  /** matrix kernels (MatMul, Conv, attention, recurrent) run at the matrix peak, the others at the vector peak */
  matrix: boolean;
  kernels: number;
  /** bytes one pass touches (inputs, outputs, weights): the level they stream from; `bytes` when not given */
  workingSetBytes?: number;
  /** FLOPs of one pass (the work size the matrix efficiency table is read at); `flops` when not given */
  passFlops?: number;
}

export interface LayerTime {
  seconds: number;
  compute: number;
  memory: number;
  dispatch: number;
  bound: Bound;
  /** the memory level the layer's bytes stream from */
  level: string;
}

/** The smallest level whose capacity holds `workingSet` bytes (the last, main memory, holds anything). */
export function levelOf(levels: readonly MemoryLevel[], workingSet: number): MemoryLevel {
  return levels.find((l) => workingSet <= l.capacity) ?? levels[levels.length - 1]!;
}

/** The matrix efficiency of a kernel of `flops` FLOPs split over `cores` cores: the spec's table row for the work
 * one core does, or its single large-kernel fraction without a table. */
export function matrixEfficiency(spec: DeviceSpec, flops: number, cores = 1): number {
  const t = spec.efficiency.matrixByWork_GFLOP;
  return t && t.length > 0 ? lookupEfficiency(t, flops / cores / 1e9) : spec.efficiency.matrix;
}

export function layerTime(spec: DeviceSpec, peaks: DevicePeaks, w: LayerWork): LayerTime {
  const eff = spec.efficiency;
  const rate = w.matrix
    ? peaks.matrixFlops * matrixEfficiency(spec, w.passFlops ?? w.flops, peaks.cores)
    : peaks.vectorFlops * eff.vector;
  const compute = w.flops > 0 && rate > 0 ? w.flops / rate : 0;
  const level = levelOf(peaks.levels, w.workingSetBytes ?? w.bytes);
  const memory = w.bytes > 0 ? w.bytes / level.bandwidth : 0;
  const dispatch = w.kernels * spec.kernel.dispatch_us * 1e-6;
  const seconds = dispatch + Math.max(compute, memory);
  const bound: Bound = dispatch > Math.max(compute, memory) ? 'latency' : compute >= memory ? 'compute' : 'memory';
  return { seconds, compute, memory, dispatch, bound, level: level.name };
}

/** Ops a runtime removes before running (constants folded, no-ops eliminated): no kernel. */
const ELIDED = /^(Constant|Identity|Dropout)$/;
/** Ops onnxruntime's level-1/2 graph optimisations fold into the Conv / Gemm / MatMul before them (ConvBNFusion,
 * ConvActivationFusion, GemmActivationFusion, MatMulAddFusion; onnxruntime docs "Graph Optimizations"). */
const FOLDED = /^(BatchNormalization|Relu|LeakyRelu|Sigmoid|HardSigmoid|Tanh|Clip|Add)$/;
const ANCHORS = /^(Conv|Gemm|MatMul|FusedConv|FusedGemm|FusedMatMul)$/;

/** A tensor's rank and whether all of its dims are known when onnxruntime optimises the graph (before a run). */
export type ShapeAtLoad = (tensor: string) => { rank: number; fixed: boolean } | undefined;

/** Whether onnxruntime's MatMulAddFusion turns this MatMul and the Add after it into one Gemm: its left input of
 * rank 2, or of a higher rank with every dim fixed at load time (onnxruntime core/optimizer/matmul_add_fusion.cc
 * reshapes it to 2-D only for a concrete shape; a symbolic dim such as seq keeps MatMul and Add apart).
 * Unknown: fused. */
function matmulAddFuses(mm: Node, shapeOf?: ShapeAtLoad): boolean {
  const a = shapeOf?.(mm.inputs[0] ?? '');
  return !a || a.rank === 2 || a.fixed;
}

/** Kernels a layer's nodes become: one per node, less the elided ones and the element-wise ops that directly
 * follow the layer's Conv / Gemm / MatMul (fused into it; an Add after a MatMul only when onnxruntime can make a
 * Gemm of them). */
export function kernelsOf(nodes: readonly Node[], shapeOf?: ShapeAtLoad): number {
  let kernels = 0;
  let anchor: Node | undefined;
  for (const n of nodes) {
    if (ELIDED.test(n.opType)) continue;
    if (anchor && FOLDED.test(n.opType)) {
      const unfusedAdd = n.opType === 'Add' && anchor.opType === 'MatMul' && !matmulAddFuses(anchor, shapeOf);
      if (!unfusedAdd) continue;
    }
    anchor = ANCHORS.test(n.opType) ? n : undefined;
    kernels++;
  }
  return kernels;
}
