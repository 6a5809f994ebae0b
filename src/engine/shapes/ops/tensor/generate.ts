// Ops that describe or generate tensors from shapes: Shape, Size, ConstantOfShape, Range, EyeLike.
// Shape and Size are where data propagation starts: their outputs carry the input's dims as data.
import type { Dim } from '../../../onnx/ir';
import { attrInt } from '../../../onnx/ir';
import { DT } from '../../../onnx/dtypes';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { DATA_MAX, inTensor, tensorOf } from '../../types';
import { dimCeilDiv, dimProduct, dimSub } from '../../dims';
import { count, dimsArg, inLength, numeric } from './common';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

rules.add('Shape', (ctx) => {
  const d = inTensor(ctx, 0)?.dims;
  if (!d) return [tensorOf(DT.INT64, [null])];
  const r = d.length;
  // opset 15: start/end select a range of dims (negative counts from the back, clamped to [0, rank])
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const start = ctx.opset >= 15 ? clamp(attrInt(ctx.node, 'start', 0)) : 0;
  const end = ctx.opset >= 15 ? clamp(attrInt(ctx.node, 'end', r)) : r;
  const data = d.slice(start, Math.max(start, end));
  return [tensorOf(DT.INT64, [data.length], data)];
});

rules.add('Size', (ctx) => {
  const d = inTensor(ctx, 0)?.dims;
  return [tensorOf(DT.INT64, [], [d ? dimProduct(d) : null])];
});

rules.add('ConstantOfShape', (ctx) => {
  const a = ctx.node.attrs.value;
  const t = a?.type === 'tensor' ? a.value : undefined;
  const dtype = t?.dtype ?? DT.FLOAT;
  const fill: Dim | undefined = t ? (t.values && t.values.length === 1 ? t.values[0] : undefined) : 0;
  const shape = dimsArg(ctx, 0);
  if (!shape) {
    const n = inLength(ctx, 0);
    return [tensorOf(dtype, n === undefined ? null : new Array<Dim>(n).fill(null))];
  }
  for (const s of shape) if (typeof s === 'number' && s < 0) ctx.fail(`ConstantOfShape: negative dim ${s}`);
  const nd = numeric(shape);
  const data = nd && fill !== undefined && count(nd) <= DATA_MAX ? new Array<Dim>(count(nd)).fill(fill) : undefined;
  return [tensorOf(dtype, shape, data)];
});

rules.add('Range', (ctx) => {
  const dtype = inTensor(ctx, 0)?.dtype ?? 0;
  const scalar = (i: number): Dim | undefined => {
    const d = ctx.inputs[i]?.data;
    return d && d.length === 1 ? d[0] : undefined;
  };
  const start = scalar(0),
    limit = scalar(1),
    delta = scalar(2);
  if (
    start === undefined ||
    limit === undefined ||
    delta === undefined ||
    start === null ||
    limit === null ||
    delta === null
  )
    return [tensorOf(dtype, [null])];
  if (typeof start === 'number' && typeof limit === 'number' && typeof delta === 'number') {
    if (delta === 0) ctx.fail('Range: delta is 0');
    const n = Math.max(Math.ceil((limit - start) / delta), 0);
    const data = n <= DATA_MAX ? Array.from({ length: n }, (_, i) => start + i * delta) : undefined;
    return [tensorOf(dtype, [n], data)];
  }
  // symbolic bounds with a numeric step: ceil((limit - start) / delta)
  if (typeof delta !== 'number' || delta === 0) return [tensorOf(dtype, [null])];
  const span = delta > 0 ? dimSub(limit, start) : dimSub(start, limit);
  const n = Math.abs(delta) === 1 ? span : dimCeilDiv(span, Math.abs(delta));
  return [tensorOf(dtype, [typeof n === 'number' ? Math.max(0, n) : n])];
});

rules.add('EyeLike', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = attrInt(ctx.node, 'dtype', x?.dtype ?? DT.FLOAT);
  const d = x?.dims ?? [null, null];
  if (d.length !== 2) ctx.fail(`EyeLike: input must be rank 2, got ${d.length}`);
  return [tensorOf(dtype, d.slice())];
});

export const generateRules = rules.rules;
