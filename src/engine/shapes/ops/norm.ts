// Normalisations: BatchNormalization (opset forms: 1-13 with mean/var/saved outputs, 14+ with
// training_mode and running stats), InstanceNormalization, LayerNormalization (Mean/InvStdDev in
// stash_type), GroupNormalization, RMSNormalization, LpNormalization, MeanVarianceNormalization, LRN,
// and Dropout (mask output: input type before opset 10, bool since). Shapes per onnx/defs/nn/defs.cc.
import type { Dim } from '../../onnx/ir';
import { attrInt } from '../../onnx/ir';
import { DT } from '../../onnx/dtypes';
import { RuleList } from '../../opTable';
import type { InferFn } from '../types';
import { inInts, inTensor, normAxis, tensorOf, type InferCtx, type Value } from '../types';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

function sameAsInput(ctx: InferCtx): Value | undefined {
  const x = inTensor(ctx, 0);
  return x ? tensorOf(x.dtype, x.dims ? x.dims.slice() : null) : undefined;
}

rules.add('BatchNormalization', (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  const y = tensorOf(x.dtype, x.dims ? x.dims.slice() : null);
  // Statistics have the running mean's shape (C, or C x D1 x ... with spatial=0 before opset 9).
  const mean = inTensor(ctx, 3);
  const c: Dim = x.dims && x.dims.length >= 2 ? x.dims[1] : null;
  const statDims: Dim[] | null = mean?.dims ? mean.dims.slice() : attrInt(ctx.node, 'spatial', 1) === 1 ? [c] : null;
  const stat = () => tensorOf(mean?.dtype || inTensor(ctx, 1)?.dtype || x.dtype, statDims ? statDims.slice() : null);
  // Opset 14+: outputs Y, running_mean, running_var (the last two only in training mode).
  // Before 14: Y, mean, var, saved_mean, saved_var.
  const n = ctx.opset >= 14 ? 3 : 5;
  const outs: (Value | undefined)[] = [y];
  for (let k = 1; k < Math.min(n, ctx.node.outputs.length); k++) outs.push(stat());
  return outs;
});

rules.add(['InstanceNormalization', 'LpNormalization', 'MeanVarianceNormalization'], (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  if (x.dims) {
    const r = x.dims.length;
    if (ctx.node.opType === 'InstanceNormalization' && r < 2)
      ctx.fail(`InstanceNormalization input must be (N, C, ...), got rank ${r}`);
    if (ctx.node.opType === 'LpNormalization') normAxis(attrInt(ctx.node, 'axis', -1), r, ctx);
  }
  return [sameAsInput(ctx)];
});

rules.add('LRN', (ctx) => {
  const size = attrInt(ctx.node, 'size');
  if (size === undefined || size < 1) ctx.fail('LRN needs a positive size attribute');
  return [sameAsInput(ctx)];
});

rules.add('GroupNormalization', (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  const g = attrInt(ctx.node, 'num_groups');
  if (g === undefined || g < 1) return ctx.fail('GroupNormalization needs a positive num_groups attribute');
  const c = x.dims && x.dims.length >= 2 ? x.dims[1] : null;
  if (typeof c === 'number' && c % g !== 0) ctx.fail(`channels ${c} are not divisible by num_groups ${g}`);
  return [sameAsInput(ctx)];
});

rules.add('LayerNormalization', (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  // Mean and InvStdDev are computed in stash_type (default float) over axes [axis, rank).
  const stash = attrInt(ctx.node, 'stash_type', DT.FLOAT);
  const y = tensorOf(x.dtype, x.dims ? x.dims.slice() : null);
  let statDims: Dim[] | null = null;
  if (x.dims) {
    const r = x.dims.length;
    const axis = normAxis(attrInt(ctx.node, 'axis', -1), r, ctx);
    statDims = x.dims.map((d, i) => (i < axis ? d : 1));
  }
  return [y, tensorOf(stash, statDims), tensorOf(stash, statDims ? statDims.slice() : null)];
});

rules.add('RMSNormalization', (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  if (x.dims) normAxis(attrInt(ctx.node, 'axis', -1), x.dims.length, ctx);
  return [sameAsInput(ctx)];
});

/**
 * Whether a Dropout node runs in training mode: only when its training_mode input (opset 12+) is
 * known true; undefined when that input is present but unknown. Older forms are profiled as
 * inference (is_test is ignored, as onnxruntime does for inference sessions).
 */
export function dropoutTraining(
  opset: number,
  hasTrainingInput: boolean,
  trainingMode: number[] | undefined,
): boolean | undefined {
  if (opset < 12 || !hasTrainingInput) return false;
  return trainingMode ? trainingMode[0] !== 0 : undefined;
}

rules.add('Dropout', (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  const training = dropoutTraining(ctx.opset, !!ctx.node.inputs[2], inInts(ctx, 2));
  // In inference Dropout is Identity: the data passes through unchanged.
  const y = tensorOf(
    x.dtype,
    x.dims ? x.dims.slice() : null,
    training === false ? ctx.inputs[0]?.data?.slice() : undefined,
  );
  const mask = tensorOf(ctx.opset >= 10 ? DT.BOOL : x.dtype, x.dims ? x.dims.slice() : null);
  return [y, mask];
});

// ---- onnxruntime normalisations (docs/ContribOperators.md, onnxruntime 1.20+) ----

/** Statistics shape of a normalisation over axes [axis, rank): the leading dims, 1 after. */
function statsDims(ctx: InferCtx, dims: Dim[] | null, axisAttr: number): Dim[] | null {
  if (!dims) return null;
  const axis = normAxis(axisAttr, dims.length, ctx);
  return dims.map((d, i) => (i < axis ? d : 1));
}

// SimplifiedLayerNormalization (RMSNorm; onnxruntime registers it in the ai.onnx domain, since 1):
// X, scale -> Y (X's shape), inv_std_var (stash_type, the statistics shape of axis).
const simplifiedLayerNorm = (ctx: InferCtx): (Value | undefined)[] => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  const stash = attrInt(ctx.node, 'stash_type', DT.FLOAT);
  return [sameAsInput(ctx), tensorOf(stash, statsDims(ctx, x.dims, attrInt(ctx.node, 'axis', -1)))];
};
rules.add('SimplifiedLayerNormalization', simplifiedLayerNorm);
rules.add('SimplifiedLayerNormalization', simplifiedLayerNorm, 'com.microsoft');

// com.microsoft SkipLayerNormalization (input, skip, gamma, beta?, bias?) and
// SkipSimplifiedLayerNormalization (input, skip, gamma, bias?): outputs output (input's shape),
// mean and inv_std_var (float, [B, S, 1]: statistics over the last axis), input_skip_bias_sum (input's shape).
// skip is [B, S, H] or broadcastable [1, S, H] / [S, H]; the input is 3-D [B, S, H] (or 2-D [tokens, H]).
rules.add(
  ['SkipLayerNormalization', 'SkipSimplifiedLayerNormalization'],
  (ctx) => {
    const x = inTensor(ctx, 0);
    if (!x) return [];
    const skip = inTensor(ctx, 1)?.dims;
    const last = (d: Dim[] | null | undefined) => (d && d.length ? d[d.length - 1] : null);
    const h = last(x.dims),
      hs = last(skip);
    if (typeof h === 'number' && typeof hs === 'number' && h !== hs)
      ctx.fail(`skip hidden size ${hs} differs from the input's ${h}`);
    const stats = statsDims(ctx, x.dims, -1);
    return [
      sameAsInput(ctx),
      tensorOf(DT.FLOAT, stats),
      tensorOf(DT.FLOAT, stats ? stats.slice() : null),
      sameAsInput(ctx),
    ];
  },
  'com.microsoft',
);

export const normRules = rules.rules;
