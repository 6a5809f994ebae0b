// What each kernel (Analysis.layers entry) asks of the wafer: FLOPs, weights and buffers at the chosen
// precision, and the per-step decode ops the latency model needs. FLOPs and bytes come from the cost
// pass; where an op is not costed yet (FLOPs 0), the matmul FLOPs are recomputed from initializer dims.
import type { Analysis, Precision } from '../types';
import type { Node } from '../../onnx/ir';
import { bytesFor } from '../../onnx/dtypes';
import { emptyOps, type DecodeOps } from './latency';
import type { TransformerDims } from '../../structure';
import { elemBytesOf } from './spec';
import { weightBytesAt } from '../../cost/layers';
import { boundDims, dimsById, graphValues, type GraphValues } from '../graphValues';

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
  /** shared by kernels whose ops are equal (read-only) */
  decode: DecodeOps;
  /** timing class: kernels of one class have equal ops and activation bytes, so they time the same on any region */
  timing: number;
  /** a mixture-of-experts kernel: all experts resident, only the routed ones compute */
  moe?: MoeWork;
}

export interface MoeWork {
  experts: number;
  perToken: number;
  /** experts a step's tokens select (expected distinct count) */
  active: number;
  /** busiest expert's load over the mean (balls into bins); 1 at batch-1 decode */
  imbalance: number;
  tokens: number;
}

const REDUCTIONS: Record<string, number> = {
  ReduceMean: 1,
  ReduceSum: 1,
  ReduceMax: 1,
  ReduceMin: 1,
  ReduceProd: 1,
  ReduceL1: 1,
  ReduceL2: 1,
  ReduceSumSquare: 1,
  ReduceLogSum: 1,
  ReduceLogSumExp: 2,
  ArgMax: 1,
  ArgMin: 1,
  Softmax: 2,
  LogSoftmax: 2,
  LayerNormalization: 2,
  SimplifiedLayerNormalization: 1,
  SkipSimplifiedLayerNormalization: 1,
  SkipLayerNormalization: 2,
  RMSNormalization: 1,
  GroupNormalization: 2,
  InstanceNormalization: 2,
  BatchNormalization: 0,
};

/** Pure data movement: on the wafer these are routing, not work. */
const ROUTING =
  /^(Reshape|Transpose|Squeeze|Unsqueeze|Flatten|Concat|Split|Slice|Shape|Size|Expand|Tile|Identity|Constant|ConstantOfShape|Range|Gather|GatherElements|GatherND|ScatterND|Pad|DepthToSpace|SpaceToDepth)$/;

/** How kernelWork reads a node, by op type (kindOf: one regex test per op type, not per node). */
const enum OpKind {
  MatMul,
  MatMulNBits,
  Conv,
  MoE,
  Attention,
  Reduction,
  Gather,
  Routing,
  Elementwise,
}

const opKinds = new Map<string, OpKind>();
function kindOf(op: string): OpKind {
  let k = opKinds.get(op);
  if (k !== undefined) return k;
  if (op === 'MatMul' || op === 'Gemm') k = OpKind.MatMul;
  else if (op === 'MatMulNBits') k = OpKind.MatMulNBits;
  else if (/^(Conv|ConvTranspose|ConvInteger|QLinearConv)$/.test(op)) k = OpKind.Conv;
  else if (op === 'MoE' || op === 'QMoE') k = OpKind.MoE;
  else if (/Attention$/.test(op)) k = OpKind.Attention;
  else if (Object.hasOwn(REDUCTIONS, op)) k = OpKind.Reduction;
  else if (op === 'Gather') k = OpKind.Gather;
  else if (ROUTING.test(op)) k = OpKind.Routing;
  else k = OpKind.Elementwise;
  // op types come from the model: the cache stays small unless a model invents many (then it stops growing)
  if (opKinds.size < 4096) opKinds.set(op, k);
  return k;
}

export function kernelWork(
  a: Analysis,
  precision: Precision,
  bind: Record<string, number>,
  st: TransformerDims | null,
): KernelWork[] {
  const g = a.model.graph;
  // value ids (graphValues) index typed arrays and per-id types: this walks every node of the graph
  const gv = graphValues(a);
  const V = gv.names.length;
  const constant = new Uint8Array(V);
  for (let id = 0; id < V; id++) if (gv.inits[id]) constant[id] = 1;
  g.nodes.forEach((n, j) => {
    if (n.opType === 'Constant')
      for (let q = gv.outStart[j]; q < gv.outStart[j + 1]; q++) if (gv.outs[q] >= 0) constant[gv.outs[q]] = 1;
  });
  // graph inputs (not initializers) by value id
  const isGraphInput = new Uint8Array(V);
  g.inputs.forEach((_, k) => {
    const id = gv.inputIds[k];
    if (id >= 0 && !gv.inits[id]) isGraphInput[id] = 1;
  });
  const eb = elemBytesOf(precision);
  const bound = boundDims(a, bind);
  const dimsAt = (id: number): number[] | null => dimsById(gv, bound, id);
  const elemsAt = (id: number): number | null => {
    const d = dimsAt(id);
    return d ? d.reduce((x, y) => x * y, 1) : null;
  };
  // GQA caches are expanded to all heads in the graph (Expand/Repeat); the wafer reads the cache once.
  const gqa = st && st.kvHeads > 0 && st.heads > st.kvHeads ? st.kvHeads / st.heads : 1;
  const buffers = activationBuffers(a, gv, (id) => {
    const t = gv.types[id];
    if (!t || t.kind !== 'tensor') return 0;
    const d = t.dims ? bound(t.dims) : null;
    const e = d ? d.reduce((x, y) => x * y, 1) : 0;
    return FLOAT_TYPES.has(t.dtype) ? e * eb : bytesFor(t.dtype, e);
  });
  // one context for every node's op readers (the node's value ids, the attention index and the sums change)
  const mctx: MatmulCtx = {
    isConst: (id) => id >= 0 && constant[id] === 1,
    dimsOf: dimsAt,
    elemsOf: elemsAt,
    ins: gv.ins,
    outs: gv.outs,
    in0: 0,
    inEnd: 0,
    out0: 0,
    outEnd: 0,
    gqa,
    st,
    bind,
    attnIndex: 0,
    tokens: a.tokensPerStep,
    rows: 0,
    flops: 0,
  };
  const noteFlops = (r: number, f: number) => {
    mctx.rows = Math.max(mctx.rows, r);
    mctx.flops += f;
  };
  // kernels with equal ops share one DecodeOps (read-only); equal timing inputs share a timing class
  const shareOps = new Interner<DecodeOps>(opsHash, opsEqual);
  const timings = new Interner<TimingKey>(
    (t) => mix(mix(opsHash(t.ops, false), t.actIn), t.actOut),
    (x, y) => x.actIn === y.actIn && x.actOut === y.actOut && opsEqual(x.ops, y.ops, false),
  );
  const out: KernelWork[] = [];
  for (const l of a.layers) {
    let ops = emptyOps();
    let inputBuf = 0;
    let attnSeen = 0;
    let moe: MoeWork | undefined;
    mctx.rows = 0;
    mctx.flops = 0;
    for (const idx of l.nodeIndices) {
      const n = g.nodes[idx];
      for (let q = gv.inStart[idx]; q < gv.inStart[idx + 1]; q++) {
        const id = gv.ins[q];
        if (id >= 0 && isGraphInput[id]) {
          const e = elemsAt(id);
          if (e) inputBuf += e * eb;
        }
      }
      if (n.domain !== '' && n.domain !== 'com.microsoft') continue;
      mctx.attnIndex = attnSeen;
      mctx.in0 = gv.inStart[idx];
      mctx.inEnd = gv.inStart[idx + 1];
      mctx.out0 = gv.outStart[idx];
      mctx.outEnd = gv.outStart[idx + 1];
      const in0 = inId(mctx, 0);
      const kind = kindOf(n.opType);
      if (kind === OpKind.MatMul) {
        matmulOps(n, ops, mctx, noteFlops);
        if (!mctx.isConst(in0) && !mctx.isConst(inId(mctx, 1))) attnSeen++;
      } else if (kind === OpKind.MatMulNBits) {
        // quantized weight: K and N are attributes (com.microsoft)
        const k = n.attrs.K?.type === 'int' ? n.attrs.K.value : 0,
          nn = n.attrs.N?.type === 'int' ? n.attrs.N.value : 0;
        const ad = dimsAt(in0);
        const r = ad
          ? Math.max(
              1,
              ad.slice(0, -1).reduce((x, y) => x * y, 1),
            )
          : a.tokensPerStep;
        if (k && nn) {
          ops.gemvs.push({ k, n: nn, rows: r });
          noteFlops(r, 2 * k * nn * r);
        }
      } else if (kind === OpKind.Conv) {
        convOps(n, ops, mctx, noteFlops);
      } else if (kind === OpKind.MoE) {
        moe = moeOps(n, ops, mctx, noteFlops) ?? moe;
      } else if (kind === OpKind.Attention) {
        attentionOpOps(ops, mctx, noteFlops);
      } else if (kind === OpKind.Reduction) {
        ops.scalarReductions += REDUCTIONS[n.opType];
        pushElementwise(ops, dimsAt(in0));
      } else if (kind === OpKind.Gather) {
        // a lookup in a constant table; a Gather of activations is routing
        if (!mctx.isConst(in0)) continue;
        ops.lookups += 1;
        const y0 = outId(mctx, 0);
        const t = dimsAt(in0),
          y = dimsAt(y0);
        if (t && t.length === 2 && y && y.length >= 1) {
          const cols = y[y.length - 1];
          ops.gathers = [...(ops.gathers ?? []), { rows: Math.max(1, elemsAt(y0)! / cols), cols, tableRows: t[0] }];
        }
      } else if (kind === OpKind.Elementwise) {
        pushElementwise(ops, dimsAt(outId(mctx, 0)));
      }
    }
    // FLOPs the ops above do not describe (recurrent cells, Einsum, ops costed by the cost pass only)
    const ew = ops.elementwise.reduce((x, e) => x + e.rows * e.cols, 0);
    ops.otherFlops = Math.max(0, l.forwardFlops - mctx.flops - 8 * ew);
    const actInBytes = buffers.inBytes[l.id] ?? 0,
      actOutBytes = buffers.outBytes[l.id] ?? 0;
    ops = shareOps.intern(ops).value;
    const timing = timings.intern({ ops, actIn: actInBytes, actOut: actOutBytes }).id;
    out.push({
      index: l.id,
      name: l.name,
      block: l.block,
      kind: l.kind,
      flops: Math.max(l.forwardFlops, mctx.flops),
      params: l.paramCount,
      weightBytes: weightBytesAt(l, eb), // int4/int8 block-quantized weights as stored
      inputBufferBytes: inputBuf,
      actInBytes,
      actOutBytes,
      rows: mctx.rows,
      decode: ops,
      timing,
      moe,
    });
  }
  return out;
}

interface TimingKey {
  ops: DecodeOps;
  actIn: number;
  actOut: number;
}

/** Equal values (by `equal`) as one shared value with a small id, found by a numeric hash instead of a key string
 * (printing every number of every kernel was most of this pass's time on large graphs). */
class Interner<T> {
  private byHash = new Map<number, { value: T; id: number }[]>();
  private size = 0;
  constructor(
    private hash: (v: T) => number,
    private equal: (a: T, b: T) => boolean,
  ) {}
  intern(v: T): { value: T; id: number } {
    const h = this.hash(v);
    let list = this.byHash.get(h);
    if (!list) this.byHash.set(h, (list = []));
    for (const e of list) if (this.equal(e.value, v)) return e;
    const e = { value: v, id: this.size++ };
    list.push(e);
    return e;
  }
}

const f64 = new Float64Array(1),
  u32 = new Uint32Array(f64.buffer);
/** Folds a number's bits into a 32-bit hash. */
function mix(h: number, x: number): number {
  f64[0] = x;
  h = Math.imul(h ^ u32[0], 0x9e3779b1);
  return Math.imul(h ^ u32[1], 0x85ebca6b) ^ (h >>> 15);
}

/** Hash of what decodeOpsCycles and stepCycles read of a kernel's ops, and the gathers too when `gathers`
 * (weight streaming reads them). */
function opsHash(o: DecodeOps, gathers = true): number {
  let h = mix(mix(mix(17, o.scalarReductions), o.lookups), o.otherFlops);
  for (const g of o.gemvs) h = mix(mix(mix(h, g.k), g.n), g.rows);
  h = mix(h, -1);
  for (const a of o.attn) h = mix(mix(mix(h, a.elems), a.outElems), a.macs);
  h = mix(h, -2);
  for (const e of o.elementwise) h = mix(mix(h, e.rows), e.cols);
  if (gathers && o.gathers) for (const x of o.gathers) h = mix(mix(mix(h, x.rows), x.cols), x.tableRows);
  return h;
}

/** Equal ops (the gathers compared too when `gathers`); numbers compared as values, as their printed forms were. */
function opsEqual(a: DecodeOps, b: DecodeOps, gathers = true): boolean {
  if (a === b) return true;
  if (a.scalarReductions !== b.scalarReductions || a.lookups !== b.lookups || a.otherFlops !== b.otherFlops)
    return false;
  const same = <T>(x: T[] | undefined, y: T[] | undefined, eq: (p: T, q: T) => boolean) =>
    (x?.length ?? 0) === (y?.length ?? 0) && (x ?? []).every((p, i) => eq(p, y![i]));
  return (
    same(a.gemvs, b.gemvs, (p, q) => p.k === q.k && p.n === q.n && p.rows === q.rows) &&
    same(a.attn, b.attn, (p, q) => p.elems === q.elems && p.outElems === q.outElems && p.macs === q.macs) &&
    same(a.elementwise, b.elementwise, (p, q) => p.rows === q.rows && p.cols === q.cols) &&
    (!gathers ||
      same(a.gathers, b.gathers, (p, q) => p.rows === q.rows && p.cols === q.cols && p.tableRows === q.tableRows))
  );
}

/** The current node's input / output value id k (-1: omitted or past the end). */
function inId(c: MatmulCtx, k: number): number {
  return c.in0 + k < c.inEnd ? c.ins[c.in0 + k] : -1;
}

function outId(c: MatmulCtx, k: number): number {
  return c.out0 + k < c.outEnd ? c.outs[c.out0 + k] : -1;
}

function pushElementwise(ops: DecodeOps, d: number[] | null): void {
  if (!d) return;
  const cols = d.length ? d[d.length - 1] : 1;
  let rows = 1;
  for (let i = 0; i < d.length - 1; i++) rows = rows * d[i];
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
function activationBuffers(
  a: Analysis,
  gv: GraphValues,
  bytesOf: (id: number) => number,
): { inBytes: number[]; outBytes: number[] } {
  const g = a.model.graph;
  const V = gv.names.length;
  const { ins, inStart, outs, outStart, producer } = gv;
  // value ids and typed arrays, no map lookup per value: this runs over every node of the graph
  const kernelOf = new Int32Array(g.nodes.length).fill(-1);
  for (const l of a.layers) for (const i of l.nodeIndices) if (i >= 0 && i < kernelOf.length) kernelOf[i] = l.id;
  const kernelAt = (index: number) => (index >= 0 && index < kernelOf.length ? kernelOf[index] : -1);
  const graphOut = new Uint8Array(V);
  for (let k = 0; k < g.outputs.length; k++) if (gv.outputIds[k] >= 0) graphOut[gv.outputIds[k]] = 1;
  // the kernel that reads a value (-1: none), or MANY when kernels of more than one read it
  const MANY = -2;
  const reader = new Int32Array(V).fill(-1);
  g.nodes.forEach((n, j) => {
    const k = kernelAt(n.index);
    if (k < 0) return;
    for (let q = inStart[j]; q < inStart[j + 1]; q++) {
      const i = ins[q];
      if (i < 0) continue;
      const r = reader[i];
      if (r === -1) reader[i] = k;
      else if (r !== k && r !== MANY) reader[i] = MANY;
    }
  });
  const routingOp = new Map<string, boolean>();
  const routing = new Uint8Array(g.nodes.length);
  g.nodes.forEach((n, j) => {
    let r = routingOp.get(n.opType);
    if (r === undefined) routingOp.set(n.opType, (r = kindOf(n.opType) === OpKind.Routing || n.opType === 'Gather'));
    routing[j] = r ? 1 : 0;
  });
  const hasProducer = (i: number) => i >= 0 && producer[i] >= 0;
  /** the compute node's value a value comes from, following routing ops back; -1 for graph inputs and constants */
  const origin = (id: number): number => {
    let cur = id;
    for (let depth = 0; depth < 64; depth++) {
      const pj = producer[cur];
      if (pj < 0) return -1;
      const p = g.nodes[pj];
      const first = inStart[pj] < inStart[pj + 1] ? ins[inStart[pj]] : -1;
      if (!routing[pj] || (p.opType === 'Gather' && !hasProducer(first))) return p.opType === 'Constant' ? -1 : cur;
      // the first input some node produces (the data, not a shape or index constant)
      let next = -1;
      for (let q = inStart[pj]; q < inStart[pj + 1] && next < 0; q++) if (hasProducer(ins[q])) next = ins[q];
      if (next < 0) return -1;
      cur = next;
    }
    return -1;
  };
  const bytes = new Float64Array(V).fill(NaN);
  const bytesAt = (id: number) => {
    let b = bytes[id];
    if (Number.isNaN(b)) bytes[id] = b = bytesOf(id);
    return b;
  };
  const inBytes: number[] = [],
    outBytes: number[] = [];
  // the kernel that last counted a source as its input (one array for all kernels instead of a set per kernel)
  const countedBy = new Int32Array(V).fill(-1);
  for (const l of a.layers) {
    let ib = 0,
      ob = 0;
    for (const idx of l.nodeIndices) {
      if (!routing[idx])
        for (let q = outStart[idx]; q < outStart[idx + 1]; q++) {
          const o = outs[q];
          if (o < 0) continue;
          const r = reader[o];
          // a buffer when the graph outputs it or another kernel reads it
          if (graphOut[o] || (r !== -1 && r !== l.id)) ob += bytesAt(o);
        }
      for (let q = inStart[idx]; q < inStart[idx + 1]; q++) {
        const i = ins[q];
        if (i < 0) continue;
        const src = origin(i);
        if (src < 0 || countedBy[src] === l.id) continue;
        const pk = kernelAt(g.nodes[producer[src]].index);
        if (pk < 0 || pk === l.id) continue;
        countedBy[src] = l.id;
        const bs = bytesAt(src);
        ib += Math.min(bs, (i === src ? bs : bytesAt(i)) || bs);
      }
    }
    inBytes[l.id] = ib;
    outBytes[l.id] = ob;
  }
  return { inBytes, outBytes };
}

/** What the op readers see: value facts by id, the current node's input / output ids (ins[in0 .. inEnd),
 * outs[out0 .. outEnd)), and the kernel's running largest row count and FLOPs (noteFlops). */
interface MatmulCtx {
  isConst: (id: number) => boolean;
  dimsOf: (id: number) => number[] | null;
  elemsOf: (id: number) => number | null;
  ins: ArrayLike<number>;
  outs: ArrayLike<number>;
  in0: number;
  inEnd: number;
  out0: number;
  outEnd: number;
  gqa: number;
  st: TransformerDims | null;
  bind: Record<string, number>;
  attnIndex: number;
  tokens: number;
  rows: number;
  flops: number;
}

function matmulOps(n: Node, ops: DecodeOps, c: MatmulCtx, note: (rows: number, flops: number) => void): void {
  const a = inId(c, 0),
    b = inId(c, 1);
  const bConst = c.isConst(b);
  const aConst = c.isConst(a);
  if (bConst || aConst) {
    const w = c.dimsOf(bConst ? b : a);
    if (!w || w.length < 2) return;
    let k = w[w.length - 2],
      nn = w[w.length - 1];
    if (n.opType === 'Gemm' && n.attrs.transB?.type === 'int' && n.attrs.transB.value === 1) [k, nn] = [nn, k];
    const batchW = w.slice(0, -2).reduce((x, y) => x * y, 1);
    const ad = c.dimsOf(bConst ? a : b);
    const rows = ad && ad.length >= 1 ? ad.slice(0, -1).reduce((x, y) => x * y, 1) / Math.max(1, batchW) : c.tokens;
    for (let i = 0; i < batchW; i++) ops.gemvs.push({ k, n: nn, rows: Math.max(1, rows) });
    note(Math.max(1, rows), 2 * k * nn * batchW * Math.max(1, rows));
    return;
  }
  // activation x activation (attention): the larger operand is the cache the step reads
  const ea = c.elemsOf(a),
    ebb = c.elemsOf(b),
    eo = c.elemsOf(outId(c, 0));
  if (ea !== null && ebb !== null && eo !== null) {
    const ad = c.dimsOf(a);
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

/** A convolution is a GEMM: K = Cin/groups x kernel window, N = Cout, one row per output position. */
function convOps(n: Node, ops: DecodeOps, c: MatmulCtx, note: (rows: number, flops: number) => void): void {
  const w = c.dimsOf(inId(c, n.opType === 'QLinearConv' ? 3 : 1));
  const y = c.dimsOf(outId(c, 0));
  if (!w || w.length < 3 || !y || y.length < 2) return;
  const transposed = n.opType === 'ConvTranspose';
  const groups = n.attrs.group?.type === 'int' ? n.attrs.group.value : 1;
  const window = w.slice(2).reduce((x, v) => x * v, 1);
  const cout = transposed ? w[1] * groups : w[0];
  const cinPerGroup = transposed ? w[0] / groups : w[1];
  const outElems = y.reduce((x, v) => x * v, 1);
  const rows = Math.max(1, Math.round(outElems / Math.max(1, cout)));
  const k = cinPerGroup * window;
  // grouped: each output channel sees only its group's inputs, so K shrinks, N stays Cout
  ops.gemvs.push({ k, n: cout, rows });
  note(rows, 2 * k * cout * rows);
}

/** Fused attention ops (com.microsoft Attention / MultiHeadAttention / GroupQueryAttention): a QKV
 * projection when the weight is an input, and scores + context over the cache from the structure. */
function attentionOpOps(ops: DecodeOps, c: MatmulCtx, note: (rows: number, flops: number) => void): void {
  const w = c.isConst(inId(c, 1)) ? c.dimsOf(inId(c, 1)) : null;
  const xd = c.dimsOf(inId(c, 0));
  const rows = xd && xd.length >= 2 ? xd.slice(0, -1).reduce((x, v) => x * v, 1) : c.tokens;
  if (w && w.length === 2) {
    ops.gemvs.push({ k: w[0], n: w[1], rows });
    note(rows, 2 * w[0] * w[1] * rows);
  }
  ops.scalarReductions += 2;
  if (c.st) {
    const T = (c.st.past ?? 0) + rows;
    const cache = c.st.kvHeads * c.st.headDim * T;
    const macs = c.st.heads * c.st.headDim * T * rows;
    ops.attn.push(
      { elems: cache, outElems: c.st.heads * T * rows, macs },
      { elems: cache, outElems: c.st.heads * c.st.headDim * rows, macs },
    );
    note(0, 4 * macs);
  }
}

/** The decode ops of one Llama-style block from its structure alone (used to calibrate against published
 * per-layer timings of models we have no graph for). Mirrors what kernelWork reads from such a graph. */
export function blockOpsFromStructure(s: TransformerDims, T: number): DecodeOps {
  const h = s.hidden,
    q = s.heads * s.headDim,
    kv = s.kvHeads * s.headDim;
  const ops = emptyOps();
  ops.gemvs.push({ k: h, n: q, rows: 1 }, { k: h, n: kv, rows: 1 }, { k: h, n: kv, rows: 1 });
  ops.attn.push({ elems: kv * T, outElems: s.heads * T, macs: q * T }, { elems: kv * T, outElems: q, macs: q * T });
  ops.gemvs.push({ k: q, n: h, rows: 1 });
  if (s.gated) ops.gemvs.push({ k: h, n: s.ffn, rows: 1 }, { k: h, n: s.ffn, rows: 1 }, { k: s.ffn, n: h, rows: 1 });
  else ops.gemvs.push({ k: h, n: s.ffn, rows: 1 }, { k: s.ffn, n: h, rows: 1 });
  ops.scalarReductions = 2 /* norms */ + 2; /* softmax max, sum */
  // what a Llama export has per layer: 2 RMSNorms (Cast, Pow, ReduceMean input, Add, Sqrt, Div, Cast, Mul),
  // RoPE on q and k (Neg, 2 Mul, Add), 2 residual Adds, SiLU (Sigmoid, Mul) and the gate Mul, score scaling, Casts and the softmax pass
  const v = (cols: number, n: number, rows = 1) => {
    for (let i = 0; i < n; i++) ops.elementwise.push({ rows, cols });
  };
  v(h, 2 * 6);
  v(1, 2 * 2);
  v(s.headDim / 2, 1, s.heads);
  v(s.headDim, 3, s.heads);
  v(s.headDim / 2, 1, s.kvHeads);
  v(s.headDim, 3, s.kvHeads);
  v(h, 2);
  v(s.ffn, s.gated ? 3 : 1);
  v(T, 4, s.heads); // scale Mul, 2 Casts, the softmax pass
  return ops;
}

/** com.microsoft MoE / QMoE: every expert's weights are resident (the kernel's parameters); per step only the
 * experts the tokens select run their FC1 (gate+up) and FC2 GEMVs. Layout on the wafer: each expert is spread
 * over the whole region, so an active expert reads 1/E of every core's expert tiles (decode time falls with
 * k/E); with T tokens, E (1 - (1 - k/E)^T) distinct experts are active and the busiest gets about
 * mean + sqrt(2 mean ln E) tokens (balls into bins, Raab & Steger 1998), which sets the time when experts run
 * side by side. Input layout as in onnxruntime's ContribOperators (weights 2, 4, 6; QMoE 2, 5, 8). */
function moeOps(
  n: Node,
  ops: DecodeOps,
  c: MatmulCtx,
  note: (rows: number, flops: number) => void,
): MoeWork | undefined {
  const q = n.opType === 'QMoE';
  const [i1, i2, i3] = q ? [2, 5, 8] : [2, 4, 6];
  const x = c.dimsOf(inId(c, 0));
  const f1 = c.dimsOf(inId(c, i1));
  const f2 = c.dimsOf(inId(c, i2));
  if (!x || !f1 || !f2 || f1.length < 2) return undefined;
  const hidden = x[x.length - 1];
  const T = Math.max(
    1,
    x.slice(0, -1).reduce((a, b) => a * b, 1),
  );
  const E = Math.max(1, f1[0]);
  const kk = Math.min(E, Math.max(1, n.attrs.k?.type === 'int' ? n.attrs.k.value : 1));
  const bits = n.attrs.expert_weight_bits?.type === 'int' ? n.attrs.expert_weight_bits.value : 4;
  const per = (d: number[]) => (d.reduce((a, b) => a * b, 1) / E) * (q ? 8 / bits : 1);
  const f3 = c.dimsOf(inId(c, i3));
  const fc1 = per(f1) + (f3 ? per(f3) : 0);
  const fc2 = per(f2);
  const inter = fc2 / Math.max(1, hidden);
  const active = E * (1 - Math.pow(1 - kk / E, T));
  const mean = (T * kk) / active;
  const imbalance = T > 1 ? (mean + Math.sqrt(2 * mean * Math.log(E))) / mean : 1;
  const rows = mean * imbalance;
  const nActive = Math.max(1, Math.round(active));
  for (let e = 0; e < nActive; e++)
    ops.gemvs.push({ k: hidden, n: Math.round(fc1 / hidden), rows }, { k: Math.round(inter), n: hidden, rows });
  pushElementwise(ops, [T * kk, Math.round(inter)]);
  ops.scalarReductions += 2; // router softmax (max, sum) and top-k
  note(T, 2 * T * kk * (fc1 + fc2));
  return { experts: E, perToken: kk, active, imbalance, tokens: T };
}
