// Indexing ops: Gather family, Scatter family, TensorScatter, OneHot, TopK, and the data-dependent
// selections (NonZero, Compress, Unique) whose selected counts stay unknown (null) unless the
// condition is a known constant. Trilu and ReverseSequence keep their input's shape.
import type { Dim } from '../../../onnx/ir';
import { attrInt } from '../../../onnx/ir';
import { DT } from '../../../onnx/dtypes';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { inTensor, normAxis, tensorOf } from '../../types';
import { dimProduct } from '../../dims';
import { intsArg, mapData, numeric, strides } from './common';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

rules.add('Gather', (ctx) => {
  const x = inTensor(ctx, 0);
  const idx = inTensor(ctx, 1);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims,
    q = idx?.dims;
  if (!d || !q) return [tensorOf(dtype, null)];
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), d.length, ctx);
  const out = [...d.slice(0, axis), ...q, ...d.slice(axis + 1)];
  const ind = ctx.inputs[1]?.data;
  const n = d[axis];
  if (ind && typeof n === 'number') {
    for (const k of ind)
      if (typeof k === 'number' && (k < -n || k >= n)) ctx.fail(`Gather: index ${k} is out of range for dim ${n}`);
  }
  let data: Dim[] | undefined;
  const src = ctx.inputs[0]?.data,
    nd = numeric(d),
    od = numeric(out),
    nq = numeric(q);
  if (src && ind && nd && od && nq && ind.every((k) => typeof k === 'number')) {
    const st = strides(nd),
      qst = strides(nq);
    data = mapData(od, src, (i) => {
      let s = 0;
      for (let a = 0; a < axis; a++) s += i[a] * st[a];
      let f = 0;
      for (let a = 0; a < nq.length; a++) f += i[axis + a] * qst[a];
      let k = ind[f] as number;
      if (k < 0) k += nd[axis];
      s += k * st[axis];
      for (let a = axis + 1; a < nd.length; a++) s += i[a - 1 + nq.length] * st[a];
      return s;
    });
  }
  return [tensorOf(dtype, out, data)];
});

rules.add('GatherElements', (ctx) => {
  const x = inTensor(ctx, 0);
  const q = inTensor(ctx, 1)?.dims;
  const d = x?.dims;
  if (d && q && d.length !== q.length)
    ctx.fail(`GatherElements: data rank ${d.length} and indices rank ${q.length} differ`);
  if (d) normAxis(attrInt(ctx.node, 'axis', 0), d.length, ctx);
  return [tensorOf(x?.dtype ?? 0, q ? q.slice() : d ? d.map(() => null) : null)];
});

rules.add('GatherND', (ctx) => {
  const x = inTensor(ctx, 0);
  const d = x?.dims,
    q = inTensor(ctx, 1)?.dims;
  const b = ctx.opset >= 12 ? attrInt(ctx.node, 'batch_dims', 0) : 0;
  if (!d || !q) return [tensorOf(x?.dtype ?? 0, null)];
  if (q.length < 1) ctx.fail('GatherND: indices must have rank >= 1');
  const last = q[q.length - 1];
  if (typeof last !== 'number') return [tensorOf(x?.dtype ?? 0, null)];
  if (b + last > d.length) ctx.fail(`GatherND: batch_dims ${b} + index depth ${last} exceeds data rank ${d.length}`);
  return [tensorOf(x?.dtype ?? 0, [...q.slice(0, -1), ...d.slice(b + last)])];
});

// Scatter family: the output is the data tensor with some elements replaced.
rules.add(['Scatter', 'ScatterElements', 'ScatterND'], (ctx) => {
  const x = inTensor(ctx, 0);
  return [tensorOf(x?.dtype ?? inTensor(ctx, 2)?.dtype ?? 0, x?.dims ? x.dims.slice() : null)];
});

// TensorScatter (opset 24): writes `update` into the cache at write_indices; the cache keeps its shape.
rules.add('TensorScatter', (ctx) => {
  const x = inTensor(ctx, 0);
  return [tensorOf(x?.dtype ?? inTensor(ctx, 1)?.dtype ?? 0, x?.dims ? x.dims.slice() : null)];
});

rules.add('OneHot', (ctx) => {
  const q = inTensor(ctx, 0)?.dims;
  const dtype = inTensor(ctx, 2)?.dtype ?? 0;
  const dd = ctx.inputs[1]?.data;
  let depth: Dim = dd && dd.length === 1 ? dd[0] : null;
  if (typeof depth === 'number') {
    depth = Math.trunc(depth);
    if (depth < 1) ctx.fail(`OneHot: depth ${depth} must be positive`);
  }
  if (!q) return [tensorOf(dtype, null)];
  const r = q.length + 1;
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), r, ctx);
  const out = q.slice();
  out.splice(axis, 0, depth);
  return [tensorOf(dtype, out)];
});

rules.add('TopK', (ctx) => {
  const x = inTensor(ctx, 0);
  const d = x?.dims;
  let k: Dim;
  if (ctx.opset < 10) k = attrInt(ctx.node, 'k') ?? null;
  else {
    const kd = ctx.inputs[1]?.data;
    k = kd && kd.length === 1 ? kd[0] : null;
  }
  if (!d) return [tensorOf(x?.dtype ?? 0, null), tensorOf(DT.INT64, null)];
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), d.length, ctx);
  if (typeof k === 'number' && (k < 0 || (typeof d[axis] === 'number' && k > (d[axis] as number))))
    ctx.fail(`TopK: k = ${k} is out of range for dim ${d[axis]}`);
  const out = d.slice();
  out[axis] = k;
  return [tensorOf(x?.dtype ?? 0, out), tensorOf(DT.INT64, out.slice())];
});

rules.add('NonZero', (ctx) => {
  const d = inTensor(ctx, 0)?.dims;
  // one column per nonzero element: data-dependent unless the input is a known constant
  const src = ctx.inputs[0]?.data;
  const nz = src && src.every((v) => typeof v === 'number') ? src.filter((v) => v !== 0).length : null;
  return [tensorOf(DT.INT64, [d ? d.length : null, nz])];
});

rules.add('Compress', (ctx) => {
  const x = inTensor(ctx, 0);
  const d = x?.dims;
  const axisAttr = attrInt(ctx.node, 'axis');
  const cond = intsArg(ctx, null, 1, 0);
  const selected = (limit: Dim): Dim => {
    if (!cond) return null;
    const n = typeof limit === 'number' ? Math.min(limit, cond.length) : cond.length;
    return cond.slice(0, n).filter((c) => c !== 0).length;
  };
  if (axisAttr === undefined) return [tensorOf(x?.dtype ?? 0, [selected(d ? dimProduct(d) : null)])];
  if (!d) return [tensorOf(x?.dtype ?? 0, null)];
  const axis = normAxis(axisAttr, d.length, ctx);
  const out = d.slice();
  out[axis] = selected(d[axis]);
  return [tensorOf(x?.dtype ?? 0, out)];
});

rules.add('Unique', (ctx) => {
  const x = inTensor(ctx, 0);
  const d = x?.dims;
  const axisAttr = attrInt(ctx.node, 'axis');
  // The number of unique values (or slices) is data-dependent.
  let y: Dim[] | null, inverse: Dim[];
  if (axisAttr === undefined) {
    y = [null];
    inverse = [d ? dimProduct(d) : null];
  } else if (d) {
    const axis = normAxis(axisAttr, d.length, ctx);
    y = d.slice();
    y[axis] = null;
    inverse = [d[axis]];
  } else {
    y = null;
    inverse = [null];
  }
  return [
    tensorOf(x?.dtype ?? 0, y),
    tensorOf(DT.INT64, [null]),
    tensorOf(DT.INT64, inverse),
    tensorOf(DT.INT64, [null]),
  ];
});

rules.add(['Trilu', 'ReverseSequence'], (ctx) => {
  const x = inTensor(ctx, 0);
  const d = x?.dims;
  if (d && ctx.node.opType === 'Trilu' && d.length < 2) ctx.fail(`Trilu: input must have rank >= 2, got ${d.length}`);
  return [tensorOf(x?.dtype ?? 0, d ? d.slice() : null)];
});

export const indexingRules = rules.rules;
