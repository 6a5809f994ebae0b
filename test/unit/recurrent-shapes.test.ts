// Shape inference of the recurrent family on one-node models encoded as real ONNX bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graphOf, P } from '../fixtures/op-model';

test('LSTM layout 0, forward: Y [T, 1, B, H], Y_h and Y_c [1, B, H]', () => {
  const r = graphOf(
    [['LSTM', ['x', 'w', 'r', 'b'], ['y', 'yh', 'yc'], { hidden_size: 20 }]],
    [P('x', ['seq', 'batch', 10]), P('w', [1, 80, 10]), P('r', [1, 80, 20]), P('b', [1, 160])],
    14,
  );
  assert.deepEqual(r.dims('y'), ['seq', 1, 'batch', 20]);
  assert.deepEqual(r.dims('yh'), [1, 'batch', 20]);
  assert.deepEqual(r.dims('yc'), [1, 'batch', 20]);
});

test('GRU layout 1 (batch first), bidirectional, hidden size taken from R when the attribute is absent', () => {
  const r = graphOf(
    [['GRU', ['x', 'w', 'r'], ['y', 'yh'], { layout: 1, direction: 'bidirectional' }]],
    [P('x', [4, 7, 3]), P('w', [2, 15, 3]), P('r', [2, 15, 5])],
    14,
  );
  assert.deepEqual(r.dims('y'), [4, 7, 2, 5]);
  assert.deepEqual(r.dims('yh'), [4, 2, 5]);
});

test('RNN: only Y_h requested; hidden from W / gates when R is unknown', () => {
  const r = graphOf(
    [['RNN', ['x', 'w', 'r'], ['', 'yh']]],
    [P('x', [6, 2, 3]), P('w', [1, 4, 3]), P('r', [1, 4, null])],
    7,
  );
  assert.deepEqual(r.dims('yh'), [1, 2, 4]);
});

test('direction mismatching W, or X not rank 3, is a diagnostic', () => {
  assert.ok(
    graphOf(
      [['RNN', ['x', 'w', 'r'], ['y'], { hidden_size: 4, direction: 'bidirectional' }]],
      [P('x', [6, 2, 3]), P('w', [1, 4, 3]), P('r', [1, 4, 4])],
      14,
    ).diagnostics.some((m) => /directions/.test(m)),
  );
  assert.ok(
    graphOf(
      [['GRU', ['x', 'w', 'r'], ['y'], { hidden_size: 4 }]],
      [P('x', [6, 3]), P('w', [1, 12, 3]), P('r', [1, 12, 4])],
      14,
    ).diagnostics.some((m) => /rank 3/.test(m)),
  );
});
