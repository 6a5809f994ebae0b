// Model summary panel: what the file is, its size in parameters and FLOPs, inputs/outputs with their
// (symbolic) dims, bindings and diagnostics.
import type { Report } from '../src/engine/profile';
import { fmtBytes, fmtCount, fmtFlops } from '../src/report/units';
import { groupDigits, h } from './dom';
import { dimsText, groupIo, type IoValue } from './ioGroups';
import { unboundPhrase } from '../src/engine/shapes/unbound';

/** Rows shown before the rest of a long list goes behind a "more" disclosure. */
const ROWS_SHOWN = 10;

function ioRow(v: IoValue): HTMLElement {
  return h('li', {}, h('code', {}, v.name), ` ${v.dtype} ${dimsText(v.dims)}`);
}

/** A list of graph inputs or outputs with repeated tensors (KV cache) collapsed into one row each (ioGroups.ts). */
function ioList(title: string, noun: string, values: IoValue[]): HTMLElement {
  const rows = groupIo(values).map((g) => {
    if (g.members.length === 1) return ioRow(g.members[0]);
    const list = h('ul', {});
    const d = h(
      'details',
      { class: 'io-group' },
      h('summary', {}, h('code', {}, g.label), `: ${g.members.length} ${noun}s, ${g.dtype} ${dimsText(g.dims)}`),
      list,
    );
    // the members are built when opened: hundreds of rows nobody asked for would push the knobs down
    d.addEventListener('toggle', () => {
      if (d.open && !list.firstChild) list.append(...g.members.map(ioRow));
    });
    return h('li', { class: 'group' }, d);
  });
  const ul = h('ul', {}, ...rows.slice(0, ROWS_SHOWN));
  const body: HTMLElement[] = [ul];
  if (rows.length > ROWS_SHOWN)
    body.push(
      h(
        'details',
        { class: 'io-more' },
        h('summary', {}, `${rows.length - ROWS_SHOWN} more`),
        h('ul', {}, ...rows.slice(ROWS_SHOWN)),
      ),
    );
  return h('div', { attrs: { 'data-io': noun } }, h('h3', {}, `${title} (${values.length})`), ...body);
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
  // the same phrase as the warning under the verdict (dimsBar.ts), the notes and the CLI
  if (m.unboundDims.length) facts.push(['unbound dims', unboundPhrase(m.unboundDims)]);
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of facts) dl.append(h('dt', {}, k), h('dd', {}, v));
  const io = h('div', { class: 'io' }, ioList('Inputs', 'input', m.inputs), ioList('Outputs', 'output', m.outputs));
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
  // the unbound-dims warning is the dims bar's, with the fields that bind them
  const unbound = m.unboundDims.length ? unboundPhrase(m.unboundDims) : null;
  const diags = report.diagnostics.filter((d) => d.severity !== 'info' && !(unbound && d.message.includes(unbound)));
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
