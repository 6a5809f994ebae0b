// One model behind one text view: the model IR, its printed text and line map (symbolic shapes, so the
// text does not depend on the settings), and the latest profile run with the settings' options.
// Pure: no LSP connection, so unit tests drive it directly.
import type { Graph, Model } from '../engine/onnx/ir';
import { forEachGraph } from '../engine/onnx/ir';
import { readModelFile } from '../engine/onnx/reader';
import { inferShapes } from '../engine/shapes/infer';
import type { Profile } from '../engine/profile';
import { ProfileCache } from '../engine/cache';
import { type RunOptions } from '../engine/options';
import type { TargetLayer, TargetResult } from '../engine/hardware/types';
import type { Layer } from '../engine/cost/layers';
import { printModel, type GraphSpan, type NodeRef, type PrintedModel } from '../textview/printer';

export interface TargetRow {
  target: TargetResult;
  /** per analysis layer, the target's row for it (undefined when the mapper gave none) */
  rows: (TargetLayer | undefined)[];
}

export interface ProfileRun {
  options: RunOptions;
  profile: Profile;
  /** targets that mapped, in the order of the settings */
  targets: TargetRow[];
  /** targets that failed (unknown id, bad spec file, mapper error) */
  targetErrors: { id: string; error: string }[];
  /** main-graph node index -> analysis layer index (-1: none) */
  nodeLayer: Int32Array;
  seconds: number;
}

export class ModelView {
  readonly printed: PrintedModel;
  readonly lines: string[];
  readonly graphsByPath = new Map<string, Graph>();
  readonly spansByPath = new Map<string, GraphSpan>();
  /** main-graph node index by node name (first occurrence) */
  readonly nodeByName = new Map<string, number>();
  /** main-graph node index by the tensor it produces */
  readonly producer = new Map<string, number>();
  run: ProfileRun | undefined;
  profileError: string | undefined;
  /** analyses of this model by bindings, mappings by target and options: a settings change that only moves
   * mapping knobs re-maps the affected targets without re-analysing */
  private readonly cache = new ProfileCache(1);

  constructor(
    readonly model: Model,
    title: string,
  ) {
    const shapes = inferShapes(model, { bindings: {} });
    this.printed = printModel(model, { shapes, title });
    this.lines = this.printed.text.split('\n');
    forEachGraph(model.graph, (g) => this.graphsByPath.set(g.path, g));
    for (const s of this.printed.graphs) if (!this.spansByPath.has(s.path)) this.spansByPath.set(s.path, s);
    model.graph.nodes.forEach((n, k) => {
      if (n.name && !this.nodeByName.has(n.name)) this.nodeByName.set(n.name, k);
      for (const o of n.outputs) if (o) this.producer.set(o, k);
    });
  }

  static load(file: string, title: string): ModelView {
    return new ModelView(readModelFile(file), title);
  }

  /** Runs the one pipeline with these options; a failure is kept as profileError (the text view still works). */
  profile(options: RunOptions): ProfileRun | undefined {
    const t0 = performance.now();
    try {
      const profile = this.cache.profileModel('view', this.model, options).profile;
      const layers = profile.analysis.layers;
      const nodeLayer = new Int32Array(this.model.graph.nodes.length).fill(-1);
      layers.forEach((l, li) => {
        for (const ni of l.nodeIndices) nodeLayer[ni] = li;
      });
      const targets: TargetRow[] = [];
      const targetErrors: { id: string; error: string }[] = [];
      for (const t of profile.report.targets ?? []) {
        if ('error' in t) targetErrors.push({ id: t.id, error: t.error });
        else targets.push({ target: t, rows: alignRows(layers, t.layers) });
      }
      this.run = { options, profile, targets, targetErrors, nodeLayer, seconds: (performance.now() - t0) / 1e3 };
      this.profileError = undefined;
    } catch (e) {
      this.run = undefined;
      this.profileError = (e as Error)?.message ?? String(e);
    }
    return this.run;
  }

  get layers(): Layer[] {
    return this.run?.profile.analysis.layers ?? [];
  }

  nodeName(index: number): string {
    const n = this.model.graph.nodes[index];
    return n.name || `${n.opType}_${index}`;
  }

  /** The line a layer's text starts on: the first of its nodes' statements in the text (-1 when none printed). */
  layerLine(layerIndex: number): number {
    const l = this.layers[layerIndex];
    if (!l) return -1;
    let best = -1;
    for (const ni of l.nodeIndices) {
      const line = this.printed.nodeLine[ni];
      if (line >= 0 && (best < 0 || line < best)) best = line;
    }
    return best;
  }

  layerIndexByName(name: string): number {
    return this.layers.findIndex((l) => l.name === name);
  }

  /** The node statement on a line, or the node that owns the subgraph the line is in. */
  nodeAt(line: number): NodeRef | undefined {
    const direct = this.printed.lineNode.get(line);
    if (direct) return direct;
    let inner: GraphSpan | undefined;
    for (const s of this.printed.graphs) {
      if (s.owner && s.line <= line && line <= s.end && (!inner || s.depth > inner.depth)) inner = s;
    }
    return inner?.owner;
  }

  /** The main-graph node a reference belongs to (itself, or the node whose subgraph holds it). */
  mainNodeOf(ref: NodeRef | undefined): number | undefined {
    let r = ref;
    for (let guard = 0; r && guard < 64; guard++) {
      if (r.graph === 'main') return r.index;
      r = this.spansByPath.get(r.graph)?.owner;
    }
    return undefined;
  }

  /** The analysis layer a text line belongs to. */
  layerAt(line: number): number | undefined {
    const ni = this.mainNodeOf(this.nodeAt(line));
    if (ni === undefined || !this.run) return undefined;
    const li = this.run.nodeLayer[ni];
    return li >= 0 ? li : undefined;
  }

  /** The line of a node statement in any graph (by graph path and node name), for diagnostics. */
  lineOfNode(name: string, graphPath?: string): number {
    if (!graphPath || graphPath === 'main') {
      const k = this.nodeByName.get(name);
      return k === undefined ? -1 : this.printed.nodeLine[k];
    }
    const g = this.graphsByPath.get(graphPath);
    const lines = this.printed.subgraphNodeLines.get(graphPath);
    if (!g || !lines) return -1;
    const k = g.nodes.findIndex((n) => n.name === name);
    return k < 0 ? -1 : lines[k];
  }

  /** The line where a main-graph tensor is declared or produced. */
  lineOfTensor(name: string): number {
    const decl = this.printed.declLine.get(name);
    if (decl !== undefined) return decl;
    const k = this.producer.get(name);
    return k === undefined ? -1 : this.printed.nodeLine[k];
  }

  /** Line of the main graph's signature. */
  get graphLine(): number {
    return this.printed.graphs[0]?.line ?? 0;
  }
}

/** Target rows are 1:1 with the analysis layers (the mappers' contract); fall back to names if a mapper differs. */
function alignRows(layers: Layer[], rows: TargetLayer[]): (TargetLayer | undefined)[] {
  if (rows.length === layers.length && rows.every((r, i) => r.name === layers[i].name)) return rows;
  const byName = new Map<string, TargetLayer>();
  for (const r of rows) if (!byName.has(r.name)) byName.set(r.name, r);
  return layers.map((l) => byName.get(l.name));
}
