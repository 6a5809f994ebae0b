// Shape inference driver: walks each graph in topological order, calls the op family's InferFn,
// propagates small integer data (Shape -> Gather -> Concat -> Reshape), recurses into subgraphs
// and model-local functions, and fills what it cannot infer from the model's declared value_info.
import type { FunctionDef, Graph, Model, Node, ValueInfo, ValueType } from '../onnx/ir';
import type { Diagnostic } from '../onnx/errors';
import { SHAPE_RULES } from './ops';
import { DATA_MAX, ShapeError, type InferCtx, type Value } from './types';
import { bindDim, dimSymbols } from './dims';
import { valueFromTensor } from './tensorValue';
import { LIMITS, LimitError } from '../limits';
export { valueFromTensor };
import { outerReferences } from './scope';
import { graphIds, outsStart, type GraphIds } from '../onnx/nameIds';

export interface InferOptions {
  /** values for symbolic dims, e.g. { batch: 1, seq: 128 } */
  bindings?: Record<string, number>;
  /** fill dims left unknown from declared value_info / graph outputs (default true) */
  useDeclared?: boolean;
}

/** Per-graph scope of inferred values. */
export interface GraphShapes {
  graph: Graph;
  values: Map<string, Value>;
  /** node index -> inferred body shapes, for nodes that call a model-local function */
  functionBodies: Map<number, { fn: FunctionDef; nodes: Node[]; shapes: GraphShapes }>;
  /** main graph (when node k is g.nodes[k]): node outputs' values by name id (onnx/nameIds.ts), the same as
   * `values` has for them, for passes that walk the nodes by index without hashing every name */
  outputsById?: { ids: GraphIds; values: (Value | undefined)[] };
}

export interface ShapeResult {
  main: GraphShapes;
  /** every graph scope, main first, by graph path */
  graphs: Map<string, GraphShapes>;
  diagnostics: Diagnostic[];
  /** symbols still unbound in main-graph tensors */
  unboundSymbols: string[];
  /** how many tensors took dims from declared value_info because inference left them unknown */
  filledFromDeclared: number;
}

function bindType(t: ValueType | null, bind: Record<string, number>): ValueType | null {
  if (!t) return t;
  if (t.kind === 'tensor' || t.kind === 'sparse_tensor')
    return { ...t, dims: t.dims ? t.dims.map((d) => bindDim(d, bind)) : null };
  if (t.kind === 'sequence' || t.kind === 'optional') return { ...t, elem: bindType(t.elem, bind) };
  if (t.kind === 'map') return { ...t, value: bindType(t.value, bind) };
  return t;
}

/** Merge an inferred type with a declared one: inferred wins, declared fills unknown rank/dims/dtype. */
function mergeDeclared(inf: ValueType | null, dec: ValueType | null): { type: ValueType | null; filled: boolean } {
  if (!dec) return { type: inf, filled: false };
  if (!inf) return { type: dec, filled: true };
  if ((inf.kind === 'tensor' || inf.kind === 'sparse_tensor') && inf.kind === dec.kind) {
    let filled = false;
    const dtype = inf.dtype || dec.dtype;
    let dims = inf.dims;
    if (!dims && dec.dims) {
      dims = dec.dims;
      filled = true;
    } else if (dims && dec.dims && dims.length === dec.dims.length) {
      dims = dims.map((d, i) => {
        const e = dec.dims![i];
        if (d === null && e !== null) {
          filled = true;
          return e;
        }
        // a fresh anonymous symbol of ours loses to a declared number
        if (typeof d === 'string' && d.startsWith('unk__') && typeof e === 'number') {
          filled = true;
          return e;
        }
        return d;
      });
    }
    return { type: { ...inf, dtype, dims }, filled };
  }
  return { type: inf, filled: false };
}

class Inferencer {
  readonly diagnostics: Diagnostic[] = [];
  readonly graphs = new Map<string, GraphShapes>();
  filled = 0;
  private depth = 0;
  /** nodes of ops without an inference rule, and their diagnostic (completed with where the outputs came from) */
  private readonly unknownOps = new Map<Node, Diagnostic>();
  /** nodes expanded from function bodies so far (LIMITS.maxFunctionExpansionNodes) */
  private expanded = 0;
  /** functions being expanded, outermost first: a call to one of them is recursion */
  private readonly calling: string[] = [];
  private budgetReported = false;
  constructor(
    readonly model: Model,
    readonly opts: Required<InferOptions>,
  ) {}

  opsetFor(domain: string, opsets: Record<string, number>): number {
    return opsets[domain] ?? (domain === '' ? (opsets['ai.onnx'] ?? 1) : 1);
  }

  inferGraph(
    g: Graph,
    parent: ((name: string) => Value | undefined) | null,
    inputValues: (Value | undefined)[] | null,
    opsets: Record<string, number>,
  ): GraphShapes {
    const bind = this.opts.bindings;
    const values = new Map<string, Value>();
    const gs: GraphShapes = { graph: g, values, functionBodies: new Map() };
    this.graphs.set(g.path, gs);
    const lookupValue = (name: string): Value | undefined => values.get(name) ?? (parent ? parent(name) : undefined);
    for (const t of g.initializers) values.set(t.name, valueFromTensor(t));
    for (const t of g.sparseInitializers)
      values.set(t.values.name, { type: { kind: 'sparse_tensor', dtype: t.values.dtype, dims: t.dims } });
    g.inputs.forEach((vi, k) => {
      const given = inputValues ? inputValues[k] : undefined;
      if (given) {
        values.set(vi.name, this.mergeInput(given, vi));
        return;
      }
      if (values.has(vi.name)) return; // IR < 4: initializer listed as input; its tensor is authoritative
      values.set(vi.name, { type: bindType(vi.type, bind) });
    });
    const declared = new Map<string, ValueInfo>();
    for (const vi of g.valueInfo) declared.set(vi.name, vi);
    for (const vi of g.outputs) declared.set(vi.name, vi);
    const useDeclared = this.opts.useDeclared && declared.size > 0;
    let ids: GraphIds | undefined;
    if (parent === null && inputValues === null && g.nodes.every((n, k) => n.index === k)) {
      ids = graphIds(g);
      gs.outputsById = { ids, values: new Array<Value | undefined>(ids.count) };
    }
    for (const node of topoOrder(g)) {
      const inputs = new Array<Value | undefined>(node.inputs.length);
      for (let k = 0; k < inputs.length; k++) {
        const n = node.inputs[k];
        inputs[k] = n ? lookupValue(n) : undefined;
      }
      const outs = this.inferNode(node, inputs, lookupValue, opsets, g, gs);
      for (let k = 0; k < node.outputs.length; k++) {
        const o = node.outputs[k];
        if (!o) continue;
        let v = outs[k];
        const dec = useDeclared ? declared.get(o) : undefined;
        if (dec) {
          const m = mergeDeclared(v?.type ?? null, bindType(dec.type, bind));
          if (m.filled) this.filled++;
          v = { ...(v ?? {}), type: m.type };
        }
        const value = v ? sharedWithInput(v, inputs) : { type: null };
        values.set(o, value);
        if (ids) {
          const id = ids.names.outs[outsStart(ids, node.index) + k];
          if (id >= 0) gs.outputsById!.values[id] = value;
        }
      }
      const unknown = this.unknownOps.get(node);
      if (unknown) {
        unknown.message += ': ' + outputsOrigin(node, values, this.opts.useDeclared ? declared : new Map());
        this.unknownOps.delete(node);
      }
    }
    return gs;
  }

  private mergeInput(given: Value, vi: ValueInfo): Value {
    if (given.type) return given;
    return { ...given, type: bindType(vi.type, this.opts.bindings) };
  }

  inferNode(
    node: Node,
    inputs: (Value | undefined)[],
    lookupValue: (n: string) => Value | undefined,
    opsets: Record<string, number>,
    g: Graph,
    gs: GraphShapes,
  ): (Value | undefined)[] {
    const domain = node.domain;
    const fnDef = this.model.functions.length
      ? this.model.functions.find((f) => f.name === node.opType && f.domain === domain)
      : undefined;
    if (fnDef) return this.inferFunctionCall(node, fnDef, inputs, gs);
    const fn = SHAPE_RULES.lookup(domain, node.opType);
    if (!fn) {
      const d: Diagnostic = {
        severity: 'warning',
        message: `no shape inference for ${domain ? domain + '.' : ''}${node.opType} (opset ${this.opsetFor(domain, opsets)})`,
        node: node.name,
        graph: g.path,
      };
      this.diagnostics.push(d);
      this.unknownOps.set(node, d);
      return [];
    }
    const ctx = new NodeCtx(this, node, this.opsetFor(domain, opsets), opsets, inputs, g, lookupValue);
    try {
      const out = fn(ctx);
      return out.map((v) => (v?.data && v.data.length > DATA_MAX ? { type: v.type } : v));
    } catch (e) {
      if (e instanceof LimitError) {
        this.diagnostics.push({
          severity: 'error',
          message: `${nodeWhere(node)} (${node.opType}): ${e.message}`,
          node: node.name,
          graph: g.path,
          limit: e.limit,
        });
        return [];
      }
      if (e instanceof ShapeError) {
        this.diagnostics.push({
          severity: 'error',
          message: `${nodeWhere(node)} (${node.opType}): ${e.message}`,
          node: node.name,
          graph: g.path,
        });
        return [];
      }
      this.diagnostics.push({
        severity: 'error',
        message: `${nodeWhere(node)} (${node.opType}): shape inference failed: ${(e as Error).message}`,
        node: node.name,
        graph: g.path,
      });
      return [];
    }
  }

  /** Infers subgraph `sg` of a node with the given input values, in a scope nested in the node's. */
  inferSubgraph(
    sg: Graph,
    sgInputs: (Value | undefined)[],
    lookupValue: (n: string) => Value | undefined,
    opsets: Record<string, number>,
  ): (Value | undefined)[] {
    if (++this.depth > 64) throw new ShapeError('subgraphs nested too deep');
    try {
      const sub = this.inferGraph(sg, lookupValue, sgInputs, opsets);
      return sg.outputs.map((o) => sub.values.get(o.name));
    } finally {
      this.depth--;
    }
  }

  /** Expands a call to a model-local function: its body is inferred with the call's attributes substituted. */
  inferFunctionCall(
    node: Node,
    fn: FunctionDef,
    inputs: (Value | undefined)[],
    gs: GraphShapes,
  ): (Value | undefined)[] {
    const key = `${fn.domain}.${fn.name}`;
    const where = `${gs.graph.path}/${node.name || node.opType + '_' + node.index}`;
    const refuse = (message: string, limit: string): [] => {
      this.diagnostics.push({ severity: 'error', message, node: node.name, graph: gs.graph.path, limit });
      return [];
    };
    // ONNX forbids recursive functions; expanding one would never end (or end after 2^depth copies)
    if (this.calling.includes(key))
      return refuse(
        `${where}: function ${key} calls itself (${[...this.calling, key].join(' -> ')}); ONNX functions may not be recursive (limit maxFunctionDepth)`,
        'maxFunctionDepth',
      );
    if (this.depth + 1 > LIMITS.maxFunctionDepth)
      return refuse(
        `${where}: function ${key} nested deeper than the limit maxFunctionDepth (${LIMITS.maxFunctionDepth})`,
        'maxFunctionDepth',
      );
    // fan-out: each call copies the body, so a body that calls another function twice doubles per level
    this.expanded += fn.nodes.length;
    if (this.expanded > LIMITS.maxFunctionExpansionNodes) {
      if (this.budgetReported) return [];
      this.budgetReported = true;
      return refuse(
        `${where}: expanding function ${key} passes the limit maxFunctionExpansionNodes (${LIMITS.maxFunctionExpansionNodes} nodes expanded from function bodies); later calls are left unexpanded`,
        'maxFunctionExpansionNodes',
      );
    }
    this.depth++;
    this.calling.push(key);
    try {
      const path = `${gs.graph.path}/${node.name || node.opType + '_' + node.index}.${fn.name}`;
      const nodes = fn.nodes.map((n) => substituteAttrs(n, node, fn, `function ${fn.domain}.${fn.name}`, path));
      const body: Graph = {
        name: fn.name,
        path,
        nodes,
        inputs: fn.inputs.map((name) => ({ name, type: null })),
        outputs: fn.outputs.map((name) => ({ name, type: null })),
        valueInfo: fn.valueInfo,
        initializers: [],
        sparseInitializers: [],
      };
      const opsets = { ...this.model.opsets, ...fn.opsets };
      const shapes = this.inferGraph(body, null, inputs, opsets);
      gs.functionBodies.set(node.index, { fn, nodes, shapes });
      return fn.outputs.map((o) => shapes.values.get(o));
    } finally {
      this.depth--;
      this.calling.pop();
    }
  }
}

/** The context an op's inference rule sees: one object per node, its methods on the prototype (no closures). */
class NodeCtx implements InferCtx {
  constructor(
    private readonly inf: Inferencer,
    readonly node: Node,
    readonly opset: number,
    readonly opsets: Record<string, number>,
    readonly inputs: (Value | undefined)[],
    private readonly g: Graph,
    private readonly lookupValue: (n: string) => Value | undefined,
  ) {}
  fail(message: string): never {
    throw new ShapeError(message);
  }
  warn(message: string): void {
    const node = this.node;
    this.inf.diagnostics.push({
      severity: 'info',
      message: `${nodeWhere(node)}: ${message}`,
      node: node.name,
      graph: this.g.path,
    });
  }
  inferSubgraph(sg: Graph, sgInputs: (Value | undefined)[]): (Value | undefined)[] {
    return this.inf.inferSubgraph(sg, sgInputs, this.lookupValue, this.opsets);
  }
}

/** How diagnostics name a node: its name, or its op and index. */
function nodeWhere(node: Node): string {
  return node.name || `${node.opType} #${node.index}`;
}

/** A value that holds nothing but its type (no data, no sequence items). */
function onlyType(v: Value): boolean {
  for (const k in v) if (k !== 'type') return false;
  return true;
}

/** `v`, or an input's value when it is the same plain tensor type (elementwise ops, most of a graph): the graph's
 * values then share one type and dims array along a chain instead of one per tensor. */
function sharedWithInput(v: Value, inputs: (Value | undefined)[]): Value {
  const t = v.type;
  if (!t || t.kind !== 'tensor' || !t.dims || !onlyType(v)) return v;
  for (let k = 0; k < inputs.length; k++) {
    const iv = inputs[k];
    if (!iv || iv === v) continue;
    const it = iv.type;
    if (!it || it.kind !== 'tensor' || it.dtype !== t.dtype || !it.dims || it.dims.length !== t.dims.length) continue;
    if (!onlyType(iv)) continue;
    let same = true;
    for (let d = 0; d < t.dims.length && same; d++) same = it.dims[d] === t.dims[d];
    if (same) return iv;
  }
  return v;
}

/**
 * One call's copy of a function body node: `ref` attributes take the call's values, also inside nested
 * subgraphs, and subgraphs get a per-call path (from -> to) so each call keeps its own subgraph shapes.
 */
function substituteAttrs(n: Node, call: Node, fn: FunctionDef, from: string, to: string): Node {
  const attrs: Node['attrs'] = {};
  const rebase = (g: Graph): Graph => ({
    ...g,
    path: g.path.startsWith(from) ? to + g.path.slice(from.length) : g.path,
    nodes: g.nodes.map((m) => substituteAttrs(m, call, fn, from, to)),
  });
  for (const [k, a] of Object.entries(n.attrs)) {
    if (a.type === 'ref') {
      const v = call.attrs[a.refAttrName] ?? fn.attributeDefaults[a.refAttrName];
      if (v) attrs[k] = v;
    } else if (a.type === 'graph') attrs[k] = { type: 'graph', value: rebase(a.value) };
    else if (a.type === 'graphs') attrs[k] = { type: 'graphs', value: a.value.map(rebase) };
    else attrs[k] = a;
  }
  return { ...n, attrs };
}

/** How the outputs of a node without an inference rule were obtained: the model's declared shapes, or unknown. */
function outputsOrigin(node: Node, values: Map<string, Value>, declared: Map<string, ValueInfo>): string {
  const outs = node.outputs.filter(Boolean);
  const known = (o: string) => {
    const t = values.get(o)?.type;
    return !!t && (t.kind !== 'tensor' || t.dims !== null);
  };
  const fromDecl = outs.filter((o) => declared.has(o) && known(o));
  const unknown = outs.filter((o) => !fromDecl.includes(o));
  const list = (xs: string[]) => xs.slice(0, 4).join(', ') + (xs.length > 4 ? `, +${xs.length - 4} more` : '');
  const parts: string[] = [];
  if (fromDecl.length) parts.push(`outputs ${list(fromDecl)} taken from the model's declared shapes`);
  if (unknown.length)
    parts.push(
      `outputs ${list(unknown)} unknown (no declared shape): this node's cost and the shapes that depend on it are approximate`,
    );
  return parts.join('; ') || 'no outputs';
}

/** topoOrder's answers by graph, valid while the graph keeps the same node array of the same length: shape
 * inference, constant folding and layer building all walk the same graph in the same order. */
const topoCache = new WeakMap<Graph, { nodes: Node[]; length: number; order: Node[] }>();

/** Nodes in dependency order (stable: keeps file order where possible). Cyclic remainders keep file order. */
export function topoOrder(g: Graph): Node[] {
  const nodes = g.nodes;
  const hit = topoCache.get(g);
  if (hit && hit.nodes === nodes && hit.length === nodes.length) return hit.order;
  const order = computeTopoOrder(g);
  topoCache.set(g, { nodes, length: nodes.length, order });
  return order;
}

/** Indices of the nodes `n` depends on (its inputs and its subgraphs' implicit inputs), itself excluded. */
function depsOf(n: Node, k: number, producer: Map<string, number>): number[] {
  const names = new Set(n.inputs.filter(Boolean));
  for (const key in n.attrs) {
    const a = n.attrs[key];
    const gs = a.type === 'graph' ? [a.value] : a.type === 'graphs' ? a.value : [];
    for (const sg of gs) for (const name of outerReferences(sg)) names.add(name);
  }
  return [...names].map((i) => producer.get(i)).filter((p): p is number => p !== undefined && p !== k);
}

function hasSubgraph(n: Node): boolean {
  for (const key in n.attrs) {
    const t = n.attrs[key].type;
    if (t === 'graph' || t === 'graphs') return true;
  }
  return false;
}

function computeTopoOrder(g: Graph): Node[] {
  const nodes = g.nodes;
  // already sorted (nearly every exported graph): one pass over the names' ids, no per-node lists
  const ids = graphIds(g);
  const { ins, insEnd, outs, outsEnd } = ids.names;
  const producerOf = new Int32Array(ids.count).fill(-1);
  for (let k = 0, j = 0; k < nodes.length; k++)
    for (const e = outsEnd[k]; j < e; j++) if (outs[j] >= 0) producerOf[outs[j]] = k;
  let sorted = true;
  let producer: Map<string, number> | undefined;
  const producerByName = () => {
    if (!producer) {
      producer = new Map<string, number>();
      for (let k = 0; k < nodes.length; k++) for (const o of nodes[k].outputs) if (o) producer.set(o, k);
    }
    return producer;
  };
  for (let k = 0, j = 0; k < nodes.length && sorted; k++) {
    for (const e = insEnd[k]; j < e; j++)
      if (ins[j] >= 0 && producerOf[ins[j]] > k) {
        sorted = false;
        break;
      }
    if (sorted && hasSubgraph(nodes[k]) && depsOf(nodes[k], k, producerByName()).some((d) => d > k)) sorted = false;
  }
  if (sorted) return nodes;
  // implicit inputs of subgraphs also count as dependencies
  const deps: number[][] = nodes.map((n, k) => depsOf(n, k, producerByName()));
  const done = new Array<boolean>(nodes.length).fill(false);
  const order: Node[] = [];
  let progress = true;
  while (progress && order.length < nodes.length) {
    progress = false;
    for (let k = 0; k < nodes.length; k++) {
      if (!done[k] && deps[k].every((d) => done[d])) {
        done[k] = true;
        order.push(nodes[k]);
        progress = true;
      }
    }
  }
  for (let k = 0; k < nodes.length; k++) if (!done[k]) order.push(nodes[k]);
  return order;
}

export function inferShapes(model: Model, options: InferOptions = {}): ShapeResult {
  const opts: Required<InferOptions> = { bindings: options.bindings ?? {}, useDeclared: options.useDeclared ?? true };
  const inf = new Inferencer(model, opts);
  const main = inf.inferGraph(model.graph, null, null, model.opsets);
  const unbound = new Set<string>();
  for (const v of main.values.values()) {
    const t = v.type;
    if (t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') && t.dims)
      for (const d of t.dims) for (const s of dimSymbols(d)) if (!s.startsWith('unk__')) unbound.add(s);
  }
  // Loop/Scan bodies are re-inferred until their carried types settle: report each problem once.
  const seen = new Set<string>();
  const diagnostics = inf.diagnostics.filter((d) => {
    const k = `${d.severity}|${d.graph}|${d.node}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { main, graphs: inf.graphs, diagnostics, unboundSymbols: [...unbound].sort(), filledFromDeclared: inf.filled };
}
