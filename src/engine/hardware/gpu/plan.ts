// Evaluates one parallel plan (tp, pp, dp, microbatch, interleave, recompute, sequence parallelism,
// ZeRO) on a cluster: per-GPU memory by stage, time per microbatch by stage, and the step time
//   step = (m + (p-1)/v) * t_stage  +  optimizer  +  exposed data-parallel gradient sync  (+ tied-embedding sync)
// (interleaved 1F1B bubble (p-1)/(v m), Narayanan et al. 2021 §2.2; t_stage is the slowest stage's
// forward + backward + recompute time of one microbatch including its pipeline sends).
// Ranks are laid out as Megatron does: tensor-parallel ranks innermost, then data-parallel, then pipeline.
import type { Analysis, Precision } from '../types';
import type { Device } from './roofline';
import { collectiveLatency, collectiveTime, deviceFor, gemmAligned, kernelTime } from './roofline';
import type { GpuClusterSpec, GpuLink } from './spec';
import type { TransformerPattern } from '../../structure';
import { effectiveParams } from '../../cost/layers';
import { PRECISION_BYTES } from '../../options';
import { moeFacts } from './moe';
import { fmtSeconds } from '../../format/units';
import {
  blockActivationBytes,
  blockBackward,
  blockForward,
  blockRecompute,
  embeddingBackward,
  embeddingForward,
  headBackward,
  headForward,
  vocabShard,
  type BlockShape,
} from './megatron';
import {
  genericActivations,
  genericBackward,
  genericBackwardKernel,
  genericForward,
  genericKernel,
  type GenericModel,
  type Kernel,
} from './generic';
import {
  addPass,
  alignmentNote,
  emptyPass,
  passTime,
  unalignedGemms,
  type LinkFor,
  type PassTime,
  type TimeParts,
  type Work,
} from './work';

export type Recompute = 'none' | 'selective' | 'full';

export interface Plan {
  tp: number;
  pp: number;
  dp: number;
  microbatch: number;
  globalBatch: number;
  interleave: number;
  recompute: Recompute;
  sequenceParallel: boolean;
  zero: 0 | 1 | 2 | 3;
  nodes: number;
  /** context parallelism (ring attention): the sequence split cp ways, K / V passed around the ring (default 1) */
  cp?: number;
  /** expert parallelism (MoE): the experts split ep ways over the data-parallel ranks (default 1) */
  ep?: number;
}

/** GPUs of a plan: tensor x context x pipeline x data parallel (Megatron-core's rank order tp, cp, dp, pp). */
export function gpusOf(plan: Plan): number {
  return plan.tp * (plan.cp ?? 1) * plan.pp * plan.dp;
}

export interface Context {
  analysis: Analysis;
  spec: GpuClusterSpec;
  dev: Device;
  precision: Precision;
  training: boolean;
  pattern?: TransformerPattern;
  generic: GenericModel;
  /** node index -> Analysis layer index */
  nodeLayer: Int32Array;
  /** the first position-embedding style add exists (a second [P, h] Gather) */
  positional: boolean;
  /** the graph reads or writes a KV cache */
  kvCache: boolean;
  /** pass times shared by plans that differ only in pp / dp / interleave / ZeRO */
  cache: Map<string, unknown>;
  /** the attention kernel: fused (FlashAttention-style) or Megatron's unfused kernels */
  attention: 'flash' | 'unfused';
  /** the attention is causal (a decoder language model) */
  causal: boolean;
  /** bytes per KV-cache element (--kv-precision), when it differs from the activations' */
  kvBytes?: number;
  /** the KV length the cache is sized for, when it exceeds the pattern's (--generate: the last generated token) */
  kvCapacity?: number;
}

export interface MemoryBreakdown {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  total: number;
}

export interface StageResult {
  index: number;
  /** Analysis layer indices placed on the stage */
  layers: number[];
  blocks: number;
  secondsPerMicrobatch: number;
  busy: number;
  memory: MemoryBreakdown;
  params: number;
}

export interface LayerTime extends TimeParts {
  flops: number;
}

export interface Breakdown {
  pipeline: number;
  /** kernel time in the pipeline (GEMMs and elementwise work, recompute excluded) */
  kernels: number;
  bubble: number;
  recompute: number;
  tpComm: number;
  ppComm: number;
  optimizer: number;
  dpSync: number;
  embeddingSync: number;
}

export interface Evaluation {
  plan: Plan;
  fits: boolean;
  stepSeconds: number;
  samplesPerStep: number;
  tokensPerStep: number;
  memoryBytes: number;
  capacityBytes: number;
  stages: StageResult[];
  breakdown: Breakdown;
  layerTimes: ByLayer<LayerTime>;
  layerStage: ByLayer<number>;
  /** per-GPU memory attributed to each Analysis layer (weights + gradients + optimizer + activations) */
  layerMemory: ByLayer<number>;
  notes: string[];
}

/** Values by Analysis layer index, iterated in the order they were first set: a Map (the transformer path sets a
 * few roles' layers in any order) or a DenseByLayer (the generic path sets every layer once, in index order). */
export interface ByLayer<V> {
  get(layer: number): V | undefined;
  set(layer: number, v: V): unknown;
  values(): Iterable<V>;
  [Symbol.iterator](): Iterator<[number, V]>;
}

/** ByLayer over an array (a hash map per layer was most of the generic plan's time on 100k-layer graphs).
 * Iterates in index order: the order a caller setting layers in ascending order set them. */
export class DenseByLayer<V> implements ByLayer<V> {
  private readonly vals: (V | undefined)[];
  constructor(n: number) {
    this.vals = new Array<V | undefined>(n);
  }
  get(layer: number): V | undefined {
    return this.vals[layer];
  }
  set(layer: number, v: V): this {
    this.vals[layer] = v;
    return this;
  }
  *values(): Generator<V> {
    for (const v of this.vals) if (v !== undefined) yield v;
  }
  *[Symbol.iterator](): Generator<[number, V]> {
    for (let i = 0; i < this.vals.length; i++) {
      const v = this.vals[i];
      if (v !== undefined) yield [i, v];
    }
  }
}

/** Optimizer step bytes per parameter on one GPU (mixed-precision Adam as Megatron runs it [D]):
 * unscale/inf-check and grad-norm read the fp32 grad (4+4), fused Adam reads param, grad, m, v and
 * writes param, m, v (28), the fp32 -> 16-bit weight copy (4+2), zeroing the grad (4) = 46. fp32
 * training has no copy: 4+4+28+4 = 40. */
export const OPTIMIZER_BYTES_PER_PARAM = { mixed: 46, fp32: 40 };

/** Bytes per parameter: weights, gradients, optimizer state (Megatron theoretical_memory_usage.py:
 * 16-bit weights, fp32 main grads, fp32 master weights + Adam m, v = 18 B/param; fp32 training:
 * 4 + 4 + 8). ZeRO (Rajbhandari et al. 2019) shards the optimizer (1), + gradients (2), + weights (3)
 * over the data-parallel ranks. */
export function bytesPerParam(
  precision: Precision,
  zero: number,
  dp: number,
  training: boolean,
  /** bytes per gradient element the stack keeps (Megatron: fp32 main grads, 4; a bf16 grad buffer: 2) */
  gradientBytes = 4,
): { weights: number; gradients: number; optimizer: number } {
  // fp8 training (Transformer Engine): the 16-bit weights plus their cached FP8 copy and its transpose
  // (the Hopper FP8 GEMM takes only the TN layout; dgrad needs W^T): 2 + 1 + 1 bytes
  const w = precision === 'fp8' && training ? 4 : PRECISION_BYTES[precision];
  if (!training) return { weights: w, gradients: 0, optimizer: 0 };
  const g = precision === 'fp32' ? 4 : gradientBytes;
  const o = precision === 'fp32' ? 8 : 12;
  return {
    weights: zero >= 3 ? w / dp : w,
    gradients: zero >= 2 ? g / dp : g,
    optimizer: zero >= 1 ? o / dp : o,
  };
}

/** Links of each communicator group. A group inside one NVLink domain uses NVLink; one that spans
 * domains rings through the InfiniBand NICs, one per GPU (rail-optimised), so its bus bandwidth is the
 * NIC bandwidth times the group's members per domain, at most the NVLink bandwidth (NCCL runs one ring
 * per NIC). Its latency: the spec's collectiveSteps over the domains it spans (roofline.ts collectiveLatency). */
export function linksFor(spec: GpuClusterSpec, plan: Plan): LinkFor {
  const dom = spec.nvlink.domain_gpus;
  const span = (n: number, stride: number): GpuLink => {
    if (n * stride <= dom || n <= 1) return spec.nvlink;
    const perDomain = Math.max(1, Math.floor(dom / stride));
    const ranksPerDomain = Math.min(perDomain, n);
    return {
      bandwidthPerGpu_GBps: Math.min(
        spec.nvlink.bandwidthPerGpu_GBps,
        spec.infiniband.bandwidthPerGpu_GBps * ranksPerDomain,
      ),
      latency_us: spec.infiniband.latency_us,
      efficiency: spec.infiniband.efficiency,
      ...(spec.collectiveSteps
        ? { crossDomain: { domains: Math.ceil(n / ranksPerDomain), ranksPerDomain, steps: spec.collectiveSteps } }
        : {}),
    };
  };
  const cp = plan.cp ?? 1,
    ep = plan.ep ?? 1;
  const ppCross = gpusOf(plan) > dom;
  return {
    tp: { link: span(plan.tp, 1), n: plan.tp },
    cp: { link: span(cp, plan.tp), n: cp },
    // weights are replicated over the context-parallel ranks too: gradients reduce over dp x cp
    dp: { link: span(plan.dp * cp, plan.tp), n: plan.dp * cp },
    pp: { link: ppCross ? spec.infiniband : spec.nvlink, n: 2 },
    ep: { link: allToAllLink(spec, ep, plan.tp * cp), n: ep },
  };
}

/** The link an all-to-all among n ranks strided `stride` apart runs at: inside one NVLink domain NVLink; across
 * domains each rank sends the part bound for other domains through its own NIC while the part for its domain's
 * peers goes over NVLink at the same time, so the transfer takes the longer of the two: (n - local) / n of the
 * data over the NIC, (local - 1) / n over NVLink. Expressed as the bandwidth that gives that time with the
 * all-to-all bus factor (n - 1) / n (efficiencies folded in). */
export function allToAllLink(spec: GpuClusterSpec, n: number, stride: number): GpuLink {
  const dom = spec.nvlink.domain_gpus;
  if (n <= 1 || n * stride <= dom) return spec.nvlink;
  const local = Math.max(1, Math.min(n, Math.floor(dom / stride)));
  const ib = spec.infiniband.bandwidthPerGpu_GBps * spec.infiniband.efficiency;
  const nv = spec.nvlink.bandwidthPerGpu_GBps * spec.nvlink.efficiency;
  const perByte = Math.max((n - local) / n / ib, (local - 1) / n / nv);
  return { bandwidthPerGpu_GBps: (n - 1) / n / perByte, latency_us: spec.infiniband.latency_us, efficiency: 1 };
}

export class PlanError extends Error {}

/** Checks the plan against the model and the cluster; throws a PlanError with the reason. */
export function checkPlan(ctx: Context, plan: Plan): void {
  const gpus = plan.nodes * ctx.spec.gpusPerNode_count;
  const need = gpusOf(plan);
  const cp = plan.cp ?? 1;
  if (need > gpus) {
    throw new PlanError(
      `the plan needs ${need} GPUs (tp ${plan.tp}${cp > 1 ? ` x cp ${cp}` : ''} x pp ${plan.pp} x dp ${plan.dp}) but the cluster has ${gpus} (${plan.nodes} node${plan.nodes > 1 ? 's' : ''} x ${ctx.spec.gpusPerNode_count} GPUs)`,
    );
  }
  const p = ctx.pattern;
  if (plan.tp > 1 && !p)
    throw new PlanError(
      `tp=${plan.tp}: tensor parallelism needs the transformer pattern (Megatron column/row splits), which this graph does not have`,
    );
  if (p) {
    if (p.heads % plan.tp !== 0) throw new PlanError(`tp=${plan.tp} does not divide the ${p.heads} attention heads`);
    if (p.kvHeads % plan.tp !== 0 && plan.tp % p.kvHeads !== 0)
      throw new PlanError(`tp=${plan.tp} does not divide the ${p.kvHeads} key/value heads (nor they it)`);
    if (p.ffn % plan.tp !== 0) throw new PlanError(`tp=${plan.tp} does not divide the FFN width ${p.ffn}`);
    if (plan.pp > p.layers) throw new PlanError(`pp=${plan.pp} exceeds the ${p.layers} transformer blocks`);
    if (plan.interleave > 1 && p.layers % (plan.pp * plan.interleave) !== 0) {
      throw new PlanError(
        `interleave=${plan.interleave}: the ${p.layers} blocks do not split into pp x interleave = ${plan.pp * plan.interleave} equal chunks`,
      );
    }
  } else if (plan.pp > Math.max(1, ctx.generic.layers.length)) {
    throw new PlanError(`pp=${plan.pp} exceeds the ${ctx.generic.layers.length} layers`);
  }
  if (cp > 1) {
    if (!p)
      throw new PlanError(
        `cp=${cp}: context parallelism needs the transformer pattern, which this graph does not have`,
      );
    if (p.seq <= 1)
      throw new PlanError(`cp=${cp}: context parallelism splits the sequence, and this graph runs one token (decode)`);
    // Megatron-core splits a causal sequence into 2 cp chunks (each rank takes one from each end, for balance)
    const chunks = ctx.causal ? 2 * cp : cp;
    if (p.seq % chunks !== 0)
      throw new PlanError(
        `cp=${cp} does not divide the sequence ${p.seq}${ctx.causal ? ` into ${chunks} equal chunks (2 x cp, the load-balanced causal split)` : ''}`,
      );
    if (ctx.attention !== 'flash')
      throw new PlanError(
        `cp=${cp}: ring attention runs on the fused attention kernel (Transformer Engine); --attention unfused cannot be context-parallel`,
      );
  }
  const ep = plan.ep ?? 1;
  if (ep > 1) {
    const moe = p ? moeFacts(p) : undefined;
    if (!moe)
      throw new PlanError(`ep=${ep}: expert parallelism needs a mixture-of-experts model, and no MoE layer was found`);
    if (moe.experts % ep !== 0) throw new PlanError(`ep=${ep} does not divide the ${moe.experts} experts`);
    if ((plan.dp * cp) % ep !== 0)
      throw new PlanError(
        `ep=${ep} does not divide the ${plan.dp * cp} data-parallel ranks (experts are spread over the data-parallel group)`,
      );
  }
  if (plan.interleave > 1 && plan.pp === 1)
    throw new PlanError(`interleave=${plan.interleave} needs pipeline parallelism (pp > 1)`);
  if (plan.globalBatch % (plan.microbatch * plan.dp) !== 0) {
    throw new PlanError(
      `global batch ${plan.globalBatch} is not a multiple of microbatch ${plan.microbatch} x dp ${plan.dp}`,
    );
  }
  const m = plan.globalBatch / (plan.microbatch * plan.dp);
  if (plan.interleave > 1 && m % plan.pp !== 0) {
    throw new PlanError(
      `interleave=${plan.interleave}: the ${m} microbatches per pipeline are not a multiple of pp=${plan.pp} (Megatron's interleaved schedule needs it)`,
    );
  }
}

/** Interleaved 1F1B: m microbatches through p stages of v chunks take (m + (p-1)/v) stage times
 * (bubble fraction (p-1)/(v m), Narayanan et al. 2021 §2.2). */
export function pipelineSeconds(m: number, p: number, v: number, tStage: number): number {
  return (m + (p - 1) / v) * tStage;
}

/** Microbatches (chunks of 1/v stage) in flight on pipeline rank i under (interleaved) 1F1B: Megatron's warm-up count + 1. */
export function inflightStageFraction(i: number, p: number, v: number, m: number): number {
  if (p === 1) return 1;
  if (v === 1) return Math.min(m, p - i);
  const chunks = Math.min(m * v, (p - i - 1) * 2 + (v - 1) * p + 1);
  return chunks / v;
}

function memoryOf(params: number, bpp: ReturnType<typeof bytesPerParam>, activations: number): MemoryBreakdown {
  const weights = params * bpp.weights,
    gradients = params * bpp.gradients,
    optimizer = params * bpp.optimizer;
  return { weights, gradients, optimizer, activations, total: weights + gradients + optimizer + activations };
}

/** A pass's parts (latency = the collectives' latency) in the form of a role's time. */
const partsOf = (p: PassTime): TimeParts => ({
  seconds: p.seconds,
  compute: p.compute,
  memory: p.memory,
  comm: p.comm,
  latency: p.commLatency,
  overhead: p.overhead,
});

/** partsOf a pass summed as addPass(emptyPass(), fwd, times) then addPass(.., bwd) would, in the same order (so
 * the same numbers), without the per-role map that only the total is read from: one per layer of the final plan. */
function passParts(fwd: PassTime, times: number, bwd?: PassTime): TimeParts {
  const o = { seconds: 0, compute: 0, memory: 0, comm: 0, latency: 0, overhead: 0 };
  o.seconds += fwd.seconds * times;
  o.compute += fwd.compute * times;
  o.memory += fwd.memory * times;
  o.comm += fwd.comm * times;
  o.latency += fwd.commLatency * times;
  o.overhead += fwd.overhead * times;
  if (bwd) {
    o.seconds += bwd.seconds * 1;
    o.compute += bwd.compute * 1;
    o.memory += bwd.memory * 1;
    o.comm += bwd.comm * 1;
    o.latency += bwd.commLatency * 1;
    o.overhead += bwd.overhead * 1;
  }
  return o;
}

function layerTime(map: ByLayer<LayerTime>, layer: number, v: TimeParts, times: number, flops = 0): void {
  if (layer < 0) return;
  const o = map.get(layer) ?? { seconds: 0, compute: 0, memory: 0, comm: 0, latency: 0, overhead: 0, flops: 0 };
  o.seconds += v.seconds * times;
  o.compute += v.compute * times;
  o.memory += v.memory * times;
  o.comm += v.comm * times;
  o.latency += v.latency * times;
  o.overhead += v.overhead * times;
  o.flops += flops * times;
  map.set(layer, o);
}

function passOf(ctx: Context, links: LinkFor, items: Work[]): PassTime {
  return passTime(ctx.dev, links, items);
}

function flopsByRole(items: Work[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of items) if (w.kind !== 'comm') m.set(w.role, (m.get(w.role) ?? 0) + w.flops);
  return m;
}

/** Bytes per gradient element the data-parallel reduction sends: the stack's grad-sync dtype (fp32 training: 4). */
function gradSyncBytes(ctx: Context): number {
  const st = ctx.spec.stack;
  return ctx.precision === 'fp32' ? 4 : (st?.gradientSync_bytes ?? st?.gradient_bytes ?? 4);
}

/** ZeRO-2 reduce-scatters the gradients after every microbatch (they are sharded, so they cannot
 * accumulate locally) and ZeRO-3 also all-gathers the weights before the forward and the backward pass
 * of every microbatch (Rajbhandari et al. 2019 §5); these overlap the microbatch's compute. */
function zeroPerMicrobatch(ctx: Context, plan: Plan, links: LinkFor, params: number, compute: number): number {
  if (!ctx.training || plan.dp <= 1 || plan.zero < 2) return 0;
  const g = links.dp;
  let c = collectiveTime(g.link, 'reduce-scatter', params * gradSyncBytes(ctx), g.n).seconds;
  if (plan.zero >= 3) c += 2 * collectiveTime(g.link, 'all-gather', params * ctx.dev.weightBytes, g.n).seconds;
  const u = ctx.spec.efficiency.commComputeInterference;
  return Math.max(0, c - compute) + u * Math.min(c, compute);
}

/** Shared tail: pipeline schedule, optimizer, data-parallel sync, memory fit. */
function finish(
  ctx: Context,
  plan: Plan,
  links: LinkFor,
  stages: StageResult[],
  extra: {
    tpComm: number;
    recompute: number;
    ppComm: number;
    backwardPerMb: number[];
    forwardPerMb: number[];
    embeddingSync: number;
  },
  layerTimes: ByLayer<LayerTime>,
  layerStage: ByLayer<number>,
  layerMemory: ByLayer<number>,
  notes: string[],
  samplesPerStep: number,
  tokensPerStep: number,
): Evaluation {
  const m = plan.globalBatch / (plan.microbatch * plan.dp);
  const tStage = Math.max(...stages.map((s) => s.secondsPerMicrobatch));
  const pipeline = pipelineSeconds(m, plan.pp, plan.interleave, tStage);
  const bubble = ((plan.pp - 1) / plan.interleave) * tStage;
  let optimizer = 0,
    dpSync = 0;
  if (ctx.training) {
    const u = ctx.spec.efficiency.commComputeInterference;
    const mixed = ctx.precision === 'fp32' ? OPTIMIZER_BYTES_PER_PARAM.fp32 : OPTIMIZER_BYTES_PER_PARAM.mixed;
    stages.forEach((s, i) => {
      const shard = plan.zero >= 1 ? plan.dp : 1;
      const opt = kernelTime(ctx.dev, 'vector', (12 * s.params) / shard, (mixed * s.params) / shard);
      optimizer = Math.max(optimizer, opt.seconds);
      if (plan.dp > 1) {
        // ZeRO 0: all-reduce the grads; ZeRO >= 1: reduce-scatter them + all-gather the updated weights, in the
        // stack's grad-sync dtype (Megatron-LM 2021 without --accumulate-allreduce-grads-in-fp32: fp16; NeMo
        // grad_sync_dtype bf16; default fp32) and the weights' 16-bit copy (fp8 training gathers the bf16
        // weights: TE re-casts them to fp8 after the gather; fp32 training: 4)
        const g = links.dp;
        const gs = gradSyncBytes(ctx);
        const reduce =
          plan.zero === 0
            ? collectiveTime(g.link, 'all-reduce', s.params * gs, g.n).seconds
            : collectiveTime(g.link, 'reduce-scatter', s.params * gs, g.n).seconds;
        const gather =
          plan.zero === 0 ? 0 : collectiveTime(g.link, 'all-gather', s.params * ctx.dev.actBytes, g.n).seconds;
        // Overlapping stacks (DDP buckets, Megatron-core overlap_grad_reduce, NeMo overlap_grad_sync) reduce the
        // gradient buckets while the LAST microbatch's backward pass runs (the others accumulate locally, no_sync),
        // and all-gather the updated weights while the next step's first forward pass runs (overlap_param_gather /
        // overlap_param_sync); Megatron-LM 2021's local DDP reduces after the backward pass, exposed.
        const overlap = ctx.spec.stack?.dpOverlap !== false;
        const exposed = (c: number, window: number) => {
          const hide = overlap ? window : 0;
          return Math.max(0, c - hide) + u * Math.min(c, hide);
        };
        const t = exposed(reduce, extra.backwardPerMb[i] ?? 0) + exposed(gather, extra.forwardPerMb[i] ?? 0);
        dpSync = Math.max(dpSync, t);
      }
    });
  }
  const stepSeconds = pipeline + optimizer + dpSync + extra.embeddingSync;
  for (const s of stages)
    s.busy = stepSeconds > 0 ? Math.min(1, (m * s.secondsPerMicrobatch + optimizer) / stepSeconds) : 0;
  const capacityBytes = ctx.spec.gpu.hbm_GiB * 2 ** 30;
  const memoryBytes = Math.max(...stages.map((s) => s.memory.total));
  return {
    plan,
    fits: memoryBytes <= capacityBytes,
    stepSeconds,
    samplesPerStep,
    tokensPerStep,
    memoryBytes,
    capacityBytes,
    stages,
    breakdown: {
      pipeline,
      kernels: Math.max(0, pipeline - bubble - (extra.recompute + extra.tpComm + extra.ppComm) * m),
      bubble,
      recompute: extra.recompute * m,
      tpComm: extra.tpComm * m,
      ppComm: extra.ppComm * m,
      optimizer,
      dpSync,
      embeddingSync: extra.embeddingSync,
    },
    layerTimes,
    layerStage,
    layerMemory,
    notes,
  };
}

/** Contiguous stages of about equal time, cut where the running sum passes k/p of the total, as p + 1 cut
 * points: stage s holds layers cuts[s] .. cuts[s + 1] - 1 (no list per stage). */
export function stageCuts(perLayer: ArrayLike<number>, p: number): Int32Array {
  const n = perLayer.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += perLayer[i];
  const cuts = new Int32Array(p + 1).fill(n);
  cuts[0] = 0;
  let done = 0,
    acc = 0;
  for (let i = 0; i < n; i++) {
    acc += perLayer[i];
    const stagesLeft = p - done - 1,
      layersLeft = n - i - 1;
    if (stagesLeft > 0 && (acc >= ((done + 1) * total) / p || layersLeft === stagesLeft)) cuts[++done] = i + 1;
  }
  return cuts;
}

/** The generic layers' kernels for one microbatch size, timed once and shared by every plan of that microbatch
 * (read-only). The PassTimes carry no per-role split (byRole is empty): only their totals are read. */
interface GenericPasses {
  fwd: PassTime[];
  bwd: PassTime[];
  fwdFlops: Float64Array;
  bwdFlops: Float64Array;
  alignment: string[];
  /** per-layer stage time (forward x (1 + recompute) + backward), by recompute 0 / 1 */
  per: (Float64Array | undefined)[];
}

function genericPasses(ctx: Context, plan: Plan, links: LinkFor): GenericPasses {
  const key = `generic|${plan.microbatch}`;
  const hit = ctx.cache.get(key) as GenericPasses | undefined;
  if (hit) return hit;
  const dev = ctx.dev,
    gm = ctx.generic,
    b = plan.microbatch;
  const L = gm.layers.length;
  const time = kernelPassMemo(ctx, links);
  const fwd = new Array<PassTime>(L);
  const bwd: PassTime[] = ctx.training ? new Array<PassTime>(L) : [];
  const fwdFlops = new Float64Array(L);
  const bwdFlops = new Float64Array(ctx.training ? L : 0);
  const unaligned = new Set<string>();
  for (let i = 0; i < L; i++) {
    const l = gm.layers[i];
    const w = genericKernel(dev, gm, l, b);
    fwd[i] = time(w, l.layer, '');
    fwdFlops[i] = w.flops;
    if (ctx.training) {
      const bw = genericBackwardKernel(w);
      bwd[i] = time(bw, l.layer, '.bwd');
      bwdFlops[i] = bw.flops;
    }
    const g = w.gemm;
    // unalignedGemms' line for this kernel, in the same order
    if (w.kind === 'matrix' && g && g.m > 1 && !gemmAligned(dev, g))
      unaligned.add(
        `${ctx.analysis.layers[l.layer]?.name ?? `layer:${l.layer}`} ${g.batch > 1 ? `${g.batch} x ` : ''}[${g.m},${g.k}]x[${g.k},${g.n}]`,
      );
  }
  const r: GenericPasses = {
    fwd,
    bwd,
    fwdFlops,
    bwdFlops,
    alignment: alignmentNote(dev, [...unaligned]),
    per: [],
  };
  ctx.cache.set(key, r);
  return r;
}

/** passOf of one layer's compute kernel, timed once per distinct kernel (a repeated layer's kernels are equal)
 * and the PassTime shared: the same totals passOf(ctx, links, [w]) gives. Looked up by FLOPs, then the other
 * fields that enter kernelTime compared, instead of a key string per kernel; named only when first timed. */
function kernelPassMemo(ctx: Context, links: LinkFor): (k: Kernel, layer: number, suffix: string) => PassTime {
  const seen = new Map<number, { k: Kernel; p: PassTime }[]>();
  const same = (a: Kernel, b: Kernel) =>
    a.kind === b.kind &&
    a.bytes === b.bytes &&
    (a.gemm === b.gemm ||
      (a.gemm !== undefined &&
        b.gemm !== undefined &&
        a.gemm.m === b.gemm.m &&
        a.gemm.k === b.gemm.k &&
        a.gemm.n === b.gemm.n &&
        a.gemm.batch === b.gemm.batch &&
        a.gemm.reduce === b.gemm.reduce));
  return (k, layer, suffix) => {
    let list = seen.get(k.flops);
    if (!list) seen.set(k.flops, (list = []));
    for (const e of list) if (same(e.k, k)) return e.p;
    const p = passOf(ctx, links, [{ name: `layer${layer}${suffix}`, role: `layer:${layer}`, ...k }]);
    p.byRole = new Map();
    list.push({ k, p });
    return p;
  };
}

export function evaluateGeneric(ctx: Context, plan: Plan, detail = true): Evaluation {
  checkPlan(ctx, plan);
  const dev = ctx.dev,
    gm = ctx.generic,
    b = plan.microbatch;
  const links = linksFor(ctx.spec, plan);
  const notes: string[] = [];
  if (plan.recompute === 'selective')
    notes.push('selective recompute needs attention blocks: nothing to recompute selectively in this graph');
  const gp = genericPasses(ctx, plan, links);
  notes.push(...gp.alignment);
  const rc = ctx.training && plan.recompute === 'full' ? 1 : 0;
  let per = gp.per[rc];
  if (!per) {
    per = gp.per[rc] = new Float64Array(gm.layers.length);
    for (let i = 0; i < per.length; i++) per[i] = gp.fwd[i].seconds * (1 + rc) + (gp.bwd[i]?.seconds ?? 0);
  }
  const cuts = stageCuts(per, plan.pp);
  const m = plan.globalBatch / (plan.microbatch * plan.dp);
  const bpp = bytesPerParam(ctx.precision, plan.zero, plan.dp, ctx.training, ctx.spec.stack?.gradient_bytes);
  // every layer is set once, stage by stage in index order: arrays, iterated in that order (and none for the
  // search's evaluations, which set no layer)
  const nLayers = detail ? ctx.analysis.layers.length : 0;
  const layerTimes = new DenseByLayer<LayerTime>(nLayers),
    layerStage = new DenseByLayer<number>(nLayers),
    layerMemory = new DenseByLayer<number>(nLayers);
  let ppComm = 0;
  const backwardPerMb: number[] = [],
    forwardPerMb: number[] = [],
    recomputePerMb: number[] = [];
  const stages: StageResult[] = [];
  for (let s = 0; s < plan.pp; s++) {
    const lo = cuts[s],
      hi = cuts[s + 1];
    // the stage's layers as a list only where a per-layer pass reads them (training activations, detail)
    const layers = detail || ctx.training ? gm.layers.slice(lo, hi) : [];
    let t = 0,
      back = 0,
      fwd = 0,
      rcs = 0;
    for (let i = lo; i < hi; i++) {
      t += per[i];
      back += gp.bwd[i]?.seconds ?? 0;
      fwd += gp.fwd[i].seconds;
      rcs += rc * gp.fwd[i].seconds;
      if (detail) {
        layerTime(
          layerTimes,
          gm.layers[i].layer,
          passParts(gp.fwd[i], 1 + rc, gp.bwd[i]),
          m,
          gp.fwdFlops[i] * (1 + rc) + (gp.bwdFlops[i] ?? 0),
        );
        layerStage.set(gm.layers[i].layer, s);
      }
    }
    if (plan.pp > 1 && s < plan.pp - 1 && hi > lo) {
      const last = gm.layers[hi - 1];
      const bytes = last.outBytesPerSample * b * (dev.actBytes / gm.graphActBytes);
      const c = collectiveTime(links.pp.link, 'p2p', bytes, 2).seconds * (ctx.training ? 2 : 1);
      t += c;
      ppComm = Math.max(ppComm, c);
    }
    backwardPerMb.push(back);
    forwardPerMb.push(fwd);
    recomputePerMb.push(rcs);
    // weights in parameters at the run precision (block-quantized ones as stored: effectiveParams)
    let params = 0;
    for (let i = lo; i < hi; i++) params += effectiveParams(gm.layers[i], bpp.weights);
    t += zeroPerMicrobatch(ctx, plan, links, params, t);
    const act = genericActivations(dev, gm, layers, b, ctx.training, plan.recompute);
    const inflight = ctx.training ? inflightStageFraction(s, plan.pp, plan.interleave, m) : 1;
    const mem = memoryOf(params, bpp, act.stored * inflight + act.working);
    if (detail) {
      const actPerLayer = layers.reduce((a, l) => a + l.actBytesPerSample, 0) || 1;
      for (const l of layers) {
        layerMemory.set(
          l.layer,
          effectiveParams(l, bpp.weights) * (bpp.weights + bpp.gradients + bpp.optimizer) +
            (mem.activations * l.actBytesPerSample) / actPerLayer,
        );
      }
    }
    stages.push({
      index: s,
      // detail=false (the search's evaluations): no per-layer list; only the chosen plan's is reported
      layers: detail ? layers.map((l) => l.layer) : [],
      blocks: 0,
      secondsPerMicrobatch: t,
      busy: 0,
      memory: mem,
      params,
    });
  }
  const critical = stages.reduce(
    (a, st) => (st.secondsPerMicrobatch > stages[a].secondsPerMicrobatch ? st.index : a),
    0,
  );
  return finish(
    ctx,
    plan,
    links,
    stages,
    { tpComm: 0, recompute: recomputePerMb[critical] ?? 0, ppComm, backwardPerMb, forwardPerMb, embeddingSync: 0 },
    layerTimes,
    layerStage,
    layerMemory,
    notes,
    plan.globalBatch,
    plan.globalBatch,
  );
}

export function blockShape(ctx: Context, plan: Plan): BlockShape {
  const p = ctx.pattern!;
  const cp = plan.cp ?? 1;
  return {
    b: plan.microbatch,
    sq: p.seq / cp,
    cp,
    skv: p.kvSeq,
    h: p.hidden,
    a: p.heads,
    g: p.kvHeads,
    d: p.headDim,
    // mixture of experts: a token runs k experts' FFNs, as FLOPs and weight reads one FFN k times as wide
    // (exact at one token per step; more tokens touch more distinct experts); memory holds every expert
    f: p.experts > 0 ? p.ffn * Math.max(1, p.expertsPerToken) : p.ffn,
    gated: p.gated,
    vocab: p.vocab,
    t: plan.tp,
    sp: plan.sequenceParallel && plan.tp > 1,
    training: ctx.training,
    flash: ctx.attention === 'flash',
    causal: ctx.causal,
    tpOverlap: ctx.training ? (ctx.spec.stack?.tpCommOverlap ?? 0) : 0,
    flashForward: ctx.spec.attention?.flashForwardEfficiency ?? 0.5,
    flashBackward: ctx.spec.attention?.flashBackwardEfficiency ?? 0.4,
    kvAppend: !ctx.training && ctx.kvCache,
    kvBytes: ctx.kvBytes,
    moeK: p.experts > 0 ? Math.max(1, p.expertsPerToken) : 0,
    experts: p.experts,
    ep: plan.ep ?? 1,
  };
}

/** One block's parameters on one GPU: the dense part split tp ways, the experts tp x ep ways (Megatron-core's
 * expert tensor parallelism defaults to tp; the experts are spread over ep data-parallel ranks). */
export function blockParamsPerGpu(p: TransformerPattern, plan: Plan): number {
  const all = p.blocks[0]?.params ?? 0;
  const experts = Math.min(all, p.moe ? p.moe.expertParams / Math.max(1, p.layers) : 0);
  return (all - experts) / plan.tp + experts / (plan.tp * (plan.ep ?? 1));
}

/** Block j of L on which pipeline stage, with L split into pp x interleave contiguous chunks. */
export function stageOfBlock(j: number, L: number, pp: number, v: number): number {
  if (v > 1) return Math.floor(j / (L / (pp * v))) % pp;
  const base = Math.floor(L / pp),
    extra = L % pp;
  // stages 1..extra take one more block (the first stage also runs the embedding, the last the head)
  if (j < base) return 0;
  const k = j - base;
  return k < extra * (base + 1)
    ? 1 + Math.floor(k / (base + 1))
    : 1 + extra + Math.floor((k - extra * (base + 1)) / base);
}

/** Analysis layers outside the blocks and not covered by the embedding / head kernels (run replicated as
 * generic kernels), and the first block's first layer (which side of the blocks they are on). */
export function outsideLayers(ctx: Context): { others: GenericModel['layers']; firstBlockLayer: number } {
  const hit = ctx.cache.get('outside') as ReturnType<typeof outsideLayers> | undefined;
  if (hit) return hit;
  // the same pattern nodes and workload give the same layers whatever the sequence (serving latency's phases
  // copy the pattern with another seq and a fresh cache; a knob change builds a new context)
  const kept = outsideMemo.get(ctx.pattern!.blocks);
  const q = ctx.pattern!;
  if (
    kept &&
    kept.generic === ctx.generic &&
    kept.pattern.embedNode === q.embedNode &&
    kept.pattern.lmHeadNode === q.lmHeadNode &&
    kept.pattern.finalNorm === q.finalNorm
  ) {
    ctx.cache.set('outside', kept.r);
    return kept.r;
  }
  const p = ctx.pattern!;
  const roleNodes = [p.embedNode, p.lmHeadNode, p.finalNorm].filter((n) => n >= 0);
  const inPattern = new Set<number>(roleNodes);
  for (const bl of p.blocks) for (const n of bl.nodes) inPattern.add(n);
  const covered = new Set<number>();
  for (const n of inPattern) covered.add(ctx.nodeLayer[n]);
  const others = ctx.generic.layers.filter((l) => !covered.has(l.layer));
  // A layer anchored outside the pattern by a matrix op whose fused tail reaches into a block (ViT: the patch
  // convolution, class token and position add fused with block 0's first LayerNorm) still runs its own work:
  // kept, less the FLOPs of its nodes inside the pattern (the block kernels cost those). (A position-embedding
  // lookup fused the same way is the embedding's 'embed.position' kernel.)
  const { layers, nodeCosts } = ctx.analysis;
  for (const l of ctx.generic.layers) {
    const idx = layers[l.layer].nodeIndices;
    if (
      !l.matrix ||
      !covered.has(l.layer) ||
      idx.length === 0 ||
      inPattern.has(idx[0]) ||
      roleNodes.some((n) => idx.includes(n))
    )
      continue;
    const inside = idx.filter((n) => inPattern.has(n)).reduce((s, n) => s + (nodeCosts[n]?.flops ?? 0), 0);
    others.push({ ...l, flopsPerSample: Math.max(0, l.flopsPerSample - inside / ctx.generic.graphBatch) });
  }
  others.sort((a, b) => a.layer - b.layer);
  const r = {
    others,
    firstBlockLayer: Math.min(...p.blocks[0].nodes.map((n) => ctx.nodeLayer[n]).filter((l) => l >= 0)),
  };
  ctx.cache.set('outside', r);
  outsideMemo.set(p.blocks, { generic: ctx.generic, pattern: p, r });
  return r;
}

/** outsideLayers per pattern (keyed on its blocks array) and workload: read-only results, shared. */
const outsideMemo = new WeakMap<
  object,
  { generic: GenericModel; pattern: NonNullable<Context['pattern']>; r: ReturnType<typeof outsideLayers> }
>();

interface TransformerPasses {
  fwd: PassTime;
  bwd: PassTime;
  rc: PassTime;
  block: PassTime;
  embed: PassTime;
  head: PassTime;
  blockFlops: Map<string, number>;
  headFlops: Map<string, number>;
  embedFlops: Map<string, number>;
  /** the note on unaligned GEMMs of the block and head kernels (their backward kernels share the shapes) */
  alignment: string[];
}

function transformerPasses(ctx: Context, links: LinkFor, x: BlockShape, rcMode: Recompute): TransformerPasses {
  const key = `tf|${x.b}|${x.t}|${x.sp}|${rcMode}|${x.flash}|${x.cp}|${x.ep ?? 1}`;
  const hit = ctx.cache.get(key) as TransformerPasses | undefined;
  if (hit) return hit;
  const dev = ctx.dev,
    p = ctx.pattern!;
  const fI = blockForward(dev, x),
    bI = ctx.training ? blockBackward(dev, x) : [],
    rI = ctx.training ? blockRecompute(dev, x, rcMode) : [];
  const fwd = passOf(ctx, links, fI),
    bwd = passOf(ctx, links, bI),
    rc = passOf(ctx, links, rI);
  const block = emptyPass();
  addPass(block, fwd);
  addPass(block, bwd);
  addPass(block, rc);
  const eI = [...embeddingForward(dev, x, ctx.positional), ...(ctx.training ? embeddingBackward(dev, x) : [])];
  // FP8 runs keep the output layer in 16 bits: Megatron-core's fp8_autocast wraps the transformer layers only
  // (the LM head is a plain ColumnParallelLinear), and FP8 serving quantizes the blocks' linears but not lm_head
  const headDev = dev.precision === 'fp8' ? deviceFor(ctx.spec, 'bf16', ctx.training) : dev;
  const hI = [...headForward(headDev, x), ...(ctx.training ? headBackward(headDev, x) : [])];
  const r: TransformerPasses = {
    fwd,
    bwd,
    rc,
    block,
    embed: passOf(ctx, links, eI),
    head: p.vocab > 0 ? passTime(headDev, links, hI) : emptyPass(),
    blockFlops: flopsByRole([...fI, ...bI, ...rI]),
    headFlops: flopsByRole(hI),
    embedFlops: flopsByRole(eI),
    alignment: alignmentNote(dev, [
      ...unalignedGemms(dev, fI),
      ...unalignedGemms(headDev, hI),
      ...unalignedGemms(
        dev,
        outsideLayers(ctx).others.map((l) => genericForward(dev, ctx.generic, l, x.b)),
        (w) => ctx.analysis.layers[Number(w.role.slice(6))]?.name ?? w.role,
      ),
    ]),
  };
  ctx.cache.set(key, r);
  return r;
}

export function evaluateTransformer(ctx: Context, plan: Plan, detail = true): Evaluation {
  checkPlan(ctx, plan);
  const p = ctx.pattern!,
    dev = ctx.dev,
    gm = ctx.generic;
  const links = linksFor(ctx.spec, plan);
  const x = blockShape(ctx, plan);
  const notes: string[] = [];
  const rcMode: Recompute = ctx.training ? plan.recompute : 'none';
  const { fwd, bwd, rc, block, embed, head, blockFlops, headFlops, embedFlops, alignment } = transformerPasses(
    ctx,
    links,
    x,
    rcMode,
  );
  notes.push(...alignment);
  const m = plan.globalBatch / (plan.microbatch * plan.dp);
  const L = p.layers,
    P = plan.pp;
  const blocksOn = new Array<number>(P).fill(0);
  for (let j = 0; j < L; j++) blocksOn[stageOfBlock(j, L, P, plan.interleave)]++;
  const { others, firstBlockLayer } = outsideLayers(ctx);
  const otherPass = (l: (typeof gm.layers)[number]) => {
    const t = emptyPass();
    const f = genericForward(dev, gm, l, plan.microbatch);
    addPass(t, passOf(ctx, links, [f]));
    if (ctx.training) addPass(t, passOf(ctx, links, [genericBackward(dev, gm, l, plan.microbatch)]));
    return { t, flops: f.flops * (ctx.training ? 3 : 1) };
  };
  // pipeline sends: each stage sends its activation forward (and the gradient back when training) once per
  // chunk; with tensor parallelism each rank sends 1/t over its own NIC and the receiver all-gathers over
  // NVLink (Narayanan et al. 2021 §4.1 scatter/gather), unless sequence parallel already splits it.
  let ppPerMb = 0;
  if (P > 1) {
    const S = x.b * x.sq * x.h * dev.actBytes;
    const send =
      collectiveTime(links.pp.link, 'p2p', S / plan.tp, 2).seconds +
      (plan.tp > 1 && !x.sp ? collectiveTime(links.tp.link, 'all-gather', S, plan.tp).seconds : 0);
    // Megatron-core's interleaved schedule with overlap_p2p_comm posts each transfer before the next chunk's
    // compute and waits after it: hidden, at the compute interference; otherwise on the critical path (the 2021
    // schedule waited and synchronised after every batch_isend_irecv)
    const hidden = ctx.spec.stack?.ppOverlap === true && plan.interleave > 1 && ctx.training;
    ppPerMb =
      send * plan.interleave * (ctx.training ? 2 : 1) * (hidden ? ctx.spec.efficiency.commComputeInterference : 1);
  }
  const bpp = bytesPerParam(ctx.precision, plan.zero, plan.dp, ctx.training, ctx.spec.stack?.gradient_bytes);
  const act = blockActivationBytes(x, rcMode, dev.actBytes);
  const layerTimes = new Map<number, LayerTime>(),
    layerStage = new Map<number, number>(),
    layerMemory = new Map<number, number>();
  const smallParams = Math.max(0, p.otherParams - p.embeddingParams - p.lmHeadParams);
  const T = x.b * x.sq;
  const backwardPerMb: number[] = [],
    forwardPerMb: number[] = [];
  const stages: StageResult[] = Array.from({ length: P }, (_, s) => {
    let t = blocksOn[s] * block.seconds + ppPerMb;
    let back = blocksOn[s] * bwd.seconds;
    let fore = blocksOn[s] * fwd.seconds;
    let params = blocksOn[s] * blockParamsPerGpu(p, plan);
    const layers = new Set<number>();
    if (s === 0) {
      t += embed.seconds;
      fore += embed.seconds;
      params += p.embeddingParams / plan.tp + smallParams;
    }
    if (s === P - 1) {
      t += head.seconds;
      // about a third of the head's time is its forward pass (the LM head GEMM once, its backward twice)
      back += (head.seconds * 2) / 3;
      fore += head.seconds / 3;
      params += p.lmHeadParams / plan.tp + (p.tiedEmbedding && P > 1 ? p.embeddingParams / plan.tp : 0);
    }
    for (const l of others) {
      const before = l.layer <= firstBlockLayer; // the first block's layer itself: one anchored before it
      if ((before && s === 0) || (!before && s === P - 1)) {
        const o = otherPass(l);
        t += o.t.seconds;
        if (detail) layerTime(layerTimes, l.layer, partsOf(o.t), m, o.flops);
        layerStage.set(l.layer, s);
        layers.add(l.layer);
      }
    }
    t += zeroPerMicrobatch(ctx, plan, links, params, t);
    backwardPerMb.push(back);
    forwardPerMb.push(fore);
    // activations: blocks x microbatches in flight + one block's working set; embedding output on the first
    // stage; logits (fp32 for the loss) on the last (Korthikanti §4.3)
    const inflight = ctx.training ? inflightStageFraction(s, P, plan.interleave, m) : 1;
    // inference keeps one block's activations at a time; training keeps every block's for the backward pass
    let activations = ctx.training
      ? blocksOn[s] * act.stored * inflight + act.working
      : blocksOn[s] > 0
        ? act.stored
        : 0;
    if (ctx.training && s === 0) activations += ((T * x.h * (dev.actBytes + 1)) / (x.sp ? plan.tp : 1)) * inflight;
    if (s === P - 1 && p.vocab > 0)
      activations += T * vocabShard({ vocab: p.vocab, t: plan.tp }) * (ctx.training ? 4 + dev.actBytes : dev.actBytes);
    if (ctx.kvCache) {
      // every sample of the replica's batch keeps its K and V for each block of the stage
      const gT = Math.max(1, x.g / plan.tp);
      const kvLen = Math.max(x.skv, ctx.kvCapacity ?? 0);
      activations += blocksOn[s] * 2 * (plan.globalBatch / plan.dp) * gT * kvLen * x.d * (ctx.kvBytes ?? dev.actBytes);
    }
    const mem = memoryOf(params, bpp, activations);
    return {
      index: s,
      layers: [...layers],
      blocks: blocksOn[s],
      secondsPerMicrobatch: t,
      busy: 0,
      memory: mem,
      params,
    };
  });
  // attribution of block kernels to graph layers
  // a role's graph node(s); Q, K, V (and gate, up) as separate MatMuls share their role's time by parameters
  const anchorsOf = (bl: TransformerPattern['blocks'][number], role: string): [number, number][] => {
    const r = (bl as unknown as Record<string, number | number[]>)[role];
    const ns = (Array.isArray(r) ? r : [r]).filter((n): n is number => typeof n === 'number' && n >= 0);
    if (ns.length === 0) return [[bl.nodes[0], 1]];
    const w = ns.map((n) => ctx.analysis.layers[ctx.nodeLayer[n]]?.paramCount ?? 0);
    const tot = w.reduce((a, b) => a + b, 0);
    return ns.map((n, i) => [n, tot > 0 ? w[i] / tot : 1 / ns.length]);
  };
  const perParamBytes = bpp.weights + bpp.gradients + bpp.optimizer;
  if (detail)
    p.blocks.forEach((bl, j) => {
      const s = stageOfBlock(j, L, P, plan.interleave);
      const stageLayers = new Set<number>();
      for (const [role, v] of block.byRole) {
        for (const [node, share] of anchorsOf(bl, role)) {
          const layer = ctx.nodeLayer[node];
          layerTime(layerTimes, layer, v, m * share, blockFlops.get(role) ?? 0);
          stageLayers.add(layer);
        }
      }
      for (const n of bl.nodes) stageLayers.add(ctx.nodeLayer[n]);
      const blockLayers = [...stageLayers].filter((l) => l >= 0);
      const blockAct = ctx.training
        ? act.stored * inflightStageFraction(s, P, plan.interleave, m)
        : act.stored / Math.max(1, blocksOn[s]);
      for (const l of blockLayers) {
        layerStage.set(l, s);
        stages[s].layers.push(l);
        const lp = effectiveParams(ctx.analysis.layers[l], bpp.weights);
        layerMemory.set(l, (layerMemory.get(l) ?? 0) + (lp / plan.tp) * perParamBytes + blockAct / blockLayers.length);
      }
    });
  const attach = (node: number, pass: PassTime, role: string, s: number, flops: Map<string, number>) => {
    if (node < 0) return;
    const l = ctx.nodeLayer[node];
    const v = pass.byRole.get(role);
    if (v) layerTime(layerTimes, l, v, m, flops.get(role) ?? 0);
    layerStage.set(l, s);
    if (!stages[s].layers.includes(l)) stages[s].layers.push(l);
    layerMemory.set(l, (effectiveParams(ctx.analysis.layers[l], bpp.weights) / plan.tp) * perParamBytes);
  };
  if (detail) {
    attach(p.embedNode, embed, 'embed', 0, embedFlops);
    attach(p.finalNorm, head, 'final-norm', P - 1, headFlops);
    attach(p.lmHeadNode, head, 'lm-head', P - 1, headFlops);
  }
  for (const s of stages) s.layers = [...new Set(s.layers)].sort((a, b2) => a - b2);
  // tied input/output embedding: first and last stage all-reduce its gradient every step (Megatron)
  const embeddingSync =
    ctx.training && p.tiedEmbedding && P > 1
      ? collectiveTime(links.pp.link, 'all-reduce', (p.embeddingParams / plan.tp) * 4, 2).seconds
      : 0;
  const tpComm = block.comm * Math.max(...blocksOn);
  const tokensPerStep = plan.globalBatch * p.seq;
  if (plan.tp > links.tp.n || plan.tp > ctx.spec.nvlink.domain_gpus) {
    const x = links.tp.link.crossDomain;
    notes.push(
      `tp=${plan.tp} spans more than one NVLink domain: its collectives run over InfiniBand` +
        (x
          ? `; a small all-reduce over its ${x.domains} domains takes ${fmtSeconds(collectiveLatency(links.tp.link, 'all-reduce', plan.tp))} (NCCL's latency model), ${fmtSeconds(ctx.spec.nvlink.latency_us * 1e-6)} inside one`
          : ''),
    );
  }
  return finish(
    ctx,
    plan,
    links,
    stages,
    {
      tpComm,
      recompute: rc.seconds * Math.max(...blocksOn),
      ppComm: ppPerMb,
      backwardPerMb,
      forwardPerMb,
      embeddingSync,
    },
    layerTimes,
    layerStage,
    layerMemory,
    notes,
    plan.globalBatch,
    tokensPerStep,
  );
}

/** detail = false skips the per-layer attribution (the plan search evaluates thousands of plans). */
export function evaluate(ctx: Context, plan: Plan, detail = true): Evaluation {
  return ctx.pattern ? evaluateTransformer(ctx, plan, detail) : evaluateGeneric(ctx, plan, detail);
}
