// The graph page of the profile editor: a toolbar (overlay, target, search, fit, zoom, expand/collapse all),
// the legend, the canvas and the properties panel. Asks the host for the graph (GraphRequest) the first time
// it is shown and again after each new profile; keeps the expanded blocks, the overlay and the focus across.
// Selection is the editor's one layer selection: clicking a node selects its fused layer in the heatmaps,
// table, charts and text view, and a layer selected there is outlined here.
// Keyboard (canvas focused): arrows move between boxes (Up/Down follow edges, Left/Right the same rank),
// Enter selects a node or expands/collapses a block, + / - zoom, 0 fits, / searches, Escape clears.
import type { TargetResult } from '../../src/engine/hardware/types';
import type { GraphPayload, TensorValuesResult } from '../../src/shared/graph';
import {
  MessageType,
  type FromWebviewMessage,
  type GraphResponseMessage,
  type GraphSummary,
  type MeasuredMessage,
  type ProfilePayload,
  type TensorValuesResponseMessage,
  type ToWebviewMessage,
} from '../../src/shared/protocol';
import { clear, h, shortName } from '../dom';
import { css, type Theme } from '../theme';
import type { TooltipContent } from '../tooltip';
import { GraphCanvas } from './canvas';
import { describeBlock, describeIo, describeNode } from './describe';
import { ancestors, buildHierarchy, initialExpansion, nameRuns, type Group, type Hierarchy } from './hierarchy';
import { FRAME_HEADER, GraphLayout, type Item, type Scene } from './layout';
import {
  aggregate,
  colorOf,
  legendOf,
  OVERLAY_LABEL,
  scaleOf,
  targetFacts,
  type Aggregate,
  type OverlayKind,
  type Scale,
  type TargetFacts,
} from './overlay';
import { PropertiesPanel } from './properties';

export interface GraphHost {
  theme(): Theme;
  /** the selected layer's name */
  selected(): string | null;
  select(layer: string | null): void;
  hover(c: TooltipContent | null, clientX: number, clientY: number): void;
  request<R extends ToWebviewMessage>(m: FromWebviewMessage): Promise<R>;
  /** something on screen changed (the page reports Rendered) */
  changed(): void;
}

/** most nodes "Expand all" lays out at once */
const EXPAND_ALL_MAX = 5000;

interface Loaded {
  graph: GraphPayload;
  h: Hierarchy;
  layout: GraphLayout;
  /** per lowercased op type and name, for search */
  lowerNames: string[];
}

export class GraphView {
  readonly element: HTMLElement;
  private readonly toolbar: HTMLElement;
  private readonly legend = h('div', { class: 'graph-legend', id: 'graph-legend' });
  private readonly status = h('div', { class: 'graph-status', attrs: { 'aria-live': 'polite' } });
  private readonly stage = h('div', { class: 'graph-stage' });
  private readonly side = h('div', { class: 'graph-side' });
  private readonly canvas: GraphCanvas;
  private readonly overlaySelect: HTMLSelectElement;
  private readonly targetSelect: HTMLSelectElement;
  private readonly search: HTMLInputElement;
  private props: PropertiesPanel | undefined;
  private payload: ProfilePayload | undefined;
  private measured: Map<string, number> | undefined;
  private loaded: Loaded | undefined;
  private loadedSeq = -1;
  private seq = -1;
  private loading: Promise<void> | undefined;
  private error: string | undefined;
  private scene: Scene | undefined;
  private open = new Set<string>();
  private overlay: OverlayKind = 'time';
  private targetId: string | null = null;
  private facts: TargetFacts[] = [];
  private aggs: (Aggregate | undefined)[] = [];
  private scale: Scale = { lo: 0, hi: 0 };
  private focusKey: string | null = null;
  private matches: number[] = [];
  private matchItems = new Set<number>();
  private matchCursor = -1;
  private selItems = new Set<number>();
  private layoutMs = 0;
  private visible = false;
  private readonly resize: ResizeObserver;

  constructor(private readonly host: GraphHost) {
    this.canvas = new GraphCanvas({
      theme: () => host.theme(),
      fill: (it) => this.fillOf(it),
      labels: (it) => this.labelsOf(it),
      title: (it) => this.describe(it).title,
      selected: (it) => this.selItems.has(this.indexOf(it)),
      matched: (it) => this.matchItems.has(this.indexOf(it)),
      focused: () => this.focusKey,
      hover: (it, x, y) => host.hover(it ? this.describe(it) : null, x, y),
      click: (it, e) => this.activate(it, false, e),
      dblclick: (it) => this.activate(it, true),
    });
    this.canvas.canvas.setAttribute('role', 'img');
    this.canvas.canvas.setAttribute(
      'aria-label',
      'Model graph. Arrow keys move between boxes, Enter selects a node or expands a block, plus and minus zoom, 0 fits, slash searches.',
    );
    this.canvas.canvas.addEventListener('keydown', (e) => this.key(e));
    this.canvas.canvas.addEventListener('blur', () => host.hover(null, 0, 0));
    this.overlaySelect = h('select', {
      attrs: { 'aria-label': 'Colour the graph by', 'data-graph-overlay': '' },
      on: { change: () => this.setOverlay(this.overlaySelect.value as OverlayKind) },
    });
    this.targetSelect = h('select', {
      attrs: { 'aria-label': 'Target the overlay shows', 'data-graph-target': '' },
      on: {
        change: () => {
          this.targetId = this.targetSelect.value || null;
          this.recolor();
        },
      },
    });
    this.search = h('input', {
      attrs: {
        type: 'search',
        placeholder: 'Search name or op type',
        'aria-label': 'Search nodes by name or op type (Enter: next match)',
        'data-graph-search': '',
      },
      on: {
        input: () => this.setSearch(this.search.value),
        keydown: (e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            this.nextMatch(e.shiftKey ? -1 : 1);
          } else if (e.key === 'Escape') {
            this.search.value = '';
            this.setSearch('');
            this.canvas.canvas.focus();
          }
        },
      },
    });
    const btn = (label: string, title: string, act: string, fn: () => void) =>
      h('button', { class: 'icon-button', title, attrs: { 'data-graph-action': act }, on: { click: fn } }, label);
    this.toolbar = h(
      'div',
      { class: 'graph-toolbar row' },
      h('label', { class: 'field' }, h('span', {}, 'Colour by'), this.overlaySelect),
      h('label', { class: 'field' }, h('span', {}, 'Target'), this.targetSelect),
      this.search,
      btn('Next', 'Next match (Enter in the search box)', 'next', () => this.nextMatch(1)),
      h('span', { class: 'spacer' }),
      btn('+', 'Zoom in (+)', 'zoom-in', () => this.zoom(1.5)),
      btn('−', 'Zoom out (-)', 'zoom-out', () => this.zoom(1 / 1.5)),
      btn('Fit', 'Fit the graph (0)', 'fit', () => {
        this.canvas.fit();
        this.canvas.draw();
      }),
      btn('Expand all', 'Expand every block', 'expand-all', () => this.expandAll()),
      btn('Collapse', 'Collapse to the first view', 'collapse-all', () => this.collapseAll()),
    );
    this.stage.append(this.canvas.canvas);
    this.side.append(this.legend);
    this.element = h(
      'section',
      { class: 'graph-view', id: 'graph-view', attrs: { 'aria-label': 'Graph', hidden: true } },
      this.toolbar,
      this.status,
      h('div', { class: 'graph-body' }, this.stage, this.side),
    );
    this.resize = new ResizeObserver(() => {
      if (this.visible && this.canvas.resize(this.stage.clientWidth, this.stage.clientHeight)) {
        if (this.scene && this.canvas.view.s === 1 && this.canvas.view.tx === 0) this.canvas.fit(true);
        this.canvas.draw();
      }
    });
    this.resize.observe(this.stage);
    this.fillOverlays();
  }

  private indexOf(it: Item): number {
    return (it as Item & { index?: number }).index ?? -1;
  }

  /** A new profile (or measured overlay): the overlays follow; the graph is fetched again when shown. */
  setProfile(seq: number, payload: ProfilePayload | undefined, measured: MeasuredMessage | undefined, shown: string[]) {
    this.payload = payload;
    this.seq = seq;
    this.measured = measured ? new Map(measured.nodes.map((n) => [n.name, n.seconds])) : undefined;
    const computed = this.targets();
    if (!this.targetId || !computed.some((t) => t.id === this.targetId))
      this.targetId = shown.find((id) => computed.some((t) => t.id === id)) ?? computed[0]?.id ?? null;
    this.fillOverlays();
    if (!payload) {
      this.loaded = undefined;
      this.scene = undefined;
    }
    if (this.visible) void this.ensure().then(() => this.recolor());
  }

  private targets(): TargetResult[] {
    return ((this.payload?.report.targets ?? []) as (TargetResult | { error: string })[]).filter(
      (t): t is TargetResult => !('error' in t),
    );
  }

  private fillOverlays(): void {
    clear(this.overlaySelect);
    const kinds: OverlayKind[] = ['time', 'bound', 'memory', 'placement', 'flops', 'params', 'op'];
    if (this.measured) kinds.push('measured');
    if (!kinds.includes(this.overlay)) this.overlay = 'time';
    for (const k of kinds)
      this.overlaySelect.append(h('option', { attrs: { value: k, selected: k === this.overlay } }, OVERLAY_LABEL[k]));
    this.overlaySelect.value = this.overlay;
    clear(this.targetSelect);
    for (const t of this.targets())
      this.targetSelect.append(h('option', { attrs: { value: t.id, selected: t.id === this.targetId } }, t.id));
    if (!this.targets().length) this.targetSelect.append(h('option', { attrs: { value: '' } }, 'no target profiled'));
    this.targetSelect.value = this.targetId ?? '';
  }

  setVisible(v: boolean): void {
    this.visible = v;
    this.element.hidden = !v;
    if (!v) return;
    this.canvas.resize(this.stage.clientWidth, this.stage.clientHeight);
    void this.ensure();
    this.canvas.draw();
  }

  get shown(): boolean {
    return this.visible;
  }

  /** Fetches the graph when missing or older than the profile, then lays it out and draws. */
  private ensure(): Promise<void> {
    if (!this.payload) return Promise.resolve();
    if (this.loaded && this.loadedSeq === this.seq) {
      if (!this.scene) this.relayout(true);
      return Promise.resolve();
    }
    if (this.loading) return this.loading;
    const seq = this.seq;
    this.status.textContent = 'Reading the graph…';
    this.error = undefined;
    this.loading = this.host
      .request<GraphResponseMessage>({ type: MessageType.GraphRequest })
      .then((r) => {
        this.loading = undefined;
        if (!r.result.ok) {
          this.error = r.result.error.message;
          this.status.textContent = `The graph could not be read: ${r.result.error.problem}`;
          this.host.changed();
          return;
        }
        this.load(r.result.graph, seq);
        if (this.seq !== seq && this.visible) void this.ensure();
      })
      .catch((e: Error) => {
        this.loading = undefined;
        this.error = e.message;
        this.status.textContent = `The graph could not be read: ${e.message}`;
      });
    return this.loading;
  }

  /** Builds the hierarchy and draws the first view (or keeps the blocks expanded before, on a re-profile). */
  load(graph: GraphPayload, seq: number): void {
    const hier = buildHierarchy(graph);
    nameRuns(hier, (i) => shortName(graph.nodes[i].name, 24));
    const first = !this.loaded;
    const keep = new Set([...this.open].filter((id) => hier.groups.has(id)));
    this.loaded = {
      graph,
      h: hier,
      layout: new GraphLayout(graph, hier),
      lowerNames: graph.nodes.map((n) => `${n.name}\u0000${n.opType}`.toLowerCase()),
    };
    this.loadedSeq = seq;
    this.open = first || !keep.size ? initialExpansion(hier) : keep;
    this.props = new PropertiesPanel(graph, this.payload!.report, {
      tensorValues: (name) => this.tensorValues(name),
      focusNode: (i) => this.revealNode(i, false),
    });
    clear(this.side);
    this.side.append(this.legend, this.props.element);
    this.relayout(first);
    if (this.search.value) this.setSearch(this.search.value);
  }

  private async tensorValues(name: string): Promise<TensorValuesResult> {
    const r = await this.host.request<TensorValuesResponseMessage>({ type: MessageType.TensorValuesRequest, name });
    return r.result;
  }

  /** Lays out the expanded blocks, recolours and draws; `fit` frames the whole graph. */
  private relayout(fit: boolean): void {
    const L = this.loaded;
    if (!L) return;
    const t0 = performance.now();
    this.scene = L.layout.scene(this.open);
    this.scene.items.forEach((it, k) => ((it as Item & { index?: number }).index = k));
    this.layoutMs = performance.now() - t0;
    this.canvas.scene = this.scene;
    this.canvas.resize(this.stage.clientWidth, this.stage.clientHeight);
    if (fit) this.canvas.fit(true);
    this.recolor(false);
    this.updateMatches();
    this.updateSelection(false);
    this.canvas.draw();
    this.canvas.canvas.dataset.items = String(this.scene.items.length);
    const blocks = this.scene.items.filter((i) => i.kind === 'block').length;
    const nodes = this.scene.items.filter((i) => i.kind === 'node').length;
    this.status.textContent = `${L.graph.nodes.length} nodes: ${blocks} collapsed block(s) and ${nodes} node(s) shown, ${this.scene.edges.length} edges. Click a block to expand it; click a node to select its layer everywhere.`;
    this.host.changed();
  }

  private facts0(): TargetFacts | undefined {
    return this.facts.find((f) => f.target.id === this.targetId) ?? this.facts[0];
  }

  /** Recomputes every box's aggregate and the overlay's scale. */
  private recolor(draw = true): void {
    const L = this.loaded;
    const sc = this.scene;
    if (!L || !sc || !this.payload) return;
    const report = this.payload.report;
    // the selected target first: the tooltip lists it first and the overlay colours by it
    const ts = this.targets();
    const sel = ts.find((t) => t.id === this.targetId);
    this.facts = (sel ? [sel, ...ts.filter((t) => t !== sel)] : ts).map((t) => targetFacts(L.graph, report, t));
    const f = this.facts0();
    this.aggs = sc.items.map((it) =>
      it.kind === 'node'
        ? aggregate([it.node!], L.graph, f, this.measured)
        : it.kind === 'block'
          ? aggregate(it.group!.nodes, L.graph, f, this.measured)
          : undefined,
    );
    this.scale = scaleOf(
      this.overlay,
      this.aggs.filter((a): a is Aggregate => !!a),
    );
    this.renderLegend();
    if (draw) {
      this.canvas.draw();
      this.host.changed();
    }
  }

  private renderLegend(): void {
    const theme = this.host.theme();
    const ops = new Map<string, number>();
    for (const a of this.aggs) if (a) for (const [op, c] of a.ops) ops.set(op, (ops.get(op) ?? 0) + c);
    const shownOps = [...ops.entries()].sort((a, b) => b[1] - a[1]).map(([op]) => op);
    const { entries, note } = legendOf(this.overlay, this.scale, theme, this.facts0(), shownOps);
    clear(this.legend);
    const list = h('ul', { class: 'legend-entries' });
    for (const e of entries) {
      const sw = h('span', { class: 'swatch' });
      sw.style.background = css(e.color);
      list.append(h('li', {}, sw, ' ', e.label));
    }
    this.legend.append(h('h3', {}, OVERLAY_LABEL[this.overlay]), list, h('p', { class: 'muted' }, note));
  }

  private mainOp(a: Aggregate): string | undefined {
    let best: string | undefined,
      c = -1;
    for (const [op, n] of a.ops) if (n > c) [best, c] = [op, n];
    return best;
  }

  private fillOf(it: Item) {
    const a = this.aggs[this.indexOf(it)];
    return a ? colorOf(this.overlay, a, this.scale, this.host.theme(), this.mainOp(a)) : null;
  }

  private labelsOf(it: Item): [string, string] {
    const L = this.loaded!;
    if (it.kind === 'node') {
      const n = L.graph.nodes[it.node!];
      return [n.opType, n.unnamed ? '' : shortName(n.name, 26)];
    }
    if (it.kind === 'input' || it.kind === 'output') {
      const ts = it.tensors!;
      const name = ts.length === 1 ? L.graph.tensors[ts[0]].name : `${ts.length} graph ${it.kind}s`;
      return [`${it.kind === 'input' ? '▸' : '◂'} ${name}`, ''];
    }
    const g = it.group!;
    if (it.kind === 'frame') return [`${g.label} (${g.nodes.length})`, ''];
    return [`▸ ${g.label}`, `${g.nodes.length} nodes`];
  }

  private describe(it: Item): TooltipContent {
    const L = this.loaded!;
    const report = this.payload!.report;
    if (it.kind === 'node') return describeNode(L.graph, report, it.node!, this.facts, this.measured);
    if (it.kind === 'input' || it.kind === 'output') return describeIo(L.graph, it.tensors!, it.kind);
    return describeBlock(L.graph, it.group!, this.facts, this.measured);
  }

  setOverlay(k: OverlayKind): void {
    this.overlay = k;
    this.overlaySelect.value = k;
    this.recolor();
  }

  private zoom(f: number): void {
    this.canvas.zoomAt(f);
    this.canvas.draw();
  }

  private toggle(g: Group): void {
    const L = this.loaded!;
    if (this.open.has(g.id)) {
      for (const id of [...this.open]) if (id === g.id || id.startsWith(`${g.id}/`)) this.open.delete(id);
    } else this.open.add(g.id);
    L.layout.invalidate([g.id]);
    const before = this.scene?.byKey.get(`g${g.id}`);
    const keep = before ? this.canvas.clientCentre(before) : undefined;
    this.relayout(false);
    // keep the toggled block where it was on screen
    const after = this.scene?.byKey.get(`g${g.id}`);
    if (keep && after) {
      const now = this.canvas.clientCentre(after);
      this.canvas.pan(keep.x - now.x, keep.y - now.y);
      this.canvas.draw();
    }
    this.focusKey = `g${g.id}`;
  }

  /** Expands a block (by id); false when there is none. For tests and commands. */
  expand(id: string): boolean {
    const g = this.loaded?.h.groups.get(id);
    if (!g || this.open.has(id)) return !!g;
    this.toggle(g);
    return true;
  }

  expandAll(): void {
    const L = this.loaded;
    if (!L) return;
    if (L.graph.nodes.length > EXPAND_ALL_MAX) {
      this.status.textContent = `${L.graph.nodes.length} nodes: too many to expand all at once (over ${EXPAND_ALL_MAX}); expand blocks one by one.`;
      return;
    }
    this.open = new Set(L.h.groups.keys());
    L.layout.invalidate(this.open);
    this.relayout(true);
  }

  collapseAll(): void {
    const L = this.loaded;
    if (!L) return;
    L.layout.invalidate(this.open);
    this.open = initialExpansion(L.h);
    L.layout.invalidate(this.open);
    this.relayout(true);
  }

  private activate(it: Item | null, dbl: boolean, e?: MouseEvent): void {
    if (!it) return;
    this.focusKey = it.key;
    if (it.kind === 'block' || (it.kind === 'frame' && (dbl || (e && this.onHeader(it, e))))) {
      this.toggle(it.group!);
      if (it.kind === 'block') this.props?.showBlock(it.group!);
    } else if (it.kind === 'node') {
      const n = this.loaded!.graph.nodes[it.node!];
      const layer = n.layer >= 0 ? this.payload!.report.layers[n.layer].name : null;
      this.props?.showNode(it.node!);
      this.host.select(layer);
    } else if (it.kind === 'frame') this.props?.showBlock(it.group!);
    this.canvas.draw();
    this.host.changed();
  }

  /** A click on an expanded block's header row (its label) collapses it; elsewhere inside, it only focuses. */
  private onHeader(it: Item, e: MouseEvent): boolean {
    const r = this.canvas.canvas.getBoundingClientRect();
    const v = this.canvas.view;
    const y = (e.clientY - r.top - v.ty) / v.s;
    return y >= it.y && y < it.y + FRAME_HEADER;
  }

  /** The layer selection changed (here or in another view): outline its nodes and the blocks holding them. */
  updateSelection(draw = true): void {
    this.selItems.clear();
    const sc = this.scene;
    const L = this.loaded;
    const name = this.host.selected();
    if (!sc || !L || !this.payload || name === null) {
      if (draw) this.canvas.draw();
      return;
    }
    const li = this.payload.report.layers.findIndex((l) => l.name === name);
    let first: Item | undefined;
    L.graph.nodes.forEach((n, i) => {
      if (n.layer !== li || li < 0) return;
      const k = sc.repOf[i];
      if (k >= 0) {
        this.selItems.add(k);
        first ??= sc.items[k];
      }
    });
    if (draw) {
      if (first && this.visible) this.canvas.keepInView(first);
      this.canvas.draw();
    }
  }

  private setSearch(q: string): void {
    const L = this.loaded;
    this.matches = [];
    this.matchCursor = -1;
    const s = q.trim().toLowerCase();
    if (L && s) L.lowerNames.forEach((n, i) => !L.h.hidden.has(i) && n.includes(s) && this.matches.push(i));
    this.updateMatches();
    this.canvas.draw();
    this.host.changed();
  }

  private updateMatches(): void {
    this.matchItems.clear();
    const sc = this.scene;
    if (sc) for (const i of this.matches) if (sc.repOf[i] >= 0) this.matchItems.add(sc.repOf[i]);
    const q = this.search.value.trim();
    if (q)
      this.status.textContent = `${this.matches.length} node(s) match “${q}”${this.matches.length ? ' (Enter: next)' : ''}`;
  }

  private nextMatch(dir: 1 | -1): void {
    if (!this.matches.length) return;
    this.matchCursor = (this.matchCursor + dir + this.matches.length) % this.matches.length;
    this.revealNode(this.matches[this.matchCursor], true);
    this.status.textContent = `match ${this.matchCursor + 1} of ${this.matches.length}: ${this.loaded!.graph.nodes[this.matches[this.matchCursor]].name}`;
  }

  /** Expands the blocks around node i, centres it, focuses it and shows its properties. */
  revealNode(i: number, centre: boolean): void {
    const L = this.loaded;
    if (!L) return;
    const closed = ancestors(L.h, i).filter((g) => !this.open.has(g.id));
    for (const g of closed) this.open.add(g.id);
    if (closed.length) {
      L.layout.invalidate(closed.map((g) => g.id));
      this.relayout(false);
    }
    const it = this.scene!.byKey.get(`n${i}`);
    if (!it) return;
    this.focusKey = it.key;
    if (centre) this.canvas.reveal(it);
    else this.canvas.keepInView(it);
    this.props?.showNode(i);
    this.canvas.draw();
    this.host.changed();
  }

  /** Focus a box by key and show its tooltip (keyboard). */
  private focusItem(it: Item): void {
    this.focusKey = it.key;
    this.canvas.keepInView(it);
    this.canvas.draw();
    const c = this.canvas.clientCentre(it);
    this.host.hover(this.describe(it), c.x, c.y + it.h * this.canvas.view.s * 0.5);
    if (it.kind === 'node') this.props?.showNode(it.node!);
    else if (it.group) this.props?.showBlock(it.group);
    this.host.changed();
  }

  private neighbour(it: Item, key: string): Item | undefined {
    const sc = this.scene!;
    const k = this.indexOf(it);
    const boxes = sc.items.filter((x) => x.kind !== 'frame');
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      const down = key === 'ArrowDown';
      const next = sc.edges
        .filter(([a, b]) => (down ? a === k : b === k))
        .map(([a, b]) => sc.items[down ? b : a])
        .sort((p, q) => Math.abs(p.x - it.x) - Math.abs(q.x - it.x))[0];
      if (next) return next;
      // no edge: the nearest box below/above
      return boxes
        .filter((x) => (down ? x.y > it.y + it.h / 2 : x.y + x.h < it.y + it.h / 2))
        .sort(
          (p, q) => Math.abs(p.y - it.y) + Math.abs(p.x - it.x) / 4 - (Math.abs(q.y - it.y) + Math.abs(q.x - it.x) / 4),
        )[0];
    }
    const right = key === 'ArrowRight';
    const cy = it.y + it.h / 2;
    return boxes
      .filter((x) => x !== it && (right ? x.x > it.x : x.x < it.x) && Math.abs(x.y + x.h / 2 - cy) < 60)
      .sort((p, q) => Math.abs(p.x - it.x) - Math.abs(q.x - it.x))[0];
  }

  private key(e: KeyboardEvent): void {
    const sc = this.scene;
    if (!sc) return;
    const cur = (this.focusKey ? sc.byKey.get(this.focusKey) : undefined) ?? sc.items.find((x) => x.kind !== 'frame');
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
      case 'ArrowUp':
      case 'ArrowLeft':
      case 'ArrowRight': {
        if (!cur) break;
        const next = this.focusKey && sc.byKey.has(this.focusKey) ? this.neighbour(cur, e.key) : cur;
        if (next) this.focusItem(next);
        break;
      }
      case 'Enter':
      case ' ':
        if (cur) this.activate(cur, true);
        break;
      case '+':
      case '=':
        this.zoom(1.5);
        break;
      case '-':
        this.zoom(1 / 1.5);
        break;
      case '0':
        this.canvas.fit();
        this.canvas.draw();
        break;
      case '/':
        this.search.focus();
        break;
      case 'Escape':
        this.host.select(null);
        this.host.hover(null, 0, 0);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  summary(): GraphSummary | undefined {
    if (!this.visible && !this.loaded && !this.loading) return undefined;
    const sc = this.scene;
    return {
      state: this.error ? 'error' : sc ? 'shown' : 'loading',
      error: this.error,
      nodes: this.loaded?.graph.nodes.length ?? 0,
      items: sc ? sc.items.filter((i) => i.kind !== 'frame').length : 0,
      blocks: sc ? sc.items.filter((i) => i.kind === 'block').length : 0,
      edges: sc?.edges.length ?? 0,
      expanded: [...this.open].filter(Boolean).sort(),
      overlay: this.overlay,
      target: this.targetId,
      focused: this.focusKey
        ? this.focusKey.startsWith('n')
          ? (this.loaded?.graph.nodes[Number(this.focusKey.slice(1))]?.name ?? null)
          : this.focusKey.slice(1)
        : null,
      search: this.search.value,
      matches: this.matches.length,
      layoutMs: this.layoutMs,
      drawMs: this.canvas.drawMs,
    };
  }
}
