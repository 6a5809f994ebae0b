// Token budgets: what training N tokens costs on a target (time, energy, money), and what serving an aggregate
// rate needs (replicas of the mapped deployment, systems/nodes, cost per million tokens). A budget that cannot
// be met says why instead of giving numbers.
import type { TargetResult } from '../hardware/types';
import type { Economics } from './economics';
import { unitsOf, type Workload } from './figures';
import type { ServeBudget, TrainBudget } from './types';

function notMet(t: TargetResult, w: Workload): string | undefined {
  if (!t.fits) {
    const fit = t.notes.find((n) => /does not fit|exceeds/i.test(n));
    return `the model does not fit on ${unitsOf(t)} ${t.kind === 'wafer' ? 'system(s)' : 'node(s)'} of ${t.id}${fit ? ` (${fit})` : ''}`;
  }
  if (!(t.throughput.value > 0)) return `${t.id} has no throughput for this graph (no costed work)`;
  if (w.unit !== 'tokens/s')
    return `the graph's throughput is in samples/s (it takes no token ids), so a token budget cannot be counted`;
  return undefined;
}

/** Seconds = tokens / (tokens/s of one training step at the mapped global batch); energy and cost follow. */
export function trainBudgetOf(t: TargetResult, tokens: number, w: Workload, e?: Economics): TrainBudget {
  const why =
    w.mode !== 'training'
      ? 'a training budget needs --mode training (forward + backward + optimizer step)'
      : notMet(t, w);
  if (why) return { tokens, feasible: false, why };
  const seconds = tokens / t.throughput.value;
  const out: TrainBudget = { tokens, seconds, feasible: true };
  if (e) {
    out.joules = e.wattsPerUnit * unitsOf(t) * seconds;
    out.usd = (e.usdPerHourPerUnit * unitsOf(t) * seconds) / 3600;
  }
  return out;
}

/** Replicas = ceil(rate / throughput of one mapped deployment); each replica holds the whole model. */
export function serveBudgetOf(t: TargetResult, rate: number, w: Workload, e?: Economics): ServeBudget {
  const base: ServeBudget = { rate, unit: w.unit, feasible: false };
  if (w.mode !== 'inference')
    return { ...base, why: 'a serving budget needs --mode inference (a prefill or decode graph)' };
  if (!t.fits) return { ...base, why: notMet(t, w) };
  if (!(t.throughput.value > 0)) return { ...base, why: `${t.id} has no throughput for this graph` };
  const replicas = Math.ceil(rate / t.throughput.value - 1e-9);
  const units = replicas * unitsOf(t);
  const out: ServeBudget = { ...base, feasible: true, replicas };
  if (t.kind === 'wafer') out.systems = units;
  else out.nodes = units;
  if (e) {
    out.usdPerHour = units * e.usdPerHourPerUnit;
    out.watts = units * e.wattsPerUnit;
    // the replicas run at rate / (replicas x throughput) of their capacity: the idle part is paid too
    if (w.unit === 'tokens/s') out.usdPerMillionTokens = (out.usdPerHour / 3600 / rate) * 1e6;
  }
  return out;
}
