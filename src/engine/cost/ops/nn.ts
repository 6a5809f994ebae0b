// Costs of the nn family (docs/COSTS.md "## nn"). FLOPs count 2 per multiply-add.
//  Conv family: 2 * N * Cout * prod(out spatial) * (Cin/group) * prod(kernel), + 1 per output element for a bias.
//  ConvTranspose: the same products counted over the input positions: 2 * N * Cin * prod(in spatial) * (Cout/group) * prod(kernel).
//  MatMul: 2 * M * N * K per batch; Gemm adds the alpha/beta/C terms per output element.
//  Einsum: (operands - 1) multiplies per point of the full index space, + 1 add per point when some index is contracted
//          (two operands with a contraction: 2 * product of all index extents).
//  Pooling: kernel-size compares/adds per output element (+ 1 divide for averages).
//  Attention: the two matmuls (QK^T, PV) + 5 per score for softmax + the per-score scale/mask/softcap terms.
import type { Dim } from '../../onnx/ir';
import { attrFloat, attrInt, attrInts, attrString } from '../../onnx/ir';
import { RuleList } from '../../opTable';
import type { CostFn } from '../types';
import { inElems, outElems, type CostCtx, type NumTensor, type OpCost } from '../types';
import { einsumDims } from '../../shapes/ops/nn/matmul';
import { valuesPerElement } from '../../onnx/quantized';
import { mhaDims } from '../../shapes/ops/nn/attention';

/** This family's cost rules (cost/ops/index.ts builds the table). */
const rules = new RuleList<CostFn>();

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
const dimsOf = (t: NumTensor | undefined) => t?.dims ?? [];
const has = (ctx: CostCtx, i: number) => !!ctx.node.inputs[i] && ctx.inputs[i] !== undefined;

// Per-element FLOPs of helpers used below (the same numbers as the elementwise family's table).
const SIGMOID = 4; // 1/(1+exp(-x))
const SILU = SIGMOID + 1; // x * sigmoid(x)
const TANH = 5;
const BILINEAR = 7; // 4 weights x values (4 multiplies) + 3 adds
const SOFTMAX = 5; // max, subtract, exp, sum, divide (the reduce family's Softmax)

/** MACs of a Conv-style node: output elements x (Cin/group) x prod(kernel) = outElems x prod(W.dims[1:]). */
function convMacs(ctx: CostCtx, wi: number): number {
  const w = dimsOf(ctx.inputs[wi]);
  return outElems(ctx) * prod(w.slice(1));
}

rules.add('Conv', (ctx) => ({ flops: 2 * convMacs(ctx, 1) + (has(ctx, 2) ? outElems(ctx) : 0) }));

// Zero points are subtracted once per input/weight element in real kernels; counted as part of the MAC here.
rules.add('ConvInteger', (ctx) => ({ flops: 2 * convMacs(ctx, 1) }));

// QLinearConv: integer MACs + bias add + requantization (scale multiply, zero-point add) per output element.
rules.add('QLinearConv', (ctx) => ({
  flops: 2 * convMacs(ctx, 3) + (has(ctx, 8) ? outElems(ctx) : 0) + 2 * outElems(ctx),
}));

// DeformConv: Conv MACs + one bilinear sample per (output position, input channel, kernel point),
// + 1 multiply per sample for the optional mask, + bias.
rules.add('DeformConv', (ctx) => {
  const macs = convMacs(ctx, 1);
  const group = attrInt(ctx.node, 'group', 1);
  const w = dimsOf(ctx.inputs[1]);
  const cout = w[0] ?? 1;
  // samples = N * prod(out) * Cin * prod(k) = macs * group / Cout (each sample feeds Cout/group MACs)
  const samples = cout > 0 ? (macs * group) / cout : 0;
  return { flops: 2 * macs + samples * (BILINEAR + (has(ctx, 4) ? 1 : 0)) + (has(ctx, 3) ? outElems(ctx) : 0) };
});

// ConvTranspose: every input element is multiplied into a (Cout/group) x prod(kernel) patch; + bias per output.
rules.add('ConvTranspose', (ctx) => {
  const w = dimsOf(ctx.inputs[1]);
  return { flops: 2 * inElems(ctx, 0) * prod(w.slice(1)) + (has(ctx, 2) ? outElems(ctx) : 0) };
});

// CausalConvWithState: depthwise causal conv, 2 * B * C * L * K, + bias, + SiLU (5 per output) when activation="silu".
const causalConvCost = (ctx: CostCtx): OpCost => {
  const act = attrString(ctx.node, 'activation', 'none');
  return {
    flops:
      2 * convMacs(ctx, 1) +
      (has(ctx, 2) ? outElems(ctx) : 0) +
      (act === 'silu' || act === 'swish' ? SILU * outElems(ctx) : 0),
  };
};
rules.add('CausalConvWithState', causalConvCost);
rules.add('CausalConvWithState', causalConvCost, 'com.microsoft');

// ---- pooling ----

/** kernel size (product of kernel_shape) */
const kernelSize = (ctx: CostCtx) => prod(attrInts(ctx.node, 'kernel_shape') ?? []);

// MaxPool: kernel-size compares per output; AveragePool: kernel-size adds + 1 divide; LpPool: |x|^p and add per
// window element (2) + one p-th root per output.
rules.add('MaxPool', (ctx) => ({ flops: outElems(ctx) * kernelSize(ctx) }));
rules.add('AveragePool', (ctx) => ({ flops: outElems(ctx) * (kernelSize(ctx) + 1) }));
rules.add('LpPool', (ctx) => ({ flops: outElems(ctx) * (2 * kernelSize(ctx) + 1) }));
// Global pools: one add/compare per input element (+ 1 divide or root per output for the average/Lp forms).
rules.add('GlobalMaxPool', (ctx) => ({ flops: inElems(ctx) }));
rules.add('GlobalAveragePool', (ctx) => ({ flops: inElems(ctx) + outElems(ctx) }));
rules.add('GlobalLpPool', (ctx) => ({ flops: 2 * inElems(ctx) + outElems(ctx) }));
// MaxUnpool scatters values into a zeroed output: data movement only.
rules.add('MaxUnpool', () => ({ flops: 0 }));
// MaxRoiPool: the bin size depends on the ROI values (data); counted as 1 compare per input element
// covered once per ROI is unknowable, so 1 FLOP per output element with a note.
rules.add('MaxRoiPool', (ctx) => ({
  flops: outElems(ctx),
  note: 'MaxRoiPool: bin sizes depend on ROI values; 1 FLOP per output element',
}));
// RoiAlign: sampling_ratio^2 bilinear samples per output bin (adaptive sampling_ratio=0 taken as 2x2, the
// common case), each 7 FLOPs, + 1 add/compare per sample to average or max them.
rules.add('RoiAlign', (ctx) => {
  const sr = attrInt(ctx.node, 'sampling_ratio', 0);
  const samples = (sr > 0 ? sr : 2) ** 2;
  return {
    flops: outElems(ctx) * samples * (BILINEAR + 1),
    note: sr > 0 ? undefined : 'adaptive sampling_ratio: 2x2 samples per bin assumed',
  };
});

// ---- matrix products ----

/** K of a MatMul: A's last dim (A 1-D: its only dim). */
const matmulK = (ctx: CostCtx, ai: number) => {
  const a = dimsOf(ctx.inputs[ai]);
  return a.length ? a[a.length - 1] : 0;
};

rules.add('MatMul', (ctx) => ({ flops: 2 * outElems(ctx) * matmulK(ctx, 0) }));
rules.add('MatMulInteger', (ctx) => ({ flops: 2 * outElems(ctx) * matmulK(ctx, 0) }));
// QLinearMatMul: integer MACs + requantization (scale multiply, zero-point add) per output element.
rules.add('QLinearMatMul', (ctx) => ({ flops: 2 * outElems(ctx) * matmulK(ctx, 0) + 2 * outElems(ctx) }));
rules.add(
  'FusedMatMul',
  (ctx) => {
    const a = dimsOf(ctx.inputs[0]);
    const k = attrInt(ctx.node, 'transA', 0) && a.length >= 2 ? a[a.length - 2] : (a[a.length - 1] ?? 0);
    return { flops: 2 * outElems(ctx) * k + (attrFloat(ctx.node, 'alpha', 1) !== 1 ? outElems(ctx) : 0) };
  },
  'com.microsoft',
);
rules.add(
  ['MatMulIntegerToFloat', 'DynamicQuantizeMatMul'],
  (ctx) => ({ flops: 2 * outElems(ctx) * matmulK(ctx, 0) + outElems(ctx) }),
  'com.microsoft',
);
// MatMulNBits: MACs + dequantizing each weight once (subtract zero point, multiply scale: 2 per weight).
rules.add(
  'MatMulNBits',
  (ctx) => {
    const k = attrInt(ctx.node, 'K', 0),
      n = attrInt(ctx.node, 'N', 0);
    return { flops: 2 * outElems(ctx) * k + 2 * k * n };
  },
  'com.microsoft',
);

// Gemm: 2*M*N*K, + M*N to scale by alpha when alpha != 1, + M*N to add C (+ M*N more when beta != 1).
rules.add('Gemm', (ctx) => {
  const a = dimsOf(ctx.inputs[0]);
  const k = attrInt(ctx.node, 'transA', 0) ? (a[0] ?? 0) : (a[1] ?? 0);
  const mn = outElems(ctx);
  const alpha = attrFloat(ctx.node, 'alpha', 1),
    beta = attrFloat(ctx.node, 'beta', 1);
  const cTerms = has(ctx, 2) && beta !== 0 ? mn * (beta !== 1 ? 2 : 1) : 0;
  return { flops: 2 * mn * k + (alpha !== 1 ? mn : 0) + cTerms };
});

// Einsum: the product over every index (output and contracted) of its extent, times (operands - 1) multiplies,
// + 1 add per point when some index is summed away. A pure transpose/diagonal costs 0.
rules.add('Einsum', (ctx) => {
  const eq = attrString(ctx.node, 'equation', '');
  const dims: (Dim[] | null)[] = ctx.node.inputs.map((_, i) => ctx.inputs[i]?.dims ?? null);
  let r: ReturnType<typeof einsumDims> = null;
  try {
    r = einsumDims(
      (m) => {
        throw new Error(m);
      },
      eq,
      dims,
    );
  } catch {
    return { flops: outElems(ctx), note: 'Einsum equation could not be parsed: 1 FLOP per output element' };
  }
  if (!r) return { flops: outElems(ctx) };
  const ext = [...r.extents.values()].map((d) => (typeof d === 'number' ? d : 1));
  const points = prod(ext) * prod(r.ellipsis.map((d) => (typeof d === 'number' ? d : 1)));
  const outLabels = new Set(r.outLabels);
  const contracted = [...r.extents.keys()].some((l) => !outLabels.has(l));
  const operands = ctx.node.inputs.length;
  return { flops: points * (operands - 1 + (contracted ? 1 : 0)) };
});

// ---- quantization ----
// QuantizeLinear: divide by scale, round, add zero point, saturate = 4 per element.
rules.add('QuantizeLinear', (ctx) => ({ flops: 4 * outElems(ctx) }));
rules.add('QuantizeLinear', (ctx) => ({ flops: 4 * outElems(ctx) }), 'com.microsoft');
// DequantizeLinear: subtract zero point, multiply by scale = 2 per element.
rules.add('DequantizeLinear', (ctx) => ({ flops: 2 * outElems(ctx) }));
rules.add('DequantizeLinear', (ctx) => ({ flops: 2 * outElems(ctx) }), 'com.microsoft');
// DynamicQuantizeLinear: min and max over x (2 per element) + quantize (4 per element).
rules.add('DynamicQuantizeLinear', (ctx) => ({ flops: 6 * inElems(ctx) }));

// ---- attention ----

interface AttnDims {
  b: number;
  hq: number;
  sq: number;
  dk: number;
  hkv: number;
  t: number;
  dv: number;
}

/** Numeric per-head dims of an Attention-style node from Q/K/V (3-D [B,S,H*d] or 4-D [B,H,S,d]) and the total KV length. */
function attnDims(
  ctx: CostCtx,
  qHeads: number | undefined,
  kvHeads: number | undefined,
  total: number | undefined,
): AttnDims {
  const q = dimsOf(ctx.inputs[0]),
    k = dimsOf(ctx.inputs[1]),
    v = dimsOf(ctx.inputs[2]);
  const split = (d: number[], h: number | undefined) =>
    d.length === 4
      ? { b: d[0], h: d[1], s: d[2], d: d[3] }
      : { b: d[0] ?? 1, h: h ?? 1, s: d[1] ?? 1, d: (d[2] ?? 1) / (h ?? 1) };
  const Q = split(q, qHeads),
    K = split(k, kvHeads),
    V = split(v, kvHeads);
  return { b: Q.b, hq: Q.h, sq: Q.s, dk: Q.d, hkv: K.h, t: total ?? K.s, dv: V.d };
}

/** Two matmuls + softmax + per-score extras (each `perScore` FLOPs). */
function attnFlops(a: AttnDims, perScore: number): number {
  const scores = a.b * a.hq * a.sq * a.t;
  return 2 * scores * a.dk + 2 * scores * a.dv + SOFTMAX * scores + perScore * scores;
}

// Attention (opset 23/24): scale 1/score; + 1/score for an additive mask or causal mask; softcap
// c*tanh(s/c) = 2 + tanh(5) per score. The total KV length is past + new (present_key's seq dim).
rules.add('Attention', (ctx) => {
  const past = ctx.node.inputs[4] ? ctx.inputs[4]?.dims : undefined;
  const k = dimsOf(ctx.inputs[1]);
  const kSeq = k.length === 4 ? k[2] : (k[1] ?? 1);
  const total = past && past.length === 4 ? past[2] + kSeq : kSeq;
  const a = attnDims(ctx, attrInt(ctx.node, 'q_num_heads'), attrInt(ctx.node, 'kv_num_heads'), total);
  const masked = has(ctx, 3) || attrInt(ctx.node, 'is_causal', 0) !== 0;
  const softcap = attrFloat(ctx.node, 'softcap', 0) !== 0;
  return { flops: attnFlops(a, 1 + (masked ? 1 : 0) + (softcap ? 2 + TANH : 0)) };
});

// FlexAttention: matmuls + softmax + scale, + the FLOPs of the score_mod / prob_mod subgraphs as inferred on the full scores tensor.
rules.add(
  'FlexAttention',
  (ctx) => {
    const a = attnDims(ctx, undefined, undefined, undefined);
    const mods = (ctx.subgraphFlops('score_mod') ?? 0) + (ctx.subgraphFlops('prob_mod') ?? 0);
    return { flops: attnFlops(a, 1) + mods };
  },
  'ai.onnx.preview',
);

// com.microsoft MultiHeadAttention / GroupQueryAttention: matmuls + softmax + scale (+ mask 1/score when given).
rules.add(
  'MultiHeadAttention',
  (ctx) => {
    const n = attrInt(ctx.node, 'num_heads', 1);
    const opt = (i: number) => (has(ctx, i) ? ctx.inputs[i]?.dims : undefined);
    const m = mhaDims(ctx.inputs[0]?.dims, opt(1), opt(2), n);
    const num = (d: Dim | undefined, dflt = 1) => (typeof d === 'number' ? d : dflt);
    if (!m) return { flops: outElems(ctx), note: 'query/key layout not recognised: 1 FLOP per output element' };
    const past = opt(6);
    const kv = num(m.kvLen);
    const t = m.precomputed ? kv : past && past.length === 4 ? past[2] + kv : kv;
    const a = { b: num(m.b), hq: num(m.heads), sq: num(m.s), dk: num(m.dk), hkv: num(m.heads), t, dv: num(m.dv) };
    const masked = has(ctx, 4) || has(ctx, 5) || attrInt(ctx.node, 'unidirectional', 0) !== 0;
    return { flops: attnFlops(a, 1 + (masked ? 1 : 0)), note: `attention over ${t} keys per query` };
  },
  'com.microsoft',
);
rules.add(
  'GroupQueryAttention',
  (ctx) => {
    const hq = attrInt(ctx.node, 'num_heads', 1),
      hkv = attrInt(ctx.node, 'kv_num_heads', 1);
    const q = dimsOf(ctx.inputs[0]);
    const packed = !ctx.node.inputs[1];
    const d = (q[2] ?? 1) / (packed ? hq + 2 * hkv : hq);
    const pk = ctx.outputs[1]?.dims;
    const total = pk && pk.length === 4 ? pk[2] : (q[1] ?? 1);
    // a sliding window (local_window_size > 0) limits each query to that many keys
    const win = attrInt(ctx.node, 'local_window_size', -1);
    const t = win > 0 ? Math.min(total, win) : total;
    const [b, sq] = [q[0] ?? 1, q[1] ?? 1];
    // do_rotary: RotaryEmbedding on Q and the new K inside the op (3 per rotated element)
    const rotary = attrInt(ctx.node, 'do_rotary', 0) ? 3 * b * sq * (hq + hkv) * d : 0;
    const notes = [
      `attention over ${t} keys per query${win > 0 && win < total ? ` (sliding window ${win} of ${total})` : ' (past + new)'}`,
    ];
    if (rotary) notes.push('rotary embedding on Q and K included');
    return {
      flops: attnFlops({ b, hq, sq, dk: d, hkv, t, dv: d }, 2) + rotary,
      note: notes.join('; '),
    };
  },
  'com.microsoft',
);

// RotaryEmbedding: x1*cos - x2*sin and x1*sin + x2*cos = 3 FLOPs per rotated element (2 multiplies, 1 add);
// the rotated share of each head is rotary_embedding_dim / head_size (all of it when the attribute is 0).
const rotaryCost = (ctx: CostCtx): OpCost => {
  const x = dimsOf(ctx.inputs[0]);
  const heads = attrInt(ctx.node, 'num_heads', 0);
  const head = x.length === 4 ? x[3] : heads > 0 ? (x[x.length - 1] ?? 1) / heads : undefined;
  const rot = attrInt(ctx.node, 'rotary_embedding_dim', 0);
  const share = rot > 0 && head ? Math.min(1, rot / head) : 1;
  return { flops: 3 * outElems(ctx) * share };
};
rules.add('RotaryEmbedding', rotaryCost);
rules.add('RotaryEmbedding', rotaryCost, 'com.microsoft');

// LinearAttention (recurrent form, per token and head, state S of dk x dv):
//   linear: S += k^T v (2 dk dv); gated: S = g*S + k^T v (3 dk dv);
//   delta: v' = k S (2 dk dv), u = beta*(v - v') (2 dv), S += k^T u (2 dk dv); gated_delta: + g*S (dk dv);
//   output o = (scale*q) S per query head: 2 dk dv + dk.
rules.add('LinearAttention', (ctx) => {
  const hq = attrInt(ctx.node, 'q_num_heads'),
    hkv = attrInt(ctx.node, 'kv_num_heads');
  const a = attnDims(ctx, hq, hkv, undefined);
  const rule = attrString(ctx.node, 'update_rule', 'gated_delta');
  const dkdv = a.dk * a.dv;
  const update =
    rule === 'linear'
      ? 2 * dkdv
      : rule === 'gated'
        ? 3 * dkdv
        : rule === 'delta'
          ? 4 * dkdv + 2 * a.dv
          : 5 * dkdv + 2 * a.dv;
  const tokens = a.b * a.sq;
  return { flops: tokens * (a.hkv * update + a.hq * (2 * dkdv + a.dk)) };
});

// SwiGLU: silu(a) * b = SiLU (5) + 1 multiply per output element.
rules.add('SwiGLU', (ctx) => ({ flops: (SILU + 1) * outElems(ctx) }));

// com.microsoft Attention: the QKV projection 2*B*S*Din*(Hq+Hk+Hv) + its bias, then the attention core
// as above with N heads (mask term when mask_index or unidirectional is set).
rules.add(
  'Attention',
  (ctx) => {
    const x = dimsOf(ctx.inputs[0]),
      w = dimsOf(ctx.inputs[1]);
    const n = attrInt(ctx.node, 'num_heads', 1);
    const sizes = attrInts(ctx.node, 'qkv_hidden_sizes');
    const [b, s, din] = [x[0] ?? 1, x[1] ?? 1, x[2] ?? 1];
    const wOut = w[1] ?? 0;
    const [hq, , hv] = sizes && sizes.length === 3 ? sizes : [wOut / 3, wOut / 3, wOut / 3];
    const pk = ctx.outputs[1]?.dims;
    const t = pk && pk.length === 5 ? pk[3] : s;
    const proj = 2 * b * s * din * wOut + (has(ctx, 2) ? b * s * wOut : 0);
    const masked = has(ctx, 3) || attrInt(ctx.node, 'unidirectional', 0) !== 0;
    return { flops: proj + attnFlops({ b, hq: n, sq: s, dk: hq / n, hkv: n, t, dv: hv / n }, 1 + (masked ? 1 : 0)) };
  },
  'com.microsoft',
);

// GatherBlockQuantized: a lookup that dequantizes what it gathers (subtract zero point, multiply scale: 2 per
// output element). Reads the indices, the gathered packed values (output elements at the stored bits per value)
// and their block scales (and zero points), not the whole table.
rules.add(
  'GatherBlockQuantized',
  (ctx) => {
    const out = outElems(ctx);
    const data = ctx.inputs[0],
      scales = ctx.inputs[2],
      zp = ctx.inputs[3];
    const stored = data && data.elements > 0 ? data.bytes / data.elements : 0;
    const per = data ? valuesPerElement(data.dtype, attrInt(ctx.node, 'bits', 4)) : 1;
    const logical = data ? data.elements * per : 0;
    const frac = logical > 0 ? out / logical : 0; // share of the table gathered
    const read = (ctx.inputs[1]?.bytes ?? 0) + (out * stored) / per + frac * ((scales?.bytes ?? 0) + (zp?.bytes ?? 0));
    return { flops: 2 * out, bytesRead: read, note: 'reads only the gathered rows and their scales' };
  },
  'com.microsoft',
);

export const nnCosts = rules.rules;
