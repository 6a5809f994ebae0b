// Per-node facts of an analysed model (name, op, FLOPs, bytes, layer, tensors, output dims): what a measured
// profile's nodes are matched by (match.ts) and what splits a layer's predicted time over its nodes (compare.ts).
import type { Analysis } from '../engine/hardware/types';
import type { ShapeResult } from '../engine/shapes/infer';
import type { NodeFacts } from '../shared/protocol';

/** The first output's dims when every one is a number (what onnxruntime's profile reports), else undefined. */
function knownDims(analysis: { shapes: ShapeResult }, tensor: string | undefined): number[] | undefined {
  const t = tensor ? analysis.shapes.main.values.get(tensor)?.type : undefined;
  if (!t || t.kind !== 'tensor' || !t.dims || !t.dims.every((d) => typeof d === 'number')) return undefined;
  return t.dims as number[];
}

export function nodeFactsOf(analysis: Analysis): NodeFacts[] {
  const nodes: NodeFacts[] = [];
  analysis.layers.forEach((l, li) => {
    for (const ni of l.nodeIndices) {
      const n = analysis.model.graph.nodes[ni];
      const c = analysis.nodeCosts[ni];
      if (n && c)
        nodes.push({
          name: n.name,
          opType: n.opType,
          flops: c.flops,
          bytes: c.bytesRead + c.bytesWritten,
          layer: li,
          inputs: n.inputs,
          outputs: n.outputs,
          outputDims: knownDims(analysis, n.outputs[0]),
        });
    }
  });
  return nodes;
}
