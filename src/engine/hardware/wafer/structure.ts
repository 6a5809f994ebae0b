// Transformer structure read from the graph itself (initializer dims, /model/layers.N/ names, KV-cache
// inputs): layers, hidden, heads, KV heads, head dim, FFN width, vocab, weights per layer, context length.
// Independent of shape inference and op costs, so the decode model works while those are incomplete.
import type { Model, TensorInfo } from '../../onnx/ir';
import { evalDim } from '../../shapes/dims';

export interface TransformerStructure {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  vocab: number;
  /** weight elements of one repeated block (block 0) */
  weightsPerLayer: number;
  /** tokens already in the KV cache (bound `past`), or null when the graph has no cache input */
  past: number | null;
  /** gated MLP (gate + up + down: 3 matrices) vs 2 */
  gatedMlp: boolean;
}

const BLOCK_IN_NAME = /(?:^|[./])(?:layers?|h|blocks?|decoder_layer|encoder_layer|transformer_blocks)[._](\d+)(?=[./_]|$)/i;

/** Block index a tensor or node name belongs to, or null. */
export function blockIndexOf(name: string): number | null {
  const m = BLOCK_IN_NAME.exec(name);
  return m ? Number(m[1]) : null;
}

/** Structure of a decoder-style transformer, or null when the graph has no repeated blocks with 2-D weights. */
export function transformerStructure(model: Model, bindings: Record<string, number>): TransformerStructure | null {
  const g = model.graph;
  const byBlock = new Map<number, TensorInfo[]>();
  for (const t of g.initializers) {
    const b = blockIndexOf(t.name);
    if (b === null) continue;
    let l = byBlock.get(b);
    if (!l) byBlock.set(b, (l = []));
    l.push(t);
  }
  // Node names count too: some exporters give initializers opaque names (onnx::MatMul_123).
  const nodeBlocks = new Set<number>();
  for (const n of g.nodes) { const b = blockIndexOf(n.name); if (b !== null) nodeBlocks.add(b); }
  const layers = Math.max(byBlock.size, nodeBlocks.size);
  if (layers === 0) return null;
  // Weights of block 0: by name, else the initializers its nodes consume.
  let block0 = byBlock.get(0) ?? byBlock.get(Math.min(...byBlock.keys()));
  if (!block0 || block0.length === 0) {
    const inits = new Map(g.initializers.map((t) => [t.name, t]));
    const seen = new Set<string>();
    block0 = [];
    for (const n of g.nodes) if (blockIndexOf(n.name) === 0) for (const i of n.inputs) {
      const t = inits.get(i);
      if (t && !seen.has(i)) { seen.add(i); block0.push(t); }
    }
  }
  const mats = block0.filter((t) => t.dims.length === 2 && t.dims[0] > 1 && t.dims[1] > 1);
  if (mats.length === 0) return null;
  const weightsPerLayer = block0.reduce((a, t) => a + t.elements, 0);
  // hidden = the dim most matrices share
  const count = new Map<number, number>();
  for (const t of mats) for (const d of new Set(t.dims)) count.set(d, (count.get(d) ?? 0) + 1);
  const hidden = [...count.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0][0];
  const others = mats.map((t) => (t.dims[0] === hidden ? t.dims[1] : t.dims[0]));
  const ffn = Math.max(...others);
  const gatedMlp = mats.filter((t) => t.dims.includes(ffn) && ffn !== hidden).length >= 3;
  // KV cache inputs [batch, kvHeads, past, headDim] give heads and context directly.
  let kvHeads = 0, headDim = 0, past: number | null = null;
  const inits = new Set(g.initializers.map((t) => t.name));
  for (const i of g.inputs) {
    if (inits.has(i.name) || !/past|cache/i.test(i.name)) continue;
    const t = i.type;
    if (!t || t.kind !== 'tensor' || !t.dims || t.dims.length !== 4) continue;
    const [, nkv, p, d] = t.dims;
    if (typeof nkv === 'number' && typeof d === 'number') { kvHeads = nkv; headDim = d; }
    const pv = evalDim(p, bindings);
    if (pv !== null && pv !== undefined) past = pv;
    else if (past === null) past = 0;
    break;
  }
  if (!headDim) {
    // No cache: take the smallest hidden-wide projection (K/V under GQA) and assume 128-wide heads when hidden allows.
    headDim = hidden % 128 === 0 && hidden >= 1024 ? 128 : 64;
    const kv = Math.min(...others.filter((d) => d % headDim === 0 && d <= hidden), hidden);
    kvHeads = Math.max(1, Math.round(kv / headDim));
  }
  const heads = Math.max(1, Math.round(hidden / headDim));
  let vocab = 0;
  for (const t of g.initializers) {
    if (t.dims.length !== 2 || blockIndexOf(t.name) !== null) continue;
    if (t.dims.includes(hidden)) vocab = Math.max(vocab, t.dims[0] === hidden ? t.dims[1] : t.dims[0]);
  }
  return { layers, hidden, heads, kvHeads, headDim, ffn, vocab, weightsPerLayer, past, gatedMlp };
}

/** One-line description for the notes. */
export function describeStructure(s: TransformerStructure): string {
  return `transformer: ${s.layers} layers, hidden ${s.hidden}, ${s.heads} heads (${s.kvHeads} KV, dim ${s.headDim}), FFN ${s.ffn}${s.gatedMlp ? ' gated' : ''}, vocab ${s.vocab}, ${(s.weightsPerLayer / 1e6).toFixed(1)}M weights per layer${s.past !== null ? `, past ${s.past}` : ''}`;
}
