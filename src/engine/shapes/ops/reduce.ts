// Reductions and the ops that reduce or scan along axes: Reduce* (axes attribute before opset 18,
// ReduceSum before 13; an input since), ArgMax/ArgMin, CumSum/CumProd, Softmax/LogSoftmax/Hardmax,
// NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss, Det. Shapes follow the ONNX operator specs
// (onnx/defs/reduction/defs.cc, math/defs.cc). Small integer data (e.g. ReduceProd of a Shape,
// ArgMax of a constant) is computed so shape arithmetic stays concrete.
import type { Dim } from '../../onnx/ir';
import { attrInt, attrInts, attrString } from '../../onnx/ir';
import { DT, dtypeInfo } from '../../onnx/dtypes';
import { RuleList } from '../../opTable';
import type { InferFn } from '../types';
import { DATA_MAX, inInts, inTensor, normAxis, tensorOf, type InferCtx, type Value } from '../types';
import { dimAdd, dimMul } from '../dims';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

export const REDUCE_OPS = [
  'ReduceSum',
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'ReduceProd',
  'ReduceL1',
  'ReduceL2',
  'ReduceLogSum',
  'ReduceLogSumExp',
  'ReduceSumSquare',
];
export const SOFTMAX_OPS = ['Softmax', 'LogSoftmax', 'Hardmax'];

/** First opset in which the op takes `axes` as its second input instead of an attribute. */
export function axesInputSince(op: string): number {
  return op === 'ReduceSum' ? 13 : 18;
}

/**
 * The axes a Reduce* node reduces: a sorted list of normalised axes, 'all' (no axes given),
 * 'none' (empty axes with noop_with_empty_axes=1: the op is Identity), or 'unknown' (an axes input
 * whose values are not known). `count` is the number of axes when only the axes input's length is known.
 */
export type ReduceAxes =
  { kind: 'axes'; axes: number[] } | { kind: 'all' } | { kind: 'none' } | { kind: 'unknown'; count?: number };

export function reduceAxes(ctx: InferCtx, rank: number | null): ReduceAxes {
  const node = ctx.node;
  const fromInput = ctx.opset >= axesInputSince(node.opType) && !!node.inputs[1];
  // Some exporters keep the attribute at new opsets; accept it when there is no axes input.
  let raw: number[] | undefined = fromInput ? inInts(ctx, 1) : attrInts(node, 'axes');
  if (fromInput && raw === undefined) {
    const ad = inTensor(ctx, 1)?.dims;
    const n = ad && ad.length === 1 && typeof ad[0] === 'number' ? ad[0] : ad && ad.length === 0 ? 1 : undefined;
    if (n === 0) raw = [];
    else return { kind: 'unknown', count: n };
  }
  if (!raw || raw.length === 0) {
    // noop_with_empty_axes exists from the opset where axes became an input
    const noop = ctx.opset >= axesInputSince(node.opType) && attrInt(node, 'noop_with_empty_axes', 0) === 1;
    return noop ? { kind: 'none' } : { kind: 'all' };
  }
  if (rank === null) return { kind: 'unknown', count: new Set(raw).size };
  const axes = [...new Set(raw.map((a) => normAxis(a, rank, ctx)))].sort((a, b) => a - b);
  return { kind: 'axes', axes };
}

/** Output dims of a reduction over `axes` of `dims`. */
function reducedDims(dims: Dim[], axes: number[], keep: boolean): Dim[] {
  const out: Dim[] = [];
  dims.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

type Combine = (a: Dim, b: Dim) => Dim;
const numeric =
  (f: (x: number, y: number) => number): Combine =>
  (a, b) =>
    typeof a === 'number' && typeof b === 'number' ? f(a, b) : null;

/** Reductions whose result on small integer data we compute (symbolically for Sum/Prod). */
const DATA_COMBINE: Partial<Record<string, Combine>> = {
  ReduceSum: dimAdd,
  ReduceProd: dimMul,
  ReduceMax: (a, b) => (a === b ? a : numeric(Math.max)(a, b)),
  ReduceMin: (a, b) => (a === b ? a : numeric(Math.min)(a, b)),
};

/**
 * Reduces known data (row-major, numeric dims) over axes; `fold` combines along the reduced
 * positions, `finish` maps each reduced group (e.g. the mean's division). Undefined when it cannot.
 */
function reduceData(
  dims: Dim[],
  data: Dim[],
  axes: number[],
  fold: Combine,
  finish?: (acc: Dim, n: number) => Dim,
): Dim[] | undefined {
  if (!dims.every((d): d is number => typeof d === 'number')) return undefined;
  const shape = dims as number[];
  const total = shape.reduce((a, b) => a * b, 1);
  if (total !== data.length || total === 0) return undefined;
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outN = outShape.reduce((a, b) => a * b, 1);
  const acc: (Dim | undefined)[] = new Array(outN).fill(undefined);
  const strides = outShape.map((_, i) => outShape.slice(i + 1).reduce((a, b) => a * b, 1));
  const idx = new Array(shape.length).fill(0);
  for (let k = 0; k < total; k++) {
    let o = 0;
    for (let i = 0; i < shape.length; i++) if (!axes.includes(i)) o += idx[i] * strides[i];
    const v = data[k];
    acc[o] = acc[o] === undefined ? v : acc[o] === null || v === null ? null : fold(acc[o] as Dim, v);
    for (let i = shape.length - 1; i >= 0; i--) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
  const n = total / outN;
  return acc.map((a) => (a === undefined || a === null ? null : finish ? finish(a, n) : a));
}

rules.add(REDUCE_OPS, (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  const keep = attrInt(ctx.node, 'keepdims', 1) !== 0;
  const rank = x.dims ? x.dims.length : null;
  const ax = reduceAxes(ctx, rank);
  if (ax.kind === 'none') return [tensorOf(x.dtype, x.dims ? x.dims.slice() : null, ctx.inputs[0]?.data?.slice())];
  if (ax.kind === 'all' && (!keep || !x.dims)) {
    if (keep) return [tensorOf(x.dtype, null)];
    return [tensorOf(x.dtype, [], dataAll(ctx))];
  }
  if (!x.dims) return [tensorOf(x.dtype, null)];
  if (ax.kind === 'unknown') {
    // keepdims: same rank, a reduced axis becomes 1, so only dims that are already 1 are certain.
    if (keep)
      return [
        tensorOf(
          x.dtype,
          x.dims.map((d) => (d === 1 ? 1 : null)),
        ),
      ];
    return [
      tensorOf(
        x.dtype,
        ax.count !== undefined && ax.count <= x.dims.length ? new Array(x.dims.length - ax.count).fill(null) : null,
      ),
    ];
  }
  const axes = ax.kind === 'all' ? x.dims.map((_, i) => i) : ax.axes;
  const dims = reducedDims(x.dims, axes, keep);
  const fold = DATA_COMBINE[ctx.node.opType];
  const data = ctx.inputs[0]?.data;
  const out = fold && data ? reduceData(x.dims, data, axes, fold) : meanData(ctx, x.dims, axes);
  return [tensorOf(x.dtype, dims, out && out.length <= DATA_MAX ? out : undefined)];
});

/** Data of a full reduction to a scalar. */
function dataAll(ctx: InferCtx): Dim[] | undefined {
  const x = inTensor(ctx, 0),
    data = ctx.inputs[0]?.data;
  if (!x?.dims || !data) return undefined;
  const fold = DATA_COMBINE[ctx.node.opType];
  const axes = x.dims.map((_, i) => i);
  return fold ? reduceData(x.dims, data, axes, fold) : meanData(ctx, x.dims, axes);
}

/** ReduceMean of known numeric data (exact integer division for integer types, as onnxruntime). */
function meanData(ctx: InferCtx, dims: Dim[], axes: number[]): Dim[] | undefined {
  const data = ctx.inputs[0]?.data;
  if (ctx.node.opType !== 'ReduceMean' || !data) return undefined;
  const isInt = !dtypeInfo(inTensor(ctx, 0)?.dtype ?? 0)?.float;
  return reduceData(
    dims,
    data,
    axes,
    numeric((a, b) => a + b),
    (s, n) => (typeof s === 'number' ? (isInt ? Math.trunc(s / n) : s / n) : null),
  );
}

rules.add(['ArgMax', 'ArgMin'], (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  const keep = attrInt(ctx.node, 'keepdims', 1) !== 0;
  if (!x.dims) return [tensorOf(DT.INT64, null)];
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), x.dims.length, ctx);
  const dims = reducedDims(x.dims, [axis], keep);
  return [tensorOf(DT.INT64, dims, argData(ctx, x.dims, axis))];
});

/** ArgMax/ArgMin of known numeric data along one axis (first index of the extreme, or last with select_last_index). */
function argData(ctx: InferCtx, dims: Dim[], axis: number): Dim[] | undefined {
  const data = ctx.inputs[0]?.data;
  if (
    !data ||
    !data.every((v): v is number => typeof v === 'number') ||
    !dims.every((d): d is number => typeof d === 'number')
  )
    return undefined;
  const shape = dims as number[];
  if (shape[axis] === 0 || shape.reduce((a, b) => a * b, 1) !== data.length) return undefined;
  const max = ctx.node.opType === 'ArgMax';
  const last = attrInt(ctx.node, 'select_last_index', 0) === 1;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = shape[axis];
  const out: Dim[] = [];
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let best = 0;
      for (let k = 1; k < n; k++) {
        const v = data[(o * n + k) * inner + i],
          b = data[(o * n + best) * inner + i];
        if (max ? v > b || (last && v === b) : v < b || (last && v === b)) best = k;
      }
      out.push(best);
    }
  return out;
}

rules.add(['CumSum', 'CumProd'], (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  const axisData = inInts(ctx, 1);
  if (x.dims && axisData && axisData.length === 1) normAxis(axisData[0], x.dims.length, ctx);
  let data: Dim[] | undefined;
  const src = ctx.inputs[0]?.data;
  // 1-D integer data (shape arithmetic): computed, honouring exclusive and reverse.
  if (src && x.dims && x.dims.length === 1 && src.length === x.dims[0]) {
    const f: Combine = ctx.node.opType === 'CumSum' ? dimAdd : dimMul;
    const exclusive = attrInt(ctx.node, 'exclusive', 0) === 1,
      reverse = attrInt(ctx.node, 'reverse', 0) === 1;
    const seq = reverse ? src.slice().reverse() : src;
    let acc: Dim = ctx.node.opType === 'CumSum' ? 0 : 1;
    const res: Dim[] = seq.map((v) => {
      const before = acc;
      acc = acc === null || v === null ? null : f(acc, v);
      return exclusive ? before : acc;
    });
    data = reverse ? res.reverse() : res;
  }
  return [tensorOf(x.dtype, x.dims ? x.dims.slice() : null, data)];
});

rules.add(SOFTMAX_OPS, (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  // Before opset 13 the input is coerced to 2-D at `axis` (default 1); since 13 one axis (default -1).
  // Either way the output has the input's shape; only the axis range is checked.
  const axis = attrInt(ctx.node, 'axis', ctx.opset >= 13 ? -1 : 1);
  if (x.dims) {
    const r = x.dims.length;
    if (ctx.opset >= 13 || axis < 0 || axis > r) normAxis(axis, Math.max(r, 1), ctx);
  }
  return [tensorOf(x.dtype, x.dims ? x.dims.slice() : null)];
});

/** Loss output dims: the per-sample shape (N, d1, ..., dk) for reduction 'none', else a scalar. */
function lossDims(ctx: InferCtx, reduction: string): Dim[] | null {
  if (!['none', 'mean', 'sum'].includes(reduction)) ctx.fail(`unknown reduction '${reduction}'`);
  if (reduction !== 'none') return [];
  const target = inTensor(ctx, 1)?.dims;
  if (target) return target.slice();
  const x = inTensor(ctx, 0)?.dims;
  return x && x.length >= 2 ? [x[0], ...x.slice(2)] : null;
}

function checkLossInputs(ctx: InferCtx): void {
  const x = inTensor(ctx, 0)?.dims,
    t = inTensor(ctx, 1)?.dims;
  if (x && x.length < 2) ctx.fail(`input must be (N, C, d1, ..., dk), got rank ${x.length}`);
  if (x && t && t.length !== x.length - 1)
    ctx.fail(`target rank ${t.length} does not match input rank ${x.length} (expected ${x.length - 1})`);
}

rules.add('NegativeLogLikelihoodLoss', (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  checkLossInputs(ctx);
  return [tensorOf(x.dtype, lossDims(ctx, attrString(ctx.node, 'reduction', 'mean')))];
});

rules.add('SoftmaxCrossEntropyLoss', (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  checkLossInputs(ctx);
  const loss = tensorOf(x.dtype, lossDims(ctx, attrString(ctx.node, 'reduction', 'mean')));
  // optional second output: log_prob, the scores' shape
  const logProb: Value = tensorOf(x.dtype, x.dims ? x.dims.slice() : null);
  return [loss, logProb];
});

rules.add('Det', (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  if (!x.dims) return [tensorOf(x.dtype, null)];
  const r = x.dims.length;
  if (r < 2) ctx.fail(`Det needs a tensor of rank >= 2, got rank ${r}`);
  const [m, n] = x.dims.slice(r - 2);
  if (typeof m === 'number' && typeof n === 'number' && m !== n) ctx.fail(`Det needs square matrices, got ${m}x${n}`);
  return [tensorOf(x.dtype, x.dims.slice(0, r - 2))];
});

export const reduceRules = rules.rules;
