// Transformer structure read from the graph itself (initializer dims, /model/layers.N/ names, KV-cache
// inputs): layers, hidden, heads, KV heads, head dim, FFN width, vocab, weights per layer, context length.
// Independent of shape inference and op costs, so the decode model works while those are incomplete.
import type { Model, TensorInfo } from '../../onnx/ir';
import { evalDim } from '../../shapes/dims';
import { blockOf } from '../../cost/kernels';

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
  // Node names count too (the cost pass's block rule: /model/layers.3/..., /encoder.0/..., /h.7/...): some
  // exporters give initializers opaque names (onnx::MatMul_123) while the nodes keep the module path.
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
  // Weights of the first block: named in it, or consumed by its nodes
  const first = byBlock.size >= family.size && byBlock.size ? Math.min(...byBlock.keys()) : Math.min(...family.keys());
  const firstPath = family.get(first);
  const block0: TensorInfo[] = [...(byBlock.get(first) ?? [])];
  const seen = new Set(block0.map((t) => t.name));
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  for (const n of g.nodes) {
    if (!(firstPath !== undefined ? blockOf(n.name) === firstPath : blockIndexOf(n.name) === first)) continue;
    for (const i of n.inputs) {
      const t = inits.get(i);
      if (t && !seen.has(i) && blockIndexOf(i) === null) { seen.add(i); block0.push(t); }
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
  // vocab: the embedding table a Gather reads (rows x hidden), else the width of a projected graph output
  let vocab = 0;
  for (const n of g.nodes) {
    if (n.opType !== 'Gather') continue;
    const t = inits.get(n.inputs[0]);
    if (t && t.dims.length === 2 && t.dims[1] === hidden) vocab = Math.max(vocab, t.dims[0]);
  }
  if (!vocab) for (const n of g.nodes) {
    if ((n.opType === 'MatMul' || n.opType === 'Gemm') && g.outputs.some((o) => o.name === n.outputs[0])) {
      const t = inits.get(n.inputs[1]);
      if (t && t.dims.length === 2) vocab = Math.max(vocab, t.dims[0] === hidden ? t.dims[1] : t.dims[0]);
    }
  }
  return { layers, hidden, heads, kvHeads, headDim, ffn, vocab, weightsPerLayer, past, gatedMlp };
}

/** One-line description for the notes. */
export function describeStructure(s: TransformerStructure): string {
  return `transformer: ${s.layers} layers, hidden ${s.hidden}, ${s.heads} heads (${s.kvHeads} KV, dim ${s.headDim}), FFN ${s.ffn}${s.gatedMlp ? ' gated' : ''}, vocab ${s.vocab}, ${(s.weightsPerLayer / 1e6).toFixed(1)}M weights per layer${s.past !== null ? `, past ${s.past}` : ''}`;
}
