// com.microsoft mixture-of-experts ops (onnxruntime docs/ContribOperators.md): MoE(input, router_probs,
// fc1_experts_weights [E, fusion*inter, hidden], ..., fc2 [E, hidden, inter], fc3?) and QMoE (the same with
// packed uint8 / fp8 expert weights, scales, zero points). The output has the input's shape and type:
// [tokens, hidden] or [batch, seq, hidden]. router_probs is [tokens, E].
import type { Dim } from '../../../onnx/ir';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { inTensor, tensorOf, type InferCtx } from '../../types';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

const moe = (ctx: InferCtx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const router = inTensor(ctx, 1)?.dims,
    fc1 = inTensor(ctx, 2)?.dims;
  const last = (d: Dim[] | null | undefined) => (d && d.length ? d[d.length - 1] : null);
  const experts = fc1 && fc1.length === 3 ? fc1[0] : null;
  const e = last(router);
  if (typeof experts === 'number' && typeof e === 'number' && experts !== e)
    ctx.fail(`router_probs has ${e} experts, fc1_experts_weights ${experts}`);
  if (x?.dims && x.dims.length !== 2 && x.dims.length !== 3)
    ctx.fail(`input must be 2-D [tokens, hidden] or 3-D [batch, seq, hidden], got rank ${x.dims.length}`);
  return [tensorOf(dtype, x?.dims ? x.dims.slice() : null)];
};
rules.add(['MoE', 'QMoE'], moe, 'com.microsoft');

export const moeRules = rules.rules;
