// Constant, Identity and the ops whose output is one of their inputs unchanged.
import { RuleList } from '../../opTable';
import type { InferFn } from '../types';
import { tensorOf, type Value } from '../types';
import { valueFromTensor } from '../tensorValue';
import { DT } from '../../onnx/dtypes';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

rules.add('Constant', (ctx) => {
  const a = ctx.node.attrs;
  if (a.value?.type === 'tensor') return [valueFromTensor(a.value.value)];
  if (a.sparse_value?.type === 'sparse_tensor')
    return [{ type: { kind: 'tensor', dtype: a.sparse_value.value.values.dtype, dims: a.sparse_value.value.dims } }];
  if (a.value_float?.type === 'float') return [tensorOf(DT.FLOAT, [], [a.value_float.value])];
  if (a.value_int?.type === 'int') return [tensorOf(DT.INT64, [], [a.value_int.value])];
  if (a.value_floats?.type === 'floats')
    return [tensorOf(DT.FLOAT, [a.value_floats.value.length], a.value_floats.value.slice())];
  if (a.value_ints?.type === 'ints')
    return [tensorOf(DT.INT64, [a.value_ints.value.length], a.value_ints.value.slice())];
  if (a.value_string?.type === 'string') return [tensorOf(DT.STRING, [])];
  if (a.value_strings?.type === 'strings') return [tensorOf(DT.STRING, [a.value_strings.value.length])];
  return ctx.fail('Constant has no value attribute');
});

const passThrough = (ctx: { inputs: (Value | undefined)[] }) => [ctx.inputs[0]];
rules.add(['Identity'], passThrough);

export const constantRules = rules.rules;
