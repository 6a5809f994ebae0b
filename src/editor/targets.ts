import type { TargetChoice } from '../shared/protocol';

function kindOf(choices: TargetChoice[], id: string): TargetChoice['kind'] {
  return choices.find((c) => c.id === id)?.kind ?? null;
}

/** Select Target: `id` replaces the target of its kind (a wafer replaces the wafer), the other is kept; wafers first. */
export function withTarget(targets: string[], id: string, choices: TargetChoice[]): string[] {
  const k = kindOf(choices, id);
  const rest = targets.filter((t) => t !== id && (k === null || kindOf(choices, t) !== k));
  const rank = (t: string) => (kindOf(choices, t) === 'wafer' ? 0 : kindOf(choices, t) === 'gpu-cluster' ? 1 : 2);
  return [id, ...rest].sort((a, b) => rank(a) - rank(b));
}
