// Ratios of each target to the baseline (the first computed target) on one basis: as given, or with each
// target's throughput scaled to the baseline's power or cost (fractional replicas, linear scaling: an
// assumption the notes state). Energy and cost per token do not change with scaling; latency neither.
import type { TargetResult } from '../hardware/types';
import type { Basis, ComparisonTarget, CostFigures, EnergyFigures, LatencyFigures } from './types';

/** A computed target with the figures the comparison attached. */
export type Figured = TargetResult & {
  energy?: EnergyFigures;
  cost?: CostFigures;
  latency?: LatencyFigures;
};

export function basisScale(t: Figured, base: Figured, basis: Basis): number | undefined {
  if (basis === 'power') {
    const a = base.energy?.watts,
      b = t.energy?.watts;
    return a && b ? a / b : undefined;
  }
  if (basis === 'cost') {
    const a = base.cost?.usdPerHour,
      b = t.cost?.usdPerHour;
    return a && b ? a / b : undefined;
  }
  return 1;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && b > 0 && Number.isFinite(a / b) ? a / b : undefined;
}

/** The latency to compare: per output token for decode, first token / request otherwise; training: the step
 * (only when both run the same global batch). */
export function latencyFigure(t: Figured): number | undefined {
  const l = t.latency;
  if (l) return l.perTokenSeconds ?? l.firstTokenSeconds ?? l.requestSeconds;
  return undefined;
}

export function globalBatchOf(t: TargetResult): number | undefined {
  const g = (t.parallelism as { globalBatch?: unknown }).globalBatch;
  return typeof g === 'number' ? g : undefined;
}

export function ratiosOf(t: Figured, base: Figured, basis: Basis, training: boolean): ComparisonTarget {
  const scale = basisScale(t, base, basis) ?? 1;
  const out: ComparisonTarget = {
    id: t.id,
    throughputRatio: base.throughput.value > 0 ? (t.throughput.value * scale) / base.throughput.value : 0,
    basisScale: scale,
  };
  const lat = training
    ? globalBatchOf(t) === globalBatchOf(base)
      ? ratio(t.stepSeconds, base.stepSeconds)
      : undefined
    : ratio(latencyFigure(t), latencyFigure(base));
  if (lat !== undefined) out.latencyRatio = lat;
  const e = ratio(
    t.energy?.joulesPerToken ?? t.energy?.joulesPerSample,
    base.energy?.joulesPerToken ?? base.energy?.joulesPerSample,
  );
  if (e !== undefined) out.energyPerTokenRatio = e;
  const c = ratio(
    t.cost?.usdPerMillionTokens ?? t.cost?.usdPerSample,
    base.cost?.usdPerMillionTokens ?? base.cost?.usdPerSample,
  );
  if (c !== undefined) out.costPerTokenRatio = c;
  return out;
}
