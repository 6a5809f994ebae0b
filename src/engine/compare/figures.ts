// Per-target figures people compare, computed from a mapped target and its spec: latency, utilisation (MFU),
// whole-system energy and cost. Pure functions; where a mapper already reports a figure (e.g. TTFT/TPOT
// from the GPU serving model, wafer energy with MemoryX/SwarmX), that figure is kept.
import type { Precision, TargetResult } from '../hardware/types';
import type { Economics } from './economics';
import type { CostFigures, EnergyFigures, LatencyFigures, UtilizationFigures } from './types';
import { si } from '../format/units';

/** The workload as the comparison needs it (from the Analysis and the options). */
export interface Workload {
  mode: 'inference' | 'training';
  precision: Precision;
  /** FLOPs of one forward pass of the graph as bound (2 per multiply-add) */
  forwardFlops: number;
  tokensPerStep: number;
  samplesPerStep: number;
  unit: 'tokens/s' | 'samples/s';
  decode: boolean;
}

/** Systems (wafer) or nodes (GPU) the target allocates. */
export function unitsOf(t: TargetResult): number {
  if (t.kind === 'device') return 1;
  return Math.max(1, (t.kind === 'wafer' ? t.systems : t.nodes) ?? 1);
}

/** Peak FLOP/s of everything the target allocates, from its spec (dense tensor/core rates). */
export function peakFlopsOf(t: TargetResult, spec: Record<string, unknown>, precision: Precision): number {
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const units = unitsOf(t);
  if (t.kind === 'wafer') {
    const cores = n(spec.gridWidth_cores) * n(spec.gridHeight_cores);
    const fpc = precision === 'fp32' ? n(spec.fp32_FlopPerCyclePerCore) : n(spec.fp16_FlopPerCyclePerCore);
    return units * cores * fpc * n(spec.clock_GHz) * 1e9;
  }
  const gpu = (spec.gpu ?? {}) as Record<string, unknown>;
  const table = (gpu.matrix_TFLOPS ?? {}) as Record<string, unknown>;
  // fp8 without a datapath runs at the 16-bit rate (the GPU mapper's rule)
  const tf = n(table[precision]) || n(table.fp16);
  return units * n(spec.gpusPerNode_count) * tf * 1e12;
}

/** Model FLOPs per throughput unit (token or sample): forward, x3 for training (forward + backward). */
export function flopsPerUnit(w: Workload): number {
  const per = w.unit === 'tokens/s' ? Math.max(1, w.tokensPerStep) : Math.max(1, w.samplesPerStep);
  return (w.forwardFlops / per) * (w.mode === 'training' ? 3 : 1);
}

export function utilizationOf(t: TargetResult, spec: Record<string, unknown>, w: Workload): UtilizationFigures {
  const peakFlops = peakFlopsOf(t, spec, w.precision);
  const achieved = t.throughput.value * flopsPerUnit(w);
  let placed = 0,
    busy = 0;
  const g = t.grid;
  if (g && g.kind === 'wafer') {
    const total = g.width * g.height * unitsOf(t);
    let area = 0,
      busyArea = 0;
    for (const r of g.rects) {
      area += r.w * r.h;
      busyArea += r.w * r.h * Math.min(1, Math.max(0, r.busy));
    }
    placed = total > 0 ? Math.min(1, area / total) : 0;
    busy = total > 0 ? busyArea / total : 0;
  } else if (g && g.kind === 'gpu') {
    const all = g.stage.length;
    placed = all ? g.stage.filter((s) => s >= 0).length / all : 0;
    busy = all ? g.busy.reduce((a, b) => a + Math.min(1, Math.max(0, b)), 0) / all : 0;
  }
  const mine = { placedFraction: placed, busyFraction: busy, mfu: peakFlops > 0 ? achieved / peakFlops : 0, peakFlops };
  // a mapper that measured its own utilisation (e.g. the wafer's weight streaming) is kept
  return t.utilization ? { ...mine, ...t.utilization } : mine;
}

/** Inference latency. A decode graph's step is one output token for every sequence in the batch (TPOT); a
 * prefill/other graph's step is the whole request (TTFT for a prompt). A mapper whose step is not the request's
 * latency gives its own (the wafer's pipelined step is an interval: its mapper gives the fill plus the later
 * samples' intervals; the GPU's serving latency), which is kept. */
export function latencyOf(t: TargetResult, w: Workload): LatencyFigures | undefined {
  if (w.mode !== 'inference') return undefined;
  const existing = (t as { latency?: LatencyFigures }).latency;
  if (
    existing &&
    (existing.firstTokenSeconds !== undefined ||
      existing.perTokenSeconds !== undefined ||
      existing.requestSeconds !== undefined)
  )
    return existing;
  const seconds = t.stepSeconds;
  const how = 'the step is the latency (the whole batch runs once)';
  if (w.decode) return { perTokenSeconds: seconds, how };
  if (w.unit === 'tokens/s') return { firstTokenSeconds: seconds, how };
  return { requestSeconds: seconds, how };
}

export function energyOf(t: TargetResult, e: Economics, w: Workload): EnergyFigures {
  const existing = (t as { energy?: EnergyFigures }).energy;
  const watts = existing?.watts ?? e.wattsPerUnit * unitsOf(t);
  const thr = t.throughput.value;
  const out: EnergyFigures = {
    watts,
    joulesPerStep: watts * t.stepSeconds,
    includes: existing?.includes ?? e.includes,
    source: existing?.source ?? `${unitsOf(t)} ${e.unit}(s) x ${si(e.wattsPerUnit, 'W')}: ${e.powerSource}`,
  };
  if (thr > 0) {
    if (w.unit === 'tokens/s') out.joulesPerToken = watts / thr;
    else out.joulesPerSample = watts / thr;
  }
  return out;
}

export function costOf(t: TargetResult, e: Economics, w: Workload): CostFigures {
  const usdPerHour = e.usdPerHourPerUnit * unitsOf(t);
  const thr = t.throughput.value;
  const out: CostFigures = { usdPerHour, usdPerHourPerUnit: e.usdPerHourPerUnit, source: e.priceSource };
  if (thr > 0) {
    const perUnit = usdPerHour / 3600 / thr;
    if (w.unit === 'tokens/s') out.usdPerMillionTokens = perUnit * 1e6;
    else out.usdPerSample = perUnit;
  }
  return out;
}
