// What each kernel (Analysis.layers entry) asks of the wafer: FLOPs, weights and buffers at the chosen
// precision, and the per-step decode ops the latency model needs. FLOPs and bytes come from the cost
// pass; where an op is not costed yet (FLOPs 0), the matmul FLOPs are recomputed from initializer dims.
import type { Analysis, Precision } from '../types';
import type { Dim, Node } from '../../onnx/ir';
import { evalDim } from '../../shapes/dims';
import { bytesFor } from '../../onnx/dtypes';
import { emptyOps, type DecodeOps } from './latency';
import type { TransformerStructure } from './structure';
import { elemBytesOf } from './spec';

export interface KernelWork {
  /** index into Analysis.layers */
  index: number;
  name: string;
  block: string | null;
  kind: string;
  /** forward FLOPs for the whole step (graph batch) */
  flops: number;
  params: number;
  weightBytes: number;
  /** graph inputs this kernel holds (KV cache, the model input) at precision */
  inputBufferBytes: number;
  /** activations in / out per step at precision */
  actInBytes: number;
  actOutBytes: number;
  /** tokens (rows) of the largest weight matmul, for matmul shape estimates; 0 when none */
  rows: number;
  decode: DecodeOps;
}

const REDUCTIONS: Record<string, number> = {
  ReduceMean: 1, ReduceSum: 1, ReduceMax: 1, ReduceMin: 1, ReduceProd: 1, ReduceL1: 1, ReduceL2: 1, ReduceSumSquare: 1,
  ReduceLogSum: 1, ReduceLogSumExp: 2, ArgMax: 1, ArgMin: 1, Softmax: 2, LogSoftmax: 2,
  LayerNormalization: 2, SimplifiedLayerNormalization: 1, SkipSimplifiedLayerNormalization: 1, SkipLayerNormalization: 2,
  RMSNormalization: 1, GroupNormalization: 2, InstanceNormalization: 2, BatchNormalization: 0,
};

/** Pure data movement: on the wafer these are routing, not work. */
const ROUTING = /^(Reshape|Transpose|Squeeze|Unsqueeze|Flatten|Concat|Split|Slice|Shape|Size|Expand|Tile|Identity|Constant|ConstantOfShape|Range|Gather|GatherElements|GatherND|ScatterND|Pad|DepthToSpace|SpaceToDepth)$/;

function numDims(dims: Dim[] | null | undefined, bind: Record<string, number>): number[] | null {
  if (!dims) return null;
  const out: number[] = [];
  for (const d of dims) {
    const v = evalDim(d, bind);
    if (v === undefined) return null;
    out.push(v);
  }
  return out;
}

export function kernelWork(a: Analysis, precision: Precision, bind: Record<string, number>, st: TransformerStructure | null): KernelWork[] {
  const g = a.model.graph;
  const inits = new Map(g.initializers.map((t) => [t.name, t]));
  const constOut = new Set<string>();
  for (const n of g.nodes) if (n.opType === 'Constant') for (const o of n.outputs) constOut.add(o);
  const isConst = (name: string) => inits.has(name) || constOut.has(name);
  const graphInputs = new Map(g.inputs.filter((i) => !inits.has(i.name)).map((i) => [i.name, i]));
  const eb = elemBytesOf(precision);
  const dimsOf = (name: string): number[] | null => {
    const t = a.shapes.main.values.get(name)?.type;
    if (t && t.kind === 'tensor') return numDims(t.dims, bind);
    const init = inits.get(name);
    return init ? init.dims : null;
  };
  const elemsOf = (name: string): number | null => {
    const d = dimsOf(name);
    return d ? d.reduce((x, y) => x * y, 1) : null;
  };
  // GQA caches are expanded to all heads in the graph (Expand/Repeat); the wafer reads the cache once.
  const gqa = st && st.kvHeads > 0 && st.heads > st.kvHeads ? st.kvHeads / st.heads : 1;
  const buffers = activationBuffers(a, (name) => {
    const t = a.shapes.main.values.get(name)?.type;
    if (!t || t.kind !== 'tensor') return 0;
    const e = elemsOf(name) ?? 0;
    return FLOAT_TYPES.has(t.dtype) ? e * eb : bytesFor(t.dtype, e);
  });
  const out: KernelWork[] = [];
  for (const l of a.layers) {
    const ops = emptyOps();
    let weightFlops = 0, rows = 0, inputBuf = 0;
    let attnSeen = 0;
    for (const idx of l.nodeIndices) {
      const n = g.nodes[idx];
      for (const i of n.inputs) {
        const gi = i ? graphInputs.get(i) : undefined;
        if (gi) { const e = elemsOf(i); if (e) inputBuf += e * eb; }
      }
      if (n.domain !== '' && n.domain !== 'com.microsoft') continue;
      if (n.opType === 'MatMul' || n.opType === 'Gemm' || n.opType === 'MatMulNBits') {
        matmulOps(n, ops, { isConst, dimsOf, elemsOf, gqa, st, bind, attnIndex: attnSeen, tokens: a.tokensPerStep }, (r, f) => { rows = Math.max(rows, r); weightFlops += f; });
        if (!n.inputs.slice(0, 2).some(isConst)) attnSeen++;
      } else if (REDUCTIONS[n.opType] !== undefined) {
        ops.scalarReductions += REDUCTIONS[n.opType];
        pushElementwise(ops, dimsOf(n.inputs[0]));
      } else if (n.opType === 'Gather' && isConst(n.inputs[0])) {
        ops.lookups += 1;
      } else if (!ROUTING.test(n.opType)) {
        pushElementwise(ops, dimsOf(n.outputs[0]));
      }
    }
    out.push({
      index: l.id, name: l.name, block: l.block, kind: l.kind,
      flops: Math.max(l.forwardFlops, weightFlops),
      params: l.paramCount,
      weightBytes: l.paramCount * eb,
      inputBufferBytes: inputBuf,
      actInBytes: buffers.inBytes[l.id] ?? 0,
      actOutBytes: buffers.outBytes[l.id] ?? 0,
      rows,
      decode: ops,
    });
  }
  return out;
}

function pushElementwise(ops: DecodeOps, d: number[] | null): void {
  if (!d) return;
  const cols = d.length ? d[d.length - 1] : 1;
  const rows = d.slice(0, -1).reduce((x, y) => x * y, 1);
  if (rows * cols > 0) ops.elementwise.push({ rows, cols });
}

const FLOAT_TYPES = new Set([1, 10, 11, 16, 17, 18, 19, 20]);

/**
 * Activation buffers per kernel, in wafer terms: a kernel holds the outputs its compute nodes send to other
 * kernels, and the inputs it receives from them. Outputs of routing ops (Reshape, Transpose, Expand,
 * Concat ...) are views on the wafer, not buffers: an input reached through them is charged at the size
 * of the compute output it comes from, and graph inputs (the KV cache) are held once, by the kernel that
 * reads them (inputBufferBytes). So a GQA cache expanded to all heads in the graph costs no extra SRAM.
 */
function activationBuffers(a: Analysis, bytesOf: (name: string) => number): { inBytes: number[]; outBytes: number[] } {
  const g = a.model.graph;
  const kernelOf = new Map<number, number>();
  for (const l of a.layers) for (const i of l.nodeIndices) kernelOf.set(i, l.id);
  const producer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
  const graphOut = new Set(g.outputs.map((o) => o.name));
  const consumers = new Map<string, Set<number>>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) {
    const k = kernelOf.get(n.index);
    if (k === undefined) continue;
    let set = consumers.get(i);
    if (!set) consumers.set(i, (set = new Set()));
    set.add(k);
  }
  /** the compute node a value comes from, following routing ops back; null for graph inputs and constants */
  const origin = (name: string): string | null => {
    let cur = name;
    for (let depth = 0; depth < 64; depth++) {
      const p = producer.get(cur);
      if (!p) return null;
      if (!ROUTING.test(p.opType) || p.opType === 'Gather' && !producer.has(p.inputs[0])) return p.opType === 'Constant' ? null : cur;
      const next = p.inputs.find((i) => i && producer.has(i)) ?? p.inputs[0];
      if (!next || !producer.has(next)) return null;
      cur = next;
    }
    return null;
  };
  const inBytes: number[] = [], outBytes: number[] = [];
  for (const l of a.layers) {
    let ib = 0, ob = 0;
    const seenIn = new Set<string>();
    for (const idx of l.nodeIndices) {
      const n = g.nodes[idx];
      if (!ROUTING.test(n.opType)) for (const o of n.outputs) {
        if (!o) continue;
        const users = consumers.get(o);
        if (graphOut.has(o) || (users && [...users].some((u) => u !== l.id))) ob += bytesOf(o);
      }
      for (const i of n.inputs) {
        if (!i) continue;
        const src = origin(i);
        if (!src || seenIn.has(src)) continue;
        const pk = kernelOf.get(producer.get(src)!.index);
        if (pk === undefined || pk === l.id) continue;
        seenIn.add(src);
        ib += Math.min(bytesOf(src), bytesOf(i) || bytesOf(src));
      }
    }
    inBytes[l.id] = ib;
    outBytes[l.id] = ob;
  }
  return { inBytes, outBytes };
}

interface MatmulCtx {
  isConst: (n: string) => boolean;
  dimsOf: (n: string) => number[] | null;
  elemsOf: (n: string) => number | null;
  gqa: number;
  st: TransformerStructure | null;
  bind: Record<string, number>;
  attnIndex: number;
  tokens: number;
}

function matmulOps(n: Node, ops: DecodeOps, c: MatmulCtx, note: (rows: number, flops: number) => void): void {
  const [a, b] = n.inputs;
  const bConst = b !== undefined && c.isConst(b);
  const aConst = a !== undefined && c.isConst(a);
  if (bConst || aConst) {
    const w = c.dimsOf(bConst ? b : a);
    if (!w || w.length < 2) return;
    let k = w[w.length - 2], nn = w[w.length - 1];
    if (n.opType === 'Gemm' && n.attrs.transB?.type === 'int' && n.attrs.transB.value === 1) [k, nn] = [nn, k];
    const batchW = w.slice(0, -2).reduce((x, y) => x * y, 1);
    const ad = c.dimsOf(bConst ? a : b);
    const rows = ad && ad.length >= 1 ? ad.slice(0, -1).reduce((x, y) => x * y, 1) / Math.max(1, batchW) : c.tokens;
    for (let i = 0; i < batchW; i++) ops.gemvs.push({ k, n: nn, rows: Math.max(1, rows) });
    note(Math.max(1, rows), 2 * k * nn * batchW * Math.max(1, rows));
    return;
  }
  // activation x activation (attention): the larger operand is the cache the step reads
  const ea = a ? c.elemsOf(a) : null, ebb = b ? c.elemsOf(b) : null, eo = c.elemsOf(n.outputs[0]);
  if (ea !== null && ebb !== null && eo !== null) {
    const ad = c.dimsOf(a!);
    const kk = ad && ad.length ? ad[ad.length - 1] : 1;
    ops.attn.push({ elems: Math.max(ea, ebb) * c.gqa, outElems: eo, macs: eo * kk });
    note(0, 2 * eo * kk);
    return;
  }
  // shapes unknown: take the attention sizes from the structure (scores first, then context)
  if (c.st && c.st.past !== null) {
    const T = c.st.past + 1;
    const cache = c.st.kvHeads * c.st.headDim * T * c.tokens;
    const outE = c.attnIndex % 2 === 0 ? c.st.heads * T * c.tokens : c.st.heads * c.st.headDim * c.tokens;
    const macs = c.st.heads * c.st.headDim * T * c.tokens;
    ops.attn.push({ elems: cache, outElems: outE, macs });
    note(0, 2 * macs);
  }
}

/** The decode ops of one Llama-style block from its structure alone (used to calibrate against published
 * per-layer timings of models we have no graph for). Mirrors what kernelWork reads from such a graph. */
export function blockOpsFromStructure(s: TransformerStructure, T: number): DecodeOps {
  const h = s.hidden, q = s.heads * s.headDim, kv = s.kvHeads * s.headDim;
  const ops = emptyOps();
  ops.gemvs.push({ k: h, n: q, rows: 1 }, { k: h, n: kv, rows: 1 }, { k: h, n: kv, rows: 1 });
  ops.attn.push({ elems: kv * T, outElems: s.heads * T, macs: q * T }, { elems: kv * T, outElems: q, macs: q * T });
  ops.gemvs.push({ k: q, n: h, rows: 1 });
  if (s.gatedMlp) ops.gemvs.push({ k: h, n: s.ffn, rows: 1 }, { k: h, n: s.ffn, rows: 1 }, { k: s.ffn, n: h, rows: 1 });
  else ops.gemvs.push({ k: h, n: s.ffn, rows: 1 }, { k: s.ffn, n: h, rows: 1 });
  ops.scalarReductions = 2 /* norms */ + 2 /* softmax max, sum */;
  // what a Llama export has per layer: 2 RMSNorms (Cast, Pow, ReduceMean input, Add, Sqrt, Div, Cast, Mul),
  // RoPE on q and k (Neg, 2 Mul, Add), 2 residual Adds, SiLU (Sigmoid, Mul) and the gate Mul, score scaling, Casts and the softmax pass
  const v = (cols: number, n: number, rows = 1) => { for (let i = 0; i < n; i++) ops.elementwise.push({ rows, cols }); };
  v(h, 2 * 6); v(1, 2 * 2);
  v(s.headDim / 2, 1, s.heads); v(s.headDim, 3, s.heads); v(s.headDim / 2, 1, s.kvHeads); v(s.headDim, 3, s.kvHeads);
  v(h, 2);
  v(s.ffn, s.gatedMlp ? 3 : 1);
  v(T, 4, s.heads); // scale Mul, 2 Casts, the softmax pass
  return ops;
}
