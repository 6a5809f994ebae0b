// Attention-family ops: Attention (opset 23/24), RotaryEmbedding (opset 23 and com.microsoft),
// ai.onnx.preview FlexAttention, LinearAttention (opset 27), SwiGLU (opset 28), and the
// com.microsoft MultiHeadAttention / GroupQueryAttention contrib ops.
import type { Dim, Graph } from '../../../onnx/ir';
import { attrInt, attrInts } from '../../../onnx/ir';
import { RuleList } from '../../../opTable';
import type { InferFn } from '../../types';
import { inData, inTensor, tensorOf, type InferCtx, type Value } from '../../types';
import { broadcastShapes, dimAdd, dimFloorDiv, dimMul } from '../../dims';

/** This family's inference rules (shapes/ops/index.ts builds the table). */
const rules = new RuleList<InferFn>();

/** The per-head view of a 3-D [B, S, heads*d] or 4-D [B, heads, S, d] attention operand. */
export interface Heads {
  b: Dim;
  heads: Dim;
  seq: Dim;
  d: Dim;
  rank: number;
}

export function headsOf(
  ctx: InferCtx,
  dims: Dim[] | null | undefined,
  numHeads: number | undefined,
  what: string,
): Heads | null {
  if (!dims) return null;
  if (dims.length === 4) return { b: dims[0], heads: dims[1], seq: dims[2], d: dims[3], rank: 4 };
  if (dims.length === 3) {
    if (!numHeads) ctx.fail(`${what} is 3-D: the num_heads attribute is required`);
    const hidden = dims[2];
    if (typeof hidden === 'number' && hidden % numHeads !== 0)
      ctx.fail(`${what} hidden size ${hidden} is not divisible by ${numHeads} heads`);
    return { b: dims[0], heads: numHeads, seq: dims[1], d: dimFloorDiv(hidden, numHeads), rank: 3 };
  }
  return ctx.fail(`${what} must be 3-D or 4-D, got rank ${dims.length}`);
}

// Attention (Operators.md, opset 23): Q [B,Sq,Hq*D] or [B,Hq,Sq,D]; K/V likewise with Hkv heads.
// Y: [B,Sq,Hq*Dv] or [B,Hq,Sq,Dv]; present_key/value [B,Hkv,P+Skv,D|Dv]; qk_matmul_output [B,Hq,Sq,P+Skv].
rules.add('Attention', (ctx) => {
  const dtype = inTensor(ctx, 0)?.dtype ?? 0;
  const q = headsOf(ctx, inTensor(ctx, 0)?.dims, attrInt(ctx.node, 'q_num_heads'), 'Q');
  const k = headsOf(ctx, inTensor(ctx, 1)?.dims, attrInt(ctx.node, 'kv_num_heads'), 'K');
  const v = headsOf(ctx, inTensor(ctx, 2)?.dims, attrInt(ctx.node, 'kv_num_heads'), 'V');
  if (q && k && typeof q.heads === 'number' && typeof k.heads === 'number' && q.heads % k.heads !== 0) {
    ctx.fail(`q heads ${q.heads} is not a multiple of kv heads ${k.heads}`);
  }
  if (q && k && typeof q.d === 'number' && typeof k.d === 'number' && q.d !== k.d)
    ctx.fail(`Q head size ${q.d} != K head size ${k.d}`);
  const past = ctx.node.inputs[4] ? inTensor(ctx, 4)?.dims : undefined;
  const pastV = ctx.node.inputs[5] ? inTensor(ctx, 5)?.dims : undefined;
  const total: Dim = k ? (ctx.node.inputs[4] ? (past ? dimAdd(past[2], k.seq) : null) : k.seq) : null;
  const y: Dim[] | null =
    q && v ? (q.rank === 3 ? [q.b, q.seq, dimMul(q.heads, v.d)] : [q.b, q.heads, q.seq, v.d]) : null;
  const presentK: Dim[] | null = k ? [k.b, k.heads, total, k.d] : (past ?? null);
  const presentV: Dim[] | null = v
    ? [v.b, v.heads, ctx.node.inputs[5] ? (pastV ? dimAdd(pastV[2], v.seq) : null) : v.seq, v.d]
    : (pastV ?? null);
  const qk: Dim[] | null = q ? [q.b, q.heads, q.seq, total] : null;
  return [tensorOf(dtype, y), tensorOf(dtype, presentK), tensorOf(dtype, presentV), tensorOf(dtype, qk)];
});

// RotaryEmbedding: output has the input's shape (opset 23 input order (X, cos, sin, position_ids);
// the com.microsoft form (X, position_ids, cos, sin) likewise keeps X's shape).
const sameAsInput = (ctx: InferCtx): Value[] => {
  const x = inTensor(ctx, 0);
  return [tensorOf(x?.dtype ?? 0, x?.dims ? x.dims.slice() : null)];
};
rules.add('RotaryEmbedding', sameAsInput);
rules.add('RotaryEmbedding', sameAsInput, 'com.microsoft');

// ai.onnx.preview FlexAttention: Q [B,Hq,L,E], K [B,Hkv,S,E], V [B,Hkv,S,Ev] -> Y [B,Hq,L,Ev].
// The score_mod / prob_mod subgraphs map scores [B,Hq,L,S] to the same shape; they are inferred so
// their nodes get shapes and costs.
rules.add(
  'FlexAttention',
  (ctx) => {
    const q = inTensor(ctx, 0),
      k = inTensor(ctx, 1)?.dims,
      v = inTensor(ctx, 2)?.dims;
    const dtype = q?.dtype ?? 0;
    for (const [name, d] of [
      ['Q', q?.dims],
      ['K', k],
      ['V', v],
    ] as const)
      if (d && d.length !== 4) ctx.fail(`${name} must be 4-D, got rank ${d.length}`);
    const scores = q?.dims ? [q.dims[0], q.dims[1], q.dims[2], k ? k[2] : null] : null;
    for (const attr of ['score_mod', 'prob_mod']) {
      const a = ctx.node.attrs[attr];
      if (a?.type === 'graph') ctx.inferSubgraph(a.value as Graph, [tensorOf(dtype, scores)]);
    }
    return [tensorOf(dtype, q?.dims && v ? [q.dims[0], q.dims[1], q.dims[2], v[3]] : null)];
  },
  'ai.onnx.preview',
);

// LinearAttention (opset 27): query [B,T,Hq*dk], key [B,T,Hkv*dk], value [B,T,Hkv*dv] (or the 4-D
// [B,H,T,d] forms) -> output [B,T,Hq*dv], present_state [B,Hkv,dk,dv]. The schema text was not found in
// the reference index; shapes follow the ONNX node tests (test_linear_attention_*).
rules.add('LinearAttention', (ctx) => {
  const dtype = inTensor(ctx, 0)?.dtype ?? 0;
  const kvHeads = attrInt(ctx.node, 'kv_num_heads');
  const q = headsOf(ctx, inTensor(ctx, 0)?.dims, attrInt(ctx.node, 'q_num_heads'), 'query');
  const k = headsOf(ctx, inTensor(ctx, 1)?.dims, kvHeads, 'key');
  const v = headsOf(ctx, inTensor(ctx, 2)?.dims, kvHeads, 'value');
  const out: Dim[] | null =
    q && v ? (q.rank === 3 ? [q.b, q.seq, dimMul(q.heads, v.d)] : [q.b, q.heads, q.seq, v.d]) : null;
  const past = ctx.node.inputs[3] ? inTensor(ctx, 3)?.dims : undefined;
  const state: Dim[] | null = past ? past.slice() : k && v ? [k.b, k.heads, k.d, v.d] : null;
  return [tensorOf(dtype, out), tensorOf(dtype, state)];
});

// SwiGLU (opset 28): y = silu(a) * b elementwise with broadcasting. The schema text was not found in
// the reference index; with a single input the last axis is split in half (gate, value), as fused kernels do.
rules.add('SwiGLU', (ctx) => {
  const a = inTensor(ctx, 0);
  const dtype = a?.dtype ?? 0;
  if (ctx.node.inputs[1]) {
    const b = inTensor(ctx, 1)?.dims;
    if (!a?.dims || !b) return [tensorOf(dtype, null)];
    const out = broadcastShapes([a.dims, b]);
    if (!out) return ctx.fail(`cannot broadcast [${a.dims}] and [${b}]`);
    return [tensorOf(dtype, out)];
  }
  if (!a?.dims) return [tensorOf(dtype, null)];
  const last = a.dims[a.dims.length - 1];
  if (typeof last === 'number' && last % 2 !== 0)
    ctx.fail(`last axis ${last} must be even to split into gate and value`);
  return [tensorOf(dtype, [...a.dims.slice(0, -1), dimFloorDiv(last, 2)])];
});

// com.microsoft MultiHeadAttention (ContribOperators.md): query [B,S,D] or packed QKV [B,L,N,3,H]; key [B,L,D],
// packed KV [B,L,N,2,H] or a precomputed past-style key [B,N,L,H]; value [B,L,Dv] or [B,N,L,H]; past_key/value
// [B,N,P,H]. Output [B,S,Dv]; present_key/value [B,N,P+L,H]; qk [B,N,S,P+L].
export interface MhaDims {
  b: Dim;
  s: Dim;
  heads: Dim;
  dk: Dim;
  dv: Dim;
  /** key length of this call (new keys, or the precomputed keys) */
  kvLen: Dim;
  /** the key input is already per-head [B,N,L,H] (cross attention on cached keys): no past is appended */
  precomputed: boolean;
}

export function mhaDims(
  q: Dim[] | null | undefined,
  k: Dim[] | null | undefined,
  v: Dim[] | null | undefined,
  n: number,
): MhaDims | null {
  if (!q) return null;
  if (q.length === 5) return { b: q[0], s: q[1], heads: q[2], dk: q[4], dv: q[4], kvLen: q[1], precomputed: false };
  if (q.length !== 3) return null;
  const dk = dimFloorDiv(q[2], n);
  if (k && k.length === 5) return { b: q[0], s: q[1], heads: n, dk, dv: k[4], kvLen: k[1], precomputed: false };
  if (k && k.length === 4)
    return { b: q[0], s: q[1], heads: n, dk, dv: v && v.length === 4 ? v[3] : dk, kvLen: k[2], precomputed: true };
  if (k && k.length === 3) {
    const dv = v && v.length === 3 ? dimFloorDiv(v[2], n) : dk;
    return { b: q[0], s: q[1], heads: n, dk, dv, kvLen: k[1], precomputed: false };
  }
  return k ? null : { b: q[0], s: q[1], heads: n, dk, dv: dk, kvLen: q[1], precomputed: false };
}

rules.add(
  'MultiHeadAttention',
  (ctx) => {
    const dtype = inTensor(ctx, 0)?.dtype ?? 0;
    const n = attrInt(ctx.node, 'num_heads');
    if (!n) return ctx.fail('num_heads is required');
    const opt = (i: number) => (ctx.node.inputs[i] ? inTensor(ctx, i)?.dims : undefined);
    const m = mhaDims(inTensor(ctx, 0)?.dims, opt(1), opt(2), n);
    if (!m) return [tensorOf(dtype, null), tensorOf(dtype, null), tensorOf(dtype, null), tensorOf(dtype, null)];
    const past = opt(6);
    const total: Dim = m.precomputed ? m.kvLen : past ? dimAdd(past[2], m.kvLen) : ctx.node.inputs[6] ? null : m.kvLen;
    return [
      tensorOf(dtype, [m.b, m.s, dimMul(m.heads, m.dv)]),
      tensorOf(dtype, [m.b, m.heads, total, m.dk]),
      tensorOf(dtype, [m.b, m.heads, total, m.dv]),
      tensorOf(dtype, [m.b, m.heads, m.s, total]),
    ];
  },
  'com.microsoft',
);

// com.microsoft GroupQueryAttention: query [B,S,Hq*D] (or packed QKV when key is absent) -> output
// [B,S,Hq*D]; present_key/value [B,Hkv,max(P, total_sequence_length),D] (the KV-cache buffer keeps
// its length when it is already large enough).
rules.add(
  'GroupQueryAttention',
  (ctx) => {
    const dtype = inTensor(ctx, 0)?.dtype ?? 0;
    const hq = attrInt(ctx.node, 'num_heads'),
      hkv = attrInt(ctx.node, 'kv_num_heads');
    const qd = inTensor(ctx, 0)?.dims;
    if (!qd || qd.length !== 3 || !hq || !hkv)
      return [tensorOf(dtype, null), tensorOf(dtype, null), tensorOf(dtype, null)];
    const packed = !ctx.node.inputs[1];
    const d = packed ? dimFloorDiv(qd[2], hq + 2 * hkv) : dimFloorDiv(qd[2], hq);
    const past = ctx.node.inputs[3] ? inTensor(ctx, 3)?.dims : undefined;
    const tsl = inData(ctx, 6)?.[0] ?? null; // total_sequence_length (scalar input)
    const pastSeq = past ? past[2] : null;
    const seq: Dim = !past
      ? tsl
      : typeof pastSeq === 'number' && typeof tsl === 'number'
        ? Math.max(pastSeq, tsl)
        : null;
    const present: Dim[] = [qd[0], hkv, seq, d];
    return [tensorOf(dtype, [qd[0], qd[1], dimMul(hq, d)]), tensorOf(dtype, present), tensorOf(dtype, present.slice())];
  },
  'com.microsoft',
);

// com.microsoft Attention (ContribOperators.md): input [B,S,Din], weights [Din, Hq+Hk+Hv] (qkv_hidden_sizes,
// else three equal parts), past [2,B,N,P,H] -> output [B,S,Hv], present [2,B,N,P+S,Hk/N].
rules.add(
  'Attention',
  (ctx) => {
    const x = inTensor(ctx, 0);
    const dtype = x?.dtype ?? 0;
    const w = inTensor(ctx, 1)?.dims;
    const n = attrInt(ctx.node, 'num_heads');
    const sizes = attrInts(ctx.node, 'qkv_hidden_sizes');
    const [hk, hv]: Dim[] =
      sizes && sizes.length === 3
        ? [sizes[1], sizes[2]]
        : w && w.length === 2
          ? [dimFloorDiv(w[1], 3), dimFloorDiv(w[1], 3)]
          : [null, null];
    if (!x?.dims || x.dims.length !== 3) return [tensorOf(dtype, null), tensorOf(dtype, null)];
    const [b, s] = x.dims;
    const past = ctx.node.inputs[4] ? inTensor(ctx, 4)?.dims : undefined;
    const total = ctx.node.inputs[4] ? (past ? dimAdd(past[3], s) : null) : s;
    const present: Dim[] | null = n ? [2, b, n, total, dimFloorDiv(hk, n)] : null;
    return [tensorOf(dtype, [b, s, hv]), tensorOf(dtype, present)];
  },
  'com.microsoft',
);

export const attentionRules = rules.rules;
