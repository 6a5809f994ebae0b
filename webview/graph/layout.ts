// Lays the graph out for a set of expanded blocks. Layout library: @dagrejs/dagre (layered Sugiyama layout,
// synchronous, ~50 KB minified, maintained by the dagrejs org). Chosen over elkjs because elkjs is a ~1.4 MB
// GWT-compiled bundle that would weigh on every load of the profile editor's webview (the heatmaps' first
// paint), and running it in a web worker needs a worker source the webview's CSP (default-src 'none') does
// not allow; ELK's compound-graph support is what dagre lacks, and we get it by nesting instead: each
// expanded block is laid out on its own (its children: nodes, collapsed blocks, and expanded blocks at the
// size of their own layout), bottom-up, with the edges between its children lifted from the node edges.
// A block's layout depends only on its children's sizes, so expanding one block re-lays out only the
// blocks on its path to the root (the rest come from the cache), and no single dagre run sees more than
// one block's children (a few dozen boxes), which keeps a fully expanded GPT-2 (~1k nodes) well under a second.
import dagre from '@dagrejs/dagre';
import type { GraphPayload } from '../../src/shared/graph';
import { ancestors, type Group, type Hierarchy } from './hierarchy';

export const NODE_W = 150;
export const NODE_H = 36;
export const BLOCK_W = 190;
export const BLOCK_H = 46;
export const IO_W = 130;
export const IO_H = 24;
const PAD = 12;
const HEADER = 22;
/** height of an expanded block's header row (its label; a click there collapses it) */
export const FRAME_HEADER = HEADER;
const SEP = { nodesep: 16, ranksep: 30, edgesep: 8 };

export type ItemKind = 'node' | 'block' | 'frame' | 'input' | 'output';

/** One box on the canvas, in world coordinates (top-left, size). */
export interface Item {
  key: string;
  kind: ItemKind;
  /** node index (kind 'node') */
  node?: number;
  /** the block (kinds 'block' and 'frame') */
  group?: Group;
  /** the graph inputs or outputs the box stands for (kinds 'input' and 'output': one, or all of them when
   * there are many, as the KV-cache tensors of an LLM export) */
  tensors?: number[];
  x: number;
  y: number;
  w: number;
  h: number;
  depth: number;
}

export interface Scene {
  /** frames first (outer before inner), then boxes: the drawing order */
  items: Item[];
  byKey: Map<string, Item>;
  /** [from, to] indices into items, deduplicated */
  edges: [number, number][];
  width: number;
  height: number;
  /** per node: the index of the item that shows it (itself, or the collapsed block holding it) */
  repOf: Int32Array;
}

interface Local {
  w: number;
  h: number;
  /** child key -> top-left inside the block's content box */
  pos: Map<string, { x: number; y: number }>;
}

const nodeKey = (i: number) => `n${i}`;
const groupKey = (g: Group) => `g${g.id}`;

/** more graph inputs (or outputs) than this are drawn as one box */
export const IO_MAX = 12;

interface IoSlot {
  key: string;
  tensors: number[];
}

function ioSlots(prefix: 'i' | 'o', ts: number[]): { slots: IoSlot[]; slotOf: Map<number, number> } {
  const slots =
    ts.length > IO_MAX ? [{ key: `${prefix}*`, tensors: ts }] : ts.map((t) => ({ key: `${prefix}${t}`, tensors: [t] }));
  const slotOf = new Map<number, number>();
  slots.forEach((sl, k) => sl.tensors.forEach((t) => slotOf.set(t, k)));
  return { slots, slotOf };
}

export class GraphLayout {
  private readonly ins: ReturnType<typeof ioSlots>;
  private readonly outs: ReturnType<typeof ioSlots>;
  /** per node: its chain of groups from the root */
  private readonly chains: Group[][];
  private readonly lifted = new Map<Group, [string, string][]>();
  private readonly cache = new Map<Group, Local>();
  /** dagre results by structure (children's sizes and the edges between them, by position) */
  private readonly shapes = new Map<string, { x: number; y: number }[]>();
  private lastOpen = new Set<string>(['']);
  /** dagre layouts run so far (the rest came from the structure cache) */
  dagreRuns = 0;

  constructor(
    private readonly graph: GraphPayload,
    private readonly h: Hierarchy,
  ) {
    this.chains = graph.nodes.map((_, i) => ancestors(h, i));
    this.ins = ioSlots('i', graph.inputs);
    this.outs = ioSlots('o', graph.outputs);
  }

  /** the position among g's children of the child that holds node i, or -1 when i is not under g */
  private childPos(g: Group, i: number): number {
    const chain = this.chains[i];
    if (!chain.length || chain[g.depth] !== g) return -1;
    const next = chain[g.depth + 1];
    return next ? next.pos : this.h.nodePos[i];
  }

  private keyAt(g: Group, k: number): string {
    const c = g.children[k];
    return 'node' in c ? nodeKey(c.node) : groupKey(c.group);
  }

  /** Edges between the children of g, lifted from node edges (independent of what is expanded). */
  private edgesOf(g: Group): [string, string][] {
    const known = this.lifted.get(g);
    if (known) return known;
    // children are numbered 0..n-1; the graph's inputs and outputs (root only) n.. and n+inputs..
    const n = g.children.length;
    const root = g.parent === null;
    const nIn = this.ins.slots.length;
    const span = n + (root ? nIn + this.outs.slots.length : 0);
    const seen = new Set<number>();
    const pairs: number[] = [];
    const add = (a: number, b: number) => {
      if (a === b || a < 0 || b < 0) return;
      const k = a * span + b;
      if (seen.has(k)) return;
      seen.add(k);
      pairs.push(a, b);
    };
    const { nodes, tensors } = this.graph;
    for (const c of g.nodes) {
      const b = this.childPos(g, c);
      if (b < 0) continue;
      for (const t of nodes[c].inputs) {
        if (t < 0) continue;
        const p = tensors[t].producer;
        if (p >= 0) add(this.childPos(g, p), b);
        else if (root && this.ins.slotOf.has(t)) add(n + this.ins.slotOf.get(t)!, b);
      }
    }
    if (root)
      this.graph.outputs.forEach((t) => {
        const p = tensors[t].producer;
        if (p >= 0) add(this.childPos(g, p), n + nIn + this.outs.slotOf.get(t)!);
      });
    const key = (k: number) =>
      k < n ? this.keyAt(g, k) : k < n + nIn ? this.ins.slots[k - n].key : this.outs.slots[k - n - nIn].key;
    const out: [string, string][] = [];
    for (let k = 0; k < pairs.length; k += 2) out.push([key(pairs[k]), key(pairs[k + 1])]);
    this.lifted.set(g, out);
    return out;
  }

  /** Forget the layouts of these blocks and of every block above them (their sizes changed). */
  invalidate(ids: Iterable<string>): void {
    for (const id of ids) for (let g = this.h.groups.get(id) ?? null; g; g = g.parent) this.cache.delete(g);
  }

  private size(c: Group | number, open: Set<string>): { w: number; h: number } {
    if (typeof c === 'number') return { w: NODE_W, h: NODE_H };
    if (!open.has(c.id)) return { w: BLOCK_W, h: BLOCK_H };
    const l = this.local(c, open);
    return { w: l.w + 2 * PAD, h: l.h + PAD + HEADER };
  }

  private local(g: Group, open: Set<string>): Local {
    const known = this.cache.get(g);
    if (known) return known;
    const boxes: { key: string; w: number; h: number }[] = [];
    for (const c of g.children) {
      const s = this.size('node' in c ? c.node : c.group, open);
      boxes.push({ key: 'node' in c ? nodeKey(c.node) : groupKey(c.group), ...s });
    }
    if (g.parent === null) {
      for (const sl of [...this.ins.slots, ...this.outs.slots]) boxes.push({ key: sl.key, w: IO_W, h: IO_H });
    }
    const edges = this.edgesOf(g);
    const pos = new Map<string, { x: number; y: number }>();
    let w = 0,
      h = 0;
    if (boxes.length === 1) {
      pos.set(boxes[0].key, { x: 0, y: 0 });
      w = boxes[0].w;
      h = boxes[0].h;
    } else if (!edges.length) {
      // no edges between the children (a run of constants): a grid, not one very wide rank
      const cols = Math.max(1, Math.ceil(Math.sqrt(boxes.length)));
      const cw = Math.max(...boxes.map((b) => b.w)) + SEP.nodesep;
      let rowH = 0,
        y = 0;
      boxes.forEach((b, k) => {
        if (k && k % cols === 0) {
          y += rowH + SEP.nodesep;
          rowH = 0;
        }
        pos.set(b.key, { x: (k % cols) * cw, y });
        rowH = Math.max(rowH, b.h);
        w = Math.max(w, (k % cols) * cw + b.w);
      });
      h = y + rowH;
    } else {
      // repeated blocks (layers.0 … layers.N) have the same children and edges: one dagre run serves them all
      const at = new Map(boxes.map((b, k) => [b.key, k]));
      const sig = `${boxes.map((b) => `${b.w}x${b.h}`).join(',')}|${edges.map(([a, b]) => `${at.get(a)}>${at.get(b)}`).join(',')}`;
      let shape = this.shapes.get(sig);
      if (!shape) {
        const d = new dagre.graphlib.Graph();
        d.setGraph({ rankdir: 'TB', ...SEP, marginx: 0, marginy: 0 });
        d.setDefaultEdgeLabel(() => ({}));
        boxes.forEach((b, k) => d.setNode(String(k), { width: b.w, height: b.h }));
        for (const [a, b] of edges) d.setEdge(String(at.get(a)), String(at.get(b)));
        dagre.layout(d);
        this.dagreRuns++;
        shape = boxes.map((b, k) => {
          const n = d.node(String(k));
          return { x: n.x - b.w / 2, y: n.y - b.h / 2 };
        });
        this.shapes.set(sig, shape);
      }
      boxes.forEach((b, k) => {
        pos.set(b.key, shape[k]);
        w = Math.max(w, shape[k].x + b.w);
        h = Math.max(h, shape[k].y + b.h);
      });
    }
    const l = { w, h, pos };
    this.cache.set(g, l);
    return l;
  }

  /** The scene for the expanded blocks `open` (the root is always expanded). */
  scene(open: Set<string>): Scene {
    open.add('');
    // blocks opened or closed since the last scene: their layouts and their ancestors' are stale
    const changed = [...open].filter((id) => !this.lastOpen.has(id));
    for (const id of this.lastOpen) if (!open.has(id)) changed.push(id);
    this.invalidate(changed);
    this.lastOpen = new Set(open);
    const items: Item[] = [];
    const frames: Item[] = [];
    const boxes: Item[] = [];
    const place = (g: Group, ox: number, oy: number) => {
      const l = this.local(g, open);
      for (const c of g.children) {
        const key = 'node' in c ? nodeKey(c.node) : groupKey(c.group);
        const p = l.pos.get(key)!;
        const x = ox + p.x,
          y = oy + p.y;
        if ('node' in c)
          boxes.push({ key, kind: 'node', node: c.node, x, y, w: NODE_W, h: NODE_H, depth: g.depth + 1 });
        else if (!open.has(c.group.id))
          boxes.push({ key, kind: 'block', group: c.group, x, y, w: BLOCK_W, h: BLOCK_H, depth: g.depth + 1 });
        else {
          const s = this.size(c.group, open);
          frames.push({ key, kind: 'frame', group: c.group, x, y, w: s.w, h: s.h, depth: g.depth + 1 });
          place(c.group, x + PAD, y + HEADER);
        }
      }
      if (g.parent === null) {
        for (const [kind, slots] of [
          ['input', this.ins.slots],
          ['output', this.outs.slots],
        ] as const)
          for (const sl of slots) {
            const p = l.pos.get(sl.key)!;
            boxes.push({
              key: sl.key,
              kind,
              tensors: sl.tensors,
              x: ox + p.x,
              y: oy + p.y,
              w: IO_W,
              h: IO_H,
              depth: 1,
            });
          }
      }
    };
    place(this.h.root, 0, 0);
    const root = this.local(this.h.root, open);
    for (const f of frames) items.push(f);
    for (const b of boxes) items.push(b);
    const byKey = new Map(items.map((it) => [it.key, it]));
    // the item that shows each node: itself, else the outermost collapsed block on its chain
    const nodeItem = new Int32Array(this.graph.nodes.length).fill(-1);
    const groupItem = new Map<Group, number>();
    items.forEach((it, k) => {
      if (it.kind === 'node') nodeItem[it.node!] = k;
      else if (it.kind === 'block') groupItem.set(it.group!, k);
    });
    const repOf = new Int32Array(this.graph.nodes.length).fill(-1);
    for (let i = 0; i < repOf.length; i++) {
      let k = nodeItem[i];
      if (k < 0)
        for (const g of this.chains[i])
          if (g.parent && !open.has(g.id)) {
            k = groupItem.get(g) ?? -1;
            break;
          }
      repOf[i] = k;
    }
    const index = new Map<string, number>();
    items.forEach((it, k) => {
      if (it.kind === 'input' || it.kind === 'output') index.set(it.key, k);
    });
    const seen = new Set<number>();
    const edges: [number, number][] = [];
    const add = (a: number, b: number) => {
      if (a < 0 || b < 0 || a === b) return;
      const k = a * items.length + b;
      if (seen.has(k)) return;
      seen.add(k);
      edges.push([a, b]);
    };
    const { nodes, tensors } = this.graph;
    const inputItem = new Map(
      this.graph.inputs.map((t) => [t, index.get(this.ins.slots[this.ins.slotOf.get(t)!].key) ?? -1]),
    );
    nodes.forEach((n, c) => {
      for (const t of n.inputs) {
        if (t < 0) continue;
        const p = tensors[t].producer;
        if (p >= 0) add(repOf[p], repOf[c]);
        else {
          const ii = inputItem.get(t);
          if (ii !== undefined) add(ii, repOf[c]);
        }
      }
    });
    for (const t of this.graph.outputs) {
      const p = tensors[t].producer;
      if (p >= 0) add(repOf[p], index.get(this.outs.slots[this.outs.slotOf.get(t)!].key) ?? -1);
    }
    return { items, byKey, edges, width: root.w, height: root.h, repOf };
  }
}
