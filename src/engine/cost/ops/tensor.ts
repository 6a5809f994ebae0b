// Costs for the tensor (data movement) family. Conventions (docs/COSTS.md, "## tensor"):
// - Data movement is 0 FLOPs; its cost is bytes. Default bytes: every input read once, every output written once.
// - Views (Reshape, Flatten, Squeeze, Unsqueeze, BitCast) move nothing: onnxruntime aliases the input buffer.
// - Shape and Size read only metadata: 0 bytes read, the small output written.
// - Gather family and Slice read only what they select: indices (or the small slice arguments) plus
//   the selected elements, which are as many as the output holds.
// - TensorScatter updates its cache in place: reads the update and indices, writes the update.
// - Arithmetic where the op has some: Resize/Upsample/GridSample count 2 FLOPs per tap per output element
//   (a weighted sum: taps = 2^k linear, 4^k cubic over the k resampled axes, 0 nearest); AffineGrid
//   2*(r+1) per output element (a dot product with a theta row); Col2Im 1 add per input element;
//   ScatterElements/ScatterND with a reduction 1 per update element; Range 1 add per element;
//   comparisons count 1 FLOP as elsewhere: TopK n*max(1, ceil(log2 k)) (heap selection),
//   Unique n*ceil(log2 n) (sort), NonZero n.
import { attrInt, attrString } from '../../onnx/ir';
import { RuleList } from '../../opTable';
import type { CostFn } from '../types';
import { inElems, outElems, type CostCtx, type OpCost } from '../types';

/** This family's cost rules (cost/ops/index.ts builds the table). */
const rules = new RuleList<CostFn>();

const bytesOf = (ctx: CostCtx, from: number) => ctx.inputs.slice(from).reduce((a, t) => a + (t?.bytes ?? 0), 0);

rules.add(['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'BitCast'], () => ({
  flops: 0,
  bytesRead: 0,
  bytesWritten: 0,
  note: 'view: no data moved',
}));

rules.add(['Shape', 'Size'], () => ({ flops: 0, bytesRead: 0, note: 'reads metadata only' }));

rules.add(
  [
    'Transpose',
    'DepthToSpace',
    'SpaceToDepth',
    'Concat',
    'Split',
    'Expand',
    'Tile',
    'Pad',
    'CenterCropPad',
    'ConstantOfShape',
    'EyeLike',
    'OneHot',
    'Compress',
    'Trilu',
    'ReverseSequence',
    'Scatter',
  ],
  () => ({ flops: 0 }),
);

// Selections read the selected elements (as many as the output holds) plus their index arguments.
const selective = (ctx: CostCtx): OpCost => ({
  flops: 0,
  bytesRead: (ctx.outputs[0]?.bytes ?? 0) + bytesOf(ctx, 1),
  note: 'reads only the selected elements',
});
rules.add(['Gather', 'GatherElements', 'GatherND', 'Slice'], selective);

rules.add(['ScatterElements', 'ScatterND'], (ctx) => {
  const red = attrString(ctx.node, 'reduction', 'none');
  return red === 'none'
    ? { flops: 0 }
    : { flops: inElems(ctx, 2), note: `reduction ${red}: 1 FLOP per update element` };
});

rules.add('TensorScatter', (ctx) => ({
  flops: 0,
  bytesRead: bytesOf(ctx, 1),
  bytesWritten: ctx.inputs[1]?.bytes ?? 0,
  note: 'in-place cache update',
}));

rules.add('Range', (ctx) => ({ flops: outElems(ctx) }));

/** Axes whose size changes between input 0 and output 0. */
function resampledAxes(ctx: CostCtx): number {
  const a = ctx.inputs[0]?.dims,
    b = ctx.outputs[0]?.dims;
  if (!a || !b || a.length !== b.length) return 0;
  return a.filter((v, i) => v !== b[i]).length;
}

function tapsFor(mode: string, k: number): number {
  if (mode === 'nearest') return 0;
  if (mode === 'cubic' || mode === 'bicubic') return 4 ** k;
  return 2 ** k; // linear / bilinear / trilinear
}

rules.add(['Resize', 'Upsample'], (ctx) => {
  const mode = attrString(ctx.node, 'mode', 'nearest');
  const taps = tapsFor(mode, resampledAxes(ctx));
  return { flops: 2 * taps * outElems(ctx), note: `${mode}: ${taps} taps per output element` };
});

rules.add('GridSample', (ctx) => {
  const mode = attrString(ctx.node, 'mode', ctx.opset >= 20 ? 'linear' : 'bilinear');
  const r = Math.max(0, (ctx.inputs[0]?.dims.length ?? 4) - 2);
  const taps = tapsFor(mode, r);
  return { flops: 2 * taps * outElems(ctx), note: `${mode}: ${taps} taps per output element` };
});

rules.add('AffineGrid', (ctx) => {
  const o = ctx.outputs[0];
  const r = o ? (o.dims[o.dims.length - 1] ?? 2) : 2;
  return { flops: 2 * (r + 1) * outElems(ctx) };
});

rules.add('Col2Im', (ctx) => ({ flops: inElems(ctx, 0) }));

rules.add('TopK', (ctx) => {
  const o = ctx.outputs[0]?.dims ?? [];
  let axis = attrInt(ctx.node, 'axis', -1);
  if (axis < 0) axis += o.length;
  const k = o[axis] ?? 1;
  return { flops: inElems(ctx) * Math.max(1, Math.ceil(Math.log2(Math.max(1, k)))) };
});

rules.add('Unique', (ctx) => {
  const n = inElems(ctx);
  return { flops: n * Math.max(1, Math.ceil(Math.log2(Math.max(2, n)))) };
});

rules.add('NonZero', (ctx) => ({ flops: inElems(ctx) }));

export const tensorCosts = rules.rules;
