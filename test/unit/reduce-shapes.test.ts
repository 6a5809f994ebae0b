// Shape inference of the reduce family on one-node models encoded as real ONNX bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, model, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';

interface In { name: string; dtype?: number; dims: Dim[] | null; init?: number[] }

/** Infers a model of `nodes` (op, inputs, outputs, attrs) with graph inputs / int initializers `ins`. */
function infer(nodes: [string, string[], string[], Record<string, AttrInput>?][], ins: In[], opset: number) {
  const m = readModelBytes(model({
    opsets: { '': opset },
    graph: graph({
      nodes: nodes.map(([op, i, o, a]) => node(op, i, o, a ?? {})),
      inputs: ins.filter((i) => !i.init).map((i) => vi(i.name, i.dtype ?? T.FLOAT, i.dims)),
      initializers: ins.filter((i) => i.init).map((i) => tensor(i.name, i.dtype ?? T.INT64, i.dims as number[], { values: i.init })),
      outputs: nodes.flatMap(([, , o]) => o.filter(Boolean)).map((name) => ({ name })),
    }),
  }));
  const s = inferShapes(m, { useDeclared: false });
  const get = (n: string) => {
    const t = s.main.values.get(n)?.type;
    return t && t.kind === 'tensor' ? { dtype: t.dtype, dims: t.dims, data: s.main.values.get(n)?.data } : undefined;
  };
  return { get, diagnostics: s.diagnostics.map((d) => d.message) };
}

const X = (dims: Dim[] | null, dtype: number = T.FLOAT): In => ({ name: 'x', dtype, dims });

test('ReduceSum takes axes as an input from opset 13, keepdims on and off', () => {
  const axes: In = { name: 'axes', dims: [1], init: [1] };
  assert.deepEqual(infer([['ReduceSum', ['x', 'axes'], ['y']]], [X([2, 3, 4]), axes], 13).get('y')?.dims, [2, 1, 4]);
  assert.deepEqual(infer([['ReduceSum', ['x', 'axes'], ['y'], { keepdims: 0 }]], [X([2, 3, 4]), axes], 13).get('y')?.dims, [2, 4]);
  // before 13 the attribute is used
  assert.deepEqual(infer([['ReduceSum', ['x'], ['y'], { axes: [0, -1], keepdims: 0 }]], [X(['b', 3, 4])], 11).get('y')?.dims, [3]);
});

test('the other reductions take axes as an attribute until opset 18 and as an input since', () => {
  for (const op of ['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']) {
    assert.deepEqual(infer([[op, ['x'], ['y'], { axes: [-1] }]], [X(['n', 'seq', 8])], 17).get('y')?.dims, ['n', 'seq', 1], op);
    const r = infer([[op, ['x', 'axes'], ['y'], { keepdims: 0 }]], [X(['n', 'seq', 8]), { name: 'axes', dims: [2], init: [2, 0] }], 18);
    assert.deepEqual(r.get('y')?.dims, ['seq'], op);
    assert.equal(r.get('y')?.dtype, T.FLOAT);
  }
});

test('no axes reduces everything unless noop_with_empty_axes', () => {
  assert.deepEqual(infer([['ReduceMean', ['x'], ['y']]], [X([2, 3, 4])], 18).get('y')?.dims, [1, 1, 1]);
  assert.deepEqual(infer([['ReduceMean', ['x'], ['y'], { keepdims: 0 }]], [X(null)], 18).get('y')?.dims, []);
  assert.deepEqual(infer([['ReduceSum', ['x'], ['y'], { noop_with_empty_axes: 1 }]], [X([2, 3, 4])], 13).get('y')?.dims, [2, 3, 4]);
  const empty: In = { name: 'axes', dims: [0], init: [] };
  assert.deepEqual(infer([['ReduceMax', ['x', 'axes'], ['y'], { noop_with_empty_axes: 1, keepdims: 0 }]], [X([2, 3]), empty], 18).get('y')?.dims, [2, 3]);
  assert.deepEqual(infer([['ReduceMax', ['x', 'axes'], ['y'], { keepdims: 0 }]], [X([2, 3]), empty], 18).get('y')?.dims, []);
});

test('axes whose values are unknown keep what is certain: rank, and dims already 1', () => {
  const axes: In = { name: 'axes', dtype: T.INT64, dims: [1] };
  assert.deepEqual(infer([['ReduceSum', ['x', 'axes'], ['y']]], [X([1, 3, 4]), axes], 13).get('y')?.dims, [1, null, null]);
  assert.deepEqual(infer([['ReduceSum', ['x', 'axes'], ['y'], { keepdims: 0 }]], [X([1, 3, 4]), axes], 13).get('y')?.dims, [null, null]);
});

test('an axis out of range is a diagnostic, not a crash', () => {
  const r = infer([['ReduceSum', ['x'], ['y'], { axes: [3] }]], [X([2, 3, 4])], 11);
  assert.equal(r.get('y')?.dims ?? null, null);
  assert.ok(r.diagnostics.some((m) => /axis 3 is out of range/.test(m)), r.diagnostics.join('; '));
});

test('ReduceProd / ReduceSum of a Shape carry the data (symbolic too)', () => {
  const r = infer([
    ['Shape', ['x'], ['s']],
    ['ReduceProd', ['s'], ['p'], { keepdims: 0 }],
    ['ReduceSum', ['s', 'ax'], ['q'], { keepdims: 1 }],
  ], [X(['batch', 'seq', 64]), { name: 'ax', dims: [1], init: [0] }], 13);
  assert.deepEqual(r.get('p')?.dims, []);
  assert.deepEqual(r.get('p')?.data, ['64*batch*seq']);
  assert.deepEqual(r.get('q')?.data, ['batch+seq+64']);
  const c = infer([['ReduceMax', ['c'], ['m'], { axes: [1], keepdims: 0 }], ['ReduceMean', ['c'], ['a'], { axes: [0], keepdims: 0 }]],
    [{ name: 'c', dims: [2, 3], init: [2, 9, 4, 5, 6, 7] }], 17);
  assert.deepEqual(c.get('m')?.data, [9, 7]);
  assert.deepEqual(c.get('a')?.data, [3, 7, 5]); // integer mean truncates
});

test('ArgMax/ArgMin: int64 output, keepdims, data of constants with select_last_index', () => {
  const r = infer([['ArgMax', ['x'], ['y'], { axis: -1, keepdims: 0 }]], [X(['n', 5, 7])], 13);
  assert.deepEqual(r.get('y')?.dims, ['n', 5]);
  assert.equal(r.get('y')?.dtype, T.INT64);
  assert.deepEqual(infer([['ArgMin', ['x'], ['y'], { axis: 1 }]], [X(['n', 5, 7])], 13).get('y')?.dims, ['n', 1, 7]);
  const c: In = { name: 'c', dims: [2, 3], init: [1, 5, 5, 4, 0, 4] };
  assert.deepEqual(infer([['ArgMax', ['c'], ['a'], { axis: 1, keepdims: 0 }]], [c], 13).get('a')?.data, [1, 0]);
  assert.deepEqual(infer([['ArgMax', ['c'], ['a'], { axis: 1, keepdims: 0, select_last_index: 1 }]], [c], 13).get('a')?.data, [2, 2]);
  assert.deepEqual(infer([['ArgMin', ['c'], ['a'], { axis: 1, keepdims: 0, select_last_index: 1 }]], [c], 13).get('a')?.data, [0, 1]);
});

test('CumSum/CumProd keep the shape and compute 1-D data (exclusive, reverse)', () => {
  const c: In = { name: 'c', dims: [4], init: [1, 2, 3, 4] };
  const ax: In = { name: 'ax', dims: [], init: [0] };
  assert.deepEqual(infer([['CumSum', ['c', 'ax'], ['y']]], [c, ax], 14).get('y')?.data, [1, 3, 6, 10]);
  assert.deepEqual(infer([['CumSum', ['c', 'ax'], ['y'], { exclusive: 1, reverse: 1 }]], [c, ax], 14).get('y')?.data, [9, 7, 4, 0]);
  assert.deepEqual(infer([['CumProd', ['c', 'ax'], ['y'], { exclusive: 1 }]], [c, ax], 26).get('y')?.data, [1, 1, 2, 6]);
  assert.deepEqual(infer([['CumSum', ['x', 'ax'], ['y']]], [X(['n', 3]), ax], 14).get('y')?.dims, ['n', 3]);
});

test('Softmax family keeps the shape; axis range depends on the opset', () => {
  for (const op of ['Softmax', 'LogSoftmax', 'Hardmax']) {
    assert.deepEqual(infer([[op, ['x'], ['y']]], [X(['b', 12, 'seq', 'seq'])], 13).get('y')?.dims, ['b', 12, 'seq', 'seq']);
    assert.deepEqual(infer([[op, ['x'], ['y'], { axis: 2 }]], [X([3, 4])], 11).get('y')?.dims, [3, 4], `${op} coerced 2-D allows axis = rank`);
    assert.ok(infer([[op, ['x'], ['y'], { axis: 2 }]], [X([3, 4])], 13).diagnostics.some((m) => /out of range/.test(m)));
  }
});

test('losses: reduction none keeps (N, d1..dk), mean/sum give a scalar; SCE log_prob has the scores shape', () => {
  const x = X([3, 5, 6, 7]);
  const t: In = { name: 't', dtype: T.INT64, dims: [3, 6, 7] };
  assert.deepEqual(infer([['NegativeLogLikelihoodLoss', ['x', 't'], ['l'], { reduction: 'none' }]], [x, t], 22).get('l')?.dims, [3, 6, 7]);
  assert.deepEqual(infer([['NegativeLogLikelihoodLoss', ['x', 't'], ['l']]], [x, t], 22).get('l')?.dims, []);
  const s = infer([['SoftmaxCrossEntropyLoss', ['x', 't'], ['l', 'lp'], { reduction: 'sum' }]], [x, t], 13);
  assert.deepEqual(s.get('l')?.dims, []);
  assert.deepEqual(s.get('lp')?.dims, [3, 5, 6, 7]);
  assert.ok(infer([['NegativeLogLikelihoodLoss', ['x', 't'], ['l']]], [x, { name: 't', dtype: T.INT64, dims: [3] }], 22).diagnostics.some((m) => /target rank/.test(m)));
});

test('Det drops the last two dims and rejects non-square matrices', () => {
  assert.deepEqual(infer([['Det', ['x'], ['y']]], [X(['b', 2, 3, 3])], 22).get('y')?.dims, ['b', 2]);
  assert.deepEqual(infer([['Det', ['x'], ['y']]], [X([4, 4])], 22).get('y')?.dims, []);
  assert.ok(infer([['Det', ['x'], ['y']]], [X([3, 4])], 22).diagnostics.some((m) => /square/.test(m)));
});
