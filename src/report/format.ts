// Report renderers for the CLI and Export Report: table (terminal), json (the contract), csv, html.
import type { Report } from '../engine/profile';
import { computedTargets, isTargetError } from '../engine/hardware/types';
import { placeOf, planSentence } from './plan';
import { fmtBytes, fmtCount, fmtFlops, fmtRate, fmtSeconds } from './units';
import { csvCell, terminalText } from './escape';
import { renderHtml } from './html';
import { budgetLines, costScale, figureLine } from './comparison';
import { unboundPhrase } from '../engine/shapes/unbound';

export type Format = 'table' | 'json' | 'csv' | 'html';

export function formatReport(r: Report, format: Format): string {
  switch (format) {
    case 'json':
      return JSON.stringify(r);
    case 'csv':
      return toCsv(r);
    case 'html':
      return renderHtml(r);
    default:
      return toTable(r);
  }
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function toTable(r: Report): string {
  const m = r.model;
  const lines: string[] = [];
  lines.push(`${m.path}`);
  // the answer first: the verdict, then the comparable figures of every target on one line each
  const c = r.comparison;
  if (c) {
    lines.push(`  VERDICT (basis ${c.basis}, baseline ${c.baseline}):`);
    for (const s of c.sentences) lines.push(`    ${s}`);
    for (const n of c.notes) lines.push(`    note: ${n}`);
  }
  const computed = computedTargets(r.targets);
  if (computed.length) {
    const scale = costScale(computed);
    for (const t of computed) {
      lines.push(`  ${pad(t.id, 12)} ${figureLine(t, scale)}`);
      for (const b of budgetLines(t, scale)) lines.push(`  ${pad('', 12)} ${b}`);
    }
    lines.push('');
  }
  lines.push(
    `  IR ${m.irVersion}, opsets ${Object.entries(m.opsets)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}${m.producer ? `, producer ${m.producer}` : ''}`,
  );
  lines.push(
    `  ${m.nodeCount} nodes, ${known(m.parameterCount, fmtCount)} parameters (${known(m.parameterBytes, fmtBytes)}), ${known(m.forwardFlops, fmtFlops)} forward, peak activations ${known(m.peakActivationBytes, fmtBytes)}`,
  );
  if (m.unboundDims.length) lines.push(`  dims ${unboundPhrase(m.unboundDims)} (bind with --dim NAME=VALUE)`);
  lines.push('');
  const top = [...r.layers].sort((a, b) => (b.forwardFlops ?? 0) - (a.forwardFlops ?? 0)).slice(0, 15);
  lines.push(
    `  ${pad('layer (top 15 by FLOPs)', 48)} ${pad('ops', 28)} ${pad('FLOPs', 12, true)} ${pad('params', 12, true)}`,
  );
  for (const l of top) {
    lines.push(
      `  ${pad(l.name.slice(-48), 48)} ${pad(l.opTypes.join('+').slice(0, 28), 28)} ${pad(known(l.forwardFlops, fmtFlops), 12, true)} ${pad(known(l.parameterBytes, fmtBytes), 12, true)}`,
    );
  }
  for (const t of r.targets ?? []) {
    lines.push('');
    if (isTargetError(t)) {
      lines.push(`  target ${t.id}: ${t.error}`);
      continue;
    }
    const where = placeOf(t);
    lines.push(
      `  target ${t.id} (${t.name}), ${t.execution}, ${where}: step ${known(t.stepSeconds, fmtSeconds)}, ${known(t.throughput?.value, (v) => fmtRate(v, t.throughput.unit))}, ` +
        `memory ${known(t.memory?.usedBytes, fmtBytes)} of ${known(t.memory?.capacityBytes, fmtBytes)}${t.fits ? '' : ' — DOES NOT FIT'}`,
    );
    if (Object.keys(t.parallelism).length) lines.push(`    plan: ${planSentence(t)}`);
    const slow = [...t.layers].sort((a, b) => (b.seconds ?? 0) - (a.seconds ?? 0)).slice(0, 8);
    for (const l of slow)
      lines.push(`    ${pad(l.name.slice(-46), 46)} ${pad(known(l.seconds, fmtSeconds), 10, true)}  ${l.bound}`);
    for (const n of t.notes.slice(0, 6)) lines.push(`    note: ${n}`);
  }
  const warn = r.diagnostics.filter((d) => d.severity !== 'info');
  if (warn.length) {
    lines.push('');
    lines.push(`  ${warn.length} diagnostic(s):`);
    for (const d of warn.slice(0, 10)) lines.push(`    ${d.severity}: ${d.message}`);
  }
  // the terminal sink: a model string can neither drive the terminal nor forge a line (src/report/escape.ts)
  return lines.map(terminalText).join('\n') + '\n';
}

/** A quantity the report may leave out (not finite): "unknown" instead of a dash or NaN. */
function known(v: number | undefined, fmt: (v: number) => string): string {
  return typeof v === 'number' && Number.isFinite(v) ? fmt(v) : 'unknown';
}

function toCsv(r: Report): string {
  const rows: unknown[][] = [
    [
      'target',
      'layer',
      'kind',
      'ops',
      'forward_flops',
      'parameter_bytes',
      'activation_bytes',
      'seconds',
      'bound',
      'memory_bytes',
    ],
  ];
  const targets = computedTargets(r.targets);
  for (const l of r.layers)
    rows.push([
      '',
      l.name,
      l.kind,
      l.opTypes.join('+'),
      l.forwardFlops,
      l.parameterBytes,
      l.activationBytes,
      '',
      '',
      '',
    ]);
  for (const t of targets) {
    t.layers.forEach((tl) => {
      const base = r.layers.find((l) => l.name === tl.name);
      rows.push([
        t.id,
        tl.name,
        base?.kind ?? '',
        base?.opTypes.join('+') ?? '',
        base?.forwardFlops ?? '',
        base?.parameterBytes ?? '',
        base?.activationBytes ?? '',
        tl.seconds,
        tl.bound,
        tl.memoryBytes,
      ]);
    });
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
