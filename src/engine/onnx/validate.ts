// Structural checks after reading: dangling and duplicate names, cycles, wrong attribute types.
// None of these stop profiling: each becomes a diagnostic on the node, and the rest still runs.
// Names are checked as small integers: the reader numbers every name as it decodes it (Cursor.ref),
// so each check is an array lookup, with no string hashing (on a graph file, hashing the names into
// maps cost as much as reading the file); validateModel numbers the names of a model built otherwise.
// The cycle search runs only when some node uses a value produced at or after it (an exporter's
// topological order needs none).
import type { Graph, Model } from './ir';
import type { Diagnostic } from './errors';

/** One graph's names as ids (-1: the empty name, which no check looks at). */
export interface GraphNames {
  inputs: number[];
  /** dense initializers, in order */
  inits: number[];
  /** sparse initializers (their values tensor's name), in order */
  sparseInits: number[];
  outputs: number[];
  /** per node */
  nodeNames: number[];
  /** node inputs, all nodes in order; node k's are ins[insEnd[k-1] .. insEnd[k]) */
  ins: number[];
  insEnd: number[];
  outs: number[];
  outsEnd: number[];
}

export function emptyGraphNames(): GraphNames {
  return {
    inputs: [],
    inits: [],
    sparseInits: [],
    outputs: [],
    nodeNames: [],
    ins: [],
    insEnd: [],
    outs: [],
    outsEnd: [],
  };
}

/** The ids of every graph of a model: ids run from 0 to count - 1. */
export interface ModelNames {
  count: number;
  of(g: Graph): GraphNames;
}

/** Name-table codes besides a producing node's index (>= 0). */
const GRAPH_INPUT = -1;
const INITIALIZER = -2;

/** Checks a model whose names are not numbered yet (numbers them with a Map first). */
export function validateModel(m: Model): void {
  validateModelNames(m, numberNames(m.graph));
}

export function validateModelNames(m: Model, names: ModelNames): void {
  const n = names.count;
  const st: State = {
    names,
    diags: m.diagnostics,
    serial: 0,
    stamp: new Int32Array(n),
    code: new Int32Array(n),
    open: new Int32Array(n),
    nodeStamp: new Int32Array(n),
  };
  validateGraph(m.graph, st);
}

interface State {
  names: ModelNames;
  diags: Diagnostic[];
  /** numbers each graph visit */
  serial: number;
  /** stamp[id] === the graph's serial: the graph defines id, as code[id] (a node index, GRAPH_INPUT or INITIALIZER) */
  stamp: Int32Array;
  code: Int32Array;
  /** how many graphs on the path from the main graph to this one define id (what a subgraph sees) */
  open: Int32Array;
  /** nodeStamp[id] === the graph's serial: a node of the graph has the name id */
  nodeStamp: Int32Array;
}

function validateGraph(g: Graph, st: State): void {
  const { stamp, code, open, nodeStamp, diags } = st;
  const gn = st.names.of(g);
  const serial = ++st.serial;
  const mine: number[] = []; // ids this graph defines, to close when it is done
  const define = (id: number, c: number) => {
    if (stamp[id] !== serial) {
      stamp[id] = serial;
      open[id]++;
      mine.push(id);
    }
    code[id] = c;
  };
  for (const id of gn.inputs) if (id >= 0) define(id, GRAPH_INPUT);
  const addInit = (id: number, name: string) => {
    if (id < 0) return;
    const local = stamp[id] === serial;
    if (local && code[id] === INITIALIZER) {
      diags.push({
        severity: 'warning',
        message: `initializer '${name}' is defined more than once`,
        tensor: name,
        graph: g.path,
      });
    }
    if (!local || code[id] === GRAPH_INPUT) define(id, INITIALIZER);
  };
  for (let j = 0; j < gn.inits.length; j++) addInit(gn.inits[j], g.initializers[j].name);
  for (let j = 0; j < gn.sparseInits.length; j++) addInit(gn.sparseInits[j], g.sparseInitializers[j].values.name);
  const nodes = g.nodes;
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k];
    const nn = gn.nodeNames[k];
    if (nn >= 0) {
      if (nodeStamp[nn] === serial)
        diags.push({
          severity: 'info',
          message: `node name '${n.name}' is used by more than one node`,
          node: n.name,
          graph: g.path,
        });
      nodeStamp[nn] = serial;
    }
    for (let j = k ? gn.outsEnd[k - 1] : 0, e = gn.outsEnd[k]; j < e; j++) {
      const id = gn.outs[j];
      if (id < 0) continue;
      // the first definition wins, so a redefinition does not look like a cycle
      if (stamp[id] === serial) {
        const o = n.outputs[j - (k ? gn.outsEnd[k - 1] : 0)];
        diags.push({
          severity: 'warning',
          message: `tensor '${o}' is produced more than once (SSA violated)`,
          node: n.name,
          tensor: o,
          graph: g.path,
        });
      } else define(id, k);
    }
  }
  let sorted = true;
  for (let k = 0; k < nodes.length; k++) {
    const start = k ? gn.insEnd[k - 1] : 0;
    for (let j = start, e = gn.insEnd[k]; j < e; j++) {
      const id = gn.ins[j];
      if (id < 0) continue;
      if (stamp[id] === serial) {
        if (code[id] >= k) sorted = false;
      } else if (open[id] === 0) {
        const n = nodes[k];
        const i = n.inputs[j - start];
        diags.push({
          severity: 'warning',
          message: `input '${i}' of node '${n.name || n.opType}' is produced by nothing in scope`,
          node: n.name,
          tensor: i,
          graph: g.path,
        });
      }
    }
  }
  for (let j = 0; j < gn.outputs.length; j++) {
    const id = gn.outputs[j];
    if (id >= 0 && open[id] === 0) {
      const name = g.outputs[j].name;
      diags.push({
        severity: 'warning',
        message: `graph output '${name}' is produced by nothing in scope`,
        tensor: name,
        graph: g.path,
      });
    }
  }
  // Cycle check (Kahn), needed only when the nodes are out of topological order; implicit inputs of
  // subgraphs are ignored here, they come from outer scopes.
  if (!sorted) findCycle(g, gn, st, serial);
  for (let k = 0; k < nodes.length; k++) {
    const attrs = nodes[k].attrs;
    for (const key in attrs) {
      const a = attrs[key];
      if (a.type === 'graph') validateGraph(a.value, st);
      else if (a.type === 'graphs') for (const sg of a.value) validateGraph(sg, st);
    }
  }
  for (let j = 0; j < mine.length; j++) open[mine[j]]--;
}

function findCycle(g: Graph, gn: GraphNames, st: State, serial: number): void {
  const nodes = g.nodes;
  const indeg = new Array<number>(nodes.length).fill(0);
  const users: number[][] = nodes.map(() => []);
  for (let k = 0; k < nodes.length; k++) {
    for (let j = k ? gn.insEnd[k - 1] : 0, e = gn.insEnd[k]; j < e; j++) {
      const id = gn.ins[j];
      if (id < 0 || st.stamp[id] !== serial) continue;
      const p = st.code[id];
      if (p < 0) continue;
      if (p !== k) {
        indeg[k]++;
        users[p].push(k);
      } else indeg[k] = Infinity;
    }
  }
  const queue = indeg.map((d, k) => (d === 0 ? k : -1)).filter((k) => k >= 0);
  let seen = 0;
  while (queue.length) {
    const k = queue.pop()!;
    seen++;
    for (const u of users[k]) if (--indeg[u] === 0) queue.push(u);
  }
  if (seen < nodes.length) {
    const stuck = nodes
      .filter((_, k) => indeg[k] > 0)
      .slice(0, 3)
      .map((n) => `'${n.name || n.opType}'`);
    st.diags.push({
      severity: 'error',
      message: `graph ${g.path} has a cycle through ${stuck.join(', ')}${nodes.length - seen > 3 ? ' and others' : ''}`,
      graph: g.path,
    });
  }
}

/** Numbers the names of a graph and its subgraphs with a Map (for a model the reader did not number). */
function numberNames(main: Graph): ModelNames {
  const ids = new Map<string, number>();
  const id = (s: string) => {
    if (!s) return -1;
    let v = ids.get(s);
    if (v === undefined) ids.set(s, (v = ids.size));
    return v;
  };
  const byGraph = new Map<Graph, GraphNames>();
  const visit = (g: Graph) => {
    const gn = emptyGraphNames();
    for (const v of g.inputs) gn.inputs.push(id(v.name));
    for (const t of g.initializers) gn.inits.push(id(t.name));
    for (const s of g.sparseInitializers) gn.sparseInits.push(id(s.values.name));
    for (const v of g.outputs) gn.outputs.push(id(v.name));
    for (const n of g.nodes) {
      gn.nodeNames.push(id(n.name));
      for (const i of n.inputs) gn.ins.push(id(i));
      gn.insEnd.push(gn.ins.length);
      for (const o of n.outputs) gn.outs.push(id(o));
      gn.outsEnd.push(gn.outs.length);
      for (const a of Object.values(n.attrs)) {
        if (a.type === 'graph') visit(a.value);
        else if (a.type === 'graphs') a.value.forEach(visit);
      }
    }
    byGraph.set(g, gn);
  };
  visit(main);
  return { count: ids.size, of: (g) => byGraph.get(g)! };
}
