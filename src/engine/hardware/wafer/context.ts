// What the wafer mapper's modes share: the mapping context, a kernel's SRAM bytes, and the notes every
// result carries (clock range, calibration in force).
import type { Analysis, MapOptions } from '../types';
import type { DecodeCalibration, WaferDerived, WaferSpec } from './spec';
import type { KernelWork } from './kernels';
import type { TransformerDims } from '../../structure';
import type { WaferConsts } from './throughput';
import { fmtRate } from '../../format/units';

export interface Ctx {
  a: Analysis;
  spec: WaferSpec;
  d: WaferDerived;
  k: WaferConsts;
  opts: MapOptions;
  work: KernelWork[];
  st: TransformerDims | null;
  training: boolean;
  decode: boolean;
  notes: string[];
  /** cost classes of the pipelined units (mapper.ts classify) */
  costClasses?: number;
  /** data-parallel copies of the pipeline placed inside each wafer (throughput mode) */
  replicas?: number;
  /** the decode calibration in force (named software generation) */
  calibration: { name: string; cal: DecodeCalibration };
}

/** share of the grid the allocator may hand out; the rest absorbs rounding of rectangle shapes */
export const FILL = 0.97;

/** Bytes a kernel keeps in SRAM: weights (training: + gradients, FP32 master copy, Adam moments), graph
 * inputs it holds (KV cache), activation buffers in and out (training: kept for the backward pass too). */
export function kernelBytes(c: Ctx, w: KernelWork): number {
  const wb = c.training ? w.weightBytes + w.params * (c.d.elemBytes + 12) : w.weightBytes;
  return wb + w.inputBufferBytes + (w.actInBytes + w.actOutBytes) * (c.training ? 2 : 1);
}

export function pushClockNote(c: Ctx, step: number, perStep: number, unit: string): void {
  const { spec } = c;
  if (spec.clockMin_GHz === spec.clockMax_GHz) return;
  // every term scales with cycles except off-wafer I/O; the range shows the clock's weight in the result
  const lo = (perStep / step) * (spec.clockMin_GHz / spec.clock_GHz);
  c.notes.push(
    `clock ${spec.clock_GHz} GHz (published range ${spec.clockMin_GHz}-${spec.clockMax_GHz} GHz): at ${spec.clockMin_GHz} GHz about ${fmtRate(lo, unit)}`,
  );
}

export function pushCalibrationNote(c: Ctx): void {
  const s = c.spec;
  const { name, cal } = c.calibration;
  c.notes.push(
    `calibration (docs/WAFER-MODEL.md): decode '${name}'${cal.date ? ` (software of ${cal.date})` : ''}: ${cal.decodeKernelOverhead_cycles} cycles per decode matmul, ${cal.reductionStageOverhead_cycles} cycles per allreduce relay stage, ${cal.gemv_cyclesPerWeight} cycles per 16-bit GEMV weight${cal.reduceShortSide ? ', reductions along the shorter side' : ''}; matmul efficiency ${s.matmulEfficiency_fraction} and ${s.gemmStepOverhead_cycles} cycles per systolic step (WaferLLM Table 3 prefill); weight streaming ${s.streamingGemmOpOverhead_cycles} cycles per FMAC vector op`,
  );
}
