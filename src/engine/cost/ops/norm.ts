// Costs of normalisations. Convention (docs/COSTS.md "## norm"): a normalisation that computes its own
// statistics costs per element 1 (accumulate the mean) + 3 (subtract, square, accumulate the variance)
// + 2 (subtract the mean, multiply by 1/std) + 1 per affine scale + 1 per affine shift, and per group
// of elements sharing statistics 5 (divide the mean, divide the variance, add epsilon, sqrt, reciprocal).
import { attrInt, attrInts } from '../../onnx/ir';
import { RuleList } from '../../opTable';
import type { CostFn } from '../types';
import { inElems, type CostCtx } from '../types';
import { dropoutTraining } from '../../shapes/ops/norm';

/** This family's cost rules (cost/ops/index.ts builds the table). */
const rules = new RuleList<CostFn>();

export const STATS_PER_ELEMENT = 6; // mean 1 + variance 3 + normalise 2
export const STATS_PER_GROUP = 5; // mean divide, variance divide, add epsilon, sqrt, reciprocal

/** FLOPs of a mean/variance normalisation over `elements` split into `groups`, with optional scale and shift. */
export function statsNormFlops(elements: number, groups: number, scale: boolean, shift: boolean): number {
  return elements * (STATS_PER_ELEMENT + (scale ? 1 : 0) + (shift ? 1 : 0)) + groups * STATS_PER_GROUP;
}

function dimsOf(ctx: CostCtx): number[] {
  return ctx.inputs[0]?.dims ?? [];
}

function normAxisOf(axis: number, rank: number): number {
  return Math.min(Math.max(axis < 0 ? axis + rank : axis, 0), rank);
}

/** Whether BatchNormalization computes batch statistics: training_mode (opset 14+), or extra outputs requested before. */
function batchNormTraining(ctx: CostCtx): boolean {
  if (ctx.opset >= 14) return attrInt(ctx.node, 'training_mode', 0) === 1;
  return ctx.node.outputs.slice(1).some(Boolean);
}

// Inference: y = (x - mean) * (scale / sqrt(var + eps)) + B with the given running statistics:
// 4 per element (subtract, multiply 1/std, scale, shift) + 3 per channel (add eps, sqrt, reciprocal).
// Training mode adds the batch statistics (mean 1 + variance 3 per element, 2 divides per channel)
// and the running-average updates (3 per statistic per channel: two multiplies, one add).
rules.add('BatchNormalization', (ctx) => {
  const n = inElems(ctx);
  const channels = ctx.inputs[1]?.elements ?? dimsOf(ctx)[1] ?? 1;
  if (batchNormTraining(ctx))
    return {
      flops: n * 8 + channels * (3 + 2 + 6),
      note: 'training mode: batch statistics and running-average updates',
    };
  return { flops: n * 4 + channels * 3 };
});

// InstanceNormalization: statistics per (n, c) over the spatial dims, then scale and shift per channel.
rules.add('InstanceNormalization', (ctx) => {
  const d = dimsOf(ctx);
  return { flops: statsNormFlops(inElems(ctx), (d[0] ?? 1) * (d[1] ?? 1), true, true) };
});

// LayerNormalization: statistics over axes [axis, rank); scale always, shift when B is given.
rules.add('LayerNormalization', (ctx) => {
  const d = dimsOf(ctx);
  const axis = normAxisOf(attrInt(ctx.node, 'axis', -1), d.length);
  const groups = d.slice(0, axis).reduce((a, b) => a * b, 1);
  return { flops: statsNormFlops(inElems(ctx), groups, true, !!ctx.node.inputs[2]) };
});

// GroupNormalization: statistics per (n, group), then per-channel scale and shift.
rules.add('GroupNormalization', (ctx) => {
  const d = dimsOf(ctx);
  return { flops: statsNormFlops(inElems(ctx), (d[0] ?? 1) * attrInt(ctx.node, 'num_groups', 1), true, true) };
});

// MeanVarianceNormalization: statistics over `axes` (default [0, 2, 3]), no scale or shift.
rules.add('MeanVarianceNormalization', (ctx) => {
  const d = dimsOf(ctx);
  const axes = (attrInts(ctx.node, 'axes') ?? [0, 2, 3])
    .map((a) => normAxisOf(a, d.length))
    .filter((a) => a < d.length);
  const span = [...new Set(axes)].reduce((p, a) => p * d[a], 1);
  const n = inElems(ctx);
  return { flops: statsNormFlops(n, span > 0 ? n / span : 0, false, false) };
});

// RMSNormalization: per element square, accumulate, multiply by 1/rms, scale (4); per group divide,
// add epsilon, sqrt, reciprocal (4). Groups: the dims before `axis`.
rules.add('RMSNormalization', (ctx) => {
  const d = dimsOf(ctx);
  const axis = normAxisOf(attrInt(ctx.node, 'axis', -1), d.length);
  const groups = d.slice(0, axis).reduce((a, b) => a * b, 1);
  return { flops: inElems(ctx) * 4 + groups * 4 };
});

// LpNormalization: per element |x| or x^2, accumulate, divide (3); p=2 adds a sqrt per vector along `axis`.
rules.add('LpNormalization', (ctx) => {
  const d = dimsOf(ctx);
  const axis = normAxisOf(attrInt(ctx.node, 'axis', -1), d.length);
  const n = inElems(ctx);
  const len = d[axis] ?? 1;
  const vectors = len > 0 ? n / len : 0;
  return { flops: n * 3 + (attrInt(ctx.node, 'p', 2) === 2 ? vectors : 0) };
});

// LRN: per element one square, `size` adds over the channel window, then scale by alpha/size, add
// bias, raise to beta, divide (4): size + 5 per element.
rules.add('LRN', (ctx) => ({ flops: inElems(ctx) * (attrInt(ctx.node, 'size', 1) + 5) }));

// Dropout: Identity in inference (0 FLOPs); in training, per element a random draw, a compare and a scale (3).
rules.add('Dropout', (ctx) => {
  const d = ctx.inputValues[2]?.data;
  const training = dropoutTraining(
    ctx.opset,
    !!ctx.node.inputs[2],
    d && d.every((v): v is number => typeof v === 'number') ? d : undefined,
  );
  if (training === false) return { flops: 0, note: 'inference: Identity' };
  return {
    flops: 3 * inElems(ctx),
    note: training ? 'training mode: mask draw and scale' : 'training_mode unknown: costed as training',
  };
});

// ---- onnxruntime normalisations (com.microsoft contrib ops; SimplifiedLayerNormalization is in ai.onnx) ----

/** Groups sharing statistics over the last axis: every element of the input but the last dim. */
function lastAxisGroups(ctx: CostCtx): number {
  const d = dimsOf(ctx);
  return d.slice(0, -1).reduce((a, b) => a * b, 1);
}

// SimplifiedLayerNormalization = RMSNormalization: 4 per element + 4 per group (groups: dims before `axis`).
const simplifiedCost = (ctx: CostCtx) => {
  const d = dimsOf(ctx);
  const axis = normAxisOf(attrInt(ctx.node, 'axis', -1), d.length);
  const groups = d.slice(0, axis).reduce((a, b) => a * b, 1);
  return { flops: inElems(ctx) * 4 + groups * 4 };
};
rules.add('SimplifiedLayerNormalization', simplifiedCost);
rules.add('SimplifiedLayerNormalization', simplifiedCost, 'com.microsoft');

// Skip(Simplified)LayerNormalization: the residual add input + skip (1 per element), + bias (1 per element
// when given), then LayerNorm (7, 8 with beta; 5 per group) or RMSNorm (4; 4 per group) over the last axis.
rules.add(
  'SkipLayerNormalization',
  (ctx) => {
    const n = inElems(ctx);
    const adds = n * (1 + (ctx.node.inputs[4] ? 1 : 0));
    return { flops: adds + statsNormFlops(n, lastAxisGroups(ctx), true, !!ctx.node.inputs[3]) };
  },
  'com.microsoft',
);
rules.add(
  'SkipSimplifiedLayerNormalization',
  (ctx) => {
    const n = inElems(ctx);
    const adds = n * (1 + (ctx.node.inputs[3] ? 1 : 0));
    return { flops: adds + n * 4 + lastAxisGroups(ctx) * 4 };
  },
  'com.microsoft',
);

export const normCosts = rules.rules;
