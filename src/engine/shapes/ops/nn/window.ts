// Sliding-window arithmetic shared by convolutions and pooling: kernel/stride/dilation/pads attributes,
// auto_pad, ceil_mode, and the transposed-convolution output size.
// Formulas: ONNX Operators.md (Conv, MaxPool, ConvTranspose) and onnx/defs/nn/defs.cc convPoolShapeInference;
// the ceil_mode "last window must start inside the input" rule is onnxruntime's pool_attributes.h
// (the same rule as PyTorch), which the node test maxpool_2d_ceil_output_size_reduce_by_one exercises.
import type { Dim, Node } from '../../../onnx/ir';
import { attrInt, attrInts, attrString } from '../../../onnx/ir';
import { dimAdd, dimCeilDiv, dimFloorDiv, dimMul, dimSub } from '../../dims';
import type { InferCtx } from '../../types';

export interface WindowAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin..., end...], zeros when absent */
  pads: number[];
  autoPad: string;
  ceil: boolean;
}

function ints(ctx: InferCtx, name: string, n: number, dflt: number): number[] {
  const v = attrInts(ctx.node, name);
  if (v === undefined || v.length === 0) return new Array(n).fill(dflt);
  if (v.length !== n) ctx.fail(`attribute ${name} has ${v.length} values for ${n} spatial axes`);
  return v;
}

/** Reads the window attributes for `n` spatial axes; `kernel` comes from the attribute or the weight's dims. */
export function windowAttrs(ctx: InferCtx, n: number, kernelFromWeight?: Dim[] | null): WindowAttrs | undefined {
  let kernel = attrInts(ctx.node, 'kernel_shape');
  if (kernel && kernel.length !== n) ctx.fail(`kernel_shape has ${kernel.length} values for ${n} spatial axes`);
  if (!kernel) {
    if (!kernelFromWeight) return undefined;
    if (kernelFromWeight.some((d) => typeof d !== 'number')) return undefined;
    kernel = kernelFromWeight as number[];
  }
  const strides = ints(ctx, 'strides', n, 1);
  const dilations = ints(ctx, 'dilations', n, 1);
  const padsAttr = attrInts(ctx.node, 'pads');
  if (padsAttr && padsAttr.length > 0 && padsAttr.length !== 2 * n)
    ctx.fail(`pads has ${padsAttr.length} values for ${n} spatial axes (want ${2 * n})`);
  const pads = padsAttr && padsAttr.length ? padsAttr : new Array(2 * n).fill(0);
  if (strides.some((s) => s <= 0)) ctx.fail(`strides must be positive, got [${strides}]`);
  if (dilations.some((d) => d <= 0)) ctx.fail(`dilations must be positive, got [${dilations}]`);
  if (kernel.some((k) => k <= 0)) ctx.fail(`kernel_shape must be positive, got [${kernel}]`);
  return {
    kernel,
    strides,
    dilations,
    pads,
    autoPad: attrString(ctx.node, 'auto_pad', 'NOTSET'),
    ceil: attrInt(ctx.node, 'ceil_mode', 0) === 1,
  };
}

/** Output size of one spatial axis of a convolution or pooling window. */
export function windowOut(inDim: Dim, w: WindowAttrs, i: number, n: number): Dim {
  const s = w.strides[i];
  const effK = (w.kernel[i] - 1) * w.dilations[i] + 1;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return dimCeilDiv(inDim, s);
  const padB = w.autoPad === 'VALID' ? 0 : w.pads[i];
  const padE = w.autoPad === 'VALID' ? 0 : w.pads[i + n];
  if (typeof inDim === 'number') {
    const span = inDim + padB + padE - effK;
    if (span < 0) return null; // window larger than the padded input: ctx decides whether that fails
    let out = (w.ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    // ceil_mode: a last window that starts entirely in the end padding is dropped
    if (w.ceil && (out - 1) * s >= inDim + padB) out--;
    return out;
  }
  // symbolic: the ceil_mode last-window rule cannot be decided without the value; it can only drop a window
  // when stride + end padding > kernel (e.g. 1x1 windows with stride 2), which pooling layers rarely use
  const span = dimAdd(inDim, padB + padE - effK);
  return dimAdd(w.ceil ? dimCeilDiv(span, s) : dimFloorDiv(span, s), 1);
}

/** Spatial output dims for input spatial dims `xs`; fails when a window cannot fit. */
export function spatialOut(ctx: InferCtx, xs: Dim[], w: WindowAttrs): Dim[] {
  const n = xs.length;
  return xs.map((d, i) => {
    const o = windowOut(d, w, i, n);
    if (o === null && typeof d === 'number')
      ctx.fail(
        `spatial axis ${i}: kernel ${(w.kernel[i] - 1) * w.dilations[i] + 1} (dilated) is larger than the padded input ${d + w.pads[i] + w.pads[i + n]}`,
      );
    return o;
  });
}

/**
 * ConvTranspose output spatial size (Operators.md ConvTranspose):
 * out = stride*(in-1) + output_padding + ((k-1)*dilation+1) - pad_begin - pad_end;
 * with auto_pad SAME_* and no output_shape, out = in*stride.
 */
export function convTransposeOut(
  inDim: Dim,
  k: number,
  i: number,
  n: number,
  node: Node,
  strides: number[],
  dilations: number[],
  pads: number[],
  outPad: number[],
): Dim {
  const s = strides[i];
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return dimMul(inDim, s);
  const effK = (k - 1) * dilations[i] + 1;
  const p = autoPad === 'VALID' ? 0 : pads[i] + pads[i + n];
  return dimAdd(dimMul(s, dimSub(inDim, 1)), outPad[i] + effK - p);
}
