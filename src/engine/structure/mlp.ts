// The MLP of one block, from dataflow: the up projections read the normed residual stream, the down projection
// reads what the ups produce; gated when two ups (gate, up) or one up twice the down's input width. Mixture of
// experts: a com.microsoft MoE / QMoE op (experts, k and widths from its attributes and weight dims), or a
// router projection feeding TopK over E unrolled expert FFNs.
import { backwardFind, collectUpstream, forwardFind, intAttr, type GraphIndex } from './graphIndex';

export interface MlpFacts {
  ups: number[];
  down: number;
  act: number;
  /** inner width (one expert's) and whether gated */
  ffn: number;
  gated: boolean;
  /** 0 / 0 when dense */
  experts: number;
  expertsPerToken: number;
  router: number;
  /** node indices doing expert work (the MoE op, or the unrolled expert projections) */
  expertNodes: number[];
  expertParams: number;
  routerParams: number;
  how: string;
}

/** Logical parameters of a node's stored inputs, each stored tensor once. */
export function nodeParams(ix: GraphIndex, nodes: number[], seen = new Set<string>()): number {
  let total = 0;
  for (const i of nodes)
    ix.node(i).inputs.forEach((x, k) => {
      if (!x || seen.has(x)) return;
      seen.add(x);
      // initializers only: Constant-node tensors in a block are shape arguments, not weights
      const b = ix.initBehind(x);
      if (b && ix.inits.has(b.init)) total += ix.paramsOfInput(i, k);
    });
  return total;
}

/** A weight node plus the bias Add right after it (its parameters go with the projection). */
function withBias(ix: GraphIndex, i: number): number[] {
  const c = ix.consumers.get(ix.node(i).outputs[0]) ?? [];
  const add = c.find((j) => ix.node(j).opType === 'Add' && ix.node(j).inputs.some((x) => ix.isConstant(x)));
  return add === undefined ? [i] : [i, add];
}

function moeOp(ix: GraphIndex, i: number, hidden: number): MlpFacts | undefined {
  const n = ix.node(i);
  const q = n.opType === 'QMoE';
  const fc1 = 2,
    fc2 = q ? 5 : 4,
    fc3 = q ? 8 : 6;
  const w1 = ix.tensor(n.inputs[fc1] ?? '');
  if (!w1 || w1.dims.length !== 3 || hidden <= 0) return undefined;
  const E = w1.dims[0];
  const k = intAttr(n, 'k') ?? 1;
  // per expert: fc1 maps hidden -> (2 x) inner, fc2 inner -> hidden; the logical element count over hidden is
  // the other width, whatever the layout ([E, in, out] or [E, out, in]) and packing
  const per = (idx: number) => ix.paramsOfInput(i, idx) / E / hidden;
  const fc1Out = per(fc1),
    inner = per(fc2);
  if (!Number.isInteger(inner) || inner <= 0) return undefined;
  const hasFc3 = !!n.inputs[fc3];
  const act = n.attrs.activation_type?.type === 'string' ? n.attrs.activation_type.value : '';
  const gated = hasFc3 || (intAttr(n, 'swiglu_fusion') ?? 0) > 0 || fc1Out === 2 * inner || /swiglu|glu/i.test(act);
  const expertParams = n.inputs.reduce((a, _x, idx) => (idx >= 2 ? a + ix.paramsOfInput(i, idx) : a), 0);
  const router = backwardFind(ix, n.inputs[1] ?? '', (j) => !!ix.weightOf(j), 4);
  return {
    ups: [i],
    down: i,
    act: i,
    ffn: inner,
    gated,
    experts: E,
    expertsPerToken: k,
    router,
    expertNodes: [i],
    expertParams,
    routerParams: router >= 0 ? nodeParams(ix, withBias(ix, router)) : 0,
    how: `${n.opType} op: ${E} experts, k=${k} from its attributes, expert widths from its weights`,
  };
}

/**
 * The MLP among `nodes` (a block's node indices), leaving out `exclude` (the attention projections).
 * `hidden` is the residual width.
 */
export function findMlp(ix: GraphIndex, nodes: number[], exclude: Set<number>, hidden: number): MlpFacts | undefined {
  const moe = nodes.find((i) => /^(MoE|QMoE)$/.test(ix.node(i).opType));
  if (moe !== undefined) return moeOp(ix, moe, hidden);
  const cands = nodes.filter((i) => !exclude.has(i) && ix.weightOf(i));
  if (cands.length === 0) return undefined;
  // router: a projection whose output reaches a TopK within a few ops
  let router = -1,
    k = 0,
    experts = 0;
  for (const i of cands) {
    const t = forwardFind(ix, i, (j) => ix.node(j).opType === 'TopK', 4);
    if (t < 0) continue;
    const kv = ix.intValues(ix.node(t).inputs[1] ?? '');
    const kk = kv && typeof kv[0] === 'number' ? kv[0] : (intAttr(ix.node(t), 'k') ?? 0);
    if (kk > 0) {
      router = i;
      k = kk;
      experts = ix.weightOf(i)!.N;
      break;
    }
  }
  const rest = cands.filter((i) => i !== router);
  if (rest.length === 0) return undefined;
  // the normed stream: what the router reads, else what the first projection reads
  const X = ix.node(router >= 0 ? router : rest[0]).inputs[0];
  // reads the stream directly or through a few data ops (gather / reshape / cast of the dispatched tokens),
  // never through another projection
  const readsX = (i: number) => {
    let frontier = [ix.node(i).inputs[0]];
    for (let hop = 0; hop < 4; hop++) {
      const next: string[] = [];
      for (const t of frontier) {
        if (t === X) return true;
        const p = ix.producer.get(t);
        if (p === undefined || ix.weightOf(p)) continue;
        for (const x of ix.node(p).inputs) if (x && !ix.isConstant(x)) next.push(x);
      }
      frontier = next;
    }
    return false;
  };
  const ups = rest.filter((i) => ix.weightOf(i)!.K === hidden && readsX(i));
  const upSet = new Set(ups);
  const downs = rest.filter(
    (i) =>
      !upSet.has(i) &&
      collectUpstream(
        ix,
        [ix.node(i).inputs[0]],
        (j) => !!ix.weightOf(j),
        () => false,
        32,
      ).some((j) => upSet.has(j)),
  );
  if (ups.length === 0 || downs.length === 0) return undefined;
  const down = downs[downs.length - 1];
  const ffn = ix.weightOf(down)!.K;
  const perDownUps = ups.length / downs.length;
  const gated = perDownUps >= 2 || ix.weightOf(ups[0])!.N === 2 * ffn;
  const act = ix.producer.get(ix.node(down).inputs[0]) ?? down;
  if (router >= 0 && downs.length >= 2) {
    const expertNodes = [...ups, ...downs].sort((a, b) => a - b);
    return {
      ups,
      down,
      act,
      ffn,
      gated,
      experts,
      expertsPerToken: k,
      router,
      expertNodes,
      expertParams: nodeParams(
        ix,
        expertNodes.flatMap((i) => withBias(ix, i)),
      ),
      routerParams: nodeParams(ix, withBias(ix, router)),
      how: `router projection to ${experts} experts feeding TopK k=${k}; ${downs.length} expert FFNs unrolled`,
    };
  }
  return {
    ups: ups.filter((i) => i < down),
    down,
    act,
    ffn,
    gated,
    experts: 0,
    expertsPerToken: 0,
    router: -1,
    expertNodes: [],
    expertParams: 0,
    routerParams: 0,
    how: `${ups.length} up projection(s) from the normed stream, down projection ${ffn} -> ${ix.weightOf(down)!.N}`,
  };
}
