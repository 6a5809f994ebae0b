// The main graph's value names as small integers, once per analysis: each node's inputs and outputs as ids and
// the node producing each value. The mappers' graph walks (wafer activation buffers, GPU activation liveness)
// then index typed arrays instead of looking names up in maps, which is most of their time on large graphs.
import type { Analysis } from './types';
import { derivedOf } from './derived';

export interface GraphValues {
  /** value id -> name */
  names: string[];
  /** node i's input ids are ins[inStart[i] .. inStart[i + 1]); an omitted optional input ('') is -1 */
  inStart: Int32Array;
  ins: Int32Array;
  /** node i's output ids likewise; an omitted output ('') is -1 */
  outStart: Int32Array;
  outs: Int32Array;
  /** value id -> index of the last node listing it as an output, or -1 (graph input, initializer) */
  producer: Int32Array;
  /** id of a name, or -1 when no node reads or writes it */
  idOf(name: string): number;
}

function build(a: Analysis): GraphValues {
  const nodes = a.model.graph.nodes;
  const ids = new Map<string, number>();
  const names: string[] = [];
  const idFor = (name: string): number => {
    if (!name) return -1;
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      ids.set(name, id);
      names.push(name);
    }
    return id;
  };
  let nIn = 0,
    nOut = 0;
  for (const n of nodes) {
    nIn += n.inputs.length;
    nOut += n.outputs.length;
  }
  const inStart = new Int32Array(nodes.length + 1),
    outStart = new Int32Array(nodes.length + 1);
  const ins = new Int32Array(nIn),
    outs = new Int32Array(nOut);
  let pi = 0,
    po = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    inStart[i] = pi;
    outStart[i] = po;
    for (const x of n.inputs) ins[pi++] = idFor(x);
    for (const o of n.outputs) outs[po++] = idFor(o);
  }
  inStart[nodes.length] = pi;
  outStart[nodes.length] = po;
  const producer = new Int32Array(names.length).fill(-1);
  for (let i = 0; i < nodes.length; i++)
    for (let k = outStart[i]; k < outStart[i + 1]; k++) if (outs[k] >= 0) producer[outs[k]] = i;
  return { names, inStart, ins, outStart, outs, producer, idOf: (name) => ids.get(name) ?? -1 };
}

/** The analysis' main-graph value ids (shared, read-only). */
export function graphValues(a: Analysis): GraphValues {
  return derivedOf(a, 'graph-values', {}, () => build(a));
}
