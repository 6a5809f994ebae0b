// Shape inference of the reduce family on one-node models encoded as real ONNX bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../fixtures/onnx-writer';
import { graphOf, X, type In } from '../fixtures/op-model';

test('ReduceSum takes axes as an input from opset 13, keepdims on and off', () => {
  const axes: In = { name: 'axes', dims: [1], init: [1] };
  assert.deepEqual(graphOf([['ReduceSum', ['x', 'axes'], ['y']]], [X([2, 3, 4]), axes], 13).dims('y'), [2, 1, 4]);
  assert.deepEqual(
    graphOf([['ReduceSum', ['x', 'axes'], ['y'], { keepdims: 0 }]], [X([2, 3, 4]), axes], 13).dims('y'),
    [2, 4],
  );
  // before 13 the attribute is used
  assert.deepEqual(
    graphOf([['ReduceSum', ['x'], ['y'], { axes: [0, -1], keepdims: 0 }]], [X(['b', 3, 4])], 11).dims('y'),
    [3],
  );
});

test('the other reductions take axes as an attribute until opset 18 and as an input since', () => {
  for (const op of [
    'ReduceMean',
    'ReduceMax',
    'ReduceMin',
    'ReduceProd',
    'ReduceL1',
    'ReduceL2',
    'ReduceLogSum',
    'ReduceLogSumExp',
    'ReduceSumSquare',
  ]) {
    assert.deepEqual(
      graphOf([[op, ['x'], ['y'], { axes: [-1] }]], [X(['n', 'seq', 8])], 17).dims('y'),
      ['n', 'seq', 1],
      op,
    );
    const r = graphOf(
      [[op, ['x', 'axes'], ['y'], { keepdims: 0 }]],
      [X(['n', 'seq', 8]), { name: 'axes', dims: [2], init: [2, 0] }],
      18,
    );
    assert.deepEqual(r.dims('y'), ['seq'], op);
    assert.equal(r.dtype('y'), T.FLOAT);
  }
});

test('no axes reduces everything unless noop_with_empty_axes', () => {
  assert.deepEqual(graphOf([['ReduceMean', ['x'], ['y']]], [X([2, 3, 4])], 18).dims('y'), [1, 1, 1]);
  assert.deepEqual(graphOf([['ReduceMean', ['x'], ['y'], { keepdims: 0 }]], [X(null)], 18).dims('y'), []);
  assert.deepEqual(
    graphOf([['ReduceSum', ['x'], ['y'], { noop_with_empty_axes: 1 }]], [X([2, 3, 4])], 13).dims('y'),
    [2, 3, 4],
  );
  const empty: In = { name: 'axes', dims: [0], init: [] };
  assert.deepEqual(
    graphOf(
      [['ReduceMax', ['x', 'axes'], ['y'], { noop_with_empty_axes: 1, keepdims: 0 }]],
      [X([2, 3]), empty],
      18,
    ).dims('y'),
    [2, 3],
  );
  assert.deepEqual(
    graphOf([['ReduceMax', ['x', 'axes'], ['y'], { keepdims: 0 }]], [X([2, 3]), empty], 18).dims('y'),
    [],
  );
});

test('axes whose values are unknown keep what is certain: rank, and dims already 1', () => {
  const axes: In = { name: 'axes', dtype: T.INT64, dims: [1] };
  assert.deepEqual(graphOf([['ReduceSum', ['x', 'axes'], ['y']]], [X([1, 3, 4]), axes], 13).dims('y'), [1, null, null]);
  assert.deepEqual(
    graphOf([['ReduceSum', ['x', 'axes'], ['y'], { keepdims: 0 }]], [X([1, 3, 4]), axes], 13).dims('y'),
    [null, null],
  );
});

test('an axis out of range is a diagnostic, not a crash', () => {
  const r = graphOf([['ReduceSum', ['x'], ['y'], { axes: [3] }]], [X([2, 3, 4])], 11);
  assert.equal(r.dims('y') ?? null, null);
  assert.ok(
    r.diagnostics.some((m) => /axis 3 is out of range/.test(m)),
    r.diagnostics.join('; '),
  );
});

test('ReduceProd / ReduceSum of a Shape carry the data (symbolic too)', () => {
  const r = graphOf(
    [
      ['Shape', ['x'], ['s']],
      ['ReduceProd', ['s'], ['p'], { keepdims: 0 }],
      ['ReduceSum', ['s', 'ax'], ['q'], { keepdims: 1 }],
    ],
    [X(['batch', 'seq', 64]), { name: 'ax', dims: [1], init: [0] }],
    13,
  );
  assert.deepEqual(r.dims('p'), []);
  assert.deepEqual(r.data('p'), ['64*batch*seq']);
  assert.deepEqual(r.data('q'), ['batch+seq+64']);
  const c = graphOf(
    [
      ['ReduceMax', ['c'], ['m'], { axes: [1], keepdims: 0 }],
      ['ReduceMean', ['c'], ['a'], { axes: [0], keepdims: 0 }],
    ],
    [{ name: 'c', dims: [2, 3], init: [2, 9, 4, 5, 6, 7] }],
    17,
  );
  assert.deepEqual(c.data('m'), [9, 7]);
  assert.deepEqual(c.data('a'), [3, 7, 5]); // integer mean truncates
});

test('ArgMax/ArgMin: int64 output, keepdims, data of constants with select_last_index', () => {
  const r = graphOf([['ArgMax', ['x'], ['y'], { axis: -1, keepdims: 0 }]], [X(['n', 5, 7])], 13);
  assert.deepEqual(r.dims('y'), ['n', 5]);
  assert.equal(r.dtype('y'), T.INT64);
  assert.deepEqual(graphOf([['ArgMin', ['x'], ['y'], { axis: 1 }]], [X(['n', 5, 7])], 13).dims('y'), ['n', 1, 7]);
  const c: In = { name: 'c', dims: [2, 3], init: [1, 5, 5, 4, 0, 4] };
  assert.deepEqual(graphOf([['ArgMax', ['c'], ['a'], { axis: 1, keepdims: 0 }]], [c], 13).data('a'), [1, 0]);
  assert.deepEqual(
    graphOf([['ArgMax', ['c'], ['a'], { axis: 1, keepdims: 0, select_last_index: 1 }]], [c], 13).data('a'),
    [2, 2],
  );
  assert.deepEqual(
    graphOf([['ArgMin', ['c'], ['a'], { axis: 1, keepdims: 0, select_last_index: 1 }]], [c], 13).data('a'),
    [0, 1],
  );
});

test('CumSum/CumProd keep the shape and compute 1-D data (exclusive, reverse)', () => {
  const c: In = { name: 'c', dims: [4], init: [1, 2, 3, 4] };
  const ax: In = { name: 'ax', dims: [], init: [0] };
  assert.deepEqual(graphOf([['CumSum', ['c', 'ax'], ['y']]], [c, ax], 14).data('y'), [1, 3, 6, 10]);
  assert.deepEqual(
    graphOf([['CumSum', ['c', 'ax'], ['y'], { exclusive: 1, reverse: 1 }]], [c, ax], 14).data('y'),
    [9, 7, 4, 0],
  );
  assert.deepEqual(graphOf([['CumProd', ['c', 'ax'], ['y'], { exclusive: 1 }]], [c, ax], 26).data('y'), [1, 1, 2, 6]);
  assert.deepEqual(graphOf([['CumSum', ['x', 'ax'], ['y']]], [X(['n', 3]), ax], 14).dims('y'), ['n', 3]);
});

test('Softmax family keeps the shape; axis range depends on the opset', () => {
  for (const op of ['Softmax', 'LogSoftmax', 'Hardmax']) {
    assert.deepEqual(graphOf([[op, ['x'], ['y']]], [X(['b', 12, 'seq', 'seq'])], 13).dims('y'), [
      'b',
      12,
      'seq',
      'seq',
    ]);
    assert.deepEqual(
      graphOf([[op, ['x'], ['y'], { axis: 2 }]], [X([3, 4])], 11).dims('y'),
      [3, 4],
      `${op} coerced 2-D allows axis = rank`,
    );
    assert.ok(
      graphOf([[op, ['x'], ['y'], { axis: 2 }]], [X([3, 4])], 13).diagnostics.some((m) => /out of range/.test(m)),
    );
  }
});

test('losses: reduction none keeps (N, d1..dk), mean/sum give a scalar; SCE log_prob has the scores shape', () => {
  const x = X([3, 5, 6, 7]);
  const t: In = { name: 't', dtype: T.INT64, dims: [3, 6, 7] };
  assert.deepEqual(
    graphOf([['NegativeLogLikelihoodLoss', ['x', 't'], ['l'], { reduction: 'none' }]], [x, t], 22).dims('l'),
    [3, 6, 7],
  );
  assert.deepEqual(graphOf([['NegativeLogLikelihoodLoss', ['x', 't'], ['l']]], [x, t], 22).dims('l'), []);
  const s = graphOf([['SoftmaxCrossEntropyLoss', ['x', 't'], ['l', 'lp'], { reduction: 'sum' }]], [x, t], 13);
  assert.deepEqual(s.dims('l'), []);
  assert.deepEqual(s.dims('lp'), [3, 5, 6, 7]);
  assert.ok(
    graphOf(
      [['NegativeLogLikelihoodLoss', ['x', 't'], ['l']]],
      [x, { name: 't', dtype: T.INT64, dims: [3] }],
      22,
    ).diagnostics.some((m) => /target rank/.test(m)),
  );
});

test('Det drops the last two dims and rejects non-square matrices', () => {
  assert.deepEqual(graphOf([['Det', ['x'], ['y']]], [X(['b', 2, 3, 3])], 22).dims('y'), ['b', 2]);
  assert.deepEqual(graphOf([['Det', ['x'], ['y']]], [X([4, 4])], 22).dims('y'), []);
  assert.ok(graphOf([['Det', ['x'], ['y']]], [X([3, 4])], 22).diagnostics.some((m) => /square/.test(m)));
});
