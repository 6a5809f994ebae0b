import type { TargetChoice } from '../shared/protocol';

// The documented built-in target ids (ARCHITECTURE.md, the CLI's --target list) and their kinds, so the
// pickers can offer them even before a mapper registers its specs; profiling such a target reports the
// engine's own error ("not computed"), never a made-up result.
export const KNOWN_TARGETS: { id: string; label: string; kind: 'wafer' | 'gpu-cluster' }[] = [
  { id: 'wse2', label: 'Cerebras WSE-2 (CS-2)', kind: 'wafer' },
  { id: 'wse3', label: 'Cerebras WSE-3 (CS-3)', kind: 'wafer' },
  { id: 'a100-dgx', label: 'NVIDIA DGX A100', kind: 'gpu-cluster' },
  { id: 'h100-dgx', label: 'NVIDIA DGX H100', kind: 'gpu-cluster' },
  { id: 'h200-dgx', label: 'NVIDIA DGX H200', kind: 'gpu-cluster' },
  { id: 'b200-dgx', label: 'NVIDIA DGX B200', kind: 'gpu-cluster' },
  { id: 'gb200-nvl72', label: 'NVIDIA GB200 NVL72', kind: 'gpu-cluster' },
];

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
