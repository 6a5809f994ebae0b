// Shape inference of the norm family on one-node models encoded as real ONNX bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, type AttrInput } from '../fixtures/onnx-writer';
import { graphOf, X, P } from '../fixtures/op-model';

test('BatchNormalization opset 15 training mode: Y and running stats of shape (C)', () => {
  const ins = [X(['n', 3, 8, 8]), P('s', [3]), P('b', [3]), P('m', [3]), P('v', [3])];
  const r = graphOf(
    [['BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y', 'rm', 'rv'], { training_mode: 1 }]],
    ins,
    15,
  );
  assert.deepEqual(r.dims('y'), ['n', 3, 8, 8]);
  assert.deepEqual(r.dims('rm'), [3]);
  assert.deepEqual(r.dims('rv'), [3]);
  assert.deepEqual(graphOf([['BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y']]], ins, 9).dims('y'), [
    'n',
    3,
    8,
    8,
  ]);
});

test('BatchNormalization before opset 14: mean, var, saved_mean, saved_var outputs', () => {
  const ins = [X([2, 4, 5]), P('s', [4]), P('b', [4]), P('m', [4]), P('v', [4])];
  const r = graphOf([['BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y', 'mo', 'vo', 'sm', 'sv']]], ins, 9);
  for (const o of ['mo', 'vo', 'sm', 'sv']) assert.deepEqual(r.dims(o), [4], o);
});

test('LayerNormalization: Mean/InvStdDev keep dims before axis, ones after, in stash_type', () => {
  const ins = [X(['b', 'seq', 768], T.FLOAT16), P('g', [768], T.FLOAT16)];
  const r = graphOf([['LayerNormalization', ['x', 'g'], ['y', 'mean', 'isd']]], ins, 17);
  assert.deepEqual(r.dims('y'), ['b', 'seq', 768]);
  assert.equal(r.dtype('y'), T.FLOAT16);
  assert.deepEqual(r.dims('mean'), ['b', 'seq', 1]);
  assert.equal(r.dtype('mean'), T.FLOAT);
  assert.deepEqual(r.dims('isd'), ['b', 'seq', 1]);
  const a1 = graphOf(
    [['LayerNormalization', ['x', 'g'], ['y', 'mean'], { axis: 1, stash_type: T.DOUBLE }]],
    [X([2, 3, 4, 5]), P('g', [3, 4, 5])],
    17,
  );
  assert.deepEqual(a1.dims('mean'), [2, 1, 1, 1]);
  assert.equal(a1.dtype('mean'), T.DOUBLE);
  assert.ok(
    graphOf(
      [['LayerNormalization', ['x', 'g'], ['y'], { axis: 4 }]],
      [X([2, 3, 4, 5]), P('g', [5])],
      17,
    ).diagnostics.some((m) => /out of range/.test(m)),
  );
});

test('shape-preserving normalisations keep the input shape and dtype', () => {
  const cases: [string, Record<string, AttrInput>, number][] = [
    ['InstanceNormalization', {}, 6],
    ['LpNormalization', { axis: 1, p: 1 }, 22],
    ['MeanVarianceNormalization', {}, 13],
    ['LRN', { size: 5 }, 13],
    ['GroupNormalization', { num_groups: 2 }, 21],
    ['RMSNormalization', { axis: -1 }, 23],
  ];
  for (const [op, attrs, opset] of cases) {
    const r = graphOf(
      [[op, ['x', 's', 'b'], ['y'], attrs]],
      [X(['n', 4, 'h', 'w'], T.FLOAT16), P('s', [4]), P('b', [4])],
      opset,
    );
    assert.deepEqual(r.dims('y'), ['n', 4, 'h', 'w'], op);
    assert.equal(r.dtype('y'), T.FLOAT16, op);
  }
});

test('GroupNormalization rejects channels not divisible by num_groups; LRN needs size', () => {
  assert.ok(
    graphOf(
      [['GroupNormalization', ['x', 's', 'b'], ['y'], { num_groups: 3 }]],
      [X([1, 4, 2, 2]), P('s', [4]), P('b', [4])],
      21,
    ).diagnostics.some((m) => /divisible/.test(m)),
  );
  assert.ok(graphOf([['LRN', ['x'], ['y']]], [X([1, 4, 2, 2])], 13).diagnostics.some((m) => /size/.test(m)));
});

test('Dropout: mask is bool from opset 10 and the input type before; data passes through in inference', () => {
  const r = graphOf([['Dropout', ['x'], ['y', 'mask']]], [X(['n', 16])], 13);
  assert.deepEqual(r.dims('y'), ['n', 16]);
  assert.deepEqual(r.dims('mask'), ['n', 16]);
  assert.equal(r.dtype('mask'), T.BOOL);
  assert.equal(graphOf([['Dropout', ['x'], ['y', 'mask']]], [X(['n', 16])], 7).dtype('mask'), T.FLOAT);
  const c = graphOf([['Dropout', ['c'], ['y']]], [{ name: 'c', dims: [2], init: [3, 4] }], 13);
  assert.deepEqual(c.data('y'), [3, 4]);
});
