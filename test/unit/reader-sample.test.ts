// The embedded sample (media/sample/tiny-gpt.onnx): exactly what scripts/make-sample.ts writes, small
// enough for the package, a GPT-style graph of standard ops with torch-export node names, read cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { modelStats } from '../../src/engine/onnx/stats';
import { sampleModelBytes, SAMPLE_CONFIG } from '../fixtures/sample-model';
import { gpt2Graph } from '../fixtures/gpt2';
import { projectRoot } from '../fixtures/paths';

const file = path.join(projectRoot(), 'media', 'sample', 'tiny-gpt.onnx');

test('the committed sample is byte-for-byte what make-sample writes, under 600 KB', () => {
  const committed = fs.readFileSync(file);
  assert.ok(committed.length < 600 * 1024, `${committed.length} bytes`);
  assert.ok(
    Buffer.from(sampleModelBytes()).equals(committed),
    'media/sample/tiny-gpt.onnx is stale: run npm run make-sample',
  );
});

test('the sample reads as a 2-layer GPT-style decoder with symbolic batch and seq', () => {
  const m = readModelFile(file);
  assert.deepEqual(m.diagnostics, []);
  assert.equal(m.irVersion, 8);
  assert.deepEqual(m.opsets, { '': 17 });
  assert.deepEqual(m.graph.inputs, [{ name: 'input_ids', type: { kind: 'tensor', dtype: 7, dims: ['batch', 'seq'] } }]);
  assert.deepEqual(m.graph.outputs, [
    { name: 'logits', type: { kind: 'tensor', dtype: 1, dims: ['batch', 'seq', 512] } },
  ]);
  const s = modelStats(m);
  assert.equal(s.parameterCount, gpt2Graph(SAMPLE_CONFIG).parameterCount);
  // 2 x (2 x 64 LN + 64x192+192 + 64x64+64 + 64x256+256 + 256x64+64) + 512x64 + 128x64 + 2x64, + 22 small constants
  assert.equal(s.parameterCount, 2 * (256 + 12480 + 4160 + 16640 + 16448) + 32768 + 8192 + 128 + 22);
  assert.ok(
    m.graph.nodes.every((n) => n.domain === ''),
    'standard ONNX ops only',
  );
  const ops = new Set(m.graph.nodes.map((n) => n.opType));
  for (const op of [
    'Gather',
    'MatMul',
    'Add',
    'LayerNormalization',
    'Softmax',
    'Reshape',
    'Transpose',
    'Tanh',
    'Split',
    'Where',
  ])
    assert.ok(ops.has(op), op);
  for (let l = 0; l < 2; l++) {
    const names = m.graph.nodes.filter((n) => n.name.startsWith(`/model/layers.${l}/`)).map((n) => n.name);
    assert.ok(names.includes(`/model/layers.${l}/attn/c_attn/MatMul`));
    assert.ok(names.includes(`/model/layers.${l}/attn/Softmax`));
    assert.ok(names.includes(`/model/layers.${l}/mlp/c_fc/MatMul`));
  }
  assert.equal(s.opHistogram.LayerNormalization, 5);
  assert.equal(s.opHistogram.MatMul, 2 * 6 + 1);
});
