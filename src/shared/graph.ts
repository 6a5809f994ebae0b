// The graph view's data (src/editor/graphPayload.ts builds it in the engine worker; webview/graph/ draws it).
// Compact on purpose (a 10k-node LLM crosses postMessage twice): tensors are indices into one table,
// attributes are pre-formatted short strings, and initializers carry dtype/dims/size/location only:
// their values travel only when the user asks for one small tensor (TensorValuesRequest).
import type { Dim } from '../engine/onnx/ir';

/** Where an initializer's bytes are (never the bytes themselves). */
export type GraphTensorLocation =
  | { kind: 'embedded'; field: 'raw_data' | 'typed'; offset: number; length: number }
  | { kind: 'external'; file: string; offset: number; length: number | null; missing: boolean }
  | { kind: 'none' };

export interface GraphInitializer {
  elements: number;
  bytes: number;
  location: GraphTensorLocation;
  /** the reader decoded its values (small embedded numeric tensors): the user may ask to see them */
  valuesAvailable: boolean;
  /** a Constant node's value rather than a graph initializer */
  fromConstant?: boolean;
}

export interface GraphTensor {
  name: string;
  /** ONNX dtype name (FLOAT, INT64 ...), or the value kind (sequence, map ...), or '' when unknown */
  dtype: string;
  /** null: rank unknown; a string entry is a symbolic dim */
  dims: Dim[] | null;
  /** index of the producing node, -1 for graph inputs and initializers */
  producer: number;
  init?: GraphInitializer;
}

export interface GraphNode {
  /** the node's name, or `${opType}_${index}` when the model left it empty */
  name: string;
  /** true when `name` was made up because the model's node has none */
  unnamed?: boolean;
  opType: string;
  /** '' = ai.onnx */
  domain: string;
  /** tensor indices; -1 = an omitted optional input */
  inputs: number[];
  outputs: number[];
  /** [name, value formatted and truncated]; tensor attributes show dtype and dims only */
  attrs: [string, string][];
  /** index into report.layers, -1 when the node is in no layer */
  layer: number;
  flops: number;
  /** bytes of constant tensors it consumes (its parameters) */
  paramBytes: number;
  paramCount: number;
  bytesRead: number;
  bytesWritten: number;
  /** nested graphs (If/Loop/Scan bodies): "then_branch: 12 nodes" */
  subgraphs?: string[];
}

export interface GraphPayload {
  nodes: GraphNode[];
  tensors: GraphTensor[];
  /** tensor indices of the graph's inputs (initializers excluded) and outputs */
  inputs: number[];
  outputs: number[];
}

export type TensorValuesResult =
  | { ok: true; name: string; dtype: string; dims: number[]; values: number[]; truncated: boolean }
  | { ok: false; name: string; reason: string };
