// The contract between the profile orchestrator and the two hardware mappers (wafer, GPU cluster).
import type { Model } from '../onnx/ir';
import type { ModelStats } from '../onnx/stats';
import type { ShapeResult } from '../shapes/infer';
import type { NodeCost } from '../cost/types';
import type { Layer } from '../cost/kernels';

export type Precision = 'fp32' | 'fp16' | 'bf16' | 'fp8';
export type Mode = 'inference' | 'training';
export type Bound = 'compute' | 'memory' | 'communication' | 'latency';

export interface GpuParallelOptions {
  tp?: number;
  pp?: number;
  dp?: number;
  microbatch?: number;
  globalBatch?: number;
  interleave?: number;
  recompute?: 'none' | 'selective' | 'full';
  sequenceParallel?: boolean;
  zero?: 0 | 1 | 2 | 3;
}

export interface MapOptions {
  mode: Mode;
  precision: Precision;
  /** wafer systems (CS-2/CS-3 count) or 'auto' (fewest that fit) */
  systems?: number | 'auto';
  /** GPU nodes */
  nodes?: number;
  gpu: GpuParallelOptions;
  execution: 'pipelined' | 'weight-streaming' | 'auto';
  /** the symbolic-dim bindings in force (batch, seq, past, ...) */
  bindings: Record<string, number>;
}

/** Everything the engine knows about the model before mapping: the mappers' only input besides the spec. */
export interface Analysis {
  model: Model;
  stats: ModelStats;
  shapes: ShapeResult;
  /** main-graph node costs, indexed like model.graph.nodes */
  nodeCosts: NodeCost[];
  layers: Layer[];
  /** true when the graph looks like a one-new-token decode step (KV-cache inputs, seq dim 1): throughput in tokens/s */
  decode: boolean;
  /** tokens (or samples) one forward pass processes: batch x new tokens for LMs, batch otherwise */
  tokensPerStep: number;
  samplesPerStep: number;
  /** one unit for every target: tokens/s for graphs that consume token ids (decode, prefill, LM training), else samples/s */
  throughputUnit: 'tokens/s' | 'samples/s';
}

export interface TargetLayer {
  name: string;
  seconds: number;
  bound: Bound;
  memoryBytes: number;
  /** wafer: { x, y, w, h, cores, system }; gpu: { stage, gpus } */
  placement: Record<string, unknown>;
  /** per-layer detail for tooltips (flops, utilisation, bytes per core ...) */
  detail?: Record<string, number | string>;
}

/** The `targets[]` entry of the JSON report (ARCHITECTURE.md), plus grids for the heatmaps. */
export interface TargetResult {
  id: string;
  name: string;
  kind: 'wafer' | 'gpu-cluster';
  execution: string;
  systems?: number;
  nodes?: number;
  parallelism: Record<string, unknown>;
  fits: boolean;
  stepSeconds: number;
  throughput: { value: number; unit: 'samples/s' | 'tokens/s' };
  memory: { usedBytes: number; capacityBytes: number };
  energyJoulesPerStep?: number;
  /** cores (wafer) or GPUs holding work, busy share of the step, model FLOPs utilisation (ARCHITECTURE.md) */
  utilization?: { placedFraction: number; busyFraction: number; mfu: number; limit?: string };
  layers: TargetLayer[];
  /** why this mode/plan was chosen, runners-up, calibration constants used */
  notes: string[];
  /** heatmap grids; see WaferGrid / GpuGrid */
  grid?: WaferGrid | GpuGrid;
  /** runners-up of a plan search, best first */
  alternatives?: { parallelism: Record<string, unknown>; stepSeconds: number; fits: boolean; why: string }[];
}

/** Per-rectangle wafer grid: compact (one entry per kernel region, not per core). */
export interface WaferGrid {
  kind: 'wafer';
  width: number;
  height: number;
  /** one per placed region: layer index into TargetResult.layers; a region shared by several consecutive
   * layers (decode blocks, weight streaming) hosts layers layer .. layer + layerCount - 1 */
  rects: {
    layer: number;
    layerCount?: number;
    x: number;
    y: number;
    w: number;
    h: number;
    system: number;
    memUtil: number;
    busy: number;
  }[];
}

/** nodes x GPUs grid. */
export interface GpuGrid {
  kind: 'gpu';
  nodes: number;
  gpusPerNode: number;
  /** per GPU (row-major node, gpu): pipeline stage, memory utilisation (0..>1), busy fraction */
  stage: number[];
  memUtil: number[];
  busy: number[];
  /** layer indices per pipeline stage */
  stageLayers: number[][];
}

export type Mapper = (analysis: Analysis, spec: unknown, opts: MapOptions) => TargetResult;
