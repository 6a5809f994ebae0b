// Resampling ops: Resize (opset 10/11/13/18/19 forms), Upsample, GridSample, AffineGrid, Col2Im.
// Output sizes follow onnxruntime's arithmetic: floor(in * scale) with a float32 scale (the
// product done in float32 as onnxruntime's upsamplebase.h does), or the given sizes, optionally
// with keep_aspect_ratio_policy rounding round(scale * in).
import type { Dim } from '../../../onnx/ir';
import { attrFloat, attrInts, attrString } from '../../../onnx/ir';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { inTensor, tensorOf, type InferCtx } from '../../types';
import { dimFloorDiv, dimMul, dimProduct } from '../../dims';
import { dimsArg, inLength, normAxes } from './common';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

/** Float values of input i: number[] when known, null when given but unknown, undefined when absent or empty. */
function floatsArg(ctx: InferCtx, i: number): number[] | null | undefined {
  if (!ctx.node.inputs[i]) return undefined;
  const d = ctx.inputs[i]?.data;
  if (!d) return inLength(ctx, i) === 0 ? undefined : null;
  if (d.length === 0) return undefined;
  return d.every((v) => typeof v === 'number') ? (d as number[]) : null;
}

/** floor(in * scale) in float32, as onnxruntime computes Resize/Upsample output sizes. */
export function scaledDim(d: Dim, scale: number): Dim {
  if (typeof d === 'number') return Math.floor(Math.fround(Math.fround(d) * Math.fround(scale)));
  if (scale === 1) return d;
  if (Number.isInteger(scale) && scale > 0) return dimMul(d, scale);
  return null;
}

rules.add('Resize', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  if (!d) return [tensorOf(dtype, null)];
  const axes =
    ctx.opset >= 18 && attrInts(ctx.node, 'axes')
      ? normAxes(ctx, attrInts(ctx.node, 'axes')!, d.length)
      : d.map((_, i) => i);
  const out = d.slice();
  const unknown = () => {
    for (const a of axes) out[a] = null;
    return [tensorOf(dtype, out)];
  };
  const sizesIn = ctx.opset >= 11 ? 3 : -1;
  const scalesIn = ctx.opset >= 11 ? 2 : 1;
  const sizes =
    sizesIn > 0
      ? ctx.node.inputs[sizesIn]
        ? inLength(ctx, sizesIn) === 0
          ? undefined
          : dimsArg(ctx, sizesIn)
        : undefined
      : undefined;
  if (sizes === null) return unknown();
  if (sizes && sizes.length > 0) {
    if (sizes.length !== axes.length) ctx.fail(`Resize: ${sizes.length} sizes for ${axes.length} axes`);
    const policy = ctx.opset >= 18 ? attrString(ctx.node, 'keep_aspect_ratio_policy', 'stretch') : 'stretch';
    if (policy === 'stretch') {
      axes.forEach((a, i) => {
        out[a] = sizes[i];
      });
      return [tensorOf(dtype, out)];
    }
    if (policy !== 'not_larger' && policy !== 'not_smaller')
      ctx.fail(`Resize: unknown keep_aspect_ratio_policy '${policy}'`);
    // one scale for all axes: the smallest (not_larger) or largest (not_smaller) of sizes[i] / in[i]
    const ratios = axes.map((a, i) =>
      typeof sizes[i] === 'number' && typeof d[a] === 'number' ? (sizes[i] as number) / (d[a] as number) : NaN,
    );
    if (ratios.some(Number.isNaN)) return unknown();
    const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    axes.forEach((a) => {
      out[a] = Math.round(s * (d[a] as number));
    });
    return [tensorOf(dtype, out)];
  }
  const scales = floatsArg(ctx, scalesIn);
  if (scales === null) return unknown();
  if (scales === undefined) return ctx.fail('Resize: neither scales nor sizes is given');
  if (scales.length !== axes.length) ctx.fail(`Resize: ${scales.length} scales for ${axes.length} axes`);
  const mode = attrString(ctx.node, 'coordinate_transformation_mode', 'half_pixel');
  const roi = ctx.opset >= 11 && mode === 'tf_crop_and_resize' ? floatsArg(ctx, 1) : undefined;
  axes.forEach((a, i) => {
    if (scales[i] <= 0) ctx.fail(`Resize: scale ${scales[i]} must be positive`);
    if (roi === null) {
      out[a] = null;
      return;
    }
    // tf_crop_and_resize: the crop's extent (roi end - start, normalised) scales the input first
    const extent = roi ? roi[i + axes.length] - roi[i] : 1;
    out[a] =
      extent === 1
        ? scaledDim(d[a], scales[i])
        : typeof d[a] === 'number'
          ? Math.floor((d[a] as number) * extent * scales[i])
          : null;
  });
  return [tensorOf(dtype, out)];
});

rules.add('Upsample', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  let scales: number[] | null | undefined;
  if (ctx.opset >= 9) scales = floatsArg(ctx, 1);
  else if (ctx.opset >= 7) {
    const a = ctx.node.attrs.scales;
    scales = a?.type === 'floats' ? a.value : undefined;
  } else {
    // Upsample-1: height_scale / width_scale on a rank-4 NCHW input
    scales = [1, 1, attrFloat(ctx.node, 'height_scale', 1), attrFloat(ctx.node, 'width_scale', 1)];
  }
  if (!d) return [tensorOf(dtype, scales ? scales.map(() => null) : null)];
  if (scales === undefined) return ctx.fail('Upsample: scales are required');
  if (scales === null)
    return [
      tensorOf(
        dtype,
        d.map(() => null),
      ),
    ];
  if (scales.length !== d.length) ctx.fail(`Upsample: ${scales.length} scales for a rank-${d.length} input`);
  return [
    tensorOf(
      dtype,
      d.map((v, i) => scaledDim(v, scales![i])),
    ),
  ];
});

// GridSample: X [N, C, D1..Dr] sampled at grid [N, O1..Or, r] -> [N, C, O1..Or].
rules.add('GridSample', (ctx) => {
  const x = inTensor(ctx, 0);
  const g = inTensor(ctx, 1)?.dims;
  const d = x?.dims;
  if (!d && !g) return [tensorOf(x?.dtype ?? 0, null)];
  if (!g)
    return [
      tensorOf(
        x?.dtype ?? 0,
        d!.map((v, i) => (i < 2 ? v : null)),
      ),
    ];
  if (d && d.length !== g.length) ctx.fail(`GridSample: input rank ${d.length} and grid rank ${g.length} differ`);
  return [tensorOf(x?.dtype ?? 0, [d ? (d[0] ?? g[0]) : g[0], d ? d[1] : null, ...g.slice(1, -1)])];
});

// AffineGrid (opset 20): theta [N, 2, 3] or [N, 3, 4], size = (N, C, H, W) or (N, C, D, H, W)
// -> grid [N, H, W, 2] or [N, D, H, W, 3].
rules.add('AffineGrid', (ctx) => {
  const theta = inTensor(ctx, 0);
  const size = dimsArg(ctx, 1);
  const n = theta?.dims?.[0] ?? null;
  if (size) {
    if (size.length !== 4 && size.length !== 5)
      ctx.fail(`AffineGrid: size must have 4 or 5 elements, got ${size.length}`);
    return [tensorOf(theta?.dtype ?? 0, [size[0], ...size.slice(2), size.length - 2])];
  }
  const len = inLength(ctx, 1);
  if (len !== 4 && len !== 5) return [tensorOf(theta?.dtype ?? 0, null)];
  return [tensorOf(theta?.dtype ?? 0, [n, ...new Array<Dim>(len - 2).fill(null), len - 2])];
});

// Col2Im (opset 18): [N, C * prod(block_shape), L] -> [N, C, ...image_shape].
rules.add('Col2Im', (ctx) => {
  const x = inTensor(ctx, 0);
  const d = x?.dims;
  const image = dimsArg(ctx, 1),
    block = dimsArg(ctx, 2);
  const r = image?.length ?? block?.length ?? inLength(ctx, 1);
  if (r === undefined) return [tensorOf(x?.dtype ?? 0, null)];
  if (d && d.length !== 3) ctx.fail(`Col2Im: input must be rank 3, got ${d.length}`);
  const bp = block ? dimProduct(block) : null;
  const c = d && bp !== null ? dimFloorDiv(d[1], bp) : null;
  if (d && typeof d[1] === 'number' && typeof bp === 'number' && d[1] % bp !== 0)
    ctx.fail(`Col2Im: dim 1 (${d[1]}) does not divide by the block size ${bp}`);
  return [tensorOf(x?.dtype ?? 0, [d ? d[0] : null, c, ...(image ?? new Array<Dim>(r).fill(null))])];
});

export const resampleRules = rules.rules;
