// Report renderers for the CLI and Export Report: table (terminal), json (the contract), csv, html.
import type { Report } from '../engine/profile';
import type { TargetResult } from '../engine/hardware/types';
import { fmtBytes, fmtCount, fmtFlops, fmtRate, fmtSeconds } from './units';
import { renderHtml } from './html';

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

export function isTarget(t: TargetResult | { id: string; error: string }): t is TargetResult {
  return !('error' in t);
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

function toTable(r: Report): string {
  const m = r.model;
  const lines: string[] = [];
  lines.push(`${m.path}`);
  lines.push(
    `  IR ${m.irVersion}, opsets ${Object.entries(m.opsets)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}${m.producer ? `, producer ${m.producer}` : ''}`,
  );
  lines.push(
    `  ${m.nodeCount} nodes, ${fmtCount(m.parameterCount)} parameters (${fmtBytes(m.parameterBytes)}), ${fmtFlops(m.forwardFlops)} forward, peak activations ${fmtBytes(m.peakActivationBytes)}`,
  );
  if (m.unboundDims.length)
    lines.push(`  unbound dims: ${m.unboundDims.join(', ')} (taken as 1; bind with --dim NAME=VALUE)`);
  lines.push('');
  const top = [...r.layers].sort((a, b) => b.forwardFlops - a.forwardFlops).slice(0, 15);
  lines.push(
    `  ${pad('layer (top 15 by FLOPs)', 48)} ${pad('ops', 28)} ${pad('FLOPs', 12, true)} ${pad('params', 12, true)}`,
  );
  for (const l of top) {
    lines.push(
      `  ${pad(l.name.slice(-48), 48)} ${pad(l.opTypes.join('+').slice(0, 28), 28)} ${pad(fmtFlops(l.forwardFlops), 12, true)} ${pad(fmtBytes(l.parameterBytes), 12, true)}`,
    );
  }
  for (const t of r.targets ?? []) {
    lines.push('');
    if (!isTarget(t)) {
      lines.push(`  target ${t.id}: ${t.error}`);
      continue;
    }
    const where = t.kind === 'wafer' ? `${t.systems} system(s)` : `${t.nodes} node(s)`;
    lines.push(
      `  target ${t.id} (${t.name}), ${t.execution}, ${where}: step ${fmtSeconds(t.stepSeconds)}, ${fmtRate(t.throughput.value, t.throughput.unit)}, ` +
        `memory ${fmtBytes(t.memory.usedBytes)} of ${fmtBytes(t.memory.capacityBytes)}${t.fits ? '' : ' — DOES NOT FIT'}`,
    );
    if (Object.keys(t.parallelism).length)
      lines.push(
        `    plan: ${Object.entries(t.parallelism)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
    const slow = [...t.layers].sort((a, b) => b.seconds - a.seconds).slice(0, 8);
    for (const l of slow)
      lines.push(`    ${pad(l.name.slice(-46), 46)} ${pad(fmtSeconds(l.seconds), 10, true)}  ${l.bound}`);
    for (const n of t.notes.slice(0, 6)) lines.push(`    note: ${n}`);
  }
  const warn = r.diagnostics.filter((d) => d.severity !== 'info');
  if (warn.length) {
    lines.push('');
    lines.push(`  ${warn.length} diagnostic(s):`);
    for (const d of warn.slice(0, 10)) lines.push(`    ${d.severity}: ${d.message}`);
  }
  return lines.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // a leading =,+,-,@ would be read as a formula by spreadsheets: prefix it (model strings are untrusted)
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
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
  const targets = (r.targets ?? []).filter(isTarget);
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
