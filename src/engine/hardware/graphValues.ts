// The main graph's value names as small integers (the reader's numbering, onnx/nameIds.ts), arranged for the
// mappers' graph walks (wafer activation buffers, GPU activation liveness): each node's input and output ids,
// the node producing each value, and the name of each id. They then index typed arrays instead of looking
// names up in maps, which was most of their time on large graphs. Once per analysis, shared and read-only.
import type { Analysis } from './types';
import type { Dim, TensorInfo, ValueType } from '../onnx/ir';
import { evalDim } from '../shapes/dims';
import { derivedOf } from './derived';
import { graphIds } from '../onnx/nameIds';

export interface GraphValues {
  /** value id -> name ('' for ids that name no tensor of the main graph) */
  names: string[];
  /** node i's input ids are ins[inStart[i] .. inStart[i + 1]); an omitted optional input ('') is -1 */
  inStart: Int32Array;
  ins: ArrayLike<number>;
  /** node i's output ids likewise; an omitted output ('') is -1 */
  outStart: Int32Array;
  outs: ArrayLike<number>;
  /** value id -> index of the last node listing it as an output, or -1 (graph input, initializer) */
  producer: Int32Array;
  /** ids of the graph's inputs and outputs, in their order (-1: empty name) */
  inputIds: ArrayLike<number>;
  outputIds: ArrayLike<number>;
  /** value id -> its inferred type, as a.shapes.main.values has it under its name (undefined: none) */
  types: (ValueType | null | undefined)[];
  /** value id -> the initializer of that name (the last one listed, as a Map by name keeps it), or undefined */
  inits: (TensorInfo | undefined)[];
}

function build(a: Analysis): GraphValues {
  const g = a.model.graph;
  const { count, names: gn } = graphIds(g);
  const N = g.nodes.length;
  const inStart = new Int32Array(N + 1),
    outStart = new Int32Array(N + 1);
  for (let k = 0; k < N; k++) {
    inStart[k + 1] = gn.insEnd[k];
    outStart[k + 1] = gn.outsEnd[k];
  }
  const names: string[] = new Array<string>(count).fill('');
  const producer = new Int32Array(count).fill(-1);
  for (let k = 0; k < N; k++) {
    const n = g.nodes[k];
    for (let q = inStart[k]; q < inStart[k + 1]; q++) if (gn.ins[q] >= 0) names[gn.ins[q]] = n.inputs[q - inStart[k]];
    for (let q = outStart[k]; q < outStart[k + 1]; q++) {
      const o = gn.outs[q];
      if (o < 0) continue;
      names[o] = n.outputs[q - outStart[k]];
      producer[o] = k;
    }
  }
  g.inputs.forEach((v, i) => gn.inputs[i] >= 0 && (names[gn.inputs[i]] = v.name));
  g.outputs.forEach((v, i) => gn.outputs[i] >= 0 && (names[gn.outputs[i]] = v.name));
  const inits = new Array<TensorInfo | undefined>(count);
  g.initializers.forEach((t, i) => {
    const id = gn.inits[i];
    if (id >= 0) {
      names[id] = t.name;
      inits[id] = t;
    }
  });
  // node outputs' values by id where inference kept them so (no hashing of the name), the others by name
  const shapes = a.shapes.main;
  const byId = shapes.outputsById?.ids.names === gn ? shapes.outputsById.values : undefined;
  const types = new Array<ValueType | null | undefined>(count);
  for (let id = 0; id < count; id++) {
    const v =
      (byId && producer[id] >= 0 ? byId[id] : undefined) ?? (names[id] ? shapes.values.get(names[id]) : undefined);
    types[id] = v?.type;
  }
  return {
    names,
    inStart,
    ins: gn.ins,
    outStart,
    outs: gn.outs,
    producer,
    inputIds: gn.inputs,
    outputIds: gn.outputs,
    types,
    inits,
  };
}

/** The analysis' main-graph value ids (shared, read-only). */
export function graphValues(a: Analysis): GraphValues {
  return derivedOf(a, 'graph-values', {}, () => build(a));
}

/** Dims under the bindings, evaluated once per dims array (values of one shape share it) and shared by the
 * mappers of the analysis (read-only); null where a dim is unknown. */
export function boundDims(a: Analysis, bind: Record<string, number>): (dims: Dim[]) => number[] | null {
  return derivedOf(a, 'bound-dims', bind, () => {
    const memo = new Map<Dim[], number[] | null>();
    return (dims: Dim[]) => {
      let d = memo.get(dims);
      if (d === undefined) memo.set(dims, (d = numDims(dims, bind)));
      return d;
    };
  });
}

function numDims(dims: Dim[], bind: Record<string, number>): number[] | null {
  const out: number[] = [];
  for (const d of dims) {
    const v = evalDim(d, bind);
    if (v === undefined) return null;
    out.push(v);
  }
  return out;
}

/** Value id's dims under the bindings: its inferred tensor type's, else its initializer's; null when unknown. */
export function dimsById(gv: GraphValues, bound: (dims: Dim[]) => number[] | null, id: number): number[] | null {
  if (id < 0) return null;
  const t = gv.types[id];
  if (t && t.kind === 'tensor') return t.dims ? bound(t.dims) : null;
  return gv.inits[id]?.dims ?? null;
}
