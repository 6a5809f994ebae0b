// The verdict: one sentence per target pair, e.g. "4 x CS-3 is 5.1x faster per token than 8 x DGX H100 and
// draws 2.3x the power; DGX H100 is bound by HBM bandwidth, CS-3 by fabric latency". The reason is the
// bound that holds most of the step's time across the target's layers (the mappers' per-layer bounds).
import type { Bound } from '../hardware/types';
import type { Figured } from './ratios';
import type { Basis, ComparisonTarget } from './types';
import { groupThousands } from '../format/units';

/** "CS-3", "DGX H100", "GB200 NVL72 rack" from the spec's display name. */
export function shortName(t: { name: string; id: string }): string {
  const s = t.name
    .replace(/\s*\(.*\)\s*$/, '')
    .replace(/^(NVIDIA|Cerebras)\s+/i, '')
    .trim();
  return s || t.id;
}

/** "4 x CS-3", "8 x DGX H100" (systems or nodes). */
export function countedName(t: Figured): string {
  const n = t.kind === 'device' ? 1 : ((t.kind === 'wafer' ? t.systems : t.nodes) ?? 1);
  return `${n} x ${shortName(t)}`;
}

/** The bound holding most of the step (layer seconds summed per bound). */
export function dominantBound(t: Figured): Bound | undefined {
  const sum = new Map<Bound, number>();
  for (const l of t.layers) sum.set(l.bound, (sum.get(l.bound) ?? 0) + l.seconds);
  let best: Bound | undefined,
    max = 0;
  for (const [b, s] of sum)
    if (s > max) {
      max = s;
      best = b;
    }
  return best;
}

/** What a bound means on this kind of hardware, in the words a reader knows. */
export function boundPhrase(t: Figured, b: Bound | undefined): string {
  if (!b) return 'no costed work';
  if (t.kind === 'wafer') {
    const streaming = t.execution === 'weight-streaming';
    return {
      compute: 'core compute',
      memory: 'on-wafer SRAM bandwidth',
      communication: streaming ? 'weight streaming from MemoryX over the system I/O' : 'fabric bandwidth',
      latency: 'fabric latency',
    }[b];
  }
  return {
    compute: 'tensor-core compute',
    memory: 'HBM bandwidth',
    communication: 'NVLink/InfiniBand collectives',
    latency: 'per-kernel launch and minimum times',
  }[b];
}

// a ratio's digits: 12,345 / 12 / 3.4 / 1.23 (thousands grouped, never e-notation)
const x = (r: number): string => (r >= 10 ? groupThousands(Math.round(r)) : r >= 1.995 ? r.toFixed(1) : r.toFixed(2));

/** One sentence comparing target t with the baseline. */
export function pairSentence(base: Figured, t: Figured, r: ComparisonTarget, basis: Basis, tokens: boolean): string {
  const a = countedName(base),
    b = countedName(t);
  const per = tokens ? 'per token' : 'per sample';
  const thr = r.throughputRatio;
  if (!(base.throughput.value > 0) || !(t.throughput.value > 0) || !Number.isFinite(thr) || thr <= 0)
    return `${a} and ${b} have no throughput to compare (the graph does no costed work on ${!(base.throughput.value > 0) ? a : b}).`;
  const [fast, slow, k] = thr >= 1 ? [b, a, thr] : [a, b, 1 / thr];
  const basisWords = basis === 'power' ? ' at equal power' : basis === 'cost' ? ' at equal cost' : '';
  let s =
    Math.abs(k - 1) < 0.005
      ? `${b} is as fast ${per} as ${a}${basisWords}`
      : `${fast} is ${x(k)}x faster ${per} than ${slow}${basisWords}`;
  // the clauses speak of the faster one (the sentence's subject)
  const pw = base.energy && t.energy ? t.energy.watts / base.energy.watts : undefined;
  const clauses: string[] = [];
  if (pw !== undefined && basis !== 'power') clauses.push(`draws ${x(thr >= 1 ? pw : 1 / pw)}x the power`);
  if (r.costPerTokenRatio !== undefined) {
    const c = thr >= 1 ? r.costPerTokenRatio : 1 / r.costPerTokenRatio;
    clauses.push(c <= 1 ? `costs ${x(1 / c)}x less ${per}` : `costs ${x(c)}x more ${per}`);
  }
  if (clauses.length) s += ` and ${clauses.join(' and ')}`;
  const side = (f: Figured) =>
    base.kind === t.kind ? shortName(f) : f.kind === 'wafer' ? 'the wafer' : 'the GPU side';
  s += `; ${side(base)} is bound by ${boundPhrase(base, dominantBound(base))}, ${side(t)} by ${boundPhrase(t, dominantBound(t))}`;
  return s + '.';
}

/** Sentence for a target that cannot be compared (not computed, or does not fit). */
export function missingSentence(base: Figured | undefined, id: string, why: string): string {
  return `${id} is not compared${base ? ` with ${countedName(base)}` : ''}: ${why}.`;
}
