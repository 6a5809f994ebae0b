// GPU-cluster spec: the JSON schema of specs/*.json (units in key names, a source for every number)
// and its validator. Formulas live in the mapper; numbers live here.
import type { Precision } from '../types';
import { shownValue, specFields } from '../errors';

/** [threshold, efficiency] rows; the first row (largest threshold first) the size reaches applies (Calculon's lookup). */
export type EfficiencyTable = [number, number][];

export interface GpuLink {
  /** one direction, per GPU */
  bandwidthPerGpu_GBps: number;
  latency_us: number;
  /** achieved fraction of bandwidthPerGpu_GBps for large collectives */
  efficiency: number;
  /** set by linksFor (never read from a spec file): the group spans `domains` NVLink domains with
   * `ranksPerDomain` members in each, and its all-reduce / all-gather / reduce-scatter latency follows the
   * spec's step model instead of `latency_us` */
  crossDomain?: { domains: number; ranksPerDomain: number; steps: CollectiveSteps };
}

/** The latency of a small collective whose ranks span NVLink domains, in the form of NCCL's own latency model
 * (src/graph/tuning.cc, ncclTopoTuneModel, LL protocol): a base per algorithm plus one latency per step a
 * message waits for, inside a domain (NVLink) or across the network (NIC, proxy thread, switch). */
export interface CollectiveSteps {
  /** fixed part of a tree all-reduce (kernel start, first and last flag) */
  treeBase_us: number;
  /** fixed part of a ring collective */
  ringBase_us: number;
  /** one step between two GPUs of a domain over NVLink */
  nvlinkStep_us: number;
  /** the least a step of a ring that crosses the network takes, whichever link it uses (every step of such a
   * ring goes through the network proxy: NCCL's netOverhead, by host CPU) */
  proxyStep_us: number;
  /** one step across the network: GPU to NIC over PCIe, the proxy thread's post, the wire and switch, the
   * receiver's flag */
  networkStep_us: number;
}

export interface GpuClusterSpec {
  kind: 'gpu-cluster';
  id: string;
  name: string;
  gpusPerNode_count: number;
  gpu: {
    name: string;
    /** tensor-core peak, dense (TOPS for int8/int4); 0 or absent = unsupported (the GEMMs then run at the fp16
     * rate on weights stored at the precision: weight-only quantization) */
    matrix_TFLOPS: Record<'fp32' | 'fp16' | 'bf16', number> & Partial<Record<Precision, number>>;
    /** non-tensor (elementwise) peak */
    vector_TFLOPS: Record<'fp32' | 'fp16' | 'bf16', number> & Partial<Record<Precision, number>>;
    hbm_GiB: number;
    hbmBandwidth_GBps: number;
    tdp_W: number;
  };
  /** NVLink inside an NVLink domain of domain_gpus GPUs */
  nvlink: GpuLink & { domain_gpus: number };
  /** InfiniBand between domains */
  infiniband: GpuLink;
  /** small-collective latency of a group that spans NVLink domains (absent: `infiniband.latency_us`) */
  collectiveSteps?: CollectiveSteps;
  /** Fixed costs of every kernel, which batch-1 decode and small models are made of: the idle time at each
   * kernel boundary (launch, ramp-up, tail) and the shortest a kernel runs however little it moves: a GEMM
   * (a matrix product whose rows M > 1), any other matrix kernel (a GEMV, M = 1; a convolution; a recurrent
   * cell), a vector kernel (elementwise, norm). */
  kernel: {
    launch_us: number;
    matrixMinimum_us: number;
    gemmMinimum_us: number;
    vectorMinimum_us: number;
  };
  efficiency: {
    /** 'no_overlap': kernel time = compute + memory time; 'roofline': the larger of the two */
    computeMemoryOverlap: 'no_overlap' | 'roofline';
    matrixByWork_GFLOP: EfficiencyTable;
    vectorByWork_GFLOP: EfficiencyTable;
    memoryByTraffic_MB: EfficiencyTable;
    /** fraction of an overlapped collective's time that still slows the compute it hides behind */
    commComputeInterference: number;
    /** fraction of a backward-pass tensor-parallel collective that its overlapping GEMM actually hides (0 = none) */
    tpBackwardOverlap: number;
    /** a GEMM's leading dimensions (K and N of [M,K] x [K,N]) must be multiples of this many bytes for the
     * vectorised tensor-core kernels (cuBLAS / CUTLASS: 16) */
    gemmAlignment_bytes: number;
    /** ceiling on an unaligned GEMM's compute rate, as a fraction of the fp16 tensor-core peak (the align1
     * kernels cuBLAS falls back to) */
    unalignedGemmEfficiency: number;
    /** fixed cost of every output tile of a GEMM, in steps of its reduction loop (K elements): the prologue that
     * fills the load pipeline and the epilogue that writes the tile; a GEMM reducing over K runs at
     * K / (K + gemmTileOverhead_elements) of the table's efficiency (0 or absent: none) */
    gemmTileOverhead_elements?: number;
    /** fp8 GEMMs reach this fraction of the 16-bit efficiency, relative to the fp8 peak (measured achievable fp8
     * rate / fp8 peak over the same for bf16; absent: 1) */
    fp8MatrixScale?: number;
  };
  /** Fused (FlashAttention-style) attention kernels: achieved fraction of the 16-bit matrix peak of the forward
   * and the backward kernel, on the FLOPs they do (a causal mask skips half the score blocks). */
  attention?: {
    flashForwardEfficiency: number;
    flashBackwardEfficiency: number;
  };
  /** The software stack this spec's defaults describe (the one its calibration rows ran): the attention kernel
   * a training run uses unless --attention says otherwise, the fraction of each tensor-parallel collective that
   * the stack overlaps with its neighbouring GEMM (userbuffers / ring-exchange overlap; 0 = only Megatron's
   * backward async all-reduce, `efficiency.tpBackwardOverlap`), and whether the data-parallel gradient
   * reduction overlaps the backward pass (bucketed, as DDP / Megatron-core do) or runs after it. */
  stack?: {
    name: string;
    trainingAttention: 'flash' | 'unfused';
    tpCommOverlap: number;
    dpOverlap: boolean;
    /** bytes per gradient element kept between the backward pass and the optimizer (fp32 main grads: 4) */
    gradient_bytes: number;
    /** bytes per gradient element the data-parallel reduction sends (the stack's grad-sync dtype; absent: 4) */
    gradientSync_bytes?: number;
    /** the fraction of the measured (microbenchmark) matrix rates the stack's kernels sustain in a training run
     * (absent: 1) */
    trainingMatrixScale?: number;
    /** the interleaved pipeline schedule overlaps its sends / receives with the chunks' compute (Megatron-core
     * overlap_p2p_comm, valid with interleave > 1); absent or false: each transfer is on the critical path */
    ppOverlap?: boolean;
  };
  sources?: Record<string, string>;
  notes?: string[];
}

/** Precisions every GPU spec gives rates for; the others (fp8, int8, int4, fp4) are optional. */
const PRECISIONS: Precision[] = ['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4', 'fp4'];
const REQUIRED = new Set<Precision>(['fp32', 'fp16', 'bf16']);

/** Refuses a spec with a missing, non-numeric or negative number, naming the field. */
export function validateGpuSpec(spec: Record<string, unknown>, where: string): void {
  const { get, fail, num } = specFields(spec, where);
  const table = (path: string, maxEff: number): void => {
    const t = get(path);
    if (t === undefined) fail(path, 'is missing (an array of [threshold, efficiency] rows is required)');
    if (!Array.isArray(t) || t.length === 0) fail(path, 'must be a non-empty array of [threshold, efficiency] rows');
    (t as unknown[]).forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== 2) fail(`${path}[${i}]`, 'must be a [threshold, efficiency] pair');
      const [x, e] = row as unknown[];
      if (typeof x !== 'number' || !Number.isFinite(x))
        fail(`${path}[${i}][0]`, `must be a number, got ${shownValue(x)}`);
      if ((x as number) < 0) fail(`${path}[${i}][0]`, `must not be negative, got ${x}`);
      if (typeof e !== 'number' || !Number.isFinite(e))
        fail(`${path}[${i}][1]`, `must be a number, got ${shownValue(e)}`);
      if ((e as number) <= 0 || (e as number) > maxEff) fail(`${path}[${i}][1]`, `must be in (0, ${maxEff}], got ${e}`);
    });
    if (!(t as [number, number][]).some((r) => r[0] === 0))
      fail(path, 'needs a row with threshold 0 (it must cover every size)');
  };
  if (typeof spec.id !== 'string' || !spec.id) fail('id', 'is missing (a string is required)');
  num('gpusPerNode_count', { positive: true, integer: true });
  for (const p of PRECISIONS) {
    num(`gpu.matrix_TFLOPS.${p}`, { positive: p === 'fp16' || p === 'bf16', optional: !REQUIRED.has(p) });
    num(`gpu.vector_TFLOPS.${p}`, { positive: REQUIRED.has(p), optional: !REQUIRED.has(p) });
  }
  num('gpu.hbm_GiB', { positive: true });
  num('gpu.hbmBandwidth_GBps', { positive: true });
  num('gpu.tdp_W');
  for (const link of ['nvlink', 'infiniband']) {
    num(`${link}.bandwidthPerGpu_GBps`, { positive: true });
    num(`${link}.latency_us`);
    num(`${link}.efficiency`, { positive: true, max: 1 });
  }
  num('nvlink.domain_gpus', { positive: true, integer: true });
  if (get('collectiveSteps') !== undefined) {
    for (const k of ['treeBase_us', 'ringBase_us', 'nvlinkStep_us', 'proxyStep_us', 'networkStep_us'])
      num(`collectiveSteps.${k}`);
  }
  num('kernel.launch_us');
  num('kernel.matrixMinimum_us');
  num('kernel.gemmMinimum_us');
  num('kernel.vectorMinimum_us');
  const mode = get('efficiency.computeMemoryOverlap');
  if (mode !== 'no_overlap' && mode !== 'roofline')
    fail('efficiency.computeMemoryOverlap', `must be "no_overlap" or "roofline", got ${shownValue(mode)}`);
  table('efficiency.matrixByWork_GFLOP', 1);
  table('efficiency.vectorByWork_GFLOP', 1);
  table('efficiency.memoryByTraffic_MB', 1);
  num('efficiency.commComputeInterference', { max: 1 });
  num('efficiency.tpBackwardOverlap', { max: 1 });
  num('efficiency.gemmAlignment_bytes', { positive: true, integer: true });
  num('efficiency.unalignedGemmEfficiency', { positive: true, max: 1 });
  num('efficiency.gemmTileOverhead_elements', { optional: true });
  num('efficiency.fp8MatrixScale', { optional: true, positive: true, max: 2 });
  if (get('attention') !== undefined) {
    num('attention.flashForwardEfficiency', { positive: true, max: 1 });
    num('attention.flashBackwardEfficiency', { positive: true, max: 1 });
  }
  if (get('stack') !== undefined) {
    const a = get('stack.trainingAttention');
    if (a !== 'flash' && a !== 'unfused')
      fail('stack.trainingAttention', `must be "flash" or "unfused", got ${shownValue(a)}`);
    num('stack.tpCommOverlap', { max: 1 });
    num('stack.gradient_bytes', { positive: true, max: 4 });
    num('stack.gradientSync_bytes', { positive: true, max: 4, optional: true });
    num('stack.trainingMatrixScale', { positive: true, max: 1, optional: true });
    if (typeof get('stack.dpOverlap') !== 'boolean')
      fail('stack.dpOverlap', `must be true or false, got ${shownValue(get('stack.dpOverlap'))}`);
    const ppo = get('stack.ppOverlap');
    if (ppo !== undefined && typeof ppo !== 'boolean')
      fail('stack.ppOverlap', `must be true or false, got ${shownValue(ppo)}`);
  }
}

/** Every numeric leaf of a spec, as dotted paths (tables count as one leaf): what `sources` must cover. */
export function numericFields(spec: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'sources' || k === 'notes') continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' || Array.isArray(v)) out.push(path);
    else if (v && typeof v === 'object') out.push(...numericFields(v as Record<string, unknown>, path));
  }
  return out;
}
