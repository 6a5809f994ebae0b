// FLOPs of the nn family on one-node models, checked against hand counts (docs/COSTS.md "## nn").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { oneNode, X, P, W, type In, type Opsets } from '../fixtures/op-model';

/** The cost of a one-node model that infers without errors; the op must have a cost model and every dim be known. */
function cost(op: string, ins: In[], outs: string[], attrs: Record<string, AttrInput> = {}, opsets?: Opsets) {
  const c = oneNode(op, ins, outs, attrs, opsets).clean('error', `${op}: no errors`).cost();
  assert.equal(c.modelled, true, `${op} has a cost model`);
  assert.equal(c.approximate, false, `${op}: every dim known`);
  return c;
}

test('Conv: 2 x N x Cout x out spatial x Cin/group x kernel, + 1 per output for the bias', () => {
  // out [1,4,8,8] = 256 elements, each 3*3*3 = 27 MACs
  const c = cost('Conv', [X([1, 3, 8, 8]), W('w', [4, 3, 3, 3]), W('b', [4])], ['y'], { pads: [1, 1, 1, 1] });
  assert.equal(c.flops, 2 * 256 * 27 + 256);
  assert.equal(c.paramCount, 108 + 4);
  assert.equal(c.bytesWritten, 256 * 4);
  assert.equal(c.bytesRead, (192 + 108 + 4) * 4);
  // depthwise: group 4, out [1,4,4,4]: 2*1*4*16*(4/4)*9
  assert.equal(cost('Conv', [X([1, 4, 6, 6]), W('w', [4, 1, 3, 3])], ['y'], { group: 4 }).flops, 2 * 4 * 16 * 9);
  assert.equal(
    cost(
      'ConvInteger',
      [P('x', [1, 3, 8, 8], T.UINT8), P('w', [4, 3, 3, 3], T.UINT8)],
      ['y'],
      { pads: [1, 1, 1, 1] },
      10,
    ).flops,
    2 * 256 * 27,
  );
});

test('QLinearConv and DeformConv add requantization / bilinear sampling', () => {
  const s = (n: string, dt: number = T.FLOAT): In => P(n, [], dt);
  const q = cost(
    'QLinearConv',
    [
      P('x', [1, 1, 5, 5], T.UINT8),
      s('xs'),
      s('xz', T.UINT8),
      P('w', [2, 1, 3, 3], T.UINT8),
      s('ws'),
      s('wz', T.UINT8),
      s('ys'),
      s('yz', T.UINT8),
    ],
    ['y'],
    {},
    10,
  );
  // out [1,2,3,3] = 18, 9 MACs each; + 2 per output to requantize
  assert.equal(q.flops, 2 * 18 * 9 + 2 * 18);
  // out [1,1,2,2] = 4; MACs 4 * (2*2*2) = 32; samples N*out*Cin*k = 1*4*2*4 = 32 at 7 FLOPs, + 1 each for the mask, + bias 4
  const d = cost(
    'DeformConv',
    [X([1, 2, 3, 3]), W('w', [1, 2, 2, 2]), P('off', [1, 8, 2, 2]), W('b', [1]), P('mask', [1, 4, 2, 2])],
    ['y'],
    { kernel_shape: [2, 2] },
  );
  assert.equal(d.flops, 2 * 32 + 32 * (7 + 1) + 4);
});

test('ConvTranspose: the products over the input positions, + bias per output', () => {
  // x [1,2,3,3], W [2,3,2,2], stride 2 -> y [1,3,6,6]; 2*N*Cin*9*(Cout/g)*4 = 432, bias 108
  const c = cost('ConvTranspose', [X([1, 2, 3, 3]), W('w', [2, 3, 2, 2]), W('b', [3])], ['y'], { strides: [2, 2] });
  assert.equal(c.flops, 2 * 1 * 2 * 9 * 3 * 4 + 108);
});

test('pooling: kernel-size operations per output element', () => {
  const k2s2 = { kernel_shape: [2, 2], strides: [2, 2] };
  assert.equal(cost('MaxPool', [X([1, 1, 4, 4])], ['y'], k2s2).flops, 4 * 4);
  assert.equal(cost('MaxPool', [X([1, 1, 4, 4])], ['y', 'i'], k2s2).flops, 4 * 4);
  assert.equal(cost('AveragePool', [X([1, 1, 4, 4])], ['y'], k2s2).flops, 4 * (4 + 1));
  assert.equal(cost('LpPool', [X([1, 1, 4, 4])], ['y'], { ...k2s2, p: 2 }).flops, 4 * (2 * 4 + 1));
  assert.equal(cost('GlobalAveragePool', [X([2, 3, 4, 4])], ['y']).flops, 96 + 6);
  assert.equal(cost('GlobalMaxPool', [X([2, 3, 4, 4])], ['y']).flops, 96);
  assert.equal(cost('MaxUnpool', [X([1, 1, 2, 2]), P('i', [1, 1, 2, 2], T.INT64)], ['y'], k2s2).flops, 0);
  // RoiAlign: 3 ROIs x 1 channel x 5x5 bins, 2x2 samples of 7 FLOPs + 1 to average
  assert.equal(
    cost('RoiAlign', [X([1, 1, 10, 10]), P('r', [3, 4]), P('b', [3], T.INT64)], ['y'], {
      output_height: 5,
      output_width: 5,
      sampling_ratio: 2,
    }).flops,
    75 * 4 * 8,
  );
});

test('MatMul 2*M*N*K*batch (1-D and broadcast batches); Gemm alpha/beta/C terms', () => {
  const mm = (a: Dim[], b: Dim[]) => cost('MatMul', [P('a', a), P('b', b)], ['c'], {}, 13).flops;
  assert.equal(mm([2, 3, 4], [4, 5]), 2 * 2 * 3 * 5 * 4);
  assert.equal(mm([3], [3]), 2 * 3);
  assert.equal(mm([3, 1, 3, 4], [1, 2, 4, 2]), 2 * (3 * 2) * 3 * 2 * 4);
  assert.equal(
    cost('MatMulInteger', [P('a', [4, 3], T.UINT8), P('b', [3, 2], T.UINT8)], ['y'], {}, 10).flops,
    2 * 8 * 3,
  );
  const g = (attrs: Record<string, AttrInput>, a: number[] = [3, 6], withC = true) =>
    cost('Gemm', [P('a', a), W('b', [6, 4]), ...(withC ? [W('c', [4])] : [])], ['y'], attrs, 13).flops;
  assert.equal(g({}, [3, 6], false), 2 * 12 * 6);
  assert.equal(g({}), 2 * 12 * 6 + 12);
  assert.equal(g({ alpha: 2.0, beta: 0.5 }), 2 * 12 * 6 + 12 + 2 * 12);
  assert.equal(g({ transA: 1 }, [6, 3]), 2 * 12 * 6 + 12);
});

test('Einsum: 2 x product of all extents with a contraction; 0 for a pure transpose', () => {
  const e = (eq: string, ...ins: Dim[][]) =>
    cost(
      'Einsum',
      ins.map((d, i) => P(`x${i}`, d)),
      ['y'],
      { equation: eq },
      12,
    ).flops;
  assert.equal(e('bij,bjk->bik', [2, 3, 4], [2, 4, 5]), 2 * 2 * 3 * 4 * 5);
  assert.equal(e('ij,jk', [3, 4], [4, 5]), 2 * 3 * 4 * 5);
  assert.equal(e('...ij,...jk->...ik', [2, 3, 4], [2, 4, 5]), 2 * 2 * 3 * 4 * 5);
  assert.equal(e('i,j->ij', [3], [4]), 12); // outer product: multiplies only
  assert.equal(e('ij->i', [3, 4]), 12); // a sum: one add per element
  assert.equal(e('ij->ji', [3, 4]), 0);
});

test('quantization: per-element formulas', () => {
  assert.equal(cost('QuantizeLinear', [X([6]), P('s', [])], ['y'], {}, 13).flops, 4 * 6);
  assert.equal(cost('DequantizeLinear', [P('x', [6], T.UINT8), P('s', [])], ['y'], {}, 13).flops, 2 * 6);
  assert.equal(cost('DynamicQuantizeLinear', [X([3, 4])], ['y', 's', 'z'], {}, 11).flops, 6 * 12);
});

test('Attention: QK^T and PV matmuls + softmax 5/score + scale (+ mask, softcap) per score', () => {
  const qkv4 = [P('q', [2, 3, 4, 8]), P('k', [2, 3, 6, 8]), P('v', [2, 3, 6, 10])];
  const scores = 2 * 3 * 4 * 6;
  const base = 2 * scores * 8 + 2 * scores * 10 + 5 * scores + scores;
  assert.equal(cost('Attention', qkv4, ['y'], {}, 23).flops, base);
  assert.equal(cost('Attention', qkv4, ['y'], { is_causal: 1 }, 23).flops, base + scores);
  assert.equal(cost('Attention', qkv4, ['y'], { softcap: 2.5 }, 23).flops, base + 7 * scores);
  // 3-D GQA with a KV cache: 9 q heads of 8, 3 kv heads, total KV = 12 past + 6 new, additive mask
  const gqa = cost(
    'Attention',
    [
      P('q', [2, 4, 72]),
      P('k', [2, 6, 24]),
      P('v', [2, 6, 24]),
      P('m', [4, 18]),
      P('pk', [2, 3, 12, 8]),
      P('pv', [2, 3, 12, 8]),
    ],
    ['y', 'pk2', 'pv2'],
    { q_num_heads: 9, kv_num_heads: 3 },
    23,
  );
  const s2 = 2 * 9 * 4 * 18;
  assert.equal(gqa.flops, 2 * s2 * 8 + 2 * s2 * 8 + 5 * s2 + s2 + s2);
});

test('FlexAttention counts its score_mod subgraph', () => {
  const qkv = [P('q', [1, 2, 3, 4]), P('k', [1, 2, 5, 4]), P('v', [1, 2, 5, 4])];
  const scores = 1 * 2 * 3 * 5;
  const base = 2 * scores * 4 * 2 + 5 * scores + scores;
  const ops = { '': 26, 'ai.onnx.preview': 1 };
  assert.equal(cost('FlexAttention', qkv, ['y'], {}, { opsets: ops, domain: 'ai.onnx.preview' }).flops, base);
  const sub = graph({
    name: 'score_mod',
    nodes: [node('Add', ['s', 'bias'], ['o'])],
    inputs: [vi('s', T.FLOAT, null)],
    outputs: [{ name: 'o' }],
    initializers: [tensor('bias', T.FLOAT, [], { values: [1] })],
  });
  assert.equal(
    cost('FlexAttention', qkv, ['y'], { score_mod: sub }, { opsets: ops, domain: 'ai.onnx.preview' }).flops,
    base + scores,
  );
});

test('RotaryEmbedding, LinearAttention, SwiGLU, CausalConvWithState', () => {
  const rot = (x: Dim[], attrs: Record<string, AttrInput>, cache: number) =>
    cost('RotaryEmbedding', [X(x), P('c', [50, cache]), P('s', [50, cache]), P('p', [2, 3], T.INT64)], ['y'], attrs, 23)
      .flops;
  assert.equal(rot([2, 4, 3, 8], {}, 4), 3 * 192);
  assert.equal(rot([2, 4, 3, 8], { rotary_embedding_dim: 4 }, 2), (3 * 192) / 2);
  assert.equal(rot([2, 3, 32], { num_heads: 4, rotary_embedding_dim: 4 }, 2), (3 * 192) / 2);
  // 8 tokens, 4 heads, dk = dv = 8: gated_delta update 5*64 + 2*8 per kv head, output 2*64 + 8 per q head
  const la = (rule?: string) =>
    cost(
      'LinearAttention',
      [P('q', [2, 4, 32]), P('k', [2, 4, 32]), P('v', [2, 4, 32])],
      ['o', 'st'],
      { q_num_heads: 4, kv_num_heads: 4, ...(rule ? { update_rule: rule } : {}) },
      27,
    ).flops;
  assert.equal(la(), 8 * (4 * (5 * 64 + 16) + 4 * (2 * 64 + 8)));
  assert.equal(la('linear'), 8 * (4 * (2 * 64) + 4 * (2 * 64 + 8)));
  assert.equal(cost('SwiGLU', [P('a', [2, 4]), P('b', [2, 4])], ['y'], {}, 28).flops, 6 * 8);
  // depthwise causal conv: 64 outputs x K=4 MACs, + bias, + SiLU 5 per output
  const cc = cost(
    'CausalConvWithState',
    [X([2, 4, 8]), W('w', [4, 1, 4]), W('b', [4])],
    ['y', 'st'],
    { activation: 'silu' },
    27,
  );
  assert.equal(cc.flops, 2 * 64 * 4 + 64 + 5 * 64);
});

test('com.microsoft Attention: QKV projection + attention core', () => {
  const c = cost(
    'Attention',
    [X([2, 8, 64]), W('w', [64, 192]), W('b', [192])],
    ['y'],
    { num_heads: 4 },
    { opsets: { '': 17, 'com.microsoft': 1 }, domain: 'com.microsoft' },
  );
  const proj = 2 * 2 * 8 * 64 * 192 + 2 * 8 * 192;
  const scores = 2 * 4 * 8 * 8; // B * heads * S * S, head size 16
  assert.equal(c.flops, proj + 2 * scores * 16 * 2 + 5 * scores + scores);
});
