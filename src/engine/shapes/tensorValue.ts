// A stored tensor (initializer or Constant value) as a shape-inference value: dims, and its data when small.
import type { TensorInfo } from '../onnx/ir';
import { DATA_MAX, type Value } from './types';

export function valueFromTensor(t: TensorInfo): Value {
  const v: Value = { type: { kind: 'tensor', dtype: t.dtype, dims: t.dims.slice() } };
  if (t.values && t.values.length <= DATA_MAX && t.values.length === t.elements) v.data = t.values.slice();
  return v;
}
