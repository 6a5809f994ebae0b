// Single-device spec (kind "device"): one CPU socket or one GPU, the targets an imported onnxruntime profile is
// compared with (a CPU profile with a CPU, a CUDA profile with one GPU). Units are in the key names and every
// number has a source in the spec's `sources`. The peaks are derived here, the formulas named:
//   CPU compute  = cores used x clock x flopsPerCycle_perCore[precision]  (FMA units x SIMD lanes x 2); the clock
//                  is singleCoreTurbo_GHz on one core (the datasheet's max turbo), else clock_GHz
//   CPU memory   = min(memoryChannels_count x memoryTransfer_MTps x memoryChannelWidth_bytes x efficiency.memory,
//                      cores used x memoryBandwidthPerCore_GBps)   (DDR wire rate at STREAM's fraction; what the
//                  cores stream, measured, so no efficiency on it)
//   CPU caches   = a kernel whose working set fits cores used x cache.l2PerCore_MiB streams at cores used x
//                  cache.l2BandwidthPerCore_GBps, one that fits cache.llc_MiB at cores used x
//                  cache.llcBandwidthPerCore_GBps (model.ts)
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
  /** CPU: the clock one active core reaches (max turbo); a one-thread run uses it */
  singleCoreTurbo_GHz?: number;
  /** CPU: cache capacities and what one core streams from each level (the working set decides the level) */
  cache?: CpuCache;
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
  /** achieved fractions of the peaks on large kernels; matrixByWork_GFLOP (optional): [GFLOP per core, fraction]
   * rows by a matrix kernel's work, as the GPU specs' (gpu/roofline.ts lookupEfficiency), replacing `matrix` */
  efficiency: { matrix: number; vector: number; memory: number; matrixByWork_GFLOP?: [number, number][] };
  sources?: Record<string, string>;
  notes?: string[];
}

export interface CpuCache {
  l2PerCore_MiB: number;
  llc_MiB: number;
  l2BandwidthPerCore_GBps: number;
  llcBandwidthPerCore_GBps: number;
}

/** One level of the memory hierarchy a run streams from: a kernel whose working set fits `capacity` bytes streams
 * at `bandwidth` bytes/s (levels ordered smallest first; the last is main memory, capacity Infinity). */
export interface MemoryLevel {
  name: string;
  capacity: number;
  bandwidth: number;
}

/** The peaks a run uses on this device: FLOP/s and bytes/s, with the notes that say how they were chosen. */
export interface DevicePeaks {
  matrixFlops: number;
  vectorFlops: number;
  bandwidth: number;
  /** caches then main memory (`bandwidth`), smallest first; one level (main memory) without a cache in the spec */
  levels: MemoryLevel[];
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
    // one active core runs at the datasheet's max turbo; more cores at the base clock (the spec's sustained clock
    // under vector load: the turbo bins between are not in the datasheet)
    const clock = cores === 1 && spec.singleCoreTurbo_GHz ? spec.singleCoreTurbo_GHz : spec.clock_GHz!;
    const perCore = clock * 1e9;
    // the wire rate at STREAM's fraction of it; the per-core rate is what a core measured streaming, so no
    // efficiency is applied to it (that would count the shortfall twice)
    const wire =
      spec.memoryChannels_count! *
      spec.memoryTransfer_MTps! *
      1e6 *
      spec.memoryChannelWidth_bytes! *
      spec.efficiency.memory;
    const coreLimit = cores * spec.memoryBandwidthPerCore_GBps! * 1e9;
    const dram = Math.min(wire, coreLimit);
    const levels: MemoryLevel[] = [];
    const c = spec.cache;
    if (c) {
      levels.push(
        { name: 'L2', capacity: cores * c.l2PerCore_MiB * 2 ** 20, bandwidth: cores * c.l2BandwidthPerCore_GBps * 1e9 },
        { name: 'LLC', capacity: c.llc_MiB * 2 ** 20, bandwidth: cores * c.llcBandwidthPerCore_GBps * 1e9 },
      );
    }
    levels.push({ name: 'DRAM', capacity: Infinity, bandwidth: dram });
    notes.push(
      `${cores} of ${all} cores${threads === undefined ? ' (all: no thread count given)' : ''} at ${clock} GHz${clock !== spec.clock_GHz ? ' (one core: max turbo)' : ''}: ` +
        `${((cores * perCore * rateAt(spec.flopsPerCycle_perCore, cp)) / 1e9).toFixed(0)} GFLOP/s ${cp} peak, memory ` +
        `${(dram / 1e9).toFixed(1)} GB/s (${coreLimit < wire ? `${cores} core(s) x ${spec.memoryBandwidthPerCore_GBps} GB/s each` : `${spec.memoryChannels_count} channels x ${spec.memoryTransfer_MTps} MT/s x ${spec.memoryChannelWidth_bytes} B x ${spec.efficiency.memory}`})` +
        (c
          ? `; a kernel whose working set fits L2 (${cores} x ${c.l2PerCore_MiB} MiB) streams at ${(levels[0]!.bandwidth / 1e9).toFixed(0)} GB/s, one that fits the LLC (${c.llc_MiB} MiB) at ${(levels[1]!.bandwidth / 1e9).toFixed(0)} GB/s`
          : ''),
    );
    return {
      matrixFlops: cores * perCore * rateAt(spec.flopsPerCycle_perCore, cp),
      vectorFlops: cores * perCore * rateAt(spec.vectorFlopsPerCycle_perCore, vp),
      bandwidth: dram,
      levels,
      cores,
      computePrecision: cp,
      notes,
    };
  }
  const cp = runnable(spec.matrix_TFLOPS, precision);
  if (cp !== precision)
    notes.push(`${spec.name} has no ${precision} tensor-core rate in the spec: matrix kernels run at its ${cp} rate`);
  if (threads !== undefined) notes.push('--threads ignored: a GPU runs each kernel on all of its SMs');
  const hbm = spec.memoryBandwidth_GBps! * 1e9 * spec.efficiency.memory;
  return {
    matrixFlops: rateAt(spec.matrix_TFLOPS, cp) * 1e12,
    vectorFlops: rateAt(spec.vector_TFLOPS, runnable(spec.vector_TFLOPS, precision)) * 1e12,
    bandwidth: hbm,
    levels: [{ name: 'HBM', capacity: Infinity, bandwidth: hbm }],
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
    num('singleCoreTurbo_GHz', { optional: true, positive: true, max: 10 });
    if (get('cache') !== undefined) {
      for (const k of ['l2PerCore_MiB', 'llc_MiB', 'l2BandwidthPerCore_GBps', 'llcBandwidthPerCore_GBps'])
        num(`cache.${k}`, { positive: true });
    }
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
  const t = get('efficiency.matrixByWork_GFLOP');
  if (t !== undefined) {
    const path = 'efficiency.matrixByWork_GFLOP';
    if (!Array.isArray(t) || t.length === 0) fail(path, 'must be a non-empty array of [GFLOP, efficiency] rows');
    (t as unknown[]).forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== 2) fail(`${path}[${i}]`, 'must be a [GFLOP, efficiency] pair');
      num(`${path}.${i}.0`);
      const e = (row as unknown[])[1];
      if (typeof e !== 'number' || !Number.isFinite(e) || e <= 0 || e > 1)
        fail(`${path}[${i}][1]`, `must be a number in (0, 1], got ${shownValue(e)}`);
    });
  }
}
