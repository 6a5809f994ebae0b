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
  sq: number;
  skv: number;
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
}

/** bytes per element of an fp32 main gradient (Megatron accumulates weight gradients in fp32) */
const MAIN_GRAD_BYTES = 4;

function gemm(dev: Device, name: string, role: string, M: number, K: number, N: number): Work {
  const e = dev.actBytes;
  return {
    name,
    role,
    kind: 'matrix',
    flops: 2 * M * K * N,
    bytes: (M * K + M * N) * e + K * N * dev.weightBytes,
    gemm: { m: M, k: K, n: N, batch: 1 },
  };
}

/** Backward of Y = X W: dX = dY W^T (dgrad) and dW += X^T dY (wgrad, read-modify-write of the fp32 main grad).
 * Both read and write the same row-major tensors as the forward product, whose leading dimensions are K and N,
 * so they carry its shape (for the alignment rule; dgrad's rows are M too; wgrad's output is [K,N]). */
function gemmBackward(dev: Device, name: string, role: string, M: number, K: number, N: number): Work[] {
  const e = dev.actBytes;
  const shape = { m: M, k: K, n: N, batch: 1 };
  return [
    {
      name: `${name}.dgrad`,
      role,
      kind: 'matrix',
      flops: 2 * M * K * N,
      bytes: (M * N + M * K) * e + K * N * dev.weightBytes,
      gemm: shape,
    },
    {
      name: `${name}.wgrad`,
      role,
      kind: 'matrix',
      flops: 2 * M * K * N,
      bytes: (M * N + M * K) * e + 2 * K * N * MAIN_GRAD_BYTES,
      gemm: { ...shape, m: K },
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

export function blockForward(dev: Device, x: BlockShape): Work[] {
  const e = dev.actBytes;
  const { T, aT, gT, E, fUp, nH, nF, S } = sizes(x);
  const w: Work[] = [];
  const ln = (role: string) => vec(`${role}`, role, nH, 8, 2 * nH * e);
  const bda = (role: string) =>
    x.training
      ? vec(`${role}`, role, nH, 3, nH * (3 * e + 1)) // bias + dropout (1-byte mask) + residual add
      : vec(`${role}`, role, nH, 1, 3 * nH * e);
  w.push(ln('ln1'));
  if (x.sp && x.t > 1) w.push(tpComm('sp.all-gather', 'qkv', 'all-gather', S * e));
  w.push(gemm(dev, 'qkv', 'qkv', T, x.h, ((x.a + 2 * x.g) * x.d) / x.t));
  w.push({
    name: 'scores',
    role: 'scores',
    kind: 'matrix',
    flops: 2 * E * x.d,
    bytes: (x.b * aT * x.sq * x.d + x.b * gT * x.skv * x.d + E) * e,
    gemm: scoresShape(x, aT),
  });
  w.push(vec('softmax', 'softmax', E, 5, 2 * E * e));
  if (x.training) w.push(vec('attn-dropout', 'softmax', E, 2, E * (2 * e + 1)));
  w.push({
    name: 'context',
    role: 'context',
    kind: 'matrix',
    flops: 2 * E * x.d,
    bytes: (E + x.b * gT * x.skv * x.d + x.b * aT * x.sq * x.d) * e,
    gemm: contextShape(x, aT),
  });
  w.push(gemm(dev, 'oproj', 'oproj', T, (x.a * x.d) / x.t, x.h));
  w.push(
    x.sp && x.t > 1
      ? tpComm('sp.reduce-scatter', 'oproj', 'reduce-scatter', S * e)
      : tpComm('tp.all-reduce', 'oproj', 'all-reduce', S * e),
  );
  w.push(bda('bda1'));
  w.push(ln('ln2'));
  if (x.sp && x.t > 1) w.push(tpComm('sp.all-gather', 'up', 'all-gather', S * e));
  w.push(gemm(dev, 'up', 'up', T, x.h, fUp / x.t));
  w.push(x.gated ? vec('act', 'act', nF, 6, 3 * nF * e) : vec('act', 'act', nF, 8, 2 * nF * e));
  w.push(gemm(dev, 'down', 'down', T, x.f / x.t, x.h));
  w.push(
    x.sp && x.t > 1
      ? tpComm('sp.reduce-scatter', 'down', 'reduce-scatter', S * e)
      : tpComm('tp.all-reduce', 'down', 'all-reduce', S * e),
  );
  w.push(bda('bda2'));
  return w;
}

export function blockBackward(dev: Device, x: BlockShape): Work[] {
  const e = dev.actBytes;
  const { T, aT, gT, E, fUp, nH, nF, S } = sizes(x);
  const sp = x.sp && x.t > 1;
  const w: Work[] = [];
  // reverse order of the forward pass
  w.push(vec('bda2.bwd', 'bda2', nH, 2, nH * (2 * e + 1)));
  if (sp) w.push(tpComm('sp.all-gather.dy', 'down', 'all-gather', S * e));
  w.push(...gemmBackward(dev, 'down', 'down', T, x.f / x.t, x.h));
  w.push(x.gated ? vec('act.bwd', 'act', nF, 8, 5 * nF * e) : vec('act.bwd', 'act', nF, 12, 3 * nF * e));
  const upB = gemmBackward(dev, 'up', 'up', T, x.h, fUp / x.t);
  w.push(...upB);
  if (sp) {
    w.push(tpComm('sp.all-gather.x', 'up', 'all-gather', S * e, 'up.dgrad')); // input re-gathered for wgrad, hidden behind dgrad
    w.push(tpComm('sp.reduce-scatter.dx', 'up', 'reduce-scatter', S * e, 'up.wgrad'));
  } else if (x.t > 1) w.push(tpComm('tp.all-reduce.dx', 'up', 'all-reduce', S * e, 'up.wgrad'));
  w.push(vec('ln2.bwd', 'ln2', nH, 12, 3 * nH * e));
  w.push(vec('bda1.bwd', 'bda1', nH, 2, nH * (2 * e + 1)));
  if (sp) w.push(tpComm('sp.all-gather.dy', 'oproj', 'all-gather', S * e));
  w.push(...gemmBackward(dev, 'oproj', 'oproj', T, (x.a * x.d) / x.t, x.h));
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
  const qkvB = gemmBackward(dev, 'qkv', 'qkv', T, x.h, ((x.a + 2 * x.g) * x.d) / x.t);
  w.push(...qkvB);
  if (sp) {
    w.push(tpComm('sp.all-gather.x', 'qkv', 'all-gather', S * e, 'qkv.dgrad'));
    w.push(tpComm('sp.reduce-scatter.dx', 'qkv', 'reduce-scatter', S * e, 'qkv.wgrad'));
  } else if (x.t > 1) w.push(tpComm('tp.all-reduce.dx', 'qkv', 'all-reduce', S * e, 'qkv.wgrad'));
  w.push(vec('ln1.bwd', 'ln1', nH, 12, 3 * nH * e));
  return w;
}

/** What activation recompute reruns before a block's backward pass. */
export function blockRecompute(dev: Device, x: BlockShape, mode: 'none' | 'selective' | 'full'): Work[] {
  if (mode === 'none') return [];
  const fwd = blockForward(dev, x).map((w) => ({ ...w, name: `${w.name}.recompute` }));
  if (mode === 'full') return fwd;
  // selective (Korthikanti §5): only the attention core (scores, softmax, dropout, context)
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

/** Final norm, LM head (vocab split t ways) and, when training, Megatron's vocab-parallel cross-entropy. */
export function headForward(dev: Device, x: BlockShape): Work[] {
  const e = dev.actBytes;
  const { T, nH, S } = sizes(x);
  const nV = (T * x.vocab) / x.t;
  const w: Work[] = [vec('final-norm', 'final-norm', nH, 8, 2 * nH * e)];
  if (x.sp && x.t > 1) w.push(tpComm('sp.all-gather', 'lm-head', 'all-gather', S * e));
  w.push(gemm(dev, 'lm-head', 'lm-head', T, x.h, x.vocab / x.t));
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
  const nV = (T * x.vocab) / x.t;
  const w: Work[] = [vec('cross-entropy.bwd', 'lm-head', nV, 2, nV * (4 + e))];
  w.push(...gemmBackward(dev, 'lm-head', 'lm-head', T, x.h, x.vocab / x.t));
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
  const core = b * x.a * s * x.skv * (x.training ? 2 * e + 1 : e); // softmax output, dropout mask, dropout output
  const par = (q + kv + oIn + mlp) / t;
  const coreT = core / t;
  const full = rep + par + coreT;
  if (recompute === 'full') return { stored: (e * sbh) / shard, working: full };
  if (recompute === 'selective') return { stored: rep + par, working: coreT };
  return { stored: full, working: 0 };
}
