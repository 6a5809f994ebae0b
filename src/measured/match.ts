// Maps the nodes of an onnxruntime profile back to the model's nodes. onnxruntime profiles its optimised
// graph, not the model: fusions rename nodes ("/attn/MatMul/MatMulScaleFusion/", "..._nchwc" named after the
// fused region's output tensor), layout transforms insert nodes (ReorderInput/ReorderOutput) and constant
// folding removes others. So a measured node is matched, in order of trust, by
//   1. its exact name (a node of the model), 2. its name with onnxruntime's suffixes removed (a node name, or
//   a tensor name whose producer is the anchor), 3. its output dims and op family near the previous match.
// A fused node's region runs from its anchor back up to the node of its base op type (FusedConv -> Conv):
// the activations, BatchNorms and adds fused into it. Runtime-inserted nodes (ReorderInput, Memcpy*) are
// kept apart: they cost time but have no model node. Coverage says how much measured time was attributed.
import type { ProfiledNode } from './ortProfile';

export interface GraphNodeRef {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
}

export type MatchHow = 'name' | 'renamed' | 'output' | 'shape' | 'runtime' | 'unmatched';

export interface MatchedNode extends ProfiledNode {
  /** the model's nodes this measured node executes (empty for runtime-inserted or unmatched nodes) */
  modelNodes: string[];
  how: MatchHow;
}

export interface MatchCoverage {
  measuredSeconds: number;
  /** seconds attributed to model nodes */
  matchedSeconds: number;
  /** seconds of nodes onnxruntime inserted (layout reorders, copies): no model node to attribute them to */
  runtimeSeconds: number;
  measuredNodes: number;
  matchedNodes: number;
  runtimeNodes: number;
  /** model nodes covered by some measured node */
  modelNodesCovered: number;
  modelNodes: number;
}

export interface MatchResult {
  nodes: MatchedNode[];
  coverage: MatchCoverage;
}

const RUNTIME_OPS = /^(ReorderInput|ReorderOutput|MemcpyToHost|MemcpyFromHost|Memcpy)$/;
/** onnxruntime's renames, stripped one at a time (each step gives a candidate name) */
const SUFFIXES = [
  /_nchwc$/,
  /_token_\d+$/,
  /\/[A-Za-z0-9]*Fusion[A-Za-z0-9_]*\/?$/,
  /_[A-Za-z0-9]*Fusion[A-Za-z0-9]*(_\d+)?$/,
  /\/$/,
];
/** element-wise ops onnxruntime fuses into the kernel before them (FusedConv, FusedGemm, FusedMatMul) */
const FUSABLE = /^(Relu|LeakyRelu|Sigmoid|HardSigmoid|Tanh|Clip|Elu|Selu|Softplus|Gelu|FastGelu|Add|Mul|Div|Sub)$/;
/** how far back a fused region may reach from its anchor */
const MAX_REGION = 8;
/** how far from the previous match a shape match may be */
const SHAPE_WINDOW = 64;

function candidates(name: string): string[] {
  const out = [name];
  let cur = name;
  for (let guard = 0; guard < 8; guard++) {
    let next = cur;
    for (const re of SUFFIXES) next = next.replace(re, '');
    if (next === cur || !next) break;
    out.push(next);
    cur = next;
  }
  // one suffix at a time too: "x_nchwc" where "x" is a tensor and "x_nchwc"-less names differ
  for (const re of SUFFIXES) {
    const s = name.replace(re, '');
    if (s && !out.includes(s)) out.push(s);
  }
  return out;
}

/** FusedConv -> Conv, FusedMatMul -> MatMul, QuickGelu -> Gelu; NCHWc convs keep "Conv". */
function baseOp(op: string): string {
  return op.replace(/^(Fused|Quick|Nhwc|Nchwc)/, '');
}

export function matchMeasured(
  measured: ProfiledNode[],
  graph: GraphNodeRef[],
  dimsOf: (tensor: string) => readonly number[] | null = () => null,
): MatchResult {
  const index = new Map<string, number>();
  graph.forEach((n, i) => index.set(n.name, i));
  const producer = new Map<string, number>();
  graph.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const claimed = new Uint8Array(graph.length);
  const consumers = new Map<string, number[]>();
  graph.forEach((n, i) => n.inputs.forEach((t) => t && consumers.set(t, [...(consumers.get(t) ?? []), i])));
  // nodes some measured node names exactly: they ran as themselves, so no fused region may take them
  const ranAlone = new Set(measured.map((m) => index.get(m.name)).filter((i): i is number => i !== undefined));

  /** nodes from `anchor` up through single-path producers to one of op type `base` */
  const region = (anchor: number, op: string): number[] => {
    const base = baseOp(op);
    if (graph[anchor]!.opType === base && base !== op) {
      // FusedConv/FusedGemm keep the anchor's name and absorb the activation after it
      const path = [anchor];
      let cur = anchor;
      for (let step = 0; step < 3; step++) {
        const next = consumers.get(graph[cur]!.outputs[0] ?? '') ?? [];
        const c = next[0];
        if (next.length !== 1 || c === undefined || claimed[c] || ranAlone.has(c) || !FUSABLE.test(graph[c]!.opType))
          break;
        path.unshift(c);
        cur = c;
      }
      return path;
    }
    if (!base || graph[anchor]!.opType === base || graph[anchor]!.opType === op) return [anchor];
    const path = [anchor];
    let cur = anchor;
    for (let step = 0; step < MAX_REGION; step++) {
      const up = graph[cur]!.inputs.map((i) => producer.get(i)).find((p) => p !== undefined && !claimed[p]);
      if (up === undefined) break;
      path.push(up);
      if (graph[up]!.opType === base) return path;
      cur = up;
    }
    return [anchor];
  };

  const sameDims = (a: readonly number[] | null, b: readonly number[] | undefined) =>
    !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);

  let last = -1;
  const nodes: MatchedNode[] = measured.map((m) => {
    if (RUNTIME_OPS.test(m.opType)) return { ...m, modelNodes: [], how: 'runtime' as const };
    let anchor: number | undefined;
    let how: MatchHow = 'unmatched';
    for (const c of candidates(m.name)) {
      const byName = index.get(c);
      if (byName !== undefined) {
        anchor = byName;
        how = c === m.name ? 'name' : 'renamed';
        break;
      }
      const byTensor = producer.get(c);
      if (byTensor !== undefined) {
        anchor = byTensor;
        how = 'output';
        break;
      }
    }
    if (anchor === undefined && m.outputDims.length) {
      // nearest unclaimed node after the previous match with the same output dims, preferring the same op family
      const base = baseOp(m.opType);
      let best: number | undefined;
      for (let i = Math.max(0, last + 1); i < Math.min(graph.length, last + 1 + SHAPE_WINDOW); i++) {
        if (claimed[i] || !sameDims(dimsOf(graph[i]!.outputs[0] ?? ''), m.outputDims[0])) continue;
        if (graph[i]!.opType === base || graph[i]!.opType === m.opType) {
          best = i;
          break;
        }
        best ??= i;
      }
      if (best !== undefined) {
        anchor = best;
        how = 'shape';
      }
    }
    if (anchor === undefined) return { ...m, modelNodes: [], how: 'unmatched' as const };
    const r = region(anchor, m.opType);
    for (const i of r) claimed[i] = 1;
    last = Math.max(last, anchor);
    return { ...m, modelNodes: r.reverse().map((i) => graph[i]!.name), how };
  });

  const coverage: MatchCoverage = {
    measuredSeconds: 0,
    matchedSeconds: 0,
    runtimeSeconds: 0,
    measuredNodes: nodes.length,
    matchedNodes: 0,
    runtimeNodes: 0,
    modelNodesCovered: claimed.reduce((a, c) => a + c, 0),
    modelNodes: graph.length,
  };
  for (const n of nodes) {
    coverage.measuredSeconds += n.seconds;
    if (n.how === 'runtime') {
      coverage.runtimeSeconds += n.seconds;
      coverage.runtimeNodes++;
    } else if (n.modelNodes.length) {
      coverage.matchedSeconds += n.seconds;
      coverage.matchedNodes++;
    }
  }
  return { nodes, coverage };
}
