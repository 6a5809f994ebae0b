// Costs of the misc family: ai.onnx.ml, ai.onnx.preview.training, signal, strings, random, detection.
// FLOPs count 2 per multiply-add; per-element counts follow each op's defining formula (cited per op).
// Lookups, string handling and data rearrangement count 0 FLOPs (bytes only, by the default rule).
import type { Node } from '../../onnx/ir';
import { attrInt, attrInts, attrString } from '../../onnx/ir';
import { RuleList } from '../../opTable';
import type { CostFn } from '../types';
import { inElems, outElems, type CostCtx } from '../types';

/** This family's cost rules (cost/ops/index.ts builds the table). */
const rules = new RuleList<CostFn>();

const ML = 'ai.onnx.ml';
const TRAINING = 'ai.onnx.preview.training';

function attrLen(node: Node, name: string): number {
  const a = node.attrs[name];
  if (!a) return 0;
  if (a.type === 'ints' || a.type === 'floats' || a.type === 'strings') return a.value.length;
  if (a.type === 'tensor') return a.value.elements;
  return 0;
}

/** Samples N of an [N,C] or [C] input. */
function samples(ctx: CostCtx): number {
  const t = ctx.inputs[0];
  if (!t) return 0;
  return t.dims.length >= 2 ? t.dims[0] : 1;
}

const perElement = (n: number, note?: string) => (ctx: CostCtx) => ({ flops: n * inElems(ctx), note });

// ---------------------------------------------------------------- ai.onnx.ml

rules.add('Binarizer', perElement(1, 'Binarizer: 1 comparison per element'), ML);
rules.add('Imputer', perElement(1, 'Imputer: 1 comparison per element'), ML);
rules.add('Scaler', perElement(2, 'Scaler: (x - offset) * scale, 2 per element'), ML);
// Normalizer (ONNX-ML spec): MAX x/max(x): max + divide; L1 x/sum|x|: abs, add, divide; L2 sqrt(x^2/sum x^2): square, add, divide, sqrt.
rules.add(
  'Normalizer',
  (ctx) => {
    const norm = attrString(ctx.node, 'norm', 'MAX');
    const per = norm === 'L2' ? 4 : norm === 'L1' ? 3 : 2;
    return { flops: per * inElems(ctx), note: `Normalizer ${norm}: ${per} per element` };
  },
  ML,
);
rules.add(
  [
    'CategoryMapper',
    'LabelEncoder',
    'ArrayFeatureExtractor',
    'CastMap',
    'DictVectorizer',
    'FeatureVectorizer',
    'OneHotEncoder',
    'ZipMap',
  ],
  () => ({ flops: 0, note: 'lookup / data rearrangement: bytes only' }),
  ML,
);

// Linear models: each coefficient is one multiply-add per sample, each intercept one add.
rules.add(
  ['LinearClassifier', 'LinearRegressor'],
  (ctx) => {
    const n = samples(ctx);
    return {
      flops: n * (2 * attrLen(ctx.node, 'coefficients') + attrLen(ctx.node, 'intercepts')),
      note: '2 per coefficient + 1 per intercept, per sample',
    };
  },
  ML,
);

/**
 * SVM: linear mode = 2 per coefficient per sample. Kernel mode = one kernel per (sample, support vector):
 * a dot product (LINEAR/POLY/SIGMOID: 2 per feature, then POLY (g*d+c)^k and SIGMOID tanh(g*d+c) 3 more)
 * or a squared distance (RBF: sub, mul, add per feature, then exp(-g*d) 2 more), plus 2 per coefficient.
 */
rules.add(
  ['SVMClassifier', 'SVMRegressor'],
  (ctx) => {
    const n = samples(ctx);
    const sv = attrLen(ctx.node, 'support_vectors');
    const coef = attrLen(ctx.node, 'coefficients');
    if (!sv) return { flops: 2 * n * coef, note: 'linear SVM: 2 per coefficient per sample' };
    const vectors =
      ctx.node.opType === 'SVMRegressor'
        ? attrInt(ctx.node, 'n_supports', 0)
        : (attrInts(ctx.node, 'vectors_per_class') ?? []).reduce((a, b) => a + b, 0);
    const kernel = attrString(ctx.node, 'kernel_type', 'LINEAR');
    const perFeature = kernel === 'RBF' ? 3 : 2;
    const extra = kernel === 'LINEAR' ? 0 : kernel === 'RBF' ? 2 : 3;
    return {
      flops: n * (perFeature * sv + extra * vectors + 2 * coef),
      note: `SVM ${kernel} kernel over ${vectors} support vectors`,
    };
  },
  ML,
);

/** Deepest root-to-leaf path (interior nodes visited) of each tree, from the ONNX-ML v3 node attributes. */
function treeDepthsV3(node: Node): number[] {
  const tree = attrInts(node, 'nodes_treeids') ?? [];
  const ids = attrInts(node, 'nodes_nodeids') ?? [];
  const tnode = attrInts(node, 'nodes_truenodeids') ?? [];
  const fnode = attrInts(node, 'nodes_falsenodeids') ?? [];
  const modesA = node.attrs.nodes_modes;
  const modes = modesA && modesA.type === 'strings' ? modesA.value : [];
  const index = new Map<string, number>();
  tree.forEach((t, i) => index.set(`${t}:${ids[i]}`, i));
  const memo = new Map<number, number>();
  const depth = (i: number, guard: number): number => {
    if (modes[i] === 'LEAF' || guard > 256) return 0;
    const m = memo.get(i);
    if (m !== undefined) return m;
    const kids = [tnode[i], fnode[i]]
      .map((c) => index.get(`${tree[i]}:${c}`))
      .filter((c): c is number => c !== undefined && c !== i);
    const d = 1 + Math.max(0, ...kids.map((c) => depth(c, guard + 1)));
    memo.set(i, d);
    return d;
  };
  const roots = new Map<number, number>(); // tree id -> its first-listed node (node ids start at the root)
  tree.forEach((t, i) => {
    if (!roots.has(t)) roots.set(t, i);
  });
  return [...roots.values()].map((r) => depth(r, 0));
}

/** ONNX-ML v5 TreeEnsemble: interior nodes with true/false children that are leaves when *_leafs is 1. */
function treeDepthsV5(node: Node): number[] {
  const roots = attrInts(node, 'tree_roots') ?? [];
  const tnode = attrInts(node, 'nodes_truenodeids') ?? [];
  const fnode = attrInts(node, 'nodes_falsenodeids') ?? [];
  const tleaf = attrInts(node, 'nodes_trueleafs') ?? [];
  const fleaf = attrInts(node, 'nodes_falseleafs') ?? [];
  const memo = new Map<number, number>();
  const depth = (i: number, guard: number): number => {
    if (guard > 256 || i >= tnode.length) return 0;
    const m = memo.get(i);
    if (m !== undefined) return m;
    const a = tleaf[i] ? 0 : depth(tnode[i], guard + 1);
    const b = fleaf[i] ? 0 : depth(fnode[i], guard + 1);
    const d = 1 + Math.max(a, b);
    memo.set(i, d);
    return d;
  };
  return roots.map((r) => depth(r, 0));
}

// Trees: per sample and tree, one comparison per level down the deepest path (an upper bound on the path
// taken) plus one add per output accumulated from the leaf.
rules.add(
  ['TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'TreeEnsemble'],
  (ctx) => {
    const depths = ctx.node.opType === 'TreeEnsemble' ? treeDepthsV5(ctx.node) : treeDepthsV3(ctx.node);
    const n = samples(ctx);
    const levels = depths.reduce((a, b) => a + b, 0);
    return {
      flops: n * (levels + depths.length),
      note: `${depths.length} trees, ${levels} levels in all (deepest paths), per sample`,
    };
  },
  ML,
);

// ---------------------------------------------------------------- ai.onnx.preview.training
// Per-element counts from the update formulas in the ONNX spec (Adagrad, Momentum, Adam), applied to every
// element of the optimized tensors X (the first output group).
function optimizerCost(groupsOut: number, per: (node: Node) => number, name: string) {
  return (ctx: CostCtx) => {
    const n = Math.floor(ctx.outputs.length / groupsOut);
    let elems = 0;
    for (let i = 0; i < n; i++) elems += ctx.outputs[i]?.elements ?? 0;
    const p = per(ctx.node);
    return { flops: p * elems, note: `${name}: ${p} per parameter element` };
  };
}
// Adagrad: G' = lambda*X + G (2), H' = H + G'^2 (2), sqrt(H')+eps (2), X - r*G'/that (3).
rules.add(
  'Adagrad',
  optimizerCost(2, () => 9, 'Adagrad'),
  TRAINING,
);
// Momentum: G' = lambda*X + G (2), V' = alpha*V + beta*G' (3), X - R*V' (2); nesterov X - R*(G' + alpha*V') (4).
rules.add(
  'Momentum',
  optimizerCost(2, (n) => (attrString(n, 'mode', 'standard') === 'nesterov' ? 9 : 7), 'Momentum'),
  TRAINING,
);
// Adam: G' (2), V' = alpha*V + (1-alpha)*G' (3), H' = beta*H + (1-beta)*G'^2 (4), sqrt(H')+eps (2), X - R*V'/that (3).
rules.add(
  'Adam',
  optimizerCost(3, () => 14, 'Adam'),
  TRAINING,
);
rules.add(
  'Gradient',
  () => ({ flops: 0, note: 'Gradient: the backward graph is not expanded, its FLOPs are not counted' }),
  TRAINING,
);

// ---------------------------------------------------------------- signal

/** FFT of length n: 5 n log2 n for complex data, half for real data (FFTW's benchmark convention, fftw.org/speed/method.html). */
export function fftFlops(n: number, real: boolean): number {
  if (n <= 1) return 0;
  return (real ? 2.5 : 5) * n * Math.log2(n);
}

rules.add('DFT', (ctx) => {
  const x = ctx.inputs[0],
    y = ctx.outputs[0];
  if (!x || x.dims.length < 2) return { flops: 0 };
  const r = x.dims.length;
  let axis: number;
  if (ctx.opset < 20) axis = attrInt(ctx.node, 'axis', 1);
  else {
    const a = ctx.node.inputs[2] ? ctx.inputValues[2]?.data?.[0] : -2;
    axis = typeof a === 'number' ? a : -2;
  }
  const ax = axis < 0 ? axis + r : axis;
  const inverse = attrInt(ctx.node, 'inverse', 0) !== 0;
  const onesided = attrInt(ctx.node, 'onesided', 0) !== 0;
  const lenD = ctx.node.inputs[1] ? ctx.inputValues[1]?.data?.[0] : undefined;
  // the transform length: dft_length, else the input's axis (an IRFFT's full length is the output's axis)
  const n = typeof lenD === 'number' ? lenD : inverse && onesided && y ? (y.dims[ax] ?? 1) : (x.dims[ax] ?? 1);
  const transforms = x.elements / Math.max(1, (x.dims[ax] ?? 1) * (x.dims[r - 1] ?? 1));
  const real = x.dims[r - 1] === 1 || (inverse && onesided);
  return {
    flops: transforms * fftFlops(n, real),
    note: `DFT: ${transforms} transforms of length ${n}, ${real ? 2.5 : 5} n log2 n each`,
  };
});

rules.add('STFT', (ctx) => {
  const x = ctx.inputs[0],
    y = ctx.outputs[0];
  if (!x || !y || y.dims.length < 4) return { flops: 0 };
  const frames = y.dims[0] * y.dims[1];
  const fl = ctx.node.inputs[3] ? ctx.inputValues[3]?.data?.[0] : undefined;
  const n = typeof fl === 'number' ? fl : (ctx.inputs[2]?.dims[0] ?? 1);
  const window = ctx.node.inputs[2] ? n : 0; // one multiply per windowed sample
  const real = x.dims[2] === 1;
  return { flops: frames * (window + fftFlops(n, real)), note: `STFT: ${frames} frames, window + FFT of length ${n}` };
});

// Windows: the ONNX function body computes two cosine terms per element: 9 operations (Range, 2 angle
// multiplies, 2 cos, 2 coefficient multiplies, sub, add).
rules.add(['HannWindow', 'HammingWindow', 'BlackmanWindow'], (ctx) => ({
  flops: 9 * outElems(ctx),
  note: '9 per window element (ONNX function body)',
}));
// Mel filter bank: each weight is max(0, min(rising, falling)) with a subtract and a divide per slope.
rules.add('MelWeightMatrix', (ctx) => ({ flops: 6 * outElems(ctx), note: '6 per weight (two slopes, min, max)' }));

// ---------------------------------------------------------------- strings

rules.add(['StringNormalizer', 'StringConcat', 'StringSplit', 'RegexFullMatch'], () => ({
  flops: 0,
  note: 'string processing: not counted as FLOPs',
}));
// TfIdfVectorizer: n-gram counting is hashing (0 FLOPs); IDF and TFIDF weighting multiply each output once.
rules.add('TfIdfVectorizer', (ctx) => ({ flops: attrString(ctx.node, 'mode', 'TF') === 'TF' ? 0 : outElems(ctx) }));

// ---------------------------------------------------------------- random

// Uniform: low + (high - low) * u, 2 per element. Normal (Box-Muller): log, sqrt, cos, multiply, then
// mean + scale * z: 6 per element. Bernoulli: a uniform draw and a comparison (its ONNX function body): 3.
rules.add(['RandomUniform', 'RandomUniformLike'], (ctx) => ({ flops: 2 * outElems(ctx) }));
rules.add(['RandomNormal', 'RandomNormalLike'], (ctx) => ({ flops: 6 * outElems(ctx) }));
rules.add('Bernoulli', (ctx) => ({ flops: 3 * outElems(ctx) }));
// Multinomial: a running sum over the classes per batch row, then a binary search per sample.
rules.add('Multinomial', (ctx) => {
  const x = ctx.inputs[0];
  const b = x?.dims[0] ?? 0,
    c = x?.dims[1] ?? 0;
  const s = attrInt(ctx.node, 'sample_size', 1);
  return { flops: b * c + b * s * Math.ceil(Math.log2(Math.max(2, c))) };
});

// ---------------------------------------------------------------- detection, images

/**
 * NonMaxSuppression, worst case: per batch and class, sort the n boxes (n log2 n comparisons) and compute
 * the IoU of every pair (12 operations: 4 min/max, 2 subtracts, 1 multiply for the intersection, add and
 * subtract for the union, a divide and a compare).
 */
rules.add('NonMaxSuppression', (ctx) => {
  const s = ctx.inputs[1];
  if (!s || s.dims.length < 3) return { flops: 0 };
  const [b, c, n] = s.dims;
  return {
    flops: b * c * (((n * (n - 1)) / 2) * 12 + n * Math.ceil(Math.log2(Math.max(2, n)))),
    note: 'NonMaxSuppression: every pair of boxes compared (upper bound)',
  };
});

rules.add('ImageDecoder', () => ({ flops: 0, note: 'ImageDecoder: decoding is not counted as FLOPs' }));

// ---------------------------------------------------------------- experimental ops
// ImageScaler and Affine: scale * x + bias, 2 per element. ScaledTanh alpha * tanh(beta * x): 2 multiplies + tanh
// (5, as the elementwise family counts Tanh). ParametricSoftplus alpha * ln(exp(beta * x) + 1): 5 per element.
rules.add(['ImageScaler', 'Affine'], (ctx) => ({ flops: 2 * outElems(ctx) }));
rules.add('ScaledTanh', (ctx) => ({ flops: 7 * outElems(ctx) }));
rules.add('ParametricSoftplus', (ctx) => ({ flops: 5 * outElems(ctx) }));
rules.add(['Crop', 'GivenTensorFill', 'DynamicSlice'], () => ({ flops: 0 }));

export const miscCosts = rules.rules;
