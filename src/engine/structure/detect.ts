// Transformer structure from the graph's structure, not its names: one repeated block per self-attention
// (attention.ts), its range in node order from the norm before its Q projection to the next block's; cross-
// attention (keys not derived from the token stream) marks an encoder-decoder; the MLP / MoE of each block
// (mlp.ts); the vocabulary (embedding.ts). Binding-independent: computed once per analysis.
import type { Graph } from '../onnx/ir';
import { findAttention, hasAttentionAnchor, type AttentionUnit } from './attention';
import { GraphIndex, reachableFrom } from './graphIndex';
import { findMlp, nodeParams, type MlpFacts } from './mlp';
import { findVocabulary, type Vocabulary } from './embedding';
import type { BlockRoles, MoeFacts, TransformerSource, TransformerStructure } from './types';

export interface Detected {
  /** the graph the blocks are in: the main graph, or an If branch (optimum's merged decoder) */
  graph: Graph;
  main: boolean;
  ix: GraphIndex;
  structure: TransformerStructure;
  blocks: BlockRoles[];
  vocabulary: Vocabulary;
  finalNorm: number;
  moe?: MoeFacts;
  blockParams: number;
  notes: string[];
}

export type Detection = { found: Detected; reason?: undefined } | { found?: undefined; reason: string };

const NORM_OP = /LayerNormalization$|^RMSNormalization$/;

/** First node (in node order) of the norm in front of a block's Q projection: the fused norm op, or the chain
 * of single-consumer ops (Pow, ReduceMean, Sqrt, Div, Mul ...) computing it from the residual stream. */
function normStart(ix: GraphIndex, tensor: string): number {
  const p = ix.producer.get(tensor);
  if (p === undefined) return -1;
  let first = p;
  const stack = [p];
  const seen = new Set<number>([p]);
  while (stack.length && seen.size < 24) {
    const i = stack.pop()!;
    first = Math.min(first, i);
    const n = ix.node(i);
    if (NORM_OP.test(n.opType) || ix.weightOf(i)) continue;
    for (const x of n.inputs) {
      if (!x || ix.isConstant(x) || (ix.consumers.get(x)?.length ?? 0) !== 1) continue;
      const q = ix.producer.get(x);
      if (q === undefined || seen.has(q) || ix.weightOf(q) || /Attention|MoE/.test(ix.node(q).opType)) continue;
      seen.add(q);
      stack.push(q);
    }
  }
  return first;
}

/** The node after `i` when it is an Add (bias, then residual): where a block's last projection ends. */
function tailOf(ix: GraphIndex, i: number): number {
  let end = i;
  for (let hop = 0; hop < 2; hop++) {
    const c = ix.consumers.get(ix.node(end).outputs[0]) ?? [];
    if (c.length !== 1 || ix.node(c[0]).opType !== 'Add') break;
    end = c[0];
  }
  return end;
}

function subgraphsOf(g: Graph): Graph[] {
  const out: Graph[] = [];
  for (const n of g.nodes)
    for (const a of Object.values(n.attrs)) {
      if (a.type === 'graph') out.push(a.value);
      else if (a.type === 'graphs') out.push(...a.value);
    }
  return out;
}

function unitsIn(g: Graph, src: TransformerSource, outer?: GraphIndex): { ix: GraphIndex; units: AttentionUnit[] } {
  const ix = new GraphIndex(g, outer ? undefined : src.shapes?.main.values, outer);
  return { ix, units: findAttention(ix) };
}

const NO_ATTENTION = 'no attention (no attention op, no Softmax between activation x activation MatMuls)';

export function detectStructure(src: TransformerSource): Detection {
  const g0 = src.model.graph;
  // no attention op or Softmax in the graph or its subgraphs: no unit can be found (skip indexing the graph)
  if (!hasAttentionAnchor(g0) && !subgraphsOf(g0).some(hasAttentionAnchor)) return { reason: NO_ATTENTION };
  let { ix, units } = unitsIn(g0, src);
  let graph = g0,
    main = true;
  const notes: string[] = [];
  if (units.length === 0) {
    // an If / Loop holding the blocks (optimum's merged decoder: with and without past in two branches)
    const outer = ix;
    for (const sg of subgraphsOf(g0)) {
      const r = unitsIn(sg, src, outer);
      if (r.units.length > units.length) {
        ({ ix, units } = r);
        graph = sg;
        main = false;
      }
    }
    if (!main) notes.push('blocks found inside a subgraph (an If / Loop body) of the main graph');
  }
  if (units.length === 0) return { reason: NO_ATTENTION };
  // cross-attention: keys that do not derive from the stream the first attention's queries read
  const stream = reachableFrom(ix, units[0].queryInput);
  for (const u of units) u.cross = !stream.has(u.keyTensor);
  const self = units.filter((u) => !u.cross);
  const cross = units.filter((u) => u.cross);
  if (self.length === 0) return { reason: 'every attention reads its keys from outside the token stream' };
  const hiddenOf = (u: AttentionUnit) => ix.weightOf(u.q[0])?.K ?? 0;
  const hidden = hiddenOf(self[0]);
  const blocksU = self.filter((u) => hiddenOf(u) === hidden);
  if (blocksU.length !== self.length)
    notes.push(`${self.length - blocksU.length} attention(s) of another width left out of the repeated blocks`);
  const attnNodes = new Set<number>();
  for (const u of units) for (const i of [...u.q, ...u.k, ...u.v, u.oproj, u.anchor]) if (i >= 0) attnNodes.add(i);
  const starts = blocksU.map((u) => {
    const s = normStart(ix, u.queryInput);
    return s >= 0 ? Math.min(s, ...u.q) : Math.min(...u.q);
  });
  const blocks: BlockRoles[] = [];
  const mlps: (MlpFacts | undefined)[] = [];
  const counted = new Set<string>();
  let blockParams = 0;
  blocksU.forEach((u, j) => {
    let end = j + 1 < starts.length ? starts[j + 1] : graph.nodes.length;
    const range = (e: number) => Array.from({ length: Math.max(0, e - starts[j]) }, (_, k) => starts[j] + k);
    const mlp = findMlp(ix, range(end), attnNodes, hidden);
    if (j + 1 === starts.length) {
      const last = Math.max(
        u.oproj,
        u.anchor,
        mlp ? tailOf(ix, mlp.down) : -1,
        ...cross.map((c) => (c.oproj > u.anchor ? c.oproj : -1)),
      );
      end = tailOf(ix, last) + 1;
    }
    mlps.push(mlp);
    // Constant nodes are shared shape arguments, not block work (the exporter may place one anywhere)
    const nodes = range(end).filter((i) => ix.node(i).opType !== 'Constant');
    const scope = new Set(nodes);
    const first = (t: string) => {
      const c = (ix.consumers.get(t) ?? []).filter((i) => scope.has(i));
      return c.length ? Math.min(...c) : -1;
    };
    const crossHere = cross
      .filter((c) => scope.has(c.anchor))
      .flatMap((c) => [...c.q, ...c.k, ...c.v, c.scores, c.softmax, c.context, c.oproj]);
    const params = nodeParams(ix, nodes, counted);
    blockParams += params;
    const oproj = u.oproj;
    blocks.push({
      prefix: `block ${j}`,
      nodes,
      ln1: ix.producer.get(u.queryInput) ?? u.q[0],
      qkv: [...new Set([...u.q, ...u.k, ...u.v])].sort((a, b) => a - b),
      scores: u.scores,
      softmax: u.softmax,
      context: u.context,
      oproj,
      bda1: oproj >= 0 ? first(ix.node(oproj).outputs[0]) : -1,
      ln2: mlp ? (ix.producer.get(ix.node(mlp.ups[0]).inputs[0]) ?? -1) : -1,
      up: mlp ? mlp.ups : [],
      act: mlp ? mlp.act : -1,
      down: mlp ? mlp.down : -1,
      bda2: mlp ? first(ix.node(mlp.down).outputs[0]) : -1,
      params,
      cross: [...new Set(crossHere.filter((i) => i >= 0))],
    });
  });
  const u0 = blocksU[0];
  let { heads, kvHeads, headDim } = u0;
  if (heads > 0) notes.push(`attention heads ${heads} (${kvHeads} KV, dim ${headDim}) from ${u0.how}`);
  else {
    const cache = cacheDims(src.model.graph);
    const qN = ix.weightOf(u0.q[0])!.N;
    if (cache) {
      headDim = cache.headDim;
      kvHeads = cache.kvHeads;
      heads = Math.max(1, Math.round(qN / headDim));
      notes.push(`head dim ${headDim} and ${kvHeads} KV heads from the KV-cache input: ${heads} heads`);
    } else {
      headDim = qN % 128 === 0 && qN >= 1024 ? 128 : 64;
      heads = Math.max(1, Math.round(qN / headDim));
      kvHeads = heads;
      notes.push(`attention heads not readable from the graph: head dim ${headDim} assumed (${heads} heads)`);
    }
  }
  if (![heads, kvHeads, headDim].every((x) => Number.isInteger(x) && x > 0)) {
    // widths that do not split into whole heads (an odd export): say so rather than report fractions
    notes.push(`heads ${heads} / KV heads ${kvHeads} / head dim ${headDim} are not whole numbers: reported as 0`);
    heads = kvHeads = headDim = 0;
  }
  const m0 = mlps.find((m) => m);
  if (m0) notes.push(`MLP: ${m0.how}`);
  else notes.push('no MLP found in the blocks');
  const blockNodes = new Set(blocks.flatMap((b) => b.nodes));
  const lastEnd = blocks[blocks.length - 1].nodes.at(-1)! + 1;
  const vocabulary = findVocabulary(ix, hidden, blockNodes, lastEnd);
  const finalNorm = vocabulary.lmHeadNode >= 0 ? (ix.producer.get(ix.node(vocabulary.lmHeadNode).inputs[0]) ?? -1) : -1;
  let moe: MoeFacts | undefined;
  const moeBlocks = mlps.filter((m): m is MlpFacts => !!m && m.experts > 0);
  if (moeBlocks.length) {
    moe = {
      form:
        moeBlocks[0].expertNodes.length === 1 && /MoE/.test(ix.node(moeBlocks[0].expertNodes[0]).opType)
          ? 'op'
          : 'unrolled',
      expertParams: moeBlocks.reduce((a, m) => a + m.expertParams, 0),
      routerParams: moeBlocks.reduce((a, m) => a + m.routerParams, 0),
      expertNodes: moeBlocks.map((m) => m.expertNodes),
    };
  }
  const structure: TransformerStructure = {
    layers: blocks.length,
    hidden,
    heads,
    kvHeads,
    headDim,
    ffn: m0?.ffn ?? 0,
    gated: m0?.gated ?? false,
    vocab: vocabulary.vocab,
    experts: m0?.experts ?? 0,
    expertsPerToken: m0?.expertsPerToken ?? 0,
    encoderDecoder: cross.length > 0,
  };
  if (cross.length)
    notes.push(`${cross.length} cross-attention(s) reading an encoder's output: a decoder of an encoder-decoder model`);
  return { found: { graph, main, ix, structure, blocks, vocabulary, finalNorm, moe, blockParams, notes } };
}

/** KV-cache dims from the first 4-D cache-like graph input [batch, kv heads, past, head dim]. */
export function cacheDims(g: Graph): { kvHeads: number; headDim: number } | undefined {
  const initNames = new Set(g.initializers.map((t) => t.name));
  for (const i of g.inputs) {
    if (initNames.has(i.name) || !/past|cache/i.test(i.name)) continue;
    const t = i.type;
    if (!t || t.kind !== 'tensor' || !t.dims || t.dims.length !== 4) continue;
    const [, nkv, , d] = t.dims;
    if (typeof nkv === 'number' && typeof d === 'number' && nkv > 0 && d > 0) return { kvHeads: nkv, headDim: d };
  }
  return undefined;
}
