// Shape inference for the nn op family (registered on import), split by kind:
// window.ts (kernel/stride/pad arithmetic), conv.ts, pool.ts, matmul.ts (MatMul/Gemm/Einsum),
// quant.ts (Quantize/Dequantize), attention.ts (Attention, RotaryEmbedding, FlexAttention, ...).
import './nn/conv';
import './nn/pool';
import './nn/matmul';
import './nn/quant';
import './nn/attention';
import './nn/moe';
