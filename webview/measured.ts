// The measured-vs-predicted view of an imported onnxruntime profile. Measured nodes arrive already matched
// to the model's nodes (src/measured/match.ts: by name, onnxruntime's renames, or output dims), so a fused
// ORT kernel covers several model nodes. Predictions come only from a target of the kind the profile was
// measured on (a CPU profile against a CPU target, a GPU profile against a single GPU): comparing a laptop's
// CPU times with a wafer's would say nothing about either.
// The join itself (rows, totals, which target) is src/measured/compare.ts; this file draws it, says which spec
// the prediction used (a generic one unless the user picked theirs) and lets the user pick another.
import { MessageType, type MeasuredMessage, type RenderSummary } from '../src/shared/protocol';
import { ratioOf, type MeasuredJoin } from '../src/measured/compare';
import { fmtPercent, fmtRatio, fmtSeconds } from '../src/report/units';
import { h } from './dom';
import { rovingRows, type TableHost } from './tables';
import { vscode } from './vscode';

export { comparable, joinMeasured, type MeasuredJoin, type MeasuredRow } from '../src/measured/compare';

const MAX_MEASURED_ROWS = 400;

const HOW: Record<string, string> = {
  name: 'same name',
  renamed: "onnxruntime's rename",
  output: 'named after its output',
  shape: 'output dims',
  runtime: 'inserted by onnxruntime',
  unmatched: 'not matched',
};

/** What the prediction is, in a sentence: the spec, that a built-in one is generic, cores and precision. */
function predictionText(m: MeasuredMessage, join: MeasuredJoin): string {
  const p = m.prediction;
  const t = join.target;
  if (m.device === 'unknown')
    return 'The profile does not say which device it ran on (no CPU or GPU execution provider in it): no prediction is compared with it.';
  if (!t)
    return p?.error
      ? `No prediction: ${p.error}`
      : `No ${m.device.toUpperCase()} target is profiled: pick a ${m.device.toUpperCase()} spec to compare predictions with these measurements.`;
  const cores =
    t.kind === 'device' && t.processor === 'cpu' && t.cores !== undefined
      ? `, ${t.cores} core(s)${p?.threads !== undefined ? ` (the profile ran ${p.threads} thread(s))` : ''}`
      : '';
  const generic =
    p?.generic === false
      ? ' (your spec).'
      : `. This is a generic ${m.device === 'cpu' ? 'server CPU' : 'GPU'} spec, not necessarily the device that was measured: pick your own spec for predictions of it.`;
  return `Predicted on ${t.name || t.id} [${t.id}]${cores}, ${p?.precision ?? ''}: each layer's time split over its nodes by FLOPs share${generic}`;
}

/** The spec picker: the device specs of the profile's kind (built-in and the user's spec files). */
function specPicker(m: MeasuredMessage): HTMLElement | null {
  const choices = m.specChoices ?? [];
  if (!choices.length || m.device === 'unknown') return null;
  const current = m.prediction?.spec;
  const sel = h('select', {
    attrs: { 'aria-label': 'device spec for the prediction', 'data-knob': 'measured-spec' },
    on: { change: () => vscode.postMessage({ type: MessageType.MeasuredSpec, spec: sel.value }) },
  });
  for (const c of choices) {
    const o = h('option', { attrs: { value: c.id } }, c.builtin ? `${c.label} (built-in, generic)` : c.label);
    if (c.id === current) o.selected = true;
    sel.append(o);
  }
  return h('label', { class: 'field' }, h('span', {}, 'Predict with '), sel);
}

export function measuredTable(
  m: MeasuredMessage,
  join: MeasuredJoin,
  host: TableHost,
): { element: HTMLElement; rows: number } {
  const tbody = h('tbody');
  for (const r of join.rows.slice(0, MAX_MEASURED_ROWS)) {
    const ratio = ratioOf(r.measured, r.predicted);
    const tr = h(
      'tr',
      { tabIndex: -1, attrs: { 'data-layer': r.layer ?? '' } },
      h('td', { class: 'name' }, r.name),
      h('td', {}, r.opType),
      h('td', { class: 'num' }, fmtSeconds(r.measured)),
      h('td', { class: 'num' }, r.predicted === null ? '—' : fmtSeconds(r.predicted)),
      h('td', { class: 'num' }, ratio === undefined ? '—' : fmtRatio(ratio)),
      h('td', { class: 'name' }, r.layer ?? (r.how === 'runtime' ? 'inserted by onnxruntime' : 'not matched')),
      h('td', {}, HOW[r.how] ?? r.how),
    );
    if (r.layer) tr.addEventListener('click', () => host.select(r.layer));
    tbody.append(tr);
  }
  if (tbody.firstElementChild) (tbody.firstElementChild as HTMLElement).tabIndex = 0;
  rovingRows(tbody, host);
  const tt = join.totals;
  const tfoot = join.target
    ? h(
        'tfoot',
        {},
        h(
          'tr',
          { attrs: { 'data-total': 'matched' } },
          h('th', { attrs: { scope: 'row', colspan: '2' } }, 'total of the matched kernels'),
          h('td', { class: 'num' }, fmtSeconds(tt.matchedMeasured)),
          h('td', { class: 'num' }, fmtSeconds(tt.matchedPredicted)),
          h('td', { class: 'num' }, fmtOrDash(ratioOf(tt.matchedMeasured, tt.matchedPredicted))),
          h('td', { attrs: { colspan: '2' } }),
        ),
        h(
          'tr',
          { attrs: { 'data-total': 'run' } },
          h('th', { attrs: { scope: 'row', colspan: '2' } }, 'whole run (every kernel) vs the predicted step'),
          h('td', { class: 'num' }, fmtSeconds(tt.measured)),
          h('td', { class: 'num' }, tt.predictedStep === undefined ? '—' : fmtSeconds(tt.predictedStep)),
          h('td', { class: 'num' }, fmtOrDash(ratioOf(tt.measured, tt.predictedStep))),
          h('td', { attrs: { colspan: '2' } }),
        ),
      )
    : null;
  const c = m.coverage;
  const kernels = c.measuredNodes - c.runtimeNodes;
  const device = m.device === 'cpu' ? 'a CPU' : m.device === 'gpu' ? 'a GPU' : 'an unknown device';
  const totalRatio = ratioOf(tt.matchedMeasured, tt.matchedPredicted);
  const element = h(
    'section',
    {
      class: 'measured',
      id: 'measured',
      attrs: { 'aria-label': 'Measured vs predicted', 'data-spec': join.target ? join.target.id : undefined },
    },
    h('h2', {}, `Measured vs predicted (${m.source})`),
    h(
      'p',
      { class: 'muted', id: 'measured-coverage' },
      `Measured on ${device}, ${m.runs} run(s)${m.coldRunExcluded ? ' after the first (a cold run: one-time weight pre-packing and allocation, left out)' : ''}, ${fmtSeconds(c.measuredSeconds)} per run in kernels. ` +
        `Matched ${c.matchedNodes} of ${kernels} kernels to the model (${fmtPercent(c.measuredSeconds > 0 ? c.matchedSeconds / c.measuredSeconds : 0)} of the time), ` +
        `covering ${c.modelNodesCovered} of ${c.modelNodes} model nodes; ${c.runtimeNodes} kernel(s) onnxruntime inserted (${fmtSeconds(c.runtimeSeconds)}).`,
    ),
    h('p', { class: 'muted', id: 'measured-prediction' }, predictionText(m, join)),
    join.target && totalRatio !== undefined
      ? h(
          'p',
          { id: 'measured-total' },
          `Matched kernels: measured ${fmtSeconds(tt.matchedMeasured)}, predicted ${fmtSeconds(tt.matchedPredicted)}: ` +
            `measured / predicted ${fmtRatio(totalRatio)} (${totalRatio >= 1 ? 'the device ran slower than predicted' : 'the device ran faster than predicted'}).`,
        )
      : null,
    specPicker(m),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'layers' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['node (onnxruntime)', 'op', 'measured', 'predicted', 'measured / predicted', 'layer', 'matched by'].map(
              (col) => h('th', { attrs: { scope: 'col' } }, col),
            ),
          ),
        ),
        tbody,
        tfoot,
      ),
    ),
    join.rows.length > MAX_MEASURED_ROWS
      ? h('p', { class: 'muted' }, `… ${join.rows.length - MAX_MEASURED_ROWS} more node(s) not listed`)
      : null,
  );
  return { element, rows: Math.min(join.rows.length, MAX_MEASURED_ROWS) };
}

/** What the measured view shows, for the render report (tests, status): undefined when no profile is imported. */
export function measuredSummary(slot: HTMLElement): RenderSummary['measured'] {
  const section = slot.querySelector('section.measured');
  if (!section) return undefined;
  const predicted = [...section.querySelectorAll('tbody tr')].filter(
    (tr) => (tr.children[3]?.textContent ?? '—') !== '—',
  ).length;
  const total = section.querySelector('tfoot tr[data-total="matched"] td:nth-of-type(3)')?.textContent ?? null;
  return {
    text: section.textContent ?? '',
    predictedRows: predicted,
    spec: section.getAttribute('data-spec'),
    totalRatio: total && total !== '—' ? total : null,
  };
}

function fmtOrDash(v: number | undefined): string {
  return v === undefined ? '—' : fmtRatio(v);
}
