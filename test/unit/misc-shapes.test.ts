// Shape inference of the misc family: ai.onnx.ml, preview.training, signal, strings, random, NMS, ImageDecoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapType, tensorType, T } from '../fixtures/onnx-writer';
import { graphOf, P, I, S } from '../fixtures/op-model';

const ML = 'ai.onnx.ml';
const TR = 'ai.onnx.preview.training';

test('ai.onnx.ml classifiers: labels [N], scores [N, E] with the binary and SVC special cases', () => {
  const r = graphOf(
    [
      [
        'LinearClassifier',
        ['x'],
        ['y1', 'z1'],
        { coefficients: [1.5, 2.5, 3.5], intercepts: [0.5], classlabels_ints: [0, 1] },
        ML,
      ],
      [
        'SVMClassifier',
        ['x'],
        ['y2', 'z2'],
        {
          classlabels_strings: ['a', 'b', 'c', 'd'],
          vectors_per_class: [1, 1, 1, 1],
          support_vectors: new Array(12).fill(0.5),
          coefficients: new Array(12).fill(0.5),
          rho: [0.5],
        },
        ML,
      ],
      [
        'SVMClassifier',
        ['v'],
        ['y3', 'z3'],
        { classlabels_ints: [1, 2, 3], coefficients: new Array(9).fill(0.5), rho: [0.5] },
        ML,
      ],
      [
        'TreeEnsembleClassifier',
        ['x'],
        ['y4', 'z4'],
        { classlabels_int64s: [3, 4, 5], nodes_treeids: [0], nodes_nodeids: [0], nodes_modes: ['LEAF'] },
        ML,
      ],
    ],
    [P('x', ['N', 3]), P('v', [3])],
    { opsets: { '': 13, [ML]: 3 } },
  );
  assert.deepEqual(r.tensor('y1'), { dtype: T.INT64, dims: ['N'] });
  assert.deepEqual(r.tensor('z1'), { dtype: T.FLOAT, dims: ['N', 2] });
  assert.deepEqual(r.tensor('y2'), { dtype: T.STRING, dims: ['N'] });
  assert.deepEqual(r.tensor('z2'), { dtype: T.FLOAT, dims: ['N', 6] }); // one score per pair of 4 classes
  assert.deepEqual(r.tensor('z3'), { dtype: T.FLOAT, dims: [1, 3] }); // linear mode, 1-D input is one sample
  assert.deepEqual(r.tensor('z4'), { dtype: T.FLOAT, dims: ['N', 3] });
});

test('ai.onnx.ml regressors and transforms', () => {
  const r = graphOf(
    [
      ['LinearRegressor', ['x'], ['a'], { coefficients: [1.5, 2.5, 3.5, 1.5, 2.5, 3.5], targets: 2 }, ML],
      ['SVMRegressor', ['x'], ['b'], { coefficients: [1.5], n_supports: 1, support_vectors: [1.5, 2.5, 3.5] }, ML],
      ['TreeEnsembleRegressor', ['x'], ['c'], { n_targets: 4 }, ML],
      ['OneHotEncoder', ['ix'], ['d'], { cats_int64s: [1, 2, 3, 4, 5] }, ML],
      ['ArrayFeatureExtractor', ['v', 'idx'], ['e'], {}, ML],
      ['ArrayFeatureExtractor', ['x', 'idx'], ['e2'], {}, ML],
      ['LabelEncoder', ['ix'], ['f'], { keys_int64s: [1, 2], values_strings: ['a', 'b'] }, ML],
      ['CategoryMapper', ['ix'], ['g'], { cats_int64s: [1], cats_strings: ['a'] }, ML],
      ['Scaler', ['ix'], ['h'], { scale: [2.5] }, ML],
      ['FeatureVectorizer', ['x', 'x'], ['k'], { inputdimensions: [3, 3] }, ML],
      ['DictVectorizer', ['dict'], ['l'], { string_vocabulary: ['a', 'b', 'c'] }, ML],
      ['ZipMap', ['x'], ['z'], { classlabels_strings: ['a', 'b', 'c'] }, ML],
    ],
    [
      P('x', ['N', 3]),
      P('v', [3]),
      P('ix', [2, 7], T.INT64),
      P('idx', [2], T.INT64),
      { name: 'dict', dims: null, type: mapType(T.STRING, tensorType(T.DOUBLE, [])) },
    ],
    { opsets: { '': 13, [ML]: 3 } },
  );
  assert.deepEqual(r.tensor('a'), { dtype: T.FLOAT, dims: ['N', 2] });
  assert.deepEqual(r.tensor('b'), { dtype: T.FLOAT, dims: ['N', 1] });
  assert.deepEqual(r.tensor('c'), { dtype: T.FLOAT, dims: ['N', 4] });
  assert.deepEqual(r.tensor('d'), { dtype: T.FLOAT, dims: [2, 7, 5] });
  assert.deepEqual(r.tensor('e'), { dtype: T.FLOAT, dims: [1, 2] });
  assert.deepEqual(r.tensor('e2'), { dtype: T.FLOAT, dims: ['N', 2] });
  assert.deepEqual(r.tensor('f'), { dtype: T.STRING, dims: [2, 7] });
  assert.deepEqual(r.tensor('g'), { dtype: T.STRING, dims: [2, 7] });
  assert.deepEqual(r.tensor('h'), { dtype: T.FLOAT, dims: [2, 7] });
  assert.deepEqual(r.tensor('k'), { dtype: T.FLOAT, dims: ['N', 6] });
  assert.deepEqual(r.tensor('l'), { dtype: T.DOUBLE, dims: [1, 3] });
  assert.deepEqual(r.type('z'), {
    kind: 'sequence',
    elem: { kind: 'map', keyDtype: T.STRING, value: { kind: 'tensor', dtype: T.FLOAT, dims: [] } },
  });
});

test('preview.training optimizers: new X and states shaped like their inputs; Gradient like xs', () => {
  const r = graphOf(
    [
      [
        'Adam',
        ['r', 't', 'x1', 'x2', 'g1', 'g2', 'v1', 'v2', 'h1', 'h2'],
        ['x1n', 'x2n', 'v1n', 'v2n', 'h1n', 'h2n'],
        {},
        TR,
      ],
      ['Adagrad', ['r', 't', 'x1', 'g1', 'h1'], ['xa', 'ha'], {}, TR],
      ['Gradient', ['x1', 'x2'], ['d1', 'd2'], { xs: ['x1', 'x2'], y: 'x1' }, TR],
    ],
    [
      P('r', []),
      P('t', [], T.INT64),
      P('x1', [1]),
      P('x2', [2, 3]),
      P('g1', [1]),
      P('g2', [2, 3]),
      P('v1', [1]),
      P('v2', [2, 3]),
      P('h1', [1]),
      P('h2', [2, 3]),
    ],
    { opsets: { '': 13, [TR]: 1 } },
  );
  assert.deepEqual(r.tensor('x2n'), { dtype: T.FLOAT, dims: [2, 3] });
  assert.deepEqual(r.tensor('v1n'), { dtype: T.FLOAT, dims: [1] });
  assert.deepEqual(r.tensor('h2n'), { dtype: T.FLOAT, dims: [2, 3] });
  assert.deepEqual(r.tensor('ha'), { dtype: T.FLOAT, dims: [1] });
  assert.deepEqual(r.tensor('d2'), { dtype: T.FLOAT, dims: [2, 3] });
});

test('DFT: opset-17 axis attribute, onesided, inverse (IRFFT), dft_length', () => {
  const r = graphOf(
    [
      ['DFT', ['real'], ['rfft'], { axis: 1, onesided: 1 }],
      ['DFT', ['cplx'], ['irfft'], { axis: 1, onesided: 1, inverse: 1 }],
      ['DFT', ['real', 'len'], ['padded'], { axis: 2 }],
    ],
    [P('real', [1, 10, 'n', 1]), P('cplx', [1, 6, 10, 2]), S('len', 16)],
    17,
  );
  assert.deepEqual(r.tensor('rfft'), { dtype: T.FLOAT, dims: [1, 6, 'n', 2] });
  assert.deepEqual(r.tensor('irfft'), { dtype: T.FLOAT, dims: [1, 10, 10, 1] });
  assert.deepEqual(r.tensor('padded'), { dtype: T.FLOAT, dims: [1, 10, 16, 2] });
});

test('DFT-20: axis input known, default -2, or unknown (only dims equal under every axis stay)', () => {
  const r = graphOf(
    [
      ['DFT', ['x', '', 'ax'], ['a'], { onesided: 1 }],
      ['DFT', ['x'], ['b'], { onesided: 1 }],
      ['DFT', ['x', '', 'axu'], ['c'], { onesided: 1 }],
      ['DFT', ['x', '', 'axu'], ['d']],
    ],
    [P('x', [1, 10, 8, 1]), S('ax', 1), P('axu', [], T.INT64)],
    20,
  );
  assert.deepEqual(r.tensor('a'), { dtype: T.FLOAT, dims: [1, 6, 8, 2] });
  assert.deepEqual(r.tensor('b'), { dtype: T.FLOAT, dims: [1, 10, 5, 2] });
  assert.deepEqual(r.tensor('c'), { dtype: T.FLOAT, dims: [1, null, null, 2] });
  assert.deepEqual(r.tensor('d'), { dtype: T.FLOAT, dims: [1, 10, 8, 2] });
  const bad = graphOf([['DFT', ['x', '', 'm1'], ['e']]], [P('x', [1, 10, 1]), S('m1', -1)], 20);
  assert.ok(bad.diagnostics.some((m) => /axis -1 is invalid/.test(m)));
});

test('STFT, windows and MelWeightMatrix from known scalars; unknown scalars leave the dim unknown', () => {
  const r = graphOf(
    [
      ['STFT', ['sig', 'step', '', 'flen'], ['s1']],
      ['STFT', ['sig', 'step', 'win'], ['s2'], { onesided: 0 }],
      ['STFT', ['sig', 'ustep', 'win'], ['s3']],
      ['HannWindow', ['ten'], ['w1'], { output_datatype: T.DOUBLE }],
      ['BlackmanWindow', ['usize'], ['w2']],
      ['MelWeightMatrix', ['mel', 'dft', 'sr', 'lo', 'hi'], ['m']],
    ],
    [
      P('sig', [1, 128, 1]),
      S('step', 8),
      S('flen', 16),
      P('win', [16]),
      P('ustep', [], T.INT64),
      S('ten', 10),
      P('usize', [], T.INT64),
      S('mel', 8),
      S('dft', 16),
      S('sr', 8000),
      P('lo', []),
      P('hi', []),
    ],
    17,
  );
  assert.deepEqual(r.tensor('s1'), { dtype: T.FLOAT, dims: [1, 15, 9, 2] });
  assert.deepEqual(r.tensor('s2'), { dtype: T.FLOAT, dims: [1, 15, 16, 2] });
  assert.deepEqual(r.tensor('s3'), { dtype: T.FLOAT, dims: [1, null, 9, 2] });
  assert.deepEqual(r.tensor('w1'), { dtype: T.DOUBLE, dims: [10] });
  assert.deepEqual(r.tensor('w2'), { dtype: T.FLOAT, dims: [null] });
  assert.deepEqual(r.tensor('m'), { dtype: T.FLOAT, dims: [9, 8] });
});

test('string ops: data-dependent lengths stay unknown', () => {
  const r = graphOf(
    [
      ['StringNormalizer', ['s'], ['n1'], { case_change_action: 'LOWER' }],
      ['StringNormalizer', ['s2'], ['n2'], { stopwords: ['a'] }],
      ['StringConcat', ['s', 's1'], ['c']],
      ['StringSplit', ['s'], ['sp', 'cnt']],
      ['StringSplit', ['e'], ['esp', 'ecnt']],
      ['RegexFullMatch', ['s'], ['m'], { pattern: 'a.*' }],
      [
        'TfIdfVectorizer',
        ['tok'],
        ['v'],
        {
          mode: 'TF',
          min_gram_length: 1,
          max_gram_length: 1,
          max_skip_count: 0,
          ngram_counts: [0],
          ngram_indexes: [0, 1, 6],
          pool_int64s: [2, 3, 5],
        },
      ],
    ],
    [
      P('s', [4], T.STRING),
      P('s2', [1, 4], T.STRING),
      P('s1', [1], T.STRING),
      P('e', [0], T.STRING),
      P('tok', [2, 6], T.INT32),
    ],
    20,
  );
  assert.deepEqual(r.tensor('n1'), { dtype: T.STRING, dims: [4] });
  assert.deepEqual(r.tensor('n2'), { dtype: T.STRING, dims: [1, null] });
  assert.deepEqual(r.tensor('c'), { dtype: T.STRING, dims: [4] });
  assert.deepEqual(r.tensor('sp'), { dtype: T.STRING, dims: [4, null] });
  assert.deepEqual(r.tensor('cnt'), { dtype: T.INT64, dims: [4] });
  assert.deepEqual(r.tensor('esp'), { dtype: T.STRING, dims: [0, 0] });
  assert.deepEqual(r.tensor('m'), { dtype: T.BOOL, dims: [4] });
  assert.deepEqual(r.tensor('v'), { dtype: T.FLOAT, dims: [2, 7] });
});

test('random generators, NonMaxSuppression and ImageDecoder', () => {
  const r = graphOf(
    [
      ['RandomNormal', [], ['rn'], { shape: [3, 4], dtype: T.DOUBLE }],
      ['RandomUniformLike', ['x'], ['ru']],
      ['Bernoulli', ['x'], ['b'], { dtype: T.BOOL }],
      ['Multinomial', ['x'], ['mn'], { sample_size: 5 }],
      ['NonMaxSuppression', ['boxes', 'scores', 'max'], ['sel']],
      ['NonMaxSuppression', ['boxes', 'scores', 'zero'], ['none']],
      ['ImageDecoder', ['bytes'], ['img'], { pixel_format: 'Grayscale' }],
    ],
    [
      P('x', ['B', 10]),
      P('boxes', [1, 6, 4]),
      P('scores', [1, 2, 6]),
      P('max', [1], T.INT64),
      I('zero', [0], [1]),
      P('bytes', [3126], T.UINT8),
    ],
    20,
  );
  assert.deepEqual(r.tensor('rn'), { dtype: T.DOUBLE, dims: [3, 4] });
  assert.deepEqual(r.tensor('ru'), { dtype: T.FLOAT, dims: ['B', 10] });
  assert.deepEqual(r.tensor('b'), { dtype: T.BOOL, dims: ['B', 10] });
  assert.deepEqual(r.tensor('mn'), { dtype: T.INT32, dims: ['B', 5] });
  assert.deepEqual(r.tensor('sel'), { dtype: T.INT64, dims: [null, 3] });
  assert.deepEqual(r.tensor('none'), { dtype: T.INT64, dims: [0, 3] });
  assert.deepEqual(r.tensor('img'), { dtype: T.UINT8, dims: [null, null, 1] });
});

test('experimental ops of old model-zoo files: ImageScaler, Crop, GivenTensorFill, DynamicSlice', () => {
  const r = graphOf(
    [
      ['ImageScaler', ['x'], ['s'], { scale: 0.5, bias: [1.5, 2.5, 3.5] }],
      ['Crop', ['x'], ['c1'], { border: [1, 2, 3, 4] }],
      ['Crop', ['x'], ['c2'], { scale: [8, 9] }],
      ['GivenTensorFill', [], ['g'], { shape: [2, 5], values: [1.5] }],
      ['DynamicSlice', ['x', 'starts', 'ends', 'axes'], ['d']],
    ],
    [P('x', ['N', 3, 20, 30]), I('starts', [1], [1]), I('ends', [11], [1]), I('axes', [2], [1])],
    8,
  );
  assert.deepEqual(r.tensor('s'), { dtype: T.FLOAT, dims: ['N', 3, 20, 30] });
  assert.deepEqual(r.tensor('c1'), { dtype: T.FLOAT, dims: ['N', 3, 14, 26] });
  assert.deepEqual(r.tensor('c2'), { dtype: T.FLOAT, dims: ['N', 3, 8, 9] });
  assert.deepEqual(r.tensor('g'), { dtype: T.FLOAT, dims: [2, 5] });
  assert.deepEqual(r.tensor('d'), { dtype: T.FLOAT, dims: ['N', 3, 10, 30] });
});
