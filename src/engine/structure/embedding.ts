// Token embedding and LM head. The embedding is a Gather (or GatherBlockQuantized: rows x packed bytes x 8 /
// bits) from a stored [V, hidden] table indexed by a graph input; the LM head is a projection from the hidden
// width after the last block onto V (tied: the same table) feeding a graph output. Classification or pooler heads
// are not LM heads.
import type { GraphIndex } from './graphIndex';

export interface Vocabulary {
  embedNode: number;
  embedInit: string;
  embedRows: number;
  embeddingParams: number;
  lmHeadNode: number;
  lmHeadParams: number;
  tied: boolean;
  vocab: number;
}

function embeddingOf(
  ix: GraphIndex,
  i: number,
  hidden: number,
): { init: string; rows: number; params: number } | undefined {
  const n = ix.node(i);
  if (n.opType !== 'Gather' && n.opType !== 'GatherBlockQuantized') return undefined;
  const b = ix.initBehind(n.inputs[0]);
  if (!b) return undefined;
  const t = ix.tensor(b.init)!;
  if (t.dims.length < 2) return undefined;
  // a tied table may be the LM head's [hidden, V] weight transposed (genai fp32)
  const rows = b.transposed && t.dims.length === 2 ? t.dims[1] : t.dims[0];
  if (rows < 2) return undefined;
  const cols = ix.paramsOfInput(i, 0) / rows;
  if (cols !== hidden) return undefined;
  return { init: b.init, rows, params: rows * hidden };
}

/** Does the node's output reach a graph output within a few single-input ops (bias, cast, reshape)? */
function feedsOutput(ix: GraphIndex, i: number): boolean {
  let t = ix.node(i).outputs[0];
  for (let hop = 0; hop < 4; hop++) {
    if (ix.graphOutputs.has(t)) return true;
    const c = ix.consumers.get(t) ?? [];
    if (c.length !== 1) return false;
    t = ix.node(c[0]).outputs[0];
  }
  return ix.graphOutputs.has(t);
}

export function findVocabulary(
  ix: GraphIndex,
  hidden: number,
  blockNodes: Set<number>,
  lastBlockEnd: number,
): Vocabulary {
  let embedNode = -1,
    embed: { init: string; rows: number; params: number } | undefined,
    score = -1;
  ix.g.nodes.forEach((n, i) => {
    if (blockNodes.has(i)) return;
    const e = embeddingOf(ix, i, hidden);
    if (!e) return;
    const s = (ix.graphInputs.has(n.inputs[1]) ? 1e15 : 0) + e.rows;
    if (s > score) {
      score = s;
      embedNode = i;
      embed = e;
    }
  });
  let lmHeadNode = -1;
  for (let i = ix.g.nodes.length - 1; i >= lastBlockEnd && lmHeadNode < 0; i--) {
    if (blockNodes.has(i)) continue;
    const w = ix.weightOf(i);
    if (!w || w.K !== hidden) continue;
    // without a token embedding a wide output projection is a classifier (ViT), not an LM head
    if (embed && (w.init === embed.init || w.N === embed.rows) && feedsOutput(ix, i)) lmHeadNode = i;
  }
  const lw = lmHeadNode >= 0 ? ix.weightOf(lmHeadNode) : undefined;
  const tied = !!lw && !!embed && lw.init === embed.init;
  const lmNode = lmHeadNode >= 0 ? ix.node(lmHeadNode) : undefined;
  return {
    embedNode,
    embedInit: embed?.init ?? '',
    embedRows: embed?.rows ?? 0,
    embeddingParams: embed?.params ?? 0,
    lmHeadNode,
    lmHeadParams:
      lw && !tied && lmNode ? lmNode.inputs.reduce((a, _x, k) => a + ix.paramsOfInput(lmHeadNode, k), 0) : 0,
    tied,
    vocab: lw?.N ?? 0,
  };
}
