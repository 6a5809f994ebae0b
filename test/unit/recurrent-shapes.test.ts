// Shape inference of the recurrent family on one-node models encoded as real ONNX bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { graph, model, node, tensor, vi, T, type AttrInput, type Dim } from '../fixtures/onnx-writer';
import { readModelBytes } from '../../src/engine/onnx/reader';
import { inferShapes } from '../../src/engine/shapes/infer';

interface In { name: string; dtype?: number; dims: Dim[] | null; init?: number[] }

/** Infers a model of `nodes` (op, inputs, outputs, attrs) with graph inputs / int initializers `ins`. */
function infer(nodes: [string, string[], string[], Record<string, AttrInput>?][], ins: In[], opset: number) {
  const m = readModelBytes(model({
    opsets: { '': opset },
    graph: graph({
      nodes: nodes.map(([op, i, o, a]) => node(op, i, o, a ?? {})),
      inputs: ins.filter((i) => !i.init).map((i) => vi(i.name, i.dtype ?? T.FLOAT, i.dims)),
      initializers: ins.filter((i) => i.init).map((i) => tensor(i.name, i.dtype ?? T.INT64, i.dims as number[], { values: i.init })),
      outputs: nodes.flatMap(([, , o]) => o.filter(Boolean)).map((name) => ({ name })),
    }),
  }));
  const s = inferShapes(m, { useDeclared: false });
  const get = (n: string) => {
    const t = s.main.values.get(n)?.type;
    return t && t.kind === 'tensor' ? { dtype: t.dtype, dims: t.dims, data: s.main.values.get(n)?.data } : undefined;
  };
  return { get, diagnostics: s.diagnostics.map((d) => d.message) };
}


const P = (name: string, dims: Dim[], dtype: number = T.FLOAT): In => ({ name, dtype, dims });

test('LSTM layout 0, forward: Y [T, 1, B, H], Y_h and Y_c [1, B, H]', () => {
  const r = infer([['LSTM', ['x', 'w', 'r', 'b'], ['y', 'yh', 'yc'], { hidden_size: 20 }]],
    [P('x', ['seq', 'batch', 10]), P('w', [1, 80, 10]), P('r', [1, 80, 20]), P('b', [1, 160])], 14);
  assert.deepEqual(r.get('y')?.dims, ['seq', 1, 'batch', 20]);
  assert.deepEqual(r.get('yh')?.dims, [1, 'batch', 20]);
  assert.deepEqual(r.get('yc')?.dims, [1, 'batch', 20]);
});

test('GRU layout 1 (batch first), bidirectional, hidden size taken from R when the attribute is absent', () => {
  const r = infer([['GRU', ['x', 'w', 'r'], ['y', 'yh'], { layout: 1, direction: 'bidirectional' }]],
    [P('x', [4, 7, 3]), P('w', [2, 15, 3]), P('r', [2, 15, 5])], 14);
  assert.deepEqual(r.get('y')?.dims, [4, 7, 2, 5]);
  assert.deepEqual(r.get('yh')?.dims, [4, 2, 5]);
});

test('RNN: only Y_h requested; hidden from W / gates when R is unknown', () => {
  const r = infer([['RNN', ['x', 'w', 'r'], ['', 'yh']]], [P('x', [6, 2, 3]), P('w', [1, 4, 3]), P('r', [1, 4, null])], 7);
  assert.deepEqual(r.get('yh')?.dims, [1, 2, 4]);
});

test('direction mismatching W, or X not rank 3, is a diagnostic', () => {
  assert.ok(infer([['RNN', ['x', 'w', 'r'], ['y'], { hidden_size: 4, direction: 'bidirectional' }]], [P('x', [6, 2, 3]), P('w', [1, 4, 3]), P('r', [1, 4, 4])], 14)
    .diagnostics.some((m) => /directions/.test(m)));
  assert.ok(infer([['GRU', ['x', 'w', 'r'], ['y'], { hidden_size: 4 }]], [P('x', [6, 3]), P('w', [1, 12, 3]), P('r', [1, 12, 4])], 14)
    .diagnostics.some((m) => /rank 3/.test(m)));
});
