// FLOPs of the norm family on one-node models, checked against hand counts (docs/COSTS.md "## norm").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, model, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';
import { computeCosts } from '../../src/engine/cost/cost';

interface In { name: string; dtype?: number; dims: Dim[] | null; init?: number[] }

/** The cost of a one-node model; graph inputs have no data, `init` inputs are int64 initializers. */
function cost(op: string, ins: In[], outs: string[], attrs: Record<string, AttrInput>, opset: number) {
  const m = readModelBytes(model({
    opsets: { '': opset },
    graph: graph({
      nodes: [node(op, ins.map((i) => i.name), outs, attrs)],
      inputs: ins.filter((i) => i.name && !i.init).map((i) => vi(i.name, i.dtype ?? T.FLOAT, i.dims)),
      initializers: ins.filter((i) => i.init).map((i) => tensor(i.name, i.dtype ?? T.INT64, i.dims as number[], { values: i.init })),
      outputs: outs.filter(Boolean).map((name) => ({ name })),
    }),
  }));
  const s = inferShapes(m, { useDeclared: false });
  assert.deepEqual(s.diagnostics.map((d) => d.message), [], `${op}: no diagnostics`);
  return computeCosts(m, s, { bindings: {} })[0];
}

const X = (dims: Dim[], dtype: number = T.FLOAT): In => ({ name: 'x', dtype, dims });
const P = (name: string, dims: Dim[], dtype: number = T.FLOAT): In => ({ name, dtype, dims });

const bnInputs = [X([2, 3, 4, 4]), P('s', [3]), P('b', [3]), P('m', [3]), P('v', [3])];

test('BatchNormalization: 4 per element + 3 per channel in inference; batch statistics in training', () => {
  assert.equal(cost('BatchNormalization', bnInputs, ['y'], {}, 15).flops, 96 * 4 + 3 * 3);
  assert.equal(cost('BatchNormalization', bnInputs, ['y', 'rm', 'rv'], { training_mode: 1 }, 15).flops, 96 * 8 + 3 * 11);
});

test('statistics normalisations: 6 per element + scale + shift, 5 per group', () => {
  assert.equal(cost('LayerNormalization', [X([2, 3, 8]), P('g', [8]), P('b', [8])], ['y'], {}, 17).flops, 48 * 8 + 6 * 5);
  assert.equal(cost('LayerNormalization', [X([2, 3, 8]), P('g', [3, 8])], ['y'], { axis: 1 }, 17).flops, 48 * 7 + 2 * 5);
  assert.equal(cost('InstanceNormalization', [X([2, 3, 4, 4]), P('s', [3]), P('b', [3])], ['y'], {}, 6).flops, 96 * 8 + 6 * 5);
  assert.equal(cost('GroupNormalization', [X([2, 4, 2, 2]), P('s', [4]), P('b', [4])], ['y'], { num_groups: 2 }, 21).flops, 32 * 8 + 4 * 5);
  assert.equal(cost('MeanVarianceNormalization', [X([2, 3, 4, 4])], ['y'], {}, 13).flops, 96 * 6 + 3 * 5);
});

test('RMSNormalization, LpNormalization, LRN', () => {
  assert.equal(cost('RMSNormalization', [X([2, 3, 8]), P('g', [8])], ['y'], {}, 23).flops, 48 * 4 + 6 * 4);
  assert.equal(cost('LpNormalization', [X([3, 4])], ['y'], { axis: 1, p: 2 }, 22).flops, 36 + 3);
  assert.equal(cost('LpNormalization', [X([3, 4])], ['y'], { axis: 1, p: 1 }, 22).flops, 36);
  assert.equal(cost('LRN', [X([1, 4, 2, 2])], ['y'], { size: 3 }, 13).flops, 16 * (3 + 5));
});

test('Dropout: Identity in inference, 3 per element in training', () => {
  const inf = cost('Dropout', [X([4, 8])], ['y', 'mask'], {}, 13);
  assert.equal(inf.flops, 0);
  assert.equal(inf.bytesWritten, 32 * 4 + 32); // y float + bool mask
  const tm: In = { name: 'tm', dtype: T.BOOL, dims: [], init: [1] };
  assert.equal(cost('Dropout', [X([4, 8]), { name: '', dims: null }, tm], ['y'], {}, 13).flops, 3 * 32);
});
