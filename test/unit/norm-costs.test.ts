// FLOPs of the norm family on one-node models, checked against hand counts (docs/COSTS.md "## norm").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../fixtures/onnx-writer';
import { nodeCost, X, P, type In } from '../fixtures/op-model';

const bnInputs = [X([2, 3, 4, 4]), P('s', [3]), P('b', [3]), P('m', [3]), P('v', [3])];

test('BatchNormalization: 4 per element + 3 per channel in inference; batch statistics in training', () => {
  assert.equal(nodeCost('BatchNormalization', bnInputs, ['y'], {}, 15).flops, 96 * 4 + 3 * 3);
  assert.equal(
    nodeCost('BatchNormalization', bnInputs, ['y', 'rm', 'rv'], { training_mode: 1 }, 15).flops,
    96 * 8 + 3 * 11,
  );
});

test('statistics normalisations: 6 per element + scale + shift, 5 per group', () => {
  assert.equal(
    nodeCost('LayerNormalization', [X([2, 3, 8]), P('g', [8]), P('b', [8])], ['y'], {}, 17).flops,
    48 * 8 + 6 * 5,
  );
  assert.equal(
    nodeCost('LayerNormalization', [X([2, 3, 8]), P('g', [3, 8])], ['y'], { axis: 1 }, 17).flops,
    48 * 7 + 2 * 5,
  );
  assert.equal(
    nodeCost('InstanceNormalization', [X([2, 3, 4, 4]), P('s', [3]), P('b', [3])], ['y'], {}, 6).flops,
    96 * 8 + 6 * 5,
  );
  assert.equal(
    nodeCost('GroupNormalization', [X([2, 4, 2, 2]), P('s', [4]), P('b', [4])], ['y'], { num_groups: 2 }, 21).flops,
    32 * 8 + 4 * 5,
  );
  assert.equal(nodeCost('MeanVarianceNormalization', [X([2, 3, 4, 4])], ['y'], {}, 13).flops, 96 * 6 + 3 * 5);
});

test('RMSNormalization, LpNormalization, LRN', () => {
  assert.equal(nodeCost('RMSNormalization', [X([2, 3, 8]), P('g', [8])], ['y'], {}, 23).flops, 48 * 4 + 6 * 4);
  assert.equal(nodeCost('LpNormalization', [X([3, 4])], ['y'], { axis: 1, p: 2 }, 22).flops, 36 + 3);
  assert.equal(nodeCost('LpNormalization', [X([3, 4])], ['y'], { axis: 1, p: 1 }, 22).flops, 36);
  assert.equal(nodeCost('LRN', [X([1, 4, 2, 2])], ['y'], { size: 3 }, 13).flops, 16 * (3 + 5));
});

test('Dropout: Identity in inference, 3 per element in training', () => {
  const inf = nodeCost('Dropout', [X([4, 8])], ['y', 'mask'], {}, 13);
  assert.equal(inf.flops, 0);
  assert.equal(inf.bytesWritten, 32 * 4 + 32); // y float + bool mask
  const tm: In = { name: 'tm', dtype: T.BOOL, dims: [], init: [1] };
  assert.equal(nodeCost('Dropout', [X([4, 8]), { name: '', dims: null }, tm], ['y'], {}, 13).flops, 3 * 32);
});
