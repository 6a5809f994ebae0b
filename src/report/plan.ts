// A target's plan as a sentence a person reads ("TP 8 within a node, PP 4 across nodes, 32 microbatches of 1,
// selective recompute"), the same in the webview, tooltips, the table report and the HTML export: never a raw
// key=value dump of the mapper's record.
import type { TargetResult } from '../engine/hardware/types';
import { fmtNumber, fmtPercent } from './units';

const plural = (n: number, one: string, many = one + 's') => `${fmtNumber(n)} ${n === 1 ? one : many}`;

/** Where a target runs, in words: "2 systems", "4 nodes", "one CPU socket (1 of 56 cores)", "one GPU". */
export function placeOf(t: TargetResult): string {
  if (t.kind === 'wafer') return plural(t.systems, 'system');
  if (t.kind === 'gpu-cluster') return plural(t.nodes, 'node');
  const p = t.parallelism;
  if (p.processor === 'gpu') return 'one GPU';
  return p.cores !== undefined && p.coresInSpec !== undefined
    ? `one CPU socket (${fmtNumber(p.cores)} of ${plural(p.coresInSpec, 'core')})`
    : 'one CPU socket';
}

export function planSentence(t: TargetResult): string {
  if (t.kind === 'device') return `the whole model on ${placeOf(t)}, one kernel after another (no parallelism to plan)`;
  if (t.kind === 'gpu-cluster') {
    const p = t.parallelism;
    const gpusPerNode = t.nodes > 0 ? p.gpus / Math.max(1, t.nodes) : p.gpus;
    const parts: string[] = [];
    parts.push(`TP ${p.tp}${p.tp <= gpusPerNode ? ' within a node' : ' across nodes'}`);
    if (p.pp > 1)
      parts.push(
        `PP ${p.pp}${p.interleave > 1 ? ` (${p.interleave} chunks per GPU)` : ''} across ${p.tp * p.pp > gpusPerNode ? 'nodes' : 'GPUs'}`,
      );
    if (p.dp > 1) parts.push(`DP ${p.dp}${p.zero ? ` with ZeRO-${p.zero}` : ''}`);
    if (p.microbatches > 1)
      parts.push(`${plural(p.microbatches, 'microbatch', 'microbatches')} of ${fmtNumber(p.microbatch)}`);
    else parts.push(`batch ${fmtNumber(p.globalBatch)}`);
    if (p.recompute && p.recompute !== 'none') parts.push(`${p.recompute} recompute`);
    if (p.sequenceParallel) parts.push('sequence parallel');
    if (p.pp > 1 && p.bubbleFraction > 0) parts.push(`pipeline bubble ${fmtPercent(p.bubbleFraction)}`);
    return `${parts.join(', ')} on ${plural(p.gpus, 'GPU')}`;
  }
  const w = t.parallelism;
  const parts: string[] = [`${w.execution} on ${plural(w.systems, 'system')}`];
  if (w.regions) parts.push(`${plural(w.regions, 'region')}${w.layout ? ` (${w.layout})` : ''}`);
  if (w.dataParallel && w.dataParallel > 1) parts.push(`data parallel ×${w.dataParallel}`);
  if (w.globalBatch) parts.push(`global batch ${fmtNumber(w.globalBatch)}`);
  if (w.microBatches && w.microBatches > 1) parts.push(plural(w.microBatches, 'microbatch', 'microbatches'));
  if (w.recompute === 'full') parts.push('activation checkpointing');
  return parts.join(', ');
}
