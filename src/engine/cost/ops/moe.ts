// Costs of the com.microsoft mixture-of-experts ops MoE and QMoE (docs/COSTS.md "## moe"). Each token runs
// k of the E experts (attribute k): per active expert 2 FLOPs per logical weight of its FC1 (+ FC3) and FC2,
// the bias adds, and the activation on the inter_size hidden units; per token the router softmax over E,
// the top-k selection, the routing-weight normalisation and the weighted sum of the k expert outputs.
// Memory: every expert's weights are parameters (paramBytes); the weights a step reads are those of the
// experts its tokens select: with T tokens each choosing k of E uniformly, E * (1 - (1 - k/E)^T) distinct
// experts in expectation (all of them once T*k >> E).
import { attrFloat, attrInt, attrString } from '../../onnx/ir';
import { RuleList } from '../../opTable';
import type { CostFn } from '../types';
import type { CostCtx, NumTensor } from '../types';
import { valuesPerElement } from '../../onnx/quantized';

/** This family's cost rules (cost/ops/index.ts builds the table). */
const rules = new RuleList<CostFn>();

const SOFTMAX = 5; // the reduce family's Softmax, per element
const ACTIVATION: Record<string, number> = {
  identity: 0,
  relu: 1,
  gelu: 8, // the elementwise family's Gelu
  silu: 5, // sigmoid 4 + multiply
  swiglu: 8, // silu(alpha * g) 6 + (l + beta) 1 + multiply 1
};

/** Expert weight inputs (FC1, FC2, FC3) and their bias inputs, by op. */
const LAYOUT = {
  MoE: { weights: [2, 4, 6], biases: [3, 5, 7] },
  QMoE: { weights: [2, 5, 8], biases: [4, 7, 10] },
} as const;

/** Logical weights of one QMoE weight tensor: uint8 packs 8/bits integers or two fp4 values; fp8 is one per byte. */
function logicalElements(ctx: CostCtx, t: NumTensor): number {
  if (ctx.node.opType !== 'QMoE') return t.elements;
  const q = attrString(ctx.node, 'quant_type', 'int');
  const bits = q === 'fp4' || q === 'nvfp4' || q === 'wfp4afp8' ? 4 : attrInt(ctx.node, 'expert_weight_bits', 4);
  return t.elements * valuesPerElement(t.dtype, bits);
}

export interface MoeShape {
  tokens: number;
  hidden: number;
  experts: number;
  k: number;
  /** logical weights of one expert (FC1 + FC2 + FC3) */
  expertWeights: number;
  inter: number;
}

export function moeShape(ctx: CostCtx): MoeShape {
  const layout = LAYOUT[ctx.node.opType as 'MoE' | 'QMoE'] ?? LAYOUT.MoE;
  const x = ctx.inputs[0]?.dims ?? [];
  const hidden = x[x.length - 1] ?? 1;
  const tokens = hidden > 0 ? (ctx.inputs[0]?.elements ?? 0) / hidden : 0;
  const fc1 = ctx.inputs[layout.weights[0]];
  const experts = Math.max(1, fc1?.dims[0] ?? ctx.inputs[1]?.dims.at(-1) ?? 1);
  const k = Math.min(experts, Math.max(1, attrInt(ctx.node, 'k', 1)));
  let all = 0;
  for (const i of layout.weights) {
    const t = ctx.node.inputs[i] ? ctx.inputs[i] : undefined;
    if (t) all += logicalElements(ctx, t);
  }
  const fc2 = ctx.inputs[layout.weights[1]];
  const inter = fc2 && hidden > 0 ? logicalElements(ctx, fc2) / experts / hidden : 0;
  return { tokens, hidden, experts, k, expertWeights: all / experts, inter };
}

const moeCost = (ctx: CostCtx) => {
  const layout = LAYOUT[ctx.node.opType as 'MoE' | 'QMoE'] ?? LAYOUT.MoE;
  const s = moeShape(ctx);
  const biasPerExpert = layout.biases.reduce((a, i) => {
    const t = ctx.node.inputs[i] ? ctx.inputs[i] : undefined;
    return a + (t ? t.elements / s.experts : 0);
  }, 0);
  const act = attrString(ctx.node, 'activation_type', 'relu');
  const clamp = act === 'swiglu' && attrFloat(ctx.node, 'swiglu_limit', 0) > 0 ? 3 : 0;
  const perExpert = 2 * s.expertWeights + biasPerExpert + s.inter * ((ACTIVATION[act] ?? 1) + clamp);
  const topk = s.experts * Math.max(1, Math.ceil(Math.log2(s.k))); // the tensor family's TopK
  const normalize = attrInt(ctx.node, 'normalize_routing_weights', 0) ? 2 * s.k : 0;
  const router = SOFTMAX * s.experts + topk + normalize;
  const combine = 2 * s.k * s.hidden;
  const flops = s.tokens * (s.k * perExpert + router + combine);
  // weights read: the experts the step's tokens select (expected distinct count), plus the activations
  const touched = s.experts * (1 - Math.pow(1 - s.k / s.experts, s.tokens));
  let weightBytes = 0,
    actBytes = 0;
  ctx.inputs.forEach((t) => {
    if (!t) return;
    if (t.constant) weightBytes += t.bytes;
    else actBytes += t.bytes;
  });
  const read = actBytes + (weightBytes * touched) / s.experts;
  return {
    flops,
    bytesRead: read,
    note: `${s.k} of ${s.experts} experts per token (${s.tokens} tokens): FLOPs for the active experts; weights read for about ${touched.toFixed(1)} experts`,
  };
};
rules.add(['MoE', 'QMoE'], moeCost, 'com.microsoft');

export const moeCosts = rules.rules;
