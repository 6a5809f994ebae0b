// Importing this module registers every op family's inference function.
// One file per family; a family may split into sub-modules imported from its own file.
import './constant';
import './elementwise';
import './tensor'; // data movement: Reshape, Transpose, Concat, Slice, Gather, Pad, Resize, ...
import './nn'; // Conv, pooling, MatMul/Gemm/Einsum, quantization, attention-family ops
import './reduce'; // Reduce*, ArgMax/ArgMin, CumSum/CumProd, Softmax family, losses, Det
import './norm'; // BatchNorm, LayerNorm, GroupNorm, InstanceNorm, RMSNorm, LRN, LpNorm, MVN, Dropout
import './recurrent'; // RNN, LSTM, GRU
import './control'; // If/Loop/Scan, sequences, optionals
import './misc'; // ai.onnx.ml, preview.training, signal, string, random, detection
