// The kernels and collectives Megatron-LM runs for one transformer block, the embedding and the
// output layer, on one GPU for one microbatch, with tensor parallelism t (Shoeybi et al. 2019:
// QKV and MLP-up split by columns, output projection and MLP-down by rows, heads split t ways,
// one all-reduce after each row-parallel GEMM in the forward pass and one after each column-parallel
// GEMM's input gradient in the backward pass) and optional sequence parallelism (Korthikanti et al.
// 2022 §4.2.2: the all-reduces become reduce-scatter + all-gather, and the LayerNorm / dropout /
// residual work is split t ways along the sequence).
// Kernel set: Megatron's fused kernels (scale-mask-softmax, bias-GeLU, bias-dropout-add, LayerNorm),
// torch dropout on the attention probabilities when training. Bytes count each tensor once per kernel.
import type { Device } from './roofline';
import type { Work } from './work';

export interface BlockShape {
  /** microbatch, query length, key length */
  b: number;
  /** query tokens on this rank (the sequence / cp) and the key length they attend to */
  sq: number;
  skv: number;
  /** context-parallel ranks (ring attention; 1 = none) */
  cp: number;
  h: number;
  /** heads, KV heads, head dim, FFN width */
  a: number;
  g: number;
  d: number;
  f: number;
  gated: boolean;
  vocab: number;
  t: number;
  sp: boolean;
  training: boolean;
  /** fused attention (FlashAttention-2/3, cuDNN): one kernel, no S x S tensor in HBM, recomputed in the
   * backward kernel (Dao et al. 2022 §3.1); false: Megatron's unfused scores / softmax / dropout / context */
  flash: boolean;
  /** a causal mask (decoder): the fused kernel skips the blocks above the diagonal, half the score FLOPs */
  causal: boolean;
  /** the fraction of each sequence-parallel collective the stack overlaps with its neighbouring GEMM
   * (Transformer Engine userbuffers; the spec's stack.tpCommOverlap) */
  tpOverlap: number;
  /** fused attention's achieved fraction of the 16-bit peak, forward and backward (spec.attention) */
  flashForward: number;
  flashBackward: number;
  /** inference with a KV cache: each block appends the new tokens' K and V in place (paged cache) */
  kvAppend?: boolean;
  /** bytes per KV-cache element (--kv-precision; default the activations') */
  kvBytes?: number;
  /** mixture of experts: experts per token (0: a dense MLP), routed experts, and the expert-parallel ranks they
   * are spread over (1: every rank holds every expert, no all-to-all) */
  moeK?: number;
  experts?: number;
  ep?: number;
}

/** bytes per element of an fp32 main gradient (Megatron accumulates weight gradients in fp32) */
const MAIN_GRAD_BYTES = 4;

/** Transformer Engine's FP8 recipe (NVIDIA TE docs, "Using FP8 with Transformer Engine"): every FP8 GEMM
 * input is cast from 16 bits to FP8 with its amax recorded, in training also transposed (the Hopper FP8 GEMM
 * takes only the TN layout, and the wgrad GEMM needs X^T and dY^T): read 2 bytes, write 1 (+1 transposed)
 * per element. Counted as its own kernel although TE fuses some casts into the LayerNorm / activation before
 * them (an upper bound on their cost). Not fp8: none. */
function fp8Cast(dev: Device, name: string, role: string, elements: number, transpose: boolean): Work[] {
  if (dev.precision !== 'fp8') return [];
  return [vec(`${name}.fp8-cast`, role, elements, 2, elements * (dev.actBytes + (transpose ? 2 : 1)))];
}

function gemm(dev: Device, name: string, role: string, M: number, K: number, N: number, weightScale = 1): Work {
  const e = dev.actBytes;
  return {
    name,
    role,
    kind: 'matrix',
    flops: 2 * M * K * N,
    bytes: (M * K + M * N) * e + K * N * dev.weightBytes * weightScale,
    gemm: { m: M, k: K, n: N, batch: 1 },
  };
}

/** Backward of Y = X W: dX = dY W^T (dgrad) and dW += X^T dY (wgrad, read-modify-write of the fp32 main grad).
 * Both read and write the same row-major tensors as the forward product, whose leading dimensions are K and N,
 * so they carry its shape (for the alignment rule; dgrad's rows are M too; wgrad's output is [K,N]). */
function gemmBackward(
  dev: Device,
  name: string,
  role: string,
  M: number,
  K: number,
  N: number,
  weightScale = 1,
): Work[] {
  const e = dev.actBytes;
  const shape = { m: M, k: K, n: N, batch: 1 };
  return [
    ...fp8Cast(dev, `${name}.dy`, role, M * N, true),
    {
      name: `${name}.dgrad`,
      role,
      kind: 'matrix',
      flops: 2 * M * K * N,
      bytes: (M * N + M * K) * e + K * N * dev.weightBytes * weightScale,
      gemm: { ...shape, reduce: N }, // dX = dY W^T reduces over N
    },
    {
      name: `${name}.wgrad`,
      role,
      kind: 'matrix',
      flops: 2 * M * K * N,
      bytes: (M * N + M * K) * e + 2 * K * N * MAIN_GRAD_BYTES * weightScale,
      gemm: { ...shape, m: K, reduce: M }, // dW = X^T dY reduces over the tokens
    },
  ];
}

/** The attention matmuls, batched over microbatch x heads: scores Q [sq,d] x K^T [d,skv] (leading dims d and
 * skv), context P [sq,skv] x V [skv,d] (leading dims skv and d). */
function scoresShape(x: BlockShape, aT: number) {
  return { m: x.sq, k: x.d, n: x.skv, batch: x.b * aT };
}
function contextShape(x: BlockShape, aT: number) {
  return { m: x.sq, k: x.skv, n: x.d, batch: x.b * aT };
}

function vec(name: string, role: string, elements: number, flopsPerElement: number, bytes: number): Work {
  return { name, role, kind: 'vector', flops: elements * flopsPerElement, bytes };
}

function tpComm(name: string, role: string, coll: Work['coll'], bytes: number, hideBehind?: string): Work {
  return { name, role, kind: 'comm', flops: 0, bytes, coll, group: 'tp', hideBehind };
}

/** Per-GPU sizes of one block under tensor parallelism t. */
function sizes(x: BlockShape) {
  const T = x.b * x.sq;
  const shard = x.sp ? x.t : 1;
  const aT = x.a / x.t;
  const gT = Math.max(1, x.g / x.t); // KV heads are replicated when t exceeds them
  const E = x.b * aT * x.sq * x.skv; // attention score elements
  const fUp = (x.gated ? 2 : 1) * x.f;
  return { T, shard, aT, gT, E, fUp, nH: (T * x.h) / shard, nF: (T * x.f) / x.t, S: T * x.h };
}

/** The fused attention kernel's FLOPs factor: a causal self-attention (query and key over the same sequence)
 * skips the score blocks above the diagonal (FlashAttention's causal path). */
function causalFactor(x: BlockShape): number {
  // with context parallelism each rank holds 1/cp of the queries, balanced over the causal triangle
  return x.causal && x.sq * x.cp === x.skv && x.skv > 1 ? 0.5 : 1;
}

/** Ring attention (context parallelism, Liu et al. 2023; Megatron-core / Transformer Engine): each of cp - 1
 * steps passes a K / V chunk to the next rank while the fused kernel works on the current one, so the exchange
 * hides behind the attention kernel as far as it lasts; the backward pass passes K, V and their gradients. */
function ringComm(dev: Device, x: BlockShape, gT: number, backward: boolean): Work[] {
  if (x.cp <= 1) return [];
  const chunk = 2 * x.b * gT * x.sq * x.d * dev.actBytes;
  return [
    {
      name: backward ? 'cp.ring.bwd' : 'cp.ring',
      role: 'scores',
      kind: 'comm',
      flops: 0,
      bytes: chunk * (backward ? 2 : 1) * (x.cp - 1),
      coll: 'p2p',
      group: 'cp',
      hideBehind: backward ? 'flash-attn.bwd' : 'flash-attn',
      overlap: 1,
    },
  ];
}

/** Sizes of the fused attention's HBM traffic: Q and O per query head, K and V per KV head; softmax
 * statistics (fp32 log-sum-exp per query row) for the backward pass. */
function flashSizes(x: BlockShape, aT: number, gT: number) {
  return { qo: x.b * aT * x.sq * x.d, kv: x.b * gT * x.skv * x.d, rows: x.b * aT * x.sq };
}

function attentionForward(dev: Device, x: BlockShape, aT: number, gT: number, E: number): Work[] {
  const e = dev.actBytes;
  const kvE = x.kvBytes ?? e;
  // read the new K, V in the activation precision, write them in the cache's (an fp8 cache quantises on append)
  const append: Work[] = x.kvAppend
    ? [vec('kv-append', 'scores', 2 * x.b * gT * x.sq * x.d, 1, 2 * x.b * gT * x.sq * x.d * (e + kvE))]
    : [];
  if (x.flash) {
    const { qo, kv, rows } = flashSizes(x, aT, gT);
    // decode (one query row): Flash-Decoding / FlashInfer split the KV length over thread blocks and combine
    // the partial results in a second, small kernel (Dao et al. 2023, "Flash-Decoding for long-context inference")
    const combine = x.sq === 1 ? [vec('flash-decode.combine', 'scores', qo, 4, 4 * qo * e)] : [];
    return [
      ...append,
      {
        name: 'flash-attn',
        role: 'scores',
        kind: 'matrix',
        flops: 4 * E * x.d * causalFactor(x),
        bytes: 2 * qo * e + 2 * kv * (x.kvAppend ? kvE : e) + (x.training ? rows * 4 : 0),
        // a single query row (decode) is a memory-bound pass over the KV cache: the tables apply
        efficiency: x.sq > 1 ? x.flashForward : undefined,
      },
      ...combine,
      ...ringComm(dev, x, gT, false),
    ];
  }
  const kvb = x.kvAppend ? kvE : e;
  const w: Work[] = [...append];
  w.push({
    name: 'scores',
    role: 'scores',
    kind: 'matrix',
    flops: 2 * E * x.d,
    bytes: (x.b * aT * x.sq * x.d + E) * e + x.b * gT * x.skv * x.d * kvb,
    gemm: scoresShape(x, aT),
  });
  w.push(vec('softmax', 'softmax', E, 5, 2 * E * e));
  if (x.training) w.push(vec('attn-dropout', 'softmax', E, 2, E * (2 * e + 1)));
  w.push({
    name: 'context',
    role: 'context',
    kind: 'matrix',
    flops: 2 * E * x.d,
    bytes: (E + x.b * aT * x.sq * x.d) * e + x.b * gT * x.skv * x.d * kvb,
    gemm: contextShape(x, aT),
  });
  return w;
}

/** A sequence-parallel collective next to a GEMM, overlapped with it as far as the stack does (userbuffers). */
function spComm(x: BlockShape, name: string, role: string, coll: Work['coll'], bytes: number, gemmName: string): Work {
  return { ...tpComm(name, role, coll, bytes, x.tpOverlap > 0 ? gemmName : undefined), overlap: x.tpOverlap };
}

/** A backward collective Megatron issues with a GEMM (async all-reduce / all-gather): hidden as far as the
 * fitted tpBackwardOverlap says, or the stack's overlap library if it does more. */
function bwdComm(
  dev: Device,
  x: BlockShape,
  name: string,
  role: string,
  coll: Work['coll'],
  bytes: number,
  gemmName: string,
): Work {
  return {
    ...tpComm(name, role, coll, bytes, gemmName),
    overlap: Math.max(dev.spec.efficiency.tpBackwardOverlap, x.tpOverlap),
  };
}

/** The expert MLP's weight traffic relative to k experts' (the MLP kernels are k experts wide): a microbatch reads
 * the weights of every expert one of its tokens is routed to, once (grouped GEMM). With uniform routing of the
 * T x ep tokens that reach this rank's E / ep experts, the expected number it touches is
 * (E / ep) (1 - (1 - k / E)^(T ep)): k at one decode token, all of them for a training microbatch. Dense: 1. */
export function expertWeightScale(x: BlockShape): number {
  const k = x.moeK ?? 0,
    E = x.experts ?? 0;
  if (k <= 0 || E <= 0) return 1;
  const ep = x.ep ?? 1;
  const tokens = x.b * x.sq * ep;
  const touched = (E / ep) * (1 - Math.pow(1 - Math.min(1, k / E), tokens));
  return touched / k;
}

/** Mixture of experts as Megatron-core's all-to-all token dispatcher runs it: the router GEMM and its top-k,
 * the tokens permuted into expert order (each token's hidden state copied k times), an all-to-all that sends them
 * to the ranks holding their experts (ep > 1), the expert GEMMs (the MLP kernels, k experts' work per token), an
 * all-to-all back and the un-permute that weights and sums the k results. The backward pass runs the two
 * all-to-alls on the gradients. Not overlapped with compute (Megatron-core 24.x; EP overlap came later). Each rank
 * sends (ep-1)/ep of its T k h e bytes (balanced routing). */
function moeDispatch(dev: Device, x: BlockShape, nH: number): { pre: Work[]; post: Work[] } {
  const k = x.moeK ?? 0;
  if (k <= 0) return { pre: [], post: [] };
  const e = dev.actBytes;
  const tokens = nH / x.h; // the tokens this rank holds (sequence-parallel: its share)
  const copies = tokens * k * x.h;
  const a2a = (name: string, role: string): Work[] =>
    (x.ep ?? 1) > 1 ? [{ name, role, kind: 'comm', flops: 0, bytes: copies * e, coll: 'all-to-all', group: 'ep' }] : [];
  const experts = x.experts ?? 0;
  return {
    pre: [
      ...(experts > 0 ? [gemm(dev, 'moe.router', 'up', tokens, x.h, experts)] : []),
      vec('moe.permute', 'up', copies, 1, 2 * copies * e),
      ...a2a('moe.dispatch', 'up'),
    ],
    post: [...a2a('moe.combine', 'down'), vec('moe.unpermute', 'down', copies, 2, 2 * copies * e)],
  };
}

export function blockForward(dev: Device, x: BlockShape): Work[] {
  const e = dev.actBytes;
  const { T, aT, gT, E, fUp, nH, nF, S } = sizes(x);
  const w: Work[] = [];
  const ln = (role: string) => vec(`${role}`, role, nH, 8, 2 * nH * e);
  const bda = (role: string) =>
    x.training
      ? vec(`${role}`, role, nH, 3, nH * (3 * e + 1)) // bias + dropout (1-byte mask) + residual add
      : vec(`${role}`, role, nH, 1, 3 * nH * e);
  const sp = x.sp && x.t > 1;
  w.push(ln('ln1'));
  if (sp) w.push(spComm(x, 'sp.all-gather', 'qkv', 'all-gather', S * e, 'qkv'));
  w.push(...fp8Cast(dev, 'qkv.x', 'qkv', T * x.h, x.training));
  w.push(gemm(dev, 'qkv', 'qkv', T, x.h, ((x.a + 2 * x.g) * x.d) / x.t));
  w.push(...attentionForward(dev, x, aT, gT, E));
  w.push(...fp8Cast(dev, 'oproj.x', 'oproj', (T * x.a * x.d) / x.t, x.training));
  w.push(gemm(dev, 'oproj', 'oproj', T, (x.a * x.d) / x.t, x.h));
  w.push(
    sp
      ? spComm(x, 'sp.reduce-scatter', 'oproj', 'reduce-scatter', S * e, 'oproj')
      : tpComm('tp.all-reduce', 'oproj', 'all-reduce', S * e),
  );
  w.push(bda('bda1'));
  w.push(ln('ln2'));
  if (sp) w.push(spComm(x, 'sp.all-gather', 'up', 'all-gather', S * e, 'up'));
  const moe = moeDispatch(dev, x, nH);
  w.push(...moe.pre);
  w.push(...fp8Cast(dev, 'up.x', 'up', T * x.h, x.training));
  const ws = expertWeightScale(x);
  w.push(gemm(dev, 'up', 'up', T, x.h, fUp / x.t, ws));
  w.push(x.gated ? vec('act', 'act', nF, 6, 3 * nF * e) : vec('act', 'act', nF, 8, 2 * nF * e));
  w.push(...fp8Cast(dev, 'down.x', 'down', nF, x.training));
  w.push(gemm(dev, 'down', 'down', T, x.f / x.t, x.h, ws));
  w.push(...moe.post);
  w.push(
    sp
      ? spComm(x, 'sp.reduce-scatter', 'down', 'reduce-scatter', S * e, 'down')
      : tpComm('tp.all-reduce', 'down', 'all-reduce', S * e),
  );
  w.push(bda('bda2'));
  return w;
}

function attentionBackward(dev: Device, x: BlockShape, aT: number, gT: number, E: number): Work[] {
  const e = dev.actBytes;
  if (x.flash) {
    // FlashAttention backward: recomputes the scores from Q, K and the saved log-sum-exp, then dV, dP, dQ, dK:
    // five matmuls of 2 E d FLOPs (the forward has two); reads Q, K, V, O, dO, writes dQ, dK, dV
    const { qo, kv, rows } = flashSizes(x, aT, gT);
    return [
      {
        name: 'flash-attn.bwd',
        role: 'scores',
        kind: 'matrix',
        flops: 10 * E * x.d * causalFactor(x),
        bytes: (4 * qo + 4 * kv) * e + rows * 8,
        efficiency: x.flashBackward,
      },
      ...ringComm(dev, x, gT, true),
    ];
  }
  const w: Work[] = [];
  // context = P V: dP = dO V^T, dV = P^T dO
  w.push({
    name: 'context.bwd',
    role: 'context',
    kind: 'matrix',
    flops: 4 * E * x.d,
    bytes: 2 * (E + x.b * gT * x.skv * x.d + x.b * aT * x.sq * x.d) * e,
    gemm: contextShape(x, aT),
  });
  if (x.training) w.push(vec('attn-dropout.bwd', 'softmax', E, 2, E * (2 * e + 1)));
  w.push(vec('softmax.bwd', 'softmax', E, 4, 3 * E * e));
  // scores = Q K^T: dQ = dS K, dK = dS^T Q
  w.push({
    name: 'scores.bwd',
    role: 'scores',
    kind: 'matrix',
    flops: 4 * E * x.d,
    bytes: 2 * (x.b * aT * x.sq * x.d + x.b * gT * x.skv * x.d + E) * e,
    gemm: scoresShape(x, aT),
  });
  return w;
}

export function blockBackward(dev: Device, x: BlockShape): Work[] {
  const e = dev.actBytes;
  const { T, aT, gT, E, fUp, nH, nF, S } = sizes(x);
  const sp = x.sp && x.t > 1;
  const w: Work[] = [];
  // reverse order of the forward pass
  w.push(vec('bda2.bwd', 'bda2', nH, 2, nH * (2 * e + 1)));
  if (sp) w.push(spComm(x, 'sp.all-gather.dy', 'down', 'all-gather', S * e, 'down.dgrad'));
  // MoE: the combine's backward sends the output gradients back to the experts, the dispatch's returns theirs
  const moe = moeDispatch(dev, x, nH);
  w.push(...moe.post.map((m) => ({ ...m, name: `${m.name}.bwd` })));
  const ws = expertWeightScale(x);
  w.push(...gemmBackward(dev, 'down', 'down', T, x.f / x.t, x.h, ws));
  w.push(x.gated ? vec('act.bwd', 'act', nF, 8, 5 * nF * e) : vec('act.bwd', 'act', nF, 12, 3 * nF * e));
  const upB = gemmBackward(dev, 'up', 'up', T, x.h, fUp / x.t, ws);
  w.push(...upB);
  w.push(
    ...moe.pre
      .filter((m) => m.kind !== 'matrix')
      .reverse()
      .map((m) => ({ ...m, name: `${m.name}.bwd` })),
  );
  if (sp) {
    w.push(bwdComm(dev, x, 'sp.all-gather.x', 'up', 'all-gather', S * e, 'up.dgrad')); // input re-gathered for wgrad, hidden behind dgrad
    w.push(bwdComm(dev, x, 'sp.reduce-scatter.dx', 'up', 'reduce-scatter', S * e, 'up.wgrad'));
  } else if (x.t > 1) w.push(bwdComm(dev, x, 'tp.all-reduce.dx', 'up', 'all-reduce', S * e, 'up.wgrad'));
  w.push(vec('ln2.bwd', 'ln2', nH, 12, 3 * nH * e));
  w.push(vec('bda1.bwd', 'bda1', nH, 2, nH * (2 * e + 1)));
  if (sp) w.push(spComm(x, 'sp.all-gather.dy', 'oproj', 'all-gather', S * e, 'oproj.dgrad'));
  w.push(...gemmBackward(dev, 'oproj', 'oproj', T, (x.a * x.d) / x.t, x.h));
  w.push(...attentionBackward(dev, x, aT, gT, E));
  const qkvB = gemmBackward(dev, 'qkv', 'qkv', T, x.h, ((x.a + 2 * x.g) * x.d) / x.t);
  w.push(...qkvB);
  if (sp) {
    w.push(bwdComm(dev, x, 'sp.all-gather.x', 'qkv', 'all-gather', S * e, 'qkv.dgrad'));
    w.push(bwdComm(dev, x, 'sp.reduce-scatter.dx', 'qkv', 'reduce-scatter', S * e, 'qkv.wgrad'));
  } else if (x.t > 1) w.push(bwdComm(dev, x, 'tp.all-reduce.dx', 'qkv', 'all-reduce', S * e, 'qkv.wgrad'));
  w.push(vec('ln1.bwd', 'ln1', nH, 12, 3 * nH * e));
  return w;
}

/** What activation recompute reruns before a block's backward pass. */
export function blockRecompute(dev: Device, x: BlockShape, mode: 'none' | 'selective' | 'full'): Work[] {
  if (mode === 'none') return [];
  const fwd = blockForward(dev, x).map((w) => ({
    ...w,
    name: `${w.name}.recompute`,
    hideBehind: w.hideBehind && `${w.hideBehind}.recompute`,
  }));
  if (mode === 'full') return fwd;
  // selective (Korthikanti §5): only the attention core (scores, softmax, dropout, context); with fused
  // attention Megatron-core still checkpoints the core attention module, so the fused kernel runs again
  return fwd.filter((w) => w.role === 'scores' || w.role === 'softmax' || w.role === 'context');
}

/** Token (+ position) embedding on the first stage; vocab-parallel, so its output is all-reduced over TP. */
export function embeddingForward(dev: Device, x: BlockShape, positional: boolean): Work[] {
  const e = dev.actBytes;
  const { T, S, nH } = sizes(x);
  const w: Work[] = [vec('embed.gather', 'embed', T * x.h, 0, 2 * T * x.h * e)];
  if (x.t > 1)
    w.push(
      x.sp
        ? tpComm('embed.reduce-scatter', 'embed', 'reduce-scatter', S * e)
        : tpComm('embed.all-reduce', 'embed', 'all-reduce', S * e),
    );
  if (positional) w.push(vec('embed.position', 'embed', nH, 1, 3 * nH * e));
  if (x.training) w.push(vec('embed.dropout', 'embed', nH, 2, nH * (2 * e + 1)));
  return w;
}

export function embeddingBackward(dev: Device, x: BlockShape): Work[] {
  const e = dev.actBytes;
  const { T } = sizes(x);
  // scatter-add of the output gradient into the fp32 gradient rows
  return [vec('embed.bwd', 'embed', T * x.h, 1, T * x.h * (e + 2 * MAIN_GRAD_BYTES))];
}

/** Vocabulary rows of one tensor-parallel rank: whole rows, ceil(V / t) (Megatron's VocabParallelEmbedding pads
 * the vocabulary to a multiple of t, vLLM's to a multiple of 64 per rank; a fraction of a row is no shape). */
export function vocabShard(x: { vocab: number; t: number }): number {
  return Math.ceil(x.vocab / x.t);
}

/** Final norm, LM head (vocab split t ways) and, when training, Megatron's vocab-parallel cross-entropy. */
export function headForward(dev: Device, x: BlockShape): Work[] {
  const e = dev.actBytes;
  const { T, nH, S } = sizes(x);
  const nV = T * vocabShard(x);
  const w: Work[] = [vec('final-norm', 'final-norm', nH, 8, 2 * nH * e)];
  if (x.sp && x.t > 1) w.push(tpComm('sp.all-gather', 'lm-head', 'all-gather', S * e));
  w.push(gemm(dev, 'lm-head', 'lm-head', T, x.h, vocabShard(x)));
  if (x.training) {
    // logits cast to fp32, max, exp/sum, loss: about four fp32 passes over the vocab shard
    w.push(vec('cross-entropy', 'lm-head', nV, 6, nV * (e + 4 * 4)));
    if (x.t > 1) w.push(tpComm('cross-entropy.all-reduce', 'lm-head', 'all-reduce', 3 * T * 4));
  }
  return w;
}

export function headBackward(dev: Device, x: BlockShape): Work[] {
  const e = dev.actBytes;
  const { T, nH, S } = sizes(x);
  const nV = T * vocabShard(x);
  const w: Work[] = [vec('cross-entropy.bwd', 'lm-head', nV, 2, nV * (4 + e))];
  w.push(...gemmBackward(dev, 'lm-head', 'lm-head', T, x.h, vocabShard(x)));
  if (x.t > 1)
    w.push(
      x.sp
        ? tpComm('lm-head.reduce-scatter.dx', 'lm-head', 'reduce-scatter', S * e, 'lm-head.wgrad')
        : tpComm('lm-head.all-reduce.dx', 'lm-head', 'all-reduce', S * e, 'lm-head.wgrad'),
    );
  w.push(vec('final-norm.bwd', 'final-norm', nH, 12, 3 * nH * e));
  return w;
}

/** Activation bytes one block keeps for its backward pass (Korthikanti et al. 2022 §4, Table 2,
 * generalised to any FFN width, gated MLPs and grouped KV heads; 16-bit activations, 1-byte dropout masks). */
export function blockActivationBytes(
  x: BlockShape,
  recompute: 'none' | 'selective' | 'full',
  e: number,
): { stored: number; working: number } {
  const s = x.sq,
    b = x.b,
    h = x.h,
    t = x.t;
  const sp = x.sp && t > 1;
  const shard = sp ? t : 1;
  const sbh = s * b * h;
  // replicated across TP ranks unless sequence parallel: two norm inputs, the QKV input, the MLP input and
  // two 1-byte dropout masks (10 sbh for 16-bit activations)
  const norms = 2 * e * sbh; // two LayerNorm inputs
  const qkvIn = e * sbh;
  const mlpIn = e * sbh;
  const masks = x.training ? 2 * sbh : 0;
  const rep = (norms + qkvIn + mlpIn + masks) / shard;
  // split t ways: Q, K, V, the output projection input; the MLP activations; the attention core
  const q = e * s * b * x.a * x.d,
    kv = 2 * e * s * b * x.g * x.d,
    oIn = e * s * b * x.a * x.d;
  const mlp = e * s * b * x.f * (x.gated ? 3 : 2);
  // unfused: softmax output, dropout mask, dropout output (5 a s^2 b); fused: only the fp32 log-sum-exp per
  // query row (the scores are recomputed in the backward kernel; dropout keeps its RNG state, not a mask)
  const core = x.flash ? b * x.a * s * 4 : b * x.a * s * x.skv * (x.training ? 2 * e + 1 : e);
  const par = (q + kv + oIn + mlp) / t;
  const coreT = core / t;
  const full = rep + par + coreT;
  if (recompute === 'full') return { stored: (e * sbh) / shard, working: full };
  if (recompute === 'selective') return { stored: rep + par, working: coreT };
  return { stored: full, working: 0 };
}
