// The graph's module hierarchy, from node names: "/model/layers.3/attn/q_proj/MatMul" sits in the blocks
// model > layers.3 > attn > q_proj. A block that holds one node is dropped (the node stands in its place),
// and a block with more than MAX_CHILDREN children is split into consecutive runs ("layers.0 … layers.7"),
// recursively, so a flat 10k-node graph or a 96-layer LLM still opens as a few dozen boxes.
// Pure data (no DOM): unit tests run it in node.
import type { GraphPayload } from '../../src/shared/graph';

export const MAX_CHILDREN = 40;
/** the first view expands whole levels of blocks while the boxes shown stay within this */
export const INITIAL_BUDGET = 48;

export interface Group {
  /** the module path ("model/layers.3"), '' for the whole graph; runs add "/[a…b]" */
  id: string;
  label: string;
  parent: Group | null;
  depth: number;
  /** children in order of their first node: groups and node indices */
  children: Child[];
  /** every node in the subtree, in drawing order (a view into one shared array: no copy per block) */
  nodes: Int32Array;
  /** the smallest node index in the subtree: children are ordered by it */
  first: number;
  /** position among the parent's children */
  pos: number;
  /** a run made by splitting a long block, not a module of the model */
  run?: boolean;
}

export type Child = { group: Group } | { node: number };

export interface Hierarchy {
  root: Group;
  groups: Map<string, Group>;
  /** per node: the group that holds it directly (undefined for a hidden constant) */
  parentOf: (Group | undefined)[];
  /** per node: its position among its parent's children (-1 when hidden) */
  nodePos: Int32Array;
  /** nodes not drawn: Constant nodes and Identity copies of initializers (weight plumbing); their tensors
   * show as constant inputs in their consumers' properties */
  hidden: Set<number>;
}

/** Constant nodes and Identity nodes of an initializer: drawn as boxes they bury the graph (GPT-2's torch
 * export has 266 Constants and 94 Identities), so they are folded into their consumers as constant inputs. */
export function constantNodes(graph: GraphPayload): Set<number> {
  const out = new Set<number>();
  graph.nodes.forEach((n, i) => {
    if (n.domain !== '') return;
    if (n.opType === 'Constant' && n.inputs.length === 0) out.add(i);
    else if (n.opType === 'Identity' && n.inputs.length === 1 && n.inputs[0] >= 0 && graph.tensors[n.inputs[0]].init)
      out.add(i);
  });
  return out;
}

function firstNode(c: Child): number {
  return 'node' in c ? c.node : c.group.first;
}

function pathOf(name: string): string[] {
  const seg = name.split('/').filter(Boolean);
  return seg.slice(0, -1);
}

export function buildHierarchy(graph: GraphPayload, hideConstants = true): Hierarchy {
  const none = new Int32Array(0);
  const root: Group = { id: '', label: 'graph', parent: null, depth: 0, children: [], nodes: none, first: 0, pos: 0 };
  const byId = new Map<string, Group>([['', root]]);
  const kids = new Map<Group, Map<string, Group>>();
  const hidden = hideConstants ? constantNodes(graph) : new Set<number>();
  graph.nodes.forEach((n, i) => {
    if (hidden.has(i)) return;
    let g = root;
    for (const seg of pathOf(n.name)) {
      let m = kids.get(g);
      if (!m) kids.set(g, (m = new Map()));
      let c = m.get(seg);
      if (!c) {
        c = {
          id: g.id ? `${g.id}/${seg}` : seg,
          label: seg,
          parent: g,
          depth: 0,
          children: [],
          nodes: none,
          first: i,
          pos: 0,
        };
        m.set(seg, c);
        g.children.push({ group: c });
      }
      g = c;
    }
    g.children.push({ node: i });
  });
  // every subtree's nodes are one range of the preorder (children were pushed in node order, groups at
  // their first node, and neither inlining nor splitting below reorders them)
  const order = new Int32Array(graph.nodes.length - hidden.size);
  const at = new Int32Array(graph.nodes.length).fill(-1);
  let n = 0;
  const collect = (g: Group): void => {
    const start = n;
    for (const c of g.children) {
      if ('node' in c) {
        at[c.node] = n;
        order[n++] = c.node;
      } else collect(c.group);
    }
    g.nodes = order.subarray(start, n);
  };
  collect(root);
  // one-node blocks: the node stands in their place; single-block chains stay (they carry module names)
  const inline = (g: Group): void => {
    g.children = g.children.map((c) => {
      if ('group' in c) {
        inline(c.group);
        if (c.group.nodes.length === 1) return { node: c.group.nodes[0] };
      }
      return c;
    });
    g.children.sort((a, b) => firstNode(a) - firstNode(b));
  };
  inline(root);
  split(root, order, at);
  const parentOf: (Group | undefined)[] = new Array(graph.nodes.length);
  const nodePos = new Int32Array(graph.nodes.length).fill(-1);
  const index = (g: Group, depth: number): void => {
    g.depth = depth;
    byId.set(g.id, g);
    g.children.forEach((c, k) => {
      if ('node' in c) {
        parentOf[c.node] = g;
        nodePos[c.node] = k;
      } else {
        c.group.parent = g;
        c.group.pos = k;
        index(c.group, depth + 1);
      }
    });
  };
  byId.clear();
  index(root, 0);
  return { root, groups: byId, parentOf, nodePos, hidden };
}

function labelOf(c: Child, names: (i: number) => string): string {
  return 'node' in c ? names(c.node) : c.group.label;
}

/** Splits blocks with more than MAX_CHILDREN children into runs of consecutive children (recursively). */
/** What a child is for grouping a long level: repeated blocks by their stem ("layers" for layers.7), other
 * blocks, and loose nodes. Consecutive children of one kind become one run. */
function kindOf(c: Child): string {
  if ('node' in c) return 'node';
  const m = /^(.*?)[._-]?\d+$/.exec(c.group.label);
  return m && !c.group.run ? `rep:${m[1]}` : 'group';
}

function makeRun(g: Group, part: Child[], id: string, order: Int32Array, at: Int32Array): Group {
  const startOf = (c: Child) => ('node' in c ? at[c.node] : c.group.nodes.byteOffset / order.BYTES_PER_ELEMENT);
  const last = part[part.length - 1];
  const end = 'node' in last ? at[last.node] + 1 : startOf(last) + last.group.nodes.length;
  return {
    id: `${g.id}/[${id}]`,
    label: id,
    parent: g,
    depth: 0,
    children: part,
    nodes: order.subarray(startOf(part[0]), end),
    first: firstNode(part[0]),
    pos: 0,
    run: true,
  };
}

/**
 * Splits blocks with more than MAX_CHILDREN children into runs of consecutive children: first by kind (the
 * 30 layers of an LLM become one run, the mask and embedding nodes before them another), then, where a run
 * or the level is still too long, into equal parts (recursively). A run's nodes are one range of the
 * preorder `order` (a view, not a copy).
 */
function split(g: Group, order: Int32Array, at: Int32Array, level = 0): void {
  if (level === 0) for (const c of g.children) if ('group' in c) split(c.group, order, at);
  if (g.children.length <= MAX_CHILDREN) return;
  if (level === 0) {
    const segs: Child[][] = [];
    for (const c of g.children) {
      const last = segs[segs.length - 1];
      if (last && kindOf(last[0]) === kindOf(c)) last.push(c);
      else segs.push([c]);
    }
    if (segs.length > 1 && segs.length < g.children.length) {
      let k = 0;
      g.children = segs.map((seg) => {
        k += seg.length;
        if (seg.length === 1) return seg[0];
        const run = makeRun(g, seg, `s:${k - seg.length + 1}-${k}`, order, at);
        split(run, order, at, 1);
        return { group: run };
      });
      if (g.children.length <= MAX_CHILDREN) return;
    }
  }
  const n = g.children.length;
  const per = Math.ceil(n / Math.ceil(n / MAX_CHILDREN));
  const runs: Child[] = [];
  for (let k = 0; k < n; k += per)
    runs.push({
      group: makeRun(g, g.children.slice(k, k + per), `${level}:${k + 1}-${Math.min(n, k + per)}`, order, at),
    });
  g.children = runs;
  split(g, order, at, level + 1);
}

/** A run's label names its first and last child ("layers.0 … layers.7"), once node names are known. */
export function nameRuns(h: Hierarchy, names: (i: number) => string): void {
  // innermost first: a run of runs is named after its children's names
  for (const g of [...h.groups.values()].sort((a, b) => b.depth - a.depth)) {
    if (!g.run || !g.children.length) continue;
    const a = labelOf(g.children[0], names);
    const b = labelOf(g.children[g.children.length - 1], names);
    g.label = a === b ? a : `${a} … ${b}`;
  }
}

/**
 * The groups the first view expands: the root, then level by level the blocks that fit in the budget of
 * boxes shown, runs of repeated blocks first (an LLM's 30 layers say more than its mask arithmetic), then
 * the smaller blocks first; a level's blocks that do not fit stay collapsed, and so does everything below them.
 */
export function initialExpansion(h: Hierarchy, budget = INITIAL_BUDGET): Set<string> {
  const open = new Set<string>(['']);
  let shown = h.root.children.length;
  const groupsOf = (g: Group) => g.children.flatMap((c) => ('group' in c ? [c.group] : []));
  const repeated = (g: Group) => !!g.run && g.children.every((c) => 'group' in c && /\d$/.test(c.group.label));
  // blocks of one stem (h.0 … h.11, or the attn of every layer) open together or not at all
  const stem = (g: Group) => (g.run ? `run:${g.id}` : g.label.replace(/[._-]?\d+$/, ''));
  let level = groupsOf(h.root);
  while (level.length) {
    const units = new Map<string, Group[]>();
    for (const g of level) units.set(stem(g), [...(units.get(stem(g)) ?? []), g]);
    const cost = (u: Group[]) => u.reduce((a, g) => a + g.children.length - 1, 0);
    const order = [...units.values()].sort(
      (a, b) => Number(repeated(b[0])) - Number(repeated(a[0])) || cost(a) - cost(b),
    );
    const next: Group[] = [];
    for (const u of order) {
      if (shown + cost(u) > budget && !(level.length === 1 && shown <= 2)) continue;
      for (const g of u) {
        open.add(g.id);
        next.push(...groupsOf(g));
      }
      shown += cost(u);
    }
    level = next;
  }
  return open;
}

/** A block's module path without the runs made by splitting ("model/layers.3"). */
export function blockPath(g: Group): string {
  return g.id.replace(/\/\[[^\]]*\]/g, '');
}

/** Every group on the way from the root to node i (root first). */
export function ancestors(h: Hierarchy, node: number): Group[] {
  const out: Group[] = [];
  for (let g: Group | null = h.parentOf[node] ?? null; g; g = g.parent) out.push(g);
  return out.reverse();
}
