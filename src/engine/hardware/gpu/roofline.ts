// Kernel and collective times on one GPU of a cluster spec.
// Kernel: compute time = FLOPs / (peak x efficiency(GFLOP of the kernel)); memory time = bytes /
// (HBM bandwidth x efficiency(MB moved)); the two add ('no_overlap') or the larger wins ('roofline'),
// as the spec says (Calculon's system.py processing modes; LLM-Viewer's roofline_model.py takes the larger).
// Every kernel then pays the spec's fixed costs: time = launch + max(minimum, work), the minimum by kind of
// kernel: a GEMM (rows M > 1), another matrix kernel (GEMV, convolution) or a vector kernel. Calculon has no
// such floor; without it a batch-1 decode step or a tiny model comes out as a few hundred nanoseconds (numbers
// and how they were measured: the spec's sources, docs/GPU-MODEL.md).
// GEMM alignment: cuBLAS / CUTLASS tensor-core kernels load 16-byte vectors, so a GEMM whose leading
// dimensions (K and N of [M,K] x [K,N], row-major) are not multiples of 16 bytes runs on 'align1' kernels
// with scalar loads (NVIDIA Matrix Multiplication Background guide, "Tensor Core Requirements"; cuBLAS
// "Tensor Core Usage"); their compute rate is capped at the spec's unalignedGemmEfficiency of the fp16 peak.
// Collective on n ranks, S bytes, link bandwidth B per GPU one way (NVIDIA nccl-tests PERFORMANCE.md):
// all-reduce 2(n-1)/n * S/B, all-gather and reduce-scatter (n-1)/n * S/B, point-to-point S/B; plus the
// latency once per collective (Calculon network.py: latency + size / (bw * eff)): the link's inside an NVLink
// domain, NCCL's step model for a group that spans domains (collectiveLatency).
import type { Bound, Precision } from '../types';
import { PRECISION_BYTES } from '../../options';
import type { EfficiencyTable, GpuClusterSpec, GpuLink } from './spec';

export type Engine = 'matrix' | 'vector';
export type CollectiveKind = 'all-reduce' | 'all-gather' | 'reduce-scatter' | 'all-to-all' | 'p2p';

/** Calculon's step lookup: rows sorted by threshold, largest first; the first the size reaches applies. */
export function lookupEfficiency(table: EfficiencyTable, size: number): number {
  const rows = [...table].sort((a, b) => b[0] - a[0]);
  for (const [threshold, eff] of rows) if (size >= threshold) return eff;
  return rows[rows.length - 1][1];
}

/** The matrix product a matrix kernel computes: `batch` independent [m,k] x [k,n] products (row-major, as
 * ONNX MatMul and PyTorch hold them: the leading dimensions are k and n). */
export interface GemmShape {
  m: number;
  k: number;
  n: number;
  batch: number;
  /** the length of the reduction loop when it is not k (a backward GEMM: dgrad reduces over n, wgrad over m) */
  reduce?: number;
}

export interface Device {
  spec: GpuClusterSpec;
  precision: Precision;
  /** FLOP/s */
  matrixPeak: number;
  /** the 16-bit tensor-core peak (fused attention kernels run in 16 bits whatever the GEMMs' precision) */
  matrixPeak16: number;
  /** the precision's achievable fraction relative to the 16-bit one (fp8: the spec's fp8MatrixScale) */
  matrixScale: number;
  vectorPeak: number;
  /** bytes/s */
  hbmBandwidth: number;
  /** bytes per activation element and per weight element in the chosen precision */
  actBytes: number;
  weightBytes: number;
  /** the fraction of the measured matrix rates the kernels sustain in this run (training: the spec's
   * stack.trainingMatrixScale; otherwise 1) */
  sustainedScale: number;
  notes: string[];
}

export function deviceFor(spec: GpuClusterSpec, precision: Precision, training = false): Device {
  const notes: string[] = [];
  let mp = spec.gpu.matrix_TFLOPS[precision] ?? 0;
  let vp = spec.gpu.vector_TFLOPS[precision] ?? 0;
  if (!(mp > 0)) {
    notes.push(
      `${spec.gpu.name} has no ${precision} tensor-core rate in the spec: ${precision} weights are stored in ${PRECISION_BYTES[precision] * 8} bits and the GEMMs run at the fp16 rate (weight-only quantization, dequantized in the kernel)`,
    );
    mp = spec.gpu.matrix_TFLOPS.fp16;
  }
  if (!(vp > 0)) vp = spec.gpu.vector_TFLOPS.fp16;
  // fp8 training keeps 16-bit activations (Transformer Engine); weights are read in 8 bits by the GEMMs.
  // int8/int4/fp4: weights at their width, activations in 16 bits (weight-only and W4A16/W8A16 kernels).
  const actBytes = precision === 'fp32' ? 4 : 2;
  const weightBytes = PRECISION_BYTES[precision];
  return {
    spec,
    precision,
    matrixPeak: mp * 1e12,
    matrixPeak16: spec.gpu.matrix_TFLOPS.bf16 * 1e12,
    matrixScale:
      precision === 'fp8' && (spec.gpu.matrix_TFLOPS.fp8 ?? 0) > 0 ? (spec.efficiency.fp8MatrixScale ?? 1) : 1,
    vectorPeak: vp * 1e12,
    hbmBandwidth: spec.gpu.hbmBandwidth_GBps * 1e9,
    actBytes,
    weightBytes,
    sustainedScale: training ? (spec.stack?.trainingMatrixScale ?? 1) : 1,
    notes,
  };
}

export interface KernelTime {
  /** launch + max(minimum, work) */
  seconds: number;
  /** the work: compute and memory parts before the fixed costs */
  compute: number;
  memory: number;
  /** what the fixed costs add to the work: the launch, and the minimum's excess over the work */
  overhead: number;
  bound: Bound;
}

/** Bytes per element a GEMM's operands are loaded in: the narrower of the activations and the weights
 * (fp16 / bf16: 2, TF32: 4, fp8: 1). */
function gemmElementBytes(dev: Device): number {
  return Math.min(dev.actBytes, dev.weightBytes);
}

/** True when both leading dimensions (k and n) are multiples of the spec's alignment (16 bytes: 8 fp16
 * elements, 4 TF32, 16 fp8), so cuBLAS can use its vectorised tensor-core kernels. */
export function gemmAligned(dev: Device, g: GemmShape): boolean {
  const elems = Math.max(1, dev.spec.efficiency.gemmAlignment_bytes / gemmElementBytes(dev));
  return g.k % elems === 0 && g.n % elems === 0;
}

/** The tile-overhead factor of a GEMM reducing over `reduce` elements: K / (K + K0). Each output tile pays a
 * fixed prologue (filling the load pipeline) and epilogue (writing the tile) worth K0 steps of a 16-bit
 * reduction loop (the spec's gemmTileOverhead_elements); the fixed part is a time, and a narrower element streams
 * through the loop faster (an fp8 tile covers twice the K per step), so K0 scales by 2 bytes / element bytes. */
export function tileFactor(dev: Device, gemm?: GemmShape): number {
  const k0 = (dev.spec.efficiency.gemmTileOverhead_elements ?? 0) * (2 / gemmElementBytes(dev));
  if (!gemm || k0 <= 0) return 1;
  const k = gemm.reduce ?? gemm.k;
  return k / (k + k0);
}

/** A matrix kernel's achieved fraction of its precision's peak: the table's row for its size, at most the
 * table's largest row (the achievable rate of a long-K GEMM) x the tile factor, times the precision's scale
 * (fp8 reaches a smaller fraction of its peak than 16 bits). Small GEMMs are limited by occupancy (the size
 * rows), large ones by their K loop (the tile factor). */
export function matrixEfficiency(dev: Device, flops: number, gemm?: GemmShape): number {
  const table = dev.spec.efficiency.matrixByWork_GFLOP;
  const top = Math.max(...table.map((r) => r[1]));
  return dev.matrixScale * Math.min(lookupEfficiency(table, flops / 1e9), top * tileFactor(dev, gemm));
}

/** Time of one kernel. `gemm` (matrix kernels that are matrix products) selects the GEMM minimum when
 * m > 1 (a GEMV, m = 1, keeps the matrix minimum), the alignment ceiling and the tile overhead (the rate is
 * the size row of the table, at most its largest row x the tile factor: small GEMMs are limited by occupancy,
 * large ones by their K loop). `efficiency` (a fused kernel with its own measured rate, e.g.
 * FlashAttention) replaces the table: a fraction of the 16-bit matrix peak. */
export function kernelTime(
  dev: Device,
  engine: Engine,
  flops: number,
  bytes: number,
  gemm?: GemmShape,
  efficiency?: number,
): KernelTime {
  const eff = dev.spec.efficiency;
  const peak = engine === 'matrix' ? dev.matrixPeak : dev.vectorPeak;
  const table = engine === 'matrix' ? eff.matrixByWork_GFLOP : eff.vectorByWork_GFLOP;
  let rate: number;
  if (engine === 'matrix' && efficiency !== undefined) rate = dev.matrixPeak16 * efficiency;
  else rate = peak * (engine === 'matrix' ? matrixEfficiency(dev, flops, gemm) : lookupEfficiency(table, flops / 1e9));
  if (engine === 'matrix' && gemm && !gemmAligned(dev, gemm)) {
    rate = Math.min(rate, eff.unalignedGemmEfficiency * dev.spec.gpu.matrix_TFLOPS.fp16 * 1e12);
  }
  if (engine === 'matrix') rate *= dev.sustainedScale;
  const compute = flops > 0 ? flops / rate : 0;
  const memory = bytes > 0 ? bytes / (dev.hbmBandwidth * lookupEfficiency(eff.memoryByTraffic_MB, bytes / 1e6)) : 0;
  const work = eff.computeMemoryOverlap === 'roofline' ? Math.max(compute, memory) : compute + memory;
  // a kernel with nothing to do is not launched
  if (work <= 0) return { seconds: 0, compute: 0, memory: 0, overhead: 0, bound: 'memory' };
  const k = dev.spec.kernel;
  const minimum = engine === 'vector' ? k.vectorMinimum_us : gemm && gemm.m > 1 ? k.gemmMinimum_us : k.matrixMinimum_us;
  const seconds = (k.launch_us + Math.max(minimum, work * 1e6)) * 1e-6;
  const overhead = Math.max(0, seconds - work);
  const bound: Bound = overhead > Math.max(compute, memory) ? 'latency' : compute >= memory ? 'compute' : 'memory';
  return { seconds, compute, memory, overhead, bound };
}

/** Bytes each rank moves over the link, as a multiple of the collective's size S (nccl-tests bus factors). */
export function busFactor(kind: CollectiveKind, n: number): number {
  if (n <= 1) return 0;
  switch (kind) {
    case 'all-reduce':
      return (2 * (n - 1)) / n;
    case 'all-gather':
    case 'reduce-scatter':
    case 'all-to-all': // each rank keeps 1/n of its data and sends the rest (nccl-tests alltoall bus factor)
      return (n - 1) / n;
    case 'p2p':
      return 1;
  }
}

export interface CommTime {
  seconds: number;
  /** the latency part */
  latency: number;
}

/** The fixed (latency) part of a collective among n ranks, in seconds. Inside an NVLink domain, or for a
 * point-to-point send or an all-to-all: the link's latency_us (a measured small-message time). A group that
 * spans domains pays NCCL's latency model (NVIDIA/nccl src/graph/tuning.cc, ncclTopoTuneModel, LL protocol),
 * with N domains of ppn ranks each:
 *   ring:  ringBase + (s - x) * max(nvlinkStep, proxyStep) + x * networkStep, where s = 2(n-1) steps for an
 *          all-reduce (n-1 for an all-gather / reduce-scatter), x = 2(N-1) (N-1) of them across the network;
 *          every step of a ring that crosses the network waits on the proxy ("inter-node rings still have to
 *          launch nsteps * net overhead");
 *   tree (all-reduce only; NCCL's double binary tree, a chain inside each domain):
 *          treeBase + 2 ((ppn - 1) nvlinkStep + floor(log2 N) networkStep)  (up the tree, then down).
 * NCCL runs the faster of the two; for a small message that is the one with the lower latency. */
export function collectiveLatency(link: GpuLink, kind: CollectiveKind, n: number): number {
  const x = link.crossDomain;
  if (!x || kind === 'p2p' || kind === 'all-to-all' || x.domains <= 1) return link.latency_us * 1e-6;
  const c = x.steps,
    N = x.domains;
  const ringStep = Math.max(c.nvlinkStep_us, c.proxyStep_us);
  const ring = (steps: number, net: number): number =>
    c.ringBase_us + Math.max(0, steps - net) * ringStep + net * c.networkStep_us;
  if (kind !== 'all-reduce') return ring(n - 1, N - 1) * 1e-6;
  const tree =
    c.treeBase_us + 2 * ((x.ranksPerDomain - 1) * c.nvlinkStep_us + Math.floor(Math.log2(N)) * c.networkStep_us);
  return Math.min(ring(2 * (n - 1), 2 * (N - 1)), tree) * 1e-6;
}

/** Time of one collective of `bytes` (the full tensor size S) among n ranks over a link. */
export function collectiveTime(link: GpuLink, kind: CollectiveKind, bytes: number, n: number): CommTime {
  if ((n <= 1 && kind !== 'p2p') || bytes <= 0) return { seconds: 0, latency: 0 };
  const latency = collectiveLatency(link, kind, n);
  const transfer = (busFactor(kind, n) * bytes) / (link.bandwidthPerGpu_GBps * 1e9 * link.efficiency);
  return { seconds: latency + transfer, latency };
}
