// Builds the graph view's data (src/shared/graph.ts) from an analysed model, in the engine worker.
// Pure: no vscode import. Attribute values are formatted here, short and bounded, so a model with huge
// attributes (a 1M-element tensor attribute, a long string) cannot flood the webview; tensor payloads never
// leave the worker except through tensorValues(), on the user's request, for one small tensor.
import type { AttrValue, Model, TensorInfo, ValueType } from '../engine/onnx/ir';
import { bytesFor, dtypeName } from '../engine/onnx/dtypes';
import type { Analysis } from '../engine/hardware/types';
import type {
  GraphInitializer,
  GraphNode,
  GraphPayload,
  GraphTensor,
  GraphTensorLocation,
  TensorValuesResult,
} from '../shared/graph';
import { fmtValue } from '../engine/format/units';

/** longest attribute text sent (characters) and most list entries shown */
const ATTR_TEXT_MAX = 160;
const ATTR_LIST_MAX = 16;
/** most elements a "show values" request returns */
export const TENSOR_VALUES_MAX = 1024;

function clip(s: string, max = ATTR_TEXT_MAX): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function list<T>(xs: T[], fmt: (x: T) => string): string {
  const head = xs.slice(0, ATTR_LIST_MAX).map(fmt).join(', ');
  return `[${head}${xs.length > ATTR_LIST_MAX ? `, … ${xs.length} in all` : ''}]`;
}

// plain digits, never e-notation (an epsilon of 1e-12 reads 1×10⁻¹²): the project's formatter
const num = (v: number) => fmtValue(v);
/** ONNX's int attributes are int64 */
const int = (v: number) => fmtValue(v, { int64: true });

function typeText(t: ValueType | null): string {
  if (!t) return '?';
  switch (t.kind) {
    case 'tensor':
    case 'sparse_tensor':
      return `${t.kind === 'sparse_tensor' ? 'sparse ' : ''}${dtypeName(t.dtype)}${t.dims ? `[${t.dims.map((d) => d ?? '?').join(',')}]` : '[?]'}`;
    case 'sequence':
      return `sequence<${typeText(t.elem)}>`;
    case 'optional':
      return `optional<${typeText(t.elem)}>`;
    case 'map':
      return `map<${dtypeName(t.keyDtype)},${typeText(t.value)}>`;
    default:
      return t.kind;
  }
}

const tensorText = (t: TensorInfo) => `tensor ${dtypeName(t.dtype)}[${t.dims.join(',')}]`;

/** One attribute as short text: values for scalars and short lists, type and dims for tensors, node counts for graphs. */
export function attrText(a: AttrValue): string {
  switch (a.type) {
    case 'float':
      return num(a.value);
    case 'int':
      return int(a.value);
    case 'string':
      return clip(JSON.stringify(a.value));
    case 'floats':
      return clip(list(a.value, num));
    case 'ints':
      return clip(list(a.value, int));
    case 'strings':
      return clip(list(a.value, (s) => JSON.stringify(clip(s, 40))));
    case 'tensor':
      return tensorText(a.value);
    case 'tensors':
      return clip(list(a.value, tensorText));
    case 'sparse_tensor':
      return `sparse tensor ${dtypeName(a.value.values.dtype)}[${a.value.dims.join(',')}], ${a.value.values.elements} values`;
    case 'sparse_tensors':
      return `${a.value.length} sparse tensors`;
    case 'graph':
      return clip(`graph '${a.value.name}' (${a.value.nodes.length} nodes)`);
    case 'graphs':
      return `${a.value.length} graphs`;
    case 'type_proto':
      return typeText(a.value);
    case 'type_protos':
      return clip(list(a.value, typeText));
    case 'ref':
      return `ref to the function's attribute '${clip(a.refAttrName, 60)}'`;
    default:
      return 'undefined';
  }
}

function location(t: TensorInfo): GraphTensorLocation {
  const d = t.data;
  if (d.kind === 'embedded') return { kind: 'embedded', field: d.field, offset: d.offset, length: d.length };
  if (d.kind === 'external')
    return { kind: 'external', file: d.location, offset: d.offset, length: d.length, missing: d.missing };
  return { kind: 'none' };
}

function initializer(t: TensorInfo, fromConstant: boolean): GraphInitializer {
  return {
    elements: t.elements,
    bytes: bytesFor(t.dtype, t.elements),
    location: location(t),
    valuesAvailable: !!t.values && t.elements <= TENSOR_VALUES_MAX,
    ...(fromConstant ? { fromConstant: true } : {}),
  };
}

export function buildGraphPayload(model: Model, analysis: Analysis): GraphPayload {
  const g = model.graph;
  const values = analysis.shapes.main.values;
  const tensors: GraphTensor[] = [];
  const index = new Map<string, number>();
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const constants = new Map<string, TensorInfo>();
  for (const n of g.nodes) {
    const v = n.opType === 'Constant' && n.domain === '' ? n.attrs.value : undefined;
    if (v?.type === 'tensor' && n.outputs[0]) constants.set(n.outputs[0], v.value);
  }
  const tensorOf = (name: string, producer: number): number => {
    const known = index.get(name);
    if (known !== undefined) {
      if (producer >= 0 && tensors[known].producer < 0) tensors[known].producer = producer;
      return known;
    }
    const t = values.get(name)?.type ?? null;
    const gt: GraphTensor = {
      name,
      dtype: t ? (t.kind === 'tensor' || t.kind === 'sparse_tensor' ? dtypeName(t.dtype) : typeText(t)) : '',
      dims: t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') ? t.dims : null,
      producer,
    };
    const init = inits.get(name);
    const c = constants.get(name);
    if (init) {
      gt.init = initializer(init, false);
      gt.dtype ||= dtypeName(init.dtype);
      gt.dims ??= init.dims;
    } else if (c) gt.init = initializer(c, true);
    index.set(name, tensors.length);
    tensors.push(gt);
    return tensors.length - 1;
  };
  const layerOf = new Int32Array(g.nodes.length).fill(-1);
  analysis.layers.forEach((l, li) => {
    for (const ni of l.nodeIndices) if (ni < layerOf.length) layerOf[ni] = li;
  });
  const inputs = g.inputs.filter((v) => !inits.has(v.name)).map((v) => tensorOf(v.name, -1));
  // producers first, so a consumer listed before its producer (unsorted graphs) still finds it
  g.nodes.forEach((n, k) => n.outputs.forEach((o) => o && tensorOf(o, k)));
  const nodes: GraphNode[] = g.nodes.map((n, k) => {
    const c = analysis.nodeCosts[k];
    const subgraphs: string[] = [];
    const attrs: [string, string][] = [];
    for (const [key, a] of Object.entries(n.attrs)) {
      attrs.push([key, attrText(a)]);
      if (a.type === 'graph') subgraphs.push(`${key}: ${a.value.nodes.length} nodes`);
      else if (a.type === 'graphs')
        a.value.forEach((sg, i) => subgraphs.push(`${key}[${i}]: ${sg.nodes.length} nodes`));
    }
    const gn: GraphNode = {
      name: n.name || `${n.opType}_${k}`,
      opType: n.opType,
      domain: n.domain,
      inputs: n.inputs.map((i) => (i ? tensorOf(i, -1) : -1)),
      outputs: n.outputs.map((o) => (o ? tensorOf(o, k) : -1)),
      attrs,
      layer: layerOf[k],
      flops: c?.flops ?? 0,
      paramBytes: c?.paramBytes ?? 0,
      paramCount: c?.paramCount ?? 0,
      bytesRead: c?.bytesRead ?? 0,
      bytesWritten: c?.bytesWritten ?? 0,
    };
    if (!n.name) gn.unnamed = true;
    if (subgraphs.length) gn.subgraphs = subgraphs;
    return gn;
  });
  const outputs = g.outputs.map((v) => tensorOf(v.name, -1));
  return { nodes, tensors, inputs, outputs };
}

/** The values of one small initializer or Constant of the main graph, as the reader decoded them. */
export function tensorValues(model: Model, name: string): TensorValuesResult {
  let t: TensorInfo | undefined = model.graph.initializers.find((x) => x.name === name);
  if (!t)
    for (const n of model.graph.nodes)
      if (n.opType === 'Constant' && n.outputs[0] === name && n.attrs.value?.type === 'tensor') t = n.attrs.value.value;
  if (!t) return { ok: false, name, reason: 'no initializer or Constant of the main graph has this name' };
  if (t.elements > TENSOR_VALUES_MAX)
    return {
      ok: false,
      name,
      reason: `${t.elements} elements: only tensors of at most ${TENSOR_VALUES_MAX} are shown`,
    };
  if (!t.values)
    return {
      ok: false,
      name,
      reason:
        t.data.kind === 'external'
          ? 'its values are in an external data file, which the profiler does not read'
          : 'its values are not decoded for this data type',
    };
  return {
    ok: true,
    name,
    dtype: dtypeName(t.dtype),
    dims: t.dims,
    values: t.values.slice(0, TENSOR_VALUES_MAX),
    truncated: t.values.length > TENSOR_VALUES_MAX,
  };
}
