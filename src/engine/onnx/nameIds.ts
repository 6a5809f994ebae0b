// A graph's tensor names as small integers, so passes over a large graph (topological order, layer building,
// activation lifetimes) keep per-tensor state in typed arrays instead of string-keyed maps (on a 1M-node graph a
// map of a million names costs seconds in cache misses alone). The reader numbers every name as it decodes it
// (wire.ts Cursor.ref) and hands its numbering over here; a graph built otherwise is numbered once with a Map.
import type { Graph, Node } from './ir';
import type { GraphNames } from './validate';

/** A graph's name ids as validate.ts lists them (GraphNames), the per-node lists as Int32Arrays: half the memory of
 * arrays of numbers, kept for the analysis' lifetime (tens of MB on a 1M-node graph). */
export interface IdLists {
  inputs: ArrayLike<number>;
  inits: ArrayLike<number>;
  sparseInits: ArrayLike<number>;
  outputs: ArrayLike<number>;
  /** node inputs, all nodes in order; node k's are ins[insEnd[k-1] .. insEnd[k]) */
  ins: Int32Array;
  insEnd: Int32Array;
  outs: Int32Array;
  outsEnd: Int32Array;
}

export interface GraphIds {
  /** ids run from 0 to count - 1 (-1: the empty name) */
  count: number;
  names: IdLists;
}

function compact(n: GraphNames): IdLists {
  return {
    inputs: n.inputs,
    inits: n.inits,
    sparseInits: n.sparseInits,
    outputs: n.outputs,
    ins: Int32Array.from(n.ins),
    insEnd: Int32Array.from(n.insEnd),
    outs: Int32Array.from(n.outs),
    outsEnd: Int32Array.from(n.outsEnd),
  };
}

/** numbering by graph, valid while the graph keeps the same node array of the same length */
const byGraph = new WeakMap<Graph, { nodes: Node[]; length: number; ids: GraphIds }>();

/** Records the reader's numbering of graph `g` (ids below `count`). */
export function rememberIds(g: Graph, count: number, names: GraphNames): void {
  if (names.insEnd.length !== g.nodes.length) return;
  // a small subgraph of a large model numbers its few names afresh: arrays of the model's size per pass over it
  // would cost more than its names
  if (count > 4 * (names.ins.length + names.outs.length + names.inputs.length + names.inits.length) + 1024) return;
  byGraph.set(g, { nodes: g.nodes, length: g.nodes.length, ids: { count, names: compact(names) } });
}

/** The numbering of `g`'s names: the reader's, or one made now (and kept) for a graph built otherwise. */
export function graphIds(g: Graph): GraphIds {
  const hit = byGraph.get(g);
  if (hit && hit.nodes === g.nodes && hit.length === g.nodes.length) return hit.ids;
  const ids = numberGraph(g);
  byGraph.set(g, { nodes: g.nodes, length: g.nodes.length, ids });
  return ids;
}

/** Input ids of node k: names.ins[insStart(ids, k) .. names.insEnd[k]). */
export function insStart(ids: GraphIds, k: number): number {
  return k ? ids.names.insEnd[k - 1] : 0;
}

export function outsStart(ids: GraphIds, k: number): number {
  return k ? ids.names.outsEnd[k - 1] : 0;
}

function numberGraph(g: Graph): GraphIds {
  const map = new Map<string, number>();
  const id = (s: string) => {
    if (!s) return -1;
    let v = map.get(s);
    if (v === undefined) map.set(s, (v = map.size));
    return v;
  };
  const names: GraphNames = {
    inputs: g.inputs.map((v) => id(v.name)),
    inits: g.initializers.map((t) => id(t.name)),
    sparseInits: g.sparseInitializers.map((s) => id(s.values.name)),
    outputs: g.outputs.map((v) => id(v.name)),
    nodeNames: [],
    ins: [],
    insEnd: [],
    outs: [],
    outsEnd: [],
  };
  for (const n of g.nodes) {
    names.nodeNames.push(id(n.name));
    for (const i of n.inputs) names.ins.push(id(i));
    names.insEnd.push(names.ins.length);
    for (const o of n.outputs) names.outs.push(id(o));
    names.outsEnd.push(names.outs.length);
  }
  return { count: map.size, names: compact(names) };
}
