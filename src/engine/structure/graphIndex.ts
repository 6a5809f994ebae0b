// Producer / consumer maps of one graph and the questions the structure detector asks of it: is this node a
// weight projection (and its [K, N]), which initializer stands behind a tensor, which integers a tensor holds,
// how many logical parameters an initializer is. Names are never read.
import type { Graph, Node, TensorInfo } from '../onnx/ir';
import { quantRole } from '../onnx/quantized';
import type { Value } from '../shapes/types';

export interface Weight {
  /** initializer holding the weight */
  init: string;
  K: number;
  N: number;
}

/** Ops that pass a weight through unchanged in meaning (casts, layout, dequantisation). */
const PASS_THROUGH = /^(Transpose|Cast|Identity|DequantizeLinear|Reshape)$/;

/** Shape-only ops: their output carries no data of their input (a tensor read through them is not used). */
export const SHAPE_ONLY = new Set(['Shape', 'Size']);

function intAttr(n: Node, name: string): number | undefined {
  const a = n.attrs[name];
  return a?.type === 'int' ? a.value : undefined;
}
export { intAttr };

/** Rotary cos/sin cache inputs (com.microsoft GroupQueryAttention 7, 8; RotaryEmbedding com.microsoft 2, 3 and
 * ai.onnx 1, 2). */
function isRotaryCache(n: Node, k: number): boolean {
  if (n.opType === 'GroupQueryAttention') return k === 7 || k === 8;
  if (n.opType === 'RotaryEmbedding') return n.domain === 'com.microsoft' ? k === 2 || k === 3 : k === 1 || k === 2;
  return false;
}

export class GraphIndex {
  readonly producer = new Map<string, number>();
  readonly consumers = new Map<string, number[]>();
  readonly inits: Map<string, TensorInfo>;
  readonly constValues = new Map<string, number[]>();
  readonly values: ReadonlyMap<string, Value>;
  readonly graphInputs: Set<string>;
  readonly graphOutputs: Set<string>;
  private readonly weights = new Map<number, Weight | null>();
  /** `outer`: the enclosing graph of a subgraph (an If branch reads the main graph's initializers). */
  constructor(
    readonly g: Graph,
    values?: ReadonlyMap<string, Value>,
    outer?: GraphIndex,
  ) {
    this.values = values ?? new Map();
    this.inits = new Map([...(outer?.inits ?? []), ...g.initializers.map((t): [string, TensorInfo] => [t.name, t])]);
    if (outer) for (const [k, v] of outer.constValues) this.constValues.set(k, v);
    this.graphInputs = new Set(g.inputs.map((i) => i.name).filter((n) => !this.inits.has(n)));
    this.graphOutputs = new Set(g.outputs.map((o) => o.name));
    g.nodes.forEach((n, i) => {
      for (const o of n.outputs) if (o) this.producer.set(o, i);
      for (const x of n.inputs)
        if (x) {
          const c = this.consumers.get(x);
          if (c) {
            if (c[c.length - 1] !== i) c.push(i);
          } else this.consumers.set(x, [i]);
        }
      if (n.opType === 'Constant') {
        const v = n.attrs.value;
        if (v?.type === 'tensor' && v.value.values) this.constValues.set(n.outputs[0], v.value.values);
        const vi = n.attrs.value_ints;
        if (vi?.type === 'ints') this.constValues.set(n.outputs[0], vi.value);
      }
    });
  }
  node(i: number): Node {
    return this.g.nodes[i];
  }
  /** A Constant node's tensor as an initializer-like record (dims, elements), or the initializer itself. */
  tensor(name: string): TensorInfo | undefined {
    const t = this.inits.get(name);
    if (t) return t;
    const p = this.producer.get(name);
    if (p === undefined) return undefined;
    const n = this.g.nodes[p];
    if (n.opType === 'Constant' && n.attrs.value?.type === 'tensor') return n.attrs.value.value;
    return undefined;
  }
  /** A stored tensor, directly or through casts / identities / reshapes (exporters alias shared weights). */
  isConstant(name: string): boolean {
    return this.initBehind(name) !== undefined;
  }
  /** The stored tensor reached from `name` through casts, transposes, reshapes and dequantisation. */
  initBehind(name: string, depth = 0): { init: string; transposed: boolean } | undefined {
    if (this.tensor(name)) return { init: name, transposed: false };
    const p = this.producer.get(name);
    if (p === undefined || depth > 3) return undefined;
    const n = this.g.nodes[p];
    if (!PASS_THROUGH.test(n.opType)) return undefined;
    const r = this.initBehind(n.inputs[0], depth + 1);
    return r && { init: r.init, transposed: r.transposed !== (n.opType === 'Transpose') };
  }
  /**
   * A weight projection: MatMul / Gemm / FusedMatMul whose B is a stored 2-D matrix, or MatMulNBits (K and N
   * from its attributes: the packed initializer's dims are bytes, never the matrix), or a quantized MatMul.
   */
  weightOf(i: number): Weight | undefined {
    const hit = this.weights.get(i);
    if (hit !== undefined) return hit ?? undefined;
    const w = this.computeWeight(i);
    this.weights.set(i, w ?? null);
    return w;
  }
  private computeWeight(i: number): Weight | undefined {
    const n = this.g.nodes[i];
    if (n.opType === 'MatMulNBits') {
      const K = intAttr(n, 'K'),
        N = intAttr(n, 'N');
      if (!K || !N || !n.inputs[1] || !this.initBehind(n.inputs[1])) return undefined;
      return { init: this.initBehind(n.inputs[1])!.init, K, N };
    }
    if (n.opType === 'Attention' && n.domain === 'com.microsoft') {
      // the op holds its packed QKV weight: input 1 is [hidden, q + k + v]
      const w = this.tensor(n.inputs[1] ?? '');
      return w && w.dims.length === 2 ? { init: n.inputs[1], K: w.dims[0], N: w.dims[1] } : undefined;
    }
    const bIndex = n.opType === 'QLinearMatMul' ? 3 : 1;
    if (
      !/^(MatMul|Gemm|FusedMatMul|MatMulInteger|QLinearMatMul|DynamicQuantizeMatMul|MatMulIntegerToFloat)$/.test(
        n.opType,
      )
    )
      return undefined;
    const b = this.initBehind(n.inputs[bIndex] ?? '');
    if (!b) return undefined;
    const t = this.tensor(b.init)!;
    if (t.dims.length !== 2 || t.dims[0] < 2 || t.dims[1] < 2) return undefined;
    let transposed = b.transposed;
    if ((n.opType === 'Gemm' || n.opType === 'FusedMatMul') && intAttr(n, 'transB') === 1) transposed = !transposed;
    const [r, c] = t.dims;
    return transposed ? { init: b.init, K: c, N: r } : { init: b.init, K: r, N: c };
  }
  /** Both operands computed (activation x activation): attention scores and context. */
  isActMatMul(i: number): boolean {
    const n = this.g.nodes[i];
    return (
      (n.opType === 'MatMul' || n.opType === 'FusedMatMul') &&
      !this.initBehind(n.inputs[0]) &&
      !this.initBehind(n.inputs[1] ?? '')
    );
  }
  /** Known integer elements of a tensor: initializer, Constant, or data propagated by shape inference. */
  intValues(name: string): (number | null)[] | undefined {
    const t = this.inits.get(name);
    if (t?.values) return t.values;
    const c = this.constValues.get(name);
    if (c) return c;
    const v = this.values.get(name)?.data;
    return v?.map((d) => (typeof d === 'number' ? d : null));
  }
  /**
   * Logical parameter elements of input `k` of node `i` when it is a stored tensor: a block-quantized weight counts
   * its logical elements, its scales and zero points nothing (onnx/quantized.ts, the rule parameterCount uses);
   * rotary cos/sin caches an attention op reads are buffers, not weights.
   */
  paramsOfInput(i: number, k: number): number {
    const n = this.g.nodes[i];
    const name = n.inputs[k];
    if (!name) return 0;
    const b = this.initBehind(name);
    if (!b) return 0;
    const t = this.tensor(b.init)!;
    if (isRotaryCache(n, k)) return 0;
    const role = quantRole(n, k);
    if (role?.kind === 'meta') return 0;
    return role ? role.logical(t.elements, t.dtype) : t.elements;
  }
}

/** Ops whose later inputs are shapes, indices or conditions, not the data that flows through them. */
const FIRST_INPUT_ONLY =
  /^(Reshape|Expand|Slice|Tile|Squeeze|Unsqueeze|Transpose|Gather|Pad|Split|Cast|Identity|Flatten)$/;

/** The inputs through which a node's data flows (none for shape-only ops). */
export function dataInputs(n: Node): string[] {
  if (SHAPE_ONLY.has(n.opType)) return [];
  if (FIRST_INPUT_ONLY.test(n.opType)) return n.inputs[0] ? [n.inputs[0]] : [];
  if (n.opType === 'Where') return n.inputs.slice(1).filter((x) => x);
  return n.inputs.filter((x) => x);
}

/** Nodes reachable backwards from `starts`, stopping at (and collecting) nodes that satisfy `stop`; never
 * through a node that `barrier` refuses, nor more than `maxNodes` nodes. */
export function collectUpstream(
  ix: GraphIndex,
  starts: string[],
  stop: (i: number) => boolean,
  barrier: (i: number) => boolean = () => false,
  maxNodes = 128,
): number[] {
  const found: number[] = [];
  const seen = new Set<number>();
  const stack = [...starts];
  while (stack.length && seen.size < maxNodes) {
    const name = stack.pop()!;
    const p = ix.producer.get(name);
    if (p === undefined || seen.has(p)) continue;
    seen.add(p);
    if (stop(p)) {
      found.push(p);
      continue;
    }
    if (barrier(p)) continue;
    for (const x of dataInputs(ix.node(p))) stack.push(x);
  }
  return found.sort((a, b) => a - b);
}

/** The first node within `hops` forward steps of node `from` that satisfies `pred` (-1 when none). */
export function forwardFind(ix: GraphIndex, from: number, pred: (i: number) => boolean, hops = 4): number {
  let frontier = [from];
  const seen = new Set<number>([from]);
  for (let h = 0; h < hops; h++) {
    const next: number[] = [];
    for (const i of frontier)
      for (const o of ix.node(i).outputs)
        for (const c of ix.consumers.get(o) ?? []) {
          if (seen.has(c)) continue;
          seen.add(c);
          if (pred(c)) return c;
          next.push(c);
        }
    frontier = next;
  }
  return -1;
}

/** The first node within `hops` backward steps of tensor `name` that satisfies `pred` (-1 when none). */
export function backwardFind(ix: GraphIndex, name: string, pred: (i: number) => boolean, hops = 4): number {
  let frontier = [name];
  const seen = new Set<number>();
  for (let h = 0; h < hops; h++) {
    const next: string[] = [];
    for (const t of frontier) {
      const p = ix.producer.get(t);
      if (p === undefined || seen.has(p)) continue;
      seen.add(p);
      if (pred(p)) return p;
      for (const x of ix.node(p).inputs) if (x) next.push(x);
    }
    frontier = next;
  }
  return -1;
}

/** Tensors reachable forward from `start` through data edges (not through Shape / Size). */
export function reachableFrom(ix: GraphIndex, start: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length) {
    const t = stack.pop()!;
    for (const c of ix.consumers.get(t) ?? []) {
      const n = ix.node(c);
      if (SHAPE_ONLY.has(n.opType)) continue;
      for (const o of n.outputs)
        if (o && !seen.has(o)) {
          seen.add(o);
          stack.push(o);
        }
    }
  }
  return seen;
}
