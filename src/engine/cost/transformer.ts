// The transformer structure of a graph, read from the graph itself (initializer dims, node names, Reshape
// targets, attention-op attributes, input dims) without relying on per-op costs: the one detector both
// hardware mappers use. Pure: it knows graphs, not hardware.
//  - findTransformer: the full pattern with roles (repeated blocks such as /model/layers.N/...; in each the
//    weight MatMuls feeding attention (Q, K, V or a fused QKV), the two activation x activation MatMuls
//    (scores, context), the output projection, the MLP up (fc1 / gate + up) and down projections), and the
//    dims: hidden, heads (from the Reshape that splits the Q projection), KV heads, head dim, FFN width,
//    vocabulary, sequence, batch, KV-cache length. Returns the reason when the pattern is not there.
//  - transformerDims: the dims alone; from the full pattern when there is one, else from the weights of the
//    repeated blocks (graphs with fused attention ops or packed weights, where no MatMul roles exist).
import type { Graph, Model, Node } from '../onnx/ir';
import type { Value } from '../shapes/types';
import { blockOf } from './kernels';
import { evalDim } from '../shapes/dims';

/** What the detector reads: the model, and where available the inferred values and the parameter count
 * (an engine Analysis has these fields). */
export interface TransformerSource {
  model: Model;
  shapes?: { main: { values: ReadonlyMap<string, Value> } };
  stats?: { parameterCount: number };
}

/** The dims of a transformer, however they were found. */
export interface TransformerDims {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  /** gated MLP (gate + up + down) */
  gated: boolean;
  /** 0 when there is no token embedding / LM head */
  vocab: number;
  /** parameter elements of one repeated block (block 0) */
  weightsPerLayer: number;
  /** tokens already in the KV cache (the bound cache length; 0 when unbound), null when the graph has no cache input */
  past: number | null;
  /** how each number was found */
  notes: string[];
}

export interface BlockRoles {
  prefix: string;
  /** node indices of the block */
  nodes: number[];
  /** anchors: graph node indices that a Megatron kernel's time is attributed to (-1 when absent) */
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
  /** parameter elements the block's nodes consume */
  params: number;
}

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

interface Weight {
  /** initializer feeding the matmul */
  init: string;
  K: number;
  N: number;
}

class GraphIndex {
  readonly producer = new Map<string, number>();
  readonly consumers = new Map<string, number[]>();
  readonly inits: Map<string, { dims: number[]; elements: number; values?: number[] }>;
  readonly constValues = new Map<string, number[]>();
  readonly values: ReadonlyMap<string, Value>;
  constructor(
    readonly g: Graph,
    src: TransformerSource,
  ) {
    this.values = src.shapes?.main.values ?? new Map();
    this.inits = new Map(g.initializers.map((t) => [t.name, t]));
    g.nodes.forEach((n, i) => {
      for (const o of n.outputs) if (o) this.producer.set(o, i);
      for (const x of n.inputs)
        if (x) {
          const c = this.consumers.get(x);
          if (c) c.push(i);
          else this.consumers.set(x, [i]);
        }
      if (n.opType === 'Constant') {
        const v = n.attrs.value;
        if (v?.type === 'tensor' && v.value.values) this.constValues.set(n.outputs[0], v.value.values);
        const vi = n.attrs.value_ints;
        if (vi?.type === 'ints') this.constValues.set(n.outputs[0], vi.value);
      }
    });
  }
  node(i: number): Node {
    return this.g.nodes[i];
  }
  isConstant(name: string): boolean {
    if (this.inits.has(name)) return true;
    const p = this.producer.get(name);
    return p !== undefined && this.g.nodes[p].opType === 'Constant';
  }
  /** An initializer reached from `name` through single-input casts, transposes and dequantisation. */
  initBehind(name: string, depth = 0): { init: string; transposed: boolean } | undefined {
    if (this.inits.has(name)) return { init: name, transposed: false };
    const p = this.producer.get(name);
    if (p === undefined || depth > 3) return undefined;
    const n = this.g.nodes[p];
    if (!/^(Transpose|Cast|Identity|DequantizeLinear)$/.test(n.opType)) return undefined;
    const r = this.initBehind(n.inputs[0], depth + 1);
    return r && { init: r.init, transposed: r.transposed !== (n.opType === 'Transpose') };
  }
  /** Weight of a MatMul/Gemm whose B is a stored 2-D matrix, as [K, N]. */
  weightOf(i: number): Weight | undefined {
    const n = this.g.nodes[i];
    if (n.opType !== 'MatMul' && n.opType !== 'Gemm' && n.opType !== 'MatMulNBits') return undefined;
    const b = this.initBehind(n.inputs[1] ?? '');
    if (!b) return undefined;
    const t = this.inits.get(b.init)!;
    if (t.dims.length !== 2) return undefined;
    let transposed = b.transposed;
    if (n.opType === 'Gemm' && n.attrs.transB?.type === 'int' && n.attrs.transB.value === 1) transposed = !transposed;
    const [r, c] = t.dims;
    return transposed ? { init: b.init, K: c, N: r } : { init: b.init, K: r, N: c };
  }
  /** Both operands computed (activation x activation): attention scores and context. */
  isActMatMul(i: number): boolean {
    const n = this.g.nodes[i];
    return (
      n.opType === 'MatMul' &&
      !this.initBehind(n.inputs[0]) &&
      !this.initBehind(n.inputs[1] ?? '') &&
      !this.isConstant(n.inputs[1] ?? '')
    );
  }
  /** Known integer elements of a tensor: initializer, Constant, or data propagated by shape inference. */
  intValues(name: string): (number | null)[] | undefined {
    const t = this.inits.get(name);
    if (t?.values) return t.values;
    const c = this.constValues.get(name);
    if (c) return c;
    const v = this.values.get(name)?.data;
    return v?.map((d) => (typeof d === 'number' ? d : null));
  }
}

/** Nodes reachable backwards from `starts` inside `scope`, stopping at (and collecting) nodes that satisfy `stop`. */
function collectUpstream(ix: GraphIndex, starts: string[], scope: Set<number>, stop: (i: number) => boolean): number[] {
  const found: number[] = [];
  const seen = new Set<number>();
  const stack = [...starts];
  while (stack.length) {
    const name = stack.pop()!;
    const p = ix.producer.get(name);
    if (p === undefined || seen.has(p) || !scope.has(p)) continue;
    seen.add(p);
    if (stop(p)) {
      found.push(p);
      continue;
    }
    for (const x of ix.node(p).inputs) if (x) stack.push(x);
  }
  return found.sort((a, b) => a - b);
}

/** Is `target` reachable forward from node `from` inside `scope`? */
function reaches(ix: GraphIndex, from: number, target: number, scope: Set<number>): boolean {
  const seen = new Set<number>();
  const stack = [from];
  while (stack.length) {
    const i = stack.pop()!;
    if (i === target) return true;
    if (seen.has(i)) continue;
    seen.add(i);
    for (const o of ix.node(i).outputs) for (const c of ix.consumers.get(o) ?? []) if (scope.has(c)) stack.push(c);
  }
  return false;
}

/** The first node within `hops` forward steps of `from` that satisfies `pred`. */
function forwardFind(ix: GraphIndex, from: number, pred: (i: number) => boolean, hops = 4): number {
  let frontier = [from];
  const seen = new Set<number>([from]);
  for (let h = 0; h < hops; h++) {
    const next: number[] = [];
    for (const i of frontier)
      for (const o of ix.node(i).outputs)
        for (const c of ix.consumers.get(o) ?? []) {
          if (seen.has(c)) continue;
          seen.add(c);
          if (pred(c)) return c;
          next.push(c);
        }
    frontier = next;
  }
  return -1;
}

const signature = (prefix: string): string => prefix.replace(/\d+/g, '#');

function blockNumber(prefix: string): number {
  const m = /(\d+)(?!.*\d)/.exec(prefix);
  return m ? Number(m[1]) : 0;
}

export function findTransformer(src: TransformerSource, bindings: Record<string, number>): PatternResult {
  const g = src.model.graph;
  const ix = new GraphIndex(g, src);
  const notes: string[] = [];

  // 1. Repeated blocks: group nodes by block prefix, keep the most common block signature that holds attention.
  const byPrefix = new Map<string, number[]>();
  g.nodes.forEach((n, i) => {
    const b = blockOf(n.name);
    if (!b) return;
    const l = byPrefix.get(b);
    if (l) l.push(i);
    else byPrefix.set(b, [i]);
  });
  if (byPrefix.size === 0) return { reason: 'no repeated blocks in the node names (e.g. /model/layers.N/...)' };
  const groups = new Map<string, string[]>();
  for (const [prefix, nodes] of byPrefix) {
    const weights = nodes.filter((i) => ix.weightOf(i)).length;
    const acts = nodes.filter((i) => ix.isActMatMul(i)).length;
    if (weights < 3 || acts < 2) continue;
    const s = signature(prefix);
    const l = groups.get(s);
    if (l) l.push(prefix);
    else groups.set(s, [prefix]);
  }
  if (groups.size === 0)
    return { reason: 'no block holds both weight MatMuls and attention (activation x activation) MatMuls' };
  const [, prefixes] = [...groups.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  prefixes.sort((a, b) => blockNumber(a) - blockNumber(b));

  // 2. Roles in each block.
  const blocks: BlockRoles[] = [];
  let dims:
    | {
        hidden: number;
        qkvWidth: number;
        attnDim: number;
        ffnUp: number;
        ffn: number;
        ups: number;
        qkvCount: number;
        qWeight: number;
        kWidth: number;
      }
    | undefined;
  for (const prefix of prefixes) {
    const nodes = byPrefix.get(prefix)!;
    const scope = new Set(nodes);
    const acts = nodes.filter((i) => ix.isActMatMul(i));
    const [scores, context] = acts;
    const qk = collectUpstream(ix, ix.node(scores).inputs, scope, (i) => !!ix.weightOf(i));
    const v = collectUpstream(ix, [ix.node(context).inputs[1]], scope, (i) => !!ix.weightOf(i));
    const qkv = [...new Set([...qk, ...v])].sort((a, b) => a - b);
    if (qkv.length === 0)
      return { reason: `${prefix}: the attention MatMuls are not fed by weight MatMuls (Q/K/V projections not found)` };
    const weighted = nodes.filter((i) => ix.weightOf(i) && !qkv.includes(i));
    const oproj = weighted.find((i) => reaches(ix, context, i, scope)) ?? -1;
    if (oproj < 0) return { reason: `${prefix}: no output projection after the attention context MatMul` };
    const mlp = weighted.filter((i) => i !== oproj && reaches(ix, oproj, i, scope));
    const hidden = ix.weightOf(qkv[0])!.K;
    const down = [...mlp].reverse().find((i) => ix.weightOf(i)!.N === hidden) ?? -1;
    if (down < 0) return { reason: `${prefix}: no MLP down projection back to the hidden size ${hidden}` };
    const up = mlp.filter((i) => i !== down && ix.weightOf(i)!.K === hidden);
    if (up.length === 0) return { reason: `${prefix}: no MLP up projection from the hidden size ${hidden}` };
    const qkvWidth = qkv.reduce((a, i) => a + ix.weightOf(i)!.N, 0);
    const attnDim = ix.weightOf(oproj)!.K;
    const ffnUp = up.reduce((a, i) => a + ix.weightOf(i)!.N, 0);
    const ffn = ix.weightOf(down)!.K;
    const here = {
      hidden,
      qkvWidth,
      attnDim,
      ffnUp,
      ffn,
      ups: up.length,
      qkvCount: qkv.length,
      qWeight: qk[0] ?? qkv[0],
      kWidth: qkv.length === 3 ? ix.weightOf(qkv[1])!.N : 0,
    };
    if (
      dims &&
      (dims.hidden !== hidden || dims.qkvWidth !== qkvWidth || dims.ffn !== ffn || dims.attnDim !== attnDim)
    ) {
      return {
        reason: `${prefix}: block dims differ from the first block (hidden ${hidden} vs ${dims.hidden}, ffn ${ffn} vs ${dims.ffn})`,
      };
    }
    dims ??= here;
    const producerOf = (i: number, k = 0) => ix.producer.get(ix.node(i).inputs[k]) ?? -1;
    const softmax = nodes.find((i) => ix.node(i).opType === 'Softmax') ?? -1;
    const firstConsumer = (i: number) =>
      Math.min(...(ix.consumers.get(ix.node(i).outputs[0]) ?? [i]).filter((c) => scope.has(c)), Infinity);
    const asAnchor = (i: number, fallback: number) => (i >= 0 && Number.isFinite(i) && scope.has(i) ? i : fallback);
    const params = new Set<string>();
    for (const i of nodes)
      for (const x of ix.node(i).inputs) {
        const b = x ? ix.initBehind(x) : undefined;
        if (b) params.add(b.init);
      }
    blocks.push({
      prefix,
      nodes,
      qkv,
      scores,
      context,
      oproj,
      down,
      up,
      ln1: asAnchor(producerOf(qkv[0]), qkv[0]),
      softmax: asAnchor(softmax, scores),
      bda1: asAnchor(firstConsumer(oproj), oproj),
      ln2: asAnchor(producerOf(up[0]), up[0]),
      act: asAnchor(producerOf(down), down),
      bda2: asAnchor(firstConsumer(down), down),
      params: [...params].reduce((a, n) => a + (ix.inits.get(n)?.elements ?? 0), 0),
    });
  }
  const d0 = dims!;
  const first = blocks[0];

  // 3. Heads: the Reshape that splits the Q (or fused QKV) projection into [.., .., heads, width].
  let heads = 0,
    headDim = 0,
    kvHeads = 0;
  const scope0 = new Set(first.nodes);
  const reshapeAfter = (w: number) => forwardFind(ix, w, (i) => ix.node(i).opType === 'Reshape' && scope0.has(i));
  // the last two entries of the target shape are [heads, width per head] ([b, s, n, w] or [s, n, w])
  const split = (w: number): [number, number] | undefined => {
    const r = reshapeAfter(w);
    if (r < 0) return undefined;
    const vals = ix.intValues(ix.node(r).inputs[1]);
    if (!vals || vals.length < 3) return undefined;
    const [n, per] = vals.slice(-2);
    if (typeof n !== 'number' || typeof per !== 'number' || n <= 0 || per <= 0) return undefined;
    const N = ix.weightOf(w)!.N;
    return n * per === N || n * per === d0.attnDim || N % (n * per) === 0 ? [n, per] : undefined;
  };
  const qs = split(d0.qWeight);
  if (qs) {
    heads = qs[0];
    headDim = d0.attnDim / heads;
    notes.push(
      `attention heads ${heads} from the Reshape after ${ix.node(d0.qWeight).name || 'the Q projection'} (target [.., .., ${qs[0]}, ${qs[1]}])`,
    );
  } else {
    const sd = ix.values.get(ix.node(first.scores).outputs[0])?.type;
    const h1 = sd && sd.kind === 'tensor' && sd.dims && sd.dims.length === 4 ? sd.dims[1] : null;
    if (typeof h1 === 'number' && h1 > 0) {
      heads = h1;
      headDim = d0.attnDim / heads;
      notes.push(`attention heads ${heads} from the inferred shape of the attention scores`);
    } else {
      headDim = d0.attnDim % 128 === 0 ? 128 : 64;
      heads = Math.max(1, Math.round(d0.attnDim / headDim));
      notes.push(`attention heads not readable from the graph: head dim ${headDim} assumed (${heads} heads)`);
    }
  }
  if (!Number.isInteger(headDim) || headDim <= 0)
    return { reason: `attention width ${d0.attnDim} is not a multiple of ${heads} heads` };
  kvHeads = Math.round((d0.qkvWidth - heads * headDim) / (2 * headDim));
  if (kvHeads <= 0 || heads * headDim + 2 * kvHeads * headDim !== d0.qkvWidth) {
    return {
      reason: `Q/K/V widths (${d0.qkvWidth} in total) do not split into ${heads} query heads and equal K/V heads of dim ${headDim}`,
    };
  }
  if (kvHeads !== heads) notes.push(`grouped-query attention: ${kvHeads} key/value heads`);
  const gated = d0.ups === 2 || d0.ffnUp === 2 * d0.ffn;
  if (!gated && d0.ffnUp !== d0.ffn)
    return { reason: `MLP up width ${d0.ffnUp} matches neither the down projection's input ${d0.ffn} nor twice it` };

  // 4. Embedding, head, vocabulary.
  const inBlock = new Set(blocks.flatMap((b) => b.nodes));
  // Token embedding: a Gather from a [V, hidden] table; one indexed by a graph input wins, then the largest table.
  let embedNode = -1,
    embedInit = '',
    embedScore = -1;
  const graphInputs = new Set(g.inputs.map((i) => i.name));
  g.nodes.forEach((n, i) => {
    if (n.opType !== 'Gather' || inBlock.has(i)) return;
    const t = ix.inits.get(n.inputs[0]);
    if (!t || t.dims.length !== 2 || t.dims[1] !== d0.hidden || t.dims[0] < 2) return;
    const score = (graphInputs.has(n.inputs[1]) ? 1e15 : 0) + t.dims[0];
    if (score > embedScore) {
      embedNode = i;
      embedInit = n.inputs[0];
      embedScore = score;
    }
  });
  // LM head: a projection from the hidden size onto the token vocabulary (tied to the embedding or as wide
  // as it). Classification or pooler heads are not LM heads: they stay per-layer kernels.
  const embedRows = embedNode >= 0 ? ix.inits.get(embedInit)!.dims[0] : 0;
  let lmHeadNode = -1;
  g.nodes.forEach((_n, i) => {
    if (inBlock.has(i) || embedRows === 0) return;
    const w = ix.weightOf(i);
    if (w && w.K === d0.hidden && (w.init === embedInit || w.N === embedRows)) lmHeadNode = i;
  });
  const lmW = lmHeadNode >= 0 ? ix.weightOf(lmHeadNode) : undefined;
  const vocab = lmW?.N ?? 0;
  const tied = !!lmW && lmW.init === embedInit;
  const embeddingParams = embedInit ? ix.inits.get(embedInit)!.elements : 0;
  const lmHeadParams = lmW && !tied ? ix.inits.get(lmW.init)!.elements : 0;
  const finalNorm = lmHeadNode >= 0 ? (ix.producer.get(ix.node(lmHeadNode).inputs[0]) ?? -1) : -1;
  if (vocab === 0)
    notes.push(
      embedRows
        ? 'no LM head over the vocabulary: the output layers are costed per layer'
        : 'no token embedding: the input and output layers are costed per layer',
    );

  // 5. Batch from the first input's leading dim; tokens per pass from the QKV projection's input
  //    (all dims but the last), so that image and encoder models get their patch / sequence count.
  const initNames = new Set(g.initializers.map((t) => t.name));
  const inputs = g.inputs.filter((i) => !initNames.has(i.name));
  const ids =
    (embedNode >= 0 ? inputs.find((i) => i.name === g.nodes[embedNode].inputs[1]) : undefined) ??
    inputs.find((i) => /input_ids|tokens/i.test(i.name)) ??
    inputs[0];
  const t = ids ? (ix.values.get(ids.name)?.type ?? ids.type) : null;
  let batch = 1,
    seq = 1,
    batchSymbolic = false;
  if (t && t.kind === 'tensor' && t.dims && t.dims.length >= 1) {
    batchSymbolic = typeof t.dims[0] === 'string';
    batch = evalDim(t.dims[0], bindings) ?? 1;
    if (ids && embedNode >= 0 && t.dims.length >= 2) {
      seq = evalDim(t.dims[1], bindings) ?? 1;
      if (evalDim(t.dims[1], bindings) === undefined)
        notes.push(`sequence dim '${t.dims[1]}' unbound: taken as 1 (bind it with --dim)`);
    }
  }
  const xin = ix.values.get(ix.node(first.qkv[0]).inputs[0])?.type;
  if ((embedNode < 0 || seq === 1) && xin && xin.kind === 'tensor' && xin.dims && xin.dims.length >= 2) {
    const lead = xin.dims.slice(0, -1).map((d) => evalDim(d, bindings));
    if (lead.every((d) => d !== undefined)) {
      const tokens = (lead as number[]).reduce((a, d) => a * d, 1);
      if (tokens >= batch && tokens % batch === 0 && tokens / batch > seq) {
        seq = tokens / batch;
        notes.push(`sequence ${seq} from the attention input's shape`);
      }
    }
  }
  const cache = cacheInput(g, bindings, notes);
  const past = cache ? cache.past : null;
  const kvSeq = seq + (past ?? 0);
  const blockParams = blocks.reduce((a, b) => a + b.params, 0);
  const otherParams = Math.max(
    0,
    (src.stats?.parameterCount ?? g.initializers.reduce((a, t) => a + t.elements, 0)) - blockParams,
  );
  return {
    pattern: {
      layers: blocks.length,
      hidden: d0.hidden,
      heads,
      kvHeads,
      headDim,
      ffn: d0.ffn,
      gated,
      vocab,
      weightsPerLayer: first.params,
      past,
      seq,
      kvSeq,
      batch,
      batchSymbolic,
      blocks,
      embedNode,
      lmHeadNode,
      finalNorm,
      tiedEmbedding: tied,
      embeddingParams,
      lmHeadParams,
      otherParams,
      notes,
    },
  };
}

/** The first KV-cache graph input ([batch, kv heads, past, head dim], named past / cache): its dims and the
 * bound cache length (0 with a note when unbound). */
function cacheInput(
  g: Graph,
  bindings: Record<string, number>,
  notes: string[],
): { kvHeads: number | null; headDim: number | null; past: number } | undefined {
  const initNames = new Set(g.initializers.map((t) => t.name));
  for (const i of g.inputs) {
    if (initNames.has(i.name) || !/past|cache/i.test(i.name)) continue;
    const t = i.type;
    if (!t || t.kind !== 'tensor' || !t.dims || t.dims.length !== 4) continue;
    const [, nkv, p, d] = t.dims;
    const pv = evalDim(p, bindings);
    if (pv === undefined) notes.push(`cache length '${p}' unbound: taken as 0 (bind it with --dim)`);
    return { kvHeads: typeof nkv === 'number' ? nkv : null, headDim: typeof d === 'number' ? d : null, past: pv ?? 0 };
  }
  return undefined;
}

/** The dims of the transformer in a graph, or null when the graph has no repeated blocks with 2-D weights.
 * From the full pattern when findTransformer finds it; else from the weights of the repeated blocks. */
export function transformerDims(src: TransformerSource, bindings: Record<string, number>): TransformerDims | null {
  const found = findTransformer(src, bindings);
  if (found.pattern) {
    const p = found.pattern;
    return {
      layers: p.layers,
      hidden: p.hidden,
      heads: p.heads,
      kvHeads: p.kvHeads,
      headDim: p.headDim,
      ffn: p.ffn,
      gated: p.gated,
      vocab: p.vocab,
      weightsPerLayer: p.weightsPerLayer,
      past: p.past,
      notes: p.notes,
    };
  }
  return dimsFromWeights(src.model, bindings, [
    `no full transformer pattern (${found.reason}): dims read from the blocks' weights`,
  ]);
}

/** Block index in a tensor or node name (layers.3, h.7, blocks_2 ...), or null. */
const BLOCK_IN_NAME =
  /(?:^|[./])(?:layers?|h|blocks?|decoder_layer|encoder_layer|transformer_blocks)[._](\d+)(?=[./_]|$)/i;
function blockIndexOf(name: string): number | null {
  const m = BLOCK_IN_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * Dims when no MatMul roles can be found (fused attention ops, packed weights, opaque node names): blocks from
 * initializer names or node-name families; hidden = the dim block 0's matrices share most; FFN = the widest
 * other dim, gated when three matrices have it. Heads, in order: the attention op's num_heads / kv_num_heads,
 * a Reshape in block 0 splitting the hidden size into [heads, head dim], the KV-cache input
 * [batch, kv heads, past, head dim]; only when none is there is a head dim of 128 / 64 assumed (noted).
 */
function dimsFromWeights(model: Model, bindings: Record<string, number>, notes: string[]): TransformerDims | null {
  const g = model.graph;
  const byBlock = new Map<number, { name: string; dims: number[]; elements: number }[]>();
  for (const t of g.initializers) {
    const b = blockIndexOf(t.name);
    if (b === null) continue;
    let l = byBlock.get(b);
    if (!l) byBlock.set(b, (l = []));
    l.push(t);
  }
  // node names count too (the cost pass's block rule): some exporters give initializers opaque names
  const families = new Map<string, Map<number, string>>();
  for (const n of g.nodes) {
    const b = blockOf(n.name);
    const m = b ? /^(.*?)(\d+)$/.exec(b) : null;
    if (!m) continue;
    let f = families.get(m[1]);
    if (!f) families.set(m[1], (f = new Map()));
    f.set(Number(m[2]), b!);
  }
  const family = [...families.values()].sort((x, y) => y.size - x.size)[0] ?? new Map<number, string>();
  const layers = Math.max(byBlock.size, family.size);
  if (layers === 0) return null;
  const first = byBlock.size >= family.size && byBlock.size ? Math.min(...byBlock.keys()) : Math.min(...family.keys());
  const firstPath = family.get(first);
  const inBlock0 = (n: Node) =>
    firstPath !== undefined ? blockOf(n.name) === firstPath : blockIndexOf(n.name) === first;
  const block0 = [...(byBlock.get(first) ?? [])];
  const seen = new Set(block0.map((t) => t.name));
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  for (const n of g.nodes) {
    if (!inBlock0(n)) continue;
    for (const i of n.inputs) {
      const t = inits.get(i);
      if (t && !seen.has(i) && blockIndexOf(i) === null) {
        seen.add(i);
        block0.push(t);
      }
    }
  }
  const mats = block0.filter((t) => t.dims.length === 2 && t.dims[0] > 1 && t.dims[1] > 1);
  if (mats.length === 0) return null;
  const weightsPerLayer = block0.reduce((a, t) => a + t.elements, 0);
  const count = new Map<number, number>();
  for (const t of mats) for (const d of new Set(t.dims)) count.set(d, (count.get(d) ?? 0) + 1);
  const hidden = [...count.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
  const others = mats.map((t) => (t.dims[0] === hidden ? t.dims[1] : t.dims[0]));
  const ffn = Math.max(...others);
  const gated = mats.filter((t) => t.dims.includes(ffn) && ffn !== hidden).length >= 3;

  let heads = 0,
    kvHeads = 0,
    headDim = 0;
  const int = (n: Node, a: string) => (n.attrs[a]?.type === 'int' ? (n.attrs[a] as { value: number }).value : 0);
  const attn = g.nodes.find(
    (n) => /^(Attention|MultiHeadAttention|GroupQueryAttention)$/.test(n.opType) && int(n, 'num_heads') > 0,
  );
  const cache = cacheInput(g, bindings, notes);
  if (attn) {
    heads = int(attn, 'num_heads');
    kvHeads = int(attn, 'kv_num_heads') || heads;
    headDim = hidden / heads;
    notes.push(`attention heads ${heads} (${kvHeads} KV) from the ${attn.opType} op's attributes`);
  } else {
    const consts = new Map<string, number[]>();
    for (const n of g.nodes)
      if (n.opType === 'Constant' && n.attrs.value?.type === 'tensor' && n.attrs.value.value.values)
        consts.set(n.outputs[0], n.attrs.value.value.values);
    const split = g.nodes
      .filter((n) => n.opType === 'Reshape' && inBlock0(n))
      .map((n) => inits.get(n.inputs[1])?.values ?? consts.get(n.inputs[1]))
      .map((v) => (v && v.length >= 3 ? v.slice(-2) : undefined))
      .find((v): v is number[] => !!v && v[0] > 1 && v[1] > 1 && v[0] * v[1] === hidden);
    if (split) {
      [heads, headDim] = split;
      notes.push(`attention heads ${heads} from a Reshape in the first block (target [.., .., ${heads}, ${headDim}])`);
    } else if (cache?.headDim) {
      headDim = cache.headDim;
      heads = Math.max(1, Math.round(hidden / headDim));
      notes.push(`head dim ${headDim} from the KV-cache input: ${heads} heads`);
    } else {
      headDim = hidden % 128 === 0 && hidden >= 1024 ? 128 : 64;
      heads = Math.max(1, Math.round(hidden / headDim));
      notes.push(`attention heads not readable from the graph: head dim ${headDim} assumed (${heads} heads)`);
    }
    if (cache?.kvHeads && (!cache.headDim || cache.headDim === headDim)) kvHeads = cache.kvHeads;
    else {
      // the narrowest projection that is a whole number of heads (K / V under grouped-query attention)
      const kv = Math.min(...others.filter((d) => d % headDim === 0 && d <= hidden), hidden);
      kvHeads = Math.max(1, Math.round(kv / headDim));
    }
  }
  // vocabulary: the embedding table a Gather reads (rows x hidden), else the width of a projected graph output
  let vocab = 0;
  for (const n of g.nodes) {
    if (n.opType !== 'Gather') continue;
    const t = inits.get(n.inputs[0]);
    if (t && t.dims.length === 2 && t.dims[1] === hidden) vocab = Math.max(vocab, t.dims[0]);
  }
  if (!vocab)
    for (const n of g.nodes) {
      if ((n.opType === 'MatMul' || n.opType === 'Gemm') && g.outputs.some((o) => o.name === n.outputs[0])) {
        const t = inits.get(n.inputs[1]);
        if (t && t.dims.length === 2) vocab = Math.max(vocab, t.dims[0] === hidden ? t.dims[1] : t.dims[0]);
      }
    }
  return {
    layers,
    hidden,
    heads,
    kvHeads,
    headDim,
    ffn,
    gated,
    vocab,
    weightsPerLayer,
    past: cache ? cache.past : null,
    notes,
  };
}

/** One-line description for the notes. */
export function describeTransformer(s: TransformerDims): string {
  return `transformer: ${s.layers} layers, hidden ${s.hidden}, ${s.heads} heads (${s.kvHeads} KV, dim ${s.headDim}), FFN ${s.ffn}${s.gated ? ' gated' : ''}, vocab ${s.vocab}, ${(s.weightsPerLayer / 1e6).toFixed(1)}M weights per layer${s.past !== null ? `, past ${s.past}` : ''}`;
}
