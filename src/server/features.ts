// What the language server answers for a model's text view, computed from a ModelView: hovers with a
// layer's timing on each target, Problems-panel diagnostics, Outline symbols and per-layer CodeLens.
// Pure functions of the view (no connection), so unit tests call them as the server does.
import {
  type CodeLens,
  type Diagnostic,
  DiagnosticSeverity,
  DocumentSymbol,
  type Hover,
  MarkupKind,
  Range,
  SymbolKind,
} from 'vscode-languageserver';
import type { Diagnostic as EngineDiagnostic } from '../engine/onnx/errors';
import type { Graph } from '../engine/onnx/ir';
import type { TargetLayer, TargetResult } from '../engine/hardware/types';
import type { Layer } from '../engine/cost/layers';
import { valueType } from '../textview/syntax';
import type { GraphSpan } from '../textview/printer';
import type { ModelView, TargetRow } from './modelView';
import { code, fmtBytes, fmtFlops, fmtPlacement, fmtSeconds, md, targetLabel } from './format';
import { fmtNumber, fmtRate } from '../report/units';
import { UNBOUND_DIM_VALUE } from '../engine/shapes/unbound';

export const DIAGNOSTIC_SOURCE = 'onnx-profiler';
/** the client command a layer's CodeLens runs: selects the layer in the profile editor */
export const SELECT_LAYER_COMMAND = 'onnxProfiler.text.selectLayer';

// ---------------------------------------------------------------- ranges

/** The code of a statement's first line: from its indentation to the `#` comment. */
export function lineRange(v: ModelView, line: number): Range {
  const text = v.lines[line] ?? '';
  const start = Math.max(0, text.search(/\S/));
  const c = text.lastIndexOf('  # ');
  const end = c > start ? c : text.length;
  return Range.create(line, start, line, end);
}

function statementRange(v: ModelView, line: number): Range {
  const end = v.printed.statementEnd.get(line) ?? line;
  const first = lineRange(v, line);
  return Range.create(line, first.start.character, end, (v.lines[end] ?? '').length);
}

// ---------------------------------------------------------------- hover

function targetFlops(_t: TargetResult, row: TargetLayer, layer: Layer, training: boolean): number {
  const f = row.detail?.flops;
  return typeof f === 'number' ? f : layer.forwardFlops * (training ? 3 : 1);
}

function layerTable(v: ModelView, li: number): string[] {
  const run = v.run!;
  const layer = run.profile.analysis.layers[li];
  const training = run.options.mode === 'training';
  const out: string[] = [];
  if (run.targets.length) {
    out.push('| target | time | bound | FLOPs | memory | placement |', '| --- | --- | --- | --- | --- | --- |');
    for (const { target, rows } of run.targets) {
      const row = rows[li];
      const name = `**${md(targetLabel(target))}**${target.fits ? '' : ' (does not fit)'}`;
      if (!row) {
        out.push(`| ${name} | - | - | - | - | no row for this layer |`);
        continue;
      }
      out.push(
        `| ${name} | ${fmtSeconds(row.seconds)} | ${row.bound} | ${fmtFlops(targetFlops(target, row, layer, training))} | ${fmtBytes(row.memoryBytes)} | ${md(fmtPlacement(target, row))} |`,
      );
    }
  }
  for (const e of run.targetErrors) out.push('', `${code(e.id)}: ${md(e.error)}`);
  return out;
}

/** The options in force; only the bindings of symbols the model's inputs use (batch binds several spellings). */
function settingsLine(v: ModelView): string {
  const o = v.run!.options;
  const used = new Set<string>();
  for (const i of v.model.graph.inputs) {
    if (i.type?.kind === 'tensor')
      for (const d of i.type.dims ?? [])
        if (typeof d === 'string') for (const s of d.split(/[^A-Za-z0-9_]+/)) used.add(s);
  }
  const b = Object.entries(v.run!.profile.report.model.bindings)
    .filter(([k]) => used.has(k) || k in o.dims)
    .map(([k, n]) => `${k}=${n}`)
    .join(', ');
  return `_${o.mode}, ${o.precision}${b ? `, ${md(b)}` : ''} (onnxProfiler.* settings)_`;
}

function graphOf(v: ModelView, path: string): Graph | undefined {
  return v.graphsByPath.get(path);
}

/** Hover for a text line: a node (with its layer's timing per target) or the graph signature (model summary). */
export function hoverAt(v: ModelView, line: number): Hover | null {
  const ref = v.printed.lineNode.get(line);
  if (ref) {
    const g = graphOf(v, ref.graph);
    const n = g?.nodes[ref.index];
    if (!n) return null;
    const parts: string[] = [];
    const op = (n.domain ? n.domain + '.' : '') + n.opType;
    parts.push(
      `**${md(op)}** ${code(n.name || `${n.opType}_${n.index}`)}${ref.graph !== 'main' ? ` in subgraph ${code(ref.graph)}` : ''}`,
    );
    const mainIdx = v.mainNodeOf(ref);
    const run = v.run;
    if (ref.graph === 'main' && run) {
      const c = run.profile.analysis.nodeCosts[ref.index];
      const t = n.outputs
        .filter(Boolean)
        .map((o) => valueType(run.profile.analysis.shapes.main.values.get(o)?.type))
        .join(', ');
      if (c) {
        parts.push(
          `Node: ${fmtFlops(c.flops)} forward · reads ${fmtBytes(c.bytesRead)} · writes ${fmtBytes(c.bytesWritten)}${c.paramBytes ? ` · parameters ${fmtBytes(c.paramBytes)}` : ''}${t ? ` · outputs ${code(t)}` : ''}` +
            `${c.modelled ? '' : ' · **no cost model** (1 FLOP per output element)'}${c.approximate ? ' · approximate (unbound or unknown dims taken as 1)' : ''}${c.note ? ` · ${md(c.note)}` : ''}`,
        );
      }
    }
    if (mainIdx !== undefined && run) {
      const li = run.nodeLayer[mainIdx];
      const layer = run.profile.analysis.layers[li];
      if (layer) {
        parts.push('---');
        parts.push(
          `**Layer** ${code(layer.name)} (${layer.kind}, ${layer.nodes.length} node${layer.nodes.length === 1 ? '' : 's'}${layer.block ? `, block ${code(layer.block)}` : ''}): ` +
            `${fmtFlops(layer.forwardFlops)} forward · parameters ${fmtBytes(layer.parameterBytes)} · activations ${fmtBytes(layer.activationBytes)}${layer.modelled ? '' : ' · some ops have no cost model'}`,
        );
        const table = layerTable(v, li);
        if (table.length) parts.push(table.join('\n'));
        parts.push(settingsLine(v));
      }
    } else if (!run && v.profileError) {
      parts.push(`Profiling failed: ${md(v.profileError)}`);
    }
    return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n') }, range: lineRange(v, line) };
  }
  if (line === v.graphLine && v.run)
    return { contents: { kind: MarkupKind.Markdown, value: modelSummary(v) }, range: lineRange(v, line) };
  return null;
}

function modelSummary(v: ModelView): string {
  const run = v.run!;
  const m = run.profile.report.model;
  const parts = [
    `**${md(v.model.graph.name || 'main graph')}**: ${m.nodeCount} nodes · ${run.profile.analysis.layers.length} layers · ${fmtNumber(m.parameterCount)} parameters (${fmtBytes(m.parameterBytes)}) · ${fmtFlops(m.forwardFlops)} forward`,
  ];
  if (run.targets.length) {
    const rows = ['| target | step | throughput | memory | fits |', '| --- | --- | --- | --- | --- |'];
    for (const { target: t } of run.targets) {
      rows.push(
        `| **${md(t.id)}** ${md(t.name)} | ${fmtSeconds(t.stepSeconds)} | ${fmtRate(t.throughput.value, t.throughput.unit)} | ${fmtBytes(t.memory.usedBytes)} of ${fmtBytes(t.memory.capacityBytes)} | ${t.fits ? 'yes' : '**no**'} |`,
      );
    }
    parts.push(rows.join('\n'));
  }
  for (const e of run.targetErrors) parts.push(`${code(e.id)}: ${md(e.error)}`);
  parts.push(settingsLine(v));
  return parts.join('\n\n');
}

// ---------------------------------------------------------------- diagnostics

const SEVERITY: Record<EngineDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** A layer that cannot fit on a target by itself: per-core SRAM on a wafer region, or the device's memory. */
function layerOverflow(t: TargetResult, row: TargetLayer): string | null {
  const d = row.detail ?? {};
  if (
    t.kind === 'wafer' &&
    typeof d.bytesPerCore === 'number' &&
    typeof d.usablePerCoreBytes === 'number' &&
    d.bytesPerCore > d.usablePerCoreBytes
  ) {
    return `needs ${fmtBytes(d.bytesPerCore)} per core on ${t.id}, more than the ${fmtBytes(d.usablePerCoreBytes)} of usable SRAM a core has`;
  }
  if (t.memory.capacityBytes > 0 && row.memoryBytes > t.memory.capacityBytes) {
    return `needs ${fmtBytes(row.memoryBytes)} on ${t.id}, more than the ${fmtBytes(t.memory.capacityBytes)} it has${t.kind === 'gpu-cluster' ? ' per GPU' : ''}`;
  }
  return null;
}

/** Everything the Problems panel shows for the model: reader and shape findings, unbound dims, ops without a cost model, fit. */
export function diagnosticsOf(v: ModelView): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (line: number, severity: DiagnosticSeverity, message: string, codeName: string) => {
    out.push({
      range: lineRange(v, line >= 0 ? line : v.graphLine),
      severity,
      message,
      source: DIAGNOSTIC_SOURCE,
      code: codeName,
    });
  };
  const engine = (d: EngineDiagnostic, codeName: string) => {
    let line = -1;
    if (d.node) line = v.lineOfNode(d.node, d.graph);
    if (line < 0 && d.tensor) line = v.lineOfTensor(d.tensor);
    at(line, SEVERITY[d.severity] ?? DiagnosticSeverity.Information, d.message, codeName);
  };
  for (const d of v.model.diagnostics) engine(d, 'reader');
  if (v.printed.omittedNodes) {
    at(
      v.graphLine,
      DiagnosticSeverity.Information,
      `${v.printed.omittedNodes} node statement(s) are not shown: the text view stops after its node limit (the profile covers every node)`,
      'text-limit',
    );
  }
  const run = v.run;
  if (!run) {
    if (v.profileError) at(v.graphLine, DiagnosticSeverity.Error, `profiling failed: ${v.profileError}`, 'profile');
    return out;
  }
  const a = run.profile.analysis;
  for (const d of a.shapes.diagnostics) engine(d, 'shape');
  // unbound symbolic dims: on the first graph input that declares the symbol
  for (const sym of a.shapes.unboundSymbols) {
    const input = v.model.graph.inputs.find(
      (i) =>
        i.type?.kind === 'tensor' &&
        i.type.dims?.some((d) => typeof d === 'string' && d.split(/[^A-Za-z0-9_]+/).includes(sym)),
    );
    at(
      input ? v.lineOfTensor(input.name) : v.graphLine,
      DiagnosticSeverity.Warning,
      `symbolic dim '${sym}' is unbound: costs take it as ${UNBOUND_DIM_VALUE}. Bind it in the onnxProfiler.dims setting, e.g. {"${sym}": 2048}`,
      'unbound-dim',
    );
  }
  a.nodeCosts.forEach((c, k) => {
    if (c && !c.modelled) {
      const n = v.model.graph.nodes[k];
      at(
        v.printed.nodeLine[k],
        DiagnosticSeverity.Warning,
        `no cost model for ${n.domain ? n.domain + '.' : ''}${n.opType}: counted as 1 FLOP per output element`,
        'no-cost-model',
      );
    }
  });
  for (const e of run.targetErrors) at(v.graphLine, DiagnosticSeverity.Error, `target ${e.id}: ${e.error}`, 'target');
  for (const { target: t, rows } of run.targets) {
    if (!t.fits) {
      const why = t.notes.filter((n) => /does not fit/i.test(n)).join('; ');
      at(
        v.graphLine,
        DiagnosticSeverity.Error,
        `the model does not fit on ${t.name} (${t.id}): ${fmtBytes(t.memory.usedBytes)} needed, ${fmtBytes(t.memory.capacityBytes)} available${why ? ` — ${why}` : ''}`,
        'does-not-fit',
      );
    }
    rows.forEach((row, li) => {
      if (!row) return;
      const why = layerOverflow(t, row);
      if (why)
        at(
          v.layerLine(li),
          DiagnosticSeverity.Warning,
          `layer ${a.layers[li].name} does not fit: ${why}`,
          'layer-does-not-fit',
        );
    });
  }
  return out;
}

// ---------------------------------------------------------------- symbols

function sym(
  name: string,
  detail: string,
  kind: SymbolKind,
  range: Range,
  selection: Range,
  children?: DocumentSymbol[],
): DocumentSymbol {
  // VS Code rejects an empty name and a selection outside the range
  return DocumentSymbol.create(name || '(unnamed)', detail, kind, range, selection, children);
}

function spanRange(v: ModelView, s: { line: number; end: number }): Range {
  return Range.create(s.line, 0, s.end, (v.lines[s.end] ?? '').length);
}

function union(rs: Range[]): Range {
  let a = rs[0];
  for (const r of rs) {
    if (r.start.line < a.start.line) a = Range.create(r.start, a.end);
    if (r.end.line > a.end.line) a = Range.create(a.start, r.end);
  }
  return a;
}

function firstTargetTime(v: ModelView, li: number): string {
  const t: TargetRow | undefined = v.run?.targets[0];
  const row = t?.rows[li];
  return row ? `${fmtSeconds(row.seconds)} on ${t!.target.id}` : '';
}

/** Node symbols of a graph (subgraphs nested under their node), at most `depth` levels down. */
function nodeSymbols(v: ModelView, g: Graph, lines: Int32Array | number[], depth: number): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  g.nodes.forEach((_n, k) => {
    const line = lines[k];
    if (line === undefined || line < 0) return;
    out.push(nodeSymbol(v, g, k, line, depth));
  });
  return out;
}

function nodeSymbol(v: ModelView, g: Graph, k: number, line: number, depth: number): DocumentSymbol {
  const n = g.nodes[k];
  const children: DocumentSymbol[] = [];
  if (depth > 0) {
    for (const s of v.printed.graphs) {
      if (s.owner && s.owner.graph === g.path && s.owner.index === k) children.push(subgraphSymbol(v, s, depth - 1));
    }
  }
  return sym(
    n.name || `${n.opType}_${k}`,
    (n.domain ? n.domain + '.' : '') + n.opType,
    SymbolKind.Operator,
    statementRange(v, line),
    lineRange(v, line),
    children,
  );
}

function subgraphSymbol(v: ModelView, s: GraphSpan, depth: number): DocumentSymbol {
  const g = v.graphsByPath.get(s.path);
  const lines = v.printed.subgraphNodeLines.get(s.path);
  const children = g && lines ? nodeSymbols(v, g, lines, depth) : [];
  return sym(
    `${s.attr ?? 'graph'}: ${s.name}`,
    `${g?.nodes.length ?? 0} nodes`,
    SymbolKind.Module,
    spanRange(v, s),
    lineRange(v, s.line),
    children,
  );
}

/** The Outline: the graph, its repeated blocks (/model/layers.N), their layers, and each layer's nodes; then functions. */
export function documentSymbols(v: ModelView): DocumentSymbol[] {
  const main = v.printed.graphs[0];
  if (!main) return [];
  const g = v.model.graph;
  const run = v.run;
  let children: DocumentSymbol[];
  if (!run) {
    children = nodeSymbols(v, g, v.printed.nodeLine, 4);
  } else {
    const layers = run.profile.analysis.layers;
    type Item = { line: number; sym: DocumentSymbol; li: number };
    const top: Item[] = [];
    const blocks = new Map<string, Item[]>();
    layers.forEach((l, li) => {
      const nodes = l.nodeIndices
        .filter((ni) => v.printed.nodeLine[ni] >= 0)
        .sort((x, y) => v.printed.nodeLine[x] - v.printed.nodeLine[y]);
      if (!nodes.length) return;
      const nodeSyms = nodes.map((ni) => nodeSymbol(v, g, ni, v.printed.nodeLine[ni], 4));
      const first = v.printed.nodeLine[nodes[0]];
      const time = firstTargetTime(v, li);
      const s = sym(
        l.name,
        [l.kind, time, fmtFlops(l.forwardFlops)].filter(Boolean).join(' · '),
        SymbolKind.Function,
        union(nodeSyms.map((n) => n.range)),
        lineRange(v, first),
        nodeSyms,
      );
      const item: Item = { line: first, sym: s, li };
      if (l.block) {
        let b = blocks.get(l.block);
        if (!b) blocks.set(l.block, (b = []));
        b.push(item);
      } else top.push(item);
    });
    for (const [name, items] of blocks) {
      items.sort((x, y) => x.line - y.line);
      const range = union(items.map((i) => i.sym.range));
      const secs = run.targets[0]
        ? items.reduce((s, i) => s + (run.targets[0].rows[i.li]?.seconds ?? 0), 0)
        : undefined;
      const detail = `${items.length} layers${secs !== undefined ? ` · ${fmtSeconds(secs)} on ${run.targets[0].target.id}` : ''}`;
      top.push({
        line: items[0].line,
        li: -1,
        sym: sym(
          name,
          detail,
          SymbolKind.Namespace,
          range,
          lineRange(v, items[0].line),
          items.map((i) => i.sym),
        ),
      });
    }
    top.sort((x, y) => x.line - y.line);
    children = top.map((i) => i.sym);
  }
  const detail = `${g.nodes.length} nodes${run ? ` · ${run.profile.analysis.layers.length} layers · ${fmtFlops(run.profile.report.model.forwardFlops)}` : ''}`;
  const out = [
    sym(g.name || 'main graph', detail, SymbolKind.Module, spanRange(v, main), lineRange(v, main.line), children),
  ];
  for (const f of v.printed.functions) {
    const fn = v.model.functions.find((x) => x.name === f.name && x.domain === f.domain);
    const nodes = fn
      ? f.nodeLines.map((line, k) =>
          sym(
            fn.nodes[k]?.name || `${fn.nodes[k]?.opType}_${k}`,
            fn.nodes[k]?.opType ?? '',
            SymbolKind.Operator,
            statementRange(v, line),
            lineRange(v, line),
          ),
        )
      : [];
    out.push(
      sym(
        `${f.domain ? f.domain + '.' : ''}${f.name}`,
        'function',
        SymbolKind.Function,
        spanRange(v, f),
        lineRange(v, f.line),
        nodes,
      ),
    );
  }
  return out;
}

// ---------------------------------------------------------------- code lens

/** One lens per layer on the line of its first node: its time on each target (FLOPs when no target mapped). */
export function codeLenses(v: ModelView, textUri: string): CodeLens[] {
  const run = v.run;
  if (!run) return [];
  const out: CodeLens[] = [];
  run.profile.analysis.layers.forEach((l, li) => {
    const line = v.layerLine(li);
    if (line < 0) return;
    const times = run.targets.map(({ target, rows }) => {
      const r = rows[li];
      return r ? `${targetLabel(target)} ${fmtSeconds(r.seconds)} (${r.bound})` : `${targetLabel(target)} -`;
    });
    const title = `⏱ ${times.length ? times.join(' · ') : fmtFlops(l.forwardFlops)}  —  layer ${l.name} (${l.kind}, ${l.nodes.length} node${l.nodes.length === 1 ? '' : 's'})`;
    out.push({
      range: lineRange(v, line),
      command: { title, command: SELECT_LAYER_COMMAND, arguments: [textUri, l.name] },
    });
  });
  return out;
}
