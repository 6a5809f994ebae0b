// Elementwise ops: FLOPs per output element. Conventions: a basic arithmetic op or comparison is 1 FLOP;
// transcendental activations count the operations of their defining formula (as in onnx-tool's
// per-element convention, documented per op below); Cast/Identity and friends are pure data movement.
import { RuleList } from '../../opTable';
import type { CostFn } from '../types';
import { outElems } from '../types';
import { BINARY, COMPARE, UNARY_SAME, VARIADIC } from '../../shapes/ops/elementwise';

/** This family's cost rules (cost/ops/index.ts builds the table). */
const rules = new RuleList<CostFn>();

/** FLOPs per output element where the formula has more than one operation. */
const PER_ELEMENT: Record<string, number> = {
  Sigmoid: 4, // 1 / (1 + exp(-x)): neg, exp, add, div
  Tanh: 5,
  Gelu: 8, // 0.5*x*(1+erf(x/sqrt2)) or the tanh form
  Erf: 5,
  Elu: 3,
  Selu: 4,
  Celu: 4,
  HardSigmoid: 3, // max(0, min(1, alpha*x+beta))
  HardSwish: 4,
  Softplus: 3,
  Softsign: 3,
  Mish: 8,
  Swish: 5,
  LeakyRelu: 2,
  PRelu: 2,
  ThresholdedRelu: 1,
  Shrink: 2,
  Clip: 2,
  Relu: 1,
  Exp: 1,
  Log: 1,
  Sqrt: 1,
  Reciprocal: 1,
  Pow: 1,
};

rules.add([...UNARY_SAME, ...BINARY, ...COMPARE], (ctx) => ({
  flops: outElems(ctx) * (PER_ELEMENT[ctx.node.opType] ?? 1),
}));

rules.add(VARIADIC, (ctx) => {
  const n = ctx.node.inputs.filter(Boolean).length;
  return { flops: outElems(ctx) * Math.max(1, n - 1 + (ctx.node.opType === 'Mean' ? 1 : 0)) };
});

rules.add('Where', (ctx) => ({ flops: outElems(ctx) }));

// Pure data movement: no arithmetic; bytes only.
rules.add(['Cast', 'CastLike', 'Identity', 'Constant'], () => ({ flops: 0 }));

export const elementwiseCosts = rules.rules;
