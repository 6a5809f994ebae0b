// Pooling: MaxPool (optional Indices output, int64), AveragePool, LpPool, the Global* pools,
// MaxUnpool, MaxRoiPool, RoiAlign. Attributes absent in older opsets (ceil_mode before 10,
// dilations before 10/19/18) simply read as their defaults.
import type { Dim } from '../../../onnx/ir';
import { attrInt, attrInts } from '../../../onnx/ir';
import { DT } from '../../../onnx/dtypes';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { checkRank, inData, inTensor, tensorOf, type InferCtx, type Value } from '../../types';
import { dimAdd, dimMul, dimSub } from '../../dims';
import { spatialOut, windowAttrs } from './window';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

function pool(ctx: InferCtx): Value[] {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const indices = ctx.node.outputs.length > 1 ? [tensorOf(DT.INT64, null)] : [];
  if (!x?.dims) return [tensorOf(dtype, null), ...indices];
  const rank = x.dims.length;
  if (rank < 3) ctx.fail(`input must have rank >= 3 (N, C, spatial...), got rank ${rank}`);
  const win = windowAttrs(ctx, rank - 2);
  if (!win) ctx.fail('kernel_shape attribute is required');
  const dims = [x.dims[0], x.dims[1], ...spatialOut(ctx, x.dims.slice(2), win)];
  return [tensorOf(dtype, dims), ...(indices.length ? [tensorOf(DT.INT64, dims.slice())] : [])];
}
rules.add(['MaxPool', 'AveragePool', 'LpPool'], pool);

function globalPool(ctx: InferCtx): Value[] {
  const x = inTensor(ctx, 0);
  if (!x?.dims) return [tensorOf(x?.dtype ?? 0, null)];
  if (x.dims.length < 2) ctx.fail(`input must have rank >= 2, got rank ${x.dims.length}`);
  return [tensorOf(x.dtype, [x.dims[0], x.dims[1], ...x.dims.slice(2).map(() => 1)])];
}
rules.add(['GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool'], globalPool);

// MaxUnpool(X, I, output_shape?): the output_shape input (full shape) wins when its values are known;
// otherwise out = (in-1)*stride + kernel - pad_begin - pad_end (Operators.md MaxUnpool).
rules.add('MaxUnpool', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  if (ctx.node.inputs[2]) {
    const shape = inData(ctx, 2);
    if (shape) return [tensorOf(dtype, shape.slice())];
    const len = inTensor(ctx, 2)?.dims?.[0];
    if (typeof len === 'number') checkRank(len, 'output_shape length (the output rank)');
    return [tensorOf(dtype, typeof len === 'number' ? new Array<Dim>(len).fill(null) : null)];
  }
  if (!x?.dims) return [tensorOf(dtype, null)];
  const n = x.dims.length - 2;
  if (n < 1) ctx.fail(`input must have rank >= 3, got rank ${x.dims.length}`);
  const kernel = attrInts(ctx.node, 'kernel_shape');
  if (!kernel || kernel.length !== n) return ctx.fail(`kernel_shape must have ${n} values`);
  const strides = attrInts(ctx.node, 'strides') ?? new Array<number>(n).fill(1);
  const pads = attrInts(ctx.node, 'pads') ?? new Array<number>(2 * n).fill(0);
  const spatial = x.dims
    .slice(2)
    .map((d, i) => dimAdd(dimMul(dimSub(d, 1), strides[i]), kernel[i] - pads[i] - pads[i + n]));
  return [tensorOf(dtype, [x.dims[0], x.dims[1], ...spatial])];
});

// MaxRoiPool(X [N,C,H,W], rois [num_rois,5]) -> [num_rois, C, pooled_h, pooled_w]
rules.add('MaxRoiPool', (ctx) => {
  const x = inTensor(ctx, 0);
  const rois = inTensor(ctx, 1)?.dims;
  const pooled = attrInts(ctx.node, 'pooled_shape');
  if (!pooled || pooled.length !== 2) return ctx.fail('pooled_shape must have 2 values');
  return [tensorOf(x?.dtype ?? 0, [rois ? rois[0] : null, x?.dims ? x.dims[1] : null, pooled[0], pooled[1]])];
});

// RoiAlign(X [N,C,H,W], rois [num_rois,4], batch_indices [num_rois]) -> [num_rois, C, output_height, output_width]
rules.add('RoiAlign', (ctx) => {
  const x = inTensor(ctx, 0);
  const rois = inTensor(ctx, 1)?.dims ?? inTensor(ctx, 2)?.dims;
  return [
    tensorOf(x?.dtype ?? 0, [
      rois ? rois[0] : null,
      x?.dims ? x.dims[1] : null,
      attrInt(ctx.node, 'output_height', 1),
      attrInt(ctx.node, 'output_width', 1),
    ]),
  ];
});

export const poolRules = rules.rules;
