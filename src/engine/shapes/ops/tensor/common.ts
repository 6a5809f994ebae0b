// Helpers shared by the tensor (data movement) family: reading integer arguments that moved from
// attributes to inputs across opsets, and row-major index arithmetic for propagating small tensors' data.
import type { Dim } from '../../../onnx/ir';
import { attrInts } from '../../../onnx/ir';
import { DATA_MAX, checkRank, inDims, type InferCtx } from '../../types';

/** Values at or beyond this mean "to the end" in Slice ends (INT64_MAX / INT32_MAX as exporters write them). */
export const BIG = 2 ** 31 - 1;

/**
 * An integer-list argument: `number[]` when known, `null` when given but its values are unknown,
 * `undefined` when absent. From input `input` at opset >= `since`, else from attribute `attr`.
 */
export function intsArg(ctx: InferCtx, attr: string | null, input: number, since: number): number[] | null | undefined {
  if (ctx.opset >= since || attr === null) {
    // a converter that kept the old attribute form under a newer opset: read the attribute
    if (!ctx.node.inputs[input]) return attr ? attrInts(ctx.node, attr) : undefined;
    const d = ctx.inputs[input]?.data;
    if (!d) return null;
    if (d.some((x) => typeof x !== 'number')) return null;
    return (d as number[]).map((x) => Math.trunc(x));
  }
  return attr ? attrInts(ctx.node, attr) : undefined;
}

/** Like intsArg but keeps symbolic elements (shape-like arguments: Reshape/Expand/ConstantOfShape shapes). */
export function dimsArg(ctx: InferCtx, input: number): Dim[] | null | undefined {
  if (!ctx.node.inputs[input]) return undefined;
  const d = ctx.inputs[input]?.data;
  return d ? d.slice() : null;
}

/** Number of elements of a 1-D input when its length is known (for arguments whose values are unknown).
 * Every such argument lists one entry per dim (a shape, axes, sizes), so its length is a rank: a length past
 * LIMITS.maxRank is refused here, before any op allocates an array of it. */
export function inLength(ctx: InferCtx, i: number): number | undefined {
  const d = inDims(ctx, i);
  if (!d) return undefined;
  if (d.length === 0) return 1;
  const n = d.length === 1 && typeof d[0] === 'number' ? d[0] : undefined;
  if (n !== undefined) checkRank(n, `input ${i} ('${ctx.node.inputs[i]}') length (an output rank)`);
  return n;
}

/** Dims as numbers when all are concrete. */
export function numeric(dims: Dim[] | null | undefined): number[] | undefined {
  if (!dims || dims.some((d) => typeof d !== 'number')) return undefined;
  return dims as number[];
}

export function count(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function strides(dims: number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1] * dims[i + 1];
  return s;
}

/**
 * Builds the data of an output of shape `out` (numeric) where each output element is read from the
 * source flat index `src(multiIndex)`. Undefined when the output is too large to carry.
 */
export function mapData(out: number[], data: Dim[], src: (idx: number[]) => number): Dim[] | undefined {
  const n = count(out);
  if (n > DATA_MAX) return undefined;
  const res: Dim[] = [];
  const idx = new Array<number>(out.length).fill(0);
  for (let k = 0; k < n; k++) {
    const s = src(idx);
    res.push(s >= 0 && s < data.length ? data[s] : null);
    for (let a = out.length - 1; a >= 0; a--) {
      if (++idx[a] < out[a]) break;
      idx[a] = 0;
    }
  }
  return res;
}

/** Normalises a list of axes against a rank; fails on out-of-range or repeated axes. */
export function normAxes(ctx: InferCtx, axes: number[], rank: number): number[] {
  const out = axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) ctx.fail(`axis ${a} is out of range for rank ${rank}`);
    return n;
  });
  if (new Set(out).size !== out.length) ctx.fail(`repeated axis in [${axes.join(',')}]`);
  return out;
}

/** Merges two dims that must be equal: a number beats a symbol, a symbol beats unknown. */
export function mergeDim(a: Dim, b: Dim): Dim {
  if (typeof a === 'number') return a;
  if (typeof b === 'number') return b;
  return a ?? b;
}
