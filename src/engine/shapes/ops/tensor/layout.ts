// Ops that change a tensor's shape or layout but not its elements: Reshape, Flatten, Squeeze,
// Unsqueeze, Transpose, DepthToSpace, SpaceToDepth, BitCast. Reshape-style ops keep the row-major
// element order, so small data (shape arithmetic) passes through them unchanged.
import type { Dim } from '../../../onnx/ir';
import { attrInt, attrInts } from '../../../onnx/ir';
import { dtypeInfo } from '../../../onnx/dtypes';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { inTensor, tensorOf, type InferCtx } from '../../types';
import { dimFloorDiv, dimMul, dimProduct } from '../../dims';
import { dimsArg, inLength, intsArg, mapData, normAxes, numeric, strides } from './common';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

/** Reshape's target shape: 0 copies the input dim (unless allowzero), -1 is inferred from the element count. */
export function reshapeDims(ctx: InferCtx, inDims: Dim[] | null, shape: Dim[], allowZero: boolean): Dim[] {
  const out: Dim[] = [];
  let neg = -1;
  shape.forEach((s, i) => {
    if (s === -1) {
      if (neg >= 0) ctx.fail('Reshape: more than one -1 in the target shape');
      neg = i;
      out.push(null);
    } else if (s === 0 && !allowZero) {
      if (inDims && i >= inDims.length)
        ctx.fail(`Reshape: shape[${i}] = 0 copies a dim the rank-${inDims.length} input does not have`);
      out.push(inDims ? inDims[i] : null);
    } else if (typeof s === 'number' && s < 0) {
      ctx.fail(`Reshape: invalid target dim ${s}`);
    } else out.push(s);
  });
  if (allowZero && neg >= 0 && shape.includes(0)) ctx.fail('Reshape: allowzero with both 0 and -1 in the shape');
  if (inDims) {
    const total = dimProduct(inDims);
    if (neg >= 0) {
      const rest = dimProduct(out.filter((_, i) => i !== neg));
      if (total !== null && rest !== null && rest !== 0) {
        if (typeof total === 'number' && typeof rest === 'number' && total % rest !== 0) {
          ctx.fail(`Reshape: cannot infer -1: ${total} elements do not divide by ${rest}`);
        }
        out[neg] = dimFloorDiv(total, rest);
      }
    } else {
      const n = numeric(out),
        m = numeric(inDims);
      // The explicit target shape still defines the output, so note the mismatch and carry on.
      if (n && m && dimProduct(n) !== dimProduct(m))
        ctx.warn(`Reshape: cannot reshape [${m.join(',')}] (${dimProduct(m)} elements) to [${n.join(',')}]`);
    }
  }
  return out;
}

rules.add('Reshape', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const inDims = x?.dims ?? null;
  const data = ctx.inputs[0]?.data;
  const allowZero = ctx.opset >= 14 && attrInt(ctx.node, 'allowzero', 0) === 1;
  const shape = ctx.opset < 5 ? (attrInts(ctx.node, 'shape') ?? null) : dimsArg(ctx, 1);
  if (!shape) {
    const n = inLength(ctx, 1);
    return [tensorOf(dtype, n === undefined ? null : new Array<Dim>(n).fill(null), data?.slice())];
  }
  return [tensorOf(dtype, reshapeDims(ctx, inDims, shape, allowZero), data?.slice())];
});

rules.add('Flatten', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  if (!d) return [tensorOf(dtype, [null, null])];
  let axis = attrInt(ctx.node, 'axis', 1);
  if (axis < 0) axis += d.length;
  if (axis < 0 || axis > d.length)
    ctx.fail(`Flatten: axis ${attrInt(ctx.node, 'axis', 1)} is out of range for rank ${d.length}`);
  return [tensorOf(dtype, [dimProduct(d.slice(0, axis)), dimProduct(d.slice(axis))], ctx.inputs[0]?.data?.slice())];
});

rules.add('Squeeze', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  const data = ctx.inputs[0]?.data?.slice();
  const axes = intsArg(ctx, 'axes', 1, 13);
  if (axes === null) {
    const n = inLength(ctx, 1);
    return [tensorOf(dtype, d && n !== undefined ? new Array<Dim>(d.length - n).fill(null) : null, data)];
  }
  if (!d) return [tensorOf(dtype, null, data)];
  if (axes === undefined) {
    // Without axes every dim of size 1 goes; a dim not known to be a number might be 1, so the rank is unknown.
    if (d.some((v) => typeof v !== 'number')) return [tensorOf(dtype, null, data)];
    return [
      tensorOf(
        dtype,
        d.filter((v) => v !== 1),
        data,
      ),
    ];
  }
  const ax = new Set(normAxes(ctx, axes, d.length));
  for (const a of ax) if (typeof d[a] === 'number' && d[a] !== 1) ctx.fail(`Squeeze: dim ${a} is ${d[a]}, not 1`);
  return [
    tensorOf(
      dtype,
      d.filter((_, i) => !ax.has(i)),
      data,
    ),
  ];
});

rules.add('Unsqueeze', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  const data = ctx.inputs[0]?.data?.slice();
  const axes = intsArg(ctx, 'axes', 1, 13);
  if (axes === undefined) return ctx.fail('Unsqueeze: axes are required');
  if (axes === null) {
    const n = inLength(ctx, 1);
    return [tensorOf(dtype, d && n !== undefined ? new Array<Dim>(d.length + n).fill(null) : null, data)];
  }
  if (!d) return [tensorOf(dtype, null, data)];
  const rank = d.length + axes.length;
  const ax = new Set(normAxes(ctx, axes, rank));
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(ax.has(i) ? 1 : d[k++]);
  return [tensorOf(dtype, out, data)];
});

rules.add('Transpose', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  const permAttr = attrInts(ctx.node, 'perm');
  if (!d) return [tensorOf(dtype, permAttr ? new Array<Dim>(permAttr.length).fill(null) : null)];
  const perm = permAttr ?? d.map((_, i) => d.length - 1 - i);
  if (perm.length !== d.length) ctx.fail(`Transpose: perm has ${perm.length} entries for a rank-${d.length} input`);
  const p = normAxes(ctx, perm, d.length);
  const out = p.map((a) => d[a]);
  const src = ctx.inputs[0]?.data;
  const nd = numeric(d);
  let data: Dim[] | undefined;
  if (src && nd) {
    const st = strides(nd);
    data = mapData(out as number[], src, (idx) => idx.reduce((s, v, k) => s + v * st[p[k]], 0));
  }
  return [tensorOf(dtype, out, data)];
});

rules.add('DepthToSpace', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  const b = attrInt(ctx.node, 'blocksize');
  if (b === undefined || b <= 0) return ctx.fail('DepthToSpace: blocksize must be a positive integer');
  if (!d) return [tensorOf(dtype, [null, null, null, null])];
  if (d.length !== 4) ctx.fail(`DepthToSpace: input must be rank 4, got ${d.length}`);
  if (typeof d[1] === 'number' && d[1] % (b * b) !== 0)
    ctx.fail(`DepthToSpace: channels ${d[1]} do not divide by blocksize^2 = ${b * b}`);
  return [tensorOf(dtype, [d[0], dimFloorDiv(d[1], b * b), dimMul(d[2], b), dimMul(d[3], b)])];
});

rules.add('SpaceToDepth', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  const b = attrInt(ctx.node, 'blocksize');
  if (b === undefined || b <= 0) return ctx.fail('SpaceToDepth: blocksize must be a positive integer');
  if (!d) return [tensorOf(dtype, [null, null, null, null])];
  if (d.length !== 4) ctx.fail(`SpaceToDepth: input must be rank 4, got ${d.length}`);
  for (const k of [2, 3])
    if (typeof d[k] === 'number' && (d[k] as number) % b !== 0)
      ctx.fail(`SpaceToDepth: dim ${k} (${d[k]}) does not divide by blocksize ${b}`);
  return [tensorOf(dtype, [d[0], dimMul(d[1], b * b), dimFloorDiv(d[2], b), dimFloorDiv(d[3], b)])];
});

// BitCast (opset 26): same shape, the bits reinterpreted as `to`; both types must have the same bit width.
rules.add('BitCast', (ctx) => {
  const x = inTensor(ctx, 0);
  const to = attrInt(ctx.node, 'to');
  if (to === undefined) return ctx.fail('BitCast: attribute to is required');
  const a = dtypeInfo(x?.dtype ?? 0),
    b = dtypeInfo(to);
  if (!b || b.bits === 0) return ctx.fail(`BitCast: cannot reinterpret as data type ${to}`);
  if (a && a.bits && a.bits !== b.bits)
    ctx.fail(`BitCast: ${a.name} (${a.bits} bits) and ${b.name} (${b.bits} bits) differ in width`);
  return [tensorOf(to, x?.dims ? x.dims.slice() : null)];
});

export const layoutRules = rules.rules;
