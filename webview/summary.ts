// Model summary panel: what the file is, its size in parameters and FLOPs, inputs/outputs with their
// (symbolic) dims, bindings and diagnostics.
import type { Dim } from '../src/engine/onnx/ir';
import type { Report } from '../src/engine/profile';
import { fmtBytes, fmtCount, fmtFlops } from '../src/report/units';
import { groupDigits, h } from './dom';

function dims(d: Dim[] | null): string {
  return d === null ? '?' : `[${d.map((x) => (x === null ? '?' : String(x))).join(', ')}]`;
}

/** Total parameters; for a mixture of experts also those a token uses (k of E experts). */
export function parametersText(report: Report): string {
  const m = report.model;
  const total = `${fmtCount(m.parameterCount)} (${fmtBytes(m.parameterBytes)})`;
  return m.transformer?.experts && m.activeParameterCount !== m.parameterCount
    ? `${total} total; ${fmtCount(m.activeParameterCount)} active per token`
    : total;
}

export function summaryPanel(report: Report, fileName: string, engineSeconds: number): HTMLElement {
  const m = report.model;
  const facts: [string, string][] = [
    [
      'IR / opsets',
      `IR ${m.irVersion}; ${
        Object.entries(m.opsets)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || '—'
      }`,
    ],
    ['producer', m.producer || '—'],
    [
      'nodes',
      `${groupDigits(m.nodeCount)}${m.nodeCountWithSubgraphs !== m.nodeCount ? ` (${groupDigits(m.nodeCountWithSubgraphs)} with subgraphs)` : ''}`,
    ],
    ['parameters', parametersText(report)],
    ['forward', fmtFlops(m.forwardFlops)],
    ['peak activations', fmtBytes(m.peakActivationBytes)],
    ['layers', `${report.layers.length} fused kernels`],
  ];
  const t = m.transformer;
  if (t)
    facts.push([
      'transformer',
      `${t.layers} layers, hidden ${t.hidden}, ${t.heads} heads (${t.kvHeads} KV, dim ${t.headDim}), FFN ${t.ffn}${t.gated ? ' gated' : ''}${t.vocab ? `, vocab ${t.vocab}` : ''}${t.experts ? `, ${t.experts} experts (${t.expertsPerToken} per token)` : ''}${t.encoderDecoder ? ', cross-attention' : ''}`,
    ]);
  const bindings = Object.entries(m.bindings);
  if (bindings.length) facts.push(['bindings', bindings.map(([k, v]) => `${k}=${v}`).join(', ')]);
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of facts) dl.append(h('dt', {}, k), h('dd', {}, v));
  const io = h(
    'div',
    { class: 'io' },
    h(
      'div',
      {},
      h('h3', {}, 'Inputs'),
      h('ul', {}, ...m.inputs.map((i) => h('li', {}, h('code', {}, i.name), ` ${i.dtype} ${dims(i.dims)}`))),
    ),
    h(
      'div',
      {},
      h('h3', {}, 'Outputs'),
      h('ul', {}, ...m.outputs.map((o) => h('li', {}, h('code', {}, o.name), ` ${o.dtype} ${dims(o.dims)}`))),
    ),
  );
  const top = Object.entries(m.opHistogram)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12);
  const ops = h(
    'p',
    { class: 'ops' },
    'Ops: ',
    top.map(([k, v]) => `${k} ×${v}`).join(', '),
    Object.keys(m.opHistogram).length > 12 ? ', …' : '',
  );
  const el = h(
    'section',
    { class: 'summary', id: 'summary', attrs: { 'aria-label': 'Model summary' } },
    h(
      'h2',
      {},
      fileName,
      h(
        'span',
        { class: 'muted' },
        ` — profiled in ${engineSeconds < 1 ? `${Math.round(engineSeconds * 1000)} ms` : `${engineSeconds.toFixed(1)} s`}`,
      ),
    ),
    dl,
    io,
    ops,
  );
  if (m.unboundDims.length) {
    el.append(
      h(
        'p',
        { class: 'warning', role: 'note' },
        `Unbound symbolic dims: ${m.unboundDims.join(', ')}, taken as 1 in the costs. Set them in the knobs below.`,
      ),
    );
  }
  const diags = report.diagnostics.filter((d) => d.severity !== 'info');
  if (diags.length) {
    el.append(
      h(
        'details',
        { class: 'diagnostics' },
        h('summary', {}, `${diags.length} diagnostic(s)`),
        h(
          'ul',
          {},
          ...diags
            .slice(0, 200)
            .map((d) =>
              h('li', { class: d.severity }, `${d.severity}: ${d.message}${d.node ? ` (node ${d.node})` : ''}`),
            ),
        ),
      ),
    );
  }
  return el;
}
