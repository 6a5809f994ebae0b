// What the mappers ask for: the structure with the sizes the bindings give it (tokens per pass, batch, KV-cache
// length), the full pattern with block roles for the GPU mapper, the dims for the wafer mapper. The structure
// itself is detected once per analysis (detect.ts) so that every mapper gets the same answer.
import type { Graph } from '../onnx/ir';
import { evalDim } from '../shapes/dims';
import { detectStructure, type Detection } from './detect';
import type { PatternResult, TransformerDims, TransformerSource, TransformerStructure } from './types';
import { UNBOUND_DIM_VALUE, unboundPhrase } from '../shapes/unbound';

const cache = new WeakMap<object, Detection>();

/** The detection for a source, computed once per (model, inferred values). */
export function detection(src: TransformerSource): Detection {
  const key = src.shapes?.main.values ?? src.model;
  let d = cache.get(key);
  if (!d) {
    d = detectStructure(src);
    cache.set(key, d);
  }
  return d;
}

/** The report's `model.transformer`, or undefined when the graph has none. */
export function transformerStructure(src: TransformerSource): TransformerStructure | undefined {
  const d = detection(src);
  return d.found ? { ...d.found.structure } : undefined;
}

/** Parameters a token uses: all, less the experts it is not routed to (k of E per MoE block). */
export function activeParameterCount(src: TransformerSource, total: number): number {
  const d = detection(src).found;
  if (!d?.moe || d.structure.experts <= 0) return total;
  const { experts, expertsPerToken } = d.structure;
  return Math.round(total - d.moe.expertParams * (1 - Math.min(expertsPerToken, experts) / experts));
}

function totalParams(src: TransformerSource): number {
  return src.stats?.parameterCount ?? src.model.graph.initializers.reduce((a, t) => a + t.elements, 0);
}

/** The first KV-cache graph input ([batch, kv heads, past, head dim], named past / cache): the bound cache
 * length (UNBOUND_DIM_VALUE with a note when unbound, as the costs take it). */
function cacheInput(g: Graph, bindings: Record<string, number>, notes: string[]): { past: number } | undefined {
  const initNames = new Set(g.initializers.map((t) => t.name));
  for (const i of g.inputs) {
    if (initNames.has(i.name) || !/past|cache/i.test(i.name)) continue;
    const t = i.type;
    if (!t || t.kind !== 'tensor' || !t.dims || t.dims.length !== 4) continue;
    const p = t.dims[2];
    const pv = evalDim(p, bindings);
    if (pv === undefined) notes.push(`cache length ${unboundPhrase([String(p)])}`);
    return { past: pv ?? UNBOUND_DIM_VALUE };
  }
  return undefined;
}

/** The dims of the transformer in a graph, or null when it has none. */
export function transformerDims(src: TransformerSource, bindings: Record<string, number>): TransformerDims | null {
  const d = detection(src).found;
  // no whole heads: the mappers cost the graph per layer rather than from dims that do not hold
  if (!d || d.structure.heads === 0) return null;
  const notes = [...d.notes];
  const cache = cacheInput(src.model.graph, bindings, notes);
  const total = totalParams(src);
  const dims: TransformerDims = {
    ...d.structure,
    weightsPerLayer: d.blocks[0].params,
    past: cache ? cache.past : null,
    notes,
  };
  if (d.moe) {
    dims.activeParameterCount = activeParameterCount(src, total);
    dims.moe = d.moe;
  }
  return dims;
}

export function findTransformer(src: TransformerSource, bindings: Record<string, number>): PatternResult {
  const det = detection(src);
  if (!det.found) return { reason: det.reason };
  const d = det.found;
  if (!d.main) return { reason: 'the blocks are inside a subgraph (If branch): no per-node roles in the main graph' };
  if (d.structure.heads === 0) return { reason: 'the attention widths do not split into whole heads' };
  const dims = transformerDims(src, bindings)!;
  const notes = dims.notes;
  const g = src.model.graph;
  const ix = d.ix;
  const { vocabulary: v } = d;
  // batch from the token input's leading dim; tokens per pass from the Q projection's input (all dims but the
  // last), so that image and encoder models get their patch / sequence count
  const inputs = g.inputs.filter((i) => ix.graphInputs.has(i.name));
  const ids =
    (v.embedNode >= 0 ? inputs.find((i) => i.name === g.nodes[v.embedNode].inputs[1]) : undefined) ??
    inputs.find((i) => /input_ids|tokens/i.test(i.name)) ??
    inputs[0];
  const t = ids ? (ix.values.get(ids.name)?.type ?? ids.type) : null;
  let batch = 1,
    seq = 1,
    batchSymbolic = false;
  if (t && t.kind === 'tensor' && t.dims && t.dims.length >= 1) {
    batchSymbolic = typeof t.dims[0] === 'string';
    batch = evalDim(t.dims[0], bindings) ?? UNBOUND_DIM_VALUE;
    if (ids && v.embedNode >= 0 && t.dims.length >= 2) {
      seq = evalDim(t.dims[1], bindings) ?? UNBOUND_DIM_VALUE;
      if (evalDim(t.dims[1], bindings) === undefined) notes.push(`sequence dim ${unboundPhrase([String(t.dims[1])])}`);
    }
  }
  const first = d.blocks[0];
  const xin = ix.values.get(ix.node(first.qkv[0]).inputs[0])?.type;
  if ((v.embedNode < 0 || seq === 1) && xin && xin.kind === 'tensor' && xin.dims && xin.dims.length >= 2) {
    const lead = xin.dims.slice(0, -1).map((x) => evalDim(x, bindings));
    if (lead.every((x) => x !== undefined)) {
      const tokens = (lead as number[]).reduce((a, x) => a * x, 1);
      if (tokens >= batch && tokens % batch === 0 && tokens / batch > seq) {
        seq = tokens / batch;
        notes.push(`sequence ${seq} from the attention input's shape`);
      }
    }
  }
  const kvSeq = seq + (dims.past ?? 0);
  return {
    pattern: {
      ...dims,
      seq,
      kvSeq,
      batch,
      batchSymbolic,
      blocks: d.blocks,
      embedNode: v.embedNode,
      lmHeadNode: v.lmHeadNode,
      finalNorm: d.finalNorm,
      tiedEmbedding: v.tied,
      embeddingParams: v.embeddingParams,
      lmHeadParams: v.lmHeadParams,
      otherParams: Math.max(0, totalParams(src) - d.blockParams),
    },
  };
}

const M = (n: number) => `${(n / 1e6).toFixed(1)}M`;

/** One-line description for the notes (the exporters check parses its first part). */
export function describeTransformer(s: TransformerDims): string {
  const moe =
    s.experts > 0
      ? `, mixture of experts: ${s.experts} experts, ${s.expertsPerToken} per token${s.activeParameterCount !== undefined ? ` (${M(s.activeParameterCount)} active parameters per token)` : ''}`
      : '';
  return `transformer: ${s.layers} layers, hidden ${s.hidden}, ${s.heads} heads (${s.kvHeads} KV, dim ${s.headDim}), FFN ${s.ffn}${s.gated ? ' gated' : ''}, vocab ${s.vocab}${moe}${s.encoderDecoder ? ', cross-attention to an encoder' : ''}, ${M(s.weightsPerLayer)} weights per layer${s.past !== null ? `, past ${s.past}` : ''}`;
}
