// The per-target charts' bars: one per repeated block for big models, drill-down to layers, readable labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultGroups, layerLabel, perBlock, perLayer, GROUP_ABOVE } from '../../webview/chartGroups';
import type { Report } from '../../src/engine/profile';
import type { TargetLayer } from '../../src/engine/hardware/types';

function model(blocks: number, perBlockLayers: number) {
  const names: { name: string; block: string | null; opTypes: string[] }[] = [
    { name: '/model/embed_tokens/Gather', block: null, opTypes: ['Gather'] },
  ];
  for (let b = 0; b < blocks; b++)
    for (let k = 0; k < perBlockLayers; k++)
      names.push({
        name: `/model/layers.${b}/attn/q_proj/Slice_${k}`,
        block: `/model/layers.${b}`,
        opTypes: ['Slice', 'MatMul', 'Add'],
      });
  names.push({ name: '/model/norm/LayerNormalization', block: null, opTypes: ['LayerNormalization'] });
  names.push({ name: '/lm_head/MatMul', block: null, opTypes: ['MatMul'] });
  const report = { layers: names } as unknown as Report;
  const layers: TargetLayer[] = names.map((n, i) => ({
    name: n.name,
    seconds: 1e-6 * (i + 1),
    bound: i % 2 ? 'memory' : 'compute',
    memoryBytes: 100,
    placement: {},
  }));
  return { report, layers };
}

test('a fused layer is labelled by its main op and module path, not by the node it starts with', () => {
  assert.equal(
    layerLabel('/model/layers.3/attn/q_proj/Slice_2', ['Slice', 'MatMul', 'Add'], '/model/layers.3'),
    'attn/q_proj MatMul',
  );
  assert.equal(layerLabel('/lm_head/MatMul', ['MatMul'], null), 'lm_head MatMul');
  assert.equal(layerLabel('relu_7', ['Relu'], null), 'Relu');
});

test('big models get one bar per block, with the layers between blocks kept apart', () => {
  const { report, layers } = model(32, 3);
  assert.ok(layers.length > GROUP_ABOVE);
  const g = defaultGroups(layers, report);
  assert.equal(g.length, 1 + 32 + 1, 'embedding, 32 blocks, one run after the blocks');
  assert.equal(g[1]!.label, 'layers.0');
  assert.deepEqual(g[1]!.layers, [1, 2, 3]);
  assert.equal(g[g.length - 1]!.label, 'after blocks');
  const total = layers.reduce((a, l) => a + l.seconds, 0);
  const summed = g.reduce((a, x) => a + x.seconds.compute + x.seconds.memory, 0);
  assert.ok(Math.abs(total - summed) < 1e-15, 'no time lost or counted twice');
  // drilling into a block: one bar per layer of it
  const inner = perLayer(layers, report, g[5]!.layers);
  assert.deepEqual(
    inner.map((x) => x.label),
    ['attn/q_proj MatMul', 'attn/q_proj MatMul', 'attn/q_proj MatMul'],
  );
});

test('small models keep one bar per layer', () => {
  const { report, layers } = model(2, 3);
  assert.equal(defaultGroups(layers, report).length, layers.length);
  assert.equal(perBlock(layers, report).length, 4);
});
