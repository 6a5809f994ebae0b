// Shape inference of the nn family (convolutions, pooling, matrix products, quantization, attention)
// on one-node models; expected dims are worked out by hand from the ONNX operator formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { oneNode, X, P, type In, type OpModel } from '../fixtures/op-model';
import { evalDim } from '../../src/engine/shapes/dims';

/** The dims of the node's first output, after checking inference raised no error. */
const dims = (r: OpModel) => r.clean('error').dims(r.outputs[0]);

test('Conv: pads, strides, dilations, auto_pad, group; kernel from W', () => {
  const w = P('w', [2, 1, 3, 3]);
  // (5 + 1 + 1 - 3)/1 + 1 = 5
  assert.deepEqual(dims(oneNode('Conv', [X([1, 1, 5, 5]), w], ['y'], { pads: [1, 1, 1, 1] })), [1, 2, 5, 5]);
  // H: (7 + 2 - 3)/2 + 1 = 4, W: (5 + 0 - 3)/2 + 1 = 2
  assert.deepEqual(
    dims(oneNode('Conv', [X([1, 1, 7, 5]), w], ['y'], { pads: [1, 0, 1, 0], strides: [2, 2] })),
    [1, 2, 4, 2],
  );
  // dilation 2: effective kernel 5 -> (9 - 5)/1 + 1 = 5
  assert.deepEqual(dims(oneNode('Conv', [X([1, 1, 9, 9]), w], ['y'], { dilations: [2, 2] })), [1, 2, 5, 5]);
  // SAME_UPPER / SAME_LOWER: ceil(in / stride); VALID: no padding
  assert.deepEqual(
    dims(oneNode('Conv', [X([1, 1, 7, 8]), w], ['y'], { auto_pad: 'SAME_UPPER', strides: [2, 3] })),
    [1, 2, 4, 3],
  );
  assert.deepEqual(dims(oneNode('Conv', [X([1, 1, 7, 8]), w], ['y'], { auto_pad: 'SAME_LOWER' })), [1, 2, 7, 8]);
  assert.deepEqual(
    dims(oneNode('Conv', [X([1, 1, 7, 8]), w], ['y'], { auto_pad: 'VALID', strides: [2, 2] })),
    [1, 2, 3, 3],
  );
  // depthwise: group 4, W [8, 1, 3, 3]
  assert.deepEqual(
    dims(oneNode('Conv', [X([2, 4, 10, 10]), P('w', [8, 1, 3, 3])], ['y'], { group: 4, pads: [1, 1, 1, 1] })),
    [2, 8, 10, 10],
  );
  // 1-D and 3-D
  assert.deepEqual(dims(oneNode('Conv', [X([1, 3, 16]), P('w', [6, 3, 4])], ['y'], { strides: [2] })), [1, 6, 7]);
  assert.deepEqual(dims(oneNode('Conv', [X([1, 1, 4, 5, 6]), P('w', [1, 1, 3, 3, 3])], ['y'])), [1, 1, 2, 3, 4]);
});

test('Conv: symbolic dims propagate and evaluate to the numeric formula', () => {
  const r = oneNode('Conv', [X(['N', 3, 'H', 'W']), P('w', [16, 3, 3, 3])], ['y'], {
    strides: [2, 2],
    pads: [1, 1, 1, 1],
  });
  const d = dims(r)!;
  assert.equal(d[0], 'N');
  assert.equal(d[1], 16);
  for (const h of [224, 225, 7]) assert.equal(evalDim(d[2], { H: h }), Math.floor((h + 2 - 3) / 2) + 1);
  const s = oneNode('Conv', [X(['N', 3, 'H', 'W']), P('w', [16, 3, 3, 3])], ['y'], {
    auto_pad: 'SAME_UPPER',
    strides: [2, 2],
  });
  assert.equal(evalDim(dims(s)![3], { W: 225 }), 113);
});

test('Conv: channel mismatch and oversize kernels are diagnostics, not crashes', () => {
  const r = oneNode('Conv', [X([1, 3, 5, 5]), P('w', [2, 4, 3, 3])], ['y']);
  assert.match(r.errors.join(), /input channels 3 != weight channels 4/);
  const k = oneNode('Conv', [X([1, 1, 2, 2]), P('w', [1, 1, 3, 3])], ['y']);
  assert.match(k.errors.join(), /larger than the padded input/);
});

test('ConvInteger, QLinearConv, DeformConv: Conv sizes, their own dtypes', () => {
  const ci = oneNode(
    'ConvInteger',
    [X([1, 1, 3, 3], T.UINT8), P('w', [2, 1, 2, 2], T.UINT8)],
    ['y'],
    { pads: [1, 1, 1, 1] },
    10,
  );
  assert.deepEqual(ci.tensor('y'), { dtype: T.INT32, dims: [1, 2, 4, 4] });
  const q = oneNode(
    'QLinearConv',
    [
      X([1, 1, 7, 7], T.UINT8),
      P('s', []),
      P('z', [], T.UINT8),
      P('w', [4, 1, 3, 3], T.UINT8),
      P('ws', [4]),
      P('wz', [4], T.UINT8),
      P('ys', []),
      P('yz', [], T.INT8),
    ],
    ['y'],
    { strides: [2, 2] },
    10,
  );
  assert.deepEqual(q.tensor('y'), { dtype: T.INT8, dims: [1, 4, 3, 3] });
  const dc = oneNode('DeformConv', [X([1, 2, 3, 3]), P('w', [1, 2, 2, 2]), P('off', [1, 16, 2, 2])], ['y'], {
    offset_group: 2,
  });
  assert.deepEqual(dims(dc), [1, 1, 2, 2]);
});

test('ConvTranspose: stride/pads/output_padding/dilations/group, output_shape and auto_pad', () => {
  const w = P('w', [1, 2, 3, 3]);
  // 3*(3-1) + 0 + 3 - 0 = 9 ; with output_padding 1: 10 ; W: 2*(3-1) + 1 + 3 = 8
  assert.deepEqual(
    dims(oneNode('ConvTranspose', [X([1, 1, 3, 3]), w], ['y'], { strides: [3, 2], output_padding: [1, 1] })),
    [1, 2, 10, 8],
  );
  // pads [1,2,1,2]: H 3*2 + 3 - 2 = 7, W 2*2 + 3 - 4 = 3
  assert.deepEqual(
    dims(oneNode('ConvTranspose', [X([1, 1, 3, 3]), w], ['y'], { strides: [3, 2], pads: [1, 2, 1, 2] })),
    [1, 2, 7, 3],
  );
  // output_shape wins over the formula
  assert.deepEqual(
    dims(oneNode('ConvTranspose', [X([1, 1, 3, 3]), w], ['y'], { strides: [3, 2], output_shape: [10, 8] })),
    [1, 2, 10, 8],
  );
  // dilation 2: effective kernel 3 from k=2 -> (3-1) + 3 = 5 ; group 2 doubles W[1]
  assert.deepEqual(
    dims(oneNode('ConvTranspose', [X([1, 1, 3, 3]), P('w', [1, 1, 2, 2])], ['y'], { dilations: [2, 2] })),
    [1, 1, 5, 5],
  );
  assert.deepEqual(
    dims(oneNode('ConvTranspose', [X([3, 2, 3, 3]), P('w', [2, 1, 3, 3])], ['y'], { group: 2 })),
    [3, 2, 5, 5],
  );
  // SAME_UPPER: in * stride
  assert.deepEqual(
    dims(oneNode('ConvTranspose', [X([1, 1, 3, 4]), w], ['y'], { auto_pad: 'SAME_UPPER', strides: [2, 2] })),
    [1, 2, 6, 8],
  );
  // symbolic input: stride*(L-1) + k
  const s = dims(oneNode('ConvTranspose', [X([1, 1, 'L']), P('w', [1, 4, 4])], ['y'], { strides: [2] }))!;
  assert.equal(evalDim(s[2], { L: 10 }), 2 * 9 + 4);
});

test('MaxPool: Indices output, ceil_mode (with the last-window rule), dilations, SAME_LOWER', () => {
  const r = oneNode('MaxPool', [X([1, 1, 5, 5])], ['y', 'i'], { kernel_shape: [2, 2], strides: [2, 2] });
  assert.deepEqual(r.tensor('y'), { dtype: T.FLOAT, dims: [1, 1, 2, 2] });
  assert.deepEqual(r.tensor('i'), { dtype: T.INT64, dims: [1, 1, 2, 2] });
  // ceil((4 - 3)/2) + 1 = 2
  assert.deepEqual(
    dims(oneNode('MaxPool', [X([1, 1, 4, 4])], ['y'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })),
    [1, 1, 2, 2],
  );
  // ceil((2-1)/2)+1 = 2, but the second window would start at 2 >= 2: dropped -> 1
  assert.deepEqual(
    dims(oneNode('MaxPool', [X([1, 1, 2, 2])], ['y'], { kernel_shape: [1, 1], strides: [2, 2], ceil_mode: 1 })),
    [1, 1, 1, 1],
  );
  // dilations 2, kernel 5 (effective 9), stride 3, ceil: ceil((32-9)/3)+1 = 9 ; floor: 8
  assert.deepEqual(
    dims(
      oneNode('MaxPool', [X([1, 1, 32, 32, 32])], ['y'], {
        kernel_shape: [5, 5, 5],
        strides: [3, 3, 3],
        dilations: [2, 2, 2],
        ceil_mode: 1,
      }),
    ),
    [1, 1, 9, 9, 9],
  );
  assert.deepEqual(
    dims(
      oneNode('AveragePool', [X([1, 1, 32, 32, 32])], ['y'], {
        kernel_shape: [5, 5, 5],
        strides: [3, 3, 3],
        dilations: [2, 2, 2],
      }),
    ),
    [1, 1, 8, 8, 8],
  );
  assert.deepEqual(
    dims(oneNode('MaxPool', [X([1, 3, 32, 32])], ['y'], { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER' })),
    [1, 3, 32, 32],
  );
  assert.deepEqual(
    oneNode('MaxPool', [X([1, 1, 5, 5], T.UINT8)], ['y'], { kernel_shape: [5, 5], pads: [2, 2, 2, 2] }).tensor('y'),
    { dtype: T.UINT8, dims: [1, 1, 5, 5] },
  );
  assert.match(oneNode('MaxPool', [X([1, 1, 5, 5])], ['y'], {}).errors.join(), /kernel_shape/);
});

test('AveragePool / LpPool / Global pools / MaxUnpool / RoiAlign / MaxRoiPool', () => {
  // count_include_pad does not change the size: (28 + 4 - 3) + 1 = 30
  assert.deepEqual(
    dims(
      oneNode('AveragePool', [X([1, 3, 28, 28])], ['y'], {
        kernel_shape: [3, 3],
        pads: [2, 2, 2, 2],
        count_include_pad: 1,
      }),
    ),
    [1, 3, 30, 30],
  );
  // ceil: (2 + 2 - 3)/3 -> ceil(1/3) + 1 = 2, last window starts at 3 >= 2 + 1: 1
  assert.deepEqual(
    dims(
      oneNode('AveragePool', [X([1, 3, 2, 2])], ['y'], {
        kernel_shape: [3, 3],
        pads: [1, 1, 1, 1],
        strides: [3, 3],
        ceil_mode: 1,
      }),
    ),
    [1, 3, 1, 1],
  );
  assert.deepEqual(
    dims(oneNode('LpPool', [X([1, 3, 32, 32])], ['y'], { kernel_shape: [5, 5], strides: [3, 3], p: 2 })),
    [1, 3, 10, 10],
  );
  assert.deepEqual(dims(oneNode('GlobalAveragePool', [X(['N', 3, 7, 9])], ['y'])), ['N', 3, 1, 1]);
  assert.deepEqual(dims(oneNode('GlobalMaxPool', [X([2, 3, 7])], ['y'])), [2, 3, 1]);
  assert.deepEqual(dims(oneNode('GlobalLpPool', [X([2, 3, 4, 5, 6])], ['y'])), [2, 3, 1, 1, 1]);
  // MaxUnpool: (2-1)*2 + 2 = 4, or the output_shape input when its values are known
  const xi: In[] = [X([1, 1, 2, 2]), P('i', [1, 1, 2, 2], T.INT64)];
  assert.deepEqual(dims(oneNode('MaxUnpool', xi, ['y'], { kernel_shape: [2, 2], strides: [2, 2] })), [1, 1, 4, 4]);
  assert.deepEqual(
    dims(
      oneNode('MaxUnpool', [...xi, { name: 'shape', dims: [4], init: [1, 1, 5, 5] }], ['y'], {
        kernel_shape: [2, 2],
        strides: [2, 2],
      }),
    ),
    [1, 1, 5, 5],
  );
  assert.deepEqual(
    dims(
      oneNode('RoiAlign', [X([1, 4, 10, 10]), P('r', [3, 4]), P('b', [3], T.INT64)], ['y'], {
        output_height: 5,
        output_width: 6,
      }),
    ),
    [3, 4, 5, 6],
  );
  assert.deepEqual(
    dims(oneNode('MaxRoiPool', [X([1, 4, 10, 10]), P('r', [7, 5])], ['y'], { pooled_shape: [2, 3] })),
    [7, 4, 2, 3],
  );
});

test('MatMul: 1-D promotion, batch broadcasting, symbolic dims, K mismatch', () => {
  const mm = (a: Dim[], b: Dim[]) => dims(oneNode('MatMul', [P('a', a), P('b', b)], ['c'], {}, 13));
  assert.deepEqual(mm([3], [3]), []);
  assert.deepEqual(mm([4], [2, 4, 1]), [2, 1]);
  assert.deepEqual(mm([1, 2, 4, 3], [3]), [1, 2, 4]);
  assert.deepEqual(mm([3, 1, 3, 4], [1, 2, 4, 2]), [3, 2, 3, 2]);
  assert.deepEqual(mm(['B', 'S', 768], [768, 3072]), ['B', 'S', 3072]);
  assert.deepEqual(mm(['B', 12, 'S', 64], ['B', 12, 64, 'S']), ['B', 12, 'S', 'S']);
  assert.match(oneNode('MatMul', [P('a', [2, 3]), P('b', [4, 5])], ['c']).errors.join(), /inner dimensions differ/);
  assert.match(oneNode('MatMul', [P('a', [2, 2, 3]), P('b', [3, 3, 5])], ['c']).errors.join(), /do not broadcast/);
  const mi = oneNode('MatMulInteger', [P('a', [4, 3], T.UINT8), P('b', [3, 2], T.UINT8)], ['y'], {}, 10);
  assert.deepEqual(mi.tensor('y'), { dtype: T.INT32, dims: [4, 2] });
  const s = (n: string, dt: number = T.FLOAT): In => P(n, [], dt);
  const ql = oneNode(
    'QLinearMatMul',
    [
      P('a', [2, 2, 4], T.INT8),
      s('as'),
      s('az', T.INT8),
      P('b', [2, 4, 3], T.INT8),
      s('bs'),
      s('bz', T.INT8),
      s('ys'),
      s('yz', T.INT8),
    ],
    ['y'],
    {},
    21,
  );
  assert.deepEqual(ql.tensor('y'), { dtype: T.INT8, dims: [2, 2, 3] });
});

test('Gemm: transA/transB, C broadcasting', () => {
  const g = (a: Dim[], b: Dim[], attrs: Record<string, AttrInput>, c?: Dim[]) =>
    oneNode('Gemm', [P('a', a), P('b', b), ...(c ? [P('c', c)] : [])], ['y'], attrs, 13);
  assert.deepEqual(dims(g([6, 3], [6, 4], { transA: 1 }, [1, 4])), [3, 4]);
  assert.deepEqual(dims(g([3, 6], [4, 6], { transB: 1 }, [])), [3, 4]);
  assert.deepEqual(dims(g(['M', 6], [6, 4], {}, [4])), ['M', 4]);
  assert.match(g([3, 6], [6, 4], {}, [2, 4]).errors.join(), /does not broadcast/);
  assert.match(g([3, 6], [5, 4], {}).errors.join(), /inner dimensions differ/);
});

test('Einsum: explicit and implicit outputs, ellipsis broadcasting, diagonal', () => {
  const e = (eq: string, ...ins: Dim[][]) =>
    dims(
      oneNode(
        'Einsum',
        ins.map((d, i) => P(`x${i}`, d)),
        ['y'],
        { equation: eq },
        12,
      ),
    );
  assert.deepEqual(e('bij,bjk->bik', [2, 3, 4], [2, 4, 5]), [2, 3, 5]);
  assert.deepEqual(e('ij,jk', [3, 4], [4, 5]), [3, 5]); // implicit: labels used once, alphabetical
  assert.deepEqual(e('ba', [3, 4]), [4, 3]);
  assert.deepEqual(e('...ii ->...i', [3, 5, 5]), [3, 5]);
  assert.deepEqual(e('...ij,...jk->...ik', [2, 1, 3, 4], [5, 4, 6]), [2, 5, 3, 6]);
  assert.deepEqual(e('i,i', [5], [5]), []);
  assert.deepEqual(e('->', []), []);
  assert.deepEqual(e('bhqd,bhkd->bhqk', ['B', 12, 'S', 64], ['B', 12, 'S', 64]), ['B', 12, 'S', 'S']);
  assert.match(
    oneNode('Einsum', [P('a', [3, 4]), P('b', [5, 6])], ['y'], { equation: 'ij,jk->ik' }, 12).errors.join(),
    /label j/,
  );
});

test('QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear: dims of x, dtype by opset', () => {
  const q = (ins: In[], attrs: Record<string, AttrInput>, opset: number) =>
    oneNode('QuantizeLinear', ins, ['y'], attrs, opset).tensor('y');
  assert.deepEqual(q([X([6]), P('s', [])], {}, 13), { dtype: T.UINT8, dims: [6] });
  assert.deepEqual(q([X([5]), P('s', []), P('z', [1], T.FLOAT8E4M3FN)], {}, 25), { dtype: T.FLOAT8E4M3FN, dims: [5] });
  assert.deepEqual(q([X([3, 4]), P('s', [3, 2])], { axis: 1, block_size: 2, output_dtype: T.INT16 }, 25), {
    dtype: T.INT16,
    dims: [3, 4],
  });
  assert.match(
    oneNode('QuantizeLinear', [X([3, 4]), P('s', [3, 3])], ['y'], { axis: 1, block_size: 2 }, 25).errors.join(),
    /2 blocks|3 blocks/,
  );
  const dq = (ins: In[], attrs: Record<string, AttrInput>, opset: number) =>
    oneNode('DequantizeLinear', ins, ['y'], attrs, opset).tensor('y');
  assert.deepEqual(dq([X([1, 3, 3, 2], T.UINT8), P('s', [3], T.FLOAT16), P('z', [3], T.UINT8)], {}, 13), {
    dtype: T.FLOAT,
    dims: [1, 3, 3, 2],
  });
  assert.deepEqual(dq([X([1, 3, 3, 2], T.UINT8), P('s', [3], T.FLOAT16), P('z', [3], T.UINT8)], {}, 19), {
    dtype: T.FLOAT16,
    dims: [1, 3, 3, 2],
  });
  assert.deepEqual(dq([X([4], T.INT8), P('s', [])], { output_dtype: T.BFLOAT16 }, 23), {
    dtype: T.BFLOAT16,
    dims: [4],
  });
  assert.match(oneNode('DequantizeLinear', [X([1, 4], T.UINT8), P('s', [3])], ['y'], {}, 19).errors.join(), /per-axis/);
  const d = oneNode('DynamicQuantizeLinear', [X([3, 4])], ['y', 's', 'z'], {}, 11);
  assert.deepEqual(d.outputs.map(d.tensor), [
    { dtype: T.UINT8, dims: [3, 4] },
    { dtype: T.FLOAT, dims: [] },
    { dtype: T.UINT8, dims: [] },
  ]);
});

test('Attention: 3-D and 4-D forms, GQA, past/present KV, qk_matmul_output', () => {
  const a3 = oneNode(
    'Attention',
    [
      P('q', [2, 4, 72]),
      P('k', [2, 6, 24]),
      P('v', [2, 6, 30]),
      P('m', [4, 18]),
      P('pk', [2, 3, 12, 8]),
      P('pv', [2, 3, 12, 10]),
    ],
    ['y', 'pk2', 'pv2', 'qk'],
    { q_num_heads: 9, kv_num_heads: 3 },
    23,
  );
  assert.deepEqual(a3.errors, []);
  // 9 query heads of size 72/9 = 8; V head size 30/3 = 10: Y [2, 4, 9*10]; total KV 12 + 6
  assert.deepEqual(a3.outputs.map(a3.dims), [
    [2, 4, 90],
    [2, 3, 18, 8],
    [2, 3, 18, 10],
    [2, 9, 4, 18],
  ]);
  const a4 = oneNode(
    'Attention',
    [P('q', ['B', 8, 'S', 64], T.FLOAT16), P('k', ['B', 2, 'T', 64], T.FLOAT16), P('v', ['B', 2, 'T', 32], T.FLOAT16)],
    ['y', '', '', 'qk'],
    {},
    23,
  );
  assert.deepEqual(a4.tensor('y'), { dtype: T.FLOAT16, dims: ['B', 8, 'S', 32] });
  assert.deepEqual(a4.dims('qk'), ['B', 8, 'S', 'T']);
  assert.match(
    oneNode(
      'Attention',
      [P('q', [2, 5, 4, 8]), P('k', [2, 3, 6, 8]), P('v', [2, 3, 6, 8])],
      ['y'],
      {},
      23,
    ).errors.join(),
    /multiple of kv heads/,
  );
  assert.match(
    oneNode('Attention', [P('q', [2, 4, 24]), P('k', [2, 6, 24]), P('v', [2, 6, 24])], ['y'], {}, 23).errors.join(),
    /num_heads attribute is required/,
  );
});

test('RotaryEmbedding, FlexAttention, LinearAttention, SwiGLU, CausalConvWithState', () => {
  assert.deepEqual(
    dims(
      oneNode(
        'RotaryEmbedding',
        [X([2, 3, 32]), P('c', [50, 4]), P('s', [50, 4]), P('p', [2, 3], T.INT64)],
        ['y'],
        { num_heads: 4 },
        23,
      ),
    ),
    [2, 3, 32],
  );
  const fa = oneNode(
    'FlexAttention',
    [P('q', [2, 4, 8, 16]), P('k', [2, 4, 6, 16]), P('v', [2, 4, 6, 32])],
    ['y'],
    {},
    { opsets: { '': 26, 'ai.onnx.preview': 1 }, domain: 'ai.onnx.preview' },
  );
  assert.deepEqual(dims(fa), [2, 4, 8, 32]);
  const la = oneNode(
    'LinearAttention',
    [P('q', [2, 4, 64]), P('k', [2, 4, 32]), P('v', [2, 4, 32])],
    ['o', 'st'],
    { q_num_heads: 8, kv_num_heads: 4 },
    27,
  );
  assert.deepEqual(la.outputs.map(la.dims), [
    [2, 4, 64],
    [2, 4, 8, 8],
  ]);
  assert.deepEqual(dims(oneNode('SwiGLU', [P('a', [2, 4]), P('b', [1, 4])], ['y'], {}, 28)), [2, 4]);
  const cc = oneNode('CausalConvWithState', [X([2, 4, 8]), P('w', [4, 1, 4])], ['y', 'st'], {}, 27);
  assert.deepEqual(cc.outputs.map(cc.dims), [
    [2, 4, 8],
    [2, 4, 3],
  ]);
  const cc1 = oneNode('CausalConvWithState', [X([2, 4, 8]), P('w', [4, 1, 1])], ['y', 'st'], {}, 27);
  assert.deepEqual(cc1.dims('st'), [2, 4, 0]);
});

test('FlexAttention score_mod subgraph is inferred on the scores shape', () => {
  const sub = graph({
    name: 'score_mod',
    nodes: [node('Add', ['scores', 'bias'], ['out'])],
    inputs: [vi('scores', T.FLOAT, ['B', 'H', 'L', 'S'])],
    outputs: [{ name: 'out' }],
    initializers: [tensor('bias', T.FLOAT, [], { values: [0.5] })],
  });
  const r = oneNode(
    'FlexAttention',
    [P('q', [1, 2, 3, 4]), P('k', [1, 2, 5, 4]), P('v', [1, 2, 5, 4])],
    ['y'],
    { score_mod: sub },
    { opsets: { '': 26, 'ai.onnx.preview': 1 }, domain: 'ai.onnx.preview' },
  );
  const inner = [...r.shapes.graphs.values()].find((g) => g.graph.name === 'score_mod');
  assert.ok(inner, 'score_mod graph was inferred');
  const t = inner!.values.get('out')?.type;
  assert.deepEqual(t && t.kind === 'tensor' ? t.dims : null, [1, 2, 3, 5]);
});

test('com.microsoft contrib forms: Attention, MultiHeadAttention, GroupQueryAttention, MatMulNBits, FusedMatMul', () => {
  const ms = { '': 17, 'com.microsoft': 1 };
  const at = oneNode(
    'Attention',
    [X([2, 8, 64]), P('w', [64, 192]), P('b', [192]), { name: '', dims: [] }, P('past', [2, 2, 4, 5, 16])],
    ['y', 'present'],
    { num_heads: 4 },
    { opsets: ms, domain: 'com.microsoft' },
  );
  assert.deepEqual(at.outputs.map(at.dims), [
    [2, 8, 64],
    [2, 2, 4, 13, 16],
  ]);
  const mha = oneNode(
    'MultiHeadAttention',
    [P('q', [2, 8, 64]), P('k', [2, 10, 64]), P('v', [2, 10, 48])],
    ['y', 'pk', 'pv'],
    { num_heads: 4 },
    { opsets: ms, domain: 'com.microsoft' },
  );
  assert.deepEqual(mha.outputs.map(mha.dims), [
    [2, 8, 48],
    [2, 4, 10, 16],
    [2, 4, 10, 12],
  ]);
  const gqa = oneNode(
    'GroupQueryAttention',
    [
      P('q', [1, 5, 64]),
      P('k', [1, 5, 32]),
      P('v', [1, 5, 32]),
      P('pk', [1, 2, 20, 16]),
      P('pv', [1, 2, 20, 16]),
      P('sl', [1], T.INT32),
      { name: 'tsl', dtype: T.INT32, dims: [], init: [25] },
    ],
    ['y', 'k2', 'v2'],
    { num_heads: 4, kv_num_heads: 2 },
    { opsets: ms, domain: 'com.microsoft' },
  );
  assert.deepEqual(gqa.outputs.map(gqa.dims), [
    [1, 5, 64],
    [1, 2, 25, 16],
    [1, 2, 25, 16],
  ]);
  assert.deepEqual(
    dims(
      oneNode(
        'MatMulNBits',
        [X([1, 7, 128]), P('b', [256, 4, 16], T.UINT8), P('s', [1024])],
        ['y'],
        { K: 128, N: 256, bits: 4, block_size: 32 },
        { opsets: ms, domain: 'com.microsoft' },
      ),
    ),
    [1, 7, 256],
  );
  assert.deepEqual(
    dims(
      oneNode(
        'FusedMatMul',
        [P('a', [2, 3, 4]), P('b', [2, 5, 4])],
        ['y'],
        { transB: 1 },
        { opsets: ms, domain: 'com.microsoft' },
      ),
    ),
    [2, 3, 5],
  );
});
