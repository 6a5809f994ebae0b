// The model IR every later stage reads: graphs, nodes, values, tensors as dims + dtype + location.
// Tensor payloads are never held here: only (file, offset, length) references, except small integer
// tensors (shape arguments such as Reshape's `shape`), which shape inference needs as values.
import type { Diagnostic } from './errors';

/** A dimension: number when known, symbol name when symbolic, null when unknown. */
export type Dim = number | string | null;

export type ValueType =
  | { kind: 'tensor'; dtype: number; dims: Dim[] | null } // dims null: rank unknown
  | { kind: 'sparse_tensor'; dtype: number; dims: Dim[] | null }
  | { kind: 'sequence'; elem: ValueType | null }
  | { kind: 'optional'; elem: ValueType | null }
  | { kind: 'map'; keyDtype: number; value: ValueType | null }
  | { kind: 'opaque' };

export interface ValueInfo {
  name: string;
  type: ValueType | null;
}

/** Where a tensor's bytes live. Never read to profile. */
export type DataRef =
  | { kind: 'embedded'; field: 'raw_data' | 'typed'; offset: number; length: number }
  | {
      kind: 'external';
      location: string;
      offset: number;
      length: number | null;
      resolved: string | null;
      missing: boolean;
    }
  | { kind: 'none' };

export interface TensorInfo {
  name: string;
  dtype: number;
  dims: number[];
  elements: number;
  data: DataRef;
  /** Decoded values of small numeric tensors (<= SMALL_TENSOR_MAX elements), for data propagation. */
  values?: number[];
}

export const SMALL_TENSOR_MAX = 4096;

export type AttrValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: TensorInfo }
  | { type: 'graph'; value: Graph }
  | { type: 'sparse_tensor'; value: SparseTensorInfo }
  | { type: 'type_proto'; value: ValueType | null }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensors'; value: TensorInfo[] }
  | { type: 'graphs'; value: Graph[] }
  | { type: 'sparse_tensors'; value: SparseTensorInfo[] }
  | { type: 'type_protos'; value: (ValueType | null)[] }
  | { type: 'ref'; refAttrName: string }
  | { type: 'undefined' };

export interface SparseTensorInfo {
  dims: number[];
  values: TensorInfo;
  indices: TensorInfo;
  elements: number;
}

export interface Node {
  name: string;
  opType: string;
  domain: string; // '' = ai.onnx
  inputs: string[]; // '' = omitted optional input
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** index in its graph, stable id for UI and diagnostics */
  index: number;
}

export interface Graph {
  name: string;
  /** "main", or parent path + "/" + node name + "." + attribute name */
  path: string;
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  initializers: TensorInfo[];
  sparseInitializers: SparseTensorInfo[];
}

export interface FunctionDef {
  name: string;
  domain: string;
  overload: string;
  inputs: string[];
  outputs: string[];
  attributes: string[];
  attributeDefaults: Record<string, AttrValue>;
  nodes: Node[];
  opsets: Record<string, number>;
  valueInfo: ValueInfo[];
}

export interface Model {
  path: string;
  fileSize: number;
  irVersion: number;
  opsets: Record<string, number>; // '' = ai.onnx
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  metadata: Record<string, string>;
  graph: Graph;
  functions: FunctionDef[];
  trainingInfoCount: number;
  diagnostics: Diagnostic[];
}

export function attrInt(node: Node, name: string, dflt: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, dflt?: number): number | undefined {
  const a = node.attrs[name];
  return a && a.type === 'int' ? a.value : dflt;
}

export function attrFloat(node: Node, name: string, dflt: number): number {
  const a = node.attrs[name];
  return a && a.type === 'float' ? a.value : a && a.type === 'int' ? a.value : dflt;
}

export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.attrs[name];
  return a && a.type === 'ints' ? a.value : undefined;
}

export function attrString(node: Node, name: string, dflt: string): string;
export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, dflt?: string): string | undefined {
  const a = node.attrs[name];
  return a && a.type === 'string' ? a.value : dflt;
}

/** Visits a graph and every subgraph under it (If/Loop/Scan bodies, graph attributes of any op). */
export function forEachGraph(g: Graph, fn: (g: Graph, depth: number) => void, depth = 0): void {
  fn(g, depth);
  // indexed loops and for-in: no iterator or Object.values array per node (this runs on every read)
  const nodes = g.nodes;
  for (let k = 0; k < nodes.length; k++) {
    const attrs = nodes[k].attrs;
    for (const key in attrs) {
      const a = attrs[key];
      if (a.type === 'graph') forEachGraph(a.value, fn, depth + 1);
      else if (a.type === 'graphs') for (const sg of a.value) forEachGraph(sg, fn, depth + 1);
    }
  }
}
