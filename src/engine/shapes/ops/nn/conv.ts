// Convolutions: Conv, ConvInteger, QLinearConv, DeformConv, ConvTranspose, and the opset-27
// CausalConvWithState (depthwise causal conv with a carried state; com.microsoft has the same op).
// Output: [N, M, spatial...] where M = W[0] (Conv family) or W[1]*group (ConvTranspose).
import type { Dim } from '../../../onnx/ir';
import { attrInt, attrInts } from '../../../onnx/ir';
import { DT } from '../../../onnx/dtypes';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { inTensor, tensorOf, type InferCtx, type Value } from '../../types';
import { dimMul, dimSub } from '../../dims';
import { convTransposeOut, spatialOut, windowAttrs } from './window';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

/** Shared Conv-style inference: x at input xi, weight at wi; output dtype given. */
function convLike(ctx: InferCtx, xi: number, wi: number, dtype: number): Value[] {
  const x = inTensor(ctx, xi);
  const w = inTensor(ctx, wi);
  if (!x?.dims) return [tensorOf(dtype, null)];
  const rank = x.dims.length;
  if (rank < 3) ctx.fail(`input must have rank >= 3 (N, C, spatial...), got rank ${rank}`);
  const n = rank - 2;
  if (w?.dims && w.dims.length !== rank) ctx.fail(`weight rank ${w.dims.length} does not match input rank ${rank}`);
  const group = attrInt(ctx.node, 'group', 1);
  if (group < 1) ctx.fail(`group must be >= 1, got ${group}`);
  const cin = x.dims[1],
    wc = w?.dims?.[1];
  if (typeof cin === 'number' && typeof wc === 'number' && cin !== wc * group) {
    ctx.fail(`input channels ${cin} != weight channels ${wc} x group ${group}`);
  }
  const win = windowAttrs(ctx, n, w?.dims ? w.dims.slice(2) : null);
  const m: Dim = w?.dims ? w.dims[0] : null;
  if (!win) return [tensorOf(dtype, [x.dims[0], m, ...new Array<Dim>(n).fill(null)])];
  return [tensorOf(dtype, [x.dims[0], m, ...spatialOut(ctx, x.dims.slice(2), win)])];
}

rules.add('Conv', (ctx) => convLike(ctx, 0, 1, inTensor(ctx, 0)?.dtype ?? 0));
rules.add('ConvInteger', (ctx) => convLike(ctx, 0, 1, DT.INT32));
// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B): output type is y_zero_point's
rules.add('QLinearConv', (ctx) => convLike(ctx, 0, 3, inTensor(ctx, 7)?.dtype ?? inTensor(ctx, 0)?.dtype ?? DT.UINT8));
// DeformConv(X, W, offset, B, mask): same output size as Conv
rules.add('DeformConv', (ctx) => convLike(ctx, 0, 1, inTensor(ctx, 0)?.dtype ?? 0));

rules.add('ConvTranspose', (ctx) => {
  const x = inTensor(ctx, 0);
  const w = inTensor(ctx, 1);
  const dtype = x?.dtype ?? 0;
  if (!x?.dims) return [tensorOf(dtype, null)];
  const rank = x.dims.length;
  if (rank < 3) ctx.fail(`input must have rank >= 3 (N, C, spatial...), got rank ${rank}`);
  const n = rank - 2;
  const group = attrInt(ctx.node, 'group', 1);
  if (group < 1) ctx.fail(`group must be >= 1, got ${group}`);
  if (w?.dims && w.dims.length !== rank) ctx.fail(`weight rank ${w.dims.length} does not match input rank ${rank}`);
  const m = w?.dims ? dimMul(w.dims[1], group) : null;
  const outShape = attrInts(ctx.node, 'output_shape');
  if (outShape && outShape.length) {
    // output_shape lists the spatial dims (older exporters sometimes wrote N and C too)
    const sp = outShape.length === rank ? outShape.slice(2) : outShape;
    if (sp.length !== n) ctx.fail(`output_shape has ${outShape.length} values for ${n} spatial axes`);
    return [tensorOf(dtype, [x.dims[0], m, ...sp])];
  }
  let kernel = attrInts(ctx.node, 'kernel_shape');
  if (!kernel) {
    const kd = w?.dims?.slice(2);
    if (!kd || kd.some((d) => typeof d !== 'number'))
      return [tensorOf(dtype, [x.dims[0], m, ...new Array<Dim>(n).fill(null)])];
    kernel = kd as number[];
  }
  if (kernel.length !== n) ctx.fail(`kernel_shape has ${kernel.length} values for ${n} spatial axes`);
  const get = (name: string, len: number, d: number) => {
    const v = attrInts(ctx.node, name);
    if (!v || !v.length) return new Array<number>(len).fill(d);
    if (v.length !== len) ctx.fail(`attribute ${name} has ${v.length} values, want ${len}`);
    return v;
  };
  const strides = get('strides', n, 1),
    dilations = get('dilations', n, 1),
    pads = get('pads', 2 * n, 0),
    outPad = get('output_padding', n, 0);
  const spatial = x.dims
    .slice(2)
    .map((d, i) => convTransposeOut(d, kernel![i], i, n, ctx.node, strides, dilations, pads, outPad));
  for (const [i, d] of spatial.entries())
    if (typeof d === 'number' && d <= 0) ctx.fail(`spatial axis ${i}: output size ${d} is not positive`);
  return [tensorOf(dtype, [x.dims[0], m, ...spatial])];
});

// CausalConvWithState(input [B,C,L], weight [C,1,K], bias?, past_state? [B,C,K-1]) ->
// output [B,C,L], present_state [B,C,K-1]. The ONNX opset-27 schema text was not found in the reference
// index; shapes follow its node tests and onnxruntime's contrib kernel (causal_conv_with_state.h).
function causalConv(ctx: InferCtx): Value[] {
  const x = inTensor(ctx, 0);
  const w = inTensor(ctx, 1);
  const dtype = x?.dtype ?? 0;
  if (!x?.dims) return [tensorOf(dtype, null), tensorOf(dtype, null)];
  const rank = x.dims.length;
  if (rank < 3) ctx.fail(`input must have rank >= 3 (B, C, L...), got rank ${rank}`);
  const k = w?.dims?.slice(2) ?? null;
  const past = inTensor(ctx, 3)?.dims;
  const state: Dim[] | null = past ? past.slice() : k ? [x.dims[0], x.dims[1], ...k.map((d) => dimSub(d, 1))] : null;
  return [tensorOf(dtype, x.dims.slice()), tensorOf(dtype, state)];
}
rules.add('CausalConvWithState', causalConv);
rules.add('CausalConvWithState', causalConv, 'com.microsoft');

export const convRules = rules.rules;
