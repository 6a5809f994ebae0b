// Model-level counts: nodes, op histogram, parameters (the `parameterCount` of ARCHITECTURE.md:
// every element of every stored constant tensor, main graph and subgraphs, initializers and Constant values;
// a block-quantized weight counts its logical elements and its scales / zero points are not parameters,
// onnx/quantized.ts). parameterBytes is what is stored.
import { bytesFor } from './dtypes';
import { forEachGraph, type Model, type Node } from './ir';
import { quantizedTensors } from './quantized';

export interface ModelStats {
  nodeCount: number;
  nodeCountWithSubgraphs: number;
  opHistogram: Record<string, number>;
  initializerCount: number;
  parameterCount: number;
  parameterBytes: number;
  parameterCountByDtype: Record<number, number>;
  /** of parameterCount: logical elements of block-quantized weights (MatMulNBits, GatherBlockQuantized, QMoE) */
  quantizedParamCount: number;
  /** stored bytes of those weights and their scales / zero points: held as stored at any precision */
  quantizedParamBytes: number;
}

/** Elements a Constant node stores as a tensor (`value` / `sparse_value`). The scalar and list forms
 * (value_float, value_ints, ...) are attributes, not stored tensors, and are not counted as parameters. */
export function constantElements(n: Node): { elements: number; dtype: number } | null {
  const v = n.attrs.value;
  if (v?.type === 'tensor') return { elements: v.value.elements, dtype: v.value.dtype };
  const sv = n.attrs.sparse_value;
  if (sv?.type === 'sparse_tensor') return { elements: sv.value.values.elements, dtype: sv.value.values.dtype };
  return null;
}

export function modelStats(m: Model): ModelStats {
  const s: ModelStats = {
    nodeCount: m.graph.nodes.length,
    nodeCountWithSubgraphs: 0,
    opHistogram: {},
    initializerCount: 0,
    parameterCount: 0,
    parameterBytes: 0,
    parameterCountByDtype: {},
    quantizedParamCount: 0,
    quantizedParamBytes: 0,
  };
  const quant = quantizedTensors(m);
  const add = (elements: number, dtype: number, name?: string) => {
    const q = name !== undefined ? quant.get(name) : undefined;
    const count = q ? q.logical : elements;
    const bytes = bytesFor(dtype, elements);
    s.parameterCount += count;
    s.parameterBytes += bytes;
    s.parameterCountByDtype[dtype] = (s.parameterCountByDtype[dtype] ?? 0) + count;
    if (q) {
      s.quantizedParamCount += count;
      s.quantizedParamBytes += bytes;
    }
  };
  const main = m.graph.nodes;
  for (let k = 0; k < main.length; k++) {
    const n = main[k];
    const key = n.domain ? `${n.domain}.${n.opType}` : n.opType;
    s.opHistogram[key] = (s.opHistogram[key] ?? 0) + 1;
  }
  forEachGraph(m.graph, (g) => {
    s.nodeCountWithSubgraphs += g.nodes.length;
    for (let k = 0; k < g.initializers.length; k++) {
      const t = g.initializers[k];
      s.initializerCount++;
      add(t.elements, t.dtype, t.name);
    }
    for (let k = 0; k < g.sparseInitializers.length; k++) {
      const t = g.sparseInitializers[k];
      s.initializerCount++;
      add(t.values.elements, t.values.dtype);
    }
    for (let k = 0; k < g.nodes.length; k++) {
      const n = g.nodes[k];
      if (n.opType === 'Constant' && n.domain === '') {
        const c = constantElements(n);
        if (c) add(c.elements, c.dtype, n.outputs[0]);
      }
    }
  });
  return s;
}
