// Cost driver: evaluates every node's dims to numbers under the user's bindings and asks the op
// family's cost function for FLOPs; bytes default to "read every input once, write every output once".
// Control flow: If costs its larger branch; Loop/Scan cost their body times the trip count when known.
import type { Graph, Model, Node } from '../onnx/ir';
import { bytesFor } from '../onnx/dtypes';
import type { GraphShapes, ShapeResult } from '../shapes/infer';
import type { Value } from '../shapes/types';
import { evalDim } from '../shapes/dims';
import { topoOrder } from '../shapes/infer';
import { lookupCost } from './registry';
import type { CostCtx, NodeCost, NumTensor } from './types';
import { quantizedTensors, type QuantizedTensor } from '../onnx/quantized';
import './ops';
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
  const dims = (t.dims ?? []).map((d) => {
    const n = evalDim(d, bind);
    if (n === undefined || n < 0) {
      approximate = true;
      return UNBOUND_DIM_VALUE;
    }
    return n;
  });
  const elements = dims.reduce((a, b) => a * b, 1);
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
    const bind = this.opts.bindings;
    const inputValues = node.inputs.map((n) => (n ? lookup(n) : undefined));
    const inputs = node.inputs.map((n, k) => (n ? numTensor(inputValues[k], constants.has(n), bind) : undefined));
    const outputs = node.outputs.map((n) => (n ? numTensor(gs.values.get(n), false, bind) : undefined));
    const approximate =
      [...inputs, ...outputs].some((t) => t?.approximate) || outputs.some((t, k) => !t && node.outputs[k]);
    let paramCount = 0,
      paramBytes = 0,
      quantCount = 0,
      quantBytes = 0,
      inputBytes = 0,
      outputBytes = 0;
    inputs.forEach((t, k) => {
      if (!t) return;
      if (t.constant) {
        const q = this.quant.get(node.inputs[k]);
        paramCount += q ? q.logical : t.elements;
        paramBytes += t.bytes;
        if (q) {
          quantCount += q.logical;
          quantBytes += t.bytes;
        }
      } else inputBytes += t.bytes;
    });
    for (const t of outputs) if (t) outputBytes += t.bytes;
    const fnBody = gs.functionBodies.get(node.index);
    const base: NodeCost = {
      flops: 0,
      paramCount,
      paramBytes,
      ...(quantBytes > 0 ? { quantizedParamCount: quantCount, quantizedParamBytes: quantBytes } : {}),
      inputBytes,
      outputBytes,
      bytesRead: inputBytes + paramBytes,
      bytesWritten: outputBytes,
      modelled: true,
      approximate,
    };
    if (isConstantView(node, constants)) {
      // folded: the weight is counted where the view is consumed
      return {
        ...base,
        paramCount: 0,
        paramBytes: 0,
        bytesRead: 0,
        bytesWritten: 0,
        note: 'view of a constant (folded)',
      };
    }
    if (node.opType === 'Constant' && node.domain === '') {
      // A Constant's value is a parameter it stores, not an activation it writes.
      const t = outputs[0];
      return {
        ...base,
        paramCount: t?.elements ?? 0,
        paramBytes: t?.bytes ?? 0,
        outputBytes: 0,
        bytesRead: 0,
        bytesWritten: 0,
      };
    }
    if (fnBody) {
      const inner = this.graphCosts(fnBody.shapes, new Set(), lookup);
      return {
        ...base,
        flops: inner.reduce((a, c) => a + c.flops, 0),
        modelled: inner.every((c) => c.modelled),
        note: `model-local function ${fnBody.fn.domain}.${fnBody.fn.name}, costed through its body`,
      };
    }
    const fn = lookupCost(node.domain, node.opType);
    const ctx: CostCtx = {
      node,
      opset: this.model.opsets[node.domain] ?? 1,
      inputs,
      outputs,
      inputValues,
      subgraphFlops: (attr) => {
        const a = node.attrs[attr];
        if (!a || a.type !== 'graph') return undefined;
        const sub = this.shapes.graphs.get(a.value.path);
        if (!sub) return undefined;
        return this.graphCosts(sub, constants, lookup).reduce((s, c) => s + c.flops, 0);
      },
    };
    if (!fn) {
      // never a silent zero: outputs of unknown shape fall back to the inputs' elements
      const outElems = outputs.reduce((a, t) => a + (t && !t.approximate ? t.elements : 0), 0);
      const inElems = inputs.reduce((a, t) => a + (t && !t.constant ? t.elements : 0), 0);
      const op = `${node.domain ? node.domain + '.' : ''}${node.opType}`;
      return {
        ...base,
        flops: outElems > 0 ? outElems : inElems,
        modelled: false,
        approximate: base.approximate || outElems === 0,
        note:
          outElems > 0
            ? `no cost model for ${op}: 1 FLOP per output element assumed`
            : `no cost model for ${op} and its outputs' shapes are unknown: 1 FLOP per input element assumed`,
      };
    }
    const r = fn(ctx);
    return {
      ...base,
      flops: r.flops,
      bytesRead: r.bytesRead ?? base.bytesRead,
      bytesWritten: r.bytesWritten ?? base.bytesWritten,
      note: r.note,
    };
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
