// Comparison of mapped targets on one basis (src/engine/compare): per-target figures (energy, cost, latency,
// utilisation, budgets) and the report's `comparison` (ratios to the first computed target and the verdict).
// Pure: takes mapped results and their specs, returns figures; never maps anything itself.
import type { TargetResult } from '../hardware/types';
import { trainBudgetOf, serveBudgetOf } from './budgets';
import { economicsOf, EconomicsError, type Economics } from './economics';
import { costOf, energyOf, latencyOf, utilizationOf, type Workload } from './figures';
import { globalBatchOf, ratiosOf, type Figured } from './ratios';
import type { Comparison, CompareOptions, ServeBudget, TrainBudget, UtilizationFigures } from './types';
import { missingSentence, pairSentence, countedName } from './verdict';

export type { Workload } from './figures';
export type * from './types';
export { EconomicsError, checkPrice, economicsOf, validateEconomics } from './economics';

export type TargetEntry = TargetResult | { id: string; error: string };

/** A computed target with every figure the comparison attaches (the JSON report's per-target fields). */
export type FiguredTarget = Figured & {
  utilization?: UtilizationFigures;
  trainBudget?: TrainBudget;
  serveBudget?: ServeBudget;
};

export function defaultCompareOptions(): CompareOptions {
  return { basis: 'as-given', prices: {} };
}

function computed(t: TargetEntry): t is TargetResult {
  return !('error' in t);
}

/** A single device (kind "device": one CPU socket or one GPU) is a prediction to hold against a measured profile of
 * the same kind of device, not a system to buy: it is left out of the comparison of systems, with this reason. */
export function deviceLeftOut(t: TargetResult): string {
  return `${t.id} (one ${t.kind === 'device' && t.processor === 'cpu' ? 'CPU socket' : 'GPU'}) is left out of the comparison: a single-device target predicts what an imported profile of that kind of device measured (Import Measured Profile), it is not compared with wafer systems or GPU clusters`;
}

function comparable(t: TargetEntry): t is TargetResult {
  return computed(t) && t.kind !== 'device';
}

/** Attaches energy, cost, latency, utilisation and the budgets asked for to every computed target (in place).
 * specs[i] is the spec target i was mapped with. A spec without power or price data gets no energy/cost and a
 * note naming the missing field. */
export function attachFigures(
  targets: TargetEntry[],
  specs: (Record<string, unknown> | undefined)[],
  w: Workload,
  o: CompareOptions,
): void {
  targets.forEach((t, i) => {
    if (!computed(t)) return;
    if (t.kind === 'device') {
      // no economics for one device (no price, the node around it unknown): its latency only
      const lat = latencyOf(t, w);
      if (lat) (t as FiguredTarget).latency = lat;
      return;
    }
    const f = t as FiguredTarget;
    const spec = specs[i];
    let e: Economics | undefined;
    if (spec) {
      try {
        e = economicsOf(spec, o.prices);
      } catch (err) {
        if (!(err instanceof EconomicsError)) throw err;
        f.notes.push(
          `energy and cost unknown: ${err.message} (add it to the spec, or give --price ${t.id}=USD_PER_HOUR)`,
        );
      }
      f.utilization = utilizationOf(t, spec, w);
    }
    const lat = latencyOf(t, w);
    if (lat) f.latency = lat;
    if (e) {
      f.energy = energyOf(t, e, w);
      f.cost = costOf(t, e, w);
    }
    if (o.trainTokens !== undefined) f.trainBudget = trainBudgetOf(t, o.trainTokens, w, e);
    if (o.serveRate !== undefined) f.serveBudget = serveBudgetOf(t, o.serveRate, w, e);
  });
}

/** The `comparison` block: present when two or more targets were computed. Baseline = the first computed. */
export function compareTargets(targets: TargetEntry[], w: Workload, o: CompareOptions): Comparison | undefined {
  const ok = targets.filter(comparable) as FiguredTarget[];
  const leftOut = targets.filter((t): t is TargetResult => computed(t) && !comparable(t)).map(deviceLeftOut);
  if (ok.length < 2) return undefined;
  const base = ok[0];
  const training = w.mode === 'training';
  const tokens = w.unit === 'tokens/s';
  const notes: string[] = [...leftOut];
  const sentences: string[] = [];
  const rows = ok.map((t) => ratiosOf(t, base, o.basis, training));
  if (o.basis !== 'as-given') {
    const what = o.basis === 'power' ? 'power' : 'hourly cost';
    notes.push(
      `basis ${o.basis}: each target's throughput is scaled to ${countedName(base)}'s ${what} (fractional systems/nodes, linear scaling assumed); latency, energy and cost per token do not change with scale`,
    );
    for (const t of ok)
      if ((o.basis === 'power' ? t.energy : t.cost) === undefined)
        notes.push(`${t.id}: no ${what} known, shown as given`);
  }
  if (training) {
    const gbs = new Set(ok.map(globalBatchOf));
    if (gbs.size > 1)
      notes.push(
        `the targets ran different global batches (${ok.map((t) => `${t.id} ${globalBatchOf(t) ?? '?'}`).join(', ')}): step times are not compared, throughput is`,
      );
    else notes.push(`every target runs the same global batch (${[...gbs][0] ?? '?'}): steps are comparable`);
  }
  for (const t of targets) if (!computed(t)) sentences.push(missingSentence(base, t.id, `not computed (${t.error})`));
  ok.slice(1).forEach((t, i) => {
    if (!base.fits || !t.fits) {
      const nf = [base, t].filter((x) => !x.fits).map(countedName);
      sentences.push(
        `${pairSentence(base, t, rows[i + 1], o.basis, tokens).replace(/\.$/, '')}; but ${nf.join(' and ')} ${nf.length > 1 ? 'do' : 'does'} not fit in memory, so ${nf.length > 1 ? 'their' : 'its'} figures are not achievable as mapped.`,
      );
    } else sentences.push(pairSentence(base, t, rows[i + 1], o.basis, tokens));
  });
  return { basis: o.basis, baseline: base.id, verdict: sentences.join(' '), sentences, targets: rows, notes };
}

/** Training compares like with like only at one global batch: the largest any target chose on its own (the
 * GPU search sizes it to keep the pipeline full), or undefined when they already agree. */
export function commonGlobalBatch(targets: TargetEntry[]): number | undefined {
  const gbs = targets.filter(comparable).map(globalBatchOf);
  if (gbs.length < 2 || gbs.some((g) => g === undefined)) return undefined;
  const set = new Set(gbs);
  return set.size > 1 ? Math.max(...(gbs as number[])) : undefined;
}
