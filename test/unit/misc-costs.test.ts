// FLOPs of the misc family (docs/COSTS.md "## misc"), hand-computed from each op's stated convention.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../fixtures/onnx-writer';
import { nodeCost, P, S } from '../fixtures/op-model';

const ML = 'ai.onnx.ml';
const TR = 'ai.onnx.preview.training';

test('DFT: 2.5 n log2 n per real transform, 5 n log2 n per complex one', () => {
  // one real transform of length 16 (onesided): 2.5 * 16 * 4
  assert.equal(nodeCost('DFT', [P('x', [1, 16, 1])], ['y'], { axis: 1, onesided: 1 }, 17).flops, 160);
  // two complex transforms of length 8 along axis 1 of [2, 8, 2]: 2 * 5 * 8 * 3
  assert.equal(nodeCost('DFT', [P('x', [2, 8, 2])], ['y'], { axis: 1 }, 17).flops, 240);
  // opset 20, default axis -2 of [4, 8, 3, 2]: 4 * 8 = 32 transforms of length 3
  assert.equal(nodeCost('DFT', [P('x', [4, 8, 3, 2])], ['y'], {}, 20).flops, 32 * 5 * 3 * Math.log2(3));
});

test('STFT: frames x (window multiply + real FFT of the frame)', () => {
  const c = nodeCost('STFT', [P('sig', [1, 128, 1]), S('step', 8), P('win', [16])], ['y'], {}, 17);
  assert.equal(c.flops, 15 * (16 + 2.5 * 16 * 4));
});

test('windows: 9 per element; MelWeightMatrix: 6 per weight', () => {
  assert.equal(nodeCost('HannWindow', [S('n', 10)], ['w'], {}, 17).flops, 90);
  assert.equal(
    nodeCost('MelWeightMatrix', [S('mel', 8), S('dft', 16), S('sr', 8000), P('lo', []), P('hi', [])], ['m'], {}, 17)
      .flops,
    6 * 9 * 8,
  );
});

test('linear and SVM models: 2 per coefficient (+1 per intercept) per sample; RBF kernels over support vectors', () => {
  assert.equal(
    nodeCost(
      'LinearRegressor',
      [P('x', [5, 3])],
      ['y'],
      { coefficients: [1.5, 2.5, 3.5, 1.5, 2.5, 3.5], intercepts: [0.5, 1.5], targets: 2 },
      { opsets: { '': 13, [ML]: 1 }, domain: ML },
    ).flops,
    5 * (12 + 2),
  );
  const svm = nodeCost(
    'SVMRegressor',
    [P('x', [4, 3])],
    ['y'],
    { kernel_type: 'RBF', n_supports: 2, support_vectors: [1.5, 1.5, 1.5, 2.5, 2.5, 2.5], coefficients: [0.5, 0.5] },
    { opsets: { '': 13, [ML]: 1 }, domain: ML },
  );
  assert.equal(svm.flops, 4 * (3 * 6 + 2 * 2 + 2 * 2)); // per sample: RBF distance 3/feature, exp 2/vector, 2/coefficient
});

test('tree ensembles: per sample, the depth of each tree plus one leaf add per tree', () => {
  // tree 0: root 0 -> leaves 1, 2 (depth 1); tree 1: root 0 -> node 1 -> leaves 2, 3, and leaf 4 (depth 2)
  const attrs = {
    n_targets: 1,
    nodes_treeids: [0, 0, 0, 1, 1, 1, 1, 1],
    nodes_nodeids: [0, 1, 2, 0, 1, 2, 3, 4],
    nodes_modes: ['BRANCH_LEQ', 'LEAF', 'LEAF', 'BRANCH_LEQ', 'BRANCH_LT', 'LEAF', 'LEAF', 'LEAF'],
    nodes_truenodeids: [1, 0, 0, 1, 2, 0, 0, 0],
    nodes_falsenodeids: [2, 0, 0, 4, 3, 0, 0, 0],
    nodes_featureids: [0, 0, 0, 1, 2, 0, 0, 0],
    nodes_values: [0.5, 0, 0, 0.5, 1.5, 0, 0, 0],
  };
  assert.equal(
    nodeCost('TreeEnsembleRegressor', [P('x', [4, 3])], ['y'], attrs, { opsets: { '': 13, [ML]: 3 }, domain: ML })
      .flops,
    4 * (1 + 2 + 2),
  );
});

test('optimizers: per-element update cost over every optimized tensor', () => {
  const ins = [
    P('r', []),
    P('t', [], T.INT64),
    P('x1', [1]),
    P('x2', [2]),
    P('g1', [1]),
    P('g2', [2]),
    P('v1', [1]),
    P('v2', [2]),
    P('h1', [1]),
    P('h2', [2]),
  ];
  assert.equal(
    nodeCost('Adam', ins, ['a', 'b', 'c', 'd', 'e', 'f'], {}, { opsets: { '': 13, [TR]: 1 }, domain: TR }).flops,
    14 * 3,
  );
  const mins = [P('r', []), P('t', [], T.INT64), P('x', [5]), P('g', [5]), P('v', [5])];
  assert.equal(
    nodeCost(
      'Momentum',
      mins,
      ['xn', 'vn'],
      { mode: 'nesterov', alpha: 0.5, beta: 0.5, norm_coefficient: 0.5 },
      { opsets: { '': 13, [TR]: 1 }, domain: TR },
    ).flops,
    9 * 5,
  );
});

test('NonMaxSuppression: every pair IoU (12) plus a sort, per batch and class; random generators per element', () => {
  const c = nodeCost('NonMaxSuppression', [P('boxes', [1, 4, 4]), P('scores', [1, 1, 4])], ['sel'], {}, 11);
  assert.equal(c.flops, 6 * 12 + 4 * 2);
  assert.equal(nodeCost('RandomNormal', [], ['y'], { shape: [3, 4] }, 13).flops, 6 * 12);
  assert.equal(nodeCost('Bernoulli', [P('p', [10])], ['y'], {}, 15).flops, 30);
});

test('string and lookup ops cost bytes only', () => {
  const c = nodeCost(
    'LabelEncoder',
    [P('x', [5], T.INT64)],
    ['y'],
    { keys_int64s: [1, 2], values_int64s: [3, 4] },
    { opsets: { '': 13, [ML]: 2 }, domain: ML },
  );
  assert.equal(c.flops, 0);
  assert.deepEqual([c.bytesRead, c.bytesWritten], [40, 40]);
});
