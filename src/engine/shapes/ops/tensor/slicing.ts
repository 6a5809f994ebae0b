// Ops that cut, join, pad or repeat tensors: Concat, Split, Slice, Pad, CenterCropPad, Expand, Tile.
// All of them carry small data (Shape -> Slice -> Concat -> Reshape chains) when the dims are concrete.
import type { Dim } from '../../../onnx/ir';
import { attrInt, attrInts } from '../../../onnx/ir';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { DATA_MAX, inTensor, normAxis, tensorOf, type InferCtx, type Value } from '../../types';
import { broadcastDim, dimAdd, dimCeilDiv, dimFloorDiv, dimMul, dimSub } from '../../dims';
import { BIG, count, dimsArg, inLength, intsArg, mapData, mergeDim, normAxes, numeric, strides } from './common';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

// ---- Concat ----

rules.add('Concat', (ctx) => {
  const idx = ctx.node.inputs.map((n, i) => (n ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) ctx.fail('Concat: no inputs');
  const ts = idx.map((i) => inTensor(ctx, i));
  const dtype = ts.find((t) => t)?.dtype ?? 0;
  let known = ts.filter((t) => t?.dims) as { dims: Dim[] }[];
  // An empty 1-D input ([0]) of another rank adds nothing: tolerated rather than failed (exporters emit them)
  if (known.some((t) => t.dims.length !== 1)) known = known.filter((t) => !(t.dims.length === 1 && t.dims[0] === 0));
  const axisAttr = attrInt(ctx.node, 'axis', ctx.opset < 4 ? 1 : NaN);
  if (Number.isNaN(axisAttr)) ctx.fail('Concat: attribute axis is required');
  if (known.length === 0) return [tensorOf(dtype, null)];
  const rank = known[0].dims.length;
  for (const t of known)
    if (t.dims.length !== rank) ctx.fail(`Concat: inputs have ranks ${known.map((k) => k.dims.length).join(', ')}`);
  const axis = normAxis(axisAttr, rank, ctx);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    if (i === axis) {
      let s: Dim = 0;
      for (const t of ts) s = !t?.dims ? null : t.dims.length === rank ? dimAdd(s, t.dims[i]) : s;
      out.push(s);
    } else {
      let m: Dim = null;
      for (const t of known) {
        const v = t.dims[i];
        if (typeof m === 'number' && typeof v === 'number' && m !== v)
          ctx.fail(`Concat: dim ${i} differs between inputs (${m} vs ${v})`);
        m = mergeDim(m, v);
      }
      out.push(m);
    }
  }
  return [tensorOf(dtype, out, concatData(ctx.inputs, idx, axis, out))];
});

function concatData(inputs: (Value | undefined)[], idx: number[], axis: number, out: Dim[]): Dim[] | undefined {
  const all = idx.map((i) => inputs[i]);
  if (all.some((p) => !p?.data)) return undefined;
  const parts = all.filter((p) => p!.data!.length > 0);
  if (out.length === 1) return parts.flatMap((p) => p!.data!);
  const od = numeric(out);
  if (!od) return undefined;
  // General N-D: for each output index find the part along the axis.
  const ds = parts.map((p) => numeric((p!.type as { dims: Dim[] }).dims));
  if (ds.some((d) => !d)) return undefined;
  const offsets: number[] = [];
  let o = 0;
  for (const d of ds) {
    offsets.push(o);
    o += d![axis];
  }
  const n = count(od);
  if (n > DATA_MAX) return undefined;
  const flat: Dim[] = [];
  const idxv = new Array<number>(od.length).fill(0);
  for (let k = 0; k < n; k++) {
    let p = offsets.length - 1;
    while (offsets[p] > idxv[axis]) p--;
    const st = strides(ds[p]!);
    let s = 0;
    for (let a = 0; a < od.length; a++) s += (a === axis ? idxv[a] - offsets[p] : idxv[a]) * st[a];
    flat.push(parts[p]!.data![s] ?? null);
    for (let a = od.length - 1; a >= 0; a--) {
      if (++idxv[a] < od[a]) break;
      idxv[a] = 0;
    }
  }
  return flat;
}

// ---- Split ----

rules.add('Split', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  const nOut = ctx.node.outputs.length;
  // split sizes: attribute before opset 13 (opset 1 also took them as input 1), input 1 since 13
  let split: number[] | null | undefined;
  if (ctx.opset >= 13 || (ctx.opset < 2 && ctx.node.inputs[1])) split = intsArg(ctx, null, 1, 0);
  else split = attrInts(ctx.node, 'split');
  const numOutputs = ctx.opset >= 18 ? attrInt(ctx.node, 'num_outputs') : undefined;
  if (split && numOutputs !== undefined) ctx.fail('Split: both split and num_outputs are given');
  if (!d) return ctx.node.outputs.map(() => tensorOf(dtype, null));
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), d.length, ctx);
  const dim = d[axis];
  let sizes: Dim[];
  if (split) {
    if (split.length !== nOut) ctx.fail(`Split: ${split.length} split sizes for ${nOut} outputs`);
    if (typeof dim === 'number' && split.reduce((a, b) => a + b, 0) !== dim)
      ctx.fail(`Split: sizes [${split.join(',')}] do not sum to dim ${dim}`);
    sizes = split;
  } else if (split === null) {
    sizes = new Array<Dim>(nOut).fill(null);
  } else {
    const n = numOutputs ?? nOut;
    if (n !== nOut) ctx.fail(`Split: num_outputs ${n} but the node has ${nOut} outputs`);
    if (typeof dim === 'number') {
      if (dim % n !== 0 && ctx.opset < 18) ctx.fail(`Split: dim ${dim} does not split evenly into ${n}`);
      // opset 18: uneven splits give ceil(dim/n) to every chunk but the last, which takes the rest
      const chunk = Math.ceil(dim / n);
      sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
    } else {
      const q = dimFloorDiv(dim, n);
      sizes = new Array<Dim>(n).fill(typeof q === 'string' && q.startsWith('floor(') ? null : q);
    }
  }
  const data = ctx.inputs[0]?.data;
  const nd = numeric(d);
  let off = 0;
  return sizes.map((s) => {
    const od = d.slice();
    od[axis] = s;
    let part: Dim[] | undefined;
    const nod = numeric(od);
    if (data && nd && nod) {
      const st = strides(nd);
      const base = off;
      part = mapData(nod, data, (idx) => idx.reduce((acc, v, a) => acc + (a === axis ? v + base : v) * st[a], 0));
    }
    off += typeof s === 'number' ? s : 0;
    return tensorOf(dtype, od, part);
  });
});

// ---- Slice ----

/** Effective start and length of one sliced axis when everything is numeric (ONNX Slice clamping rules). */
export function sliceNumeric(dim: number, start: number, end: number, step: number): { start: number; len: number } {
  if (step > 0) {
    let s = start < 0 ? start + dim : start;
    let e = end < 0 ? end + dim : end;
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    return { start: s, len: Math.max(0, Math.ceil((e - s) / step)) };
  }
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  s = Math.min(Math.max(s, 0), dim - 1);
  e = Math.min(Math.max(e, -1), dim - 1);
  return { start: s, len: Math.max(0, Math.ceil((s - e) / -step)) };
}

/**
 * Sliced length when the dim or the bounds are symbolic. Assumes what a valid model implies: a
 * symbolic bound lies inside the dim, a small positive end does not exceed a symbolic dim.
 */
function sliceSymbolic(dim: Dim, start: Dim, end: Dim, step: number): Dim {
  if (dim === null || start === null || end === null) return null;
  let len: Dim;
  if (step > 0) {
    const s =
      typeof start === 'number'
        ? start <= -BIG
          ? 0
          : start < 0
            ? dimAdd(dim, start)
            : start >= BIG
              ? dim
              : start
        : start;
    const e = typeof end === 'number' ? (end >= BIG ? dim : end <= -BIG ? 0 : end < 0 ? dimAdd(dim, end) : end) : end;
    // A fixed end inside a symbolic dim, x[:, :512] on [b, seq]: min(seq, 512) is not known, except for
    // one element (x[:, 0:1]) which every non-empty dim holds.
    if (
      typeof dim !== 'number' &&
      typeof end === 'number' &&
      end >= 0 &&
      end < BIG &&
      typeof s === 'number' &&
      end - s > 1
    )
      return null;
    len = dimSub(e, s);
    if (step !== 1) len = dimCeilDiv(len, step);
  } else {
    const s =
      typeof start === 'number'
        ? start >= BIG
          ? dimSub(dim, 1)
          : start <= -BIG
            ? -1
            : start < 0
              ? dimAdd(dim, start)
              : start
        : start;
    const e = typeof end === 'number' ? (end <= -BIG ? -1 : end < 0 ? dimAdd(dim, end) : end) : end;
    len = dimSub(s, e);
    if (step !== -1) len = dimCeilDiv(len, -step);
  }
  return typeof len === 'number' && len < 0 ? 0 : len;
}

function dataArg(ctx: InferCtx, i: number): Dim[] | null | undefined {
  if (!ctx.node.inputs[i]) return undefined;
  const d = ctx.inputs[i]?.data;
  return d ? d.map((v) => (typeof v === 'number' ? Math.trunc(v) : v)) : null;
}

/** Slice (also DynamicSlice's rule, misc.ts: the same inputs as Slice-10). */
export const inferSlice: InferFn = (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  let starts: Dim[] | null | undefined,
    ends: Dim[] | null | undefined,
    axes: number[] | null | undefined,
    steps: number[] | null | undefined;
  if (ctx.opset < 10) {
    starts = attrInts(ctx.node, 'starts');
    ends = attrInts(ctx.node, 'ends');
    axes = attrInts(ctx.node, 'axes');
    steps = undefined;
  } else {
    starts = dataArg(ctx, 1);
    ends = dataArg(ctx, 2);
    axes = intsArg(ctx, null, 3, 0);
    steps = intsArg(ctx, null, 4, 0);
  }
  if (starts === undefined || ends === undefined) return ctx.fail('Slice: starts and ends are required');
  if (!d) return [tensorOf(dtype, null)];
  const n = starts?.length ?? ends?.length ?? axes?.length ?? steps?.length ?? inLength(ctx, 1);
  if (starts === null || ends === null || axes === null || steps === null || n === undefined) {
    // Which axes or bounds are unknown: keep the rank; dims on sliced axes are unknown.
    const out = d.slice();
    if (axes && n !== undefined) for (const a of normAxes(ctx, axes, d.length)) out[a] = null;
    else for (let i = 0; i < out.length; i++) out[i] = null;
    return [tensorOf(dtype, out)];
  }
  if (starts.length !== ends.length) ctx.fail(`Slice: ${starts.length} starts but ${ends.length} ends`);
  const ax = normAxes(ctx, axes ?? starts.map((_, i) => i), d.length);
  if (ax.length !== starts.length) ctx.fail(`Slice: ${ax.length} axes for ${starts.length} starts`);
  const st = steps ?? ax.map(() => 1);
  if (st.length !== ax.length) ctx.fail(`Slice: ${st.length} steps for ${ax.length} axes`);
  const out = d.slice();
  const nd = numeric(d);
  const first: number[] = nd ? nd.map(() => 0) : [];
  const stepOf: number[] = nd ? nd.map(() => 1) : [];
  let numericAll = !!nd;
  ax.forEach((a, i) => {
    const step = st[i];
    if (step === 0) ctx.fail('Slice: step 0');
    const s = starts![i],
      e = ends![i],
      dim = d[a];
    if (typeof dim === 'number' && typeof s === 'number' && typeof e === 'number') {
      const r = sliceNumeric(dim, s, e, step);
      out[a] = r.len;
      first[a] = r.start;
      stepOf[a] = step;
    } else {
      out[a] = sliceSymbolic(dim, s, e, step);
      numericAll = false;
    }
  });
  let data: Dim[] | undefined;
  const src = ctx.inputs[0]?.data;
  const od = numeric(out);
  if (src && nd && od && numericAll) {
    const str = strides(nd);
    data = mapData(od, src, (idx) => idx.reduce((acc, v, a) => acc + (first[a] + v * stepOf[a]) * str[a], 0));
  }
  return [tensorOf(dtype, out, data)];
};
rules.add('Slice', inferSlice);

// ---- Pad ----

rules.add('Pad', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  const pads: Dim[] | null | undefined =
    ctx.opset >= 11 ? dimsArg(ctx, 1) : attrInts(ctx.node, ctx.opset < 2 ? 'paddings' : 'pads');
  const axesArg = ctx.opset >= 18 ? intsArg(ctx, null, 3, 0) : undefined;
  if (pads === undefined) return ctx.fail('Pad: pads are required');
  if (!d) return [tensorOf(dtype, pads ? new Array<Dim>(pads.length / 2).fill(null) : null)];
  if (axesArg === null)
    return [
      tensorOf(
        dtype,
        d.map(() => null),
      ),
    ];
  const axes = axesArg ? normAxes(ctx, axesArg, d.length) : d.map((_, i) => i);
  const out = d.slice();
  if (pads === null) {
    for (const a of axes) out[a] = null;
    return [tensorOf(dtype, out)];
  }
  if (pads.length !== 2 * axes.length)
    ctx.fail(`Pad: ${pads.length} pads for ${axes.length} axes (need ${2 * axes.length})`);
  axes.forEach((a, i) => {
    const v = dimAdd(dimAdd(d[a], pads[i]), pads[i + axes.length]);
    if (typeof v === 'number' && v < 0) ctx.fail(`Pad: negative output dim ${v} on axis ${a}`);
    out[a] = v;
  });
  return [tensorOf(dtype, out)];
});

// CenterCropPad (opset 18): the listed axes take the sizes in `shape`; the rest keep theirs.
rules.add('CenterCropPad', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  const shape = dimsArg(ctx, 1);
  if (!d) return [tensorOf(dtype, null)];
  const axes = normAxes(ctx, attrInts(ctx.node, 'axes') ?? d.map((_, i) => i), d.length);
  const out = d.slice();
  if (shape && shape.length !== axes.length) ctx.fail(`CenterCropPad: ${shape.length} sizes for ${axes.length} axes`);
  axes.forEach((a, i) => {
    out[a] = shape ? shape[i] : null;
  });
  return [tensorOf(dtype, out)];
});

// ---- Expand / Tile ----

rules.add('Expand', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  const shape = dimsArg(ctx, 1);
  if (!shape) {
    const n = inLength(ctx, 1);
    if (n === undefined || !d) return [tensorOf(dtype, null)];
    // Unknown target values: a dim of the input other than 1 must survive the broadcast.
    const r = Math.max(n, d.length);
    const out: Dim[] = [];
    for (let i = 0; i < r; i++) {
      const k = i - (r - d.length);
      const v = k >= 0 ? d[k] : null;
      out.push(typeof v === 'number' && v !== 1 ? v : null);
    }
    return [tensorOf(dtype, out)];
  }
  if (!d) return [tensorOf(dtype, null)];
  const r = Math.max(shape.length, d.length);
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const a = i - (r - d.length) >= 0 ? d[i - (r - d.length)] : 1;
    const b = i - (r - shape.length) >= 0 ? shape[i - (r - shape.length)] : 1;
    const v = broadcastDim(a, b);
    if (v === undefined) return ctx.fail(`Expand: cannot broadcast [${d.join(',')}] to [${shape.join(',')}]`);
    out.push(v);
  }
  return [tensorOf(dtype, out, broadcastData(ctx.inputs[0], d, out))];
});

/** Data of a tensor broadcast (numpy rules) to a larger numeric shape. */
function broadcastData(v: Value | undefined, d: Dim[], out: Dim[]): Dim[] | undefined {
  const src = v?.data,
    nd = numeric(d),
    od = numeric(out);
  if (!src || !nd || !od) return undefined;
  const st = strides(nd);
  const lead = od.length - nd.length;
  return mapData(od, src, (idx) => {
    let s = 0;
    for (let a = 0; a < nd.length; a++) s += (nd[a] === 1 ? 0 : idx[a + lead]) * st[a];
    return s;
  });
}

rules.add('Tile', (ctx) => {
  const x = inTensor(ctx, 0);
  const dtype = x?.dtype ?? 0;
  const d = x?.dims;
  if (ctx.opset < 6) {
    // Tile-1: inputs (input, tiles, axis), both scalars
    const tiles = ctx.inputs[1]?.data?.[0],
      axis = ctx.inputs[2]?.data?.[0];
    if (!d) return [tensorOf(dtype, null)];
    if (typeof axis !== 'number')
      return [
        tensorOf(
          dtype,
          d.map(() => null),
        ),
      ];
    const a = normAxis(axis, d.length, ctx);
    const out = d.slice();
    out[a] = tiles === undefined ? null : dimMul(d[a], tiles);
    return [tensorOf(dtype, out)];
  }
  const reps = dimsArg(ctx, 1);
  if (!d) return [tensorOf(dtype, reps ? reps.map(() => null) : null)];
  if (!reps)
    return [
      tensorOf(
        dtype,
        d.map(() => null),
      ),
    ];
  if (reps.length !== d.length) ctx.fail(`Tile: ${reps.length} repeats for a rank-${d.length} input`);
  const out = d.map((v, i) => dimMul(v, reps[i]));
  let data: Dim[] | undefined;
  const src = ctx.inputs[0]?.data,
    nd = numeric(d),
    od = numeric(out);
  if (src && nd && od) {
    const st = strides(nd);
    data = mapData(od, src, (idx) => idx.reduce((acc, v, a) => acc + (v % nd[a]) * st[a], 0));
  }
  return [tensorOf(dtype, out, data)];
});

export const slicingRules = rules.rules;
