// Names a graph reads from enclosing scopes: shape inference seeds subgraph bodies with them, and branch
// selection tells which graph inputs only one If branch reads.
import type { Graph } from '../onnx/ir';

/** Inputs of a graph's nodes and nested subgraphs that the graph itself does not define. */
export function outerReferences(g: Graph): Set<string> {
  const local = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.map((t) => t.name)]);
  for (const n of g.nodes) for (const o of n.outputs) local.add(o);
  const out = new Set<string>();
  for (const n of g.nodes) {
    for (const i of n.inputs) if (i && !local.has(i)) out.add(i);
    for (const a of Object.values(n.attrs)) {
      const gs = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
      for (const sg of gs) for (const r of outerReferences(sg)) if (!local.has(r)) out.add(r);
    }
  }
  return out;
}
