// FLOPs and bytes of the onnxruntime contrib ops the LLM exporters emit, against hand counts
// (docs/COSTS.md "## norm", "## nn", "## moe").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T } from '../fixtures/onnx-writer';
import { nodeCost, X, P, S, W, type In } from '../fixtures/op-model';

const MS = { opsets: { '': 21, 'com.microsoft': 1 }, domain: 'com.microsoft' };
const NONE: In = { name: '', dims: null };

test('Simplified / Skip layer norms: residual and bias adds + RMSNorm or LayerNorm', () => {
  const x = X([2, 3, 8]);
  assert.equal(
    nodeCost('SimplifiedLayerNormalization', [x, P('g', [8])], ['y'], {}, { opsets: { '': 21 } }).flops,
    48 * 4 + 6 * 4,
  );
  assert.equal(
    nodeCost('SkipSimplifiedLayerNormalization', [x, P('skip', [2, 3, 8]), P('g', [8])], ['y'], {}, MS).flops,
    48 + 48 * 4 + 6 * 4,
  );
  // input + skip + bias (2 per element), then LayerNorm with gamma and beta (8 per element, 5 per row)
  const sln = [x, P('skip', [2, 3, 8]), P('g', [8]), P('beta', [8]), P('bias', [8])];
  assert.equal(nodeCost('SkipLayerNormalization', sln, ['y'], {}, MS).flops, 96 + 48 * 8 + 6 * 5);
});

test('GatherBlockQuantized: 2 FLOPs per output element; reads the gathered packed rows and their scales', () => {
  const c = nodeCost(
    'GatherBlockQuantized',
    [W('data', [100, 8], T.UINT8), P('ids', [2, 3], T.INT64), W('scales', [100, 1])],
    ['e'],
    { bits: 4, block_size: 16, gather_axis: 0, quantize_axis: 1 },
    MS,
  );
  assert.equal(c.flops, 2 * 96);
  // ids 6 x 8 bytes + 96 int4 values (48 bytes) + 96/1600 of the 400 scale bytes
  assert.equal(c.bytesRead, 48 + 48 + 24);
  assert.equal(c.paramBytes, 800 + 400); // stored: the whole packed table and its scales
});

test('MoE: k of E experts per token; bytes read for the experts the tokens select', () => {
  const ins: In[] = [
    X([2, 3, 16]),
    P('router', [6, 4]),
    W('fc1', [4, 64, 16]),
    W('b1', [4, 64]),
    W('fc2', [4, 16, 32]),
    W('b2', [4, 16]),
  ];
  const attrs = { k: 2, activation_type: 'swiglu', swiglu_fusion: 1, normalize_routing_weights: 1 };
  const c = nodeCost('MoE', ins, ['y'], attrs, MS);
  // per active expert: 2 x 1536 weights + 80 bias + 32 swiglu units x 8; per token: router softmax 4x5,
  // top-2 over 4 (4), normalise 2x2, combine 2x2x16
  assert.equal(c.flops, 6 * (2 * (2 * 1536 + 80 + 32 * 8) + 20 + 4 + 4 + 64));
  const weightBytes = (4096 + 256 + 2048 + 64) * 4;
  assert.equal(c.paramBytes, weightBytes); // memory: every expert
  const touched = 4 * (1 - Math.pow(0.5, 6)); // 6 tokens choosing 2 of 4
  assert.equal(c.bytesRead, 96 * 4 + 24 * 4 + (weightBytes * touched) / 4);
  assert.match(c.note ?? '', /2 of 4 experts per token/);
});

test('QMoE: logical weights are packed bytes x 8 / bits', () => {
  const c = nodeCost(
    'QMoE',
    [
      X([6, 16]),
      P('router', [6, 4]),
      W('fc1', [4, 32, 8], T.UINT8),
      W('s1', [4, 32]),
      NONE,
      W('fc2', [4, 16, 16], T.UINT8),
      W('s2', [4, 16]),
    ],
    ['y'],
    { k: 1, expert_weight_bits: 4 },
    MS,
  );
  // one expert per token: 2 x (2048 + 2048) / 4 weights + 32 relu units; router 20 + top-1 4; combine 32
  assert.equal(c.flops, 6 * (2 * 1024 + 32 + 24 + 32));
});

test('GroupQueryAttention: QK^T and PV over past + new keys, rotary, sliding window', () => {
  const ins: In[] = [
    X([1, 1, 12 * 16]),
    NONE,
    NONE,
    P('pk', [1, 2, 4, 16]),
    P('pv', [1, 2, 4, 16]),
    P('sl', [1], T.INT32),
    S('total', 5, T.INT32),
  ];
  const c = nodeCost('GroupQueryAttention', ins, ['y', 'k', 'v'], { num_heads: 8, kv_num_heads: 2, do_rotary: 1 }, MS);
  const scores = 8 * 5; // 8 query heads x 5 keys (4 past + 1 new)
  assert.equal(c.flops, scores * (2 * 16 + 2 * 16 + 5 + 2) + 3 * (8 + 2) * 16);
  const w = nodeCost(
    'GroupQueryAttention',
    ins,
    ['y', 'k', 'v'],
    { num_heads: 8, kv_num_heads: 2, local_window_size: 3 },
    MS,
  );
  assert.equal(w.flops, 8 * 3 * (2 * 16 + 2 * 16 + 5 + 2));
});

test('MultiHeadAttention: past + new keys for self attention, cached keys for cross attention', () => {
  const self = nodeCost(
    'MultiHeadAttention',
    [
      X([1, 8, 384]),
      P('k', [1, 8, 384]),
      P('v', [1, 8, 384]),
      NONE,
      NONE,
      NONE,
      P('pk', [1, 6, 4, 64]),
      P('pv', [1, 6, 4, 64]),
    ],
    ['y', 'k2', 'v2'],
    { num_heads: 6 },
    MS,
  );
  assert.equal(self.flops, 6 * 8 * 12 * (2 * 64 + 2 * 64 + 5 + 1));
  const cross = nodeCost(
    'MultiHeadAttention',
    [X([1, 8, 384]), P('k', [1, 6, 1500, 64]), P('v', [1, 6, 1500, 64])],
    ['y'],
    { num_heads: 6 },
    MS,
  );
  assert.equal(cross.flops, 6 * 8 * 1500 * (2 * 64 + 2 * 64 + 5 + 1));
});
