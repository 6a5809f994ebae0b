// If-selected graphs (optimum's decoder_model_merged: If(use_cache_branch) over a with-past and a no-past
// decoder; genai's long/short rope caches): when the bindings decide a main-graph If, the chosen branch is
// inlined into the main graph, so shapes, FLOPs, memory and every target describe the one execution that
// runs (never both branches). A condition is decided by, in order:
//  1. its value, when data propagation knows it (a Greater on a bound sequence length);
//  2. a binding named like the condition input (`--dim use_cache_branch=1`);
//  3. for a boolean graph input that selects between a branch reading KV-cache inputs the other does not
//     read (the with-past branch) and one that does not: the bound past length (> 0: with past, 0: without);
//     left unbound, the with-past branch (a decode step) is taken and the note says it was assumed.
// Undecided Ifs stay as they are (costed by their larger branch, cost/ops/control.ts).
import type { Graph, Model, Node, TensorInfo } from '../onnx/ir';
import type { Diagnostic } from '../onnx/errors';
import type { ShapeResult } from './infer';
import { evalDim } from './dims';
import { outerReferences } from './scope';

export interface BranchChoice {
  /** the If node's name (or `If #index`) */
  node: string;
  branch: 'then_branch' | 'else_branch';
  /** the chosen branch graph's name */
  graph: string;
  /** why: the evidence that decided it */
  why: string;
  /** false when nothing decided it and the with-past branch was assumed */
  decided: boolean;
}

const branchOf = (n: Node, attr: 'then_branch' | 'else_branch'): Graph | undefined => {
  const a = n.attrs[attr];
  return a?.type === 'graph' ? a.value : undefined;
};

function decide(
  model: Model,
  n: Node,
  shapes: ShapeResult,
  bind: Record<string, number>,
): { then: boolean; why: string; decided: boolean } | undefined {
  const cond = n.inputs[0];
  if (!cond) return undefined;
  const d = shapes.main.values.get(cond)?.data?.[0];
  if (typeof d === 'number') return { then: d !== 0, why: `condition ${cond} evaluates to ${d !== 0}`, decided: true };
  const input = model.graph.inputs.find((i) => i.name === cond);
  if (!input) return undefined;
  if (cond in bind) return { then: bind[cond] !== 0, why: `${cond}=${bind[cond]} given`, decided: true };
  const t = input.type;
  if (!t || t.kind !== 'tensor' || t.dtype !== 9) return undefined; // a BOOL selector
  const graphInputs = new Map(model.graph.inputs.map((i) => [i.name, i]));
  const thenG = branchOf(n, 'then_branch'),
    elseG = branchOf(n, 'else_branch');
  if (!thenG || !elseG) return undefined;
  const reads = (g: Graph) => new Set([...outerReferences(g)].filter((r) => graphInputs.has(r) && r !== cond));
  const rt = reads(thenG),
    re = reads(elseG);
  const only = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x));
  const tOnly = only(rt, re),
    eOnly = only(re, rt);
  // the with-past branch reads cache inputs the other branch does not
  const cacheLike = (names: string[]) => names.filter((x) => /past|cache|key_values/i.test(x));
  let withPast: boolean | undefined;
  let cache: string[] = [];
  if (cacheLike(tOnly).length && !cacheLike(eOnly).length) [withPast, cache] = [true, cacheLike(tOnly)];
  else if (cacheLike(eOnly).length && !cacheLike(tOnly).length) [withPast, cache] = [false, cacheLike(eOnly)];
  if (withPast === undefined) return undefined;
  const wp = withPast ? 'then' : 'else';
  // the past length: the symbolic dims of the cache inputs that no other graph input carries
  const otherDims = new Set<string>();
  for (const i of model.graph.inputs) {
    if (cache.includes(i.name)) continue;
    const ti = i.type;
    if (ti?.kind === 'tensor' && ti.dims) for (const x of ti.dims) if (typeof x === 'string') otherDims.add(x);
  }
  const pastDims = new Set<string>();
  for (const c of cache) {
    const ti = graphInputs.get(c)?.type;
    if (ti?.kind === 'tensor' && ti.dims)
      for (const x of ti.dims) if (typeof x === 'string' && !otherDims.has(x)) pastDims.add(x);
  }
  const vals = [...pastDims].map((p) => [p, evalDim(p, bind)] as const);
  const zero = vals.find(([, v]) => v === 0);
  if (zero)
    return { then: !withPast, why: `${zero[0]}=0: no past, the ${withPast ? 'else' : 'then'} branch`, decided: true };
  const known = vals.filter(([, v]) => v !== undefined);
  if (known.length && known.length === vals.length)
    return {
      then: withPast,
      why: `${known.map(([p, v]) => `${p}=${v}`).join(', ')} > 0: the with-past (${wp}) branch`,
      decided: true,
    };
  return {
    then: withPast,
    why: `${cond} is not bound and the past length${pastDims.size ? ` (${[...pastDims].join(', ')})` : ''} is unknown: the with-past (${wp}) branch is assumed (a decode step); bind ${cond}=0 or the past length for the other`,
    decided: false,
  };
}

/** Copies `g` with every main-graph If the bindings decide replaced by its chosen branch's nodes. */
export function selectIfBranches(
  model: Model,
  shapes: ShapeResult,
  bind: Record<string, number>,
): { model: Model; choices: BranchChoice[]; diagnostics: Diagnostic[] } {
  const g = model.graph;
  const choices: BranchChoice[] = [];
  const diagnostics: Diagnostic[] = [];
  if (!g.nodes.some((n) => n.opType === 'If' && n.domain === '')) return { model, choices, diagnostics };
  const nodes: Node[] = [];
  const initializers: TensorInfo[] = [...g.initializers];
  const emit = (n: Node) => nodes.push({ ...n, index: nodes.length });
  for (const n of g.nodes) {
    const c = n.opType === 'If' && n.domain === '' ? decide(model, n, shapes, bind) : undefined;
    const attr = c ? (c.then ? 'then_branch' : 'else_branch') : undefined;
    const b = attr ? branchOf(n, attr) : undefined;
    if (!c || !attr || !b || b.outputs.length < n.outputs.filter(Boolean).length) {
      emit(n);
      continue;
    }
    const where = n.name || `If #${n.index}`;
    initializers.push(...b.initializers);
    for (const m of b.nodes) emit(m);
    // the If's outputs are the branch's outputs under the If's names
    n.outputs.forEach((o, k) => {
      const from = b.outputs[k]?.name;
      if (o && from && from !== o)
        emit({
          name: `${where}/${o}`,
          opType: 'Identity',
          domain: '',
          inputs: [from],
          outputs: [o],
          attrs: {},
          index: 0,
        });
    });
    choices.push({ node: where, branch: attr, graph: b.name, why: c.why, decided: c.decided });
    diagnostics.push({
      severity: c.decided ? 'info' : 'warning',
      message: `${where}: the ${attr} (${b.name}) is costed: ${c.why}; the other branch is left out`,
      node: n.name,
      graph: g.path,
    });
  }
  if (!choices.length) return { model, choices, diagnostics };
  return { model: { ...model, graph: { ...g, nodes, initializers } }, choices, diagnostics };
}
