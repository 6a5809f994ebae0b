// Structure-level accounting of unrolled mixture-of-experts graphs: an export that computes every expert FFN
// over every token (and masks the result with the routing weights) does E experts' work, while the model it
// describes routes each token to k of them. FLOPs per token count k of E (the com.microsoft MoE / QMoE op is
// costed that way by its own cost rule, cost/ops/moe.ts). Weights stay whole: every expert is resident.
import type { NodeCost } from '../cost/types';
import type { Dim } from '../onnx/ir';
import { detection } from './pattern';
import type { TransformerSource } from './types';

const leading = (dims: Dim[] | null | undefined) => (dims ? JSON.stringify(dims.slice(0, -1)) : undefined);

/** Scales the FLOPs of unrolled expert projections that run on every token by k / E; returns the note to show,
 * or undefined when the graph has no such experts. */
export function routeUnrolledExperts(src: TransformerSource, costs: NodeCost[]): string | undefined {
  const d = detection(src).found;
  if (!d?.main || !d.moe || d.moe.form !== 'unrolled') return undefined;
  const { experts: E, expertsPerToken: k } = d.structure;
  if (E <= 0 || k <= 0 || k >= E) return undefined;
  const ix = d.ix;
  const dimsOf = (t: string) => {
    const v = ix.values.get(t)?.type;
    return v && v.kind === 'tensor' ? v.dims : undefined;
  };
  let scaled = 0;
  d.blocks.forEach((b, j) => {
    const nodes = d.moe!.expertNodes[j] ?? [];
    // the stream the block's router reads: an expert reading the same token count runs on every token
    const stream = b.ln2 >= 0 ? ix.node(b.ln2).outputs[0] : undefined;
    const all = stream ? leading(dimsOf(stream)) : undefined;
    const ups = nodes.filter((i) => ix.weightOf(i)?.K === d.structure.hidden);
    // dispatched experts (a gathered subset of tokens each) already cost what they run
    if (all === undefined || ups.some((i) => leading(dimsOf(ix.node(i).inputs[0])) !== all)) return;
    for (const i of nodes)
      if (costs[i]) {
        costs[i].flops *= k / E;
        costs[i].note = `expert projection: ${k} of ${E} experts per token`;
        scaled++;
      }
  });
  if (!scaled) return undefined;
  return `mixture of experts: ${scaled} unrolled expert projections run on every token in the graph; FLOPs counted for the ${k} of ${E} experts each token is routed to`;
}
