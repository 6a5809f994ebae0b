// Block-quantized weights of the onnxruntime contrib ops (docs/ContribOperators.md): which stored tensors are
// quantized weights, what their logical element count is, and which are quantization metadata (scales, zero
// points, group indices). A parameter count counts a quantized weight as its logical elements (MatMulNBits:
// K x N; GatherBlockQuantized and QMoE: packed bytes x 8 / bits) and leaves the metadata out; bytes stay as
// stored (the int4 values and their scales are what memory holds).
import { DT } from './dtypes';
import { attrInt, attrString, forEachGraph, type Model, type Node } from './ir';

/** Logical elements one stored element of a block-quantized weight holds: a uint8 packs 8/bits values
 * (bits 2/4), a 4-bit or 8-bit type holds one. */
export function valuesPerElement(dtype: number, bits: number): number {
  return dtype === DT.UINT8 && bits > 0 && bits < 8 && 8 % bits === 0 ? 8 / bits : 1;
}

/** What input `i` of `node` is: a quantized weight (with its logical element count), metadata, or neither. */
export type QuantRole = { kind: 'weight'; logical: (elements: number, dtype: number) => number } | { kind: 'meta' };

const KN = (n: Node) => {
  const k = attrInt(n, 'K', 0),
    nn = attrInt(n, 'N', 0);
  return k > 0 && nn > 0 ? k * nn : undefined;
};

/** QMoE values per stored element: fp4 quant types pack 2 per byte, integer types 8 / expert_weight_bits. */
function qmoeBits(n: Node): number {
  const q = attrString(n, 'quant_type', 'int');
  return q === 'fp4' || q === 'nvfp4' || q === 'wfp4afp8' ? 4 : attrInt(n, 'expert_weight_bits', 4);
}

export function quantRole(node: Node, i: number): QuantRole | undefined {
  if (node.domain !== 'com.microsoft') return undefined;
  switch (node.opType) {
    case 'MatMulNBits': // A, B, scales, zero_points, g_idx, bias
      if (i === 1)
        return {
          kind: 'weight',
          logical: (e, dt) => KN(node) ?? e * valuesPerElement(dt, attrInt(node, 'bits', 4)),
        };
      return i >= 2 && i <= 4 ? { kind: 'meta' } : undefined;
    case 'MatMulBnb4': // A, B (packed 4-bit), absmax
      if (i === 1) return { kind: 'weight', logical: (e) => KN(node) ?? e * 2 };
      return i === 2 ? { kind: 'meta' } : undefined;
    case 'GatherBlockQuantized': // data, indices, scales, zero_points
      if (i === 0) return { kind: 'weight', logical: (e, dt) => e * valuesPerElement(dt, attrInt(node, 'bits', 4)) };
      return i === 2 || i === 3 ? { kind: 'meta' } : undefined;
    case 'QMoE': // input, router, fc1 w/scales/bias, fc2 w/scales/bias, fc3 w/scales/bias, zero points, router weights, global/act scales
      if (i === 2 || i === 5 || i === 8)
        return { kind: 'weight', logical: (e, dt) => e * valuesPerElement(dt, qmoeBits(node)) };
      return i === 3 || i === 6 || i === 9 || (i >= 11 && i <= 13) || i >= 15 ? { kind: 'meta' } : undefined;
  }
  return undefined;
}

/** Ops that pass a tensor through unchanged in content (a packed weight reshaped before GatherBlockQuantized). */
const VIEWS = new Set(['Reshape', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);

export interface QuantizedTensor {
  /** logical elements (0 for metadata) */
  logical: number;
  role: 'weight' | 'meta';
}

/**
 * The stored tensors (initializers and Constant values, every graph) that are quantized weights or their
 * metadata, by name. A weight reached through a view (genai reshapes the tied lm_head weight for its
 * GatherBlockQuantized embedding) is found through it; a tensor used both as a weight and otherwise is a weight.
 */
export function quantizedTensors(m: Model): Map<string, QuantizedTensor> {
  // only com.microsoft ops have quantized roles: most graphs have none, and need no consumer lists
  let contrib = false;
  forEachGraph(m.graph, (g) => {
    if (contrib) return;
    for (const n of g.nodes)
      if (n.domain === 'com.microsoft' && n.inputs.some(Boolean)) {
        contrib = true;
        return;
      }
  });
  if (!contrib) return new Map();
  const consumers = new Map<string, { node: Node; i: number }[]>();
  const stored = new Map<string, { elements: number; dtype: number }>();
  forEachGraph(m.graph, (g) => {
    for (const t of g.initializers) stored.set(t.name, { elements: t.elements, dtype: t.dtype });
    for (const n of g.nodes) {
      n.inputs.forEach((name, i) => {
        if (!name) return;
        let list = consumers.get(name);
        if (!list) consumers.set(name, (list = []));
        list.push({ node: n, i });
      });
      const v = n.opType === 'Constant' && n.domain === '' ? n.attrs.value : undefined;
      if (v?.type === 'tensor' && n.outputs[0])
        stored.set(n.outputs[0], { elements: v.value.elements, dtype: v.value.dtype });
    }
  });
  const out = new Map<string, QuantizedTensor>();
  if (![...consumers.values()].some((l) => l.some((c) => c.node.domain === 'com.microsoft'))) return out;
  for (const [name, t] of stored) {
    let weight: number | undefined;
    let meta = false,
      other = false;
    const seen = new Set<string>();
    const visit = (v: string, depth: number) => {
      if (seen.has(v) || depth > 8) return;
      seen.add(v);
      for (const { node, i } of consumers.get(v) ?? []) {
        const r = quantRole(node, i);
        if (r?.kind === 'weight') {
          const l = r.logical(t.elements, t.dtype);
          // MatMulNBits' K x N wins over a packed-size estimate of the same tied tensor
          if (weight === undefined || node.opType === 'MatMulNBits') weight = l;
        } else if (r?.kind === 'meta') meta = true;
        else if (VIEWS.has(node.opType) && i === 0 && node.outputs[0]) visit(node.outputs[0], depth + 1);
        else other = true;
      }
    };
    visit(name, 0);
    if (weight !== undefined) out.set(name, { logical: weight, role: 'weight' });
    else if (meta && !other) out.set(name, { logical: 0, role: 'meta' });
  }
  return out;
}
