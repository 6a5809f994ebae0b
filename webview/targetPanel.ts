// One target's column: the heatmap (placement / memory fit / step time) and its legend first, then the
// headline numbers, the charts and the mapper's notes. A target the engine could not compute shows why, nothing else.
import { computedTargets, isTargetError, type TargetOutcome, type TargetResult } from '../src/engine/hardware/types';
import { budgetLines, costScale, figureLine } from '../src/report/comparison';
import type { Report } from '../src/engine/profile';
import type { HeatmapMode, TargetSummary } from '../src/shared/protocol';
import { placeOf, planSentence } from '../src/report/plan';
import { fmtBytes, fmtJoules, fmtRate, fmtSeconds } from '../src/report/units';
import { TargetCharts, type MeasuredPerLayer } from './charts';
import { h } from './dom';
import { GpuHeatmap } from './heatmap/gpu';
import { DeviceHeatmap } from './heatmap/device';
import { MODE_LABEL, type Heatmap, type HeatmapHost } from './heatmap/types';
import { WaferHeatmap } from './heatmap/wafer';
import { css, ramp, type Theme } from './theme';

/** A computed target (the engine's isTargetError, negated for filters). */
export function isComputed(t: TargetOutcome): t is TargetResult {
  return !isTargetError(t);
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** What the mapper's energyJoulesPerStep counts (wafer/streaming.ts, gpu/mapper.ts, device/mapper.ts). */
const energyBasis = (t: TargetResult): string =>
  t.kind === 'wafer'
    ? '(CS system power; compared adds the cluster support)'
    : t.kind === 'gpu-cluster'
      ? '(busy GPUs at TDP; compared counts whole nodes)'
      : '(the device at TDP)';

const legendKind = (t: TargetResult): 'wafer' | 'gpu' | 'device' =>
  t.grid?.kind === 'wafer' ? 'wafer' : t.grid?.kind === 'device' ? 'device' : 'gpu';

function legend(mode: HeatmapMode, theme: Theme, kind: 'wafer' | 'gpu' | 'device'): HTMLElement {
  if (mode === 'placement') {
    return h(
      'p',
      { class: 'legend' },
      kind === 'wafer'
        ? 'Colour: the kernel (layer) that owns each core; grey: unused cores. Hover a core for its layer; click to select.'
        : kind === 'gpu'
          ? 'Colour: the pipeline stage of each GPU; grey: GPUs the plan leaves idle. Hover a GPU for its stage; click to select its main layer.'
          : 'One device runs the layers in turn: each segment is a layer, as wide as its share of the step, coloured by what bounds it (blue compute, orange memory, purple dispatch latency). Hover for its roofline; click to select.',
    );
  }
  const bar = h('span', { class: 'ramp' });
  for (let i = 0; i <= 10; i++) {
    const sw = h('span', { class: 'swatch' });
    sw.style.background = css(ramp(i / 10, theme));
    bar.append(sw);
  }
  const over = h('span', { class: 'swatch' });
  over.style.background = css(theme.error);
  return h(
    'p',
    { class: 'legend' },
    mode === 'memory' ? 'memory use vs capacity 0% ' : 'busy 0% ',
    bar,
    ' 100%',
    mode === 'memory' ? h('span', {}, '  ', over, ' over capacity') : null,
  );
}

export class TargetPanel {
  readonly element: HTMLElement;
  readonly summary: TargetSummary;
  heatmap: Heatmap | undefined;
  charts: TargetCharts | undefined;
  private readonly legendBox = h('div', { class: 'legend-box' });

  constructor(
    readonly entry: TargetOutcome,
    report: Report,
    private readonly host: HeatmapHost,
    mode: HeatmapMode,
    measured: MeasuredPerLayer,
  ) {
    if (!isComputed(entry)) {
      this.summary = { id: entry.id, status: 'not-computed', reason: entry.error, cellsDrawn: 0, heatmaps: [] };
      this.element = h(
        'section',
        { class: 'target not-computed', attrs: { 'data-target': entry.id, 'aria-label': `${entry.id}: not computed` } },
        h('h2', {}, entry.id),
        h('p', { class: 'not-computed-label' }, 'Not computed'),
        h('p', { class: 'reason' }, entry.error),
      );
      return;
    }
    const t = entry;
    const where =
      t.kind === 'wafer'
        ? num(t.systems)
          ? placeOf(t)
          : null
        : t.kind === 'gpu-cluster'
          ? num(t.nodes)
            ? placeOf(t)
            : null
          : placeOf(t);
    const facts: [string, string][] = [
      ['step', num(t.stepSeconds) ? fmtSeconds(t.stepSeconds) : 'not computed'],
      [
        'throughput',
        t.throughput && num(t.throughput.value) ? fmtRate(t.throughput.value, t.throughput.unit) : 'not computed',
      ],
      [
        'memory',
        t.memory && num(t.memory.usedBytes) && num(t.memory.capacityBytes)
          ? `${fmtBytes(t.memory.usedBytes)} of ${fmtBytes(t.memory.capacityBytes)}`
          : 'not computed',
      ],
      ['execution', [t.execution, where].filter(Boolean).join(', ') || '—'],
    ];
    if (t.parallelism && Object.keys(t.parallelism).length) facts.push(['plan', planSentence(t)]);
    // the mapper's energy counts the accelerators only; say so, since 'compared' above counts whole nodes/systems
    if (num(t.energyJoulesPerStep))
      facts.push(['energy', `${fmtJoules(t.energyJoulesPerStep)}/step ${energyBasis(t)}`]);
    // the figures the comparison puts on one basis, side by side in both panels
    const scale = costScale(computedTargets(report.targets));
    facts.unshift(['compared', figureLine(t, scale)]);
    for (const b of budgetLines(t, scale)) facts.splice(1, 0, ['budget', b]);
    const dl = h('dl', { class: 'facts' });
    for (const [k, v] of facts) dl.append(h('dt', {}, k), h('dd', {}, v));
    this.element = h(
      'section',
      { class: 'target', attrs: { 'data-target': t.id, 'aria-label': `${t.name || t.id}` } },
      h(
        'h2',
        {},
        t.name || t.id,
        h('span', { class: 'muted' }, ` (${t.id})`),
        t.fits === false ? h('span', { class: 'badge error' }, 'does not fit') : null,
      ),
    );
    const heatmaps: HeatmapMode[] = [];
    if (
      t.kind === 'wafer' &&
      t.grid?.kind === 'wafer' &&
      num(t.grid.width) &&
      num(t.grid.height) &&
      Array.isArray(t.grid.rects)
    ) {
      this.heatmap = new WaferHeatmap(t, t.grid, report, host);
    } else if (t.kind === 'gpu-cluster' && t.grid?.kind === 'gpu' && num(t.grid.nodes) && num(t.grid.gpusPerNode)) {
      this.heatmap = new GpuHeatmap(t, t.grid, report, host);
    } else if (t.kind === 'device' && t.grid?.kind === 'device' && Array.isArray(t.grid.share)) {
      this.heatmap = new DeviceHeatmap(t, t.grid, report, host);
    }
    if (this.heatmap) {
      heatmaps.push('placement', 'memory', 'time');
      this.heatmap.setMode(mode);
      this.element.append(h('h3', { class: 'heatmap-title' }, MODE_LABEL[mode]), this.legendBox, this.heatmap.element);
      this.legendBox.append(legend(mode, host.theme(), legendKind(t)));
    } else {
      this.element.append(
        h(
          'p',
          { class: 'not-computed-label' },
          'Heatmaps not computed: the mapper returned no placement grid for this target.',
        ),
      );
    }
    // the heatmap first (the answer's picture), then this target's figures, charts and notes
    this.element.append(dl);
    if (Array.isArray(t.layers) && t.layers.length) {
      this.charts = new TargetCharts(t, report, host, measured);
      this.element.append(this.charts.element);
    } else {
      this.element.append(h('p', { class: 'not-computed-label' }, 'Per-layer times not computed for this target.'));
    }
    if (Array.isArray(t.notes) && t.notes.length) {
      this.element.append(
        h(
          'details',
          { class: 'notes' },
          h('summary', {}, `Notes (${t.notes.length})`),
          h('ul', {}, ...t.notes.map((n) => h('li', {}, n))),
        ),
      );
    }
    if (t.kind === 'gpu-cluster' && Array.isArray(t.alternatives) && t.alternatives.length) {
      this.element.append(
        h(
          'details',
          { class: 'notes' },
          h('summary', {}, `Other plans (${t.alternatives.length})`),
          h(
            'ul',
            {},
            ...t.alternatives.map((a) =>
              h(
                'li',
                {},
                `${altPlan(a.parallelism)}: ${fmtSeconds(a.stepSeconds)}${a.fits ? '' : ', does not fit'} — ${a.why}`,
              ),
            ),
          ),
        ),
      );
    }
    this.summary = {
      id: t.id,
      status: 'computed',
      kind: t.kind,
      cellsDrawn: this.heatmap?.cells ?? 0,
      heatmaps,
      stepSeconds: num(t.stepSeconds) ? t.stepSeconds : undefined,
      fits: t.fits,
    };
  }

  setMode(mode: HeatmapMode): void {
    if (!this.heatmap || !isComputed(this.entry)) return;
    this.heatmap.setMode(mode);
    const title = this.element.querySelector('.heatmap-title');
    if (title) title.textContent = MODE_LABEL[mode];
    this.legendBox.replaceChildren(legend(mode, this.host.theme(), legendKind(this.entry)));
  }

  /** Redraws for a new selection or theme. */
  refresh(): void {
    this.heatmap?.render();
    this.charts?.update();
  }

  dispose(): void {
    this.heatmap?.dispose();
    this.charts?.dispose();
    this.element.remove();
  }
}

/** The three heatmaps of a computed target side by side with their titles, as one PNG data URL (HTML report). */
export function captureTarget(entry: TargetOutcome, report: Report, host: HeatmapHost): string | undefined {
  if (!isComputed(entry)) return undefined;
  const t = entry;
  let hm: Heatmap | undefined;
  if (t.kind === 'wafer' && t.grid?.kind === 'wafer' && Array.isArray(t.grid.rects))
    hm = new WaferHeatmap(t, t.grid, report, host);
  else if (t.kind === 'gpu-cluster' && t.grid?.kind === 'gpu') hm = new GpuHeatmap(t, t.grid, report, host);
  if (!hm) return undefined;
  try {
    const theme = host.theme();
    const modes: HeatmapMode[] = ['placement', 'memory', 'time'];
    const shots = modes.map((m) => hm!.snapshot(m, 420));
    const pad = 12,
      title = 22;
    const c = document.createElement('canvas');
    c.width = shots.reduce((a, s) => a + s.width, 0) + pad * (shots.length + 1);
    c.height = Math.max(...shots.map((s) => s.height)) + title + pad * 2;
    const ctx = c.getContext('2d');
    if (!ctx) return undefined;
    ctx.fillStyle = css(theme.bg);
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.fillStyle = css(theme.fg);
    ctx.font = `13px ${theme.font}`;
    let x = pad;
    shots.forEach((s, i) => {
      ctx.fillText(`${t.name || t.id}: ${MODE_LABEL[modes[i]]}`, x, pad + 13);
      ctx.drawImage(s, x, pad + title);
      x += s.width + pad;
    });
    return c.toDataURL('image/png');
  } finally {
    hm.dispose();
  }
}

/** A runner-up plan of the GPU search, in words ("TP 4, PP 2, DP 8, selective recompute"). */
function altPlan(p: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of ['tp', 'pp', 'dp'] as const) if (typeof p[k] === 'number') parts.push(`${k.toUpperCase()} ${p[k]}`);
  if (typeof p.microbatch === 'number') parts.push(`microbatch ${p.microbatch}`);
  if (typeof p.recompute === 'string' && p.recompute !== 'none') parts.push(`${p.recompute} recompute`);
  if (typeof p.zero === 'number' && p.zero > 0) parts.push(`ZeRO-${p.zero}`);
  return parts.join(', ') || 'alternative plan';
}
