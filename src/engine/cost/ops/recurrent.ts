// Costs of RNN, GRU, LSTM. Convention (docs/COSTS.md "## recurrent"): per time step, per batch row,
// per direction, the gate projections cost 2*(input_size + hidden)*gates*hidden FLOPs (X_t*W^T and
// H_{t-1}*R^T, 2 per multiply-add), plus the elementwise gate math of recurrentElementwise(); the
// total is multiplied by the sequence length T (the padded maximum: sequence_lens may end rows early)
// and by batch and directions. (onnx-tool counts one step only, a factor T too low.)
import { RuleList } from '../../opTable';
import type { CostFn } from '../types';
import type { CostCtx } from '../types';
import { GATES, rnnGeometry } from '../../shapes/ops/recurrent';

/** This family's cost rules (cost/ops/index.ts builds the table). */
const rules = new RuleList<CostFn>();

/** FLOPs per element of the activation functions RNN/GRU/LSTM accept (same counts as cost/ops/elementwise.ts). */
export const ACTIVATION_FLOPS: Record<string, number> = {
  Sigmoid: 4,
  Tanh: 5,
  Relu: 1,
  HardSigmoid: 3,
  Affine: 2,
  LeakyRelu: 2,
  ThresholdedRelu: 1,
  ScaledTanh: 7,
  Elu: 3,
  Softsign: 3,
  Softplus: 3,
};

const DEFAULT_ACTS: Record<string, string[]> = {
  RNN: ['Tanh'],
  GRU: ['Sigmoid', 'Tanh'],
  LSTM: ['Sigmoid', 'Tanh', 'Tanh'],
};

/** The activation names for one direction (the attribute lists forward then reverse for bidirectional). */
function activations(ctx: CostCtx, direction: number): string[] {
  const dflt = DEFAULT_ACTS[ctx.node.opType];
  const a = ctx.node.attrs.activations;
  if (!a || a.type !== 'strings' || a.value.length < dflt.length) return dflt;
  const set = a.value.slice(direction * dflt.length, (direction + 1) * dflt.length);
  return set.length === dflt.length ? set : a.value.slice(0, dflt.length);
}

const act = (name: string) =>
  ACTIVATION_FLOPS[name] ??
  ACTIVATION_FLOPS[Object.keys(ACTIVATION_FLOPS).find((k) => k.toLowerCase() === name.toLowerCase()) ?? ''] ??
  1;

/**
 * Elementwise FLOPs of one step, one batch row, one direction, with hidden size h:
 * every gate adds its two projections (gates*h) and, with B, the two biases (2*gates*h); then
 * RNN:  f(.)                                           -> h*f
 * GRU:  z, r = f(.); r (.) (H R_h^T) ; h~ = g(.); H = (1-z) (.) h~ + z (.) H   -> 2h*f + h + h*g + 4h
 * LSTM: i, f, o = f(.) (+ peepholes P: 3 mul + 3 add); c~ = g(.); C = f (.) C + i (.) c~ (3h);
 *       H = o (.) h(C) (h*h_act + h)
 */
export function recurrentElementwise(op: string, h: number, bias: boolean, peephole: boolean, acts: string[]): number {
  const gates = GATES[op] ?? 1;
  const combine = gates * h + (bias ? 2 * gates * h : 0);
  if (op === 'RNN') return combine + h * act(acts[0]);
  if (op === 'GRU') return combine + 2 * h * act(acts[0]) + h + h * act(acts[1]) + 4 * h;
  return combine + (peephole ? 6 * h : 0) + 3 * h * act(acts[0]) + h * act(acts[1]) + 3 * h + h * act(acts[2]) + h;
}

rules.add(['RNN', 'GRU', 'LSTM'], (ctx) => {
  const op = ctx.node.opType;
  const g = rnnGeometry(
    ctx.node,
    ctx.inputs[0]?.dims ?? null,
    ctx.inputs[1]?.dims ?? null,
    ctx.inputs[2]?.dims ?? null,
  );
  const num = (d: unknown) => (typeof d === 'number' && d >= 0 ? d : 1);
  const seq = num(g.seq),
    batch = num(g.batch),
    inputSize = num(g.inputSize),
    hidden = num(g.hidden);
  const gates = GATES[op];
  const bias = !!ctx.node.inputs[3];
  const peephole = op === 'LSTM' && !!ctx.node.inputs[7];
  let perStep = 0;
  for (let dir = 0; dir < g.directions; dir++) {
    perStep +=
      2 * (inputSize + hidden) * gates * hidden +
      recurrentElementwise(op, hidden, bias, peephole, activations(ctx, dir));
  }
  return { flops: seq * batch * perStep, note: `${op}: ${seq} steps x batch ${batch} x ${g.directions} direction(s)` };
});

export const recurrentCosts = rules.rules;
