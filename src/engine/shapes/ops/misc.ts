// Ops outside the main neural-network families: ai.onnx.ml (classical ML), ai.onnx.preview.training
// (optimizers, Gradient), signal processing (DFT, STFT, windows, MelWeightMatrix), strings, random
// generators, NonMaxSuppression and ImageDecoder.
// Output rules follow the ONNX operator specs (onnx/defs/*/defs.cc); where onnxruntime's kernel gives a
// more specific runtime shape than ONNX inference (ml ops on 1-D input, SVM scores) the runtime shape is used.
import type { Dim, Node, ValueType } from '../../onnx/ir';
import { attrInt, attrInts, attrString } from '../../onnx/ir';
import { DT } from '../../onnx/dtypes';
import { RuleList } from '../../opTable';
import type { InferFn } from '../types';
import { inDims, inTensor, tensorOf, type InferCtx, type Value } from '../types';
import { broadcastShapes, dimAdd, dimFloorDiv, dimMul, dimSub } from '../dims';
import { inferSlice } from './tensor/slicing';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

const ML = 'ai.onnx.ml';
const TRAINING = 'ai.onnx.preview.training';

function sameShape(ctx: InferCtx, dtype?: number): Value[] {
  const t = inTensor(ctx, 0);
  if (!t) return [];
  return [tensorOf(dtype ?? t.dtype, t.dims ? t.dims.slice() : null)];
}

function attrLen(node: Node, name: string): number | undefined {
  const a = node.attrs[name];
  if (!a) return undefined;
  if (a.type === 'ints' || a.type === 'floats' || a.type === 'strings') return a.value.length;
  if (a.type === 'tensor') return a.value.elements;
  return undefined;
}

/** Batch dim of an [N,C] or [C] input (a 1-D input is one sample). */
function batchOf(ctx: InferCtx, i = 0): Dim {
  const d = inDims(ctx, i);
  if (!d) return null;
  if (d.length === 1) return 1;
  if (d.length !== 2) ctx.fail(`input must be 1-D or 2-D, got rank ${d.length}`);
  return d[0];
}

/** A known scalar (or 1-element) integer input. */
function scalarInput(ctx: InferCtx, i: number): Dim | undefined {
  if (!ctx.node.inputs[i]) return undefined;
  const d = ctx.inputs[i]?.data;
  return d && d.length === 1 ? d[0] : undefined;
}

// ================================================================ ai.onnx.ml

rules.add(['Binarizer', 'Imputer'], (ctx) => sameShape(ctx), ML);
rules.add(['Normalizer', 'Scaler'], (ctx) => sameShape(ctx, DT.FLOAT), ML);

rules.add(
  'CategoryMapper',
  (ctx) => {
    const t = inTensor(ctx, 0);
    if (!t) return [];
    return [tensorOf(t.dtype === DT.STRING ? DT.INT64 : DT.STRING, t.dims ? t.dims.slice() : null)];
  },
  ML,
);

rules.add(
  'LabelEncoder',
  (ctx) => {
    const a = ctx.node.attrs;
    const dtype =
      a.values_tensor?.type === 'tensor'
        ? a.values_tensor.value.dtype
        : a.values_strings
          ? DT.STRING
          : a.values_int64s
            ? DT.INT64
            : a.values_floats
              ? DT.FLOAT
              : 0;
    if (!dtype) ctx.fail('LabelEncoder needs one of values_tensor, values_strings, values_int64s, values_floats');
    const t = inTensor(ctx, 0);
    return [tensorOf(dtype, t?.dims ? t.dims.slice() : null)];
  },
  ML,
);

rules.add(
  'ArrayFeatureExtractor',
  (ctx) => {
    const t = inTensor(ctx, 0);
    if (!t) return [];
    const idx = inDims(ctx, 1);
    let n: Dim = null;
    if (idx) n = idx.reduce<Dim>((a, b) => dimMul(a, b), 1);
    if (!t.dims) return [tensorOf(t.dtype, null)];
    // onnxruntime: a 1-D input gives [1, num_indices]; otherwise the last axis is replaced
    if (t.dims.length === 1) return [tensorOf(t.dtype, [1, n])];
    return [tensorOf(t.dtype, [...t.dims.slice(0, -1), n])];
  },
  ML,
);

rules.add(
  'CastMap',
  (ctx) => {
    const to = attrString(ctx.node, 'cast_to', 'TO_FLOAT');
    const dtype = to === 'TO_STRING' ? DT.STRING : to === 'TO_INT64' ? DT.INT64 : DT.FLOAT;
    const sparse = attrString(ctx.node, 'map_form', 'DENSE') === 'SPARSE';
    // dense: one value per map entry (the map's size is data); sparse: max_map slots
    return [tensorOf(dtype, [1, sparse ? attrInt(ctx.node, 'max_map', 1) : null])];
  },
  ML,
);

rules.add(
  'DictVectorizer',
  (ctx) => {
    const t = ctx.inputs[0]?.type;
    const value = t?.kind === 'map' ? t.value : null;
    const dtype = value && value.kind === 'tensor' ? value.dtype : 0;
    const vocab = attrLen(ctx.node, 'string_vocabulary') ?? attrLen(ctx.node, 'int64_vocabulary') ?? null;
    return [tensorOf(dtype, [1, vocab])];
  },
  ML,
);

rules.add(
  'FeatureVectorizer',
  (ctx) => {
    const dims = attrInts(ctx.node, 'inputdimensions');
    const n = batchOf(ctx, 0);
    const total = dims ? dims.reduce((a, b) => a + b, 0) : null;
    return [tensorOf(DT.FLOAT, [n, total])];
  },
  ML,
);

rules.add(
  'OneHotEncoder',
  (ctx) => {
    const t = inTensor(ctx, 0);
    const cats = attrLen(ctx.node, 'cats_int64s') ?? attrLen(ctx.node, 'cats_strings');
    if (cats === undefined) return ctx.fail('OneHotEncoder needs cats_int64s or cats_strings');
    return [tensorOf(DT.FLOAT, t?.dims ? [...t.dims, cats] : null)];
  },
  ML,
);

function labelType(node: Node): number {
  return (attrLen(node, 'classlabels_strings') ?? 0) > 0 ? DT.STRING : DT.INT64;
}

function labelCount(node: Node): number {
  return (
    attrLen(node, 'classlabels_strings') ||
    attrLen(node, 'classlabels_ints') ||
    attrLen(node, 'classlabels_int64s') ||
    0
  );
}

rules.add(
  'LinearClassifier',
  (ctx) => {
    const n = batchOf(ctx);
    // scores: one per intercept; the binary case (1 intercept, 2 labels) scores both classes
    let e = attrLen(ctx.node, 'intercepts') ?? 0;
    if (e === 1 && labelCount(ctx.node) === 2) e = 2;
    return [tensorOf(labelType(ctx.node), [n]), tensorOf(DT.FLOAT, [n, e || null])];
  },
  ML,
);

rules.add('LinearRegressor', (ctx) => [tensorOf(DT.FLOAT, [batchOf(ctx), attrInt(ctx.node, 'targets', 1)])], ML);

rules.add(
  'SVMClassifier',
  (ctx) => {
    const n = batchOf(ctx);
    const classes = labelCount(ctx.node) || 1;
    const vectors = (attrInts(ctx.node, 'vectors_per_class') ?? []).reduce((a, b) => a + b, 0);
    const proba = (attrLen(ctx.node, 'prob_a') ?? 0) > 0;
    // onnxruntime svmclassifier.cc: SVC without probabilities scores each pair of classes (2 columns when binary)
    const e = vectors > 0 && !proba ? (classes > 2 ? (classes * (classes - 1)) / 2 : 2) : classes;
    return [tensorOf(labelType(ctx.node), [n]), tensorOf(DT.FLOAT, [n, e])];
  },
  ML,
);

rules.add('SVMRegressor', (ctx) => [tensorOf(DT.FLOAT, [batchOf(ctx), 1])], ML);

rules.add(
  'TreeEnsembleClassifier',
  (ctx) => {
    const n = batchOf(ctx);
    const e = labelCount(ctx.node) || null;
    return [tensorOf(labelType(ctx.node), [n]), tensorOf(DT.FLOAT, [n, e])];
  },
  ML,
);

rules.add(
  'TreeEnsembleRegressor',
  (ctx) => [tensorOf(DT.FLOAT, [batchOf(ctx), attrInt(ctx.node, 'n_targets') ?? null])],
  ML,
);

// ai.onnx.ml opset 5: one op for both; the output has the input's float type
rules.add(
  'TreeEnsemble',
  (ctx) => {
    const t = inTensor(ctx, 0);
    return [tensorOf(t?.dtype ?? DT.FLOAT, [batchOf(ctx), attrInt(ctx.node, 'n_targets') ?? null])];
  },
  ML,
);

rules.add(
  'ZipMap',
  (ctx) => {
    const key = (attrLen(ctx.node, 'classlabels_strings') ?? 0) > 0 ? DT.STRING : DT.INT64;
    const map: ValueType = { kind: 'map', keyDtype: key, value: { kind: 'tensor', dtype: DT.FLOAT, dims: [] } };
    return [{ type: { kind: 'sequence', elem: map } }];
  },
  ML,
);

// ================================================================ ai.onnx.preview.training

/**
 * Optimizers: inputs R, T, then n tensors per group (X, G, then the state groups); outputs are the new X
 * and the new states, each shaped like its input. Adagrad: X,G,H -> X,H; Momentum: X,G,V -> X,V;
 * Adam: X,G,V,H -> X,V,H.
 */
function optimizer(groupsIn: number) {
  return (ctx: InferCtx): (Value | undefined)[] => {
    const nIn = ctx.node.inputs.length - 2;
    if (nIn % groupsIn !== 0) ctx.fail(`expected ${groupsIn} groups of inputs after R and T, got ${nIn} inputs`);
    const n = nIn / groupsIn;
    return ctx.node.outputs.map((_, k) => {
      const g = Math.floor(k / n),
        i = k % n;
      const src = 2 + (g === 0 ? 0 : g + 1) * n + i; // output group 0 is X (input group 0), the others skip G
      return ctx.inputs[src] ? sameShapeOf(ctx.inputs[src]) : undefined;
    });
  };
}

function sameShapeOf(v: Value | undefined): Value | undefined {
  return v?.type ? { type: v.type } : undefined;
}

rules.add('Adagrad', optimizer(3), TRAINING);
rules.add('Momentum', optimizer(3), TRAINING);
rules.add('Adam', optimizer(4), TRAINING);

// Gradient: the i-th output is dY/dxs[i], shaped like the i-th input (xs are fed first).
rules.add('Gradient', (ctx) => ctx.node.outputs.map((_, k) => sameShapeOf(ctx.inputs[k])), TRAINING);

// ================================================================ signal

rules.add('DFT', (ctx) => {
  const t = inTensor(ctx, 0);
  if (!t) return [];
  if (!t.dims) return [tensorOf(t.dtype, null)];
  const r = t.dims.length;
  if (r < 2) ctx.fail('DFT input needs rank >= 2 (the last axis holds real/imaginary parts)');
  const onesided = attrInt(ctx.node, 'onesided', 0) !== 0;
  const inverse = attrInt(ctx.node, 'inverse', 0) !== 0;
  const last: Dim = onesided && inverse ? 1 : 2; // IRFFT gives real output, everything else complex
  const hasLen = !!ctx.node.inputs[1];
  const len = scalarInput(ctx, 1);
  // opset 17-19: axis attribute (default 1); opset 20: axis input (default -2)
  let axis: number | undefined;
  if (ctx.opset < 20) axis = attrInt(ctx.node, 'axis', 1);
  else if (!ctx.node.inputs[2]) axis = -2;
  else {
    const a = scalarInput(ctx, 2);
    axis = typeof a === 'number' ? a : undefined;
  }
  const along = (d: Dim): Dim => {
    if (hasLen) return len === undefined ? null : onesided && !inverse ? dimAdd(dimFloorDiv(len, 2), 1) : len;
    if (!onesided) return d;
    return inverse ? dimMul(2, dimSub(d, 1)) : dimAdd(dimFloorDiv(d, 2), 1);
  };
  if (axis === undefined) {
    // axis unknown: a dim is known only where it is the same whichever axis the transform runs on
    const dims = t.dims.map((d, i) => (i === r - 1 ? last : along(d) === d ? d : null));
    return [tensorOf(t.dtype, dims)];
  }
  if (axis < -r || axis === -1 || axis >= r - 1) ctx.fail(`DFT axis ${axis} is invalid for rank ${r}`);
  const ax = axis < 0 ? axis + r : axis;
  return [
    tensorOf(
      t.dtype,
      t.dims.map((d, i) => (i === r - 1 ? last : i === ax ? along(d) : d)),
    ),
  ];
});

rules.add('STFT', (ctx) => {
  const t = inTensor(ctx, 0);
  if (!t) return [];
  if (!t.dims) return [tensorOf(t.dtype, null)];
  if (t.dims.length < 2) ctx.fail('STFT signal needs shape [batch, length, 1|2]');
  const step = scalarInput(ctx, 1);
  let frame: Dim | undefined = scalarInput(ctx, 3);
  if (frame === undefined && ctx.node.inputs[2]) frame = inDims(ctx, 2)?.[0];
  const onesided = attrInt(ctx.node, 'onesided', 1) !== 0;
  const n = t.dims[1];
  // frames = floor((length - frame_length) / frame_step) + 1; bins = frame_length (onesided: floor(frame_length/2)+1)
  const frames =
    step !== undefined && frame !== undefined && frame !== null && n !== null && step !== null
      ? dimAdd(dimFloorDiv(dimSub(n, frame), step), 1)
      : null;
  const bins = frame === undefined || frame === null ? null : onesided ? dimAdd(dimFloorDiv(frame, 2), 1) : frame;
  return [tensorOf(t.dtype, [t.dims[0], frames, bins, 2])];
});

rules.add('MelWeightMatrix', (ctx) => {
  const mel = scalarInput(ctx, 0);
  const dft = scalarInput(ctx, 1);
  const dtype = attrInt(ctx.node, 'output_datatype', DT.FLOAT);
  return [tensorOf(dtype, [dft === undefined ? null : dimAdd(dimFloorDiv(dft, 2), 1), mel ?? null])];
});

rules.add(['HannWindow', 'HammingWindow', 'BlackmanWindow'], (ctx) => {
  const size = scalarInput(ctx, 0);
  if (typeof size === 'number' && size <= 0) ctx.fail(`window size ${size} must be positive`);
  return [tensorOf(attrInt(ctx.node, 'output_datatype', DT.FLOAT), [size ?? null])];
});

// ================================================================ strings

rules.add('StringNormalizer', (ctx) => {
  const t = inTensor(ctx, 0);
  if (!t?.dims) return [tensorOf(DT.STRING, null)];
  // removing stopwords makes the length data-dependent
  const stop = (attrLen(ctx.node, 'stopwords') ?? 0) > 0;
  if (!stop) return [tensorOf(DT.STRING, t.dims.slice())];
  return [
    tensorOf(
      DT.STRING,
      t.dims.map((d, i) => (i === t.dims!.length - 1 ? null : d)),
    ),
  ];
});

rules.add('StringConcat', (ctx) => {
  const a = inDims(ctx, 0),
    b = inDims(ctx, 1);
  if (!a || !b) return [tensorOf(DT.STRING, null)];
  const out = broadcastShapes([a, b]);
  if (!out) return ctx.fail(`cannot broadcast [${a.join(',')}] and [${b.join(',')}]`);
  return [tensorOf(DT.STRING, out)];
});

rules.add('RegexFullMatch', (ctx) => sameShape(ctx, DT.BOOL));

rules.add('StringSplit', (ctx) => {
  const d = inDims(ctx, 0);
  if (!d) return [tensorOf(DT.STRING, null), tensorOf(DT.INT64, null)];
  // the token axis is the longest split, data-dependent; an empty input has no tokens
  const empty = d.some((x) => x === 0);
  return [tensorOf(DT.STRING, [...d, empty ? 0 : null]), tensorOf(DT.INT64, d.slice())];
});

rules.add('TfIdfVectorizer', (ctx) => {
  const d = inDims(ctx, 0);
  const idx = attrInts(ctx.node, 'ngram_indexes');
  const width: Dim = idx && idx.length ? Math.max(...idx) + 1 : null;
  if (!d) return [tensorOf(DT.FLOAT, null)];
  if (d.length === 1) return [tensorOf(DT.FLOAT, [width])];
  if (d.length === 2) return [tensorOf(DT.FLOAT, [d[0], width])];
  return ctx.fail(`TfIdfVectorizer input must be [C] or [N,C], got rank ${d.length}`);
});

// ================================================================ random

rules.add(['RandomNormal', 'RandomUniform'], (ctx) => {
  const shape = attrInts(ctx.node, 'shape');
  if (!shape) return ctx.fail('missing shape attribute');
  return [tensorOf(attrInt(ctx.node, 'dtype', DT.FLOAT), shape.slice())];
});

rules.add(['RandomNormalLike', 'RandomUniformLike', 'Bernoulli'], (ctx) => {
  const t = inTensor(ctx, 0);
  return [tensorOf(attrInt(ctx.node, 'dtype') ?? t?.dtype ?? 0, t?.dims ? t.dims.slice() : null)];
});

rules.add('Multinomial', (ctx) => {
  const d = inDims(ctx, 0);
  if (d && d.length !== 2) ctx.fail(`Multinomial input must be [batch, classes], got rank ${d.length}`);
  return [tensorOf(attrInt(ctx.node, 'dtype', DT.INT32), [d ? d[0] : null, attrInt(ctx.node, 'sample_size', 1)])];
});

// ================================================================ detection, images

rules.add('NonMaxSuppression', (ctx) => {
  // [num_selected, 3] (batch, class, box): how many boxes survive depends on the scores
  const max = scalarInput(ctx, 2);
  return [tensorOf(DT.INT64, [max === 0 ? 0 : null, 3])];
});

rules.add('ImageDecoder', (ctx) => {
  const fmt = attrString(ctx.node, 'pixel_format', 'RGB');
  return [tensorOf(DT.UINT8, [null, null, fmt === 'Grayscale' ? 1 : 3])];
});

// ================================================================ experimental ops (ONNX <= 1.4, still in old model-zoo files)

// ImageScaler (scale * x + bias per channel), Affine, ScaledTanh, ParametricSoftplus: elementwise.
rules.add(['ImageScaler', 'Affine', 'ScaledTanh', 'ParametricSoftplus'], (ctx) => sameShape(ctx));

// Crop: border = [left, top, right, bottom] trims H and W; scale = [height, width] fixes them (centre crop).
rules.add('Crop', (ctx) => {
  const t = inTensor(ctx, 0);
  if (!t?.dims) return [tensorOf(t?.dtype ?? 0, null)];
  if (t.dims.length !== 4) return ctx.fail(`Crop input must be [N,C,H,W], got rank ${t.dims.length}`);
  const [n, c, h, w] = t.dims;
  const scale = attrInts(ctx.node, 'scale');
  if (scale && scale.length === 2) return [tensorOf(t.dtype, [n, c, scale[0], scale[1]])];
  const b = attrInts(ctx.node, 'border') ?? [0, 0, 0, 0];
  if (b.length !== 4) return ctx.fail('Crop border must have 4 values (left, top, right, bottom)');
  return [tensorOf(t.dtype, [n, c, dimSub(h, b[1] + b[3]), dimSub(w, b[0] + b[2])])];
});

// GivenTensorFill: the shape attribute, or the input's values (input_as_shape) followed by extra_shape.
rules.add('GivenTensorFill', (ctx) => {
  const extra = attrInts(ctx.node, 'extra_shape') ?? [];
  if (attrInt(ctx.node, 'input_as_shape', 0) && ctx.node.inputs[0]) {
    const d = ctx.inputs[0]?.data;
    return [tensorOf(DT.FLOAT, d ? [...d, ...extra] : null)];
  }
  const shape = attrInts(ctx.node, 'shape');
  return [tensorOf(DT.FLOAT, shape ? [...shape, ...extra] : null)];
});

// DynamicSlice (experimental): Slice-10's inputs (data, starts, ends, axes), so Slice-10 inference applies.
rules.add('DynamicSlice', (ctx) => {
  // the same node seen at opset 10 (the context's methods live on its prototype: delegate, do not spread)
  return inferSlice({
    node: ctx.node,
    opset: 10,
    opsets: ctx.opsets,
    inputs: ctx.inputs,
    fail: (m) => ctx.fail(m),
    warn: (m) => ctx.warn(m),
    inferSubgraph: (g, i) => ctx.inferSubgraph(g, i),
  });
});

export const miscRules = rules.rules;
