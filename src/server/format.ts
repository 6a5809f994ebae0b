// Short texts for hovers, lenses and symbol details: times, placements, target names.
import type { TargetLayer, TargetResult } from '../engine/hardware/types';
import { fmtBytes, fmtFlops, fmtSeconds } from '../report/units';
import { markdownCode, markdownText } from '../report/escape';

export { fmtBytes, fmtFlops, fmtSeconds };

/** Where a layer runs: wafer rectangles (x, y, w x h cores, system) or GPU pipeline stages. */
export function fmtPlacement(target: TargetResult, row: TargetLayer): string {
  const p = row.placement as Record<string, unknown>;
  if (!p || Object.keys(p).length === 0) return 'not placed';
  if (target.kind === 'wafer') {
    if (p.system === 'all') return `whole wafer (${fmtInt(p.cores)} cores)`;
    const sys = typeof p.system === 'number' && (target.systems ?? 1) > 1 ? `, system ${p.system}` : '';
    return `${p.w}×${p.h} cores at (${p.x}, ${p.y})${sys}`;
  }
  if (target.kind === 'device')
    return `one ${p.processor === 'cpu' ? 'CPU socket' : 'GPU'}${typeof p.cores === 'number' ? ` (${p.cores} cores)` : ''}, ${fmtInt(p.kernels)} kernel(s)`;
  if (typeof p.stage === 'number') {
    if (p.stage < 0) return 'not placed';
    const par = [p.tp && p.tp !== 1 ? `TP ${p.tp}` : '', p.dp && p.dp !== 1 ? `DP ${p.dp}` : '']
      .filter(Boolean)
      .join(', ');
    return `stage ${p.stage}, ${fmtInt(p.gpus)} GPU(s)${par ? ` (${par})` : ''}`;
  }
  return Object.entries(p)
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(', ');
}

function fmtInt(v: unknown): string {
  return typeof v === 'number' ? v.toLocaleString('en-US') : String(v);
}

/** A target's short label for lenses: its id. */
export function targetLabel(t: TargetResult): string {
  return t.id;
}

/** Escapes text for Markdown table cells and inline text (src/report/escape.ts: the Markdown sink's rule). */
export function md(s: string): string {
  return markdownText(s);
}

/** Inline code whose fence the text cannot close, on one line. */
export function code(s: string): string {
  return markdownCode(s);
}
