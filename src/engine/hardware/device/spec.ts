// Single-device spec (kind "device"): one CPU socket or one GPU, the targets an imported onnxruntime profile is
// compared with (a CPU profile with a CPU, a CUDA profile with one GPU). Units are in the key names and every
// number has a source in the spec's `sources`. The peaks are derived here, the formulas named:
//   CPU compute  = cores used x clock_GHz x flopsPerCycle_perCore[precision]  (FMA units x SIMD lanes x 2)
//   CPU memory   = min(memoryChannels_count x memoryTransfer_MTps x memoryChannelWidth_bytes,
//                      cores used x memoryBandwidthPerCore_GBps)   (DDR wire rate; one core's streaming limit)
//   GPU compute  = matrix_TFLOPS / vector_TFLOPS[precision] (the GPU cluster specs' per-GPU datasheet numbers)
//   GPU memory   = memoryBandwidth_GBps
import type { Precision } from '../types';
import { shownValue, specFields } from '../errors';

export type Processor = 'cpu' | 'gpu';

export interface DeviceSpec {
  kind: 'device';
  id: string;
  name: string;
  processor: Processor;
  /** CPU: physical cores of the socket (the most threads a run can use) */
  cores_count?: number;
  /** CPU: sustained all-core clock under vector load */
  clock_GHz?: number;
  /** CPU: FLOPs one core issues per cycle by precision (matrix kernels: AVX-512 FMA or AMX tiles) */
  flopsPerCycle_perCore?: Partial<Record<Precision, number>>;
  /** CPU: FLOPs per cycle per core of element-wise kernels (SIMD lanes x 2 for an FMA, by precision) */
  vectorFlopsPerCycle_perCore?: Partial<Record<Precision, number>>;
  memoryChannels_count?: number;
  memoryTransfer_MTps?: number;
  memoryChannelWidth_bytes?: number;
  /** CPU: what one core streams from memory on its own (its outstanding misses over the memory latency) */
  memoryBandwidthPerCore_GBps?: number;
  /** GPU: dense peaks by precision, as the GPU cluster specs give them per GPU */
  matrix_TFLOPS?: Partial<Record<Precision, number>>;
  vector_TFLOPS?: Partial<Record<Precision, number>>;
  memoryBandwidth_GBps?: number;
  memory_GiB: number;
  tdp_W: number;
  /** fixed cost of every kernel the runtime dispatches (executor + launch), whatever the kernel does */
  kernel: { dispatch_us: number };
  /** achieved fractions of the peaks on large kernels */
  efficiency: { matrix: number; vector: number; memory: number };
  sources?: Record<string, string>;
  notes?: string[];
}

/** The peaks a run uses on this device: FLOP/s and bytes/s, with the notes that say how they were chosen. */
export interface DevicePeaks {
  matrixFlops: number;
  vectorFlops: number;
  bandwidth: number;
  /** CPU cores the run uses (undefined on a GPU) */
  cores?: number;
  /** the precision whose rate the matrix kernels run at */
  computePrecision: Precision;
  notes: string[];
}

function rateAt(table: Partial<Record<Precision, number>> | undefined, p: Precision): number {
  const v = table?.[p];
  return typeof v === 'number' && v > 0 ? v : 0;
}

/** The precision whose rate a kernel runs at: the asked one if the device has a rate for it, else the 16-bit one
 * for narrower precisions (weight-only quantisation, dequantised in the kernel), else fp32. */
function runnable(table: Partial<Record<Precision, number>> | undefined, p: Precision): Precision {
  if (rateAt(table, p) > 0) return p;
  if (p !== 'fp32' && p !== 'fp16' && p !== 'bf16') {
    if (rateAt(table, 'bf16') > 0) return 'bf16';
    if (rateAt(table, 'fp16') > 0) return 'fp16';
  }
  return 'fp32';
}

export function devicePeaks(spec: DeviceSpec, precision: Precision, threads?: number): DevicePeaks {
  const notes: string[] = [];
  if (spec.processor === 'cpu') {
    const all = spec.cores_count!;
    const cores = threads === undefined ? all : Math.max(1, Math.min(all, Math.floor(threads)));
    if (threads !== undefined && threads > all)
      notes.push(`${threads} threads asked, the spec has ${all} cores: ${all} used (one thread per core)`);
    const cp = runnable(spec.flopsPerCycle_perCore, precision);
    if (cp !== precision)
      notes.push(
        `${spec.name} has no ${precision} rate in the spec: matrix kernels run at its ${cp} rate (${rateAt(spec.flopsPerCycle_perCore, cp)} FLOP/cycle/core)`,
      );
    const vp = runnable(spec.vectorFlopsPerCycle_perCore, precision);
    const perCore = spec.clock_GHz! * 1e9;
    const wire = spec.memoryChannels_count! * spec.memoryTransfer_MTps! * 1e6 * spec.memoryChannelWidth_bytes!;
    const coreLimit = cores * spec.memoryBandwidthPerCore_GBps! * 1e9;
    notes.push(
      `${cores} of ${all} cores${threads === undefined ? ' (all: no thread count given)' : ''} at ${spec.clock_GHz} GHz: ` +
        `${((cores * perCore * rateAt(spec.flopsPerCycle_perCore, cp)) / 1e9).toFixed(0)} GFLOP/s ${cp} peak, memory ` +
        `${(Math.min(wire, coreLimit) / 1e9).toFixed(1)} GB/s (${coreLimit < wire ? `${cores} core(s) x ${spec.memoryBandwidthPerCore_GBps} GB/s each` : `${spec.memoryChannels_count} channels x ${spec.memoryTransfer_MTps} MT/s x ${spec.memoryChannelWidth_bytes} B`})`,
    );
    return {
      matrixFlops: cores * perCore * rateAt(spec.flopsPerCycle_perCore, cp),
      vectorFlops: cores * perCore * rateAt(spec.vectorFlopsPerCycle_perCore, vp),
      bandwidth: Math.min(wire, coreLimit),
      cores,
      computePrecision: cp,
      notes,
    };
  }
  const cp = runnable(spec.matrix_TFLOPS, precision);
  if (cp !== precision)
    notes.push(`${spec.name} has no ${precision} tensor-core rate in the spec: matrix kernels run at its ${cp} rate`);
  if (threads !== undefined) notes.push('--threads ignored: a GPU runs each kernel on all of its SMs');
  return {
    matrixFlops: rateAt(spec.matrix_TFLOPS, cp) * 1e12,
    vectorFlops: rateAt(spec.vector_TFLOPS, runnable(spec.vector_TFLOPS, precision)) * 1e12,
    bandwidth: spec.memoryBandwidth_GBps! * 1e9,
    computePrecision: cp,
    notes,
  };
}

/** Refuses a spec with a missing, non-numeric or out-of-range number, naming the field. */
export function validateDeviceSpec(spec: Record<string, unknown>, where: string): void {
  const { get, fail, num } = specFields(spec, where);
  /** a {precision: rate} table with a positive fp32 rate; other precisions optional (0 = unsupported) */
  const rates = (path: string): void => {
    const t = get(path);
    if (!t || typeof t !== 'object' || Array.isArray(t)) fail(path, 'must be an object of {precision: rate}');
    for (const [k, v] of Object.entries(t as Record<string, unknown>)) {
      if (!['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4', 'fp4'].includes(k))
        fail(`${path}.${k}`, 'is not a precision (fp32, fp16, bf16, fp8, int8, int4, fp4)');
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        fail(`${path}.${k}`, `must be a number >= 0, got ${shownValue(v)}`);
    }
    num(`${path}.fp32`, { positive: true });
  };
  if (typeof spec.id !== 'string' || !spec.id) fail('id', 'is missing (a string is required)');
  const p = spec.processor;
  if (p !== 'cpu' && p !== 'gpu') fail('processor', `must be "cpu" or "gpu", got ${shownValue(p)}`);
  if (p === 'cpu') {
    num('cores_count', { positive: true, integer: true });
    num('clock_GHz', { positive: true, max: 10 });
    rates('flopsPerCycle_perCore');
    rates('vectorFlopsPerCycle_perCore');
    num('memoryChannels_count', { positive: true, integer: true });
    num('memoryTransfer_MTps', { positive: true });
    num('memoryChannelWidth_bytes', { positive: true });
    num('memoryBandwidthPerCore_GBps', { positive: true });
  } else {
    rates('matrix_TFLOPS');
    rates('vector_TFLOPS');
    num('memoryBandwidth_GBps', { positive: true });
  }
  num('memory_GiB', { positive: true });
  num('tdp_W');
  num('kernel.dispatch_us');
  num('efficiency.matrix', { positive: true, max: 1 });
  num('efficiency.vector', { positive: true, max: 1 });
  num('efficiency.memory', { positive: true, max: 1 });
}
