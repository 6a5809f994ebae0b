// Quantization: QuantizeLinear, DequantizeLinear (per-tensor, per-axis, blocked), DynamicQuantizeLinear.
// Output dims equal x's; the dtype rules follow Operators.md by opset:
//  QuantizeLinear: y_zero_point's type when given, else output_dtype (opset >= 21), else UINT8.
//  DequantizeLinear: FLOAT before opset 19; then x_scale's type; output_dtype (opset >= 23) overrides.
import { attrInt } from '../../../onnx/ir';
import { DT } from '../../../onnx/dtypes';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { inTensor, normAxis, tensorOf, type InferCtx } from '../../types';
import { dimMul } from '../../dims';
import { valuesPerElement } from '../../../onnx/quantized';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

/** Checks scale/zero-point shapes against x for the per-axis and blocked forms. */
function checkScale(ctx: InferCtx): void {
  const x = inTensor(ctx, 0)?.dims,
    s = inTensor(ctx, 1)?.dims;
  if (!x || !s || s.length === 0 || (s.length === 1 && s[0] === 1)) return;
  const block = attrInt(ctx.node, 'block_size', 0);
  const axis = normAxis(attrInt(ctx.node, 'axis', 1), x.length, ctx);
  if (block > 0) {
    if (s.length !== x.length) ctx.fail(`blocked quantization: scale rank ${s.length} != input rank ${x.length}`);
    const want = typeof x[axis] === 'number' ? Math.ceil((x[axis] as number) / block) : null;
    if (want !== null && typeof s[axis] === 'number' && s[axis] !== want)
      ctx.fail(
        `blocked quantization: scale has ${s[axis]} blocks on axis ${axis}, want ceil(${x[axis]}/${block}) = ${want}`,
      );
  } else if (s.length === 1 && typeof s[0] === 'number' && typeof x[axis] === 'number' && s[0] !== x[axis]) {
    ctx.fail(`per-axis quantization: scale has ${s[0]} values, axis ${axis} has ${x[axis]}`);
  }
}

const quantize = (ctx: InferCtx) => {
  const x = inTensor(ctx, 0);
  checkScale(ctx);
  const zp = ctx.node.inputs[2] ? inTensor(ctx, 2) : undefined;
  const outAttr = attrInt(ctx.node, 'output_dtype', 0);
  const dtype = zp?.dtype || (outAttr ? outAttr : DT.UINT8);
  return [tensorOf(dtype, x?.dims ? x.dims.slice() : null)];
};
rules.add('QuantizeLinear', quantize);
rules.add('QuantizeLinear', quantize, 'com.microsoft');

const dequantize = (ctx: InferCtx) => {
  const x = inTensor(ctx, 0);
  checkScale(ctx);
  const outAttr = attrInt(ctx.node, 'output_dtype', 0);
  const dtype =
    outAttr ||
    (ctx.opset >= 19 || ctx.node.domain === 'com.microsoft' ? inTensor(ctx, 1)?.dtype || DT.FLOAT : DT.FLOAT);
  return [tensorOf(dtype, x?.dims ? x.dims.slice() : null)];
};
rules.add('DequantizeLinear', dequantize);
rules.add('DequantizeLinear', dequantize, 'com.microsoft');

// DynamicQuantizeLinear(x) -> y (uint8, x's dims), y_scale (float scalar), y_zero_point (uint8 scalar)
rules.add('DynamicQuantizeLinear', (ctx) => {
  const x = inTensor(ctx, 0);
  return [tensorOf(DT.UINT8, x?.dims ? x.dims.slice() : null), tensorOf(DT.FLOAT, []), tensorOf(DT.UINT8, [])];
});

// com.microsoft GatherBlockQuantized(data, indices, scales, zero_points?; gather_axis 0, quantize_axis 1,
// bits 4, block_size 128): a Gather on block-quantized data, dequantized to scales' type. Output rank
// q + (r - 1): data's dims with gather_axis replaced by indices' dims; uint8 data with bits < 8 packs
// 8/bits values along its last axis, which the output holds unpacked (ContribOperators.md).
rules.add(
  'GatherBlockQuantized',
  (ctx) => {
    const data = inTensor(ctx, 0),
      idx = inTensor(ctx, 1)?.dims;
    const dtype = inTensor(ctx, 2)?.dtype || DT.FLOAT;
    if (!data?.dims || !idx) return [tensorOf(dtype, null)];
    const d = data.dims;
    const axis = normAxis(attrInt(ctx.node, 'gather_axis', 0), d.length, ctx);
    normAxis(attrInt(ctx.node, 'quantize_axis', 1), d.length, ctx);
    const per = valuesPerElement(data.dtype, attrInt(ctx.node, 'bits', 4));
    const unpacked = d.map((x, i) => (i === d.length - 1 && per > 1 ? dimMul(x, per) : x));
    return [tensorOf(dtype, [...unpacked.slice(0, axis), ...idx, ...unpacked.slice(axis + 1)])];
  },
  'com.microsoft',
);

export const quantRules = rules.rules;
