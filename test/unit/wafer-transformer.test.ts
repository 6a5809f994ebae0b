// The one transformer detector both hardware mappers use (src/engine/structure/): heads read from
// the graph (the Reshape after the Q projection, attention-op attributes, the KV-cache input) rather than
// guessed, on the embedded sample and on small graphs without MatMul attention (the dims-only path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, Node, TensorInfo } from '../../src/engine/onnx/ir';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { UNBOUND_DIM_VALUE } from '../../src/engine/shapes/unbound';
import { analyseFor, profileModel } from '../../src/engine/profile';
import { defaultRunOptions } from '../../src/engine/options';
import { describeTransformer, findTransformer, transformerDims } from '../../src/engine/structure';
import type { TargetResult } from '../../src/engine/hardware/types';
import { sampleModelBytes, SAMPLE_CONFIG } from '../fixtures/sample-model';

test('the sample (hidden 64, 4 heads of 16, no KV cache): 4 heads for both mappers, not a guessed head dim', () => {
  const m = readModelBytes(sampleModelBytes(), 'tiny-gpt.onnx');
  const dims = { batch: 1, seq: 64 };
  const a = analyseFor(m, { ...defaultRunOptions(), targets: [], dims });
  const d = transformerDims(a, dims)!;
  assert.equal(d.hidden, SAMPLE_CONFIG.d);
  assert.equal(d.heads, SAMPLE_CONFIG.heads);
  assert.equal(d.headDim, SAMPLE_CONFIG.d / SAMPLE_CONFIG.heads);
  assert.equal(d.kvHeads, SAMPLE_CONFIG.heads);
  assert.equal(d.layers, SAMPLE_CONFIG.layers);
  assert.equal(d.vocab, SAMPLE_CONFIG.vocab);
  assert.equal(d.past, null, 'no cache input');
  assert.ok(
    d.notes.some((n) => /from the Reshape after/.test(n)),
    d.notes.join('\n'),
  );
  const p = findTransformer(a, dims).pattern!;
  assert.deepEqual([p.heads, p.headDim, p.kvHeads], [d.heads, d.headDim, d.kvHeads]);
  // what each mapper reports
  const r = profileModel(m, { ...defaultRunOptions(), targets: ['wse3', 'h100-dgx'], dims }).report
    .targets as TargetResult[];
  assert.ok(r[0].notes.includes(describeTransformer(d)), r[0].notes.join('\n'));
  assert.match(r[0].notes.join('\n'), /4 heads \(4 KV, dim 16\)/);
  assert.match(r[1].notes.join('\n'), /4 heads \(4 KV\) of dim 16/);
});

// Small Llama-style graphs whose attention is one fused op (no activation x activation MatMuls), so the full
// pattern is absent and the dims come from the blocks' weights.
const FLOAT = 1,
  INT64 = 7;
function fused(o: { attrs: boolean; reshape: boolean; cache: boolean }): Model {
  const H = 256,
    heads = 8,
    kv = 2,
    d = 32,
    F = 512,
    V = 1000,
    L = 3;
  const nodes: Node[] = [];
  const inits: TensorInfo[] = [];
  const init = (name: string, dims: number[], dtype = FLOAT, values?: number[]) => {
    inits.push({ name, dtype, dims, elements: dims.reduce((a, b) => a * b, 1), data: { kind: 'none' }, values });
    return name;
  };
  const op = (opType: string, name: string, inputs: string[], attrs: Node['attrs'] = {}, domain = '') => {
    nodes.push({ index: nodes.length, opType, name, domain, inputs, outputs: [`${name}_out`], attrs });
    return `${name}_out`;
  };
  let x = op('Gather', '/model/embed_tokens/Gather', [init('embed.weight', [V, H]), 'input_ids']);
  init('q_shape', [4], INT64, [0, 0, heads, d]);
  const inputs: Model['graph']['inputs'] = [
    { name: 'input_ids', type: { kind: 'tensor', dtype: INT64, dims: ['batch', 1] } },
  ];
  for (let l = 0; l < L; l++) {
    const p = `/model/layers.${l}`;
    const w = (n: string, dims: number[]) => init(`model.layers.${l}.${n}`, dims);
    const n1 = op('SimplifiedLayerNormalization', `${p}/input_layernorm/LayerNorm`, [x, w('ln1', [H])]);
    let q = op('MatMul', `${p}/attn/q_proj/MatMul`, [n1, w('q', [H, heads * d])]);
    if (o.reshape) q = op('Reshape', `${p}/attn/Reshape`, [q, 'q_shape']);
    const k = op('MatMul', `${p}/attn/k_proj/MatMul`, [n1, w('k', [H, kv * d])]);
    const v = op('MatMul', `${p}/attn/v_proj/MatMul`, [n1, w('v', [H, kv * d])]);
    const past = o.cache ? [`past_key_values.${l}.key`, `past_key_values.${l}.value`] : [];
    if (o.cache)
      for (const n of past)
        inputs.push({ name: n, type: { kind: 'tensor', dtype: FLOAT, dims: ['batch', kv, 'past', d] } });
    const attrs: Node['attrs'] = o.attrs
      ? { num_heads: { type: 'int', value: heads }, kv_num_heads: { type: 'int', value: kv } }
      : {};
    const a = op('GroupQueryAttention', `${p}/attn/GroupQueryAttention`, [q, k, v, ...past], attrs, 'com.microsoft');
    const r1 = op('Add', `${p}/Add`, [x, op('MatMul', `${p}/attn/o_proj/MatMul`, [a, w('o', [heads * d, H])])]);
    const n2 = op('SimplifiedLayerNormalization', `${p}/post_attention_layernorm/LayerNorm`, [r1, w('ln2', [H])]);
    const g = op('MatMul', `${p}/mlp/gate_proj/MatMul`, [n2, w('gate', [H, F])]);
    const u = op('MatMul', `${p}/mlp/up_proj/MatMul`, [n2, w('up', [H, F])]);
    const act = op('Mul', `${p}/mlp/Mul`, [op('Sigmoid', `${p}/mlp/Sigmoid`, [g]), u]);
    x = op('Add', `${p}/Add_1`, [r1, op('MatMul', `${p}/mlp/down_proj/MatMul`, [act, w('down', [F, H])])]);
  }
  const logits = op('MatMul', '/lm_head/MatMul', [x, init('lm_head.weight', [H, V])]);
  return {
    path: 'fused.onnx',
    fileSize: 0,
    irVersion: 8,
    opsets: { '': 17, 'com.microsoft': 1 },
    producerName: 'test',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: {},
    functions: [],
    trainingInfoCount: 0,
    diagnostics: [],
    graph: {
      name: 'g',
      path: 'main',
      nodes,
      inputs,
      outputs: [{ name: logits, type: null }],
      valueInfo: [],
      initializers: inits,
      sparseInitializers: [],
    },
  };
}

test('fused attention op: heads and KV heads from its num_heads / kv_num_heads attributes', () => {
  const m = fused({ attrs: true, reshape: false, cache: false });
  // the fused op is the attention of each block: the full pattern (the GPU mapper's roles) is there too
  const p = findTransformer({ model: m }, {}).pattern!;
  assert.ok(p, 'fused attention gives the full pattern');
  assert.equal(p.blocks.length, 3);
  const gqa = m.graph.nodes.findIndex((n) => n.opType === 'GroupQueryAttention');
  assert.deepEqual([p.blocks[0].scores, p.blocks[0].softmax, p.blocks[0].context], [gqa, gqa, gqa]);
  assert.equal(m.graph.nodes[p.lmHeadNode].name, '/lm_head/MatMul');
  const d = transformerDims({ model: m }, {})!;
  assert.deepEqual(
    { ...d, notes: [] },
    {
      layers: 3,
      hidden: 256,
      heads: 8,
      kvHeads: 2,
      headDim: 32,
      ffn: 512,
      gated: true,
      vocab: 1000,
      experts: 0,
      expertsPerToken: 0,
      encoderDecoder: false,
      weightsPerLayer: 2 * 256 + 256 * (256 + 2 * 64) + 256 * 256 + 3 * 256 * 512,
      past: null,
      notes: [],
    },
  );
  assert.ok(
    d.notes.some((n) => /GroupQueryAttention attributes/.test(n)),
    d.notes.join('\n'),
  );
});

test('without attributes: heads from a Reshape in the first block, else from the KV-cache input, else assumed (noted)', () => {
  const r = transformerDims({ model: fused({ attrs: false, reshape: true, cache: false }) }, {})!;
  assert.deepEqual([r.heads, r.headDim, r.kvHeads], [8, 32, 2]);
  assert.ok(r.notes.some((n) => /from the Reshape after the Q projection/.test(n)));
  const c = transformerDims({ model: fused({ attrs: false, reshape: false, cache: true }) }, { past: 100 })!;
  assert.deepEqual([c.heads, c.headDim, c.kvHeads, c.past], [8, 32, 2, 100]);
  assert.ok(c.notes.some((n) => /from the KV-cache input/.test(n)));
  // an unbound cache length is taken as every unbound dim is (as the costs take it), and said so with that value
  const u = transformerDims({ model: fused({ attrs: false, reshape: false, cache: true }) }, {})!;
  assert.equal(u.past, UNBOUND_DIM_VALUE);
  assert.ok(u.notes.some((n) => n.includes(`cache length 'past' unbound: taken as ${UNBOUND_DIM_VALUE}`)));
  const g = transformerDims({ model: fused({ attrs: false, reshape: false, cache: false }) }, {})!;
  assert.equal(g.headDim, 64);
  assert.equal(g.heads, 4);
  assert.ok(g.notes.some((n) => /head dim 64 assumed/.test(n)));
});

test('names do not matter: the same structure with every layer name flattened; no attention, no transformer', () => {
  const m = fused({ attrs: true, reshape: false, cache: false });
  // opaque names everywhere: nodes, weights and the tensors between nodes
  const rename = new Map<string, string>();
  m.graph.initializers.forEach((t, k) => rename.set(t.name, `w${k}`));
  m.graph.nodes.forEach((n, i) => n.outputs.forEach((o, k) => rename.set(o, `t${i}_${k}`)));
  const r = (x: string) => rename.get(x) ?? x;
  const flat: Model = {
    ...m,
    graph: {
      ...m.graph,
      nodes: m.graph.nodes.map((n, i) => ({ ...n, name: `n${i}`, inputs: n.inputs.map(r), outputs: n.outputs.map(r) })),
      initializers: m.graph.initializers.map((t) => ({ ...t, name: r(t.name) })),
      outputs: m.graph.outputs.map((o) => ({ ...o, name: r(o.name) })),
    },
  };
  const a = transformerDims({ model: m }, {})!;
  const b = transformerDims({ model: flat }, {})!;
  assert.deepEqual(
    [b.layers, b.hidden, b.heads, b.kvHeads, b.headDim, b.ffn, b.gated, b.vocab],
    [a.layers, a.hidden, a.heads, a.kvHeads, a.headDim, a.ffn, a.gated, a.vocab],
  );
  const noAttention: Model = {
    ...m,
    graph: { ...m.graph, nodes: m.graph.nodes.filter((n) => n.opType !== 'GroupQueryAttention') },
  };
  assert.equal(transformerDims({ model: noAttention }, {}), null);
});
