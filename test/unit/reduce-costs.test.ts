// FLOPs and bytes of the reduce family on one-node models, checked against hand counts (docs/COSTS.md "## reduce").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../fixtures/onnx-writer';
import { nodeCost, X, P, type In } from '../fixtures/op-model';

test('reductions: 1 FLOP per input element plus their formula extras', () => {
  const axes1: In = { name: 'axes', dims: [1], init: [1] };
  const sum = nodeCost('ReduceSum', [X([2, 3, 4]), axes1], ['y'], {}, 13);
  assert.equal(sum.flops, 24);
  assert.equal(sum.bytesWritten, 8 * 4); // [2,1,4] float
  assert.equal(sum.bytesRead, 24 * 4 + 8); // x + the int64 axes
  assert.equal(nodeCost('ReduceMean', [X([2, 3, 4])], ['y'], { axes: [2] }, 17).flops, 24 + 6); // adds + one divide per output
  assert.equal(nodeCost('ReduceLogSumExp', [X([2, 3, 4]), axes1], ['y'], {}, 18).flops, 4 * 24 + 2 * 8);
  assert.equal(nodeCost('ReduceL2', [X([4, 5])], ['y'], { keepdims: 0 }, 18).flops, 2 * 20 + 1);
  assert.equal(nodeCost('ReduceSumSquare', [X([4, 5])], ['y'], { axes: [0] }, 13).flops, 2 * 20);
  assert.equal(nodeCost('ReduceSum', [X([4, 5])], ['y'], { noop_with_empty_axes: 1 }, 13).flops, 0);
});

test('ArgMax, CumSum: one operation per element', () => {
  assert.equal(nodeCost('ArgMax', [X([3, 4])], ['y'], { axis: 1 }, 13).flops, 12);
  assert.equal(nodeCost('CumSum', [X([3, 4]), { name: 'ax', dims: [], init: [1] }], ['y'], {}, 14).flops, 12);
});

test('softmax 5 per element; LogSoftmax adds a log per row (the axis at 13+, the coerced 2-D row before)', () => {
  assert.equal(nodeCost('Softmax', [X([2, 3, 4])], ['y'], {}, 13).flops, 120);
  assert.equal(nodeCost('LogSoftmax', [X([2, 3, 4])], ['y'], {}, 13).flops, 120 + 6);
  assert.equal(nodeCost('LogSoftmax', [X([2, 3, 4])], ['y'], { axis: 1 }, 11).flops, 120 + 2);
  assert.equal(nodeCost('Hardmax', [X([2, 3, 4])], ['y'], {}, 13).flops, 24);
});

test('losses: NLL per target element; SCE = LogSoftmax over classes + NLL', () => {
  const t = P('t', [3, 2], T.INT64);
  assert.equal(
    nodeCost('NegativeLogLikelihoodLoss', [X([3, 5, 2]), t, P('w', [5])], ['l'], {}, 22).flops,
    6 * 2 + 6 * 2 + 1,
  );
  assert.equal(nodeCost('NegativeLogLikelihoodLoss', [X([3, 5, 2]), t], ['l'], { reduction: 'none' }, 22).flops, 6);
  assert.equal(
    nodeCost('SoftmaxCrossEntropyLoss', [X([3, 5]), P('t', [3], T.INT64)], ['l'], {}, 13).flops,
    5 * 15 + 3 + (3 + 3 + 1),
  );
});

test('Det: 2n^3/3 for the LU plus n-1 multiplies, per matrix', () => {
  assert.equal(nodeCost('Det', [X([2, 3, 3])], ['y'], {}, 22).flops, 2 * (18 + 2));
});
