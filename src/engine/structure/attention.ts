// Attention units of a graph, found from structure alone: a fused attention op (GroupQueryAttention,
// MultiHeadAttention, Attention, ...), or a Softmax between two activation x activation MatMuls (scores and
// context). For each: the weight projections feeding Q, K and V, the output projection, and the heads as the
// op's attributes or the Q projection's Reshape state them.
import type { Graph } from '../onnx/ir';
import { backwardFind, collectUpstream, forwardFind, intAttr, type GraphIndex } from './graphIndex';

const FUSED =
  /^(GroupQueryAttention|MultiHeadAttention|Attention|PackedAttention|PackedMultiHeadAttention|DecoderMaskedMultiHeadAttention|DecoderMaskedSelfAttention|SparseAttention)$/;
/** Nodes a projection search never walks through: another block's norm, softmax or attention. */
const NORM = /LayerNormalization$|^RMSNormalization$|^Softmax$/;

export interface AttentionUnit {
  /** the fused op, or the Softmax of an unfused attention */
  anchor: number;
  fused: boolean;
  scores: number;
  softmax: number;
  context: number;
  /** weight nodes feeding Q, K and V (the same node for a packed QKV projection; the op itself for Attention) */
  q: number[];
  k: number[];
  v: number[];
  /** the tensor the attention reads its keys from (cross-attention: not derived from the token stream) */
  keyTensor: string;
  /** the tensor the Q projection reads (the normed residual stream) */
  queryInput: string;
  oproj: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** how the heads were found */
  how: string;
  cross: boolean;
}

function isBarrier(ix: GraphIndex, i: number): boolean {
  const n = ix.node(i);
  return NORM.test(n.opType) || FUSED.test(n.opType) || n.opType === 'MoE' || n.opType === 'QMoE';
}

/** Weight projections upstream of a tensor, within the attention (not across a norm, softmax or attention op). */
function projectionsOf(ix: GraphIndex, tensor: string | undefined): number[] {
  if (!tensor) return [];
  return collectUpstream(
    ix,
    [tensor],
    (i) => !!ix.weightOf(i),
    (i) => isBarrier(ix, i),
    128,
  );
}

/** The [heads, headDim] a Reshape right after the Q projection splits it into ([.., .., n, d], -1 allowed): the
 * first Reshape within a few ops whose last two target dims multiply to the projection's width (a packed QKV:
 * the Q width or all three). */
function splitOf(ix: GraphIndex, proj: number, width: number): [number, number] | undefined {
  let frontier = [proj];
  const seen = new Set<number>([proj]);
  for (let hop = 0; hop < 5; hop++) {
    const next: number[] = [];
    for (const i of frontier)
      for (const o of ix.node(i).outputs)
        for (const c of ix.consumers.get(o) ?? []) {
          if (seen.has(c)) continue;
          seen.add(c);
          const n = ix.node(c);
          if (n.opType === 'Reshape') {
            const r = headsOf(ix.intValues(n.inputs[1] ?? ''), width);
            if (r) return r;
          }
          if (!ix.weightOf(c) && !/Softmax|Attention/.test(n.opType)) next.push(c);
        }
    frontier = next;
  }
  return undefined;
}

function headsOf(vals: (number | null)[] | undefined, width: number): [number, number] | undefined {
  if (!vals || vals.length < 3) return undefined;
  let [n, d] = vals.slice(-2);
  const fits = (x: number, y: number) => x * y === width || x * y === 3 * width;
  if (typeof d === 'number' && d > 0 && (n === -1 || n === null) && width % d === 0) n = width / d;
  if (typeof n === 'number' && n > 0 && (d === -1 || d === null) && width % n === 0) d = width / n;
  if (typeof n !== 'number' || typeof d !== 'number' || n <= 0 || d <= 0 || !fits(n, d)) return undefined;
  return [n, d];
}

function unique(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

function fusedUnit(ix: GraphIndex, i: number): AttentionUnit | undefined {
  const n = ix.node(i);
  const heads = intAttr(n, 'num_heads') ?? intAttr(n, 'q_num_heads') ?? 0;
  let q: number[], k: number[], v: number[];
  let queryInput = n.inputs[0];
  let keyTensor = n.inputs[1] || n.inputs[0];
  let qWidth = 0,
    packedWidth = 0;
  const kvAttr = intAttr(n, 'kv_num_heads') ?? 0;
  if (n.opType === 'Attention' && n.domain === 'com.microsoft') {
    // the op holds the QKV weight itself: input 1 is [hidden, q + k + v]
    const w = ix.tensor(n.inputs[1] ?? '');
    if (!w || w.dims.length !== 2) return undefined;
    q = k = v = [i];
    const sizes = n.attrs.qkv_hidden_sizes?.type === 'ints' ? n.attrs.qkv_hidden_sizes.value : undefined;
    qWidth = sizes?.[0] ?? w.dims[1] / 3;
    keyTensor = n.inputs[0];
  } else {
    q = projectionsOf(ix, n.inputs[0]);
    k = n.inputs[1] ? projectionsOf(ix, n.inputs[1]) : q;
    v = n.inputs[2] ? projectionsOf(ix, n.inputs[2]) : k;
    const qw = q.length === 1 ? ix.weightOf(q[0]) : undefined;
    if (qw) {
      if (!n.inputs[1]) packedWidth = qw.N;
      else qWidth = qw.N;
    }
    if (q.length) queryInput = ix.node(q[0]).inputs[0];
  }
  const how = `${n.opType} attributes`;
  let headDim = 0,
    kvHeads = kvAttr || heads;
  if (heads <= 0) {
    // no num_heads attribute: the Reshape after the Q projection, else left to the caller (cache input)
    const split = q.length === 1 && qWidth ? splitOf(ix, q[0], qWidth) : undefined;
    if (!split) return { ...blank(i, q, k, v, keyTensor, queryInput), how: '' };
    return {
      ...blank(i, q, k, v, keyTensor, queryInput),
      heads: split[0],
      headDim: split[1],
      kvHeads: k.length === 1 && ix.weightOf(k[0]) ? ix.weightOf(k[0])!.N / split[1] : split[0],
      how: `the Reshape after the Q projection (target [.., .., ${split[0]}, ${split[1]}])`,
    };
  }
  if (packedWidth) headDim = packedWidth / (heads + 2 * kvHeads);
  else if (qWidth) headDim = qWidth / heads;
  if (!kvAttr && k.length === 1 && k[0] !== q[0] && headDim > 0) {
    const kw = ix.weightOf(k[0]);
    if (kw && kw.N % headDim === 0) kvHeads = kw.N / headDim;
  }
  if (!Number.isInteger(headDim) || headDim <= 0) {
    // no projection to read: the head dim from the key / value input's last dim when it is 4-D [b, n, s, d]
    const kt = ix.values.get(n.inputs[1] ?? '')?.type;
    const d = kt && kt.kind === 'tensor' && kt.dims?.length === 4 ? kt.dims[3] : null;
    headDim = typeof d === 'number' ? d : 0;
  }
  return { ...blank(i, q, k, v, keyTensor, queryInput), heads, kvHeads, headDim, how };
}

function blank(i: number, q: number[], k: number[], v: number[], keyTensor: string, queryInput: string): AttentionUnit {
  return {
    anchor: i,
    fused: true,
    scores: i,
    softmax: i,
    context: i,
    q,
    k,
    v,
    keyTensor,
    queryInput,
    oproj: -1,
    heads: 0,
    kvHeads: 0,
    headDim: 0,
    how: '',
    cross: false,
  };
}

function unfusedUnit(ix: GraphIndex, s: number): AttentionUnit | undefined {
  const scores = backwardFind(ix, ix.node(s).inputs[0], (i) => ix.isActMatMul(i), 5);
  if (scores < 0) return undefined;
  const context = forwardFind(ix, s, (i) => ix.isActMatMul(i), 4);
  if (context < 0) return undefined;
  const sn = ix.node(scores),
    cn = ix.node(context);
  const q = projectionsOf(ix, sn.inputs[0]);
  const k = projectionsOf(ix, sn.inputs[1]);
  const v = projectionsOf(ix, cn.inputs[1]);
  if (q.length === 0) return undefined;
  const qw = ix.weightOf(q[0])!;
  const packed = q.length === 1 && k.length === 1 && q[0] === k[0];
  let heads = 0,
    headDim = 0,
    kvHeads = 0,
    how = '';
  const split = splitOf(ix, q[0], packed ? qw.N / 3 : qw.N);
  if (split) {
    [heads, headDim] = split;
    how = `the Reshape after the Q projection (target [.., .., ${heads}, ${headDim}])`;
    // a packed QKV reshaped to [.., heads, 3 x head dim] before the split
    if (packed && heads * headDim === qw.N) headDim /= 3;
  } else {
    const st = ix.values.get(sn.outputs[0])?.type;
    const h1 = st && st.kind === 'tensor' && st.dims && st.dims.length === 4 ? st.dims[1] : null;
    if (typeof h1 === 'number' && h1 > 0) {
      heads = h1;
      headDim = (packed ? qw.N / 3 : qw.N) / heads;
      how = 'the inferred shape of the attention scores';
    }
  }
  if (headDim > 0) {
    const kw = k.length === 1 && !packed ? ix.weightOf(k[0]) : undefined;
    if (kw && kw.N % headDim === 0) kvHeads = kw.N / headDim;
    else if (packed && split) kvHeads = Math.max(1, Math.round((qw.N - heads * headDim) / (2 * headDim)));
    else kvHeads = heads;
  }
  return {
    anchor: s,
    fused: false,
    scores,
    softmax: s,
    context,
    q,
    k,
    v,
    keyTensor: sn.inputs[1],
    queryInput: ix.node(q[0]).inputs[0],
    oproj: -1,
    heads,
    kvHeads,
    headDim,
    how,
    cross: false,
  };
}

/** Every attention unit of the graph in node order, with its output projection. */
/** Whether graph `g` has a node findAttention could anchor a unit on (a fused attention op or a Softmax): without
 * one there is no attention, and no index of the graph needs building. */
export function hasAttentionAnchor(g: Graph): boolean {
  for (const n of g.nodes) if (n.opType === 'Softmax' || FUSED.test(n.opType)) return true;
  return false;
}

export function findAttention(ix: GraphIndex): AttentionUnit[] {
  const units: AttentionUnit[] = [];
  ix.g.nodes.forEach((n, i) => {
    const u = FUSED.test(n.opType) ? fusedUnit(ix, i) : n.opType === 'Softmax' ? unfusedUnit(ix, i) : undefined;
    if (!u || (u.q.length === 0 && !u.fused)) return;
    if (u.q.length === 0) return; // a fused op fed by no projection (nothing to size it by)
    const ctx = u.context;
    u.oproj = forwardFind(ix, ctx, (j) => !!ix.weightOf(j) && !isBarrier(ix, j), 6);
    u.q = unique(u.q);
    u.k = unique(u.k);
    u.v = unique(u.v);
    units.push(u);
  });
  return units;
}
