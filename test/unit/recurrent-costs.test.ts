// FLOPs of RNN/GRU/LSTM: gate projections and gate math per step, times the sequence length (docs/COSTS.md "## recurrent").
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

test('LSTM: T * B * [2(I+H)4H + gate math]', () => {
  const c = cost('LSTM', [P('x', [5, 2, 10]), P('w', [1, 80, 10]), P('r', [1, 80, 20]), P('b', [1, 160])], ['y', 'yh', 'yc'], { hidden_size: 20 }, 14);
  const H = 20;
  const gateMath = 4 * H + 8 * H + 3 * H * 4 + H * 5 + 3 * H + H * 5 + H; // combine, biases, sigmoid x3, tanh, cell, tanh, output
  assert.equal(c.flops, 5 * 2 * (2 * (10 + H) * 4 * H + gateMath));
});

test('GRU bidirectional, batch-first: both directions, no bias', () => {
  const c = cost('GRU', [P('x', [4, 7, 3]), P('w', [2, 15, 3]), P('r', [2, 15, 5])], ['y'], { layout: 1, direction: 'bidirectional', hidden_size: 5 }, 14);
  const H = 5;
  const perDir = 2 * (3 + H) * 3 * H + (3 * H + 2 * H * 4 + H + H * 5 + 4 * H);
  assert.equal(c.flops, 7 * 4 * 2 * perDir);
});

test('RNN with a Relu activation; the cost scales with the sequence length', () => {
  const ins = (t: number) => [P('x', [t, 2, 3]), P('w', [1, 4, 3]), P('r', [1, 4, 4])];
  const one = cost('RNN', ins(1), ['y'], { hidden_size: 4, activations: ['Relu'] }, 14).flops;
  assert.equal(one, 2 * (2 * (3 + 4) * 4 + 4 + 4 * 1));
  assert.equal(cost('RNN', ins(6), ['y'], { hidden_size: 4, activations: ['Relu'] }, 14).flops, 6 * one);
});
