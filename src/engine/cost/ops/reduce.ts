// Costs of reductions, scans, the softmax family, losses and Det. Conventions (docs/COSTS.md "## reduce"):
// a reduction is 1 FLOP per input element for its accumulate step, plus the per-element and per-output
// extras of its formula; softmax is 5 FLOPs per element (max, subtract, exp, sum, divide).
import { attrInt, attrString } from '../../onnx/ir';
import { RuleList } from '../../opTable';
import type { CostFn } from '../types';
import { inElems, outElems, type CostCtx } from '../types';
import { REDUCE_OPS, SOFTMAX_OPS, axesInputSince } from '../../shapes/ops/reduce';

/** This family's cost rules (cost/ops/index.ts builds the table). */
const rules = new RuleList<CostFn>();

/** [FLOPs per input element, FLOPs per output element] of each Reduce* op. */
export const REDUCE_FLOPS: Record<string, [number, number]> = {
  ReduceSum: [1, 0], // add
  ReduceMax: [1, 0], // compare
  ReduceMin: [1, 0],
  ReduceProd: [1, 0], // multiply
  ReduceMean: [1, 1], // add; divide by the count
  ReduceL1: [2, 0], // abs, add
  ReduceL2: [2, 1], // square, add; sqrt
  ReduceSumSquare: [2, 0], // square, add
  ReduceLogSum: [1, 1], // add; log
  ReduceLogSumExp: [4, 2], // stable form: max, subtract max, exp, add; log, add max back
};

/** True when the node is Identity: empty axes with noop_with_empty_axes=1 (where that attribute exists). */
function reduceIsNoop(ctx: CostCtx): boolean {
  const node = ctx.node;
  if (ctx.opset < axesInputSince(node.opType) || attrInt(node, 'noop_with_empty_axes', 0) !== 1) return false;
  if (!node.inputs[1]) return true;
  const d = ctx.inputValues[1]?.data;
  return d !== undefined && d.length === 0;
}

rules.add(REDUCE_OPS, (ctx) => {
  if (reduceIsNoop(ctx)) return { flops: 0, note: 'empty axes with noop_with_empty_axes: Identity' };
  const [perIn, perOut] = REDUCE_FLOPS[ctx.node.opType];
  return { flops: perIn * inElems(ctx) + perOut * outElems(ctx) };
});

// ArgMax/ArgMin: one compare per input element. CumSum/CumProd: one add/multiply per element.
rules.add(['ArgMax', 'ArgMin'], (ctx) => ({ flops: inElems(ctx) }));
rules.add(['CumSum', 'CumProd'], (ctx) => ({ flops: outElems(ctx) }));

/** Length of the softmax "row": the axis (opset 13+) or everything from the axis on (coerced 2-D before 13). */
export function softmaxRowLength(ctx: CostCtx, axisDefault?: number): number {
  const dims = ctx.inputs[0]?.dims ?? [];
  if (dims.length === 0) return 1;
  const dflt = axisDefault ?? (ctx.opset >= 13 ? -1 : 1);
  let axis = attrInt(ctx.node, 'axis', dflt);
  if (axis < 0) axis += dims.length;
  axis = Math.min(Math.max(axis, 0), dims.length);
  if (ctx.opset >= 13 || axisDefault !== undefined) return dims[axis] ?? 1;
  return dims.slice(axis).reduce((a, b) => a * b, 1);
}

/** Softmax 5/element; LogSoftmax 5/element (max, subtract, exp, sum, subtract log-sum) + 1 log per row; Hardmax 1 compare/element. */
export function softmaxFlops(op: string, elements: number, rowLength: number): number {
  if (op === 'Hardmax') return elements;
  const rows = rowLength > 0 ? elements / rowLength : 0;
  return op === 'LogSoftmax' ? 5 * elements + rows : 5 * elements;
}

rules.add(SOFTMAX_OPS, (ctx) => ({ flops: softmaxFlops(ctx.node.opType, inElems(ctx), softmaxRowLength(ctx)) }));

/**
 * NLL over t target elements: 1 (pick and negate) per element, +1 with class weights (multiply);
 * 'sum' adds 1 per element, 'mean' adds 1 per element (and 1 more summing the weights) + 1 divide.
 */
export function nllFlops(targets: number, weighted: boolean, reduction: string): number {
  let f = targets * (1 + (weighted ? 1 : 0));
  if (reduction === 'sum') f += targets;
  if (reduction === 'mean') f += targets * (weighted ? 2 : 1) + 1;
  return f;
}

rules.add('NegativeLogLikelihoodLoss', (ctx) => ({
  flops: nllFlops(inElems(ctx, 1), !!ctx.node.inputs[2], attrString(ctx.node, 'reduction', 'mean')),
}));

// SoftmaxCrossEntropyLoss = LogSoftmax over the class axis (1) + NLL on the labels.
rules.add('SoftmaxCrossEntropyLoss', (ctx) => ({
  flops:
    softmaxFlops('LogSoftmax', inElems(ctx), softmaxRowLength(ctx, 1)) +
    nllFlops(inElems(ctx, 1), !!ctx.node.inputs[2], attrString(ctx.node, 'reduction', 'mean')),
}));

// Det: LU factorisation 2n^3/3 FLOPs (Golub & Van Loan, Matrix Computations, sec. 3.2) + n-1 multiplies of the diagonal, per matrix.
rules.add('Det', (ctx) => {
  const dims = ctx.inputs[0]?.dims ?? [];
  const n = dims.length >= 2 ? dims[dims.length - 1] : 0;
  const matrices = dims.slice(0, -2).reduce((a, b) => a * b, 1);
  return { flops: matrices * (Math.round((2 * n ** 3) / 3) + Math.max(n - 1, 0)) };
});

export const reduceCosts = rules.rules;
