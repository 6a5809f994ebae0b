// The profile editor's webview: boots with a ready handshake, then renders every Profile the host sends:
// model summary, target picker and knobs, per-target heatmaps and charts, the layer table and a measured
// overlay. Selecting a layer (heatmap, chart or table) highlights it everywhere. Reports each render back
// (Rendered) so tests and the status bar follow what is actually on screen.
import {
  MessageType,
  type FromWebviewMessage,
  type MeasuredMessage,
  type ProfileError,
  type ProfilePayload,
  type ReadyResponseMessage,
  type RenderSummary,
  type TargetChoice,
  type ToWebviewMessage,
  type ViewState,
} from '../src/shared/protocol';
import { MessageHandler } from '../src/shared/messaging';
import { afterPaint, flushAfterPaint, paintPending } from './afterPaint';
import type { TargetOutcome, TargetResult } from '../src/engine/hardware/types';
import { controlsBar } from './controls';
import { dimsBar } from './dimsBar';
import { clear, h } from './dom';
import type { HeatmapHost } from './heatmap/types';
import { summaryPanel } from './summary';
import { verdictPanel } from './verdict';
import { layerTable } from './tables';
import { comparable, joinMeasured, measuredSummary, measuredTable } from './measured';
import { captureTarget, isComputed, TargetPanel } from './targetPanel';
import { readTheme, type Theme } from './theme';
import { Tooltip, type TooltipContent } from './tooltip';
import { vscode } from './vscode';
import { defaultRunOptions, type RunOptions } from '../src/engine/options';
import { markPage, pageTabs } from './graph/pages';
import { GraphView } from './graph/view';

interface State {
  fileName: string;
  knobs: RunOptions;
  choices: TargetChoice[];
  view: ViewState;
  seq: number;
  payload?: ProfilePayload;
  error?: ProfileError;
  selected: string | null;
  measured?: MeasuredMessage;
  busy: boolean;
}

const persisted = vscode.getState() ?? {};
/** script elements present at boot (ours and the one VS Code's webview host injects) */
const bootScripts = document.querySelectorAll('script').length;
/** elements no code of ours creates; VS Code injects a <style> with its default styles before we run */
const FOREIGN =
  'img, iframe, object, embed, style, form, base, frame, svg, math, link[rel="import"], meta[http-equiv="refresh"]';
const bootForeign = document.querySelectorAll(FOREIGN).length;
const state: State = {
  fileName: '',
  knobs: { ...defaultRunOptions(), targets: [] },
  choices: [],
  view: { shown: [], heatmap: persisted.heatmap ?? 'placement', page: persisted.page ?? 'heatmaps' },
  seq: 0,
  selected: persisted.selected ?? null,
  busy: false,
};

const app = document.getElementById('app') as HTMLElement;
const tooltip = new Tooltip();
let theme: Theme = readTheme();

const slots = {
  verdict: h('div', { id: 'verdict-slot' }),
  summary: h('div', { id: 'summary-slot' }),
  dims: h('div', { id: 'dims-slot' }),
  picker: h('div', { id: 'picker-slot' }),
  controls: h('div', { id: 'controls-slot' }),
  busy: h('div', { id: 'busy', class: 'busy', role: 'status', attrs: { hidden: true } }),
  error: h('div', { id: 'error-slot' }),
  targets: h('div', { id: 'targets', class: 'targets' }),
  measured: h('div', { id: 'measured-slot' }),
  table: h('div', { id: 'table-slot' }),
};

let panels: TargetPanel[] = [];
let table: ReturnType<typeof layerTable> | undefined;
let measuredRows = 0;

const heatHost: HeatmapHost = {
  theme: () => theme,
  selected: () => state.selected,
  hover: (c: TooltipContent | null, x: number, y: number) => (c ? tooltip.show(c, x, y) : tooltip.hide()),
  select: (layer) => select(layer),
};

// the graph page (webview/graph/): a tab beside the heatmaps; it shares the layer selection and the tooltip
const graphView = new GraphView({
  theme: () => theme,
  selected: () => state.selected,
  select: (layer) => select(layer),
  hover: heatHost.hover,
  request: <R extends ToWebviewMessage>(m: FromWebviewMessage) => channel.request<R>(m),
  changed: () => scheduleRendered(),
});
const pages = pageTabs(state.view.page ?? 'heatmaps', (p) => setView({ page: p }, true));

function applyPage(scroll = false): void {
  const page = state.view.page ?? 'heatmaps';
  markPage(pages, page);
  slots.targets.hidden = page === 'graph';
  graphView.setVisible(page === 'graph');
  // the graph takes the editor's height: bring its tab bar to the top
  if (scroll && page === 'graph') pages.scrollIntoView({ block: 'start' });
}

function persist(): void {
  vscode.setState({ heatmap: state.view.heatmap, selected: state.selected, page: state.view.page });
}

function post(m: FromWebviewMessage): void {
  channel.send(m);
}

function select(layer: string | null): void {
  if (state.selected === layer) return;
  state.selected = layer;
  persist();
  for (const p of panels) p.refresh();
  table?.update();
  graphView.updateSelection();
  post({ type: MessageType.LayerSelected, layer });
  scheduleRendered();
}

function targetsOf(): TargetOutcome[] {
  return state.payload?.report.targets ?? [];
}

/** The id a picked choice's target has in the report (a spec file is picked by path, reported by its own id). */
function reportIdOf(choiceId: string): string {
  return state.choices.find((c) => c.id === choiceId)?.reportId ?? choiceId;
}

/** The choice (picker id) of a report target: the inverse of reportIdOf. */
function choiceIdOf(reportId: string): string {
  return state.choices.find((c) => (c.reportId ?? c.id) === reportId)?.id ?? reportId;
}

function shownEntries(): TargetOutcome[] {
  const all = targetsOf();
  let shown = state.view.shown.filter(Boolean);
  if (!shown.length) shown = all.slice(0, 1).map((t) => choiceIdOf(t.id));
  return shown.slice(0, 2).map(
    (id) =>
      all.find((t) => t.id === reportIdOf(id)) ?? {
        id,
        error: state.busy
          ? 'being profiled with the new knobs…'
          : 'not profiled with the current knobs (pick it again or re-profile)',
      },
  );
}

function measuredPerTargetLayer(t: TargetOutcome): (number | null)[] | undefined {
  // the measured overlay goes only on a target of the kind the profile was measured on
  if (!state.measured || !state.payload || !isComputed(t) || !comparable(t, state.measured.device)) return undefined;
  const j = joinMeasured(state.measured, state.payload.nodes, state.payload.report, [t]);
  return t.layers.map((l) => j.perLayer.get(l.name) ?? null);
}

function renderTargets(): void {
  for (const p of panels) p.dispose();
  panels = [];
  clear(slots.targets);
  const report = state.payload?.report;
  if (!report) return;
  if (!report.targets?.length) {
    slots.targets.append(
      h('p', { class: 'not-computed-label' }, 'No target was profiled: pick a wafer or a GPU cluster above.'),
    );
    return;
  }
  const entries = shownEntries();
  slots.targets.classList.toggle('compare', entries.length > 1);
  for (const e of entries) {
    const p = new TargetPanel(e, report, heatHost, state.view.heatmap, measuredPerTargetLayer(e));
    panels.push(p);
    slots.targets.append(p.element);
    p.heatmap?.render();
  }
}

function renderTables(): void {
  clear(slots.table);
  clear(slots.measured);
  table = undefined;
  measuredRows = 0;
  const pl = state.payload;
  if (!pl) return;
  const computed = shownEntries().filter(isComputed) as TargetResult[];
  let perLayer: Map<string, number> | undefined;
  if (state.measured) {
    // predictions only from a target of the profile's kind, among all computed ones (not only those shown)
    const all = (pl.report.targets ?? []).filter(isComputed) as TargetResult[];
    const j = joinMeasured(state.measured, pl.nodes, pl.report, all);
    perLayer = j.perLayer;
    const mt = measuredTable(state.measured, j, {
      selected: () => state.selected,
      select,
      hover: heatHost.hover,
    });
    measuredRows = mt.rows;
    slots.measured.append(mt.element);
  }
  table = layerTable(pl.report, computed, perLayer, { selected: () => state.selected, select, hover: heatHost.hover });
  slots.table.append(table.element);
}

function renderError(e: ProfileError): void {
  clear(slots.error);
  slots.error.append(
    h(
      'section',
      { class: 'error-panel', role: 'alert', id: 'error' },
      h('h2', {}, e.notOnnx ? 'This file is not a readable ONNX model' : 'The model could not be profiled'),
      h('p', { class: 'problem' }, e.problem),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'file'),
        h('dd', {}, e.file),
        e.where ? h('dt', {}, 'where') : null,
        e.where ? h('dd', {}, e.where) : null,
      ),
      h(
        'p',
        { class: 'muted' },
        e.notOnnx
          ? 'The profiler opens ONNX ModelProto files (protobuf). To see the raw bytes, use "Reopen Editor With…" and pick the text or hex editor.'
          : 'Change a knob to profile again.',
      ),
    ),
  );
}

function renderControls(): void {
  const active = document.activeElement as HTMLElement | null;
  const key = active
    ? ['data-knob', 'data-dim', 'data-picker', 'data-heatmap']
        .map((a) => [a, active.getAttribute(a)] as const)
        .find(([, v]) => v !== null)
    : undefined;
  const host = {
    knobs: () => state.knobs,
    view: () => state.view,
    choices: () => state.choices,
    report: () => state.payload?.report,
    reprofile: (k: RunOptions) => {
      state.knobs = k;
      post({ type: MessageType.Reprofile, knobs: k });
    },
    setView: (v: Partial<ViewState>) => setView(v, true),
  };
  const bars = controlsBar(host);
  clear(slots.dims);
  clear(slots.picker);
  clear(slots.controls);
  const dims = dimsBar(host);
  if (dims) slots.dims.append(dims);
  slots.picker.append(bars.picker);
  slots.controls.append(bars.knobs);
  if (key)
    for (const slot of [slots.dims, slots.picker, slots.controls])
      slot.querySelector<HTMLElement>(`[${key[0]}="${CSS.escape(key[1] ?? '')}"]`)?.focus();
}

function renderAll(): void {
  tooltip.hide();
  clear(slots.verdict);
  clear(slots.summary);
  clear(slots.error);
  if (state.error || !state.payload) {
    for (const p of panels) p.dispose();
    panels = [];
    clear(slots.targets);
    clear(slots.table);
    clear(slots.measured);
    table = undefined;
    renderControls();
    for (const slot of [slots.dims, slots.picker, slots.controls]) slot.hidden = !!state.error?.notOnnx;
    if (state.error) renderError(state.error);
  } else {
    for (const slot of [slots.dims, slots.picker, slots.controls]) slot.hidden = false;
    // the answer first: the verdict, the dims it is for, the heatmap of the shown target; the details below
    const v = verdictPanel(state.payload.report);
    if (v) slots.verdict.append(v);
    slots.summary.append(summaryPanel(state.payload.report, state.fileName, state.payload.engineSeconds));
    renderControls();
    renderTargets();
    // the table (hundreds of rows) waits until the heatmaps are painted; the previous one stays until then
    afterPaint(renderTables);
  }
  graphView.setProfile(state.seq, state.error ? undefined : state.payload, state.measured, state.view.shown);
  app.setAttribute('aria-busy', 'false');
  scheduleRendered();
}

function setView(v: Partial<ViewState>, fromUser: boolean): void {
  const before = JSON.stringify(state.view);
  state.view = { ...state.view, ...v };
  if (JSON.stringify(state.view) === before) return;
  persist();
  if (v.shown) {
    renderControls();
    renderTargets();
    renderTables();
  } else if (v.heatmap) {
    for (const p of panels) p.setMode(state.view.heatmap);
    renderControls();
  }
  if (v.page) applyPage(true);
  if (fromUser) post({ type: MessageType.ViewChanged, view: state.view });
  scheduleRendered();
}

/** Where an element is on screen (the UI test checks the verdict is above the fold). */
function rectOf(e: Element): { top: number; bottom: number; viewportHeight: number } {
  const r = e.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, viewportHeight: window.innerHeight };
}

function summarize(): RenderSummary {
  return {
    seq: state.seq,
    status: state.error || !state.payload ? 'error' : 'profile',
    error: state.error?.message,
    shown: panels.map((p) => p.summary.id),
    heatmap: state.view.heatmap,
    targets: panels.map((p) => p.summary),
    layerRows: table?.rows ?? 0,
    charts: panels.reduce((a, p) => a + (p.charts?.count ?? 0), 0),
    selectedLayer: state.selected,
    measuredRows,
    measured: measuredSummary(slots.measured),
    scriptsAdded: document.querySelectorAll('script').length - bootScripts,
    foreignAdded: document.querySelectorAll(FOREIGN).length - bootForeign,
    layerNamesShown: [...slots.table.querySelectorAll('td.name')].slice(0, 50).map((td) => td.textContent ?? ''),
    summaryText: slots.summary.textContent ?? '',
    verdictText: slots.verdict.textContent ?? '',
    verdictRect: rectOf(slots.verdict.querySelector('.verdict-sentence') ?? slots.verdict),
    errorText: state.error ? (slots.error.textContent ?? '') : undefined,
    graph: graphView.summary(),
  };
}

let renderedTimer = 0;
/** Reports after the browser has laid out and painted (two frames) and the work left for after the first paint is done, so charts, tables and canvases exist. */
function scheduleRendered(): void {
  cancelAnimationFrame(renderedTimer);
  renderedTimer = requestAnimationFrame(() => {
    renderedTimer = requestAnimationFrame(() => {
      if (paintPending()) afterPaint(scheduleRendered);
      else post({ type: MessageType.Rendered, summary: summarize() });
    });
  });
}

function setBusy(busy: boolean, label?: string): void {
  state.busy = busy;
  clear(slots.busy);
  slots.busy.hidden = !busy;
  app.setAttribute('aria-busy', busy ? 'true' : 'false');
  if (busy) {
    slots.busy.append(
      h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
      label ?? 'Profiling…',
      ' ',
      h('button', { on: { click: () => post({ type: MessageType.Cancel }) } }, 'Cancel'),
    );
  }
}

async function onMessage(m: ToWebviewMessage): Promise<FromWebviewMessage | undefined> {
  switch (m.type) {
    case MessageType.Profile:
      state.seq = m.seq;
      state.knobs = m.knobs;
      state.choices = m.choices;
      if (m.result.ok) {
        state.payload = m.result.profile;
        state.error = undefined;
        const ids = (state.payload.report.targets ?? []).map((t) => t.id);
        const shown = state.view.shown.filter((s) => ids.includes(reportIdOf(s)));
        state.view = { ...state.view, shown: shown.length ? shown : ids.slice(0, 1).map(choiceIdOf) };
        if (state.selected !== null && !state.payload.report.layers.some((l) => l.name === state.selected))
          state.selected = null;
      } else {
        state.payload = undefined;
        state.error = m.result.error;
      }
      renderAll();
      return undefined;
    case MessageType.Busy:
      setBusy(m.busy, m.label);
      return undefined;
    case MessageType.SetView:
      setView(m.view, false);
      return undefined;
    case MessageType.SelectLayer:
      select(m.layer);
      return undefined;
    case MessageType.Measured:
      state.measured = m;
      if (state.payload) {
        renderTargets();
        renderTables();
        graphView.setProfile(state.seq, state.payload, state.measured, state.view.shown);
        scheduleRendered();
      }
      return undefined;
    case MessageType.CaptureRequest: {
      const images: Record<string, string> = {};
      for (const t of targetsOf()) {
        const url = state.payload ? captureTarget(t, state.payload.report, heatHost) : undefined;
        if (url) images[t.id] = url;
      }
      return { type: MessageType.CaptureResponse, images };
    }
    case MessageType.InspectRequest:
      flushAfterPaint();
      return { type: MessageType.InspectResponse, summary: summarize() };
    default:
      return undefined;
  }
}

const channel = new MessageHandler<FromWebviewMessage, ToWebviewMessage>((m) => vscode.postMessage(m), onMessage);
window.addEventListener('message', (e: MessageEvent<ToWebviewMessage>) => void channel.receive(e.data));

// theme switches change the body's classes: re-read the colours and redraw
new MutationObserver(() => {
  theme = readTheme();
  if (state.payload) renderAll();
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

async function boot(): Promise<void> {
  clear(app);
  // the answer first (verdict, the dims it assumes, the chosen target's heatmap), then the details: the
  // model summary, the knobs, a measured profile and the layer table
  app.append(
    slots.verdict,
    slots.dims,
    slots.busy,
    slots.error,
    slots.picker,
    pages,
    slots.targets,
    graphView.element,
    slots.summary,
    slots.controls,
    slots.measured,
    slots.table,
  );
  const r = await channel.request<ReadyResponseMessage>({ type: MessageType.Ready });
  state.fileName = r.fileName;
  app.dataset.file = r.fileName;
  state.knobs = r.knobs;
  state.choices = r.choices;
  state.view = { ...r.view, heatmap: persisted.heatmap ?? r.view.heatmap, page: r.view.page ?? state.view.page };
  applyPage();
  if (state.view.heatmap !== r.view.heatmap) post({ type: MessageType.ViewChanged, view: state.view });
}

void boot();
