// Recurrent layers RNN, GRU, LSTM (onnx/defs/rnn/defs.cc, RNNShapeInference). X is
// [seq_length, batch, input_size] (layout 0) or [batch, seq_length, input_size] (layout 1, opset 14+);
// W is [num_directions, gates*hidden, input_size]. Outputs: Y [seq, dirs, batch, hidden]
// (layout 1: [batch, seq, dirs, hidden]), Y_h and (LSTM) Y_c [dirs, batch, hidden] (layout 1: [batch, dirs, hidden]).
import type { Dim, Node } from '../../onnx/ir';
import { attrInt, attrString } from '../../onnx/ir';
import { RuleList } from '../../opTable';
import type { InferFn } from '../types';
import { inTensor, tensorOf } from '../types';
import { dimFloorDiv } from '../dims';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

/** Gate blocks stacked in W/R: RNN 1, GRU 3 (z, r, h), LSTM 4 (i, o, f, c). */
export const GATES: Record<string, number> = { RNN: 1, GRU: 3, LSTM: 4 };

export interface RnnGeometry {
  seq: Dim;
  batch: Dim;
  inputSize: Dim;
  hidden: Dim;
  directions: number;
  layout: number;
}

/** Sizes of a recurrent node from its X, W and R dims (any may be unknown). */
export function rnnGeometry(node: Node, xDims: Dim[] | null, wDims: Dim[] | null, rDims: Dim[] | null): RnnGeometry {
  const directions = attrString(node, 'direction', 'forward') === 'bidirectional' ? 2 : 1;
  const layout = attrInt(node, 'layout', 0);
  const gates = GATES[node.opType] ?? 1;
  let hidden: Dim = attrInt(node, 'hidden_size') ?? null;
  // hidden_size is optional in the spec: R is [dirs, gates*hidden, hidden], W is [dirs, gates*hidden, input].
  if (hidden === null && rDims?.length === 3) hidden = rDims[2];
  if (hidden === null && wDims?.length === 3) hidden = dimFloorDiv(wDims[1], gates);
  const x = xDims && xDims.length === 3 ? xDims : null;
  const seq = x ? (layout === 0 ? x[0] : x[1]) : null;
  const batch = x ? (layout === 0 ? x[1] : x[0]) : null;
  const inputSize = x ? x[2] : wDims?.length === 3 ? wDims[2] : null;
  return { seq, batch, inputSize, hidden, directions, layout };
}

rules.add(['RNN', 'GRU', 'LSTM'], (ctx) => {
  const x = inTensor(ctx, 0);
  if (!x) return [];
  if (x.dims && x.dims.length !== 3) ctx.fail(`${ctx.node.opType} input X must have rank 3, got ${x.dims.length}`);
  const dir = attrString(ctx.node, 'direction', 'forward');
  if (!['forward', 'reverse', 'bidirectional'].includes(dir)) ctx.fail(`unknown direction '${dir}'`);
  const w = inTensor(ctx, 1)?.dims ?? null;
  const g = rnnGeometry(ctx.node, x.dims, w, inTensor(ctx, 2)?.dims ?? null);
  if (w && w.length === 3 && typeof w[0] === 'number' && w[0] !== g.directions) {
    ctx.fail(`W has ${w[0]} directions but direction='${dir}' needs ${g.directions}`);
  }
  const { seq, batch, hidden, directions: d } = g;
  const y = g.layout === 0 ? [seq, d, batch, hidden] : [batch, seq, d, hidden];
  const state = () => tensorOf(x.dtype, g.layout === 0 ? [d, batch, hidden] : [batch, d, hidden]);
  const outs = [tensorOf(x.dtype, y), state()];
  if (ctx.node.opType === 'LSTM') outs.push(state());
  return outs;
});

export const recurrentRules = rules.rules;
