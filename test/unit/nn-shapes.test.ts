// Shape inference of the nn family (convolutions, pooling, matrix products, quantization, attention)
// on one-node models; expected dims are worked out by hand from the ONNX operator formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, model, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';
import { evalDim } from '../../src/engine/shapes/dims';

interface In { name: string; dtype?: number; dims: Dim[] | null; init?: number[] }
interface Out { dtype: number; dims: Dim[] | null }

/** Infers a one-node model; returns each output's dtype/dims and the error diagnostics. */
function infer(op: string, ins: In[], outs: string[], attrs: Record<string, AttrInput> = {}, opsets: Record<string, number> = { '': 22 }, domain = '') {
  const m = readModelBytes(model({
    opsets,
    graph: graph({
      nodes: [node(op, ins.map((i) => i.name), outs, attrs, { domain })],
      inputs: ins.filter((i) => i.name && !i.init).map((i) => vi(i.name, i.dtype ?? T.FLOAT, i.dims)),
      initializers: ins.filter((i) => i.init).map((i) => tensor(i.name, i.dtype ?? T.INT64, i.dims as number[], { values: i.init })),
      outputs: outs.filter(Boolean).map((name) => ({ name })),
    }),
  }));
  const s = inferShapes(m, { useDeclared: false });
  const got: Out[] = outs.map((o) => {
    const t = o ? s.main.values.get(o)?.type : undefined;
    return t && t.kind === 'tensor' ? { dtype: t.dtype, dims: t.dims } : { dtype: -1, dims: null };
  });
  return { outs: got, errors: s.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message) };
}

const X = (dims: Dim[] | null, dtype: number = T.FLOAT, name = 'x'): In => ({ name, dtype, dims });
const dims = (r: ReturnType<typeof infer>, k = 0) => {
  assert.deepEqual(r.errors, []);
  return r.outs[k].dims;
};

test('Conv: pads, strides, dilations, auto_pad, group; kernel from W', () => {
  const w = X([2, 1, 3, 3], T.FLOAT, 'w');
  // (5 + 1 + 1 - 3)/1 + 1 = 5
  assert.deepEqual(dims(infer('Conv', [X([1, 1, 5, 5]), w], ['y'], { pads: [1, 1, 1, 1] })), [1, 2, 5, 5]);
  // H: (7 + 2 - 3)/2 + 1 = 4, W: (5 + 0 - 3)/2 + 1 = 2
  assert.deepEqual(dims(infer('Conv', [X([1, 1, 7, 5]), w], ['y'], { pads: [1, 0, 1, 0], strides: [2, 2] })), [1, 2, 4, 2]);
  // dilation 2: effective kernel 5 -> (9 - 5)/1 + 1 = 5
  assert.deepEqual(dims(infer('Conv', [X([1, 1, 9, 9]), w], ['y'], { dilations: [2, 2] })), [1, 2, 5, 5]);
  // SAME_UPPER / SAME_LOWER: ceil(in / stride); VALID: no padding
  assert.deepEqual(dims(infer('Conv', [X([1, 1, 7, 8]), w], ['y'], { auto_pad: 'SAME_UPPER', strides: [2, 3] })), [1, 2, 4, 3]);
  assert.deepEqual(dims(infer('Conv', [X([1, 1, 7, 8]), w], ['y'], { auto_pad: 'SAME_LOWER' })), [1, 2, 7, 8]);
  assert.deepEqual(dims(infer('Conv', [X([1, 1, 7, 8]), w], ['y'], { auto_pad: 'VALID', strides: [2, 2] })), [1, 2, 3, 3]);
  // depthwise: group 4, W [8, 1, 3, 3]
  assert.deepEqual(dims(infer('Conv', [X([2, 4, 10, 10]), X([8, 1, 3, 3], T.FLOAT, 'w')], ['y'], { group: 4, pads: [1, 1, 1, 1] })), [2, 8, 10, 10]);
  // 1-D and 3-D
  assert.deepEqual(dims(infer('Conv', [X([1, 3, 16]), X([6, 3, 4], T.FLOAT, 'w')], ['y'], { strides: [2] })), [1, 6, 7]);
  assert.deepEqual(dims(infer('Conv', [X([1, 1, 4, 5, 6]), X([1, 1, 3, 3, 3], T.FLOAT, 'w')], ['y'])), [1, 1, 2, 3, 4]);
});

test('Conv: symbolic dims propagate and evaluate to the numeric formula', () => {
  const r = infer('Conv', [X(['N', 3, 'H', 'W']), X([16, 3, 3, 3], T.FLOAT, 'w')], ['y'], { strides: [2, 2], pads: [1, 1, 1, 1] });
  const d = dims(r)!;
  assert.equal(d[0], 'N');
  assert.equal(d[1], 16);
  for (const h of [224, 225, 7]) assert.equal(evalDim(d[2], { H: h }), Math.floor((h + 2 - 3) / 2) + 1);
  const s = infer('Conv', [X(['N', 3, 'H', 'W']), X([16, 3, 3, 3], T.FLOAT, 'w')], ['y'], { auto_pad: 'SAME_UPPER', strides: [2, 2] });
  assert.equal(evalDim(dims(s)![3], { W: 225 }), 113);
});

test('Conv: channel mismatch and oversize kernels are diagnostics, not crashes', () => {
  const r = infer('Conv', [X([1, 3, 5, 5]), X([2, 4, 3, 3], T.FLOAT, 'w')], ['y']);
  assert.match(r.errors.join(), /input channels 3 != weight channels 4/);
  const k = infer('Conv', [X([1, 1, 2, 2]), X([1, 1, 3, 3], T.FLOAT, 'w')], ['y']);
  assert.match(k.errors.join(), /larger than the padded input/);
});

test('ConvInteger, QLinearConv, DeformConv: Conv sizes, their own dtypes', () => {
  const ci = infer('ConvInteger', [X([1, 1, 3, 3], T.UINT8), X([2, 1, 2, 2], T.UINT8, 'w')], ['y'], { pads: [1, 1, 1, 1] }, { '': 10 });
  assert.deepEqual(ci.outs[0], { dtype: T.INT32, dims: [1, 2, 4, 4] });
  const q = infer('QLinearConv', [X([1, 1, 7, 7], T.UINT8), X([], T.FLOAT, 's'), X([], T.UINT8, 'z'), X([4, 1, 3, 3], T.UINT8, 'w'),
    X([4], T.FLOAT, 'ws'), X([4], T.UINT8, 'wz'), X([], T.FLOAT, 'ys'), X([], T.INT8, 'yz')], ['y'], { strides: [2, 2] }, { '': 10 });
  assert.deepEqual(q.outs[0], { dtype: T.INT8, dims: [1, 4, 3, 3] });
  const dc = infer('DeformConv', [X([1, 2, 3, 3]), X([1, 2, 2, 2], T.FLOAT, 'w'), X([1, 16, 2, 2], T.FLOAT, 'off')], ['y'], { offset_group: 2 });
  assert.deepEqual(dims(dc), [1, 1, 2, 2]);
});

test('ConvTranspose: stride/pads/output_padding/dilations/group, output_shape and auto_pad', () => {
  const w = X([1, 2, 3, 3], T.FLOAT, 'w');
  // 3*(3-1) + 0 + 3 - 0 = 9 ; with output_padding 1: 10 ; W: 2*(3-1) + 1 + 3 = 8
  assert.deepEqual(dims(infer('ConvTranspose', [X([1, 1, 3, 3]), w], ['y'], { strides: [3, 2], output_padding: [1, 1] })), [1, 2, 10, 8]);
  // pads [1,2,1,2]: H 3*2 + 3 - 2 = 7, W 2*2 + 3 - 4 = 3
  assert.deepEqual(dims(infer('ConvTranspose', [X([1, 1, 3, 3]), w], ['y'], { strides: [3, 2], pads: [1, 2, 1, 2] })), [1, 2, 7, 3]);
  // output_shape wins over the formula
  assert.deepEqual(dims(infer('ConvTranspose', [X([1, 1, 3, 3]), w], ['y'], { strides: [3, 2], output_shape: [10, 8] })), [1, 2, 10, 8]);
  // dilation 2: effective kernel 3 from k=2 -> (3-1) + 3 = 5 ; group 2 doubles W[1]
  assert.deepEqual(dims(infer('ConvTranspose', [X([1, 1, 3, 3]), X([1, 1, 2, 2], T.FLOAT, 'w')], ['y'], { dilations: [2, 2] })), [1, 1, 5, 5]);
  assert.deepEqual(dims(infer('ConvTranspose', [X([3, 2, 3, 3]), X([2, 1, 3, 3], T.FLOAT, 'w')], ['y'], { group: 2 })), [3, 2, 5, 5]);
  // SAME_UPPER: in * stride
  assert.deepEqual(dims(infer('ConvTranspose', [X([1, 1, 3, 4]), w], ['y'], { auto_pad: 'SAME_UPPER', strides: [2, 2] })), [1, 2, 6, 8]);
  // symbolic input: stride*(L-1) + k
  const s = dims(infer('ConvTranspose', [X([1, 1, 'L']), X([1, 4, 4], T.FLOAT, 'w')], ['y'], { strides: [2] }))!;
  assert.equal(evalDim(s[2], { L: 10 }), 2 * 9 + 4);
});

test('MaxPool: Indices output, ceil_mode (with the last-window rule), dilations, SAME_LOWER', () => {
  const r = infer('MaxPool', [X([1, 1, 5, 5])], ['y', 'i'], { kernel_shape: [2, 2], strides: [2, 2] });
  assert.deepEqual(r.outs[0], { dtype: T.FLOAT, dims: [1, 1, 2, 2] });
  assert.deepEqual(r.outs[1], { dtype: T.INT64, dims: [1, 1, 2, 2] });
  // ceil((4 - 3)/2) + 1 = 2
  assert.deepEqual(dims(infer('MaxPool', [X([1, 1, 4, 4])], ['y'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })), [1, 1, 2, 2]);
  // ceil((2-1)/2)+1 = 2, but the second window would start at 2 >= 2: dropped -> 1
  assert.deepEqual(dims(infer('MaxPool', [X([1, 1, 2, 2])], ['y'], { kernel_shape: [1, 1], strides: [2, 2], ceil_mode: 1 })), [1, 1, 1, 1]);
  // dilations 2, kernel 5 (effective 9), stride 3, ceil: ceil((32-9)/3)+1 = 9 ; floor: 8
  assert.deepEqual(dims(infer('MaxPool', [X([1, 1, 32, 32, 32])], ['y'], { kernel_shape: [5, 5, 5], strides: [3, 3, 3], dilations: [2, 2, 2], ceil_mode: 1 })), [1, 1, 9, 9, 9]);
  assert.deepEqual(dims(infer('AveragePool', [X([1, 1, 32, 32, 32])], ['y'], { kernel_shape: [5, 5, 5], strides: [3, 3, 3], dilations: [2, 2, 2] })), [1, 1, 8, 8, 8]);
  assert.deepEqual(dims(infer('MaxPool', [X([1, 3, 32, 32])], ['y'], { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER' })), [1, 3, 32, 32]);
  assert.deepEqual(infer('MaxPool', [X([1, 1, 5, 5], T.UINT8)], ['y'], { kernel_shape: [5, 5], pads: [2, 2, 2, 2] }).outs[0], { dtype: T.UINT8, dims: [1, 1, 5, 5] });
  assert.match(infer('MaxPool', [X([1, 1, 5, 5])], ['y'], {}).errors.join(), /kernel_shape/);
});

test('AveragePool / LpPool / Global pools / MaxUnpool / RoiAlign / MaxRoiPool', () => {
  // count_include_pad does not change the size: (28 + 4 - 3) + 1 = 30
  assert.deepEqual(dims(infer('AveragePool', [X([1, 3, 28, 28])], ['y'], { kernel_shape: [3, 3], pads: [2, 2, 2, 2], count_include_pad: 1 })), [1, 3, 30, 30]);
  // ceil: (2 + 2 - 3)/3 -> ceil(1/3) + 1 = 2, last window starts at 3 >= 2 + 1: 1
  assert.deepEqual(dims(infer('AveragePool', [X([1, 3, 2, 2])], ['y'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [3, 3], ceil_mode: 1 })), [1, 3, 1, 1]);
  assert.deepEqual(dims(infer('LpPool', [X([1, 3, 32, 32])], ['y'], { kernel_shape: [5, 5], strides: [3, 3], p: 2 })), [1, 3, 10, 10]);
  assert.deepEqual(dims(infer('GlobalAveragePool', [X(['N', 3, 7, 9])], ['y'])), ['N', 3, 1, 1]);
  assert.deepEqual(dims(infer('GlobalMaxPool', [X([2, 3, 7])], ['y'])), [2, 3, 1]);
  assert.deepEqual(dims(infer('GlobalLpPool', [X([2, 3, 4, 5, 6])], ['y'])), [2, 3, 1, 1, 1]);
  // MaxUnpool: (2-1)*2 + 2 = 4, or the output_shape input when its values are known
  const xi: In[] = [X([1, 1, 2, 2]), X([1, 1, 2, 2], T.INT64, 'i')];
  assert.deepEqual(dims(infer('MaxUnpool', xi, ['y'], { kernel_shape: [2, 2], strides: [2, 2] })), [1, 1, 4, 4]);
  assert.deepEqual(dims(infer('MaxUnpool', [...xi, { name: 'shape', dims: [4], init: [1, 1, 5, 5] }], ['y'], { kernel_shape: [2, 2], strides: [2, 2] })), [1, 1, 5, 5]);
  assert.deepEqual(dims(infer('RoiAlign', [X([1, 4, 10, 10]), X([3, 4], T.FLOAT, 'r'), X([3], T.INT64, 'b')], ['y'], { output_height: 5, output_width: 6 })), [3, 4, 5, 6]);
  assert.deepEqual(dims(infer('MaxRoiPool', [X([1, 4, 10, 10]), X([7, 5], T.FLOAT, 'r')], ['y'], { pooled_shape: [2, 3] })), [7, 4, 2, 3]);
});

test('MatMul: 1-D promotion, batch broadcasting, symbolic dims, K mismatch', () => {
  const mm = (a: Dim[], b: Dim[]) => dims(infer('MatMul', [X(a, T.FLOAT, 'a'), X(b, T.FLOAT, 'b')], ['c'], {}, { '': 13 }));
  assert.deepEqual(mm([3], [3]), []);
  assert.deepEqual(mm([4], [2, 4, 1]), [2, 1]);
  assert.deepEqual(mm([1, 2, 4, 3], [3]), [1, 2, 4]);
  assert.deepEqual(mm([3, 1, 3, 4], [1, 2, 4, 2]), [3, 2, 3, 2]);
  assert.deepEqual(mm(['B', 'S', 768], [768, 3072]), ['B', 'S', 3072]);
  assert.deepEqual(mm(['B', 12, 'S', 64], ['B', 12, 64, 'S']), ['B', 12, 'S', 'S']);
  assert.match(infer('MatMul', [X([2, 3], T.FLOAT, 'a'), X([4, 5], T.FLOAT, 'b')], ['c']).errors.join(), /inner dimensions differ/);
  assert.match(infer('MatMul', [X([2, 2, 3], T.FLOAT, 'a'), X([3, 3, 5], T.FLOAT, 'b')], ['c']).errors.join(), /do not broadcast/);
  const mi = infer('MatMulInteger', [X([4, 3], T.UINT8, 'a'), X([3, 2], T.UINT8, 'b')], ['y'], {}, { '': 10 });
  assert.deepEqual(mi.outs[0], { dtype: T.INT32, dims: [4, 2] });
  const s = (n: string, dt: number = T.FLOAT): In => X([], dt, n);
  const ql = infer('QLinearMatMul', [X([2, 2, 4], T.INT8, 'a'), s('as'), s('az', T.INT8), X([2, 4, 3], T.INT8, 'b'), s('bs'), s('bz', T.INT8), s('ys'), s('yz', T.INT8)], ['y'], {}, { '': 21 });
  assert.deepEqual(ql.outs[0], { dtype: T.INT8, dims: [2, 2, 3] });
});

test('Gemm: transA/transB, C broadcasting', () => {
  const g = (a: Dim[], b: Dim[], attrs: Record<string, AttrInput>, c?: Dim[]) =>
    infer('Gemm', [X(a, T.FLOAT, 'a'), X(b, T.FLOAT, 'b'), ...(c ? [X(c, T.FLOAT, 'c')] : [])], ['y'], attrs, { '': 13 });
  assert.deepEqual(dims(g([6, 3], [6, 4], { transA: 1 }, [1, 4])), [3, 4]);
  assert.deepEqual(dims(g([3, 6], [4, 6], { transB: 1 }, [])), [3, 4]);
  assert.deepEqual(dims(g(['M', 6], [6, 4], {}, [4])), ['M', 4]);
  assert.match(g([3, 6], [6, 4], {}, [2, 4]).errors.join(), /does not broadcast/);
  assert.match(g([3, 6], [5, 4], {}).errors.join(), /inner dimensions differ/);
});

test('Einsum: explicit and implicit outputs, ellipsis broadcasting, diagonal', () => {
  const e = (eq: string, ...ins: Dim[][]) => dims(infer('Einsum', ins.map((d, i) => X(d, T.FLOAT, `x${i}`)), ['y'], { equation: eq }, { '': 12 }));
  assert.deepEqual(e('bij,bjk->bik', [2, 3, 4], [2, 4, 5]), [2, 3, 5]);
  assert.deepEqual(e('ij,jk', [3, 4], [4, 5]), [3, 5]); // implicit: labels used once, alphabetical
  assert.deepEqual(e('ba', [3, 4]), [4, 3]);
  assert.deepEqual(e('...ii ->...i', [3, 5, 5]), [3, 5]);
  assert.deepEqual(e('...ij,...jk->...ik', [2, 1, 3, 4], [5, 4, 6]), [2, 5, 3, 6]);
  assert.deepEqual(e('i,i', [5], [5]), []);
  assert.deepEqual(e('->', []), []);
  assert.deepEqual(e('bhqd,bhkd->bhqk', ['B', 12, 'S', 64], ['B', 12, 'S', 64]), ['B', 12, 'S', 'S']);
  assert.match(infer('Einsum', [X([3, 4], T.FLOAT, 'a'), X([5, 6], T.FLOAT, 'b')], ['y'], { equation: 'ij,jk->ik' }, { '': 12 }).errors.join(), /label j/);
});

test('QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear: dims of x, dtype by opset', () => {
  const q = (ins: In[], attrs: Record<string, AttrInput>, opset: number) => infer('QuantizeLinear', ins, ['y'], attrs, { '': opset }).outs[0];
  assert.deepEqual(q([X([6]), X([], T.FLOAT, 's')], {}, 13), { dtype: T.UINT8, dims: [6] });
  assert.deepEqual(q([X([5]), X([], T.FLOAT, 's'), X([1], T.FLOAT8E4M3FN, 'z')], {}, 25), { dtype: T.FLOAT8E4M3FN, dims: [5] });
  assert.deepEqual(q([X([3, 4]), X([3, 2], T.FLOAT, 's')], { axis: 1, block_size: 2, output_dtype: T.INT16 }, 25), { dtype: T.INT16, dims: [3, 4] });
  assert.match(infer('QuantizeLinear', [X([3, 4]), X([3, 3], T.FLOAT, 's')], ['y'], { axis: 1, block_size: 2 }, { '': 25 }).errors.join(), /2 blocks|3 blocks/);
  const dq = (ins: In[], attrs: Record<string, AttrInput>, opset: number) => infer('DequantizeLinear', ins, ['y'], attrs, { '': opset }).outs[0];
  assert.deepEqual(dq([X([1, 3, 3, 2], T.UINT8), X([3], T.FLOAT16, 's'), X([3], T.UINT8, 'z')], {}, 13), { dtype: T.FLOAT, dims: [1, 3, 3, 2] });
  assert.deepEqual(dq([X([1, 3, 3, 2], T.UINT8), X([3], T.FLOAT16, 's'), X([3], T.UINT8, 'z')], {}, 19), { dtype: T.FLOAT16, dims: [1, 3, 3, 2] });
  assert.deepEqual(dq([X([4], T.INT8), X([], T.FLOAT, 's')], { output_dtype: T.BFLOAT16 }, 23), { dtype: T.BFLOAT16, dims: [4] });
  assert.match(infer('DequantizeLinear', [X([1, 4], T.UINT8), X([3], T.FLOAT, 's')], ['y'], {}, { '': 19 }).errors.join(), /per-axis/);
  const d = infer('DynamicQuantizeLinear', [X([3, 4])], ['y', 's', 'z'], {}, { '': 11 });
  assert.deepEqual(d.outs, [{ dtype: T.UINT8, dims: [3, 4] }, { dtype: T.FLOAT, dims: [] }, { dtype: T.UINT8, dims: [] }]);
});

test('Attention: 3-D and 4-D forms, GQA, past/present KV, qk_matmul_output', () => {
  const a3 = infer('Attention', [X([2, 4, 72], T.FLOAT, 'q'), X([2, 6, 24], T.FLOAT, 'k'), X([2, 6, 30], T.FLOAT, 'v'), X([4, 18], T.FLOAT, 'm'),
    X([2, 3, 12, 8], T.FLOAT, 'pk'), X([2, 3, 12, 10], T.FLOAT, 'pv')], ['y', 'pk2', 'pv2', 'qk'], { q_num_heads: 9, kv_num_heads: 3 }, { '': 23 });
  assert.deepEqual(a3.errors, []);
  // 9 query heads of size 72/9 = 8; V head size 30/3 = 10: Y [2, 4, 9*10]; total KV 12 + 6
  assert.deepEqual(a3.outs.map((o) => o.dims), [[2, 4, 90], [2, 3, 18, 8], [2, 3, 18, 10], [2, 9, 4, 18]]);
  const a4 = infer('Attention', [X(['B', 8, 'S', 64], T.FLOAT16, 'q'), X(['B', 2, 'T', 64], T.FLOAT16, 'k'), X(['B', 2, 'T', 32], T.FLOAT16, 'v')], ['y', '', '', 'qk'], {}, { '': 23 });
  assert.deepEqual(a4.outs[0], { dtype: T.FLOAT16, dims: ['B', 8, 'S', 32] });
  assert.deepEqual(a4.outs[3].dims, ['B', 8, 'S', 'T']);
  assert.match(infer('Attention', [X([2, 5, 4, 8], T.FLOAT, 'q'), X([2, 3, 6, 8], T.FLOAT, 'k'), X([2, 3, 6, 8], T.FLOAT, 'v')], ['y'], {}, { '': 23 }).errors.join(), /multiple of kv heads/);
  assert.match(infer('Attention', [X([2, 4, 24], T.FLOAT, 'q'), X([2, 6, 24], T.FLOAT, 'k'), X([2, 6, 24], T.FLOAT, 'v')], ['y'], {}, { '': 23 }).errors.join(), /num_heads attribute is required/);
});

test('RotaryEmbedding, FlexAttention, LinearAttention, SwiGLU, CausalConvWithState', () => {
  assert.deepEqual(dims(infer('RotaryEmbedding', [X([2, 3, 32]), X([50, 4], T.FLOAT, 'c'), X([50, 4], T.FLOAT, 's'), X([2, 3], T.INT64, 'p')], ['y'], { num_heads: 4 }, { '': 23 })), [2, 3, 32]);
  const fa = infer('FlexAttention', [X([2, 4, 8, 16], T.FLOAT, 'q'), X([2, 4, 6, 16], T.FLOAT, 'k'), X([2, 4, 6, 32], T.FLOAT, 'v')], ['y'], {}, { '': 26, 'ai.onnx.preview': 1 }, 'ai.onnx.preview');
  assert.deepEqual(dims(fa), [2, 4, 8, 32]);
  const la = infer('LinearAttention', [X([2, 4, 64], T.FLOAT, 'q'), X([2, 4, 32], T.FLOAT, 'k'), X([2, 4, 32], T.FLOAT, 'v')], ['o', 'st'], { q_num_heads: 8, kv_num_heads: 4 }, { '': 27 });
  assert.deepEqual(la.outs.map((o) => o.dims), [[2, 4, 64], [2, 4, 8, 8]]);
  assert.deepEqual(dims(infer('SwiGLU', [X([2, 4], T.FLOAT, 'a'), X([1, 4], T.FLOAT, 'b')], ['y'], {}, { '': 28 })), [2, 4]);
  const cc = infer('CausalConvWithState', [X([2, 4, 8]), X([4, 1, 4], T.FLOAT, 'w')], ['y', 'st'], {}, { '': 27 });
  assert.deepEqual(cc.outs.map((o) => o.dims), [[2, 4, 8], [2, 4, 3]]);
  const cc1 = infer('CausalConvWithState', [X([2, 4, 8]), X([4, 1, 1], T.FLOAT, 'w')], ['y', 'st'], {}, { '': 27 });
  assert.deepEqual(cc1.outs[1].dims, [2, 4, 0]);
});

test('FlexAttention score_mod subgraph is inferred on the scores shape', () => {
  const sub = graph({
    name: 'score_mod',
    nodes: [node('Add', ['scores', 'bias'], ['out'])],
    inputs: [vi('scores', T.FLOAT, ['B', 'H', 'L', 'S'])],
    outputs: [{ name: 'out' }],
    initializers: [tensor('bias', T.FLOAT, [], { values: [0.5] })],
  });
  const m = readModelBytes(model({
    opsets: { '': 26, 'ai.onnx.preview': 1 },
    graph: graph({
      nodes: [node('FlexAttention', ['q', 'k', 'v'], ['y'], { score_mod: sub }, { domain: 'ai.onnx.preview' })],
      inputs: [vi('q', T.FLOAT, [1, 2, 3, 4]), vi('k', T.FLOAT, [1, 2, 5, 4]), vi('v', T.FLOAT, [1, 2, 5, 4])],
      outputs: [{ name: 'y' }],
    }),
  }));
  const s = inferShapes(m, { useDeclared: false });
  const inner = [...s.graphs.values()].find((g) => g.graph.name === 'score_mod');
  assert.ok(inner, 'score_mod graph was inferred');
  const t = inner!.values.get('out')?.type;
  assert.deepEqual(t && t.kind === 'tensor' ? t.dims : null, [1, 2, 3, 5]);
});

test('com.microsoft contrib forms: Attention, MultiHeadAttention, GroupQueryAttention, MatMulNBits, FusedMatMul', () => {
  const ms = { '': 17, 'com.microsoft': 1 };
  const at = infer('Attention', [X([2, 8, 64]), X([64, 192], T.FLOAT, 'w'), X([192], T.FLOAT, 'b'), { name: '', dims: [] }, X([2, 2, 4, 5, 16], T.FLOAT, 'past')],
    ['y', 'present'], { num_heads: 4 }, ms, 'com.microsoft');
  assert.deepEqual(at.outs.map((o) => o.dims), [[2, 8, 64], [2, 2, 4, 13, 16]]);
  const mha = infer('MultiHeadAttention', [X([2, 8, 64], T.FLOAT, 'q'), X([2, 10, 64], T.FLOAT, 'k'), X([2, 10, 48], T.FLOAT, 'v')], ['y', 'pk', 'pv'], { num_heads: 4 }, ms, 'com.microsoft');
  assert.deepEqual(mha.outs.map((o) => o.dims), [[2, 8, 48], [2, 4, 10, 16], [2, 4, 10, 12]]);
  const gqa = infer('GroupQueryAttention', [X([1, 5, 64], T.FLOAT, 'q'), X([1, 5, 32], T.FLOAT, 'k'), X([1, 5, 32], T.FLOAT, 'v'), X([1, 2, 20, 16], T.FLOAT, 'pk'),
    X([1, 2, 20, 16], T.FLOAT, 'pv'), X([1], T.INT32, 'sl'), { name: 'tsl', dtype: T.INT32, dims: [], init: [25] }], ['y', 'k2', 'v2'], { num_heads: 4, kv_num_heads: 2 }, ms, 'com.microsoft');
  assert.deepEqual(gqa.outs.map((o) => o.dims), [[1, 5, 64], [1, 2, 25, 16], [1, 2, 25, 16]]);
  assert.deepEqual(dims(infer('MatMulNBits', [X([1, 7, 128]), X([256, 4, 16], T.UINT8, 'b'), X([1024], T.FLOAT, 's')], ['y'], { K: 128, N: 256, bits: 4, block_size: 32 }, ms, 'com.microsoft')), [1, 7, 256]);
  assert.deepEqual(dims(infer('FusedMatMul', [X([2, 3, 4], T.FLOAT, 'a'), X([2, 5, 4], T.FLOAT, 'b')], ['y'], { transB: 1 }, ms, 'com.microsoft')), [2, 3, 5]);
});
