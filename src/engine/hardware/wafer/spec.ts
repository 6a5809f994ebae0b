// Wafer spec schema (JSON, units in key names, a `sources` entry per number) and its validator.
// Hardware numbers come from /shared/reference/hardware-and-peers.md §1 and wafer-latency.md; the four
// calibration constants at the end are fitted as docs/WAFER-MODEL.md explains.
import type { Precision } from '../types';
import { PRECISION_BYTES } from '../../options';
import { SpecError, shownValue } from '../errors';

export interface WaferSpec {
  kind: 'wafer';
  id: string;
  name: string;
  /** placeable program rectangle (cores), the grid the mapper places into */
  gridWidth_cores: number;
  gridHeight_cores: number;
  /** fabric dims the SDK exposes (informational) */
  fabricWidth_cores: number;
  fabricHeight_cores: number;
  sramPerCore_KiB: number;
  /** kept for code, runtime and routing tables; the rest holds weights and buffers */
  sramReservedPerCore_KiB: number;
  sramBandwidthPerCore_BytesPerCycle: number;
  fp16_FlopPerCyclePerCore: number;
  fp32_FlopPerCyclePerCore: number;
  clock_GHz: number;
  clockMin_GHz: number;
  clockMax_GHz: number;
  /** per link, per direction, to each of the 4 neighbours */
  fabricLinkBandwidth_BytesPerCycle: number;
  hopLatency_cycles: number;
  rampLatency_cycles: number;
  /** off-wafer I/O per system (each direction) */
  systemIoBandwidth_Gbps: number;
  interSystemLatency_us: number;
  memoryXCapacity_TB: number;
  memoryXBandwidth_GBps: number;
  swarmXNodeBandwidth_Gbps: number;
  swarmXFanout_count: number;
  swarmXLevelLatency_us: number;
  systemPower_kW: number;
  maxSystems_count: number;
  /** calibration: fixed cycles per decode matmul kernel (task activation, DSD setup) */
  decodeKernelOverhead_cycles: number;
  /** calibration: cycles per relay stage of an allreduce chain (2 ramps + add + software re-route) */
  reductionStageOverhead_cycles: number;
  /** calibration: cycles per 16-bit weight of a core's GEMV tile at batch 1 */
  gemv_cyclesPerWeight: number;
  /** calibration: fraction of peak FLOP/s a matmul tile reaches on a core (prefill, training) */
  matmulEfficiency_fraction: number;
  /** calibration: fixed cycles per systolic step of a matmul spread over a region (about one step per core along a side) */
  gemmStepOverhead_cycles: number;
  /** calibration: fixed issue cycles per FMAC vector op of a weight-streaming layer on the whole wafer */
  streamingGemmOpOverhead_cycles: number;
  /** MemoryX fetch latency, exposed once per training step (the iteration boundary) */
  memoryXLatency_us: number;
  /** name of the decode calibration used by default (one of `decodeCalibrations`); absent: the fields above */
  decodeCalibration?: string;
  /** named decode calibrations: one per software generation, each dated and saying what it was fitted to */
  decodeCalibrations?: Record<string, DecodeCalibration>;
  sources?: Record<string, string>;
}

/** The decode constants of one software generation (docs/WAFER-MODEL.md, calibration table). */
export interface DecodeCalibration {
  /** when the software this stands for was measured (ISO date of the publication) */
  date: string;
  software: string;
  gemv_cyclesPerWeight: number;
  decodeKernelOverhead_cycles: number;
  reductionStageOverhead_cycles: number;
  /** every GEMV reduces along the region's shorter side (production layout) instead of alternating x/y */
  reduceShortSide?: boolean;
  fittedTo: string;
  source: string;
}

const CAL_NUMBERS = ['gemv_cyclesPerWeight', 'decodeKernelOverhead_cycles', 'reductionStageOverhead_cycles'] as const;

/** The decode calibration in force: `name`, else the spec's default, else the spec's top-level fields. */
export function decodeCalibrationOf(spec: WaferSpec, name?: string): { name: string; cal: DecodeCalibration } {
  const cals = spec.decodeCalibrations ?? {};
  const pick = name ?? spec.decodeCalibration;
  if (pick !== undefined) {
    const cal = Object.prototype.hasOwnProperty.call(cals, pick) ? cals[pick] : undefined;
    if (!cal)
      throw new WaferSpecError(
        `${spec.id}: no decode calibration '${pick}' (the spec has: ${Object.keys(cals).join(', ') || 'none'})`,
      );
    return { name: pick, cal };
  }
  return {
    name: 'spec fields',
    cal: {
      date: '',
      software: "the spec's own constants",
      gemv_cyclesPerWeight: spec.gemv_cyclesPerWeight,
      decodeKernelOverhead_cycles: spec.decodeKernelOverhead_cycles,
      reductionStageOverhead_cycles: spec.reductionStageOverhead_cycles,
      fittedTo: 'see the spec sources',
      source: '',
    },
  };
}

/** Every number a wafer spec must give, with whether 0 is allowed. */
export const WAFER_NUMBER_FIELDS: { key: keyof WaferSpec; positive: boolean; integer?: boolean; max?: number }[] = [
  { key: 'gridWidth_cores', positive: true, integer: true },
  { key: 'gridHeight_cores', positive: true, integer: true },
  { key: 'fabricWidth_cores', positive: true, integer: true },
  { key: 'fabricHeight_cores', positive: true, integer: true },
  { key: 'sramPerCore_KiB', positive: true },
  { key: 'sramReservedPerCore_KiB', positive: false },
  { key: 'sramBandwidthPerCore_BytesPerCycle', positive: true },
  { key: 'fp16_FlopPerCyclePerCore', positive: true },
  { key: 'fp32_FlopPerCyclePerCore', positive: true },
  { key: 'clock_GHz', positive: true },
  { key: 'clockMin_GHz', positive: true },
  { key: 'clockMax_GHz', positive: true },
  { key: 'fabricLinkBandwidth_BytesPerCycle', positive: true },
  { key: 'hopLatency_cycles', positive: false },
  { key: 'rampLatency_cycles', positive: false },
  { key: 'systemIoBandwidth_Gbps', positive: true },
  { key: 'interSystemLatency_us', positive: false },
  { key: 'memoryXCapacity_TB', positive: true },
  { key: 'memoryXBandwidth_GBps', positive: true },
  { key: 'swarmXNodeBandwidth_Gbps', positive: true },
  { key: 'swarmXFanout_count', positive: true, integer: true },
  { key: 'swarmXLevelLatency_us', positive: false },
  { key: 'systemPower_kW', positive: false },
  { key: 'maxSystems_count', positive: true, integer: true },
  { key: 'decodeKernelOverhead_cycles', positive: false },
  { key: 'reductionStageOverhead_cycles', positive: false },
  { key: 'gemv_cyclesPerWeight', positive: true },
  { key: 'matmulEfficiency_fraction', positive: true, max: 1 },
  { key: 'gemmStepOverhead_cycles', positive: false },
  { key: 'streamingGemmOpOverhead_cycles', positive: false },
  { key: 'memoryXLatency_us', positive: false },
];

/** Refuses a spec with a missing, non-numeric, negative (or zero where that makes no sense) number, naming the field. */
export function validateWaferSpec(spec: Record<string, unknown>, where: string): void {
  const bad = (msg: string): never => {
    throw new WaferSpecError(`${where}: ${msg}`);
  };
  if (spec.kind !== 'wafer') bad(`field 'kind' must be "wafer"`);
  if (typeof spec.id !== 'string' || !spec.id) bad(`field 'id' is missing (a string)`);
  for (const f of WAFER_NUMBER_FIELDS) {
    const v = spec[f.key];
    if (v === undefined || v === null) bad(`field '${f.key}' is missing`);
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(`field '${f.key}' must be a number (got ${shownValue(v)})`);
    const n = v as number;
    if (n < 0) bad(`field '${f.key}' must not be negative (got ${n})`);
    if (f.positive && n === 0) bad(`field '${f.key}' must be greater than 0`);
    if (f.integer && !Number.isInteger(n)) bad(`field '${f.key}' must be a whole number (got ${n})`);
    if (f.max !== undefined && n > f.max) bad(`field '${f.key}' must be at most ${f.max} (got ${n})`);
  }
  const s = spec as unknown as WaferSpec;
  if (s.sramReservedPerCore_KiB >= s.sramPerCore_KiB)
    bad(
      `field 'sramReservedPerCore_KiB' (${s.sramReservedPerCore_KiB}) must be less than 'sramPerCore_KiB' (${s.sramPerCore_KiB})`,
    );
  if (s.clockMin_GHz > s.clockMax_GHz) bad(`field 'clockMin_GHz' must not exceed 'clockMax_GHz'`);
  if (spec.decodeCalibrations !== undefined) {
    const cals = spec.decodeCalibrations;
    if (typeof cals !== 'object' || cals === null || Array.isArray(cals))
      bad(`field 'decodeCalibrations' must be an object of named calibrations`);
    for (const [n, c] of Object.entries(cals as Record<string, unknown>)) {
      if (typeof c !== 'object' || c === null) bad(`decodeCalibrations '${n}' must be an object`);
      const cc = c as Record<string, unknown>;
      for (const key of CAL_NUMBERS) {
        const v = cc[key];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (key === 'gemv_cyclesPerWeight' && v === 0))
          bad(`decodeCalibrations '${n}' field '${key}' must be a non-negative number (got ${shownValue(v)})`);
      }
      for (const key of ['date', 'software', 'fittedTo', 'source'])
        if (typeof cc[key] !== 'string') bad(`decodeCalibrations '${n}' field '${key}' must be a string`);
    }
  }
  if (spec.decodeCalibration !== undefined) {
    const names = Object.keys((spec.decodeCalibrations as object | undefined) ?? {});
    if (typeof spec.decodeCalibration !== 'string' || !names.includes(spec.decodeCalibration))
      bad(`field 'decodeCalibration' must name one of decodeCalibrations (${names.join(', ') || 'none'})`);
  }
  if (
    spec.sources !== undefined &&
    (typeof spec.sources !== 'object' || spec.sources === null || Array.isArray(spec.sources))
  )
    bad(`field 'sources' must be an object of strings`);
}

export class WaferSpecError extends SpecError {}

/** Quantities derived from a spec for one precision: what the formulas use. */
export interface WaferDerived {
  cores: number;
  /** SRAM bytes per core available to weights and buffers */
  usableBytesPerCore: number;
  sramBytesPerCore: number;
  clockHz: number;
  flopsPerCyclePerCore: number;
  /** bytes per weight / activation element at the chosen precision */
  elemBytes: number;
  linkBytesPerCycle: number;
  ioBytesPerSecond: number;
  memoryXBytesPerSecond: number;
  peakFlops: number;
}

export function elemBytesOf(p: Precision): number {
  return PRECISION_BYTES[p];
}

export function derive(spec: WaferSpec, precision: Precision): WaferDerived {
  const cores = spec.gridWidth_cores * spec.gridHeight_cores;
  // No FP8 datapath is published for the WSE: fp8 weights are stored in 1 byte and computed at the FP16 rate.
  const fpc = precision === 'fp32' ? spec.fp32_FlopPerCyclePerCore : spec.fp16_FlopPerCyclePerCore;
  const clockHz = spec.clock_GHz * 1e9;
  return {
    cores,
    usableBytesPerCore: (spec.sramPerCore_KiB - spec.sramReservedPerCore_KiB) * 1024,
    sramBytesPerCore: spec.sramPerCore_KiB * 1024,
    clockHz,
    flopsPerCyclePerCore: fpc,
    elemBytes: elemBytesOf(precision),
    linkBytesPerCycle: spec.fabricLinkBandwidth_BytesPerCycle,
    ioBytesPerSecond: (spec.systemIoBandwidth_Gbps * 1e9) / 8,
    memoryXBytesPerSecond: spec.memoryXBandwidth_GBps * 1e9,
    peakFlops: cores * fpc * clockHz,
  };
}

/** The note for a precision the WSE has no published datapath for (Cerebras documents FP16 and FP32 compute:
 * reference/hardware-and-peers.md; no FP8/INT8/INT4/FP4 rate is published): undefined for fp32/fp16/bf16. */
export function precisionNote(p: Precision): string | undefined {
  if (p === 'fp32' || p === 'fp16' || p === 'bf16') return undefined;
  return `${p}: weights stored in ${PRECISION_BYTES[p] * 8} bits; no ${p.toUpperCase()} datapath is published for the WSE, so compute runs at the FP16 rate`;
}
