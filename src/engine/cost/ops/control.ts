// Control flow, sequences and optionals.
// If: the branch a known condition selects, else the larger branch (a static profile cannot know the
// predicate; the larger one is the conservative step time).
// Loop: body x trip count M when M is known (an upper bound when the body's cond may stop early), otherwise
// one iteration, flagged in the note. Scan: body x sequence length (x batch for Scan-8).
// SequenceMap: body x sequence length when the contents are known, else one application.
// Only FLOPs come from the bodies: a node's bytes stay its own inputs and outputs (the body's own
// traffic is not added).
// Sequences and optionals: 0 FLOPs; bytes are the tensors copied into or out of a sequence (a sequence value
// itself has no tensor type, so the default rule would count it as 0 bytes).
import { attrInt, attrInts } from '../../onnx/ir';
import { RuleList } from '../../opTable';
import type { CostFn } from '../types';
import type { CostCtx } from '../types';
import { itemsOf } from '../../shapes/ops/control';

/** This family's cost rules (cost/ops/index.ts builds the table). */
const rules = new RuleList<CostFn>();

function knownCond(ctx: CostCtx): boolean | undefined {
  const d = ctx.inputValues[0]?.data?.[0];
  return typeof d === 'number' ? d !== 0 : undefined;
}

rules.add('If', (ctx) => {
  const a = ctx.subgraphFlops('then_branch') ?? 0;
  const b = ctx.subgraphFlops('else_branch') ?? 0;
  const c = knownCond(ctx);
  if (c !== undefined)
    return { flops: c ? a : b, note: `If: condition known (${c}), the ${c ? 'then' : 'else'} branch is counted` };
  return { flops: Math.max(a, b), note: 'If: the larger branch is counted' };
});

rules.add('Loop', (ctx) => {
  const body = ctx.subgraphFlops('body') ?? 0;
  const m = ctx.node.inputs[0] ? ctx.inputValues[0]?.data?.[0] : undefined;
  // exporters write INT64_MAX for "no limit" (while loops): treat counts beyond 1e12 as unknown
  if (typeof m === 'number' && m >= 0 && m < 1e12) return { flops: body * m, note: `Loop: body x ${m} iterations` };
  return { flops: body, note: 'Loop: trip count unknown, one iteration counted' };
});

rules.add('Scan', (ctx) => {
  const body = ctx.subgraphFlops('body') ?? 0;
  const nScan = attrInt(ctx.node, 'num_scan_inputs', 0);
  const first = ctx.inputs[ctx.node.inputs.length - nScan];
  if (!first) return { flops: body, note: 'Scan: sequence length unknown, one iteration counted' };
  if (ctx.opset < 9) {
    // Scan-8: [batch, sequence, ...] scan inputs; the body runs once per batch element and step
    const b = first.dims[0] ?? 1,
      t = first.dims[1] ?? 1;
    return { flops: body * b * t, note: `Scan: body x ${b} batch x ${t} steps` };
  }
  const axis = attrInts(ctx.node, 'scan_input_axes')?.[0] ?? 0;
  const t = first.dims[axis < 0 ? axis + first.dims.length : axis] ?? 1;
  return { flops: body * t, note: `Scan: body x ${t} iterations` };
});

rules.add('SequenceMap', (ctx) => {
  const body = ctx.subgraphFlops('body') ?? 0;
  const n = itemsOf(ctx.inputValues[0])?.length;
  if (n !== undefined) return { flops: body * n, note: `SequenceMap: body x ${n} elements` };
  return { flops: body, note: 'SequenceMap: sequence length unknown, one application counted' };
});

const tensorBytes = (ctx: CostCtx, k: number, out = false) => (out ? ctx.outputs[k] : ctx.inputs[k])?.bytes ?? 0;
const sumInputs = (ctx: CostCtx) => ctx.inputs.reduce((a, t) => a + (t?.bytes ?? 0), 0);

// The tensors copied into the new sequence are read and written once.
rules.add('SequenceConstruct', (ctx) => ({ flops: 0, bytesRead: sumInputs(ctx), bytesWritten: sumInputs(ctx) }));
rules.add('SequenceInsert', (ctx) => ({
  flops: 0,
  bytesRead: tensorBytes(ctx, 1),
  bytesWritten: tensorBytes(ctx, 1),
}));
// SequenceAt copies one element out; ConcatFromSequence reads every element once, writes the result.
rules.add(['SequenceAt', 'ConcatFromSequence'], (ctx) => ({
  flops: 0,
  bytesRead: tensorBytes(ctx, 0, true),
  bytesWritten: tensorBytes(ctx, 0, true),
}));
rules.add('SplitToSequence', (ctx) => ({
  flops: 0,
  bytesRead: tensorBytes(ctx, 0),
  bytesWritten: tensorBytes(ctx, 0),
}));
// Bookkeeping only: no tensor data moves.
rules.add(
  ['SequenceEmpty', 'SequenceErase', 'SequenceLength', 'Optional', 'OptionalHasElement', 'OptionalGetElement'],
  (ctx) => ({
    flops: 0,
    bytesRead: 0,
    bytesWritten:
      ctx.node.opType === 'SequenceLength' || ctx.node.opType === 'OptionalHasElement' ? tensorBytes(ctx, 0, true) : 0,
  }),
);

export const controlCosts = rules.rules;
