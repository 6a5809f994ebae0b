// The comparison in words, shared by the table, the HTML export and the webview: one line of comparable
// figures per target (throughput, latency, energy, cost, MFU) and its budgets.
import type { FiguredTarget } from '../engine/compare';
import type { TargetResult } from '../engine/hardware/types';
import { fmtDuration, fmtEnergy, fmtJoules, fmtPercent, fmtSeconds, fmtUsd, fmtUsdPer, si } from './units';

export function figured(t: TargetResult): FiguredTarget {
  return t as FiguredTarget;
}

/** The cheapest price per token and per sample among targets shown side by side: their prices read in that one's
 * unit ("$0.72/M samples" beside "$5.98/B samples" read as "$720/B samples" and "$5.98/B samples"). */
export interface CostScale {
  token?: number;
  sample?: number;
}

export function costScale(targets: readonly TargetResult[]): CostScale {
  const min = (xs: (number | undefined)[]) => {
    const ok = xs.filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0);
    return ok.length ? Math.min(...ok) : undefined;
  };
  const costs = targets.map((t) => figured(t).cost);
  return {
    token: min(costs.map((c) => (c?.usdPerMillionTokens !== undefined ? c.usdPerMillionTokens / 1e6 : undefined))),
    sample: min(costs.map((c) => c?.usdPerSample)),
  };
}

/** "12.3 ktokens/s, TPOT 4.1 ms, 31.2 kW, 2.5 J/token, $1.23/M tokens, MFU 41%"; prices in `scale`'s unit when given
 * (costScale of the targets shown with it). */
export function figureLine(t: TargetResult, scale: CostScale = {}): string {
  const f = figured(t);
  const tokens = t.throughput.unit === 'tokens/s';
  const parts: string[] = [`${si(t.throughput.value, t.throughput.unit.replace('/s', '')).trim()}/s`];
  const l = f.latency;
  if (l?.firstTokenSeconds !== undefined) parts.push(`TTFT ${fmtSeconds(l.firstTokenSeconds)}`);
  if (l?.perTokenSeconds !== undefined) parts.push(`TPOT ${fmtSeconds(l.perTokenSeconds)}`);
  if (l?.requestSeconds !== undefined) parts.push(`latency ${fmtSeconds(l.requestSeconds)}`);
  if (!l) parts.push(`step ${fmtSeconds(t.stepSeconds)}`);
  if (t.kind === 'device') {
    // one device is a prediction for a measured profile, not a system: no power or price, not in the comparison
    if (f.utilization) parts.push(`MFU ${fmtPercent(f.utilization.mfu)}`);
    parts.push('one device: not compared with the systems (a prediction for measured profiles of its kind)');
    return parts.join(', ');
  }
  if (f.energy) {
    parts.push(`${si(f.energy.watts, 'W')}`);
    const j = tokens ? f.energy.joulesPerToken : f.energy.joulesPerSample;
    if (j !== undefined) parts.push(`${fmtJoules(j)}/${tokens ? 'token' : 'sample'}`);
  } else parts.push('energy unknown');
  if (f.cost) {
    parts.push(`${fmtUsd(f.cost.usdPerHour)}/h`);
    // per M tokens, or per B/T tokens when that is under a cent (fmtUsdPer): "$0.054/B tokens", not "$0.0000537/M"
    if (f.cost.usdPerMillionTokens !== undefined)
      parts.push(fmtUsdPer(f.cost.usdPerMillionTokens / 1e6, 'token', scale.token));
    if (f.cost.usdPerSample !== undefined) parts.push(fmtUsdPer(f.cost.usdPerSample, 'sample', scale.sample));
  } else parts.push('cost unknown');
  if (f.utilization) parts.push(`MFU ${fmtPercent(f.utilization.mfu)}`);
  return parts.join(', ');
}

/** The budget lines of a target (train N tokens; serve a rate), or [] when none was asked for. */
export function budgetLines(t: TargetResult, scale: CostScale = {}): string[] {
  const f = figured(t);
  const out: string[] = [];
  const b = f.trainBudget;
  if (b) {
    out.push(
      b.feasible
        ? `train ${si(b.tokens, 'tokens')}: ${fmtDuration(b.seconds!)}${b.joules !== undefined ? `, ${fmtEnergy(b.joules)}` : ''}${b.usd !== undefined ? `, ${fmtUsd(b.usd)}` : ''}`
        : `train ${si(b.tokens, 'tokens')}: cannot be met: ${b.why}`,
    );
  }
  const s = f.serveBudget;
  if (s) {
    const where = s.systems !== undefined ? `${s.systems} system(s)` : `${s.nodes} node(s)`;
    out.push(
      s.feasible
        ? `serve ${si(s.rate, s.unit)}: ${s.replicas} replica(s) = ${where}${s.usdPerHour !== undefined ? `, ${fmtUsd(s.usdPerHour)}/h` : ''}${s.usdPerMillionTokens !== undefined ? `, ${fmtUsdPer(s.usdPerMillionTokens / 1e6, 'token', scale.token)}` : ''}${s.watts !== undefined ? `, ${si(s.watts, 'W')}` : ''}`
        : `serve ${si(s.rate, s.unit)}: cannot be met: ${s.why}`,
    );
  }
  return out;
}
