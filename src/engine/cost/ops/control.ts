// Control flow. If: the larger branch (a static profile cannot know the predicate; the larger one is the
// conservative step time). Loop: body x trip count M when M is known, otherwise one iteration, flagged.
// Scan: body x the scan axis length of the first scan input.
import { registerCost } from '../registry';

registerCost('If', (ctx) => {
  const a = ctx.subgraphFlops('then_branch') ?? 0;
  const b = ctx.subgraphFlops('else_branch') ?? 0;
  return { flops: Math.max(a, b), note: 'If: the larger branch is counted' };
});

registerCost('Loop', (ctx) => {
  const body = ctx.subgraphFlops('body') ?? 0;
  const m = ctx.inputValues[0]?.data?.[0];
  if (typeof m === 'number' && m >= 0 && m < 1e12) return { flops: body * m, note: `Loop: body x ${m} iterations` };
  return { flops: body, note: 'Loop: trip count unknown, one iteration counted' };
});

registerCost('Scan', (ctx) => {
  const body = ctx.subgraphFlops('body') ?? 0;
  const nScan = ctx.node.attrs.num_scan_inputs;
  const nState = ctx.node.inputs.length - (nScan?.type === 'int' ? nScan.value : 0);
  const axes = ctx.node.attrs.scan_input_axes;
  const axis = axes?.type === 'ints' ? axes.value[0] ?? 0 : 0;
  const first = ctx.inputs[nState];
  const t = first ? first.dims[axis < 0 ? axis + first.dims.length : axis] ?? 1 : 1;
  return { flops: body * t, note: `Scan: body x ${t} iterations` };
});
