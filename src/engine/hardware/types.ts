// The contract between the profile orchestrator and the two hardware mappers (wafer, GPU cluster).
import type { Model } from '../onnx/ir';
import type { ModelStats } from '../onnx/stats';
import type { ShapeResult } from '../shapes/infer';
import type { NodeCost } from '../cost/types';
import type { Layer } from '../cost/layers';
import type { Precision, RunOptions } from '../options';

export type { Precision, Mode, GpuParallelOptions } from '../options';
export type Bound = 'compute' | 'memory' | 'communication' | 'latency';

/** The mappers' view of RunOptions: every run option except the model-side ones (targets, dims, batch, shapes,
 * useDeclared, folded into `bindings`), so an option added to RunOptions reaches the mappers with no change here. */
export type MapOptions = Omit<
  RunOptions,
  'targets' | 'dims' | 'batch' | 'shapes' | 'useDeclared' | 'basis' | 'prices' | 'trainTokens' | 'serveRate'
> & {
  /** the symbolic-dim bindings in force (batch, seq, past, ...) */
  bindings: Record<string, number>;
};

/** Everything the engine knows about the model before mapping: the mappers' only input besides the spec. */
export interface Analysis {
  model: Model;
  /** the symbolic-dim bindings it was computed under (batch, seq, past, ...) */
  bindings: Record<string, number>;
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

/** Where a wafer layer runs: its kernel's rectangle of cores on one system ('all': weight streaming, every system). */
export interface WaferPlacement {
  x: number;
  y: number;
  w: number;
  h: number;
  cores: number;
  system: number | 'all';
  /** index of the placed region (pipelined execution) */
  region?: number;
}

/** Where a GPU layer runs: its pipeline stage (-1: none) and the GPUs of that stage. */
export interface GpuPlacement {
  stage: number;
  gpus: number;
  tp: number;
  dp: number;
}

/** Where a layer runs on a single device (CPU socket or GPU): the kernels the runtime dispatches for it (each
 * pays the spec's dispatch cost) and, on a CPU, the cores it uses. */
export interface DevicePlacement {
  processor: 'cpu' | 'gpu';
  kernels: number;
  cores?: number;
}

/** A layer the mapper could not place (the model does not fit): no placement. */
export type NoPlacement = Record<string, never>;

export interface TargetLayer<P = WaferPlacement | GpuPlacement | DevicePlacement | NoPlacement> {
  name: string;
  seconds: number;
  bound: Bound;
  memoryBytes: number;
  placement: P;
  /** per-layer detail for tooltips (flops, utilisation, bytes per core ...) */
  detail?: Record<string, number | string>;
}

/** How a wafer target runs the model. */
export interface WaferParallelism {
  execution: string;
  systems: number;
  /** pipelined: placed regions and how kernels share them */
  regions?: number;
  layout?: string;
  /** weight streaming: data parallelism across systems */
  dataParallel?: number;
  globalBatch?: number;
  microBatches?: number;
  recompute?: 'full' | 'none';
  slowestLayer?: string;
}

/** The GPU plan: Megatron's parallel dimensions and what they imply. */
export interface GpuParallelism {
  tp: number;
  pp: number;
  dp: number;
  microbatch: number;
  globalBatch: number;
  microbatches: number;
  interleave: number;
  recompute: string;
  sequenceParallel: boolean;
  zero: number;
  /** context parallelism (ring attention) and expert parallelism (MoE; carved out of dp) */
  cp?: number;
  ep?: number;
  /** attention kernels the step was costed with: fused (FlashAttention-style) or unfused */
  attention?: 'flash' | 'unfused';
  gpus: number;
  bubbleFraction: number;
  /** which dimensions the mapper searched (left open by the options) */
  searched: unknown;
  tensorParallel: string;
}

interface TargetResultBase {
  id: string;
  name: string;
  execution: string;
  fits: boolean;
  stepSeconds: number;
  throughput: { value: number; unit: 'samples/s' | 'tokens/s' };
  memory: { usedBytes: number; capacityBytes: number };
  energyJoulesPerStep?: number;
  /** cores (wafer) or GPUs holding work, busy share of the step, model FLOPs utilisation (ARCHITECTURE.md) */
  utilization?: { placedFraction: number; busyFraction: number; mfu: number; limit?: string };
  /** inference of a transformer (ARCHITECTURE.md): time to the first token (the prompt's prefill on one request)
   * and per output token (one decode step of the batch); per user 1 / perTokenSeconds tokens/s */
  latency?: { firstTokenSeconds?: number; perTokenSeconds?: number; requestSeconds?: number };
  /** why this mode/plan was chosen, runners-up, calibration constants used */
  notes: string[];
}

/** A wafer layer row: placed on a rectangle, or not placed (the model does not fit). */
export type WaferLayer = TargetLayer<WaferPlacement | NoPlacement>;

/** The `targets[]` entry of the JSON report (ARCHITECTURE.md) for a wafer, plus its heatmap grid. */
export interface WaferTargetResult extends TargetResultBase {
  kind: 'wafer';
  systems: number;
  parallelism: WaferParallelism;
  layers: WaferLayer[];
  grid?: WaferGrid;
}

/** The `targets[]` entry of the JSON report for a GPU cluster, plus its heatmap grid and the plan search. */
export interface GpuTargetResult extends TargetResultBase {
  kind: 'gpu-cluster';
  nodes: number;
  parallelism: GpuParallelism;
  layers: TargetLayer<GpuPlacement>[];
  grid?: GpuGrid;
  /** runners-up of a plan search, best first */
  alternatives?: { parallelism: Record<string, unknown>; stepSeconds: number; fits: boolean; why: string }[];
}

/** The `targets[]` entry for one device (kind "device": a CPU socket or one GPU, as onnxruntime runs a model on
 * it: one kernel after another), the target an imported profile of that device kind is compared with. */
export interface DeviceTargetResult extends TargetResultBase {
  kind: 'device';
  processor: 'cpu' | 'gpu';
  /** CPU cores (threads) the prediction uses; absent on a GPU */
  cores?: number;
  /** the precision whose compute rate the matrix kernels ran at (the asked one, or the fallback the notes name) */
  computePrecision: Precision;
  parallelism: DeviceParallelism;
  layers: TargetLayer<DevicePlacement>[];
  grid?: DeviceGrid;
}

/** A single device runs the layers one after another: no plan, only what runs them. */
export interface DeviceParallelism {
  processor: 'cpu' | 'gpu';
  /** CPU cores used (one onnxruntime intra-op thread each) and the socket's cores */
  cores?: number;
  coresInSpec?: number;
}

/** A computed target, discriminated by `kind`. */
export type TargetResult = WaferTargetResult | GpuTargetResult | DeviceTargetResult;

/** A target that could not be computed: `{"id", "error"}` in the JSON report. */
export interface TargetError {
  id: string;
  error: string;
  /** the options asked for a plan the target cannot run (bad usage: the CLI exits 2) */
  refused?: true;
}

/** One entry of `Report.targets`: a result or an error; `'error' in t` (or isTargetError) tells them apart. */
export type TargetOutcome = TargetResult | TargetError;

export function isTargetError(t: TargetOutcome): t is TargetError {
  return 'error' in t;
}

/** The computed targets of a report, in order (errors left out). */
export function computedTargets(targets: readonly TargetOutcome[] | undefined): TargetResult[] {
  return (targets ?? []).filter((t): t is TargetResult => !isTargetError(t));
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
    /** copy of the pipeline inside the wafer (data-parallel replicas, 0 = the first); absent when only one */
    replica?: number;
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

/** One device runs the layers in turn: its heatmap is one strip, a cell per layer (busy = the layer's share of
 * the step), with the device's memory use. */
export interface DeviceGrid {
  kind: 'device';
  processor: 'cpu' | 'gpu';
  /** per layer (index into TargetResult.layers): fraction of the step */
  share: number[];
  memUtil: number;
}

export type Mapper = (analysis: Analysis, spec: unknown, opts: MapOptions) => TargetResult;

/** The result of a target of the given kind; throws naming what it is instead (an error, or the other kind). */
export function resultOfKind<K extends TargetResult['kind']>(
  t: TargetOutcome | undefined,
  kind: K,
): Extract<TargetResult, { kind: K }> {
  if (!t) throw new Error(`no target result (expected a ${kind} target)`);
  if (isTargetError(t)) throw new Error(`target ${t.id} failed: ${t.error}`);
  if (t.kind !== kind) throw new Error(`target ${t.id} is a ${t.kind} target, not ${kind}`);
  return t as Extract<TargetResult, { kind: K }>;
}

/** One kind of target, as a value: its mapper, its spec validator, its built-in specs, and the run options its
 * mapper does not read (a change to those re-uses a cached mapping; paths like 'gpu.tp' name a GPU knob). */
export interface TargetKind {
  kind: 'wafer' | 'gpu-cluster' | 'device';
  map: Mapper;
  validate: (spec: Record<string, unknown>, where: string) => void;
  builtins: readonly Record<string, unknown>[];
  ignoredOptions: readonly string[];
}
