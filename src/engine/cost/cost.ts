// Cost driver: evaluates every node's dims to numbers under the user's bindings and asks the op
// family's cost function for FLOPs; bytes default to "read every input once, write every output once".
// Control flow: If costs its larger branch; Loop/Scan cost their body times the trip count when known.
import type { Graph, Model, Node, ValueType } from '../onnx/ir';
import { bytesFor } from '../onnx/dtypes';
import type { GraphShapes, ShapeResult } from '../shapes/infer';
import type { Value } from '../shapes/types';
import { evalDim } from '../shapes/dims';
import { topoOrder } from '../shapes/infer';
import { COST_RULES } from './ops';
import type { CostCtx, NodeCost, NumTensor } from './types';
import { quantizedTensors, type QuantizedTensor } from '../onnx/quantized';
import { insStart, outsStart } from '../onnx/nameIds';
import { UNBOUND_DIM_VALUE } from '../shapes/unbound';

export interface CostOptions {
  bindings: Record<string, number>;
}

export function numTensor(
  v: Value | undefined,
  constant: boolean,
  bind: Record<string, number>,
): NumTensor | undefined {
  const t = v?.type;
  if (!t || (t.kind !== 'tensor' && t.kind !== 'sparse_tensor')) return undefined;
  let approximate = t.dims === null;
  const src = t.dims;
  const rank = src ? src.length : 0;
  const dims = new Array<number>(rank);
  let elements = 1;
  for (let k = 0; k < rank; k++) {
    let n = evalDim(src![k], bind);
    if (n === undefined || n < 0) {
      approximate = true;
      n = UNBOUND_DIM_VALUE;
    }
    dims[k] = n;
    elements *= n;
  }
  return { dtype: t.dtype, dims, elements, bytes: bytesFor(t.dtype, elements), constant, approximate };
}

export class CostModel {
  /** quantized weights and their metadata: counted at their logical elements (metadata 0) */
  private readonly quant: Map<string, QuantizedTensor>;
  constructor(
    readonly model: Model,
    readonly shapes: ShapeResult,
    readonly opts: CostOptions,
  ) {
    this.quant = quantizedTensors(model);
  }

  /** the last few tensors evaluated, by type object and constness: a chain's tensors share one type object
   * (shapes/infer.ts), and a cost rule only reads its NumTensors, so they are evaluated once, not per node */
  private readonly recentType: (ValueType | undefined)[] = [undefined, undefined, undefined, undefined];
  private readonly recentConst: boolean[] = [false, false, false, false];
  private readonly recentNum: (NumTensor | undefined)[] = [undefined, undefined, undefined, undefined];
  private recentNext = 0;

  private num(v: Value | undefined, constant: boolean): NumTensor | undefined {
    const t = v?.type;
    if (!t) return undefined;
    for (let k = 0; k < 4; k++)
      if (this.recentType[k] === t && this.recentConst[k] === constant) return this.recentNum[k];
    const n = numTensor(v, constant, this.opts.bindings);
    const k = this.recentNext;
    this.recentNext = (k + 1) & 3;
    this.recentType[k] = t;
    this.recentConst[k] = constant;
    this.recentNum[k] = n;
    return n;
  }

  /** Names that are constants in a graph scope: initializers and Constant outputs (outer scopes included), and
   * views of them (a Reshape of a weight: genai's tied int4 embedding), which any runtime folds. */
  private constantsOf(gs: GraphShapes, outer: Set<string>): Set<string> {
    const s = new Set(outer);
    for (const t of gs.graph.initializers) s.add(t.name);
    for (const t of gs.graph.sparseInitializers) s.add(t.values.name);
    for (const n of gs.graph.nodes) if (n.opType === 'Constant' && n.domain === '') for (const o of n.outputs) s.add(o);
    for (const n of topoOrder(gs.graph)) if (isConstantView(n, s)) for (const o of n.outputs) if (o) s.add(o);
    return s;
  }

  graphCosts(
    gs: GraphShapes,
    outerConstants = new Set<string>(),
    outerLookup?: (n: string) => Value | undefined,
  ): NodeCost[] {
    const constants = this.constantsOf(gs, outerConstants);
    const lookup = (n: string) => gs.values.get(n) ?? outerLookup?.(n);
    return gs.graph.nodes.map((node) => this.nodeCost(node, gs, constants, lookup));
  }

  nodeCost(node: Node, gs: GraphShapes, constants: Set<string>, lookup: (n: string) => Value | undefined): NodeCost {
    const ni = node.inputs.length,
      no = node.outputs.length;
    const inputValues = new Array<Value | undefined>(ni);
    const inputs = new Array<NumTensor | undefined>(ni);
    const outputs = new Array<NumTensor | undefined>(no);
    let approximate = false;
    let paramCount = 0,
      paramBytes = 0,
      quantCount = 0,
      quantBytes = 0,
      inputBytes = 0,
      outputBytes = 0;
    // main graph: values of node outputs by name id (no hashing of the name)
    const byId = gs.outputsById?.values;
    const ids = gs.outputsById?.ids;
    const i0 = ids ? insStart(ids, node.index) : 0,
      o0 = ids ? outsStart(ids, node.index) : 0;
    for (let k = 0; k < ni; k++) {
      const name = node.inputs[k];
      const id = ids ? ids.names.ins[i0 + k] : -1;
      const v = name ? ((id >= 0 ? byId![id] : undefined) ?? lookup(name)) : undefined;
      inputValues[k] = v;
      const t = name ? this.num(v, constants.has(name)) : undefined;
      inputs[k] = t;
      if (!t) continue;
      if (t.approximate) approximate = true;
      if (t.constant) {
        const q = this.quant.get(name);
        paramCount += q ? q.logical : t.elements;
        paramBytes += t.bytes;
        if (q) {
          quantCount += q.logical;
          quantBytes += t.bytes;
        }
      } else inputBytes += t.bytes;
    }
    for (let k = 0; k < no; k++) {
      const name = node.outputs[k];
      const id = ids ? ids.names.outs[o0 + k] : -1;
      const t = name ? this.num((id >= 0 ? byId![id] : undefined) ?? gs.values.get(name), false) : undefined;
      outputs[k] = t;
      if (t) {
        if (t.approximate) approximate = true;
        outputBytes += t.bytes;
      } else if (name) approximate = true;
    }
    // one object literal per cost, its fields always in the same order (the quantized counts added after, only
    // when there are any): cost objects built by spreading a base took a hidden class each (measured: 320 bytes
    // per node on a 100k-node graph)
    const readAll = inputBytes + paramBytes;
    if (isConstantView(node, constants))
      // folded: the weight is counted where the view is consumed
      return costRecord(
        inputBytes,
        quantCount,
        quantBytes,
        0,
        0,
        0,
        outputBytes,
        0,
        0,
        true,
        approximate,
        'view of a constant (folded)',
      );
    if (node.opType === 'Constant' && node.domain === '') {
      // A Constant's value is a parameter it stores, not an activation it writes.
      const t = outputs[0];
      return costRecord(
        inputBytes,
        quantCount,
        quantBytes,
        0,
        t?.elements ?? 0,
        t?.bytes ?? 0,
        0,
        0,
        0,
        true,
        approximate,
        undefined,
      );
    }
    const fnBody = gs.functionBodies.get(node.index);
    if (fnBody) {
      const inner = this.graphCosts(fnBody.shapes, new Set(), lookup);
      return costRecord(
        inputBytes,
        quantCount,
        quantBytes,
        inner.reduce((a, c) => a + c.flops, 0),
        paramCount,
        paramBytes,
        outputBytes,
        readAll,
        outputBytes,
        inner.every((c) => c.modelled),
        approximate,
        `model-local function ${fnBody.fn.domain}.${fnBody.fn.name}, costed through its body`,
      );
    }
    const fn = COST_RULES.lookup(node.domain, node.opType);
    if (!fn) {
      // never a silent zero: outputs of unknown shape fall back to the inputs' elements
      const outElems = outputs.reduce((a, t) => a + (t && !t.approximate ? t.elements : 0), 0);
      const inElems = inputs.reduce((a, t) => a + (t && !t.constant ? t.elements : 0), 0);
      const op = `${node.domain ? node.domain + '.' : ''}${node.opType}`;
      return costRecord(
        inputBytes,
        quantCount,
        quantBytes,
        outElems > 0 ? outElems : inElems,
        paramCount,
        paramBytes,
        outputBytes,
        readAll,
        outputBytes,
        false,
        approximate || outElems === 0,
        outElems > 0
          ? `no cost model for ${op}: 1 FLOP per output element assumed`
          : `no cost model for ${op} and its outputs' shapes are unknown: 1 FLOP per input element assumed`,
      );
    }
    const r = fn(new OpCostCtx(this, node, inputs, outputs, inputValues, constants, lookup));
    return costRecord(
      inputBytes,
      quantCount,
      quantBytes,
      r.flops,
      paramCount,
      paramBytes,
      outputBytes,
      r.bytesRead ?? readAll,
      r.bytesWritten ?? outputBytes,
      true,
      approximate,
      r.note,
    );
  }

  /** Total forward FLOPs of subgraph attribute `attr` of `node` (If branches, Loop/Scan bodies). */
  subgraphFlops(
    node: Node,
    attr: string,
    constants: Set<string>,
    lookup: (n: string) => Value | undefined,
  ): number | undefined {
    const a = node.attrs[attr];
    if (!a || a.type !== 'graph') return undefined;
    const sub = this.shapes.graphs.get(a.value.path);
    if (!sub) return undefined;
    return this.graphCosts(sub, constants, lookup).reduce((s, c) => s + c.flops, 0);
  }
}

/** A node's cost record. A module function, not a closure inside nodeCost: a closure over nodeCost's locals
 * made V8 allocate a context and a function object per node (tens of MB of garbage on a 1M-node graph). */
function costRecord(
  inputBytes: number,
  quantCount: number,
  quantBytes: number,
  flops: number,
  pCount: number,
  pBytes: number,
  oBytes: number,
  read: number,
  written: number,
  modelled: boolean,
  approx: boolean,
  note: string | undefined,
): NodeCost {
  const c: NodeCost = {
    flops,
    paramCount: pCount,
    paramBytes: pBytes,
    inputBytes,
    outputBytes: oBytes,
    bytesRead: read,
    bytesWritten: written,
    modelled,
    approximate: approx,
    note,
  };
  if (quantBytes > 0) {
    c.quantizedParamCount = quantCount;
    c.quantizedParamBytes = quantBytes;
  }
  return c;
}

/** The context an op's cost rule sees: a class, so a node's context is one object and no closures. */
class OpCostCtx implements CostCtx {
  readonly opset: number;
  constructor(
    private readonly model: CostModel,
    readonly node: Node,
    readonly inputs: (NumTensor | undefined)[],
    readonly outputs: (NumTensor | undefined)[],
    readonly inputValues: (Value | undefined)[],
    private readonly constants: Set<string>,
    private readonly lookup: (n: string) => Value | undefined,
  ) {
    this.opset = model.model.opsets[node.domain] ?? 1;
  }
  subgraphFlops(attr: string): number | undefined {
    return this.model.subgraphFlops(this.node, attr, this.constants, this.lookup);
  }
}

const VIEW_OPS = new Set(['Reshape', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);

/** A view op whose every input is a constant: folded at load time, so its output is a constant too. */
function isConstantView(n: Node, constants: Set<string>): boolean {
  return n.domain === '' && VIEW_OPS.has(n.opType) && !!n.inputs[0] && n.inputs.every((i) => !i || constants.has(i));
}

/** Main-graph node costs, in the graph's node order. */
export function computeCosts(model: Model, shapes: ShapeResult, opts: CostOptions): NodeCost[] {
  return new CostModel(model, shapes, opts).graphCosts(shapes.main);
}

export type { Graph };
