// The comparison's result types: per-target figures (energy, cost, latency, utilisation, budgets) and the
// report's `comparison` block (ARCHITECTURE.md "JSON report"). Imports nothing from the mappers so that
// hardware/types.ts can refer to these without a cycle.

export type Basis = 'as-given' | 'power' | 'cost';

/** What the user asked the comparison for (CLI flags, settings, webview knobs). */
export interface CompareOptions {
  basis: Basis;
  /** target id -> USD per hour per system (wafer) or node (GPU); overrides the spec's economics */
  prices: Record<string, number>;
  /** with --mode training: tokens to train (e.g. 15e12) */
  trainTokens?: number;
  /** with --mode inference: aggregate tokens (or samples) per second to serve */
  serveRate?: number;
}

/** Whole-system power while the workload runs: the accelerators and what they cannot run without. */
export interface EnergyFigures {
  watts: number;
  joulesPerStep: number;
  /** tokens/s graphs */
  joulesPerToken?: number;
  /** samples/s graphs */
  joulesPerSample?: number;
  /** what the watts cover: accelerators, hosts, network, memoryx, swarmx */
  includes: string[];
  source: string;
}

export interface CostFigures {
  /** every system/node of the target, per hour */
  usdPerHour: number;
  usdPerMillionTokens?: number;
  usdPerSample?: number;
  /** the price per system/node and where it comes from (spec source with date, or the override) */
  usdPerHourPerUnit: number;
  source: string;
}

/** Inference latency: time to first token (a prefill / whole request) and time per output token (decode). */
export interface LatencyFigures {
  firstTokenSeconds?: number;
  perTokenSeconds?: number;
  /** samples/s graphs: one batch from input to output */
  requestSeconds?: number;
  /** how it was obtained when the mapper gave none */
  how?: string;
}

export interface UtilizationFigures {
  /** cores (wafer) or GPUs that hold work, of those allocated */
  placedFraction: number;
  /** time-averaged busy fraction of everything allocated */
  busyFraction: number;
  /** model FLOPs per second (training: 3x forward) / peak FLOPs per second of everything allocated */
  mfu: number;
  peakFlops: number;
}

export interface TrainBudget {
  tokens: number;
  seconds?: number;
  joules?: number;
  usd?: number;
  /** false when the budget cannot be met; `why` says why */
  feasible: boolean;
  why?: string;
}

export interface ServeBudget {
  /** the aggregate rate asked for (tokens/s or samples/s) */
  rate: number;
  unit: 'tokens/s' | 'samples/s';
  replicas?: number;
  /** wafer systems or GPU nodes in all replicas */
  systems?: number;
  nodes?: number;
  usdPerHour?: number;
  usdPerMillionTokens?: number;
  watts?: number;
  feasible: boolean;
  why?: string;
}

export interface ComparisonTarget {
  id: string;
  throughputRatio: number;
  latencyRatio?: number;
  energyPerTokenRatio?: number;
  costPerTokenRatio?: number;
  /** the factor the target's throughput was scaled by for the basis (1 when as-given) */
  basisScale: number;
}

export interface Comparison {
  basis: Basis;
  baseline: string;
  /** one sentence per target pair (baseline against each other target) */
  verdict: string;
  sentences: string[];
  targets: ComparisonTarget[];
  /** what the comparison assumed (same global batch, price sources ...) */
  notes: string[];
}
