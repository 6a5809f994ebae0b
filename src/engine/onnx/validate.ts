// Structural checks after reading: dangling and duplicate names, cycles, wrong attribute types.
// None of these stop profiling: each becomes a diagnostic on the node, and the rest still runs.
import type { Graph, Model } from './ir';
import type { Diagnostic } from './errors';

export function validateModel(m: Model): void {
  const outer = new Set<string>();
  validateGraph(m.graph, outer, m.diagnostics);
}

function validateGraph(g: Graph, outerScope: Set<string>, diags: Diagnostic[]): void {
  const defined = new Set<string>(outerScope);
  const producedHere = new Set<string>();
  const graphInputs = new Set(g.inputs.map((i) => i.name));
  for (const i of g.inputs) defined.add(i.name);
  const initNames = new Set<string>();
  for (const t of [...g.initializers, ...g.sparseInitializers.map((s) => s.values)]) {
    if (t.name && initNames.has(t.name)) {
      diags.push({ severity: 'warning', message: `initializer '${t.name}' is defined more than once`, tensor: t.name, graph: g.path });
    }
    initNames.add(t.name);
    defined.add(t.name);
  }
  const producer = new Map<string, number>();
  const nodeNames = new Set<string>();
  for (const n of g.nodes) {
    if (n.name && nodeNames.has(n.name)) {
      diags.push({ severity: 'info', message: `node name '${n.name}' is used by more than one node`, node: n.name, graph: g.path });
    }
    nodeNames.add(n.name);
    for (const o of n.outputs) {
      if (!o) continue;
      if (producedHere.has(o) || graphInputs.has(o) || initNames.has(o)) {
        diags.push({ severity: 'warning', message: `tensor '${o}' is produced more than once (SSA violated)`, node: n.name, tensor: o, graph: g.path });
      }
      // the first definition wins, so a redefinition does not look like a cycle
      if (!producedHere.has(o) && !graphInputs.has(o) && !initNames.has(o)) producer.set(o, n.index);
      producedHere.add(o);
    }
  }
  for (const o of producedHere) defined.add(o);
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i && !defined.has(i)) {
        diags.push({ severity: 'warning', message: `input '${i}' of node '${n.name || n.opType}' is produced by nothing in scope`, node: n.name, tensor: i, graph: g.path });
      }
    }
  }
  for (const o of g.outputs) {
    if (o.name && !defined.has(o.name)) {
      diags.push({ severity: 'warning', message: `graph output '${o.name}' is produced by nothing in scope`, tensor: o.name, graph: g.path });
    }
  }
  // Cycle check (Kahn); implicit inputs of subgraphs are ignored here, they come from outer scopes.
  const indeg = new Array<number>(g.nodes.length).fill(0);
  const users: number[][] = g.nodes.map(() => []);
  g.nodes.forEach((n, k) => {
    for (const i of n.inputs) {
      const p = producer.get(i);
      if (p !== undefined && p !== k) { indeg[k]++; users[p].push(k); }
      else if (p === k) indeg[k] = Infinity;
    }
  });
  const queue = indeg.map((d, k) => (d === 0 ? k : -1)).filter((k) => k >= 0);
  let seen = 0;
  while (queue.length) {
    const k = queue.pop()!;
    seen++;
    for (const u of users[k]) if (--indeg[u] === 0) queue.push(u);
  }
  if (seen < g.nodes.length) {
    const stuck = g.nodes.filter((_, k) => indeg[k] > 0).slice(0, 3).map((n) => `'${n.name || n.opType}'`);
    diags.push({ severity: 'error', message: `graph ${g.path} has a cycle through ${stuck.join(', ')}${g.nodes.length - seen > 3 ? ' and others' : ''}`, graph: g.path });
  }
  for (const n of g.nodes) {
    for (const a of Object.values(n.attrs)) {
      if (a.type === 'graph') validateGraph(a.value, defined, diags);
      else if (a.type === 'graphs') for (const sg of a.value) validateGraph(sg, defined, diags);
    }
  }
}
