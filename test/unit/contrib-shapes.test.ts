// Shape inference of the onnxruntime contrib ops the LLM exporters emit (onnxruntime-genai's model builder,
// optimum): the norms, GatherBlockQuantized, MoE/QMoE and the attention family, from
// docs/ContribOperators.md, on one-node models inferred without declared shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../fixtures/onnx-writer';
import { graphOf, oneNode, X, P, S, W, type In } from '../fixtures/op-model';

const MS = { opsets: { '': 21, 'com.microsoft': 1 }, domain: 'com.microsoft' };

test('SimplifiedLayerNormalization (ai.onnx): Y keeps the input, inv_std_var the statistics shape', () => {
  const r = oneNode(
    'SimplifiedLayerNormalization',
    [X(['b', 's', 64], T.FLOAT16), P('g', [64], T.FLOAT16)],
    ['y', 'isv'],
    {
      axis: -1,
      stash_type: 1,
    },
    { opsets: { '': 21 } },
  ).clean();
  assert.deepEqual(r.dims('y'), ['b', 's', 64]);
  assert.equal(r.dtype('y'), T.FLOAT16);
  assert.deepEqual(r.dims('isv'), ['b', 's', 1]);
  assert.equal(r.dtype('isv'), T.FLOAT);
});

test('SkipSimplifiedLayerNormalization / SkipLayerNormalization: all four outputs', () => {
  const ins: In[] = [X(['b', 's', 32]), P('skip', ['b', 's', 32]), P('g', [32])];
  const r = oneNode('SkipSimplifiedLayerNormalization', ins, ['y', 'mean', 'isv', 'sum'], {}, MS).clean();
  assert.deepEqual(r.dims('y'), ['b', 's', 32]);
  assert.deepEqual(r.dims('mean'), ['b', 's', 1]);
  assert.deepEqual(r.dims('isv'), ['b', 's', 1]);
  assert.deepEqual(r.dims('sum'), ['b', 's', 32]);
  // genai leaves mean and inv_std_var unnamed and keeps the residual sum (output 3)
  const g = oneNode('SkipLayerNormalization', [...ins, P('beta', [32])], ['y', '', '', 'sum'], {}, MS).clean();
  assert.deepEqual(g.dims('sum'), ['b', 's', 32]);
  const bad = oneNode('SkipLayerNormalization', [X([1, 4, 32]), P('skip', [1, 4, 16]), P('g', [32])], ['y'], {}, MS);
  assert.ok(
    bad.errors.some((m) => /skip hidden size 16/.test(m)),
    bad.errors.join('; '),
  );
});

test('GatherBlockQuantized: uint8 data packs 8/bits values on the last axis; output in the scales type', () => {
  // the genai tied embedding: lm_head's packed [V, K/32, 16] reshaped to [V, K/2] and gathered
  const ins: In[] = [P('data', [1000, 32], T.UINT8), P('ids', ['b', 's'], T.INT64), P('scales', [1000, 2], T.FLOAT16)];
  const attrs = { bits: 4, block_size: 32, gather_axis: 0, quantize_axis: 1 };
  const r = oneNode('GatherBlockQuantized', ins, ['e'], attrs, MS).clean();
  assert.deepEqual(r.dims('e'), ['b', 's', 64]);
  assert.equal(r.dtype('e'), T.FLOAT16);
  // int4 data holds one value per element; 8-bit packs none
  const i4 = oneNode('GatherBlockQuantized', [P('data', [1000, 64], T.INT4), ins[1], ins[2]], ['e'], attrs, MS);
  assert.deepEqual(i4.dims('e'), ['b', 's', 64]);
  const b8 = oneNode(
    'GatherBlockQuantized',
    [P('data', [1000, 64], T.UINT8), ins[1], ins[2]],
    ['e'],
    { ...attrs, bits: 8 },
    MS,
  );
  assert.deepEqual(b8.dims('e'), ['b', 's', 64]);
});

test('MoE / QMoE: output has the input shape; router and expert counts must agree', () => {
  const ins: In[] = [
    X(['b', 's', 16]),
    P('router', [null, 4]),
    P('fc1', [4, 64, 16]),
    P('b1', [4, 64]),
    P('fc2', [4, 16, 32]),
  ];
  const r = oneNode('MoE', ins, ['y'], { k: 2, activation_type: 'swiglu', swiglu_fusion: 1 }, MS).clean();
  assert.deepEqual(r.dims('y'), ['b', 's', 16]);
  const q = oneNode(
    'QMoE',
    [
      X([6, 16]),
      P('router', [6, 4]),
      P('fc1', [4, 64, 8], T.UINT8),
      P('s1', [4, 64]),
      { name: '', dims: null },
      P('fc2', [4, 16, 16], T.UINT8),
      P('s2', [4, 16]),
    ],
    ['y'],
    { k: 1, expert_weight_bits: 4 },
    MS,
  ).clean();
  assert.deepEqual(q.dims('y'), [6, 16]);
  const bad = oneNode(
    'MoE',
    [X([6, 16]), P('router', [6, 8]), P('fc1', [4, 32, 16]), { name: '', dims: null }, P('fc2', [4, 16, 32])],
    ['y'],
    {},
    MS,
  );
  assert.ok(
    bad.errors.some((m) => /8 experts, fc1_experts_weights 4/.test(m)),
    bad.errors.join('; '),
  );
});

test('GroupQueryAttention: packed QKV, present length max(past, total_sequence_length)', () => {
  const gqa = (past: number) =>
    oneNode(
      'GroupQueryAttention',
      [
        X(['b', 's', (8 + 2 * 2) * 16]),
        { name: '', dims: null },
        { name: '', dims: null },
        P('pk', ['b', 2, 'p', 16]),
        P('pv', ['b', 2, 'p', 16]),
        P('seqlens', ['b'], T.INT32),
        S('total', 12, T.INT32),
      ],
      ['y', 'k', 'v'],
      { num_heads: 8, kv_num_heads: 2 },
      { ...MS, bindings: { b: 1, s: 8, p: past } },
    ).clean();
  const r = gqa(4);
  assert.deepEqual(r.dims('y'), [1, 8, 128]);
  assert.deepEqual(r.dims('k'), [1, 2, 12, 16]);
  assert.deepEqual(r.dims('v'), [1, 2, 12, 16]);
  // a shared KV buffer already longer than the total keeps its length
  assert.deepEqual(gqa(32).dims('k'), [1, 2, 32, 16]);
});

test('MultiHeadAttention: 3-D self attention with past, packed QKV, cross attention on cached keys', () => {
  const self = oneNode(
    'MultiHeadAttention',
    [
      X([1, 8, 384]),
      P('k', [1, 8, 384]),
      P('v', [1, 8, 384]),
      { name: '', dims: null },
      { name: '', dims: null },
      { name: '', dims: null },
      P('pk', [1, 6, 4, 64]),
      P('pv', [1, 6, 4, 64]),
    ],
    ['y', 'k2', 'v2'],
    { num_heads: 6 },
    MS,
  ).clean();
  assert.deepEqual(self.dims('y'), [1, 8, 384]);
  assert.deepEqual(self.dims('k2'), [1, 6, 12, 64]);
  const packed = oneNode('MultiHeadAttention', [X([1, 8, 6, 3, 64])], ['y'], { num_heads: 6 }, MS).clean();
  assert.deepEqual(packed.dims('y'), [1, 8, 384]);
  const cross = oneNode(
    'MultiHeadAttention',
    [X([1, 8, 384]), P('k', [1, 6, 1500, 64]), P('v', [1, 6, 1500, 64])],
    ['y', 'k2'],
    { num_heads: 6 },
    MS,
  ).clean();
  assert.deepEqual(cross.dims('y'), [1, 8, 384]);
  assert.deepEqual(cross.dims('k2'), [1, 6, 1500, 64]);
});

test('com.microsoft Attention with past: present [2, B, N, P+S, H]', () => {
  const r = graphOf(
    [['Attention', ['x', 'w', 'bias', '', 'past'], ['y', 'present'], { num_heads: 4 }, 'com.microsoft']],
    [X([2, 5, 32]), W('w', [32, 96]), W('bias', [96]), P('past', [2, 2, 4, 3, 8])],
    MS,
  ).clean();
  assert.deepEqual(r.dims('y'), [2, 5, 32]);
  assert.deepEqual(r.dims('present'), [2, 2, 4, 8, 8]);
});
