// The shape-inference rule table: every op family's rules, in one stated order (a later rule for the same op
// replaces an earlier one). One file per family; nn and tensor are split by kind into sub-modules.
import { opTableOf, type OpTable } from '../../opTable';
import type { InferFn } from '../types';
import { constantRules } from './constant';
import { elementwiseRules } from './elementwise';
// data movement: Reshape, Transpose, Concat, Slice, Gather, Pad, Resize, ...
import { layoutRules } from './tensor/layout';
import { slicingRules } from './tensor/slicing';
import { generateRules } from './tensor/generate';
import { indexingRules } from './tensor/indexing';
import { resampleRules } from './tensor/resample';
// Conv, pooling, MatMul/Gemm/Einsum, quantization, attention-family ops, mixture of experts
import { convRules } from './nn/conv';
import { poolRules } from './nn/pool';
import { matmulRules } from './nn/matmul';
import { quantRules } from './nn/quant';
import { attentionRules } from './nn/attention';
import { moeRules } from './nn/moe';
import { reduceRules } from './reduce'; // Reduce*, ArgMax/ArgMin, CumSum/CumProd, Softmax family, losses, Det
import { normRules } from './norm'; // BatchNorm, LayerNorm, GroupNorm, InstanceNorm, RMSNorm, LRN, LpNorm, MVN, Dropout
import { recurrentRules } from './recurrent'; // RNN, LSTM, GRU
import { controlRules } from './control'; // If/Loop/Scan, sequences, optionals
import { miscRules } from './misc'; // ai.onnx.ml, preview.training, signal, string, random, detection

export const SHAPE_RULES: OpTable<InferFn> = opTableOf([
  ...constantRules,
  ...elementwiseRules,
  ...layoutRules,
  ...slicingRules,
  ...generateRules,
  ...indexingRules,
  ...resampleRules,
  ...convRules,
  ...poolRules,
  ...matmulRules,
  ...quantRules,
  ...attentionRules,
  ...moeRules,
  ...reduceRules,
  ...normRules,
  ...recurrentRules,
  ...controlRules,
  ...miscRules,
]);
