// The transformer structure of a graph: what the detector (detect.ts) finds, what the report prints as
// `model.transformer` (ARCHITECTURE.md) and what every mapper reads. Pure data, no graph access.
import type { Model } from '../onnx/ir';
import type { Value } from '../shapes/types';

/**
 * The report's `model.transformer`, one object for the report and every mapper:
 *  - layers: repeated blocks, one per self-attention (a final norm is not a layer)
 *  - hidden: residual stream width (the Q projection's input width; MatMulNBits' K attribute)
 *  - heads / kvHeads / headDim: query heads, key/value heads (< heads under grouped-query attention) and the
 *    width per head (heads x headDim may differ from hidden: Qwen3, Gemma 3)
 *  - ffn / gated: MLP inner width (one expert's under MoE) and whether it is gated (gate x up, SwiGLU/GeGLU)
 *  - vocab: LM head width (0 when the graph has no LM head)
 *  - experts / expertsPerToken: routed experts and how many each token uses (0 / 0 for a dense model)
 *  - encoderDecoder: true when the blocks also attend to an encoder's output (cross-attention: a decoder
 *    of an encoder-decoder model); an encoder alone or a decoder-only model is false
 */
export interface TransformerStructure {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  gated: boolean;
  vocab: number;
  experts: number;
  expertsPerToken: number;
  encoderDecoder: boolean;
}

/** Mixture-of-experts facts beyond the report's two numbers (for the mappers). */
export interface MoeFacts {
  /** how the experts are expressed: one com.microsoft MoE / QMoE op per block, or unrolled expert subgraphs */
  form: 'op' | 'unrolled';
  /** parameter elements (logical) of all experts of all blocks; a token uses expertsPerToken / experts of them */
  expertParams: number;
  /** parameter elements of the router (gate) of all blocks */
  routerParams: number;
  /** per block: the main-graph node indices that hold expert work (MoE op, or the unrolled expert MatMuls) */
  expertNodes: number[][];
}

/** The dims of a transformer and what the wafer needs beside them. */
export interface TransformerDims extends TransformerStructure {
  /** parameter elements of one repeated block (block 0; with every expert under MoE) */
  weightsPerLayer: number;
  /** tokens already in the KV cache (the bound cache length; 0 when unbound), null when the graph has no cache input */
  past: number | null;
  /** parameters used per token: the model's parameter count less the experts a token does not use */
  activeParameterCount?: number;
  moe?: MoeFacts;
  /** how each number was found */
  notes: string[];
}

/** Graph node indices playing each role in one repeated block (-1 when absent). For a fused attention op
 * (GroupQueryAttention, MultiHeadAttention, Attention) scores, softmax and context are that op; for a MoE op
 * up, act and down are that op. The GPU mapper attributes a Megatron kernel's time to these nodes. */
export interface BlockRoles {
  prefix: string;
  /** node indices of the block */
  nodes: number[];
  ln1: number;
  qkv: number[];
  scores: number;
  softmax: number;
  context: number;
  oproj: number;
  bda1: number;
  ln2: number;
  up: number[];
  act: number;
  down: number;
  bda2: number;
  /** parameter elements (logical) the block's nodes consume */
  params: number;
  /** cross-attention in this block (encoder-decoder): its projections and attention node */
  cross: number[];
}

/** The full pattern with roles (main graph only) and the binding-dependent sizes. */
export interface TransformerPattern extends TransformerDims {
  /** new tokens per sample (query length) and attended length (keys) */
  seq: number;
  kvSeq: number;
  /** samples per forward pass in the graph as bound (the microbatch unless overridden) */
  batch: number;
  /** the batch dim of the token input is symbolic (can be rebound to the microbatch) */
  batchSymbolic: boolean;
  blocks: BlockRoles[];
  embedNode: number;
  lmHeadNode: number;
  finalNorm: number;
  tiedEmbedding: boolean;
  embeddingParams: number;
  lmHeadParams: number;
  /** every parameter outside the blocks (embeddings, final norm, untied head, buffers) */
  otherParams: number;
}

export type PatternResult =
  { pattern: TransformerPattern; reason?: undefined } | { pattern?: undefined; reason: string };

/** What the detector reads: the model, and where available the inferred values and the parameter count
 * (an engine Analysis has these fields). */
export interface TransformerSource {
  model: Model;
  shapes?: { main: { values: ReadonlyMap<string, Value> } };
  stats?: { parameterCount: number };
}
