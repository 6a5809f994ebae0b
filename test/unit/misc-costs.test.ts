// FLOPs of the misc family (docs/COSTS.md "## misc"), hand-computed from each op's stated convention.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, model, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';
import { computeCosts } from '../../src/engine/cost/cost';

interface In { name: string; dtype?: number; dims: Dim[] | null; init?: number[] }

const ML = 'ai.onnx.ml';
const TR = 'ai.onnx.preview.training';

/** The cost of a one-node model. */
function cost(op: string, ins: In[], outs: string[], attrs: Record<string, AttrInput>, opsets: Record<string, number>, domain = '') {
  const m = readModelBytes(model({
    opsets,
    graph: graph({
      nodes: [node(op, ins.map((i) => i.name), outs, attrs, { domain })],
      inputs: ins.filter((i) => i.name && !i.init).map((i) => vi(i.name, i.dtype ?? T.FLOAT, i.dims)),
      initializers: ins.filter((i) => i.init).map((i) => tensor(i.name, i.dtype ?? T.INT64, i.dims as number[], { values: i.init })),
      outputs: outs.filter(Boolean).map((name) => ({ name })),
    }),
  }));
  const s = inferShapes(m, { useDeclared: false });
  assert.deepEqual(s.diagnostics.map((d) => d.message), [], `${op}: no diagnostics`);
  return computeCosts(m, s, { bindings: {} })[0];
}

const P = (name: string, dims: Dim[], dtype: number = T.FLOAT): In => ({ name, dtype, dims });
const I = (name: string, values: number[], dims: number[] = []): In => ({ name, dtype: T.INT64, dims, init: values });

test('DFT: 2.5 n log2 n per real transform, 5 n log2 n per complex one', () => {
  // one real transform of length 16 (onesided): 2.5 * 16 * 4
  assert.equal(cost('DFT', [P('x', [1, 16, 1])], ['y'], { axis: 1, onesided: 1 }, { '': 17 }).flops, 160);
  // two complex transforms of length 8 along axis 1 of [2, 8, 2]: 2 * 5 * 8 * 3
  assert.equal(cost('DFT', [P('x', [2, 8, 2])], ['y'], { axis: 1 }, { '': 17 }).flops, 240);
  // opset 20, default axis -2 of [4, 8, 3, 2]: 4 * 8 = 32 transforms of length 3
  assert.equal(cost('DFT', [P('x', [4, 8, 3, 2])], ['y'], {}, { '': 20 }).flops, 32 * 5 * 3 * Math.log2(3));
});

test('STFT: frames x (window multiply + real FFT of the frame)', () => {
  const c = cost('STFT', [P('sig', [1, 128, 1]), I('step', [8]), P('win', [16])], ['y'], {}, { '': 17 });
  assert.equal(c.flops, 15 * (16 + 2.5 * 16 * 4));
});

test('windows: 9 per element; MelWeightMatrix: 6 per weight', () => {
  assert.equal(cost('HannWindow', [I('n', [10])], ['w'], {}, { '': 17 }).flops, 90);
  assert.equal(cost('MelWeightMatrix', [I('mel', [8]), I('dft', [16]), I('sr', [8000]), P('lo', []), P('hi', [])], ['m'], {}, { '': 17 }).flops, 6 * 9 * 8);
});

test('linear and SVM models: 2 per coefficient (+1 per intercept) per sample; RBF kernels over support vectors', () => {
  assert.equal(cost('LinearRegressor', [P('x', [5, 3])], ['y'], { coefficients: [1.5, 2.5, 3.5, 1.5, 2.5, 3.5], intercepts: [0.5, 1.5], targets: 2 }, { '': 13, [ML]: 1 }, ML).flops, 5 * (12 + 2));
  const svm = cost('SVMRegressor', [P('x', [4, 3])], ['y'], { kernel_type: 'RBF', n_supports: 2, support_vectors: [1.5, 1.5, 1.5, 2.5, 2.5, 2.5], coefficients: [0.5, 0.5] }, { '': 13, [ML]: 1 }, ML);
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
  assert.equal(cost('TreeEnsembleRegressor', [P('x', [4, 3])], ['y'], attrs, { '': 13, [ML]: 3 }, ML).flops, 4 * (1 + 2 + 2));
});

test('optimizers: per-element update cost over every optimized tensor', () => {
  const ins = [P('r', []), P('t', [], T.INT64), P('x1', [1]), P('x2', [2]), P('g1', [1]), P('g2', [2]), P('v1', [1]), P('v2', [2]), P('h1', [1]), P('h2', [2])];
  assert.equal(cost('Adam', ins, ['a', 'b', 'c', 'd', 'e', 'f'], {}, { '': 13, [TR]: 1 }, TR).flops, 14 * 3);
  const mins = [P('r', []), P('t', [], T.INT64), P('x', [5]), P('g', [5]), P('v', [5])];
  assert.equal(cost('Momentum', mins, ['xn', 'vn'], { mode: 'nesterov', alpha: 0.5, beta: 0.5, norm_coefficient: 0.5 }, { '': 13, [TR]: 1 }, TR).flops, 9 * 5);
});

test('NonMaxSuppression: every pair IoU (12) plus a sort, per batch and class; random generators per element', () => {
  const c = cost('NonMaxSuppression', [P('boxes', [1, 4, 4]), P('scores', [1, 1, 4])], ['sel'], {}, { '': 11 });
  assert.equal(c.flops, 6 * 12 + 4 * 2);
  assert.equal(cost('RandomNormal', [], ['y'], { shape: [3, 4] }, { '': 13 }).flops, 6 * 12);
  assert.equal(cost('Bernoulli', [P('p', [10])], ['y'], {}, { '': 15 }).flops, 30);
});

test('string and lookup ops cost bytes only', () => {
  const c = cost('LabelEncoder', [P('x', [5], T.INT64)], ['y'], { keys_int64s: [1, 2], values_int64s: [3, 4] }, { '': 13, [ML]: 2 }, ML);
  assert.equal(c.flops, 0);
  assert.deepEqual([c.bytesRead, c.bytesWritten], [40, 40]);
});
